//! SIP URIs as phones write them, including sloppy ones: no scheme, no host
//! (`sip:MAC%3A000B82273B89`), IPv6 hosts in brackets.

use super::params::TrimFast;
use super::params::{self, rsplit_at_byte, split_at_byte};

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
        let (scheme, rest) = match split_at_byte(raw, b':') {
            Some((s, rest)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic()) && !is_port(rest) => {
                (s, rest)
            }
            _ => ("", raw),
        };
        let rest = split_at_byte(rest, b'?').map_or(rest, |(r, _)| r);
        let (user, host_part) = match rsplit_at_byte(rest, b'@') {
            Some((user, host_part)) => (Some(user), host_part),
            None => (None, rest),
        };
        let (hostport, params) = split_at_byte(host_part, b';').unwrap_or((host_part, ""));
        let hostport = hostport.trim_fast();
        if user.is_none() && !looks_like_hostport(hostport) {
            // `sip:MAC%3A000B82273B89`: a user part without a host.
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

    /// The first URI parameter called `name`, if any.
    pub fn param(&self, name: &str) -> Option<params::Param<'a>> {
        params::find(self.params, name)
    }
}

fn is_port(text: &str) -> bool {
    let end = text.bytes().position(|b| b == b';' || b == b'?').unwrap_or(text.len());
    let digits = &text[..end];
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
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
            Some(p) => Some(p.trim_fast().parse().ok()?),
            None if after.trim_fast().is_empty() => None,
            None => return None,
        };
        return Some((Some(host), port));
    }
    match text.bytes().filter(|&b| b == b':').count() {
        0 => Some((Some(text), None)),
        1 => {
            let (host, port) = split_at_byte(text, b':')?;
            Some((
                Some(host.trim_fast()).filter(|h| !h.is_empty()),
                Some(port.trim_fast().parse().ok()?),
            ))
        }
        _ => Some((Some(text), None)),
    }
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
