//! The one writer every outgoing message goes through. It refuses CR, LF and NUL inside the
//! start line and header values (header injection), and computes Content-Length itself.

use std::fmt;
use std::io::Write as _;
use std::net::IpAddr;

/// A value could not be written because it would break the message framing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteError {
    /// Which part of the message held the bad byte (`Request-URI`, `Call-ID`, …).
    pub field: &'static str,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused to write {}: it contains CR, LF or NUL", self.field)
    }
}

impl std::error::Error for WriteError {}

/// Builds one SIP message into a byte buffer.
pub struct MessageWriter {
    buf: Vec<u8>,
}

impl MessageWriter {
    /// Starts a request: `METHOD uri SIP/2.0`. The URI may not contain whitespace either.
    pub fn request(method: &'static str, uri: &str) -> Result<MessageWriter, WriteError> {
        MessageWriter::request_with_capacity(method, uri, 512)
    }

    /// As [`MessageWriter::request`], with room for `capacity` bytes before the buffer grows.
    pub fn request_with_capacity(
        method: &'static str,
        uri: &str,
        capacity: usize,
    ) -> Result<MessageWriter, WriteError> {
        if uri.is_empty() || uri.bytes().any(|b| is_forbidden(b) || b == b' ' || b == b'\t') {
            return Err(WriteError { field: "Request-URI" });
        }
        let mut buf = Vec::with_capacity(capacity);
        for part in [method, " ", uri, " SIP/2.0\r\n"] {
            buf.extend_from_slice(part.as_bytes());
        }
        Ok(MessageWriter { buf })
    }

    /// Starts a response: `SIP/2.0 code reason`.
    pub fn response(code: u16, reason: &'static str) -> MessageWriter {
        MessageWriter::response_with_capacity(code, reason, 512)
    }

    /// As [`MessageWriter::response`], with room for `capacity` bytes before the buffer grows.
    pub fn response_with_capacity(code: u16, reason: &'static str, capacity: usize) -> MessageWriter {
        let mut buf = Vec::with_capacity(capacity);
        buf.extend_from_slice(b"SIP/2.0 ");
        push_decimal(&mut buf, u64::from(code));
        buf.push(b' ');
        buf.extend_from_slice(reason.as_bytes());
        buf.extend_from_slice(b"\r\n");
        MessageWriter { buf }
    }

    /// Appends `name: value` where `value` is written in pieces by `write` straight into the
    /// message (no intermediate string). The written value is checked like [`Self::header`]'s;
    /// on refusal the message is left as it was.
    pub fn header_with(
        &mut self,
        name: &'static str,
        write: impl FnOnce(&mut Vec<u8>),
    ) -> Result<&mut MessageWriter, WriteError> {
        let start = self.buf.len();
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b": ");
        let value_start = self.buf.len();
        write(&mut self.buf);
        if super::scan::contains_any(&self.buf[value_start..], *b"\r\n\0") {
            self.buf.truncate(start);
            return Err(WriteError { field: name });
        }
        self.buf.extend_from_slice(b"\r\n");
        Ok(self)
    }

    /// Appends `name: value`. `name` is a constant of ours; `value` is checked.
    pub fn header(&mut self, name: &'static str, value: &str) -> Result<&mut MessageWriter, WriteError> {
        if super::scan::contains_any(value.as_bytes(), *b"\r\n\0") {
            return Err(WriteError { field: name });
        }
        for part in [name, ": ", value, "\r\n"] {
            self.buf.extend_from_slice(part.as_bytes());
        }
        Ok(self)
    }

    /// Adds `Content-Length`, the blank line and `body`, and returns the bytes.
    pub fn finish(mut self, body: &[u8]) -> Vec<u8> {
        self.buf.reserve(24 + body.len());
        self.buf.extend_from_slice(b"Content-Length: ");
        push_decimal(&mut self.buf, body.len() as u64);
        self.buf.extend_from_slice(b"\r\n\r\n");
        self.buf.extend_from_slice(body);
        self.buf
    }
}

/// Appends `n` in decimal (what `write!(buf, "{n}")` does, without the formatting machinery).
pub fn push_decimal(buf: &mut Vec<u8>, n: u64) {
    let mut digits = [0; crate::digits::MAX_DIGITS];
    buf.extend_from_slice(crate::digits::decimal_bytes(n, &mut digits));
}

/// Appends `ip` as text, as its `Display` writes it.
pub fn push_ip(buf: &mut Vec<u8>, ip: IpAddr) {
    let mut text = [0u8; 64];
    buf.extend_from_slice(ip_bytes(ip, &mut text));
}

/// `ip` as its `Display` writes it, in `buf` (the longest IPv6 text is 45 bytes).
pub fn ip_bytes(ip: IpAddr, buf: &mut [u8; 64]) -> &[u8] {
    match ip {
        IpAddr::V4(v4) => {
            let mut n = 0;
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    buf[n] = b'.';
                    n += 1;
                }
                let (h, t, o) = (octet / 100, octet / 10 % 10, octet % 10);
                if h > 0 {
                    buf[n] = b'0' + h;
                    n += 1;
                }
                if h > 0 || t > 0 {
                    buf[n] = b'0' + t;
                    n += 1;
                }
                buf[n] = b'0' + o;
                n += 1;
            }
            &buf[..n]
        }
        IpAddr::V6(v6) => {
            let mut cursor = &mut buf[..];
            let _ = write!(cursor, "{v6}");
            let n = 64 - cursor.len();
            &buf[..n]
        }
    }
}

fn is_forbidden(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_counts() {
        let mut w = MessageWriter::request("NOTIFY", "sip:1.2.3.4:5060").unwrap();
        w.header("Call-ID", "abc").unwrap();
        let bytes = w.finish(b"http://x/");
        assert_eq!(
            bytes,
            b"NOTIFY sip:1.2.3.4:5060 SIP/2.0\r\nCall-ID: abc\r\nContent-Length: 9\r\n\r\nhttp://x/"
        );
    }

    #[test]
    fn numbers_and_addresses_print_as_display_does() {
        for n in [0u64, 7, 10, 65_535, u64::from(u32::MAX), u64::MAX] {
            let mut buf = Vec::new();
            push_decimal(&mut buf, n);
            assert_eq!(buf, n.to_string().into_bytes());
        }
        for ip in [
            "0.0.0.0",
            "172.18.32.197",
            "255.255.255.255",
            "2001:db8::5",
            "::ffff:1.2.3.4",
        ] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            let mut buf = Vec::new();
            push_ip(&mut buf, ip);
            assert_eq!(buf, ip.to_string().into_bytes());
        }
    }

    #[test]
    fn injection_is_refused() {
        for bad in ["a\r\nVia: evil", "a\nb", "a\0b", "a\rb"] {
            let mut w = MessageWriter::response(200, "OK");
            assert_eq!(w.header("Call-ID", bad).err(), Some(WriteError { field: "Call-ID" }));
        }
        assert!(MessageWriter::request("NOTIFY", "sip:a b").is_err());
        assert!(MessageWriter::request("NOTIFY", "sip:a\r\nX: y").is_err());
        assert!(MessageWriter::request("NOTIFY", "").is_err());
        let mut w = MessageWriter::response(200, "OK");
        assert!(w.header_with("To", |b| b.extend_from_slice(b"a\r\nX: y")).is_err());
        w.header_with("To", |b| b.extend_from_slice(b"<sip:a>;tag=1")).unwrap();
        assert_eq!(
            w.finish(b""),
            b"SIP/2.0 200 OK\r\nTo: <sip:a>;tag=1\r\nContent-Length: 0\r\n\r\n"
        );
    }
}
