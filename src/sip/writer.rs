//! The one writer every outgoing message goes through. It refuses CR, LF and NUL inside the
//! start line and header values (header injection), and computes Content-Length itself.

use std::borrow::Cow;
use std::fmt;
use std::io::Write as _;
use std::net::IpAddr;

use super::scan::{contains_any, unfold};
use crate::digits::digit_pair;
use crate::swar::{bytes_below, bytes_equal};

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

/// Text known to hold no CR, LF or NUL: checked once when made (or built by this crate from
/// such bytes), then written into any message without another check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clean<'a>(&'a str);

impl<'a> Clean<'a> {
    /// `text`, refused (as header `field`) when it holds CR, LF or NUL.
    pub fn new(field: &'static str, text: &'a str) -> Result<Clean<'a>, WriteError> {
        match has_forbidden(text.as_bytes()) {
            true => Err(WriteError { field }),
            false => Ok(Clean(text)),
        }
    }

    /// `text` this crate made or checked already: ids of hex digits, configuration validated
    /// when the responder was made. Checked in debug builds only.
    pub(crate) fn known(text: &'a str) -> Clean<'a> {
        debug_assert!(!has_forbidden(text.as_bytes()), "{text:?}");
        Clean(text)
    }

    pub fn as_str(self) -> &'a str {
        self.0
    }
}

/// A value copied from a received message, taken once for every message that writes it: a
/// folded value unfolded ([`unfold`]), then checked; `None` when it holds CR, LF or NUL still.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied<'a>(Option<Cow<'a, str>>);

impl<'a> Copied<'a> {
    /// Takes `value` for [`MessageWriter::copied`] (and [`MessageWriter::copied_value`]): a
    /// value without CR, LF or NUL is taken as it is, after one search.
    #[inline]
    pub fn new(value: &'a str) -> Copied<'a> {
        if !has_forbidden(value.as_bytes()) {
            return Copied(Some(Cow::Borrowed(value)));
        }
        let unfolded = unfold(value);
        Copied((!has_forbidden(unfolded.as_bytes())).then_some(unfolded))
    }

    /// The text, if it can be written.
    pub fn text(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// Builds one SIP message into a byte buffer.
pub struct MessageWriter {
    buf: Vec<u8>,
    /// Where the header line being written starts: a refused value takes it back out.
    line_start: usize,
}

impl MessageWriter {
    /// Starts a request: `METHOD uri SIP/2.0`. The URI may not contain whitespace either.
    pub fn request(method: &'static str, uri: &str) -> Result<MessageWriter, WriteError> {
        MessageWriter::request_with_capacity(method, uri, 512)
    }

    /// As [`MessageWriter::request`], with room for `capacity` bytes before the buffer grows.
    /// Always inlined: a builder passes a constant method, whose copy then needs no `memcpy`.
    #[inline(always)]
    pub fn request_with_capacity(
        method: &'static str,
        uri: &str,
        capacity: usize,
    ) -> Result<MessageWriter, WriteError> {
        if uri.is_empty() || contains_any(uri.as_bytes(), *b"\r\n\0 \t") {
            return Err(WriteError { field: "Request-URI" });
        }
        let mut buf = Vec::with_capacity(capacity);
        for part in [method, " ", uri, " SIP/2.0\r\n"] {
            buf.extend_from_slice(part.as_bytes());
        }
        Ok(MessageWriter { buf, line_start: 0 })
    }

    /// Starts a response: `SIP/2.0 code reason`.
    pub fn response(code: u16, reason: &'static str) -> MessageWriter {
        MessageWriter::response_with_capacity(code, reason, 512)
    }

    /// As [`MessageWriter::response`], with room for `capacity` bytes before the buffer grows.
    /// Inlined: where a builder calls this with a constant code and reason, the status line
    /// is one constant copy.
    #[inline(always)]
    pub fn response_with_capacity(code: u16, reason: &'static str, capacity: usize) -> MessageWriter {
        let mut buf = Vec::with_capacity(capacity);
        buf.extend_from_slice(b"SIP/2.0 ");
        match code {
            // Every real status code: three digits, in one piece.
            100..1000 => buf
                .extend_from_slice(&[(code / 100) as u8, (code / 10 % 10) as u8, (code % 10) as u8].map(|d| b'0' + d)),
            _ => push_decimal(&mut buf, u64::from(code)),
        }
        buf.push(b' ');
        buf.extend_from_slice(reason.as_bytes());
        buf.extend_from_slice(b"\r\n");
        MessageWriter { buf, line_start: 0 }
    }

    /// Appends `name: value` where `value` is written in pieces by `write` straight into the
    /// message (no intermediate string). The written value is checked like [`Self::header`]'s;
    /// on refusal the message is left as it was.
    #[inline]
    pub fn header_with(
        &mut self,
        name: &'static str,
        write: impl FnOnce(&mut Vec<u8>),
    ) -> Result<&mut MessageWriter, WriteError> {
        self.begin_header(name);
        let value_start = self.buf.len();
        write(&mut self.buf);
        if has_forbidden(&self.buf[value_start..]) {
            self.buf.truncate(self.line_start);
            return Err(WriteError { field: name });
        }
        self.end_header();
        Ok(self)
    }

    /// Appends `name: value`. `name` is a constant of ours; `value` is checked.
    #[inline(always)]
    pub fn header(&mut self, name: &'static str, value: &str) -> Result<&mut MessageWriter, WriteError> {
        self.begin_header(name);
        self.value(name, value)?;
        self.end_header();
        Ok(self)
    }

    /// Appends `name: value` for a value copied from a received message: folded line breaks
    /// are unfolded (see [`unfold`]), and what remains is checked like [`Self::header`]'s.
    #[inline(always)]
    pub fn copied_header(&mut self, name: &'static str, value: &str) -> Result<&mut MessageWriter, WriteError> {
        self.begin_header(name);
        self.copied_value(name, value)?;
        self.end_header();
        Ok(self)
    }

    /// Appends, to the header value being written, an address for our side of the dialog:
    /// `address` copied from the received message, with `;tag=tag` added when it is not
    /// `tagged` yet.
    #[inline]
    pub fn tagged_value(
        &mut self,
        field: &'static str,
        address: &Copied<'_>,
        tagged: bool,
        tag: Clean<'_>,
    ) -> Result<(), WriteError> {
        self.copied(field, address)?;
        if !tagged {
            self.fixed(";tag=");
            self.clean(tag);
        }
        Ok(())
    }

    /// Appends `value`, copied from a received message and unfolded and checked when it was
    /// taken ([`Copied::new`]), to the header value being written; refused (as header `field`,
    /// the line taken out again) when it held CR, LF or NUL.
    #[inline(always)]
    pub fn copied(&mut self, field: &'static str, value: &Copied<'_>) -> Result<(), WriteError> {
        match &value.0 {
            Some(text) => {
                self.buf.extend_from_slice(text.as_bytes());
                Ok(())
            }
            None => {
                self.buf.truncate(self.line_start);
                Err(WriteError { field })
            }
        }
    }

    /// Starts the header line `name: ` (`name` is a constant of ours). The value follows in
    /// checked pieces ([`Self::value`], [`Self::copied_value`], [`Self::decimal`], …); then
    /// [`Self::end_header`]. A refused piece removes the whole line again.
    #[inline(always)]
    pub fn begin_header(&mut self, name: &'static str) {
        self.line_start = self.buf.len();
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b": ");
    }

    /// Ends the header line [`Self::begin_header`] started.
    #[inline(always)]
    pub fn end_header(&mut self) {
        self.buf.extend_from_slice(b"\r\n");
    }

    /// Appends `text`, a constant of ours, to the header value being written.
    #[inline(always)]
    pub fn fixed(&mut self, text: &'static str) {
        debug_assert!(!has_forbidden(text.as_bytes()), "{text:?}");
        self.buf.extend_from_slice(text.as_bytes());
    }

    /// Appends `text`, a constant of ours that may end the header line being written and
    /// start the next ones (`"\r\nTo: "`): the builders of our own messages write each run
    /// of constant text in one piece. After it, a refused value no longer takes its line back
    /// out, so a builder that uses this must drop the writer on refusal (ours return the
    /// error).
    #[inline(always)]
    pub(crate) fn fixed_lines(&mut self, text: &'static str) {
        debug_assert!(breaks_only_lines(text.as_bytes()), "{text:?}");
        self.buf.extend_from_slice(text.as_bytes());
    }

    /// Appends `text`, known to hold no CR, LF or NUL, to the header value being written.
    #[inline(always)]
    pub fn clean(&mut self, text: Clean<'_>) {
        self.buf.extend_from_slice(text.0.as_bytes());
    }

    /// Appends `value` to the header value being written, refused (as header `field`) when
    /// it holds CR, LF or NUL; the refused header line is taken out of the message.
    #[inline(always)]
    pub fn value(&mut self, field: &'static str, value: &str) -> Result<(), WriteError> {
        if has_forbidden(value.as_bytes()) {
            self.buf.truncate(self.line_start);
            return Err(WriteError { field });
        }
        self.buf.extend_from_slice(value.as_bytes());
        Ok(())
    }

    /// As [`Self::value`], with `value` written in lower case (ASCII letters only).
    pub(crate) fn lower_case_value(&mut self, field: &'static str, value: &str) -> Result<(), WriteError> {
        let start = self.buf.len();
        self.value(field, value)?;
        self.buf[start..].make_ascii_lowercase();
        Ok(())
    }

    /// As [`Self::value`], for text copied from a received message: a folded value is
    /// unfolded first ([`Copied::new`], written by [`Self::copied`]).
    #[inline(always)]
    pub fn copied_value(&mut self, field: &'static str, value: &str) -> Result<(), WriteError> {
        self.copied(field, &Copied::new(value))
    }

    /// Appends `n` in decimal to the header value being written.
    #[inline]
    pub fn decimal(&mut self, n: u64) {
        push_decimal(&mut self.buf, n);
    }

    /// Adds `Content-Length`, the blank line and `body`, and returns the bytes. Inlined: a
    /// builder without a body then writes its ending as one constant.
    #[inline(always)]
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
/// Ports, sequence numbers and lengths (below 100,000) take a path of their own, with the
/// digits written in one piece of known length.
#[inline]
pub fn push_decimal(buf: &mut Vec<u8>, n: u64) {
    match n {
        0..10 => buf.push(b'0' + n as u8),
        10..100_000 => push_short_decimal(buf, n as u32),
        _ => {
            let mut digits = [0; crate::digits::MAX_DIGITS];
            buf.extend_from_slice(crate::digits::decimal_bytes(n, &mut digits));
        }
    }
}

/// [`push_decimal`] for `n` from 10 to 99,999: the five digits (leading zeros included)
/// computed at once, then as many appended as `n` has. Two divisions by 100 and the table of
/// digit pairs ([`digit_pair`]), where a division per digit cost twice as much.
fn push_short_decimal(buf: &mut Vec<u8>, n: u32) {
    let (high, low) = (n / 100, n % 100);
    let (top, middle) = (high / 100, high % 100);
    let [m1, m2] = digit_pair(middle);
    let [l1, l2] = digit_pair(low);
    let digits = [b'0' + top as u8, m1, m2, l1, l2];
    // Each arm copies a constant length: no call to `memcpy`.
    #[expect(clippy::match_overlapping_arm, reason = "the arms are tried in order")]
    match n {
        ..100 => buf.extend_from_slice(&digits[3..]),
        ..1_000 => buf.extend_from_slice(&digits[2..]),
        ..10_000 => buf.extend_from_slice(&digits[1..]),
        _ => buf.extend_from_slice(&digits),
    }
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
                // All four table bytes are copied (the length byte lands past the digits and
                // is overwritten next, or left beyond the returned text).
                let [.., len] = OCTET_TEXT[usize::from(octet)];
                buf[n..n + 4].copy_from_slice(&OCTET_TEXT[usize::from(octet)]);
                n += usize::from(len);
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

/// The decimal text of every byte value, digits first and padded to three, then the digit
/// count: `[b'7', 0, 0, 1]`, `[b'2', b'5', b'5', 3]`.
const OCTET_TEXT: [[u8; 4]; 256] = {
    let mut table = [[0u8; 4]; 256];
    let mut i = 0;
    while i < 256 {
        let (h, t, o) = ((i / 100) as u8, (i / 10 % 10) as u8, (i % 10) as u8);
        table[i] = match i {
            0..10 => [b'0' + o, 0, 0, 1],
            10..100 => [b'0' + t, b'0' + o, 0, 2],
            _ => [b'0' + h, b'0' + t, b'0' + o, 3],
        };
        i += 1;
    }
    table
};

/// Whether `text` holds no NUL, and CR and LF only together, as line ends (checked without
/// allocating: the allocation tests run with debug assertions).
fn breaks_only_lines(text: &[u8]) -> bool {
    text.iter().enumerate().all(|(i, &b)| match b {
        0 => false,
        b'\r' => text.get(i + 1) == Some(&b'\n'),
        b'\n' => i > 0 && text[i - 1] == b'\r',
        _ => true,
    })
}

fn is_forbidden(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | 0)
}

/// Whether `bytes` holds CR, LF or NUL: short values (most SIP values are) as two or four
/// eight-byte words at fixed places (overlapping where the length falls between), longer ones
/// sixteen bytes per step.
#[inline(always)]
fn has_forbidden(bytes: &[u8]) -> bool {
    let word = |at: usize| u64::from_ne_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    let n = bytes.len();
    match n {
        ..8 => bytes.iter().any(|&b| is_forbidden(b)),
        8..=16 => word_has_forbidden(word(0)) || word_has_forbidden(word(n - 8)),
        // Each word is asked first only whether it holds a byte below CR + 1, all together.
        17..=32 => any_low([word(0), word(8), word(n - 16), word(n - 8)]) && contains_any(bytes, *b"\r\n\0"),
        _ => contains_any(bytes, *b"\r\n\0"),
    }
}

/// Whether any byte of `words` is below CR + 1 (text rarely holds one: a tab would be).
#[inline(always)]
fn any_low<const N: usize>(words: [u64; N]) -> bool {
    words.into_iter().fold(0, |low, w| low | bytes_below(w, b'\r' + 1)) != 0
}

/// Whether any of the eight bytes in `word` is CR, LF or NUL.
#[inline]
fn word_has_forbidden(word: u64) -> bool {
    // Text rarely holds any byte below CR + 1 (a tab would be one); only then is it looked at
    // closer.
    bytes_below(word, b'\r' + 1) != 0
        && (bytes_below(word, 1) | bytes_equal(word, b'\r') | bytes_equal(word, b'\n')) != 0
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
        let short_edges = [
            9, 10, 11, 99, 100, 101, 999, 1_000, 9_999, 10_000, 20_000, 99_999, 100_000,
        ];
        for n in [0u64, 7, 65_535, u64::from(u32::MAX), u64::MAX]
            .into_iter()
            .chain(short_edges)
            .chain(0..=100_001)
        {
            let mut buf = Vec::new();
            push_decimal(&mut buf, n);
            assert_eq!(buf, n.to_string().into_bytes());
        }
        for ip in [
            "0.0.0.0",
            "1.10.100.199",
            "9.99.200.250",
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
    fn constant_runs_break_only_lines() {
        for good in ["", "a", "\r\nTo: ", ";rport\r\nMax-Forwards: 70\r\nFrom: ", "\r\n\r\n"] {
            assert!(breaks_only_lines(good.as_bytes()), "{good:?}");
        }
        for bad in ["\r", "\n", "a\rb", "a\nb", "\n\r", "a\0", "\r\r\n"] {
            assert!(!breaks_only_lines(bad.as_bytes()), "{bad:?}");
        }
    }

    #[test]
    fn status_lines_carry_the_code_as_written() {
        for code in [0, 7, 99, 100, 180, 200, 481, 999, 1000, 65_535] {
            let bytes = MessageWriter::response(code, "X").finish(b"");
            assert!(bytes.starts_with(format!("SIP/2.0 {code} X\r\n").as_bytes()), "{code}");
        }
    }

    #[test]
    fn injection_is_refused() {
        for bad in ["a\r\nVia: evil", "a\nb", "a\0b", "a\rb"] {
            let mut w = MessageWriter::response(200, "OK");
            assert_eq!(w.header("Call-ID", bad).err(), Some(WriteError { field: "Call-ID" }));
        }
        for bad in [
            "a\r\nVia: evil",
            "a\nb",
            "a\0b",
            "a\rb",
            "0123456789abcdef\r\n0123456789",
        ] {
            assert_eq!(Clean::new("Server", bad), Err(WriteError { field: "Server" }));
        }
        assert_eq!(Clean::new("Server", "sippnp 1.0").map(Clean::as_str), Ok("sippnp 1.0"));
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

    #[test]
    fn the_word_check_finds_what_a_byte_check_finds() {
        // Every length up to past two words, every position, every byte value nearby.
        for len in 0..72 {
            for at in 0..len {
                for bad in [0u8, 1, b'\t', b'\n', 0x0b, b'\r', 0x0e, 0x80, 0x8a, 0x8d, 0xff] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = bad;
                    assert_eq!(has_forbidden(&bytes), is_forbidden(bad), "{len} {at} {bad}");
                    bytes.iter_mut().take(at).for_each(|b| *b = 0x81);
                    assert_eq!(has_forbidden(&bytes), is_forbidden(bad), "{len} {at} {bad} high");
                }
            }
            assert!(!has_forbidden(&vec![0xff; len]));
        }
    }

    #[test]
    fn values_are_taken_unfolded_and_checked_once() {
        for (value, taken) in [
            ("<sip:a>", Some("<sip:a>")),
            ("<sip:a>\r\n ;tag=1", Some("<sip:a> ;tag=1")),
            ("a\nb", Some("a b")),
            ("x\r\n\ty", Some("x y")),
            ("", Some("")),
            ("a\rb", None),
            ("a\r\n b\0", None),
        ] {
            let copied = Copied::new(value);
            assert_eq!(copied.text(), taken, "{value:?}");
            let mut w = MessageWriter::response(200, "OK");
            w.begin_header("To");
            match taken {
                Some(text) => {
                    w.copied("To", &copied).unwrap();
                    w.end_header();
                    let expected = format!("SIP/2.0 200 OK\r\nTo: {text}\r\nContent-Length: 0\r\n\r\n");
                    assert_eq!(w.finish(b""), expected.as_bytes(), "{value:?}");
                }
                None => {
                    assert_eq!(w.copied("To", &copied), Err(WriteError { field: "To" }));
                    // The refused line is taken out again.
                    assert_eq!(w.finish(b""), b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
                }
            }
        }
    }

    #[test]
    fn copied_values_are_unfolded_then_checked() {
        let mut w = MessageWriter::response(200, "OK");
        w.copied_header("From", "<sip:a>\r\n ;tag=1").unwrap();
        w.copied_header("To", "<sip:b>").unwrap();
        assert_eq!(
            w.copied_header("Call-ID", "a\rb").err(),
            Some(WriteError { field: "Call-ID" })
        );
        assert_eq!(
            w.copied_header("Call-ID", "a\r\n b\0").err(),
            Some(WriteError { field: "Call-ID" })
        );
        w.begin_header("CSeq");
        w.decimal(7);
        w.fixed(" ");
        w.copied_value("CSeq", "SUB\n SCRIBE").unwrap();
        w.end_header();
        assert_eq!(
            w.finish(b""),
            b"SIP/2.0 200 OK\r\nFrom: <sip:a> ;tag=1\r\nTo: <sip:b>\r\nCSeq: 7 SUB SCRIBE\r\nContent-Length: 0\r\n\r\n"
        );
    }
}
