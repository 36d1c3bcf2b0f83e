//! The element tree the two Fanvil XML dialects are built in, addressed by paths such as
//! `sip/line[2]/RegisterTTL` (sysConf) or
//! `SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry[SIP2]/Register_TTL`
//! (`VOIP_CONFIG_FILE`), and written with the checking [`XmlWriter`].
//!
//! A segment is an element name, optionally with a selector in brackets. What the selector
//! matches is the dialect's [`Select`]: sysConf repeats elements with an `index` attribute
//! (`<line index="2">`), `VOIP_CONFIG_FILE` with an `<ID>` child (`<SIP_Line_List_Entry>
//! <ID>SIP2</ID>…`). Setting a path replaces the text of the element it names, or creates the
//! missing elements in place (children in creation order); a segment without a selector
//! matches the first element of that name.
//!
//! Overrides use the same paths as keys: an override replaces a generated value in place, or
//! adds its element where its path says. Keys are checked here ([`RenderError::InvalidKey`]):
//! names are plain XML names, selectors 1–32 ASCII letters, digits, `_`, `-` or `.`; values are
//! checked by the writer (control characters are [`RenderError::ControlCharacter`] naming the
//! override, never its value).

use std::borrow::Cow;
use std::fmt;

use super::super::RenderError;
use super::super::xml::{XmlWriter, is_valid_name};
use super::Origin;

/// How repeated elements are told apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Select {
    /// By an `index` attribute (sysConf).
    IndexAttribute,
    /// By the text of an `<ID>` child, written first (`VOIP_CONFIG_FILE`).
    IdChild,
}

/// One path segment: an element name and an optional selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Seg<'x> {
    pub(super) name: Cow<'x, str>,
    pub(super) select: Option<Cow<'x, str>>,
}

impl<'x> Seg<'x> {
    pub(super) fn new(name: &'static str) -> Seg<'x> {
        Seg {
            name: Cow::Borrowed(name),
            select: None,
        }
    }

    pub(super) fn at(name: &'static str, select: impl fmt::Display) -> Seg<'x> {
        Seg {
            name: Cow::Borrowed(name),
            select: Some(Cow::Owned(select.to_string())),
        }
    }
}

/// Where a text came from, for errors: a setting or override, or the structure (`<ID>`,
/// version), which is never refused.
#[derive(Clone, Copy)]
enum TextOrigin<'x> {
    Value(Origin<'x, 'x>),
    Structure,
}

impl fmt::Display for TextOrigin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextOrigin::Value(origin) => origin.fmt(f),
            TextOrigin::Structure => f.write_str("structure"),
        }
    }
}

struct Element<'x> {
    name: Cow<'x, str>,
    /// The `index` attribute (sysConf); `VOIP_CONFIG_FILE` selectors are `<ID>` children.
    index: Option<Cow<'x, str>>,
    text: Option<(Cow<'x, str>, TextOrigin<'x>)>,
    children: Vec<Element<'x>>,
}

impl<'x> Element<'x> {
    fn new(name: Cow<'x, str>) -> Element<'x> {
        Element {
            name,
            index: None,
            text: None,
            children: Vec::new(),
        }
    }

    /// The text of the `<ID>` child, if any.
    fn id(&self) -> Option<&str> {
        self.children
            .iter()
            .find(|c| c.name == "ID")
            .and_then(|c| c.text.as_ref())
            .map(|(text, _)| text.as_ref())
    }
}

/// A document: the root element and its children.
pub(super) struct Tree<'x> {
    root: Element<'x>,
    select: Select,
}

impl<'x> Tree<'x> {
    pub(super) fn new(root: &'static str, select: Select) -> Tree<'x> {
        Tree {
            root: Element::new(Cow::Borrowed(root)),
            select,
        }
    }

    /// Adds a structural text element (the version line) as the next child of the root.
    pub(super) fn structure(&mut self, name: &'static str, text: &'static str) {
        let mut element = Element::new(Cow::Borrowed(name));
        element.text = Some((Cow::Borrowed(text), TextOrigin::Structure));
        self.root.children.push(element);
    }

    /// Sets the element `path` names to `text` (see the module docs).
    pub(super) fn set(&mut self, path: &[Seg<'x>], text: Cow<'x, str>, origin: Origin<'x, 'x>) {
        let select = self.select;
        let mut node = &mut self.root;
        for seg in path {
            let found = node.children.iter().position(|c| {
                c.name == seg.name
                    && match (&seg.select, select) {
                        (None, _) => true,
                        (Some(want), Select::IndexAttribute) => c.index.as_deref() == Some(want.as_ref()),
                        (Some(want), Select::IdChild) => c.id() == Some(want.as_ref()),
                    }
            });
            let at = match found {
                Some(at) => at,
                None => {
                    let mut element = Element::new(seg.name.clone());
                    if let Some(want) = &seg.select {
                        match select {
                            Select::IndexAttribute => element.index = Some(want.clone()),
                            Select::IdChild => {
                                let mut id = Element::new(Cow::Borrowed("ID"));
                                id.text = Some((want.clone(), TextOrigin::Structure));
                                element.children.push(id);
                            }
                        }
                    }
                    node.children.push(element);
                    node.children.len() - 1
                }
            };
            node = &mut node.children[at];
        }
        node.text = Some((text, TextOrigin::Value(origin)));
    }

    /// Applies overrides in order: each key is a path (checked), its value replaces or adds.
    pub(super) fn apply_overrides(&mut self, overrides: &'x [(String, String)]) -> Result<(), RenderError> {
        for (key, value) in overrides {
            let path = parse_path(key)?;
            self.set(&path, Cow::Borrowed(value), Origin::Override(key));
        }
        Ok(())
    }

    /// Writes the document.
    pub(super) fn finish(&self) -> Result<Vec<u8>, RenderError> {
        let mut doc = XmlWriter::new();
        write_element(&mut doc, &self.root)?;
        Ok(doc.finish())
    }
}

fn write_element(doc: &mut XmlWriter, element: &Element<'_>) -> Result<(), RenderError> {
    let index = element.index.as_deref().map(|i| ("index", i));
    let attributes: &[(&str, &str)] = match &index {
        Some(pair) => std::slice::from_ref(pair),
        None => &[],
    };
    if element.children.is_empty() {
        let (text, origin) = match &element.text {
            Some((text, origin)) => (text.as_ref(), *origin),
            None => ("", TextOrigin::Structure),
        };
        return doc.text_element_with_attributes(&element.name, attributes, text, origin);
    }
    doc.open(&element.name, attributes)?;
    for child in &element.children {
        write_element(doc, child)?;
    }
    doc.close();
    Ok(())
}

/// Parses an override key into a path: `/`-separated segments, each an XML name with an
/// optional `[selector]`. Anything else is [`RenderError::InvalidKey`] (the key, capped).
fn parse_path(key: &str) -> Result<Vec<Seg<'_>>, RenderError> {
    let invalid = || RenderError::invalid_key(key);
    let mut path = Vec::new();
    for part in key.split('/') {
        let (name, select) = match part.split_once('[') {
            Some((name, rest)) => {
                let select = rest.strip_suffix(']').ok_or_else(invalid)?;
                let valid = (1..=32).contains(&select.len())
                    && select
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
                if !valid {
                    return Err(invalid());
                }
                (name, Some(Cow::Borrowed(select)))
            }
            None => (part, None),
        };
        if !is_valid_name(name) {
            return Err(invalid());
        }
        path.push(Seg {
            name: Cow::Borrowed(name),
            select,
        });
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::super::super::xml::parse;
    use super::*;

    #[test]
    fn paths_parse_and_refuse() {
        let path = parse_path("sip/line[2]/RegisterTTL").expect("valid");
        assert_eq!(path[1], Seg::at("line", 2));
        assert_eq!(path[2], Seg::new("RegisterTTL"));
        for bad in [
            "", "/a", "a/", "a//b", "a[1", "a[]", "a[1]x", "a[1]]", "a[x y]", "1a", "a b", "a:b", "a[<x>]",
        ] {
            assert_eq!(parse_path(bad), Err(RenderError::InvalidKey(bad.into())), "{bad:?}");
        }
    }

    #[test]
    fn set_replaces_or_creates_by_selector() {
        for (select, expect) in [
            (
                Select::IndexAttribute,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n  <V>1</V>\n  <l index=\"2\">\n    \
                 <a>new</a>\n    <b>y</b>\n  </l>\n  <l index=\"1\">\n    <a>z</a>\n  </l>\n</r>\n",
            ),
            (
                Select::IdChild,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n  <V>1</V>\n  <l>\n    <ID>2</ID>\n    \
                 <a>new</a>\n    <b>y</b>\n  </l>\n  <l>\n    <ID>1</ID>\n    <a>z</a>\n  </l>\n</r>\n",
            ),
        ] {
            let mut tree = Tree::new("r", select);
            tree.structure("V", "1");
            let origin = Origin::Override("k");
            tree.set(&[Seg::at("l", 2), Seg::new("a")], "x".into(), origin);
            tree.set(&[Seg::at("l", 2), Seg::new("b")], "y".into(), origin);
            tree.set(&[Seg::at("l", 1), Seg::new("a")], "z".into(), origin);
            tree.set(&[Seg::at("l", 2), Seg::new("a")], "new".into(), origin);
            let doc = tree.finish().expect("writes");
            assert_eq!(String::from_utf8(doc.clone()).expect("utf-8"), expect);
            assert!(parse(&doc).len() > 4);
        }
    }
}
