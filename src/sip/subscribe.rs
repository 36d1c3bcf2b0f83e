//! A ua-profile SUBSCRIBE, parsed from one datagram without copying.

use super::addr::NameAddr;
use super::error::{ParseError, Snippet};
use super::event::Event;
use super::params::TrimFast;
use super::params::{eq_fold, leading_decimal, small_decimal, split_outside_quotes};
use super::scan::{self, RawHeader};
use super::uri::Uri;
use super::via::{Via, Vias};

/// `CSeq: 20000 SUBSCRIBE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CSeq<'a> {
    pub seq: u32,
    pub method: &'a str,
}

/// Everything sippnp reads from a SUBSCRIBE. Text fields borrow from the datagram and may
/// contain folded line breaks; use [`super::unfold`] before showing or copying them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscribe<'a> {
    pub method: &'a str,
    pub request_uri: Uri<'a>,
    /// Every Via, topmost first.
    pub vias: Vias<'a>,
    pub from: NameAddr<'a>,
    pub to: NameAddr<'a>,
    pub call_id: &'a str,
    pub cseq: CSeq<'a>,
    pub contact: Option<NameAddr<'a>>,
    pub expires: Option<u32>,
    pub max_forwards: Option<u32>,
    pub event: Event<'a>,
    pub accept: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The body, cut to Content-Length.
    pub body: &'a [u8],
}

/// Which header a name (long or compact, any case) stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    Via,
    From,
    To,
    CallId,
    CSeq,
    Contact,
    Expires,
    MaxForwards,
    Event,
    Accept,
    UserAgent,
    ContentLength,
}

fn classify(name: &[u8]) -> Option<Known> {
    // By length first, then one case-insensitive comparison of a known length.
    let fold = |c: u8| c.to_ascii_lowercase();
    match name.len() {
        1 => match fold(name[0]) {
            b'v' => Some(Known::Via),
            b'f' => Some(Known::From),
            b't' => Some(Known::To),
            b'i' => Some(Known::CallId),
            b'm' => Some(Known::Contact),
            b'o' => Some(Known::Event),
            b'l' => Some(Known::ContentLength),
            _ => None,
        },
        2 => is(name, b"to", Known::To),
        3 => is(name, b"via", Known::Via),
        4 if fold(name[0]) == b'f' => is(name, b"from", Known::From),
        4 => is(name, b"cseq", Known::CSeq),
        5 => is(name, b"event", Known::Event),
        6 => is(name, b"accept", Known::Accept),
        7 if fold(name[0]) == b'c' && fold(name[1]) == b'a' => is(name, b"call-id", Known::CallId),
        7 if fold(name[0]) == b'c' => is(name, b"contact", Known::Contact),
        7 => is(name, b"expires", Known::Expires),
        10 => is(name, b"user-agent", Known::UserAgent),
        12 => is(name, b"max-forwards", Known::MaxForwards),
        14 => is(name, b"content-length", Known::ContentLength),
        _ => None,
    }
}

/// `known` when `name` is `lower` in any case (the callers match on the length first).
#[inline(always)]
fn is<const N: usize>(name: &[u8], lower: &[u8; N], known: Known) -> Option<Known> {
    eq_fold(name, lower).then_some(known)
}

impl<'a> Subscribe<'a> {
    /// Parses a ua-profile SUBSCRIBE from one datagram, in one pass: each header is read
    /// when the scan reaches it, and the first problem in the message is the one reported.
    pub fn parse(datagram: &'a [u8]) -> Result<Subscribe<'a>, ParseError> {
        let (start_line, mut headers) = scan::start(datagram)?;
        let (method, request_uri) = parse_request_line(start_line)?;
        if method != "SUBSCRIBE" {
            return Err(ParseError::NotSubscribe {
                method: Snippet::new(method.as_bytes()),
            });
        }

        let mut vias = Vias::default();
        let mut from = None;
        let mut to = None;
        let mut call_id = None;
        let mut cseq = None;
        let mut contact = None;
        let mut expires = None;
        let mut max_forwards = None;
        let mut event: Option<(Event<'a>, RawHeader<'a>)> = None;
        let mut accept = None;
        let mut user_agent = None;
        let mut content_length = None;

        loop {
            // The two steps of `Iterator::next`, apart: the common header stays in registers.
            let header = match headers.next_common() {
                Ok(header) => header,
                Err(lf) => match headers.next_any(lf)? {
                    Some(header) => header,
                    None => break,
                },
            };
            let header = &header;
            let Some(known) = classify(header.name) else { continue };
            let text = header.text()?;
            match known {
                Known::Via => {
                    for entry in split_outside_quotes(text, b',') {
                        vias.push(Via::parse(entry).map_err(|r| header.malformed(r))?);
                    }
                }
                // Each value is parsed straight into its slot; the first occurrence counts.
                Known::From if from.is_none() => {
                    from = Some(NameAddr::parse_seen(text, Some(&request_uri)).map_err(|r| header.malformed(r))?);
                }
                Known::To if to.is_none() => {
                    to = Some(NameAddr::parse_seen(text, Some(&request_uri)).map_err(|r| header.malformed(r))?);
                }
                Known::Contact if contact.is_none() => {
                    let first = split_outside_quotes(text, b',').next().unwrap_or(text);
                    contact = Some(NameAddr::parse(first).map_err(|r| header.malformed(r))?);
                }
                Known::CallId if call_id.is_none() => call_id = Some(non_empty(header, text)?),
                Known::CSeq if cseq.is_none() => cseq = Some(parse_cseq(header, text)?),
                Known::Expires if expires.is_none() => expires = Some(number(header, text)?),
                Known::MaxForwards if max_forwards.is_none() => max_forwards = Some(number(header, text)?),
                Known::ContentLength if content_length.is_none() => content_length = Some(number(header, text)?),
                Known::Event if event.is_none() => event = Some((Event::parse(text), *header)),
                Known::Accept if accept.is_none() => accept = Some(text),
                Known::UserAgent if user_agent.is_none() => user_agent = Some(text),
                // Later copies of a single-valued header are ignored.
                _ => {}
            }
        }

        let Some((event, event_header)) = event else {
            return Err(ParseError::NotUaProfile { event: None });
        };
        if !event.is_ua_profile() {
            return Err(ParseError::NotUaProfile {
                event: Some(Snippet::new(event_header.value)),
            });
        }
        if vias.is_empty() {
            return Err(ParseError::MissingHeader { name: "Via" });
        }
        let scanned_body = headers.body();
        let body = match content_length {
            Some(len) if len > scanned_body.len() => {
                return Err(ParseError::Truncated {
                    reason: "body shorter than Content-Length",
                });
            }
            // Over UDP, bytes past Content-Length are discarded (RFC 3261 §18.3).
            Some(len) => &scanned_body[..len],
            None => scanned_body,
        };
        Ok(Subscribe {
            method,
            request_uri,
            vias,
            from: from.ok_or_else(|| missing("From"))?,
            to: to.ok_or_else(|| missing("To"))?,
            call_id: call_id.ok_or_else(|| missing("Call-ID"))?,
            cseq: cseq.ok_or_else(|| missing("CSeq"))?,
            contact,
            expires,
            max_forwards,
            event,
            accept,
            user_agent,
            body,
        })
    }
}

fn missing(name: &'static str) -> ParseError {
    ParseError::MissingHeader { name }
}

fn non_empty<'a>(header: &RawHeader<'a>, text: &'a str) -> Result<&'a str, ParseError> {
    if text.is_empty() {
        Err(header.malformed("empty value"))
    } else {
        Ok(text)
    }
}

/// A header's number. The usual plain digits are read where the header is handled; anything
/// else (whitespace, signs, overflow, errors) by [`number_parsed`].
#[inline(always)]
fn number<T: std::str::FromStr + TryFrom<u32>>(header: &RawHeader<'_>, text: &str) -> Result<T, ParseError> {
    match small_decimal(text).and_then(|n| T::try_from(n).ok()) {
        Some(n) => Ok(n),
        None => number_parsed(header, text),
    }
}

/// [`number`] of any text: trimmed, then as `str::parse` reads it.
#[inline(never)]
fn number_parsed<T: std::str::FromStr + TryFrom<u32>>(header: &RawHeader<'_>, text: &str) -> Result<T, ParseError> {
    let text = text.trim_fast();
    if let Some(n) = small_decimal(text).and_then(|n| T::try_from(n).ok()) {
        return Ok(n);
    }
    text.parse().map_err(|_| header.malformed("not a number"))
}

/// `CSeq: 20000 SUBSCRIBE`. The usual one to nine digits and ` SUBSCRIBE` are read where the
/// header is handled; anything else by [`parse_cseq_general`].
#[inline(always)]
fn parse_cseq<'a>(header: &RawHeader<'a>, text: &'a str) -> Result<CSeq<'a>, ParseError> {
    if let Some(seq) = text.strip_suffix(" SUBSCRIBE").and_then(small_decimal) {
        return Ok(CSeq {
            seq,
            method: "SUBSCRIBE",
        });
    }
    parse_cseq_general(header, text)
}

/// [`parse_cseq`] of any text.
#[inline(never)]
fn parse_cseq_general<'a>(header: &RawHeader<'a>, text: &'a str) -> Result<CSeq<'a>, ParseError> {
    // One to nine digits, one space, letters.
    let bytes = text.as_bytes();
    let (seq, digits) = leading_decimal(bytes);
    if digits > 0 && bytes.get(digits) == Some(&b' ') {
        let method = &text[digits + 1..];
        if !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Ok(CSeq { seq, method });
        }
    }
    let mut parts = text.split_whitespace();
    let seq = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| header.malformed("bad sequence number"))?;
    let method = parts.next().ok_or_else(|| header.malformed("missing method"))?;
    Ok(CSeq { seq, method })
}

/// `METHOD SP Request-URI SP SIP/2.0` (runs of spaces or tabs tolerated).
fn parse_request_line(line: &[u8]) -> Result<(&str, Uri<'_>), ParseError> {
    // The usual `SUBSCRIBE uri SIP/2.0`, single spaces, URI without whitespace.
    if let Some(uri) = line
        .strip_prefix(b"SUBSCRIBE ")
        .and_then(|rest| rest.strip_suffix(b" SIP/2.0"))
        .filter(|uri| !uri.is_empty() && !scan::contains_any(uri, *b" \t\n\x0c\r"))
    {
        let uri = match crate::swar::ascii_str(uri) {
            Some(uri) => uri,
            None => std::str::from_utf8(uri).map_err(|_| ParseError::NotSip)?,
        };
        let uri = Uri::parse(uri).ok_or(ParseError::MalformedRequestLine {
            reason: "bad Request-URI",
        })?;
        return Ok(("SUBSCRIBE", uri));
    }
    let line = std::str::from_utf8(line).map_err(|_| ParseError::NotSip)?;
    let mut parts = line.split_ascii_whitespace();
    let (Some(first), Some(second)) = (parts.next(), parts.next()) else {
        return Err(ParseError::NotSip);
    };
    if first.eq_ignore_ascii_case("SIP/2.0") {
        return Err(ParseError::NotRequest);
    }
    let version = parts.next().ok_or(ParseError::NotSip)?;
    if !version.eq_ignore_ascii_case("SIP/2.0") || parts.next().is_some() {
        return Err(ParseError::NotSip);
    }
    if !first.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ParseError::NotSip);
    }
    let uri = Uri::parse(second).ok_or(ParseError::MalformedRequestLine {
        reason: "bad Request-URI",
    })?;
    // Method names are case-sensitive, but a lower-case `subscribe` is still understood.
    let method = if first.eq_ignore_ascii_case("SUBSCRIBE") {
        "SUBSCRIBE"
    } else {
        first
    };
    Ok((method, uri))
}

#[cfg(test)]
mod helper_tests {
    use super::*;

    /// A header to report errors against.
    fn header() -> RawHeader<'static> {
        let (_, mut headers) = scan::start(b"SUBSCRIBE sip:a SIP/2.0\r\nCSeq: 1\r\n\r\n").unwrap();
        headers.next().unwrap().unwrap()
    }

    #[test]
    fn usual_numbers_read_as_the_general_reading_reads_them() {
        let header = header();
        for text in [
            "20000 SUBSCRIBE",
            "1 SUBSCRIBE",
            "123456789 SUBSCRIBE",
            "1234567890 SUBSCRIBE",
            "4294967295 SUBSCRIBE",
            "4294967296 SUBSCRIBE",
            " SUBSCRIBE",
            "SUBSCRIBE",
            "20000  SUBSCRIBE",
            "20000 SUBSCRIBE ",
            "x SUBSCRIBE",
            "+5 SUBSCRIBE",
            "-1 SUBSCRIBE",
            "20000 subscribe",
            "20000 NOTIFY",
            "0",
            "70",
            "007",
            "",
            " 7",
            "7 ",
            "123456789",
            "4294967295",
            "4294967296",
            "99999999999",
            "+1",
            "-1",
            "1\u{e9}",
        ] {
            assert_eq!(parse_cseq(&header, text), parse_cseq_general(&header, text), "{text:?}");
            assert_eq!(
                number::<u32>(&header, text),
                number_parsed::<u32>(&header, text),
                "{text:?}"
            );
            assert_eq!(
                number::<u8>(&header, text),
                number_parsed::<u8>(&header, text),
                "{text:?}"
            );
            assert_eq!(
                number::<usize>(&header, text),
                number_parsed::<usize>(&header, text),
                "{text:?}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::via::Rport;

    /// The SUBSCRIBE printed in the Grandstream GXP21xx PnP guide (seed 000).
    const GXP2110: &str = include_str!("../../tests/fixtures/seeds/gxp2110.sip");

    #[test]
    fn grandstream_sample() {
        let s = Subscribe::parse(GXP2110.as_bytes()).unwrap();
        assert_eq!(s.request_uri.user, Some("MAC%3A000B82273B89"));
        assert_eq!(s.vias.len(), 1);
        assert_eq!(s.vias[0].rport, Rport::Requested);
        assert_eq!(s.from.tag, Some("1692014507"));
        assert_eq!(s.to.tag, None);
        assert_eq!(s.call_id, "1278367207-5060-1@BHC.BI.DC.BJH");
        assert_eq!(
            s.cseq,
            CSeq {
                seq: 20000,
                method: "SUBSCRIBE"
            }
        );
        assert_eq!(s.contact.unwrap().uri.port, Some(5060));
        assert_eq!((s.expires, s.max_forwards), (Some(0), Some(70)));
        assert_eq!(s.event.model().unwrap(), "GXP2110");
        assert_eq!(s.accept, Some("application/url"));
        assert_eq!(s.user_agent, Some("Grandstream GXP2110 1.0.1.108"));
    }

    fn replace(from: &str, to: &str) -> String {
        GXP2110.replacen(from, to, 1)
    }

    #[test]
    fn classification_errors() {
        let err = |m: String| Subscribe::parse(m.as_bytes()).unwrap_err();
        assert!(matches!(
            err(replace("SUBSCRIBE sip", "INVITE sip")),
            ParseError::NotSubscribe { .. }
        ));
        // One pass: the first problem in the message is the one reported, so another method
        // is told as such even when a later header is broken.
        assert!(matches!(
            err(replace("SUBSCRIBE sip", "NOTIFY sip").replace("CSeq: 20000", "CSeq: many")),
            ParseError::NotSubscribe { .. }
        ));
        assert_eq!(
            err(replace(">;tag=", ";tag=").replace("CSeq: 20000", "CSeq: many")).to_string(),
            "malformed header 2 (From): missing '>'"
        );
        assert_eq!(
            err(replace(
                "SUBSCRIBE sip:MAC%3A000B82273B89@224.0.1.75 SIP/2.0",
                "SIP/2.0 200 OK"
            )),
            ParseError::NotRequest
        );
        assert_eq!(err("GET / HTTP/1.1\r\n\r\n".into()), ParseError::NotSip);
        assert!(matches!(
            err(replace("Event: ua-profile", "Event: presence")),
            ParseError::NotUaProfile { event: Some(_) }
        ));
        assert_eq!(
            err(replace("Call-ID", "X-Call-ID")),
            ParseError::MissingHeader { name: "Call-ID" }
        );
        assert_eq!(
            err(replace("CSeq: 20000", "CSeq: many")).to_string(),
            "malformed header 5 (CSeq): bad sequence number"
        );
        assert!(matches!(
            err(replace("Content-Length: 0", "Content-Length: 10")),
            ParseError::Truncated { .. }
        ));
    }

    #[test]
    fn known_names_compare_as_eq_ignore_ascii_case() {
        let names: [&[u8]; 9] = [
            b"Call-ID",
            b"CALL-ID",
            b"call\x0did",
            b"Call_ID",
            b"cALL-iD",
            b"Call-I\xc4",
            b"Contact",
            b"CONTACT",
            b"Cont-ct",
        ];
        for name in names {
            assert_eq!(
                is(name, b"call-id", Known::CallId).is_some(),
                name.eq_ignore_ascii_case(b"call-id"),
                "{name:?}"
            );
            assert_eq!(
                classify(name) == Some(Known::Contact),
                name.eq_ignore_ascii_case(b"contact"),
                "{name:?}"
            );
        }
        for a in 0..=255u8 {
            for b in (b'a'..=b'z').chain([b'-', b'0', b'@', b'\r']) {
                assert_eq!(
                    is(&[a], &[b], Known::To).is_some(),
                    [a].eq_ignore_ascii_case(&[b]),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn compact_and_lowercase_names() {
        let compact = GXP2110
            .replace("Via:", "v:")
            .replace("From:", "f:")
            .replace("To:", "t:")
            .replace("Call-ID:", "i:")
            .replace("Contact:", "m:")
            .replace("Event:", "o:")
            .replace("Content-Length:", "l:")
            .replace("CSeq:", "cseq:");
        let s = Subscribe::parse(compact.as_bytes()).unwrap();
        assert_eq!(s.call_id, "1278367207-5060-1@BHC.BI.DC.BJH");
        assert_eq!(s.event.vendor().unwrap(), "Grandstream");
        assert_eq!(s.cseq.seq, 20000);
    }

    #[test]
    fn several_vias_and_body_cut_to_content_length() {
        let m = replace("Content-Length: 0\r\n\r\n", "Content-Length: 3\r\n\r\nabcdef")
            .replace("Via: SIP/2.0/UDP 172.18.32.197:5060;branch=z9hG4bK458721093;rport",
                "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa, SIP/2.0/TCP 10.0.0.2:5070;branch=z9hG4bKb\r\nVia: SIP/2.0/UDP 10.0.0.3");
        let s = Subscribe::parse(m.as_bytes()).unwrap();
        assert_eq!(
            s.vias.iter().map(|v| v.host).collect::<Vec<_>>(),
            ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
        );
        assert_eq!(s.body, b"abc");
    }
}
