//! The 200 OK to a SUBSCRIBE (RFC 3261 §8.2.6): every Via copied, the topmost one stamped
//! with `received`/`rport` (RFC 3261 §18.2.1, RFC 3581), our tag on To, `Expires: 0`.

use std::net::SocketAddr;

use super::params::{self, eq_fold};
use super::scan::unfold;
use super::subscribe::Subscribe;
use super::via::{Rport, Via};
use super::writer::{Clean, Copied, MessageWriter, WriteError, ip_bytes, push_decimal};
use crate::swar::contains_byte;

/// What the 200 OK and the NOTIFY both copy from the SUBSCRIBE: From, To and Call-ID,
/// unfolded and checked once for the two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialog<'a> {
    pub from: Copied<'a>,
    pub to: Copied<'a>,
    /// Whether the To carries a tag already (then it is the dialog's local tag).
    pub to_tagged: bool,
    pub call_id: Copied<'a>,
}

impl<'a> Dialog<'a> {
    pub fn of(sub: &Subscribe<'a>) -> Dialog<'a> {
        Dialog {
            from: Copied::new(sub.from.raw),
            to: Copied::new(sub.to.raw),
            to_tagged: sub.to.tag.is_some(),
            call_id: Copied::new(sub.call_id),
        }
    }
}

/// What the 200 OK needs besides the SUBSCRIBE.
pub struct OkParams<'a> {
    /// The SUBSCRIBE's From, To and Call-ID ([`Dialog::of`]).
    pub dialog: &'a Dialog<'a>,
    /// Where the datagram came from.
    pub source: SocketAddr,
    /// Our To-tag (the dialog's local tag); ignored if the To already carries one.
    pub to_tag: Clean<'a>,
    /// Our Contact URI, e.g. `sip:192.0.2.10:5060`.
    pub contact: Clean<'a>,
    /// Value of the Server header, if any.
    pub server: Option<Clean<'a>>,
}

/// Builds the 200 OK bytes, into one buffer sized for the message.
pub fn build_ok(sub: &Subscribe<'_>, p: &OkParams<'_>) -> Result<Vec<u8>, WriteError> {
    let vias: usize = sub.vias.iter().map(|v| v.raw.len() + 80).sum();
    let capacity = 128
        + vias
        + sub.from.raw.len()
        + sub.to.raw.len()
        + p.to_tag.as_str().len()
        + sub.call_id.len()
        + sub.cseq.method.len()
        + p.contact.as_str().len()
        + p.server.map_or(0, |s| s.as_str().len() + 10);
    let mut w = MessageWriter::response_with_capacity(200, "OK", capacity);
    for (i, via) in sub.vias.iter().enumerate() {
        if i == 0 {
            w.header_with("Via", |buf| write_stamped_top_via(buf, via, p.source))?;
        } else {
            w.copied_header("Via", via.raw)?;
        }
    }
    // Each run of constant text between two values is written in one piece; a refused value
    // drops the whole message.
    w.fixed_lines("From: ");
    w.copied("From", &p.dialog.from)?;
    w.fixed_lines("\r\nTo: ");
    w.tagged_value("To", &p.dialog.to, p.dialog.to_tagged, p.to_tag)?;
    w.fixed_lines("\r\nCall-ID: ");
    w.copied("Call-ID", &p.dialog.call_id)?;
    w.fixed_lines("\r\nCSeq: ");
    w.decimal(u64::from(sub.cseq.seq));
    w.fixed(" ");
    w.value("CSeq", sub.cseq.method)?;
    w.fixed_lines("\r\nContact: <");
    w.clean(p.contact);
    w.fixed_lines(">\r\nExpires: 0\r\n");
    if let Some(server) = p.server {
        w.begin_header("Server");
        w.clean(server);
        w.end_header();
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
    if contains_byte(host.as_bytes(), b':') && !host.starts_with('[') {
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
    if !write_plain_params(out, via, source.port()) {
        write_parsed_params(out, via, source.port());
    }
    if via.rport != Rport::Absent || via.host.as_bytes() != source_ip {
        out.extend_from_slice(b";received=");
        out.extend_from_slice(source_ip);
    }
}

/// Whether `b` may stand in plain parameter text: text in which `params::iter` gives back
/// every `;`-separated piece exactly as written, because it holds no whitespace (nor folded
/// line breaks), quotes, brackets or non-ASCII bytes, so nothing is trimmed, unquoted or kept
/// together.
const fn is_plain_param_byte(b: u8) -> bool {
    b > b' ' && b < 0x7f && !matches!(b, b'"' | b'<' | b'>' | b'[' | b']')
}

/// What a byte is to [`write_plain_params`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum ParamByte {
    Plain,
    Separator,
    NotPlain,
}

/// [`ParamByte`] of every byte value: one load per byte instead of several comparisons.
const PARAM_BYTES: [ParamByte; 256] = {
    let mut table = [ParamByte::NotPlain; 256];
    let mut b = 0;
    while b < 256 {
        if b as u8 == b';' {
            table[b] = ParamByte::Separator;
        } else if is_plain_param_byte(b as u8) {
            table[b] = ParamByte::Plain;
        }
        b += 1;
    }
    table
};

/// Writes the parameters of `via` as [`write_parsed_params`] does, when their text is plain
/// ([`is_plain_param_byte`]): each piece between `;` is a parameter as written. Otherwise
/// leaves `out` as it was and returns `false`. One pass over the bytes finds the pieces and
/// checks them; runs of parameters kept as they are (all but empty pieces, `received` and a
/// requested `rport`) are copied in one piece each.
fn write_plain_params(out: &mut Vec<u8>, via: &Via<'_>, source_port: u16) -> bool {
    let text = via.params.as_bytes();
    let written = out.len();
    // The kept run not written yet: from its `;` (or the start of `text`) to its end.
    let mut run: Option<(usize, usize)> = None;
    let mut start = 0;
    for (end, &b) in text.iter().enumerate() {
        match PARAM_BYTES[usize::from(b)] {
            ParamByte::Plain => continue,
            ParamByte::NotPlain => {
                out.truncate(written);
                return false;
            }
            ParamByte::Separator => {}
        }
        take_param(out, via, source_port, &mut run, start, end);
        start = end + 1;
    }
    take_param(out, via, source_port, &mut run, start, text.len());
    if let Some((from, to)) = run {
        write_run(out, text, from, to);
    }
    true
}

/// Takes the parameter `text[start..end]` of `via` for [`write_plain_params`]: added to the
/// kept `run` when it is kept as written, else written (`rport`) or dropped after the run.
#[inline(always)]
fn take_param(
    out: &mut Vec<u8>,
    via: &Via<'_>,
    source_port: u16,
    run: &mut Option<(usize, usize)>,
    start: usize,
    end: usize,
) {
    let text = via.params.as_bytes();
    let param = &text[start..end];
    let is_rport = via.rport == Rport::Requested && is_param_named(param, b"rport");
    if param.is_empty() || is_rport || is_param_named(param, b"received") {
        if let Some((from, to)) = run.take() {
            write_run(out, text, from, to);
        }
        if is_rport {
            write_requested_rport(out, source_port);
        }
    } else {
        *run = Some((run.map_or(start.saturating_sub(1), |(from, _)| from), end));
    }
}

/// Writes `text[from..to]`, parameters as written, with the `;` in front of the first one
/// (added when the text starts with that parameter).
fn write_run(out: &mut Vec<u8>, text: &[u8], from: usize, to: usize) {
    if text[from] != b';' {
        out.push(b';');
    }
    out.extend_from_slice(&text[from..to]);
}

/// Whether the parameter written as `param` (`name` or `name=value`) is called `lower` (in
/// any case).
fn is_param_named<const N: usize>(param: &[u8], lower: &[u8; N]) -> bool {
    param.len() >= N && (param.len() == N || param[N] == b'=') && eq_fold(&param[..N], lower)
}

/// Writes the `rport` the client asked us to fill in.
fn write_requested_rport(out: &mut Vec<u8>, source_port: u16) {
    out.extend_from_slice(b";rport=");
    push_decimal(out, u64::from(source_port));
}

/// Writes the parameters of `via` one by one as `params::iter` parses them (folded text
/// unfolded, spaces dropped, quotes kept), without `received` and with a requested `rport`
/// filled in.
fn write_parsed_params(out: &mut Vec<u8>, via: &Via<'_>, source_port: u16) {
    for param in params::iter(&unfold(via.params)) {
        write_param(out, via, param.name.as_bytes(), source_port, |out| {
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
        });
    }
}

/// Writes the Via parameter called `name`: dropped when it is `received` (ours follows),
/// `rport=` and the source port when it is the `rport` the client asked us to fill in, else
/// as `write_as_is` writes it.
#[inline]
fn write_param(
    out: &mut Vec<u8>,
    via: &Via<'_>,
    name: &[u8],
    source_port: u16,
    write_as_is: impl FnOnce(&mut Vec<u8>),
) {
    if eq_fold(name, b"received") {
        return;
    }
    if eq_fold(name, b"rport") && via.rport == Rport::Requested {
        write_requested_rport(out, source_port);
        return;
    }
    write_as_is(out);
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

    #[test]
    fn plain_parameters_are_written_as_parsed_ones_are() {
        let source: SocketAddr = "10.0.0.9:4000".parse().unwrap();
        for params in [
            ";branch=z9hG4bK1;rport",
            ";rport;branch=z9hG4bK1",
            ";RPORT=;Received=1.2.3.4;branch=x",
            ";;branch=x;;rport=5;;",
            ";rport=5;rport",
            ";=x;a==b;c=;receivedx;rportx=1;maddr=239.0.0.1",
            ";received",
            "",
            ";branch=z9hG4bK\u{e9}",
            ";branch=\"a;b\";rport",
            ";maddr=[::1;x];rport",
            "; branch = x ;rport",
            ";branch=x\r\n ;rport",
            ";rport;branch=\"x\"",
            ";rport;x=1 ",
            ";received=1;received",
            ";branch=x;Received;ttl=1;;;x",
            ";;",
            ";",
            ";branch=z9hG4bK458721093;rport;received=1.2.3.4;maddr=x;ttl=1;;x=1",
            ";branch=z9hG4bK4587210;rport",
            ";branch=z9hG4bK45872109;rport;",
        ] {
            let raw = format!("SIP/2.0/UDP 10.0.0.9:4000{params}");
            let via = Via::parse(&raw).unwrap();
            let (mut plain, mut parsed) = (b"kept".to_vec(), b"kept".to_vec());
            write_parsed_params(&mut parsed, &via, source.port());
            if write_plain_params(&mut plain, &via, source.port()) {
                assert_eq!(
                    String::from_utf8(plain).unwrap(),
                    String::from_utf8(parsed).unwrap(),
                    "{params}"
                );
            } else {
                assert_eq!(plain, b"kept", "{params}: nothing written");
                assert!(
                    params.contains([' ', '"', '[', '\r', '\u{e9}']) && !params.starts_with(";branch=x;"),
                    "{params} is plain parameter text"
                );
            }
        }
        // Parameter text that does not start with `;` (the parser's never does).
        // And text the parser refuses (a second `rport` with a value), written as parsed too.
        for params in [
            "branch=x;rport",
            "received=1;branch=x",
            "rport;branch=x",
            ";rport;branch=x;;received;maddr=1;Rport=7;rport;",
            ";rport=;rport=1=2;rport:1;receivedfoo;received=",
        ] {
            let mut via = Via::parse("SIP/2.0/UDP 10.0.0.9:4000;rport").unwrap();
            via.params = params;
            let (mut plain, mut parsed) = (Vec::new(), Vec::new());
            write_parsed_params(&mut parsed, &via, source.port());
            assert!(write_plain_params(&mut plain, &via, source.port()));
            assert_eq!(
                String::from_utf8(plain).unwrap(),
                String::from_utf8(parsed).unwrap(),
                "{params}"
            );
        }
        for b in 0..=255u8 {
            let plain = b.is_ascii_graphic() && !b"\"<>[]".contains(&b);
            assert_eq!(is_plain_param_byte(b), plain, "{b}");
            let class = PARAM_BYTES[usize::from(b)];
            assert_eq!(class == ParamByte::Separator, b == b';', "{b}");
            assert_eq!(class == ParamByte::NotPlain, !plain, "{b}");
        }
    }
}
