//! A small, checking XML writer: the only module that writes XML. It writes straight into one
//! byte buffer, escaping as it goes (quick-xml is kept for parsing documents back in tests).
//!
//! Text and attribute values are escaped (`&`, `<`, `>`, `"`, `'` as the five predefined
//! entities). The writer also refuses what escaping cannot fix: names must be plain XML names
//! (ASCII letter or `_` first, then letters, digits, `_`, `-`, `.`) and values must be free of
//! control characters and of the non-characters XML 1.0 forbids. Every check of a call runs
//! before it writes anything, so a refused call leaves the document as it was.
//!
//! The element-writing methods are inlined into every call site: the literal element and
//! attribute names the renderers pass are then checked while compiling and written as
//! constants, which leaves only the values to look at and copy for each element.

use std::fmt::Display;

use super::RenderError;

/// The XML declaration every document starts with.
const DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

/// Spaces of indentation per level of nesting.
const INDENT: usize = 2;

/// Builds one UTF-8 document with a declaration and two-space indentation.
pub(crate) struct XmlWriter {
    out: Vec<u8>,
    /// Where the name of each element opened and not yet closed sits in `out` (start, length),
    /// outermost first; [`Self::close`] copies the name from there.
    open: Vec<(usize, usize)>,
}

impl XmlWriter {
    /// Starts a document with `<?xml version="1.0" encoding="UTF-8"?>`.
    pub(crate) fn new() -> XmlWriter {
        XmlWriter::with_capacity(1024)
    }

    /// Like [`Self::new`], with room for a document of about `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> XmlWriter {
        let mut out = Vec::with_capacity(capacity.max(DECLARATION.len() + 1));
        out.extend_from_slice(DECLARATION);
        XmlWriter {
            out,
            open: Vec::with_capacity(4),
        }
    }

    /// Opens element `name` with `attributes` (name, value); close it with [`Self::close`].
    #[inline(always)]
    pub(crate) fn open(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result<(), RenderError> {
        check_name(name)?;
        let attributes_class = check_attributes(name, attributes)?;
        self.line_break();
        let at = self.start_tag(name, attributes.iter().copied(), attributes_class);
        self.open.push((at, name.len()));
        Ok(())
    }

    /// Closes the innermost open element (does nothing when none is open).
    pub(crate) fn close(&mut self) {
        if let Some((at, len)) = self.open.pop() {
            self.line_break();
            self.out.extend_from_slice(b"</");
            self.out.extend_from_within(at..at + len);
            self.out.push(b'>');
        }
    }

    /// Writes `<name>value</name>`; `field` names the value in a [`RenderError::ControlCharacter`].
    #[inline(always)]
    pub(crate) fn text_element(&mut self, name: &str, value: &str, field: impl Display) -> Result<(), RenderError> {
        self.text_element_with_attributes(name, &[], value, field)
    }

    /// Writes `<name a="v"…>value</name>`; `field` names the value in a
    /// [`RenderError::ControlCharacter`].
    #[inline(always)]
    pub(crate) fn text_element_with_attributes(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        value: &str,
        field: impl Display,
    ) -> Result<(), RenderError> {
        check_name(name)?;
        let attributes_class = check_attributes(name, attributes)?;
        let class = check_text(value, field)?;
        self.text_element_checked(name, attributes.iter().copied(), attributes_class, value, class);
        Ok(())
    }

    /// Like [`Self::text_element_with_attributes`], but a control character in the value of
    /// attribute `(key, value, field)` is reported as that attribute's own `field`.
    #[inline(always)]
    pub(crate) fn text_element_with_attribute_fields(
        &mut self,
        name: &str,
        attributes: &[(&str, &str, &dyn Display)],
        value: &str,
        field: impl Display,
    ) -> Result<(), RenderError> {
        check_name(name)?;
        let mut attributes_class = 0;
        for &(key, attribute, attribute_field) in attributes {
            check_name(key)?;
            attributes_class |= check_text(attribute, attribute_field)?;
        }
        let class = check_text(value, field)?;
        let pairs = attributes.iter().map(|&(key, attribute, _)| (key, attribute));
        self.text_element_checked(name, pairs, attributes_class, value, class);
        Ok(())
    }

    /// Writes a text element whose names and values are checked (`attributes_class` and `class`
    /// are the [`classify`] classes of the attribute values, or-ed, and of the value).
    #[inline(always)]
    fn text_element_checked<'v>(
        &mut self,
        name: &str,
        attributes: impl Iterator<Item = (&'v str, &'v str)>,
        attributes_class: u8,
        value: &str,
        class: u8,
    ) {
        self.line_break();
        self.start_tag(name, attributes, attributes_class);
        escape_into(&mut self.out, value, class);
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }

    /// Closes every element still open and returns the document, ending in a newline.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        while !self.open.is_empty() {
            self.close();
        }
        self.out.push(b'\n');
        self.out
    }

    /// Starts a new line indented for the current depth.
    #[inline]
    fn line_break(&mut self) {
        /// A newline and the indentation of up to 16 levels, written with one copy.
        const NEWLINE_AND_SPACES: &[u8; 33] = b"\n                                ";
        let indent = self.open.len() * INDENT;
        match NEWLINE_AND_SPACES.get(..=indent) {
            Some(line) => self.out.extend_from_slice(line),
            None => {
                self.out.push(b'\n');
                self.out.resize(self.out.len() + indent, b' ');
            }
        }
    }

    /// Writes `<name a="v"…>` (checked already; `attributes_class` from [`check_attributes`])
    /// and returns where `name` starts in the buffer.
    #[inline(always)]
    fn start_tag<'v>(
        &mut self,
        name: &str,
        attributes: impl Iterator<Item = (&'v str, &'v str)>,
        attributes_class: u8,
    ) -> usize {
        self.out.push(b'<');
        let at = self.out.len();
        self.out.extend_from_slice(name.as_bytes());
        for (key, value) in attributes {
            self.out.push(b' ');
            self.out.extend_from_slice(key.as_bytes());
            self.out.extend_from_slice(b"=\"");
            // Most values need no escaping: then none is looked at again.
            let class = if attributes_class & ESCAPED == 0 {
                0
            } else {
                classify(value.as_bytes())
            };
            escape_into(&mut self.out, value, class);
            self.out.push(b'"');
        }
        self.out.push(b'>');
        at
    }
}

/// A byte of [`CLASSES`] that is one of `&`, `<`, `>`, `"`, `'`.
const ESCAPED: u8 = 1;
/// A byte of [`CLASSES`] outside printable ASCII: the text needs a look at its characters.
const OTHER: u8 = 2;

/// The class of every byte: 0 for printable ASCII that is written as it is, else [`ESCAPED`]
/// or [`OTHER`].
const CLASSES: [u8; 256] = {
    let mut classes = [OTHER; 256];
    let mut b = 0x20;
    while b < 0x7f {
        classes[b] = match b as u8 {
            b'&' | b'<' | b'>' | b'"' | b'\'' => ESCAPED,
            _ => 0,
        };
        b += 1;
    }
    classes
};

/// The classes of all bytes of `bytes`, or-ed together (one pass, no branch per byte).
fn classify(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |class, &b| class | CLASSES[usize::from(b)])
}

/// Appends `text` to `out` with `&`, `<`, `>`, `"` and `'` escaped; `class` is
/// [`classify`]'s for `text`.
#[inline]
fn escape_into(out: &mut Vec<u8>, text: &str, class: u8) {
    if class & ESCAPED == 0 {
        out.extend_from_slice(text.as_bytes());
    } else {
        escape_entities_into(out, text);
    }
}

/// Appends `text` to `out` with every `&`, `<`, `>`, `"` and `'` written as its entity.
fn escape_entities_into(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut plain = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if CLASSES[usize::from(b)] != ESCAPED {
            continue;
        }
        if plain < i {
            out.extend_from_slice(&bytes[plain..i]);
        }
        push_entity(out, b);
        plain = i + 1;
    }
    out.extend_from_slice(&bytes[plain..]);
}

/// Appends the entity of `b`, one of `&`, `<`, `>`, `"`, `'` (each a fixed-size copy).
fn push_entity(out: &mut Vec<u8>, b: u8) {
    match b {
        b'&' => out.extend_from_slice(b"&amp;"),
        b'<' => out.extend_from_slice(b"&lt;"),
        b'>' => out.extend_from_slice(b"&gt;"),
        b'"' => out.extend_from_slice(b"&quot;"),
        _ => out.extend_from_slice(b"&apos;"),
    }
}

/// Whether `name` is a plain XML name: ASCII letter or `_`, then letters, digits, `_`, `-`, `.`.
#[inline(always)]
pub(crate) fn is_valid_name(name: &str) -> bool {
    match name.as_bytes() {
        [first, rest @ ..] => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().fold(true, |valid, &b| valid & NAME_BYTES[usize::from(b)])
        }
        [] => false,
    }
}

/// Bytes a name may hold after its first: ASCII letters, digits, `_`, `-`, `.`.
const NAME_BYTES: [bool; 256] = {
    let mut valid = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        valid[b] = byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.');
        b += 1;
    }
    valid
};

/// Refuses `name` unless [`is_valid_name`]. Always inlined: for the literal names the
/// renderers pass, the compiler then settles the check while compiling.
#[inline(always)]
fn check_name(name: &str) -> Result<(), RenderError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(invalid_name(name))
    }
}

/// The error for a refused name, kept out of the callers' way.
#[cold]
#[inline(never)]
fn invalid_name(name: &str) -> RenderError {
    RenderError::invalid_key(name)
}

/// Checks the names and values of the attributes of element `element`, in order, and returns
/// the [`classify`] classes of their values, or-ed.
///
/// Inlined, so that the literal attribute names the renderers pass are checked while compiling.
#[inline(always)]
fn check_attributes(element: &str, attributes: &[(&str, &str)]) -> Result<u8, RenderError> {
    let mut classes = 0;
    for &(key, value) in attributes {
        check_name(key)?;
        match text_class(value) {
            Some(class) => classes |= class,
            None => return Err(attribute_control_character(element, key)),
        }
    }
    Ok(classes)
}

/// The error for a control character in attribute `key` of `element`.
#[cold]
#[inline(never)]
fn attribute_control_character(element: &str, key: &str) -> RenderError {
    RenderError::ControlCharacter {
        field: format!("attribute {key} of {element}"),
    }
}

/// The [`classify`] class of `value`; `None` when it holds a control character or
/// U+FFFE/U+FFFF.
fn text_class(value: &str) -> Option<u8> {
    let class = classify(value.as_bytes());
    (class & OTHER == 0 || is_clean_chars(value)).then_some(class)
}

/// Refuses control characters and U+FFFE/U+FFFF, which XML 1.0 cannot carry even escaped;
/// returns the [`classify`] class of `value`.
#[inline]
fn check_text(value: &str, field: impl Display) -> Result<u8, RenderError> {
    text_class(value).ok_or_else(|| RenderError::ControlCharacter {
        field: field.to_string(),
    })
}

/// Whether `value` is free of control characters and of U+FFFE/U+FFFF, character by character.
fn is_clean_chars(value: &str) -> bool {
    !value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// One element of a parsed document (test helper).
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    /// Element names from the root, joined by `/` (`gs_provision/config/P271`).
    pub path: String,
    /// Attributes in document order, values unescaped.
    pub attributes: Vec<(String, String)>,
    /// Direct text content, unescaped (indentation included for elements with children).
    pub text: String,
}

/// Parses `xml` with quick-xml's reader into its elements in document order (test helper).
#[cfg(test)]
pub(crate) fn parse(xml: &[u8]) -> Vec<Node> {
    use quick_xml::Reader;
    use quick_xml::escape::resolve_predefined_entity;
    use quick_xml::events::Event;

    let text = std::str::from_utf8(xml).expect("utf-8 document");
    let mut reader = Reader::from_str(text);
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed xml") {
            Event::Start(start) => {
                let name = start.name().as_ref().to_owned();
                let path = match stack.last() {
                    Some(&parent) => format!("{}/{name}", nodes[parent].path),
                    None => name,
                };
                let attributes = start
                    .attributes()
                    .map(|attr| {
                        let attr = attr.expect("well-formed attribute");
                        let key = attr.key.as_ref().to_owned();
                        let value = attr.normalized_value(quick_xml::XmlVersion::Explicit1_0);
                        (key, value.expect("valid attribute value").into_owned())
                    })
                    .collect();
                stack.push(nodes.len());
                nodes.push(Node {
                    path,
                    attributes,
                    text: String::new(),
                });
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                if let Some(&current) = stack.last() {
                    nodes[current].text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().expect("valid character reference") {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&r.xml10_content())
                        .expect("predefined entity")
                        .to_owned(),
                };
                if let Some(&current) = stack.last() {
                    nodes[current].text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_declaration_indentation_and_escapes() {
        let mut w = XmlWriter::new();
        w.open("root", &[("version", "1")]).expect("valid");
        w.text_element("a", "x & <y> \"z\" 'w'", "a").expect("valid");
        w.open("inner", &[]).expect("valid");
        w.text_element("b", "", "b").expect("valid");
        let doc = String::from_utf8(w.finish()).expect("utf-8");
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root version=\"1\">\n  \
             <a>x &amp; &lt;y&gt; &quot;z&quot; &apos;w&apos;</a>\n  <inner>\n    \
             <b></b>\n  </inner>\n</root>\n"
        );
        let nodes = parse(doc.as_bytes());
        assert_eq!(nodes[0].attributes, vec![("version".into(), "1".into())]);
        assert_eq!(nodes[1].path, "root/a");
        assert_eq!(nodes[1].text, "x & <y> \"z\" 'w'");
        assert_eq!(nodes[3].path, "root/inner/b");
    }

    #[test]
    fn deep_nesting_keeps_the_indentation() {
        let mut w = XmlWriter::new();
        for name in ["a", "b", "c", "d", "e", "f"] {
            w.open(name, &[]).expect("valid");
        }
        w.text_element("g", "1", "g").expect("valid");
        let doc = String::from_utf8(w.finish()).expect("utf-8");
        let lines: Vec<&str> = doc.lines().collect();
        assert_eq!(lines[6], "          <f>");
        assert_eq!(lines[7], "            <g>1</g>");
        assert_eq!(lines[8], "          </f>");
        assert_eq!(lines[13], "</a>");
        assert_eq!(
            parse(doc.as_bytes()).last().map(|n| n.path.as_str()),
            Some("a/b/c/d/e/f/g")
        );
    }

    #[test]
    fn nesting_as_deep_as_the_data_goes() {
        // Fanvil XML overrides nest as deep as their dotted names: no fixed limit.
        let mut w = XmlWriter::new();
        let names: Vec<String> = (0..40).map(|i| format!("e{i}")).collect();
        for name in &names {
            w.open(name, &[]).expect("valid");
        }
        let doc = String::from_utf8(w.finish()).expect("utf-8");
        let depth = parse(doc.as_bytes()).iter().map(|n| n.path.matches('/').count()).max();
        assert_eq!(depth, Some(39));
        assert_eq!(doc.lines().nth(41).map(str::trim_start), Some("</e39>"));
        assert_eq!(doc.lines().last(), Some("</e0>"));
    }

    #[test]
    fn names_are_checked() {
        for good in ["P2", "_x", "a-b.c_9", "gs_provision"] {
            assert!(is_valid_name(good), "{good}");
        }
        for bad in ["", "2P", "-a", ".a", "a b", "a:b", "a\"><evil", "é", "a\n"] {
            assert!(!is_valid_name(bad), "{bad:?}");
        }
        let mut w = XmlWriter::new();
        assert_eq!(
            w.text_element("a b", "v", "f"),
            Err(RenderError::InvalidKey("a b".into()))
        );
        assert_eq!(w.open("<x", &[]), Err(RenderError::InvalidKey("<x".into())));
        assert_eq!(w.open("x", &[("a=", "1")]), Err(RenderError::InvalidKey("a=".into())));
        let long = "a".repeat(40) + " ";
        assert_eq!(
            w.text_element(&long, "v", "f"),
            Err(RenderError::InvalidKey("a".repeat(32)))
        );
    }

    #[test]
    fn escapes_between_plain_runs_and_multibyte_text() {
        let mut out = Vec::new();
        let text = "'a'é&&b]]>";
        escape_into(&mut out, text, classify(text.as_bytes()));
        assert_eq!(out, "&apos;a&apos;é&amp;&amp;b]]&gt;".as_bytes());
        for clean in ["", "plain", "Zoë 北京 😀", "\u{FFFD}"] {
            assert!(check_text(clean, "f").is_ok(), "{clean:?}");
        }
        for dirty in ["\u{9f}", "x\u{FFFF}", "é\u{1}"] {
            assert!(check_text(dirty, "f").is_err(), "{dirty:?}");
        }
    }

    #[test]
    fn a_refused_call_writes_nothing_and_close_without_open_does_nothing() {
        let mut w = XmlWriter::new();
        w.close();
        w.open("root", &[]).expect("valid");
        assert!(
            w.text_element_with_attributes("a", &[("k", "v")], "x\u{0}", "f")
                .is_err()
        );
        assert!(w.open("b", &[("k", "\u{7f}")]).is_err());
        w.text_element("c", "1", "c").expect("valid");
        let doc = String::from_utf8(w.finish()).expect("utf-8");
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root>\n  <c>1</c>\n</root>\n"
        );
    }

    #[test]
    fn attributes_with_their_own_fields() {
        let mut w = XmlWriter::new();
        let (key_field, value_field): (&dyn Display, &dyn Display) = (&"override key", &"account 1 password");
        assert_eq!(
            w.text_element_with_attribute_fields(
                "p",
                &[("name", "k\n", key_field), ("value", "v", value_field)],
                "",
                "f"
            ),
            Err(RenderError::ControlCharacter {
                field: "override key".into()
            })
        );
        assert_eq!(
            w.text_element_with_attribute_fields(
                "p",
                &[("name", "k", key_field), ("value", "\u{1}", value_field)],
                "",
                "f"
            ),
            Err(RenderError::ControlCharacter {
                field: "account 1 password".into()
            })
        );
        w.text_element_with_attribute_fields(
            "p",
            &[("name", "a&b", key_field), ("value", "<1>", value_field)],
            "",
            "f",
        )
        .expect("valid");
        let doc = String::from_utf8(w.finish()).expect("utf-8");
        assert!(
            doc.ends_with("\n<p name=\"a&amp;b\" value=\"&lt;1&gt;\"></p>\n"),
            "{doc}"
        );
    }

    #[test]
    fn control_characters_are_refused_by_field() {
        let mut w = XmlWriter::new();
        for value in ["a\u{0}b", "tab\t", "nl\n", "cr\r", "del\u{7f}", "c1\u{85}", "\u{FFFE}"] {
            assert_eq!(
                w.text_element("P34", value, "account 1 password"),
                Err(RenderError::ControlCharacter {
                    field: "account 1 password".into()
                }),
                "{value:?}"
            );
        }
        assert_eq!(
            w.open("x", &[("a", "\u{1}")]),
            Err(RenderError::ControlCharacter {
                field: "attribute a of x".into()
            })
        );
        assert!(w.text_element("P3", "Zoë 北京 😀", "f").is_ok());
    }
}
