//! From, To and Contact values: `"Name" <uri>;tag=…` or a bare `uri;tag=…`.

use super::params::TrimFast;
use super::params::{self, split_at_byte};
use super::search::find_byte;
use super::uri::Uri;

/// A name-addr or addr-spec with its header parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameAddr<'a> {
    /// The whole value as written (trimmed; may contain folded line breaks).
    pub raw: &'a str,
    /// Display name without quotes, if any.
    pub display: Option<&'a str>,
    pub uri: Uri<'a>,
    /// Header parameters after the URI (`tag=…;expires=…`), may be empty.
    pub params: &'a str,
    pub tag: Option<&'a str>,
}

impl<'a> NameAddr<'a> {
    /// Parses one address; `Err` carries a short reason.
    pub fn parse(raw: &'a str) -> Result<NameAddr<'a>, &'static str> {
        NameAddr::parse_seen(raw, None)
    }

    /// As [`NameAddr::parse`]; when the address's URI is written exactly as `seen` (a phone's
    /// From and To usually repeat its Request-URI), `seen`'s parse is reused.
    pub fn parse_seen(raw: &'a str, seen: Option<&Uri<'_>>) -> Result<NameAddr<'a>, &'static str> {
        let raw = raw.trim_fast();
        let (display, uri_text, rest) = match find_unquoted(raw, b'<') {
            Some(open) => {
                let close = find_byte(&raw.as_bytes()[open..], b'>').ok_or("missing '>'")? + open;
                let display = match open {
                    0 => None,
                    _ => Some(raw[..open].trim_fast().trim_matches('"').trim_fast()).filter(|d| !d.is_empty()),
                };
                (display, &raw[open + 1..close], &raw[close + 1..])
            }
            None => {
                let (uri, rest) = split_at_byte(raw, b';').unwrap_or((raw, ""));
                (None, uri, rest)
            }
        };
        let uri = match seen.and_then(|seen| seen.moved_to(uri_text)) {
            Some(uri) => uri,
            None => Uri::parse(uri_text).ok_or("bad URI")?,
        };
        let params = match rest.as_bytes().first() {
            None => "",
            Some(b';') => &rest[1..],
            Some(_) => rest.trim_start().strip_prefix(';').unwrap_or(rest.trim_start()),
        };
        let tag = tag_of(params).filter(|t| !t.is_empty());
        Ok(NameAddr {
            raw,
            display,
            uri,
            params,
            tag,
        })
    }
}

/// The `tag` parameter's value. The usual `tag=…` first, without quotes or brackets before the
/// next `;`, is read directly; anything else goes through [`params::find`].
fn tag_of(params: &str) -> Option<&str> {
    if params.is_empty() {
        return None;
    }
    if params.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tag=")) {
        let rest = &params[4..];
        let end = rest
            .bytes()
            .position(|b| matches!(b, b';' | b'"' | b'<' | b'['))
            .unwrap_or(rest.len());
        if matches!(rest.as_bytes().get(end), None | Some(b';')) {
            return Some(rest[..end].trim_fast());
        }
    }
    params::find(params, "tag").and_then(|p| p.value)
}

fn find_unquoted(text: &str, wanted: u8) -> Option<usize> {
    let mut in_quotes = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_quotes => i += 1,
            b'"' => in_quotes = !in_quotes,
            b if b == wanted && !in_quotes => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_addr_forms() {
        let a = NameAddr::parse("<sip:MAC%3A000B82273B89@224.0.1.75>;tag=1692014507").unwrap();
        assert_eq!(a.tag, Some("1692014507"));
        assert_eq!(a.uri.user, Some("MAC%3A000B82273B89"));
        let a = NameAddr::parse("\"Lobby, <Main>\" <sip:512@10.0.0.90>").unwrap();
        assert_eq!(a.display, Some("Lobby, <Main>"));
        assert_eq!(a.uri.host, Some("10.0.0.90"));
        assert_eq!(a.tag, None);
        let a = NameAddr::parse("sip:00000001@10.13.2.37:5060;tag=abc").unwrap();
        assert_eq!((a.uri.port, a.tag), (Some(5060), Some("abc")));
        assert!(NameAddr::parse("<sip:a@b").is_err());
    }
}
