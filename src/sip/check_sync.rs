//! The `check-sync` NOTIFY that asks a provisioned phone to fetch its config again.
//!
//! It is an unsolicited, out-of-dialog NOTIFY (no SUBSCRIBE came first), as Asterisk's
//! `pjsip send notify` (`Event=>check-sync\;reboot=false`, the snom entry of
//! `pjsip_notify.conf`) and FreeSWITCH's `sofia profile … check_sync` send it:
//!
//! - Request-URI `sip:<mac>@<host>:<port>` (the MAC in lower-case hex as user part: phones
//!   that check the user part at all compare it with their own identity, and PnP phones know
//!   themselves by MAC);
//! - `Event: check-sync;reboot=false` (snom, Yealink, Grandstream, Fanvil and Polycom read
//!   `check-sync`; `reboot=false` asks for a resync without a reboot where supported, and
//!   phones that do not know the parameter ignore it);
//! - `Subscription-State: terminated` because RFC 6665 §8.2.1/§7.2 makes the header
//!   mandatory on every NOTIFY, and there is no subscription to keep alive;
//! - no body (`Content-Length: 0`).
//!
//! Every value goes through [`MessageWriter`], which refuses CR, LF and NUL.

use super::writer::{MessageWriter, WriteError};
use crate::device::Mac;

/// Everything the check-sync NOTIFY carries.
pub struct CheckSyncParams<'a> {
    /// The phone to resync; the Request-URI user part.
    pub mac: Mac,
    /// The phone's `host:port` (IPv6 in brackets).
    pub target: &'a str,
    /// Transport for our Via (`UDP`, `TCP`, …).
    pub transport: &'a str,
    /// Our `host:port` for Via, From and Contact.
    pub local: &'a str,
    /// Fresh branch, starting with the RFC 3261 magic cookie `z9hG4bK`.
    pub branch: &'a str,
    /// Our From-tag.
    pub from_tag: &'a str,
    /// A fresh, globally unique Call-ID.
    pub call_id: &'a str,
    pub cseq: u32,
    /// `reboot=true` asks the phone to reboot after the resync.
    pub reboot: bool,
    pub user_agent: Option<&'a str>,
}

/// Builds the check-sync NOTIFY bytes.
pub fn build_check_sync(p: &CheckSyncParams<'_>) -> Result<Vec<u8>, WriteError> {
    let uri = format!("sip:{}@{}", p.mac.to_lower_hex(), p.target);
    let mut w = MessageWriter::request("NOTIFY", &uri)?;
    w.header(
        "Via",
        &format!("SIP/2.0/{} {};branch={};rport", p.transport, p.local, p.branch),
    )?;
    w.header("Max-Forwards", "70")?;
    w.header("From", &format!("<sip:{}>;tag={}", p.local, p.from_tag))?;
    w.header("To", &format!("<{uri}>"))?;
    w.header("Call-ID", p.call_id)?;
    w.header("CSeq", &format!("{} NOTIFY", p.cseq))?;
    let contact_transport = match p.transport {
        t if t.eq_ignore_ascii_case("UDP") => String::new(),
        t => format!(";transport={}", t.to_ascii_lowercase()),
    };
    w.header("Contact", &format!("<sip:{}{contact_transport}>", p.local))?;
    w.header(
        "Event",
        if p.reboot {
            "check-sync;reboot=true"
        } else {
            "check-sync;reboot=false"
        },
    )?;
    w.header("Subscription-State", "terminated")?;
    if let Some(ua) = p.user_agent {
        w.header("User-Agent", ua)?;
    }
    Ok(w.finish(b""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::incoming::{Incoming, StartLine};
    use crate::sip::scan::scan;

    fn params<'a>() -> CheckSyncParams<'a> {
        CheckSyncParams {
            mac: Mac::parse("000b82273b89").unwrap(),
            target: "[2001:db8::7]:5062",
            transport: "UDP",
            local: "192.0.2.10:5060",
            branch: "z9hG4bKcs1",
            from_tag: "t1",
            call_id: "cs1@192.0.2.10",
            cseq: 1,
            reboot: false,
            user_agent: Some("sippnp-test"),
        }
    }

    #[test]
    fn shape() {
        let bytes = build_check_sync(&params()).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.starts_with("NOTIFY sip:000b82273b89@[2001:db8::7]:5062 SIP/2.0\r\n"),
            "{text}"
        );
        for line in [
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKcs1;rport",
            "From: <sip:192.0.2.10:5060>;tag=t1",
            "To: <sip:000b82273b89@[2001:db8::7]:5062>",
            "Event: check-sync;reboot=false",
            "Subscription-State: terminated",
            "Contact: <sip:192.0.2.10:5060>",
        ] {
            assert!(text.contains(&format!("\r\n{line}\r\n")), "{line} in {text}");
        }
        assert!(text.ends_with("\r\nContent-Length: 0\r\n\r\n"));
        let scanned = scan(&bytes).unwrap();
        assert!(scanned.body.is_empty());
        let ids = Incoming::parse(&bytes).unwrap();
        assert_eq!(ids.start, StartLine::Request { method: "NOTIFY" });
        assert_eq!(
            (ids.branch, ids.call_id.as_ref()),
            (Some("z9hG4bKcs1"), "cs1@192.0.2.10")
        );
        assert_eq!(
            (ids.cseq, ids.cseq_method, ids.from_tag, ids.to_tag),
            (1, "NOTIFY", Some("t1"), None)
        );

        let tcp = build_check_sync(&CheckSyncParams {
            transport: "TCP",
            reboot: true,
            user_agent: None,
            ..params()
        })
        .unwrap();
        let tcp = String::from_utf8(tcp).unwrap();
        assert!(tcp.contains("\r\nContact: <sip:192.0.2.10:5060;transport=tcp>\r\n"));
        assert!(tcp.contains("\r\nEvent: check-sync;reboot=true\r\n"));
        assert!(!tcp.contains("User-Agent"));
    }

    #[test]
    fn injection_is_refused() {
        let bad = CheckSyncParams {
            call_id: "x\r\nVia: evil",
            ..params()
        };
        assert_eq!(build_check_sync(&bad), Err(WriteError { field: "Call-ID" }));
        let bad = CheckSyncParams {
            target: "a b",
            ..params()
        };
        assert_eq!(build_check_sync(&bad), Err(WriteError { field: "Request-URI" }));
    }
}
