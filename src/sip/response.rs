//! The 200 OK to a SUBSCRIBE (RFC 3261 §8.2.6): every Via copied, the topmost one stamped
//! with `received`/`rport` (RFC 3261 §18.2.1, RFC 3581), our tag on To, `Expires: 0`.

use std::net::SocketAddr;

use super::params;
use super::scan::unfold;
use super::subscribe::Subscribe;
use super::via::{Rport, Via};
use super::writer::{MessageWriter, WriteError, ip_bytes, push_decimal};

/// What the 200 OK needs besides the SUBSCRIBE.
pub struct OkParams<'a> {
    /// Where the datagram came from.
    pub source: SocketAddr,
    /// Our To-tag (the dialog's local tag); ignored if the To already carries one.
    pub to_tag: &'a str,
    /// Our Contact URI, e.g. `sip:192.0.2.10:5060`.
    pub contact: &'a str,
    /// Value of the Server header, if any.
    pub server: Option<&'a str>,
}

/// Builds the 200 OK bytes, into one buffer sized for the message.
pub fn build_ok(sub: &Subscribe<'_>, p: &OkParams<'_>) -> Result<Vec<u8>, WriteError> {
    let vias: usize = sub.vias.iter().map(|v| v.raw.len() + 80).sum();
    let capacity = 128
        + vias
        + sub.from.raw.len()
        + sub.to.raw.len()
        + p.to_tag.len()
        + sub.call_id.len()
        + sub.cseq.method.len()
        + p.contact.len()
        + p.server.map_or(0, |s| s.len() + 10);
    let mut w = MessageWriter::response_with_capacity(200, "OK", capacity);
    for (i, via) in sub.vias.iter().enumerate() {
        if i == 0 {
            w.header_with("Via", |buf| write_stamped_top_via(buf, via, p.source))?;
        } else {
            w.header("Via", &unfold(via.raw))?;
        }
    }
    w.header("From", &unfold(sub.from.raw))?;
    let to = unfold(sub.to.raw);
    match sub.to.tag {
        Some(_) => w.header("To", &to)?,
        None => w.header_with("To", |buf| {
            buf.extend_from_slice(to.as_bytes());
            buf.extend_from_slice(b";tag=");
            buf.extend_from_slice(p.to_tag.as_bytes());
        })?,
    };
    w.header("Call-ID", &unfold(sub.call_id))?;
    w.header_with("CSeq", |buf| {
        push_decimal(buf, u64::from(sub.cseq.seq));
        buf.push(b' ');
        buf.extend_from_slice(sub.cseq.method.as_bytes());
    })?;
    w.header_with("Contact", |buf| {
        buf.push(b'<');
        buf.extend_from_slice(p.contact.as_bytes());
        buf.push(b'>');
    })?;
    w.header("Expires", "0")?;
    if let Some(server) = p.server {
        w.header("Server", server)?;
    }
    Ok(w.finish(b""))
}

/// The topmost Via with `received` set to the source IP (when it differs from the sent-by
/// host, or always when `rport` was requested) and a requested `rport` filled in.
#[cfg(test)]
fn stamp_top_via(via: &Via<'_>, source: SocketAddr) -> String {
    let mut out = Vec::new();
    write_stamped_top_via(&mut out, via, source);
    String::from_utf8(out).expect("written from text")
}

/// Writes the stamped topmost Via (see `stamp_top_via`) into `out`, without allocating
/// beyond `out`'s own growth.
fn write_stamped_top_via(out: &mut Vec<u8>, via: &Via<'_>, source: SocketAddr) {
    // The source IP as text, on the stack (the longest IPv6 text is 45 bytes).
    let mut ip_buf = [0u8; 64];
    let source_ip = ip_bytes(source.ip(), &mut ip_buf);
    out.extend_from_slice(b"SIP/2.0/");
    out.extend_from_slice(via.transport.as_bytes());
    out.push(b' ');
    let host = via.host;
    if host.contains(':') && !host.starts_with('[') {
        out.push(b'[');
        out.extend_from_slice(host.as_bytes());
        out.push(b']');
    } else {
        out.extend_from_slice(host.as_bytes());
    }
    if let Some(port) = via.port {
        out.push(b':');
        push_decimal(out, u64::from(port));
    }
    for param in params::iter(&unfold(via.params)) {
        if param.name.eq_ignore_ascii_case("received") {
            continue;
        }
        if param.name.eq_ignore_ascii_case("rport") && via.rport == Rport::Requested {
            out.extend_from_slice(b";rport=");
            push_decimal(out, u64::from(source.port()));
            continue;
        }
        out.push(b';');
        out.extend_from_slice(param.name.as_bytes());
        if let Some(value) = param.value {
            out.push(b'=');
            if param.quoted {
                out.push(b'"');
                out.extend_from_slice(value.as_bytes());
                out.push(b'"');
            } else {
                out.extend_from_slice(value.as_bytes());
            }
        }
    }
    if via.rport != Rport::Absent || via.host.as_bytes() != source_ip {
        out.extend_from_slice(b";received=");
        out.extend_from_slice(source_ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamped(via: &str, source: &str) -> String {
        stamp_top_via(&Via::parse(via).unwrap(), source.parse().unwrap())
    }

    #[test]
    fn received_and_rport() {
        assert_eq!(
            stamped(
                "SIP/2.0/UDP 172.18.32.197:5060;branch=z9hG4bK1;rport",
                "172.18.32.197:5060"
            ),
            "SIP/2.0/UDP 172.18.32.197:5060;branch=z9hG4bK1;rport=5060;received=172.18.32.197"
        );
        assert_eq!(
            stamped("SIP/2.0/UDP 10.1.3.239:5059;branch=z9hG4bK2", "10.1.3.239:5059"),
            "SIP/2.0/UDP 10.1.3.239:5059;branch=z9hG4bK2"
        );
        assert_eq!(
            stamped(
                "SIP/2.0/UDP phone.lan:5059 ; branch=\"z9hG4bK3\";received=1.1.1.1",
                "[2001:db8::5]:4000"
            ),
            "SIP/2.0/UDP phone.lan:5059;branch=\"z9hG4bK3\";received=2001:db8::5"
        );
    }
}
