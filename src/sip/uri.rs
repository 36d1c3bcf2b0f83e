//! SIP URIs as phones write them, including sloppy ones: no scheme, no host
//! (`sip:MAC%3A000B82273B89`), IPv6 hosts in brackets.

use super::params;
use super::params::TrimFast;
use super::search::{find_any, find_byte};

/// A parsed URI, borrowing from the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uri<'a> {
    /// The URI exactly as written (trimmed).
    pub raw: &'a str,
    /// `sip`, `sips`, `tel`, … or empty when the URI had no scheme.
    pub scheme: &'a str,
    /// User part (userinfo before `@`), still percent-encoded.
    pub user: Option<&'a str>,
    /// Host without IPv6 brackets; `None` for URIs without a host.
    pub host: Option<&'a str>,
    pub port: Option<u16>,
    /// Parameter list after the first `;` of the host part (may be empty).
    pub params: &'a str,
}

impl<'a> Uri<'a> {
    /// Parses `raw`; `None` when a port is not a number or brackets are unbalanced.
    pub fn parse(raw: &'a str) -> Option<Uri<'a>> {
        let raw = raw.trim_fast();
        let bytes = raw.as_bytes();
        // A scheme is letters before the first colon, unless what follows is a port.
        let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        let (scheme, rest) = if letters > 0 && bytes.get(letters) == Some(&b':') && !is_port(&raw[letters + 1..]) {
            (&raw[..letters], &raw[letters + 1..])
        } else {
            ("", raw)
        };
        // One pass: the headers (`?`) end the URI; the last `@` ends the user part; the first
        // `;` after it starts the parameters.
        let (mut at, mut semicolon, mut end) = (None, None, rest.len());
        let mut from = 0;
        while let Some(found) = find_any(&rest.as_bytes()[from..], [b'?', b'@', b';']) {
            let i = from + found;
            match rest.as_bytes()[i] {
                b'?' => {
                    end = i;
                    break;
                }
                b'@' => (at, semicolon) = (Some(i), None),
                _ if semicolon.is_none() => semicolon = Some(i),
                _ => {}
            }
            from = i + 1;
        }
        let host_start = at.map_or(0, |i| i + 1);
        let (hostport, params) = match semicolon {
            Some(i) => (&rest[host_start..i], &rest[i + 1..end]),
            None => (&rest[host_start..end], ""),
        };
        let user = at.map(|i| &rest[..i]);
        let hostport = hostport.trim_fast();
        if user.is_none() && !looks_like_hostport(hostport) {
            return Some(Uri {
                raw,
                scheme,
                user: Some(hostport),
                host: None,
                port: None,
                params,
            });
        }
        let (host, port) = split_host_port(hostport)?;
        Some(Uri {
            raw,
            scheme,
            user,
            host,
            port,
            params,
        })
    }

    /// This URI's parse, for `text` written exactly as this URI's `raw` (the fields then
    /// borrow from `text`); `None` for any other text.
    pub fn moved_to<'b>(&self, text: &'b str) -> Option<Uri<'b>> {
        if text != self.raw {
            return None;
        }
        let base = self.raw.as_ptr() as usize;
        // A field is a slice of `raw` (or empty): the same bytes of `text`.
        let at = |field: &str| -> Option<&'b str> {
            if field.is_empty() {
                return Some("");
            }
            let start = (field.as_ptr() as usize).checked_sub(base)?;
            text.get(start..start + field.len())
        };
        Some(Uri {
            raw: text,
            scheme: at(self.scheme)?,
            user: self.user.map(at).map_or(Some(None), |u| u.map(Some))?,
            host: self.host.map(at).map_or(Some(None), |h| h.map(Some))?,
            port: self.port,
            params: at(self.params)?,
        })
    }

    pub fn param(&self, name: &str) -> Option<params::Param<'a>> {
        params::find(self.params, name)
    }
}

fn is_port(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && matches!(text.as_bytes().get(digits), None | Some(b';' | b'?'))
}

fn looks_like_hostport(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']'))
}

/// Splits `host[:port]` / `[v6][:port]`; a bare IPv6 literal (several colons) has no port.
pub fn split_host_port(text: &str) -> Option<(Option<&str>, Option<u16>)> {
    let text = text.trim_fast();
    if text.is_empty() {
        return Some((None, None));
    }
    if let Some(inner) = text.strip_prefix('[') {
        let close = inner.find(']')?;
        let host = &inner[..close];
        let after = &inner[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.trim_fast().is_empty() => None,
            None => return None,
        };
        return Some((Some(host), port));
    }
    let Some(colon) = find_byte(text.as_bytes(), b':') else {
        return Some((Some(text), None));
    };
    let (host, port) = (&text[..colon], &text[colon + 1..]);
    if find_byte(port.as_bytes(), b':').is_some() {
        // More than one colon: a bare IPv6 address.
        return Some((Some(text), None));
    }
    Some((
        Some(host.trim_fast()).filter(|h| !h.is_empty()),
        Some(parse_port(port)?),
    ))
}

/// A port number, as `str::parse::<u16>` reads it (surrounding whitespace allowed).
pub fn parse_port(text: &str) -> Option<u16> {
    // Plain digits, the usual port, read directly.
    if let Some(port) = params::small_decimal(text).and_then(|n| u16::try_from(n).ok()) {
        return Some(port);
    }
    text.trim_fast().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_host_port_params() {
        let u = Uri::parse("sip:MAC%3A000B82273B89@224.0.1.75;transport=udp").unwrap();
        assert_eq!(
            (u.scheme, u.user, u.host, u.port),
            ("sip", Some("MAC%3A000B82273B89"), Some("224.0.1.75"), None)
        );
        assert_eq!(u.param("transport").unwrap().value, Some("udp"));
        let u = Uri::parse("sip:192.168.5.175:5080").unwrap();
        assert_eq!((u.user, u.host, u.port), (None, Some("192.168.5.175"), Some(5080)));
    }

    #[test]
    fn a_parse_moves_to_the_same_text_elsewhere() {
        for raw in [
            "sip:MAC%3A000B82273B89@224.0.1.75;transport=udp",
            "192.168.1.2:5060",
            "sip:[::1]:5062",
            "x",
        ] {
            let first = Uri::parse(raw).unwrap();
            let copy = raw.to_owned();
            let moved = first.moved_to(&copy).unwrap();
            assert_eq!(moved, Uri::parse(&copy).unwrap());
            let inside = |s: &str| s.is_empty() || copy.as_bytes().as_ptr_range().contains(&s.as_ptr());
            assert!(inside(moved.raw) && inside(moved.scheme) && inside(moved.params));
            assert!(moved.user.is_none_or(inside) && moved.host.is_none_or(inside));
            assert!(first.moved_to("sip:other@host").is_none());
        }
    }

    #[test]
    fn sloppy_forms() {
        let u = Uri::parse("sip:MAC%3A000B82273B89").unwrap();
        assert_eq!((u.user, u.host), (Some("MAC%3A000B82273B89"), None));
        let u = Uri::parse("sip:[2001:db8::10]:5062").unwrap();
        assert_eq!((u.host, u.port), (Some("2001:db8::10"), Some(5062)));
        let u = Uri::parse("192.168.1.2:5060").unwrap();
        assert_eq!((u.scheme, u.host, u.port), ("", Some("192.168.1.2"), Some(5060)));
        let u = Uri::parse("sip:MAC:00:15:65:f4:f9:e1@224.0.1.75").unwrap();
        assert_eq!(u.user, Some("MAC:00:15:65:f4:f9:e1"));
        let u = Uri::parse("sip:first.last@pbx.example").unwrap();
        assert_eq!((u.user, u.host), (Some("first.last"), Some("pbx.example")));
        assert!(Uri::parse("sip:host:99999").is_none());
        assert!(Uri::parse("sip:[::1").is_none());
    }
}
