//! A small, checking XML writer over `quick_xml::Writer`; the only module that uses quick-xml,
//! so its API churn stays here.
//!
//! quick-xml escapes text and attribute values but does not check element names and passes
//! control characters through. This wrapper refuses both: names must be plain XML names
//! (ASCII letter or `_` first, then letters, digits, `_`, `-`, `.`) and values must be free
//! of control characters and of the non-characters XML 1.0 forbids.

use std::fmt::Display;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::RenderError;

/// Builds one UTF-8 document with a declaration and two-space indentation.
pub(crate) struct XmlWriter {
    writer: Writer<Vec<u8>>,
    /// Names of the elements opened and not yet closed, outermost first.
    open: Vec<String>,
}

impl XmlWriter {
    /// Starts a document with `<?xml version="1.0" encoding="UTF-8"?>`.
    pub(crate) fn new() -> XmlWriter {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        infallible(writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))));
        XmlWriter {
            writer,
            open: Vec::new(),
        }
    }

    /// Opens element `name` with `attributes` (name, value); close it with [`Self::close`].
    pub(crate) fn open(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result<(), RenderError> {
        check_name(name)?;
        let mut start = BytesStart::new(name);
        for &(key, value) in attributes {
            check_name(key)?;
            check_text(value, format_args!("attribute {key} of {name}"))?;
            start.push_attribute((key, value));
        }
        infallible(self.writer.write_event(Event::Start(start)));
        self.open.push(name.to_owned());
        Ok(())
    }

    /// Closes the innermost open element (does nothing when none is open).
    pub(crate) fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            infallible(self.writer.write_event(Event::End(BytesEnd::new(name))));
        }
    }

    /// Writes `<name>value</name>`; `field` names the value in a [`RenderError::ControlCharacter`].
    pub(crate) fn text_element(&mut self, name: &str, value: &str, field: impl Display) -> Result<(), RenderError> {
        self.text_element_with_attributes(name, &[], value, field)
    }

    /// Writes `<name a="v"…>value</name>`; `field` names the value in a
    /// [`RenderError::ControlCharacter`].
    pub(crate) fn text_element_with_attributes(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        value: &str,
        field: impl Display,
    ) -> Result<(), RenderError> {
        check_name(name)?;
        for &(key, attribute) in attributes {
            check_name(key)?;
            check_text(attribute, format_args!("attribute {key} of {name}"))?;
        }
        check_text(value, field)?;
        infallible(
            self.writer
                .create_element(name)
                .with_attributes(attributes.iter().copied())
                .write_text_content(BytesText::new(value)),
        );
        Ok(())
    }

    /// Closes every element still open and returns the document, ending in a newline.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        while !self.open.is_empty() {
            self.close();
        }
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        bytes
    }
}

/// Whether `name` is a plain XML name: ASCII letter or `_`, then letters, digits, `_`, `-`, `.`.
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn check_name(name: &str) -> Result<(), RenderError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(RenderError::invalid_key(name))
    }
}

/// Refuses control characters and U+FFFE/U+FFFF, which XML 1.0 cannot carry even escaped.
fn check_text(value: &str, field: impl Display) -> Result<(), RenderError> {
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
    {
        Err(RenderError::ControlCharacter {
            field: field.to_string(),
        })
    } else {
        Ok(())
    }
}

/// Unwraps a write into the in-memory buffer, which has no I/O to fail.
fn infallible<T>(result: io::Result<T>) {
    result.expect("writing XML into a Vec<u8> cannot fail");
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
