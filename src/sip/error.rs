//! Why a datagram is not a SUBSCRIBE we can answer. Messages are one line, name the place,
//! and quote at most a short, escaped snippet of the input — never the whole packet.

use std::fmt;

/// Longest piece of input an error message quotes.
const SNIPPET_MAX: usize = 32;

/// A short, printable copy of untrusted input for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet(String);

impl Snippet {
    pub fn new(bytes: &[u8]) -> Snippet {
        let mut out = String::new();
        for &b in bytes.iter().take(SNIPPET_MAX) {
            if b.is_ascii_graphic() || b == b' ' {
                out.push(b as char);
            } else {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        if bytes.len() > SNIPPET_MAX {
            out.push('…');
        }
        Snippet(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What is wrong with a datagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing but CR/LF (a keep-alive) or zero bytes.
    Empty,
    /// Larger than a UDP datagram can be.
    TooLarge { len: usize },
    /// The first line is not a SIP request or status line.
    NotSip,
    /// A SIP response, not a request.
    NotRequest,
    /// A SIP request with another method.
    NotSubscribe { method: Snippet },
    /// A SUBSCRIBE for another event package (or none).
    NotUaProfile { event: Option<Snippet> },
    /// The request line is a SIP line but its URI or version cannot be used.
    MalformedRequestLine { reason: &'static str },
    /// Header number `index` (1 = first header after the request line) is broken.
    MalformedHeader {
        index: usize,
        name: Snippet,
        reason: &'static str,
    },
    /// A header every SUBSCRIBE must carry is absent.
    MissingHeader { name: &'static str },
    /// More header lines than the parser accepts.
    TooManyHeaders { max: usize },
    /// The datagram ends before the message does.
    Truncated { reason: &'static str },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => f.write_str("empty datagram (keep-alive)"),
            ParseError::TooLarge { len } => {
                write!(f, "datagram of {len} bytes exceeds {} bytes", super::MAX_DATAGRAM)
            }
            ParseError::NotSip => f.write_str("not SIP: the first line is not a SIP request line"),
            ParseError::NotRequest => f.write_str("not a SUBSCRIBE: a SIP response"),
            ParseError::NotSubscribe { method } => write!(f, "not a SUBSCRIBE: method {method}"),
            ParseError::NotUaProfile { event: Some(e) } => {
                write!(f, "not ua-profile: Event is {e}")
            }
            ParseError::NotUaProfile { event: None } => f.write_str("not ua-profile: no Event header"),
            ParseError::MalformedRequestLine { reason } => {
                write!(f, "malformed request line: {reason}")
            }
            ParseError::MalformedHeader { index, name, reason } => {
                write!(f, "malformed header {index} ({name}): {reason}")
            }
            ParseError::MissingHeader { name } => write!(f, "missing header {name}"),
            ParseError::TooManyHeaders { max } => write!(f, "more than {max} header lines"),
            ParseError::Truncated { reason } => write!(f, "truncated: {reason}"),
        }
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_capped_and_escaped() {
        let long = vec![b'A'; 1000];
        let s = Snippet::new(&long);
        assert!(s.as_str().len() < 40);
        assert_eq!(Snippet::new(b"a\r\n\0").as_str(), "a\\x0d\\x0a\\x00");
    }
}
