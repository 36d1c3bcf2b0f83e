//! The Via header: `SIP/2.0/UDP host:port;branch=…;rport`, tolerant of spaces around `/`
//! and `;`, a missing branch, quoted parameter values and IPv6 sent-by hosts.

use super::masks::{MASKED_MAX, range_masks};
use super::params::TrimFast;
use super::params::{self, Classes, Param, eq_fold, split_at_byte};
use super::uri::{split_host_port, split_trimmed_host_port};

/// The `rport` parameter (RFC 3581).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rport {
    Absent,
    /// `;rport` without a value: the client asks us to fill it in.
    Requested,
    Filled(u16),
}

/// One Via entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Via<'a> {
    /// The entry as written (may contain folded line breaks).
    pub raw: &'a str,
    /// Transport in upper case as written (`UDP`, `TCP`, `TLS`, …).
    pub transport: &'a str,
    /// Sent-by host without IPv6 brackets.
    pub host: &'a str,
    pub port: Option<u16>,
    pub branch: Option<&'a str>,
    pub rport: Rport,
    pub received: Option<&'a str>,
    /// Parameters after the sent-by (may be empty).
    pub params: &'a str,
}

/// Every Via of a message, topmost first. A phone's SUBSCRIBE has one, kept inline; a second
/// one moves them all to the heap. Reads as a slice.
#[derive(Clone, Default)]
pub struct Vias<'a> {
    only: Option<Via<'a>>,
    all: Vec<Via<'a>>,
}

impl<'a> Vias<'a> {
    /// Adds `via` after the others.
    pub fn push(&mut self, via: Via<'a>) {
        match self.only.take() {
            None if self.all.is_empty() => self.only = Some(via),
            None => self.all.push(via),
            Some(first) => self.all.extend([first, via]),
        }
    }
}

impl<'a> std::ops::Deref for Vias<'a> {
    type Target = [Via<'a>];
    fn deref(&self) -> &[Via<'a>] {
        match &self.only {
            Some(only) => std::slice::from_ref(only),
            None => &self.all,
        }
    }
}

impl std::fmt::Debug for Vias<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for Vias<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Vias<'_> {}

impl<'a> Via<'a> {
    /// Parses one Via entry; `Err` carries a short reason.
    pub fn parse(raw: &'a str) -> Result<Via<'a>, &'static str> {
        let raw = raw.trim_fast();
        let (protocol, rest) = split_protocol(raw).ok_or("bad sent-protocol")?;
        // The blanks after the protocol (a sent-by with more around it is trimmed below).
        let blanks = rest.bytes().take_while(|b| matches!(b, b' ' | b'\t')).count();
        let SentBy {
            host,
            port,
            params,
            classes,
        } = SentBy::split(&rest[blanks..])?;
        let host = host.ok_or("missing sent-by host")?;
        let Wanted {
            branch,
            rport,
            received,
        } = Wanted::read(params::iter_classified(params, classes))?;
        Ok(Via {
            raw,
            transport: protocol,
            host,
            port,
            branch,
            rport,
            received,
            params,
        })
    }
}

/// The fields of a Via read from its parameters.
struct Wanted<'a> {
    branch: Option<&'a str>,
    rport: Rport,
    received: Option<&'a str>,
}

impl<'a> Wanted<'a> {
    /// The wanted parameters among `params`, the last of each name counting.
    #[inline(always)]
    fn read(params: impl Iterator<Item = Param<'a>>) -> Result<Wanted<'a>, &'static str> {
        let mut wanted = Wanted {
            branch: None,
            rport: Rport::Absent,
            received: None,
        };
        for Param { name, value, .. } in params {
            let name = name.as_bytes();
            match name.len() {
                6 if eq_fold(name, b"branch") => wanted.branch = value.filter(|v| !v.is_empty()),
                5 if eq_fold(name, b"rport") => {
                    wanted.rport = match value {
                        None | Some("") => Rport::Requested,
                        Some(v) => Rport::Filled(v.parse().map_err(|_| "bad rport")?),
                    };
                }
                8 if eq_fold(name, b"received") => wanted.received = value,
                _ => {}
            }
        }
        Ok(wanted)
    }
}

/// What follows the sent-protocol: the sent-by's host and port, and the parameters.
#[derive(Debug, PartialEq, Eq)]
struct SentBy<'a> {
    host: Option<&'a str>,
    port: Option<u16>,
    params: &'a str,
    /// The classes of `params`, when known.
    classes: Option<Classes>,
}

impl<'a> SentBy<'a> {
    /// Splits `host:port;params`. The usual text, short and without spaces, brackets or
    /// escapes, is classified once: its first `;` ends the sent-by, and the parameters are
    /// then read from the same classes.
    fn split(rest: &'a str) -> Result<SentBy<'a>, &'static str> {
        let Some(classes) = Classes::of(rest).filter(|classes| !classes.odd) else {
            return SentBy::split_searching(rest);
        };
        let end = (classes.semicolons.trailing_zeros() as usize).min(rest.len());
        if end > MASKED_MAX {
            return SentBy::split_searching(rest);
        }
        // Nothing to trim and no IPv6 brackets: only the colons matter.
        let [colons] = range_masks(rest.as_bytes(), 0, end, [b":"]);
        let (host, port) = split_trimmed_host_port(&rest[..end], colons).ok_or("bad sent-by")?;
        let (params, classes) = match rest.get(end + 1..) {
            Some(params) => (params, classes.after(end + 1)),
            None => ("", Classes::default()),
        };
        Ok(SentBy {
            host,
            port,
            params,
            classes: Some(classes),
        })
    }

    /// [`SentBy::split`] of any text, searching for the `;` and the colons.
    fn split_searching(rest: &'a str) -> Result<SentBy<'a>, &'static str> {
        let (sent_by, params) = split_at_byte(rest, b';').unwrap_or((rest, ""));
        let (host, port) = split_host_port(sent_by).ok_or("bad sent-by")?;
        Ok(SentBy {
            host,
            port,
            params,
            classes: Classes::of(params),
        })
    }
}

/// Splits `SIP / 2.0 / UDP rest` into the transport and the rest.
fn split_protocol(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    // A phone's `SIP/2.0/UDP ` exactly, at once.
    if let Some(head) = bytes.first_chunk::<12>()
        && head[..11] == *b"SIP/2.0/UDP"
        && matches!(head[11], b' ' | b'\t')
    {
        return Some((&text[8..11], &text[11..]));
    }
    // The usual `SIP/2.0/xyz ` without spaces inside.
    let first8 = bytes.first_chunk::<8>().map(|b| u64::from_le_bytes(*b));
    // `SIP/2.0/` in any case: the letters folded to lower case, the rest compared as is.
    if bytes.len() > 8 && first8.is_some_and(|w| w | 0x20_2020 == u64::from_le_bytes(*b"sip/2.0/")) {
        let letters = bytes[8..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if letters > 0 && matches!(bytes.get(8 + letters), Some(b' ' | b'\t')) {
            return Some((&text[8..8 + letters], &text[8 + letters..]));
        }
    }
    let (name, rest) = split_at_byte(text, b'/')?;
    if !name.trim_fast().eq_ignore_ascii_case("SIP") {
        return None;
    }
    let (version, rest) = split_at_byte(rest, b'/')?;
    if version.trim_fast() != "2.0" {
        return None;
    }
    let rest = rest.trim_start();
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let transport = &rest[..end];
    if transport.is_empty() || !transport.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some((transport, &rest[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grandstream_and_snom_and_spaces() {
        let v = Via::parse("SIP/2.0/UDP 172.18.32.197:5060;branch=z9hG4bK458721093;rport").unwrap();
        assert_eq!((v.transport, v.host, v.port), ("UDP", "172.18.32.197", Some(5060)));
        assert_eq!((v.branch, v.rport), (Some("z9hG4bK458721093"), Rport::Requested));
        let v = Via::parse("SIP/2.0/UDP 192.168.12.155:1053;rport").unwrap();
        assert_eq!((v.branch, v.port), (None, Some(1053)));
        let v = Via::parse("SIP / 2.0 / udp 192.168.5.175:5080 ; branch=\"z9hG4bK1\" ; rport=5080").unwrap();
        assert_eq!(
            (v.transport, v.branch, v.rport),
            ("udp", Some("z9hG4bK1"), Rport::Filled(5080))
        );
        let v = Via::parse("SIP/2.0/UDP [2001:db8::10]:5060;branch=z9hG4bKx").unwrap();
        assert_eq!((v.host, v.port), ("2001:db8::10", Some(5060)));
    }

    #[test]
    fn classified_sent_by_agrees_with_searching() {
        let mut texts = crate::sip::uri::tests::sample_texts();
        for host in ["172.18.32.197", "", "h", "[::1]", "a:b:c", "x".repeat(70).as_str()] {
            for port in ["", ":", ":5060", ":99999", ":x", ": 1"] {
                for params in [
                    "",
                    ";",
                    ";branch=z9hG4bK1;rport",
                    ";rport=5;x=\"a;b\"",
                    ";;received=1.2.3.4",
                ] {
                    texts.push(format!("{host}{port}{params}"));
                }
            }
        }
        for text in texts {
            let general = SentBy::split_searching(&text);
            assert_eq!(SentBy::split(&text), general, "{text:?}");
            if let Ok(SentBy { params, classes, .. }) = SentBy::split(&text) {
                assert_eq!(classes, Classes::of(params), "{text:?}");
            }
        }
    }

    /// The sent-protocol split by the general reading alone, without the shortcuts.
    fn split_protocol_general(text: &str) -> Option<(&str, &str)> {
        let (name, rest) = split_at_byte(text, b'/')?;
        let (version, rest) = split_at_byte(rest, b'/')?;
        if !name.trim().eq_ignore_ascii_case("SIP") || version.trim() != "2.0" {
            return None;
        }
        let rest = rest.trim_start();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let transport = &rest[..end];
        (!transport.is_empty() && transport.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| (transport, &rest[end..]))
    }

    #[test]
    fn protocol_shortcuts_agree_with_the_general_reading() {
        let mut texts = Vec::new();
        for head in [
            "SIP/2.0/UDP",
            "sip/2.0/udp",
            "SIP/2.0/TCP",
            "SIP/2.0/UD",
            "SIP/2.0/UDP5",
            "SIP/2.0/",
            "SIP/2.1/UDP",
            "SIP / 2.0 / UDP",
            "SIP/2.0/U\u{e9}P",
        ] {
            for tail in [
                "",
                " ",
                "\t",
                "  ",
                " \t",
                "x",
                " 1.2.3.4:5060;rport",
                "\t[::1]",
                "\u{e9} x",
            ] {
                texts.push(format!("{head}{tail}"));
            }
        }
        for text in texts {
            assert_eq!(split_protocol(&text), split_protocol_general(&text), "{text:?}");
        }
    }

    #[test]
    fn broken_vias() {
        assert!(Via::parse("SIP/2.0 172.18.32.197").is_err());
        assert!(Via::parse("SIP/2.0/UDP").is_err());
        assert!(Via::parse("SIP/2.0/UDP host:port").is_err());
        assert!(Via::parse("SIP/2.0/UDP host;rport=x").is_err());
    }
}
