//! The tolerant, zero-copy line scanner: splits a datagram into its start line, header lines
//! and body in one pass, without copying. It accepts what real phones send: LF-only line
//! ends, leading CRLF keep-alives, folded headers (kept in the raw value; see [`unfold`]),
//! list headers wrapped after a comma without indentation, and whitespace before the colon.
//!
//! [`Headers`] hands out one complete header at a time (its continuation lines joined), so
//! a parser can act on each header as the scan reaches it; [`scan`] collects them all.

use std::borrow::Cow;

use super::error::{ParseError, Snippet};
use super::lines::LineFinder;
use super::search::{find_any, find_byte};
use super::{MAX_DATAGRAM, MAX_HEADERS};

/// One header as it appears in the datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawHeader<'a> {
    /// 1-based position among the header lines.
    pub index: usize,
    /// Name as written (any case, compact or long form), trimmed.
    pub name: &'a [u8],
    /// Value with surrounding whitespace trimmed; folded continuation lines stay inside.
    pub value: &'a [u8],
    /// The value as text when the scan already knows it is UTF-8 without NUL.
    checked: Option<&'a str>,
}

impl<'a> RawHeader<'a> {
    /// The value as text, or a malformed-header error naming this header.
    #[inline]
    pub fn text(&self) -> Result<&'a str, ParseError> {
        match self.checked {
            Some(text) => Ok(text),
            None => self.text_checked(),
        }
    }

    /// [`RawHeader::text`] for a value the scan could not vouch for.
    #[cold]
    fn text_checked(&self) -> Result<&'a str, ParseError> {
        if self.value.contains(&0) {
            return Err(self.malformed("NUL byte in value"));
        }
        std::str::from_utf8(self.value).map_err(|_| self.malformed("not UTF-8"))
    }

    /// An error for this header with `reason`.
    pub fn malformed(&self, reason: &'static str) -> ParseError {
        ParseError::MalformedHeader {
            index: self.index,
            name: Snippet::new(self.name),
            reason,
        }
    }
}

/// A datagram split into its parts.
#[derive(Debug)]
pub struct Scanned<'a> {
    pub start_line: &'a [u8],
    pub headers: Vec<RawHeader<'a>>,
    /// Everything after the blank line (Content-Length is applied by the caller).
    pub body: &'a [u8],
}

/// Splits `datagram` into start line, headers and body.
pub fn scan(datagram: &[u8]) -> Result<Scanned<'_>, ParseError> {
    let (start_line, mut headers) = start(datagram)?;
    let mut all = Vec::with_capacity(16);
    for header in &mut headers {
        all.push(header?);
    }
    Ok(Scanned {
        start_line,
        headers: all,
        body: headers.body(),
    })
}

/// Reads the start line of `datagram` and returns it with the scanner for the headers that
/// follow it.
pub fn start(datagram: &[u8]) -> Result<(&[u8], Headers<'_>), ParseError> {
    if datagram.len() > MAX_DATAGRAM {
        return Err(ParseError::TooLarge { len: datagram.len() });
    }
    let first = datagram
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .ok_or(ParseError::Empty)?;
    let mut headers = Headers {
        data: datagram,
        lines: LineFinder::new(datagram),
        pos: first,
        count: 0,
        done: false,
        body_start: None,
    };
    let Some(line) = headers.read_line() else {
        // One unterminated line: a cut-off SIP start line, or not SIP at all.
        let rest = &datagram[first..];
        let sip_like = rest.windows(7).any(|w| w.eq_ignore_ascii_case(b"SIP/2.0"));
        return Err(if sip_like {
            ParseError::Truncated {
                reason: "no end of line",
            }
        } else {
            ParseError::NotSip
        });
    };
    let start_line = &datagram[line.start..line.end];
    if !is_sip_start_line(start_line) {
        return Err(ParseError::NotSip);
    }
    Ok((start_line, headers))
}

/// One line: where it starts, where it ends (before any CR of CRLF), and whether it is plain
/// text (ASCII without NUL).
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    plain: bool,
}

/// The headers after the start line, one complete header per step, in order. After the
/// last one (the blank line), [`Headers::body`] is the rest of the datagram.
pub struct Headers<'a> {
    data: &'a [u8],
    lines: LineFinder<'a>,
    /// Where the next unread line starts.
    pos: usize,
    count: usize,
    done: bool,
    body_start: Option<usize>,
}

impl<'a> Headers<'a> {
    /// What follows the blank line; empty until the scan has reached it (and when the
    /// datagram ended after a header without one).
    pub fn body(&self) -> &'a [u8] {
        self.body_start.map_or(&[], |at| &self.data[at..])
    }

    /// The next complete line, or `None` when no LF is left.
    #[inline]
    fn read_line(&mut self) -> Option<Line> {
        let start = self.pos;
        let (lf, plain) = self.lines.line_end(start)?;
        self.pos = lf + 1;
        let end = if lf > start && self.data[lf - 1] == b'\r' {
            lf - 1
        } else {
            lf
        };
        Some(Line { start, end, plain })
    }

    /// Stops the scan with `err`.
    fn fail(&mut self, err: ParseError) -> Option<Result<RawHeader<'a>, ParseError>> {
        self.done = true;
        Some(Err(err))
    }

    /// Joins the lines that continue a header whose value ends at `line.end`: indented lines,
    /// and lines without a colon after a value that ends in a comma (a list wrapped without
    /// indentation). The first byte of the next line tells without reading it in most cases.
    #[inline(always)]
    fn join_continuations(&mut self, line: &mut Line) {
        // The common case, told by two bytes: the next line starts a new header.
        let next_starts_header = !matches!(self.data.get(self.pos), Some(b' ' | b'\t'));
        let last = if line.end > line.start {
            self.data[line.end - 1]
        } else {
            b':'
        };
        if next_starts_header && last != b',' && !is_space(last) {
            return;
        }
        self.join_continuations_slow(line);
    }

    #[cold]
    fn join_continuations_slow(&mut self, line: &mut Line) {
        loop {
            let comma = match self.data.get(self.pos) {
                Some(b' ' | b'\t') => false,
                Some(_) if last_non_space(&self.data[line.start..line.end]) == Some(b',') => true,
                _ => return,
            };
            let before = self.pos;
            let Some(next) = self.read_line() else { return };
            if comma && (next.end == next.start || self.data[next.start..next.end].contains(&b':')) {
                self.pos = before;
                return;
            }
            line.end = next.end;
            line.plain &= next.plain;
        }
    }
}

impl<'a> Iterator for Headers<'a> {
    type Item = Result<RawHeader<'a>, ParseError>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let Some(mut line) = self.read_line() else {
            // The datagram ended without the blank line: fine after a complete line.
            self.done = true;
            if self.pos < self.data.len() {
                return self.fail(ParseError::Truncated {
                    reason: "header line without end of line",
                });
            }
            return None;
        };
        let text = &self.data[line.start..line.end];
        let Some(&first) = text.first() else {
            self.done = true;
            self.body_start = Some(self.pos);
            return None;
        };
        if matches!(first, b' ' | b'\t') {
            // Continuations are joined to the header before them; this one has none.
            return self.fail(ParseError::MalformedHeader {
                index: 1,
                name: Snippet::new(text),
                reason: "continuation line before any header",
            });
        }
        let index = self.count + 1;
        if index > MAX_HEADERS {
            return self.fail(ParseError::TooManyHeaders { max: MAX_HEADERS });
        }
        let Some(colon) = find_byte(text, b':') else {
            return self.fail(ParseError::MalformedHeader {
                index,
                name: Snippet::new(text),
                reason: "no colon",
            });
        };
        self.count = index;
        self.join_continuations(&mut line);
        // A name that is not a token (`Max Forwards`) cannot be a header sippnp reads; it is
        // kept as an unknown header rather than failing the whole message.
        let value = trim_value(&self.data[line.start + colon + 1..line.end]);
        let name = &text[..colon];
        let name = match (name.first(), name.last()) {
            (Some(&a), Some(&b)) if !is_space(a) && !is_space(b) => name,
            _ => trim(name),
        };
        Some(Ok(RawHeader {
            index,
            name,
            value,
            checked: line.plain.then(|| ascii_str(value)),
        }))
    }
}

/// The last byte of `bytes` that is not a space, tab, CR or LF.
#[inline]
fn last_non_space(bytes: &[u8]) -> Option<u8> {
    bytes.iter().rev().copied().find(|&b| !is_space(b))
}

/// `bytes`, which [`LineFinder`] found to be ASCII, as text.
#[inline]
fn ascii_str(bytes: &[u8]) -> &str {
    debug_assert!(bytes.is_ascii());
    // SAFETY: every byte of `bytes` is below 0x80 (the caller's check: `LineFinder` saw every
    // byte of the datagram up to the end of the lines `bytes` comes from), and ASCII is UTF-8.
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

/// Whether `data` holds any of the bytes in `wanted`, sixteen bytes per step.
#[inline]
pub(crate) fn contains_any<const N: usize>(data: &[u8], wanted: [u8; N]) -> bool {
    find_any(data, wanted).is_some()
}
/// A request line ends with `SIP/2.0`; a status line starts with it.
fn is_sip_start_line(line: &[u8]) -> bool {
    const VERSION: &[u8] = b"SIP/2.0";
    let line = trim(line);
    let n = VERSION.len();
    line.len() >= n && (line[line.len() - n..].eq_ignore_ascii_case(VERSION) || line[..n].eq_ignore_ascii_case(VERSION))
}

/// [`trim`] for a header value, quicker for the usual one space after the colon.
#[inline(always)]
fn trim_value(bytes: &[u8]) -> &[u8] {
    match bytes {
        [b' ', first, .., last] if !is_space(*first) && !is_space(*last) => &bytes[1..],
        _ => trim(bytes),
    }
}

#[inline]
fn trim(bytes: &[u8]) -> &[u8] {
    let mut bytes = bytes;
    while let [first, rest @ ..] = bytes
        && is_space(*first)
    {
        bytes = rest;
    }
    while let [rest @ .., last] = bytes
        && is_space(*last)
    {
        bytes = rest;
    }
    bytes
}
/// Space, tab, CR or LF.
#[inline]
fn is_space(b: u8) -> bool {
    b <= b' ' && matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Replaces each line break inside a folded value (and the whitespace around it) with one
/// space. Borrowed when the value was not folded.
pub fn unfold(value: &str) -> Cow<'_, str> {
    if !contains_any(value.as_bytes(), *b"\r\n") {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    for (i, part) in value.split('\n').enumerate() {
        let part = part.trim_end_matches('\r');
        if i == 0 {
            out.push_str(part.trim_end_matches([' ', '\t']));
        } else {
            let part = part.trim_start_matches([' ', '\t']);
            if !part.is_empty() {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(part);
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_lf_only_give_the_same_headers() {
        let crlf = b"SUBSCRIBE sip:x SIP/2.0\r\nVia: a\r\nTo: b\r\n\r\nbody";
        let lf = b"SUBSCRIBE sip:x SIP/2.0\nVia: a\nTo: b\n\nbody";
        for msg in [&crlf[..], &lf[..]] {
            let s = scan(msg).unwrap();
            assert_eq!(s.start_line, b"SUBSCRIBE sip:x SIP/2.0");
            assert_eq!(s.headers.len(), 2);
            assert_eq!(s.headers[1].name, b"To");
            assert_eq!(s.headers[1].value, b"b");
            assert_eq!(s.body, b"body");
        }
    }

    #[test]
    fn keepalives_folds_and_space_before_colon() {
        let msg = b"\r\n\r\nSUBSCRIBE sip:x SIP/2.0\r\nUser-Agent : Grandstream\r\n\tGXP2110\r\nAllow: A,\r\nB\r\n\r\n";
        let s = scan(msg).unwrap();
        assert_eq!(s.headers.len(), 2);
        assert_eq!(s.headers[0].name, b"User-Agent");
        assert_eq!(unfold(s.headers[0].text().unwrap()), "Grandstream GXP2110");
        assert_eq!(unfold(s.headers[1].text().unwrap()), "A, B");
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(scan(b"\r\n\r\n").unwrap_err(), ParseError::Empty);
        assert!(matches!(
            scan(b"SUBSCRIBE sip:x SIP/2.0").unwrap_err(),
            ParseError::Truncated { .. }
        ));
        assert_eq!(scan(b"\x00\x01 not SIP at all").unwrap_err(), ParseError::NotSip);
        assert!(matches!(
            scan(b"SUBSCRIBE sip:x SIP/2.0\r\nVia: a\r\nTo: b").unwrap_err(),
            ParseError::Truncated { .. }
        ));
        let err = scan(b"SUBSCRIBE sip:x SIP/2.0\r\nVia: a\r\ngarbage\r\n\r\n").unwrap_err();
        assert_eq!(err.to_string(), "malformed header 2 (garbage): no colon");
        let big = vec![b'a'; MAX_DATAGRAM + 1];
        assert!(matches!(scan(&big).unwrap_err(), ParseError::TooLarge { .. }));
        let many = format!("SUBSCRIBE sip:x SIP/2.0\r\n{}\r\n", "X: y\r\n".repeat(MAX_HEADERS + 1));
        assert_eq!(
            scan(many.as_bytes()).unwrap_err(),
            ParseError::TooManyHeaders { max: MAX_HEADERS }
        );
    }

    #[test]
    fn nul_and_invalid_utf8_values_are_malformed() {
        let s = scan(b"SUBSCRIBE sip:x SIP/2.0\r\nCall-ID: a\0b\r\nTo: \xff\r\n\r\n").unwrap();
        assert_eq!(
            s.headers[0].text().unwrap_err().to_string(),
            "malformed header 1 (Call-ID): NUL byte in value"
        );
        assert_eq!(
            s.headers[1].text().unwrap_err().to_string(),
            "malformed header 2 (To): not UTF-8"
        );
    }

    #[test]
    fn odd_header_names_are_kept_as_unknown() {
        let s = scan(b"SUBSCRIBE sip:x SIP/2.0\r\nMax Forwards: 70\r\n: empty\r\nTo: b\r\n\r\n").unwrap();
        let names: Vec<&[u8]> = s.headers.iter().map(|h| h.name).collect();
        assert_eq!(names, [&b"Max Forwards"[..], b"", b"To"]);
    }

    #[test]
    fn word_at_a_time_searches_match_the_plain_ones() {
        let data: Vec<u8> = (0..=255u8).chain(b"abc\ndef:\x80\x00".iter().copied()).collect();
        for start in 0..data.len() {
            let rest = &data[start..];
            for wanted in [*b"\r\n\0", *b"\x80\xff:"] {
                assert_eq!(contains_any(rest, wanted), rest.iter().any(|b| wanted.contains(b)));
            }
        }
    }

    #[test]
    fn missing_blank_line_after_complete_header_is_tolerated() {
        let s = scan(b"SUBSCRIBE sip:x SIP/2.0\r\nVia: a\r\n").unwrap();
        assert_eq!(s.headers.len(), 1);
        assert!(s.body.is_empty());
    }
}
