//! From, To and Contact values: `"Name" <uri>;tag=…` or a bare `uri;tag=…`.

use super::masks::{MASKED_MAX, below, cut_at_ascii, first_bit, range_masks};
use super::params::TrimFast;
use super::params::{self, eq_fold, split_at_byte};
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
    /// From and To usually repeat its Request-URI), `seen`'s parse is reused. Inlined: the
    /// address is then built in its caller's slot, not returned and copied (measured: 31
    /// instructions less per SUBSCRIBE).
    #[inline(always)]
    pub fn parse_seen(raw: &'a str, seen: Option<&Uri<'_>>) -> Result<NameAddr<'a>, &'static str> {
        let raw = raw.trim_fast();
        let Parts {
            display,
            uri: uri_text,
            params,
            tag,
        } = split(raw)?;
        let uri = match seen.and_then(|seen| seen.moved_to(uri_text)) {
            Some(uri) => uri,
            None => Uri::parse(uri_text).ok_or("bad URI")?,
        };
        Ok(NameAddr {
            raw,
            display,
            uri,
            params,
            tag: tag.filter(|t| !t.is_empty()),
        })
    }
}

/// A name-addr's pieces before its URI is parsed.
struct Parts<'a> {
    display: Option<&'a str>,
    uri: &'a str,
    params: &'a str,
    /// The `tag` parameter's value, possibly empty.
    tag: Option<&'a str>,
}

/// The pieces of an address: display name, URI text, header parameters and tag.
fn split(raw: &str) -> Result<Parts<'_>, &'static str> {
    let (display, uri, rest) = match open_bracket(raw) {
        Some(open) => {
            let close = find_byte(&raw.as_bytes()[open..], b'>').ok_or("missing '>'")? + open;
            // SAFETY: the cuts are at or right after the `<` and the `>`, or at the end.
            let (before, uri, rest) = unsafe {
                (
                    cut_at_ascii(raw, 0..open),
                    cut_at_ascii(raw, open + 1..close),
                    cut_at_ascii(raw, close + 1..raw.len()),
                )
            };
            (display_name(before), uri, rest)
        }
        None => {
            let (uri, rest) = split_at_byte(raw, b';').unwrap_or((raw, ""));
            (None, uri, rest)
        }
    };
    let params = params_after(rest);
    Ok(Parts {
        display,
        uri,
        params,
        tag: tag_of(raw, params),
    })
}

/// Where the `<` before the URI is: the first one outside double quotes.
fn open_bracket(raw: &str) -> Option<usize> {
    let bytes = raw.as_bytes();
    if bytes.first() == Some(&b'<') {
        return Some(0);
    }
    // Without a quote before the first `<`, that `<` is the one.
    let searched = raw.len().min(MASKED_MAX);
    let [open, quote] = range_masks(bytes, 0, searched, [b"<", b"\""]);
    match first_bit(open) {
        Some(open) if quote & below(open) == 0 => Some(open),
        None if searched == raw.len() => None,
        _ => find_unquoted(raw, b'<'),
    }
}

/// The display name before `<`, without quotes; `None` when there is none.
fn display_name(before: &str) -> Option<&str> {
    match before {
        "" => None,
        _ => Some(before.trim_fast().trim_matches('"').trim_fast()).filter(|d| !d.is_empty()),
    }
}

/// The header parameters in what follows the URI: after its `;`.
fn params_after(rest: &str) -> &str {
    match rest.as_bytes().first() {
        None => "",
        // SAFETY: the cut is right after the `;`.
        Some(b';') => unsafe { cut_at_ascii(rest, 1..rest.len()) },
        Some(_) => rest.trim_start().strip_prefix(';').unwrap_or(rest.trim_start()),
    }
}

/// The text after a leading `tag=` (any case) of `params`.
fn tag_value_start(params: &str) -> Option<&str> {
    let name = params.as_bytes().get(..4)?;
    // SAFETY: the cut is right after the `=`.
    eq_fold(name, b"tag=").then(|| unsafe { cut_at_ascii(params, 4..params.len()) })
}

/// The `tag` parameter's value in `params`, which ends `raw`. The usual `tag=…` first,
/// without quotes or brackets before the next `;`, is read directly; anything else goes
/// through [`params::find`].
fn tag_of<'a>(raw: &'a str, params: &'a str) -> Option<&'a str> {
    if let Some(value) = tag_value_start(params) {
        let end = first_stop(raw, value).unwrap_or(value.len());
        if matches!(value.as_bytes().get(end), None | Some(b';')) {
            // SAFETY: the cut is at the `;` or the end.
            return Some(unsafe { cut_at_ascii(value, 0..end) }.trim_fast());
        }
    }
    if params.is_empty() {
        return None;
    }
    params::find(params, "tag").and_then(|p| p.value)
}

/// The first `;`, `"`, `<` or `[` in `value`, which ends `raw`. A short value is searched
/// in one step that may read the bytes of `raw` before it.
fn first_stop(raw: &str, value: &str) -> Option<usize> {
    if value.len() > MASKED_MAX {
        return value.bytes().position(|b| matches!(b, b';' | b'"' | b'<' | b'['));
    }
    let start = raw.len() - value.len();
    let [stops] = range_masks(raw.as_bytes(), start, raw.len(), [b";\"<["]);
    first_bit(stops)
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

    /// The tag in `params` read with byte loops only, as first written.
    fn tag_by_loops(params: &str) -> Option<&str> {
        if params.is_empty() {
            return None;
        }
        if let Some(value) = params
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("tag="))
            .map(|_| &params[4..])
        {
            let end = value
                .bytes()
                .position(|b| matches!(b, b';' | b'"' | b'<' | b'['))
                .unwrap_or(value.len());
            if matches!(value.as_bytes().get(end), None | Some(b';')) {
                return Some(value[..end].trim_fast());
            }
        }
        params::find(params, "tag").and_then(|p| p.value)
    }

    #[test]
    fn bracket_and_tag_agree_with_the_byte_loops() {
        let mut texts = crate::sip::uri::tests::sample_texts();
        for prefix in ["", "<", "\"a<b\" <", "Name <", "\"x\\\"<\" "] {
            for suffix in [
                ">",
                ">;tag=",
                ">;tag=abc",
                ">;TAG=a;b",
                ">;tag=\"q\"",
                ">;x=1;tag=2",
                "> ; tag = 3 ",
            ] {
                for middle in ["sip:a@b", "sip:MAC%3A000B82273B89@224.0.1.75:5060;transport=udp", ""] {
                    texts.push(format!("{prefix}{middle}{suffix}"));
                    texts.push(format!("{prefix}{middle}{suffix}{}", "z".repeat(70)));
                }
            }
        }
        for text in texts {
            let raw = text.trim_fast();
            assert_eq!(open_bracket(raw), find_unquoted(raw, b'<'), "{raw:?}");
            if let Ok(parts) = split(raw) {
                assert_eq!(parts.tag, tag_by_loops(parts.params), "{raw:?}");
            }
        }
    }
}
