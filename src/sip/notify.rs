//! The NOTIFY that hands the phone its provisioning URL, sent inside the dialog the
//! SUBSCRIBE and our 200 OK created (RFC 6665 §4.2.2, RFC 3261 §12.2.1.1).

use std::borrow::Cow;

use super::event::Event;
use super::response::Dialog;
use super::subscribe::Subscribe;
use super::writer::{Clean, MessageWriter, WriteError};

/// What the NOTIFY needs besides the SUBSCRIBE.
pub struct NotifyParams<'a> {
    /// The SUBSCRIBE's From, To and Call-ID ([`Dialog::of`]).
    pub dialog: &'a Dialog<'a>,
    /// Request-URI: the subscriber's Contact.
    pub target: &'a str,
    /// Transport for our Via (`UDP`, `TCP`, …).
    pub transport: &'a str,
    /// Our `host:port` for Via and Contact.
    pub local: Clean<'a>,
    /// Fresh branch, starting with the RFC 3261 magic cookie `z9hG4bK`.
    pub branch: Clean<'a>,
    /// The tag we put on the 200 OK's To; the NOTIFY's From carries it.
    pub local_tag: Clean<'a>,
    pub cseq: u32,
    pub user_agent: Option<Clean<'a>>,
    /// The body: the provisioning URL.
    pub url: &'a str,
}

/// Builds the NOTIFY bytes, into one buffer sized for the message.
pub fn build_notify(sub: &Subscribe<'_>, p: &NotifyParams<'_>) -> Result<Vec<u8>, WriteError> {
    let capacity = 320
        + p.target.len()
        + 2 * p.transport.len()
        + 2 * p.local.as_str().len()
        + p.branch.as_str().len()
        + sub.to.raw.len()
        + p.local_tag.as_str().len()
        + sub.from.raw.len()
        + sub.call_id.len()
        + p.user_agent.map_or(0, |ua| ua.as_str().len() + 14)
        + p.url.len();
    let mut w = MessageWriter::request_with_capacity("NOTIFY", p.target, capacity)?;
    // Each run of constant text between two values is written in one piece; a refused value
    // drops the whole message.
    w.fixed_lines("Via: SIP/2.0/");
    w.value("Via", p.transport)?;
    w.fixed(" ");
    w.clean(p.local);
    w.fixed(";branch=");
    w.clean(p.branch);
    w.fixed_lines(";rport\r\nMax-Forwards: 70\r\nFrom: ");
    w.tagged_value("From", &p.dialog.to, p.dialog.to_tagged, p.local_tag)?;
    w.fixed_lines("\r\nTo: ");
    w.copied("To", &p.dialog.from)?;
    w.fixed_lines("\r\nCall-ID: ");
    w.copied("Call-ID", &p.dialog.call_id)?;
    w.fixed_lines("\r\nCSeq: ");
    w.decimal(u64::from(p.cseq));
    // The transport was checked for the Via already; the local address is known clean.
    w.fixed_lines(" NOTIFY\r\nContact: <sip:");
    w.clean(p.local);
    if !p.transport.eq_ignore_ascii_case("UDP") {
        w.fixed(";transport=");
        w.lower_case_value("Contact", p.transport)?;
    }
    // RFC 6665 §8.2.1: the NOTIFY's Event matches the SUBSCRIBE's package and `id`.
    w.fixed_lines(">\r\nEvent: ua-profile");
    if let Some(id) = event_id(&sub.event) {
        w.fixed(";id=");
        w.value("Event", &id)?;
    }
    w.fixed_lines("\r\nSubscription-State: terminated;reason=timeout\r\nContent-Type: application/url\r\n");
    if let Some(ua) = p.user_agent {
        w.begin_header("User-Agent");
        w.clean(ua);
        w.end_header();
    }
    if has_control(p.url.as_bytes()) {
        return Err(WriteError { field: "body URL" });
    }
    Ok(w.finish(p.url.as_bytes()))
}

/// Whether `bytes` holds an ASCII control character. One pass without early exit, which the
/// compiler turns into a vector loop.
fn has_control(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |found, &b| found | b.is_ascii_control())
}

/// The SUBSCRIBE's Event `id` parameter, as [`Event::param`] gives it. Most phones send
/// none, and a parameter list without the letters `id` (in any case) side by side cannot hold
/// one: that is checked first ([`holds_id_letters`]) instead of parsing the whole list.
fn event_id<'a>(event: &Event<'a>) -> Option<Cow<'a, str>> {
    if holds_id_letters(event.params.as_bytes()) {
        event.param("id")
    } else {
        None
    }
}

/// Whether `text` holds `i` then `d` (in any case) side by side. Looked at in windows of
/// seventeen bytes (sixteen pairs), each sharing its last byte with the next one and the last
/// window overlapping the end: a fixed-size window is one vector step, where a loop over the
/// whole text left most pairs to a scalar tail.
fn holds_id_letters(text: &[u8]) -> bool {
    const PAIRS: usize = 16;
    let window = |w: &[u8; PAIRS + 1]| {
        let mut hits = 0u8;
        for i in 0..PAIRS {
            hits |= u8::from(w[i] | 0x20 == b'i') & u8::from(w[i + 1] | 0x20 == b'd');
        }
        hits != 0
    };
    let Some(last) = text.last_chunk::<{ PAIRS + 1 }>() else {
        return text.windows(2).any(|w| w[0] | 0x20 == b'i' && w[1] | 0x20 == b'd');
    };
    let mut found = window(last);
    let mut at = 0;
    while at + PAIRS < text.len() && !found {
        found = window(text[at..at + PAIRS + 1].try_into().expect("a window"));
        at += PAIRS;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &[u8] = b"SUBSCRIBE sip:MAC%3a000413874b49@lan SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.168.12.155:1053;rport\r\n\
From: <sip:MAC%3a000413874b49@lan>;tag=658512961\r\n\
To: <sip:MAC%3a000413874b49@lan>\r\n\
Call-ID: 1930770594@192.168.12.155\r\n\
CSeq: 1 SUBSCRIBE\r\n\
Event: ua-profile;profile-type=\"device\";id=7\r\n\
Contact: <sip:192.168.12.155:1053>\r\n\r\n";

    fn params<'a>(url: &'a str, dialog: &'a Dialog<'a>) -> NotifyParams<'a> {
        NotifyParams {
            dialog,
            target: "sip:192.168.12.155:1053",
            transport: "UDP",
            local: Clean::known("192.0.2.10:5060"),
            branch: Clean::known("z9hG4bKabc"),
            local_tag: Clean::known("ourtag"),
            cseq: 1,
            user_agent: None,
            url,
        }
    }

    #[test]
    fn dialog_headers_and_event_id() {
        let sub = Subscribe::parse(SUB).unwrap();
        let bytes = build_notify(&sub, &params("http://x/{mac}", &Dialog::of(&sub))).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("NOTIFY sip:192.168.12.155:1053 SIP/2.0\r\n"));
        assert!(text.contains("\r\nFrom: <sip:MAC%3a000413874b49@lan>;tag=ourtag\r\n"));
        assert!(text.contains("\r\nTo: <sip:MAC%3a000413874b49@lan>;tag=658512961\r\n"));
        assert!(text.contains("\r\nEvent: ua-profile;id=7\r\n"));
        assert!(text.contains("\r\nContact: <sip:192.0.2.10:5060>\r\n"));
        assert!(text.ends_with("\r\nContent-Length: 14\r\n\r\nhttp://x/{mac}"));
    }

    #[test]
    fn the_event_id_is_found_wherever_it_is() {
        for (params, id) in [
            (";profile-type=\"device\";id=7", Some("7")),
            (";ID = \"7\" ;vendor=x", Some("7")),
            (";Id=7", Some("7")),
            (";iD", None),
            (";vendor=\"x;id=5\"", None),
            (
                ";profile-type=\"device\";vendor=\"Grandstream\";model=\"GXP2110\"",
                None,
            ),
            (";idx=1;xid=2", None),
            ("", None),
            (";i", None),
            (";xi;iI;Di;dI", None),
            (";xi;iI;Di;dI;iD=3", Some("3")),
        ] {
            let event = Event::parse(&format!("ua-profile{params}")).params.to_owned();
            let event = Event {
                package: "ua-profile",
                params: &event,
            };
            assert_eq!(event_id(&event).as_deref(), id, "{params}");
            let pairs = params.as_bytes().windows(2);
            let has_letters = pairs.clone().any(|w| w[0] | 0x20 == b'i' && w[1] | 0x20 == b'd');
            assert!(id.is_none() || has_letters, "{params}");
            assert_eq!(event_id(&event), event.param("id"), "{params}");
        }
    }

    #[test]
    fn the_id_letters_are_found_at_every_place() {
        for len in 0..60 {
            for at in 0..len {
                for (first, second) in [(b'i', b'd'), (b'I', b'D'), (b'i', b'x'), (b'x', b'd'), (b'I', b'd')] {
                    let mut text = vec![b'a'; len];
                    text[at] = first;
                    if let Some(next) = text.get_mut(at + 1) {
                        *next = second;
                    }
                    let expected = text.windows(2).any(|w| w[0] | 0x20 == b'i' && w[1] | 0x20 == b'd');
                    assert_eq!(holds_id_letters(&text), expected, "{len} {at} {first} {second}");
                }
            }
        }
    }

    #[test]
    fn control_characters_in_the_url_are_refused() {
        let sub = Subscribe::parse(SUB).unwrap();
        assert_eq!(
            build_notify(&sub, &params("http://x/\r\n", &Dialog::of(&sub))),
            Err(WriteError { field: "body URL" })
        );
    }
}
