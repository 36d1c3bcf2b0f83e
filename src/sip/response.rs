//! The 200 OK to a SUBSCRIBE (RFC 3261 §8.2.6): every Via copied, the topmost one stamped
//! with `received`/`rport` (RFC 3261 §18.2.1, RFC 3581), our tag on To, `Expires: 0`.

use std::net::SocketAddr;

use super::params;
use super::scan::unfold;
use super::subscribe::Subscribe;
use super::via::{Rport, Via};
use super::writer::{MessageWriter, WriteError};

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

/// Builds the 200 OK bytes.
pub fn build_ok(sub: &Subscribe<'_>, p: &OkParams<'_>) -> Result<Vec<u8>, WriteError> {
    let mut w = MessageWriter::response(200, "OK");
    for (i, via) in sub.vias.iter().enumerate() {
        let value = if i == 0 {
            stamp_top_via(via, p.source)
        } else {
            unfold(via.raw).into_owned()
        };
        w.header("Via", &value)?;
    }
    w.header("From", &unfold(sub.from.raw))?;
    let to = unfold(sub.to.raw);
    match sub.to.tag {
        Some(_) => w.header("To", &to)?,
        None => w.header("To", &format!("{to};tag={}", p.to_tag))?,
    };
    w.header("Call-ID", &unfold(sub.call_id))?;
    w.header("CSeq", &format!("{} {}", sub.cseq.seq, sub.cseq.method))?;
    w.header("Contact", &format!("<{}>", p.contact))?;
    w.header("Expires", "0")?;
    if let Some(server) = p.server {
        w.header("Server", server)?;
    }
    Ok(w.finish(b""))
}

/// The topmost Via with `received` set to the source IP (when it differs from the sent-by
/// host, or always when `rport` was requested) and a requested `rport` filled in.
fn stamp_top_via(via: &Via<'_>, source: SocketAddr) -> String {
    let source_ip = source.ip().to_string();
    let mut out = format!(
        "SIP/2.0/{} {}",
        via.transport,
        crate::net::join_host_port(via.host, via.port)
    );
    for param in params::iter(&unfold(via.params)) {
        if param.name.eq_ignore_ascii_case("received") {
            continue;
        }
        if param.name.eq_ignore_ascii_case("rport") && via.rport == Rport::Requested {
            out.push_str(&format!(";rport={}", source.port()));
            continue;
        }
        out.push(';');
        out.push_str(param.name);
        if let Some(value) = param.value {
            if param.quoted {
                out.push_str(&format!("=\"{value}\""));
            } else {
                out.push('=');
                out.push_str(value);
            }
        }
    }
    if via.rport != Rport::Absent || via.host != source_ip {
        out.push_str(&format!(";received={source_ip}"));
    }
    out
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
