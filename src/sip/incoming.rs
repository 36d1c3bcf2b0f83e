//! The transaction identity of any SIP message: status code (for responses) or method, the
//! topmost Via branch, Call-ID, CSeq, and the From/To tags. Enough to match a response to
//! the client transaction that sent the request (RFC 3261 §17.1.3), built on the tolerant
//! scanner ([`super::scan`]): folded headers, compact names and LF-only line ends are read
//! as in a SUBSCRIBE.

use std::borrow::Cow;

use super::addr::NameAddr;
use super::error::ParseError;
use super::params::split_outside_quotes;
use super::scan::{self, RawHeader, unfold};
use super::via::Via;

/// A request or a response, by its start line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `METHOD uri SIP/2.0`.
    Request { method: &'a str },
    /// `SIP/2.0 code reason`.
    Response { status: u16 },
}

/// What identifies the transaction a message belongs to. Text borrows from the datagram;
/// `call_id` is unfolded (owned only when the header was folded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incoming<'a> {
    pub start: StartLine<'a>,
    /// The branch of the topmost Via, if it has one.
    pub branch: Option<&'a str>,
    pub call_id: Cow<'a, str>,
    pub cseq: u32,
    /// The CSeq method (`NOTIFY` in a response to our NOTIFY).
    pub cseq_method: &'a str,
    pub from_tag: Option<&'a str>,
    pub to_tag: Option<&'a str>,
}

impl<'a> Incoming<'a> {
    /// Reads the identity of one message. Fails when Via, Call-ID or CSeq is missing or
    /// broken, or the start line is neither a request line nor a status line with a code
    /// from 100 to 699.
    pub fn parse(datagram: &'a [u8]) -> Result<Incoming<'a>, ParseError> {
        let (start_line, headers) = scan::start(datagram)?;
        let start = parse_start_line(start_line)?;
        let mut branch = None;
        let mut have_via = false;
        let mut call_id = None;
        let mut cseq = None;
        let mut from_tag = None;
        let mut to_tag = None;
        for header in headers {
            let header = &header?;
            let Some(known) = classify(header.name) else { continue };
            let text = header.text()?;
            match known {
                Known::Via if !have_via => {
                    let top = split_outside_quotes(text, b',').next().unwrap_or(text);
                    branch = Via::parse(top).map_err(|r| header.malformed(r))?.branch;
                    have_via = true;
                }
                Known::Via => {}
                Known::CallId if call_id.is_none() => {
                    if text.trim().is_empty() {
                        return Err(header.malformed("empty value"));
                    }
                    call_id = Some(unfold(text.trim()));
                }
                Known::CSeq if cseq.is_none() => cseq = Some(parse_cseq(header, text)?),
                Known::From if from_tag.is_none() => from_tag = Some(tag_of(header, text)?),
                Known::To if to_tag.is_none() => to_tag = Some(tag_of(header, text)?),
                _ => {}
            }
        }
        if !have_via {
            return Err(ParseError::MissingHeader { name: "Via" });
        }
        let (seq, method) = cseq.ok_or(ParseError::MissingHeader { name: "CSeq" })?;
        Ok(Incoming {
            start,
            branch,
            call_id: call_id.ok_or(ParseError::MissingHeader { name: "Call-ID" })?,
            cseq: seq,
            cseq_method: method,
            from_tag: from_tag.flatten(),
            to_tag: to_tag.flatten(),
        })
    }

    /// The status code of a response; `None` for a request.
    pub fn status(&self) -> Option<u16> {
        match self.start {
            StartLine::Response { status } => Some(status),
            StartLine::Request { .. } => None,
        }
    }
}

/// Whether `datagram` starts (after keep-alive CR/LFs) with a SIP status line, cheaply,
/// without parsing it.
pub fn looks_like_response(datagram: &[u8]) -> bool {
    let start = datagram
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(datagram.len());
    let rest = &datagram[start..];
    rest.len() > 8 && rest[..8].eq_ignore_ascii_case(b"SIP/2.0 ")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    Via,
    From,
    To,
    CallId,
    CSeq,
}

fn classify(name: &[u8]) -> Option<Known> {
    const TABLE: &[(&[u8], &[u8], Known)] = &[
        (b"via", b"v", Known::Via),
        (b"from", b"f", Known::From),
        (b"to", b"t", Known::To),
        (b"call-id", b"i", Known::CallId),
        (b"cseq", b"", Known::CSeq),
    ];
    TABLE.iter().find_map(|&(long, short, known)| {
        let hit = name.eq_ignore_ascii_case(long) || (!short.is_empty() && name.eq_ignore_ascii_case(short));
        hit.then_some(known)
    })
}

fn parse_start_line(line: &[u8]) -> Result<StartLine<'_>, ParseError> {
    let text = std::str::from_utf8(line).map_err(|_| ParseError::NotSip)?;
    let mut parts = text.split_ascii_whitespace();
    let first = parts.next().ok_or(ParseError::NotSip)?;
    if first.eq_ignore_ascii_case("SIP/2.0") {
        let code = parts.next().ok_or(ParseError::MalformedRequestLine {
            reason: "status line without a code",
        })?;
        let status = code
            .parse::<u16>()
            .ok()
            .filter(|s| (100..=699).contains(s) && code.len() == 3)
            .ok_or(ParseError::MalformedRequestLine {
                reason: "status code is not 100..699",
            })?;
        return Ok(StartLine::Response { status });
    }
    if !first.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ParseError::NotSip);
    }
    Ok(StartLine::Request { method: first })
}

fn parse_cseq<'a>(header: &RawHeader<'a>, text: &'a str) -> Result<(u32, &'a str), ParseError> {
    let mut parts = text.split_whitespace();
    let seq = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| header.malformed("bad sequence number"))?;
    let method = parts.next().ok_or_else(|| header.malformed("missing method"))?;
    if parts.next().is_some() {
        return Err(header.malformed("text after the method"));
    }
    Ok((seq, method))
}

fn tag_of<'a>(header: &RawHeader<'a>, text: &'a str) -> Result<Option<&'a str>, ParseError> {
    NameAddr::parse(text).map(|a| a.tag).map_err(|r| header.malformed(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK_TO_NOTIFY: &[u8] = b"SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc;rport=5060;received=192.0.2.10\r\n\
From: <sip:MAC%3A000B82273B89@224.0.1.75>;tag=ours\r\n\
To: <sip:MAC%3A000B82273B89@224.0.1.75>;tag=1692014507\r\n\
Call-ID: 1278367207-5060-1@BHC.BI.DC.BJH\r\n\
CSeq: 1 NOTIFY\r\n\
Content-Length: 0\r\n\r\n";

    #[test]
    fn a_response_to_our_notify() {
        let m = Incoming::parse(OK_TO_NOTIFY).unwrap();
        assert_eq!(m.status(), Some(200));
        assert_eq!(m.branch, Some("z9hG4bKabc"));
        assert_eq!(m.call_id, "1278367207-5060-1@BHC.BI.DC.BJH");
        assert_eq!((m.cseq, m.cseq_method), (1, "NOTIFY"));
        assert_eq!((m.from_tag, m.to_tag), (Some("ours"), Some("1692014507")));
        assert!(looks_like_response(OK_TO_NOTIFY));
        assert!(looks_like_response(b"\r\n\r\nSIP/2.0 180 Ringing\r\n"));
        assert!(!looks_like_response(b"SUBSCRIBE sip:x SIP/2.0\r\n"));
    }

    #[test]
    fn compact_lf_only_folded_and_several_vias() {
        let msg = b"SIP/2.0 481 Call/Transaction Does Not Exist\n\
v: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKtop, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKlow\n\
v: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKlower\n\
i: abc\n def\n\
cseq: 7  NOTIFY\n\
t: <sip:a@b>\n\n";
        let m = Incoming::parse(msg).unwrap();
        assert_eq!(m.status(), Some(481));
        assert_eq!(m.branch, Some("z9hG4bKtop"));
        assert_eq!(m.call_id, "abc def");
        assert_eq!((m.cseq, m.cseq_method), (7, "NOTIFY"));
        assert_eq!((m.from_tag, m.to_tag), (None, None));
    }

    #[test]
    fn requests_are_read_too() {
        let m = Incoming::parse(b"NOTIFY sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nCall-ID: c\r\nCSeq: 1 NOTIFY\r\n\r\n")
            .unwrap();
        assert_eq!(m.start, StartLine::Request { method: "NOTIFY" });
        assert_eq!((m.status(), m.branch), (None, None));
    }

    #[test]
    fn broken_identity_is_an_error() {
        let err = |m: &[u8]| Incoming::parse(m).unwrap_err();
        let without = |name: &str| {
            let text = String::from_utf8(OK_TO_NOTIFY.to_vec()).unwrap();
            let kept: Vec<&str> = text.split("\r\n").filter(|l| !l.starts_with(name)).collect();
            kept.join("\r\n").into_bytes()
        };
        assert_eq!(err(&without("Via")), ParseError::MissingHeader { name: "Via" });
        assert_eq!(err(&without("Call-ID")), ParseError::MissingHeader { name: "Call-ID" });
        assert_eq!(err(&without("CSeq")), ParseError::MissingHeader { name: "CSeq" });
        let replaced = |from: &str, to: &str| {
            String::from_utf8(OK_TO_NOTIFY.to_vec())
                .unwrap()
                .replacen(from, to, 1)
                .into_bytes()
        };
        assert!(matches!(
            err(&replaced("SIP/2.0 200 OK", "SIP/2.0 2000 OK")),
            ParseError::MalformedRequestLine { .. }
        ));
        assert!(matches!(
            err(&replaced("SIP/2.0 200 OK", "SIP/2.0 099 Odd")),
            ParseError::MalformedRequestLine { .. }
        ));
        assert!(matches!(
            err(&replaced("CSeq: 1 NOTIFY", "CSeq: one NOTIFY")),
            ParseError::MalformedHeader { .. }
        ));
        assert!(matches!(
            err(&replaced("Via: SIP/2.0/UDP", "Via: SIP/3.0/UDP")),
            ParseError::MalformedHeader { .. }
        ));
        assert_eq!(err(b"HTTP/1.1 200 OK\r\n\r\n"), ParseError::NotSip);
    }
}
