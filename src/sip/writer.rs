//! The one writer every outgoing message goes through. It refuses CR, LF and NUL inside the
//! start line and header values (header injection), and computes Content-Length itself.

use std::fmt;

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
        if uri.is_empty() || uri.bytes().any(|b| is_forbidden(b) || b == b' ' || b == b'\t') {
            return Err(WriteError { field: "Request-URI" });
        }
        let mut buf = Vec::with_capacity(512);
        for part in [method, " ", uri, " SIP/2.0\r\n"] {
            buf.extend_from_slice(part.as_bytes());
        }
        Ok(MessageWriter { buf })
    }

    /// Starts a response: `SIP/2.0 code reason`.
    pub fn response(code: u16, reason: &'static str) -> MessageWriter {
        let mut buf = Vec::with_capacity(512);
        buf.extend_from_slice(format!("SIP/2.0 {code} {reason}\r\n").as_bytes());
        MessageWriter { buf }
    }

    /// Appends `name: value`. `name` is a constant of ours; `value` is checked.
    pub fn header(&mut self, name: &'static str, value: &str) -> Result<&mut MessageWriter, WriteError> {
        if value.bytes().any(is_forbidden) {
            return Err(WriteError { field: name });
        }
        for part in [name, ": ", value, "\r\n"] {
            self.buf.extend_from_slice(part.as_bytes());
        }
        Ok(self)
    }

    /// Adds `Content-Length`, the blank line and `body`, and returns the bytes.
    pub fn finish(mut self, body: &[u8]) -> Vec<u8> {
        self.buf
            .extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        self.buf.extend_from_slice(body);
        self.buf
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
    fn injection_is_refused() {
        for bad in ["a\r\nVia: evil", "a\nb", "a\0b", "a\rb"] {
            let mut w = MessageWriter::response(200, "OK");
            assert_eq!(w.header("Call-ID", bad).err(), Some(WriteError { field: "Call-ID" }));
        }
        assert!(MessageWriter::request("NOTIFY", "sip:a b").is_err());
        assert!(MessageWriter::request("NOTIFY", "sip:a\r\nX: y").is_err());
        assert!(MessageWriter::request("NOTIFY", "").is_err());
    }
}
