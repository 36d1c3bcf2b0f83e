//! The tolerant, zero-copy line scanner: splits a datagram into its start line, header lines
//! and body in one pass, without copying. It accepts what real phones send: LF-only line
//! ends, leading CRLF keep-alives, folded headers (kept in the raw value; see [`unfold`]),
//! list headers wrapped after a comma without indentation, and whitespace before the colon.
//!
//! [`Headers`] hands out one complete header at a time (its continuation lines joined), so
//! a parser can act on each header as the scan reaches it; [`scan`] collects them all.

use std::borrow::Cow;

use super::error::{ParseError, Snippet};
use super::lines::{LineEnd, LineFinder};
use super::search::{find_any, find_byte, find_byte_between};
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
    /// The scan found the value ASCII without NUL, so it is text without another look.
    plain: bool,
}

impl<'a> RawHeader<'a> {
    /// The value as text, or a malformed-header error naming this header.
    #[inline]
    pub fn text(&self) -> Result<&'a str, ParseError> {
        if self.plain {
            Ok(ascii_str(self.value))
        } else {
            self.text_checked()
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
        let end = self.lines.line_end(self.pos)?;
        Some(self.take_line(end))
    }

    /// The line at `self.pos`, which ends as `end` says; moves past it.
    #[inline]
    fn take_line(&mut self, end: LineEnd) -> Line {
        let LineEnd { lf, plain } = end;
        let start = self.pos;
        self.pos = lf + 1;
        let end = if lf > start && self.data[lf - 1] == b'\r' {
            lf - 1
        } else {
            lf
        };
        Line { start, end, plain }
    }

    /// Stops the scan with `err`.
    fn fail(&mut self, err: ParseError) -> Result<Option<RawHeader<'a>>, ParseError> {
        self.done = true;
        Err(err)
    }

    /// Joins the lines that continue a header whose value ends at `line.end`: indented lines,
    /// and lines without a colon after a value that ends in a comma (a list wrapped without
    /// indentation).
    fn join_continuations(&mut self, line: &mut Line) {
        loop {
            let comma = match self.data.get(self.pos) {
                Some(b' ' | b'\t') => false,
                Some(_) if last_non_space(&self.data[line.start..line.end]) == Some(b',') => true,
                _ => return,
            };
            let before = self.pos;
            let Some(next) = self.read_line() else { return };
            if comma && (next.end == next.start || find_byte(&self.data[next.start..next.end], b':').is_some()) {
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
        match self.next_common() {
            Ok(header) => Some(Ok(header)),
            Err(lf) => self.next_any(lf).transpose(),
        }
    }
}

impl<'a> Headers<'a> {
    /// The next header when its line has the common shape ([`Headers::common_header`]);
    /// otherwise `Err` with the LF that ends the line, if there is one, for
    /// [`Headers::next_any`]: `Err(None)` also after the blank line, which this step reads
    /// too (`next_any` then answers the end of the headers). [`Iterator::next`] is the two
    /// steps in one; a caller that takes them apart, as `Subscribe::parse` does, keeps the
    /// common header in registers, where the iterator's `Option<Result<RawHeader,
    /// ParseError>>` goes through memory (about 20 instructions per header).
    #[inline(always)]
    pub(crate) fn next_common(&mut self) -> Result<RawHeader<'a>, Option<usize>> {
        if self.done {
            return Err(None);
        }
        let end = self.lines.line_end(self.pos).ok_or(None)?;
        match self.common_header(end) {
            Some(header) => Ok(header),
            None if self.ends_headers(end.lf) => Err(None),
            None => Err(Some(end.lf)),
        }
    }

    /// Whether the line at `self.pos`, ending at `lf`, is the blank line (CRLF or LF alone);
    /// if so, the scan moves past it and the body starts after it, as [`Headers::next_any`]
    /// would have it.
    #[inline(always)]
    fn ends_headers(&mut self, lf: usize) -> bool {
        let blank = match lf - self.pos {
            0 => true,
            1 => self.data[self.pos] == b'\r',
            _ => false,
        };
        if blank {
            self.pos = lf + 1;
            self.done = true;
            self.body_start = Some(self.pos);
        }
        blank
    }

    /// The header on the line at `self.pos` (ending as `end` says) when it has the common
    /// shape, which needs none of the tolerances: a name without surrounding whitespace, a
    /// colon, one space, and a value that neither starts nor ends with whitespace. A next line
    /// indented (a fold) is joined as the general path joins it; a value ending with a comma
    /// and no fold may be a list wrapped without indentation, which the general path tells.
    /// `None`, with nothing read, for any other line: [`Headers::next_any`] reads it.
    #[inline(always)]
    fn common_header(&mut self, end: LineEnd) -> Option<RawHeader<'a>> {
        let LineEnd { lf, plain } = end;
        let start = self.pos;
        let index = self.count + 1;
        // The line with its LF and the next line's first byte: a datagram that ends right
        // after this line has no blank line, which the general path tells.
        let line = self.data.get(start..lf + 2)?;
        let colon = find_byte_between(self.data, start, lf, b':')?;
        let (name, rest) = line.split_at_checked(colon - start)?;
        // `rest` is the colon, the value, the LF and the next line's first byte; the colon and
        // the LF need no second look.
        let (value, &next) = match rest {
            [_colon, b' ', value @ .., b'\r', _lf, next] | [_colon, b' ', value @ .., _lf, next] => (value, next),
            _ => return None,
        };
        let (&name_first, &name_last) = (name.first()?, name.last()?);
        let (&value_first, &value_last) = (value.first()?, value.last()?);
        let common =
            index <= MAX_HEADERS && name_first > b' ' && name_last > b' ' && value_first > b' ' && value_last > b' ';
        if !common {
            return None;
        }
        if next == b' ' || next == b'\t' {
            // Folded: the continuation lines join the value, as on the general path.
            let line = self.take_line(end);
            return Some(self.complete_header(index, line, colon));
        }
        if value_last == b',' {
            // Perhaps a list wrapped without indentation: the general path tells.
            return None;
        }
        self.pos = lf + 1;
        self.count = index;
        Some(RawHeader {
            index,
            name,
            value,
            plain,
        })
    }

    /// The next header, read with every tolerance, `None` after the last one, or the error
    /// that ends the scan. `lf` is what [`Headers::next_common`] answered: the LF that ends
    /// the line at `self.pos`.
    #[cold]
    #[inline(never)]
    pub(crate) fn next_any(&mut self, lf: Option<usize>) -> Result<Option<RawHeader<'a>>, ParseError> {
        if self.done {
            return Ok(None);
        }
        let end = lf.map(|lf| LineEnd {
            lf,
            plain: self.lines.is_plain_before(lf),
        });
        let Some(line) = end.map(|end| self.take_line(end)) else {
            // The datagram ended without the blank line: fine after a complete line.
            self.done = true;
            if self.pos < self.data.len() {
                return self.fail(ParseError::Truncated {
                    reason: "header line without end of line",
                });
            }
            return Ok(None);
        };
        let text = &self.data[line.start..line.end];
        let Some(&first) = text.first() else {
            self.done = true;
            self.body_start = Some(self.pos);
            return Ok(None);
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
        let Some(colon) = find_byte(text, b':').map(|at| line.start + at) else {
            return self.fail(ParseError::MalformedHeader {
                index,
                name: Snippet::new(text),
                reason: "no colon",
            });
        };
        // A name that is not a token (`Max Forwards`) cannot be a header sippnp reads; it is
        // kept as an unknown header rather than failing the whole message.
        Ok(Some(self.complete_header(index, line, colon)))
    }

    /// Header number `index`, whose first line `line` (already read, its first colon at
    /// `colon`) passed every check: its continuation lines are joined, and name and value
    /// trimmed.
    #[inline(never)]
    fn complete_header(&mut self, index: usize, mut line: Line, colon: usize) -> RawHeader<'a> {
        self.count = index;
        self.join_continuations(&mut line);
        RawHeader {
            index,
            name: trim(&self.data[line.start..colon]),
            value: trim(&self.data[colon + 1..line.end]),
            plain: line.plain,
        }
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
    // The usual request line ends in exactly `SIP/2.0`: one comparison instead of the trims
    // and case folding below, which it passes too.
    if line.ends_with(VERSION) {
        return true;
    }
    let line = trim(line);
    let n = VERSION.len();
    line.len() >= n && (line[line.len() - n..].eq_ignore_ascii_case(VERSION) || line[..n].eq_ignore_ascii_case(VERSION))
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
    fn common_lines_read_as_the_general_path_reads_them() {
        let names: [&[u8]; 6] = [b"Via", b"v", b"Max Forwards", b" X", b"X ", b""];
        let separators: [&[u8]; 5] = [b":", b": ", b":  ", b" : ", b":\t"];
        let values: [&[u8]; 8] = [b"a", b"ab", b"a,", b"a ", b"a\x01", b"\xc3\xa9", b"x\0y", b""];
        let ends: [&[u8]; 3] = [b"\r\n", b"\n", b"\r\r\n"];
        let next_lines: [&[u8]; 9] = [
            b"To: b\r\n\r\n",
            b" more\r\n\r\n",
            b"\tmore\r\n\r\n",
            b" more,\r\nb\r\n \xff\r\n\r\n",
            b" a\r\n\r\n",
            b" \r\n",
            b"b\r\n\r\n",
            b"\r\n",
            b"",
        ];
        let mut fast_ones = 0;
        for name in names {
            for separator in separators {
                for value in values {
                    for end in ends {
                        for next in next_lines {
                            let msg = [b"SUBSCRIBE sip:x SIP/2.0\r\n", name, separator, value, end, next].concat();
                            if next_common_agrees_with_next_any(&msg) {
                                fast_ones += 1;
                            }
                        }
                    }
                }
            }
        }
        // The common shape takes the fast path: three names without surrounding whitespace,
        // `: `, four values without whitespace at either end (text or not), two line ends, and
        // eight next lines (a header, an unindented line, the blank line, five folds); a value
        // ending with a comma takes it only before a fold.
        assert_eq!(fast_ones, 3 * 2 * (4 * 8 + 5));
    }

    #[test]
    fn the_blank_line_ends_the_headers_as_on_the_general_path() {
        for msg in [
            &b"SUBSCRIBE sip:x SIP/2.0\r\n\r\nbody"[..],
            b"SUBSCRIBE sip:x SIP/2.0\n\nbody",
            b"SUBSCRIBE sip:x SIP/2.0\r\n\n",
            b"SUBSCRIBE sip:x SIP/2.0\n\r\n",
        ] {
            assert!(next_common_agrees_with_next_any(msg), "{msg:?}");
        }
        for msg in [
            &b"SUBSCRIBE sip:x SIP/2.0\r\n\r\r\n"[..],
            b"SUBSCRIBE sip:x SIP/2.0\r\n \r\n",
        ] {
            assert!(!next_common_agrees_with_next_any(msg), "{msg:?}");
        }
    }

    /// Reads the first header line of `msg` both ways; when `next_common` answers it (a
    /// header or the end of the headers), asserts it matches the general path and says so.
    fn next_common_agrees_with_next_any(msg: &[u8]) -> bool {
        let (_, mut fast) = start(msg).unwrap();
        let (_, mut general) = start(msg).unwrap();
        let header = match fast.next_common() {
            Ok(header) => Some(header),
            Err(None) if fast.done => fast.next_any(None).unwrap(),
            Err(_) => return false,
        };
        let lf = general.lines.line_end(general.pos).map(|end| end.lf);
        let expected = general.next_any(lf).unwrap();
        assert_eq!(header, expected, "{msg:?}");
        assert_eq!(header.map(|h| h.text()), expected.map(|h| h.text()), "{msg:?}");
        let state = |h: &Headers| (h.pos, h.count, h.done, h.body_start);
        assert_eq!(state(&fast), state(&general), "{msg:?}");
        true
    }

    #[test]
    fn missing_blank_line_after_complete_header_is_tolerated() {
        let s = scan(b"SUBSCRIBE sip:x SIP/2.0\r\nVia: a\r\n").unwrap();
        assert_eq!(s.headers.len(), 1);
        assert!(s.body.is_empty());
    }
}
