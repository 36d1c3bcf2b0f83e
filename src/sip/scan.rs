//! The tolerant, zero-copy line scanner: splits a datagram into its start line, raw header
//! lines and body without copying. It accepts what real phones send: LF-only line ends,
//! leading CRLF keep-alives, folded headers (kept in the raw value; see [`unfold`]), list
//! headers wrapped after a comma without indentation, and whitespace before the colon.

use std::borrow::Cow;

use super::error::{ParseError, Snippet};
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
}

impl<'a> RawHeader<'a> {
    /// The value as text, or a malformed-header error naming this header.
    pub fn text(&self) -> Result<&'a str, ParseError> {
        if let Some(text) = ascii_text(self.value) {
            return Ok(text);
        }
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

impl RawHeader<'_> {
    /// A placeholder for header arrays.
    pub const EMPTY: RawHeader<'static> = RawHeader {
        index: 0,
        name: b"",
        value: b"",
    };
}

/// Splits `datagram` into start line, headers and body.
pub fn scan(datagram: &[u8]) -> Result<Scanned<'_>, ParseError> {
    let mut headers = [RawHeader::EMPTY; MAX_HEADERS];
    let (start_line, count, body) = scan_into(datagram, &mut headers)?;
    Ok(Scanned {
        start_line,
        headers: headers[..count].to_vec(),
        body,
    })
}

/// As [`scan`], with the headers written into `headers` (no allocation): returns the start
/// line, how many headers were written and the body.
pub fn scan_into<'a>(
    datagram: &'a [u8],
    headers: &mut [RawHeader<'a>; MAX_HEADERS],
) -> Result<(&'a [u8], usize, &'a [u8]), ParseError> {
    if datagram.len() > MAX_DATAGRAM {
        return Err(ParseError::TooLarge { len: datagram.len() });
    }
    let first = datagram
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .ok_or(ParseError::Empty)?;
    let mut lines = Lines {
        data: datagram,
        pos: first,
    };
    let Some((start_line, _)) = lines.next_line() else {
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
    if !is_sip_start_line(start_line) {
        return Err(ParseError::NotSip);
    }

    let mut count = 0usize;
    loop {
        let Some((line, line_start)) = lines.next_line() else {
            // The datagram ended after a complete header line but without the blank line.
            if lines.pos < datagram.len() {
                return Err(ParseError::Truncated {
                    reason: "header line without end of line",
                });
            }
            return Ok((start_line, count, &[]));
        };
        if line.is_empty() {
            return Ok((start_line, count, &datagram[lines.pos..]));
        }
        let colon = line.iter().position(|&b| b == b':');
        let continues_previous = matches!(line[0], b' ' | b'\t')
            || (colon.is_none() && count > 0 && headers[count - 1].value.ends_with(b","));
        if continues_previous {
            let Some(last) = count.checked_sub(1).map(|i| &mut headers[i]) else {
                return Err(ParseError::MalformedHeader {
                    index: 1,
                    name: Snippet::new(line),
                    reason: "continuation line before any header",
                });
            };
            let value_start = last.value.as_ptr() as usize - datagram.as_ptr() as usize;
            let value_end = line_start + line.len();
            last.value = trim(&datagram[value_start..value_end]);
            continue;
        }
        let index = count + 1;
        if index > MAX_HEADERS {
            return Err(ParseError::TooManyHeaders { max: MAX_HEADERS });
        }
        let Some(colon) = colon else {
            return Err(ParseError::MalformedHeader {
                index,
                name: Snippet::new(line),
                reason: "no colon",
            });
        };
        // A name that is not a token (`Max Forwards`) cannot be a header sippnp reads; it is
        // kept as an unknown header rather than failing the whole message.
        let name = trim(&line[..colon]);
        headers[count] = RawHeader {
            index,
            name,
            value: trim(&line[colon + 1..]),
        };
        count += 1;
    }
}

/// Line iterator that strips the CR of CRLF and remembers where each line starts.
struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Lines<'a> {
    /// The next complete line (without its line end) and its offset; `None` when no LF is left.
    fn next_line(&mut self) -> Option<(&'a [u8], usize)> {
        let start = self.pos;
        let rest = &self.data[start..];
        let nl = find_byte(rest, b'\n')?;
        self.pos = start + nl + 1;
        let line = &rest[..nl];
        Some((line.strip_suffix(b"\r").unwrap_or(line), start))
    }
}

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether the word has a zero byte.
#[inline]
fn has_zero(w: u64) -> bool {
    // The classic SWAR test; `& !w` keeps bytes of 0x80 and above from counting, so the answer
    // is exact (a borrow can only mark bytes above a real zero byte).
    (w.wrapping_sub(LOW) & !w & HIGH) != 0
}

/// The first `byte` in `data`, eight bytes per step.
#[inline]
pub(crate) fn find_byte(data: &[u8], byte: u8) -> Option<usize> {
    let pattern = LOW.wrapping_mul(u64::from(byte));
    let mut chunks = data.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if has_zero(w ^ pattern)
            && let Some(i) = chunk.iter().position(|&b| b == byte)
        {
            return Some(offset + i);
        }
        offset += 8;
    }
    chunks.remainder().iter().position(|&b| b == byte).map(|i| offset + i)
}

/// Whether `data` holds any of the bytes in `wanted` (one to three of them), eight bytes per
/// step.
#[inline]
pub(crate) fn contains_any(data: &[u8], wanted: &[u8]) -> bool {
    let patterns: [u64; 3] = std::array::from_fn(|i| LOW.wrapping_mul(u64::from(wanted[i.min(wanted.len() - 1)])));
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if has_zero(w ^ patterns[0]) || has_zero(w ^ patterns[1]) || has_zero(w ^ patterns[2]) {
            return true;
        }
    }
    chunks.remainder().iter().any(|b| wanted.contains(b))
}

/// `value` as text when it is all ASCII without NUL (the common case, checked eight bytes per
/// step); `None` sends the caller to the exact checks.
#[inline]
fn ascii_text(value: &[u8]) -> Option<&str> {
    let mut chunks = value.chunks_exact(8);
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if w & HIGH != 0 || has_zero(w) {
            return None;
        }
    }
    if chunks.remainder().iter().any(|&b| b == 0 || b >= 0x80) {
        return None;
    }
    std::str::from_utf8(value).ok()
}

/// A request line ends with `SIP/2.0`; a status line starts with it.
fn is_sip_start_line(line: &[u8]) -> bool {
    const VERSION: &[u8] = b"SIP/2.0";
    let line = trim(line);
    let n = VERSION.len();
    line.len() >= n && (line[line.len() - n..].eq_ignore_ascii_case(VERSION) || line[..n].eq_ignore_ascii_case(VERSION))
}

fn trim(bytes: &[u8]) -> &[u8] {
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = bytes.iter().position(|b| !is_ws(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !is_ws(b)).map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// Replaces each line break inside a folded value (and the whitespace around it) with one
/// space. Borrowed when the value was not folded.
pub fn unfold(value: &str) -> Cow<'_, str> {
    if !contains_any(value.as_bytes(), b"\r\n") {
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
            for byte in [b'\n', b':', 0, 0x80, 0xff, b'a'] {
                let rest = &data[start..];
                assert_eq!(find_byte(rest, byte), rest.iter().position(|&b| b == byte));
            }
            let plain = (!data[start..].contains(&0) && data[start..].is_ascii())
                .then(|| std::str::from_utf8(&data[start..]).unwrap());
            assert_eq!(ascii_text(&data[start..]), plain);
            for wanted in [&b"\r\n\0"[..], b"\r\n", b":", b"\x80\xff"] {
                let rest = &data[start..];
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
