//! The Via header: `SIP/2.0/UDP host:port;branch=…;rport`, tolerant of spaces around `/`
//! and `;`, a missing branch, quoted parameter values and IPv6 sent-by hosts.

use super::params::TrimFast;
use super::params::{self, Param, split_at_byte};
use super::uri::split_host_port;

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
        // The space after the protocol (the sent-by is trimmed below anyway).
        let rest = rest.trim_start_matches([' ', '\t']);
        let (sent_by, params) = split_at_byte(rest, b';').unwrap_or((rest, ""));
        let (host, port) = split_host_port(sent_by).ok_or("bad sent-by")?;
        let host = host.ok_or("missing sent-by host")?;
        let mut via = Via {
            raw,
            transport: protocol,
            host,
            port,
            branch: None,
            rport: Rport::Absent,
            received: None,
            params,
        };
        for Param { name, value, .. } in params::iter(params) {
            match name.len() {
                6 if name.eq_ignore_ascii_case("branch") => via.branch = value.filter(|v| !v.is_empty()),
                5 if name.eq_ignore_ascii_case("rport") => {
                    via.rport = match value {
                        None | Some("") => Rport::Requested,
                        Some(v) => Rport::Filled(v.parse().map_err(|_| "bad rport")?),
                    };
                }
                8 if name.eq_ignore_ascii_case("received") => via.received = value,
                _ => {}
            }
        }
        Ok(via)
    }
}

/// Splits `SIP / 2.0 / UDP rest` into the transport and the rest.
fn split_protocol(text: &str) -> Option<(&str, &str)> {
    // The usual `SIP/2.0/UDP ` without spaces inside.
    let bytes = text.as_bytes();
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
    fn broken_vias() {
        assert!(Via::parse("SIP/2.0 172.18.32.197").is_err());
        assert!(Via::parse("SIP/2.0/UDP").is_err());
        assert!(Via::parse("SIP/2.0/UDP host:port").is_err());
        assert!(Via::parse("SIP/2.0/UDP host;rport=x").is_err());
    }
}
