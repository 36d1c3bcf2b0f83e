//! The NOTIFY that hands the phone its provisioning URL, sent inside the dialog the
//! SUBSCRIBE and our 200 OK created (RFC 6665 §4.2.2, RFC 3261 §12.2.1.1).

use std::borrow::Cow;

use super::event::Event;
use super::subscribe::Subscribe;
use super::writer::{MessageWriter, WriteError};

/// What the NOTIFY needs besides the SUBSCRIBE.
pub struct NotifyParams<'a> {
    /// Request-URI: the subscriber's Contact.
    pub target: &'a str,
    /// Transport for our Via (`UDP`, `TCP`, …).
    pub transport: &'a str,
    /// Our `host:port` for Via and Contact.
    pub local: &'a str,
    /// Fresh branch, starting with the RFC 3261 magic cookie `z9hG4bK`.
    pub branch: &'a str,
    /// The tag we put on the 200 OK's To; the NOTIFY's From carries it.
    pub local_tag: &'a str,
    pub cseq: u32,
    pub user_agent: Option<&'a str>,
    /// The body: the provisioning URL.
    pub url: &'a str,
}

/// Builds the NOTIFY bytes, into one buffer sized for the message.
pub fn build_notify(sub: &Subscribe<'_>, p: &NotifyParams<'_>) -> Result<Vec<u8>, WriteError> {
    let capacity = 320
        + p.target.len()
        + 2 * p.transport.len()
        + 2 * p.local.len()
        + p.branch.len()
        + sub.to.raw.len()
        + p.local_tag.len()
        + sub.from.raw.len()
        + sub.call_id.len()
        + p.user_agent.map_or(0, |ua| ua.len() + 14)
        + p.url.len();
    let mut w = MessageWriter::request_with_capacity("NOTIFY", p.target, capacity)?;
    // Each run of constant text between two values is written in one piece; a refused value
    // drops the whole message.
    w.fixed_lines("Via: SIP/2.0/");
    w.value("Via", p.transport)?;
    w.fixed(" ");
    w.value("Via", p.local)?;
    w.fixed(";branch=");
    w.value("Via", p.branch)?;
    w.fixed_lines(";rport\r\nMax-Forwards: 70\r\nFrom: ");
    w.tagged_value("From", &sub.to, p.local_tag)?;
    w.fixed_lines("\r\nTo: ");
    w.copied_value("To", sub.from.raw)?;
    w.fixed_lines("\r\nCall-ID: ");
    w.copied_value("Call-ID", sub.call_id)?;
    w.fixed_lines("\r\nCSeq: ");
    w.decimal(u64::from(p.cseq));
    // Transport and local address were checked for the Via already.
    w.fixed_lines(" NOTIFY\r\nContact: <sip:");
    w.value("Contact", p.local)?;
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
        w.header("User-Agent", ua)?;
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
/// one: that is checked in one pass (a vector loop) instead of parsing the whole list.
fn event_id<'a>(event: &Event<'a>) -> Option<Cow<'a, str>> {
    let text = event.params.as_bytes();
    let pairs = text.iter().zip(text.iter().skip(1));
    let has_id = pairs.fold(false, |found, (&a, &b)| {
        found | ((a | 0x20 == b'i') & (b | 0x20 == b'd'))
    });
    if has_id { event.param("id") } else { None }
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

    fn params<'a>(url: &'a str) -> NotifyParams<'a> {
        NotifyParams {
            target: "sip:192.168.12.155:1053",
            transport: "UDP",
            local: "192.0.2.10:5060",
            branch: "z9hG4bKabc",
            local_tag: "ourtag",
            cseq: 1,
            user_agent: None,
            url,
        }
    }

    #[test]
    fn dialog_headers_and_event_id() {
        let sub = Subscribe::parse(SUB).unwrap();
        let bytes = build_notify(&sub, &params("http://x/{mac}")).unwrap();
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
            assert_eq!(event_id(&event), event.param("id"), "{params}");
        }
    }

    #[test]
    fn control_characters_in_the_url_are_refused() {
        let sub = Subscribe::parse(SUB).unwrap();
        assert_eq!(
            build_notify(&sub, &params("http://x/\r\n")),
            Err(WriteError { field: "body URL" })
        );
    }
}
