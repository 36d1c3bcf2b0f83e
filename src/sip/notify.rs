//! The NOTIFY that hands the phone its provisioning URL, sent inside the dialog the
//! SUBSCRIBE and our 200 OK created (RFC 6665 §4.2.2, RFC 3261 §12.2.1.1).

use super::scan::unfold;
use super::subscribe::Subscribe;
use super::writer::{MessageWriter, WriteError, push_decimal};

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
    w.header_with("Via", |buf| {
        for part in ["SIP/2.0/", p.transport, " ", p.local, ";branch=", p.branch, ";rport"] {
            buf.extend_from_slice(part.as_bytes());
        }
    })?;
    w.header("Max-Forwards", "70")?;
    let our_uri = unfold(sub.to.raw);
    match sub.to.tag {
        Some(_) => w.header("From", &our_uri)?,
        None => w.header_with("From", |buf| {
            for part in [&our_uri, ";tag=", p.local_tag] {
                buf.extend_from_slice(part.as_bytes());
            }
        })?,
    };
    w.header("To", &unfold(sub.from.raw))?;
    w.header("Call-ID", &unfold(sub.call_id))?;
    w.header_with("CSeq", |buf| {
        push_decimal(buf, u64::from(p.cseq));
        buf.extend_from_slice(b" NOTIFY");
    })?;
    w.header_with("Contact", |buf| {
        buf.extend_from_slice(b"<sip:");
        buf.extend_from_slice(p.local.as_bytes());
        if !p.transport.eq_ignore_ascii_case("UDP") {
            buf.extend_from_slice(b";transport=");
            buf.extend(p.transport.bytes().map(|b| b.to_ascii_lowercase()));
        }
        buf.push(b'>');
    })?;
    // RFC 6665 §8.2.1: the NOTIFY's Event matches the SUBSCRIBE's package and `id`.
    match sub.event.param("id") {
        Some(id) => w.header_with("Event", |buf| {
            buf.extend_from_slice(b"ua-profile;id=");
            buf.extend_from_slice(id.as_bytes());
        })?,
        None => w.header("Event", "ua-profile")?,
    };
    w.header("Subscription-State", "terminated;reason=timeout")?;
    w.header("Content-Type", "application/url")?;
    if let Some(ua) = p.user_agent {
        w.header("User-Agent", ua)?;
    }
    if p.url.bytes().any(|b| b.is_ascii_control()) {
        return Err(WriteError { field: "body URL" });
    }
    Ok(w.finish(p.url.as_bytes()))
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
    fn control_characters_in_the_url_are_refused() {
        let sub = Subscribe::parse(SUB).unwrap();
        assert_eq!(
            build_notify(&sub, &params("http://x/\r\n")),
            Err(WriteError { field: "body URL" })
        );
    }
}
