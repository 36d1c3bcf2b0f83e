//! SIP URIs as phones write them, including sloppy ones: no scheme, no host
//! (`sip:MAC%3A000B82273B89`), IPv6 hosts in brackets.

use super::masks::{MASKED_MAX, at_or_above, below, cut_at_ascii, first_bit, last_bit, range_masks};
use super::params;
use super::params::TrimFast;
use super::search::{find_any, find_byte};

/// A parsed URI, borrowing from the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uri<'a> {
    /// The URI exactly as written (trimmed).
    pub raw: &'a str,
    /// `sip`, `sips`, `tel`, … or empty when the URI had no scheme.
    pub scheme: &'a str,
    /// User part (userinfo before `@`), still percent-encoded.
    pub user: Option<&'a str>,
    /// Host without IPv6 brackets; `None` for URIs without a host.
    pub host: Option<&'a str>,
    pub port: Option<u16>,
    /// Parameter list after the first `;` of the host part (may be empty).
    pub params: &'a str,
}

impl<'a> Uri<'a> {
    /// Parses `raw`; `None` when a port is not a number or brackets are unbalanced.
    pub fn parse(raw: &'a str) -> Option<Uri<'a>> {
        let raw = raw.trim_fast();
        let rest_start = scheme_end(raw);
        if raw.len() - rest_start <= MASKED_MAX {
            let masks = range_masks(raw.as_bytes(), rest_start, raw.len(), URI_DELIMITERS);
            parse_masked(raw, rest_start, UriMasks::from(masks))
        } else {
            parse_searching(raw, rest_start)
        }
    }

    /// This URI's parse, for `text` written exactly as this URI's `raw` (the fields then
    /// borrow from `text`); `None` for any other text.
    #[inline]
    pub fn moved_to<'b>(&self, text: &'b str) -> Option<Uri<'b>> {
        if text != self.raw {
            return None;
        }
        let base = self.raw.as_ptr() as usize;
        // A field is a slice of `raw` (or empty): the same bytes of `text`.
        let at = |field: &str| -> Option<&'b str> {
            if field.is_empty() {
                return Some("");
            }
            let start = (field.as_ptr() as usize).wrapping_sub(base);
            text.get(start..)?.get(..field.len())
        };
        Some(Uri {
            raw: text,
            scheme: at(self.scheme)?,
            user: match self.user {
                Some(user) => Some(at(user)?),
                None => None,
            },
            host: match self.host {
                Some(host) => Some(at(host)?),
                None => None,
            },
            port: self.port,
            params: at(self.params)?,
        })
    }

    pub fn param(&self, name: &str) -> Option<params::Param<'a>> {
        params::find(self.params, name)
    }
}

/// The bytes a URI parse looks for, in the order of [`UriMasks`]'s fields.
const URI_DELIMITERS: [&[u8]; 4] = [b":", b"@", b";", b"?"];

/// Where the delimiters of the part of a URI after its scheme are (bit `i`: byte `i` of that
/// part, at most [`MASKED_MAX`] bytes).
struct UriMasks {
    colon: u64,
    at: u64,
    semicolon: u64,
    question: u64,
}

impl From<[u64; 4]> for UriMasks {
    fn from([colon, at, semicolon, question]: [u64; 4]) -> UriMasks {
        UriMasks {
            colon,
            at,
            semicolon,
            question,
        }
    }
}

/// [`Uri::parse`] of a trimmed `raw` whose part after the scheme (from `rest_start`, at most
/// [`MASKED_MAX`] bytes) has its delimiters in `masks`: the same fields as
/// [`parse_searching`], with bit operations in place of searches.
fn parse_masked(raw: &str, rest_start: usize, masks: UriMasks) -> Option<Uri<'_>> {
    // SAFETY (each cut): the ends are 0, the length, or at or right after the scheme's `:` or
    // a delimiter the masks found, all ASCII.
    let scheme = unsafe { cut_at_ascii(raw, 0..rest_start.saturating_sub(1)) };
    let rest = unsafe { cut_at_ascii(raw, rest_start..raw.len()) };
    // The headers (`?`) end the URI; the last `@` before them ends the user part; the first
    // `;` after it starts the parameters.
    let end = first_bit(masks.question).unwrap_or(rest.len());
    let at = last_bit(masks.at & below(end));
    let host_start = at.map_or(0, |i| i + 1);
    let semicolon = first_bit(masks.semicolon & at_or_above(host_start) & below(end));
    let params = semicolon.map_or("", |i| unsafe { cut_at_ascii(rest, i + 1..end) });
    let user = at.map(|i| unsafe { cut_at_ascii(rest, 0..i) });
    let hostport = unsafe { cut_at_ascii(rest, host_start..semicolon.unwrap_or(end)) }.trim_fast();
    let offset = hostport.as_ptr() as usize - rest.as_ptr() as usize;
    from_parts(raw, scheme, user, hostport, params, |hostport| {
        split_trimmed_host_port(hostport, masks.colon >> offset & below(hostport.len()))
    })
}

/// Where the part after the scheme starts: after `letters:`, unless what follows the colon
/// is a port (`host:5060`); 0 when there is no scheme.
fn scheme_end(raw: &str) -> usize {
    let bytes = raw.as_bytes();
    // `sip:` in any case, at once.
    if let Some(first4) = bytes.first_chunk::<4>()
        && u32::from_le_bytes(*first4) | 0x0020_2020 == u32::from_le_bytes(*b"sip:")
    {
        return if is_port(&bytes[4..]) { 0 } else { 4 };
    }
    let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters > 0 && bytes.get(letters) == Some(&b':') && !is_port(&bytes[letters + 1..]) {
        letters + 1
    } else {
        0
    }
}

/// [`split_host_port`] of an already trimmed `text` whose colons `colons` marks.
#[inline]
pub(crate) fn split_trimmed_host_port(text: &str, colons: u64) -> Option<(Option<&str>, Option<u16>)> {
    if text.starts_with('[') {
        return split_host_port(text);
    }
    let Some(colon) = first_bit(colons) else {
        return Some((Some(text).filter(|t| !t.is_empty()), None));
    };
    if colons & at_or_above(colon + 1) != 0 {
        // More than one colon: a bare IPv6 address.
        return Some((Some(text), None));
    }
    // The cuts below rely on it (a caller's wrong mask fails here, not there).
    assert_eq!(text.as_bytes()[colon], b':', "colon mask");
    // SAFETY: both cuts are at the colon, an ASCII byte, or an end.
    let (host, port) = unsafe { (cut_at_ascii(text, 0..colon), cut_at_ascii(text, colon + 1..text.len())) };
    Some((
        Some(host.trim_fast()).filter(|h| !h.is_empty()),
        Some(parse_port(port)?),
    ))
}

/// [`Uri::parse`] of a trimmed `raw` of any length whose scheme ends at `rest_start`,
/// searching for each delimiter in turn.
fn parse_searching(raw: &str, rest_start: usize) -> Option<Uri<'_>> {
    let (scheme, rest) = (&raw[..rest_start.saturating_sub(1)], &raw[rest_start..]);
    // One pass: the headers (`?`) end the URI; the last `@` ends the user part; the first
    // `;` after it starts the parameters.
    let (mut at, mut semicolon, mut end) = (None, None, rest.len());
    let mut from = 0;
    while let Some(found) = find_any(&rest.as_bytes()[from..], [b'?', b'@', b';']) {
        let i = from + found;
        match rest.as_bytes()[i] {
            b'?' => {
                end = i;
                break;
            }
            b'@' => (at, semicolon) = (Some(i), None),
            _ if semicolon.is_none() => semicolon = Some(i),
            _ => {}
        }
        from = i + 1;
    }
    let host_start = at.map_or(0, |i| i + 1);
    let (hostport, params) = match semicolon {
        Some(i) => (&rest[host_start..i], &rest[i + 1..end]),
        None => (&rest[host_start..end], ""),
    };
    let user = at.map(|i| &rest[..i]);
    from_parts(raw, scheme, user, hostport.trim_fast(), params, split_host_port)
}

/// The URI `raw` from its pieces. Without a user part, a `hostport` that cannot be a host is
/// the user (`sip:MAC%3A000B82273B89`); otherwise `split` reads the host and port from it.
#[inline(always)]
fn from_parts<'a>(
    raw: &'a str,
    scheme: &'a str,
    user: Option<&'a str>,
    hostport: &'a str,
    params: &'a str,
    split: impl FnOnce(&'a str) -> Option<(Option<&'a str>, Option<u16>)>,
) -> Option<Uri<'a>> {
    if user.is_none() && !looks_like_hostport(hostport) {
        return Some(Uri {
            raw,
            scheme,
            user: Some(hostport),
            host: None,
            port: None,
            params,
        });
    }
    let (host, port) = split(hostport)?;
    Some(Uri {
        raw,
        scheme,
        user,
        host,
        port,
        params,
    })
}

fn is_port(text: &[u8]) -> bool {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && matches!(text.get(digits), None | Some(b';' | b'?'))
}

fn looks_like_hostport(text: &str) -> bool {
    // Without an early exit: the loop is shorter, and a host is short.
    !text.is_empty() && text.bytes().fold(true, |all, b| all & HOSTPORT_BYTES[usize::from(b)])
}

/// The bytes a host and port are written with: letters, digits, `.-_:[]`.
static HOSTPORT_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b':' | b'[' | b']');
        b += 1;
    }
    table
};

/// Splits `host[:port]` / `[v6][:port]`; a bare IPv6 literal (several colons) has no port.
pub fn split_host_port(text: &str) -> Option<(Option<&str>, Option<u16>)> {
    let text = text.trim_fast();
    if text.is_empty() {
        return Some((None, None));
    }
    if let Some(inner) = text.strip_prefix('[') {
        let close = inner.find(']')?;
        let host = &inner[..close];
        let after = &inner[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.trim_fast().is_empty() => None,
            None => return None,
        };
        return Some((Some(host), port));
    }
    let Some(colon) = find_byte(text.as_bytes(), b':') else {
        return Some((Some(text), None));
    };
    let (host, port) = (&text[..colon], &text[colon + 1..]);
    if find_byte(port.as_bytes(), b':').is_some() {
        // More than one colon: a bare IPv6 address.
        return Some((Some(text), None));
    }
    Some((
        Some(host.trim_fast()).filter(|h| !h.is_empty()),
        Some(parse_port(port)?),
    ))
}

/// A port number, as `str::parse::<u16>` reads it (surrounding whitespace allowed).
pub fn parse_port(text: &str) -> Option<u16> {
    // Four plain digits (`5060`), the usual port, read at once; other plain digits directly.
    if let Some(port) = text.as_bytes().try_into().ok().and_then(four_digits) {
        return Some(port);
    }
    if let Some(port) = params::small_decimal(text).and_then(|n| u16::try_from(n).ok()) {
        return Some(port);
    }
    text.trim_fast().parse().ok()
}

/// The number four ASCII digits write, read as one word: `None` unless all four are digits.
fn four_digits(bytes: [u8; 4]) -> Option<u16> {
    let word = u32::from_le_bytes(bytes);
    // A digit is 0x30..=0x39: high nibble 3, and still 3 after adding 6 (no carry can cross
    // from a byte that passed the first test).
    let digits = word & 0xF0F0_F0F0 == 0x3030_3030 && word.wrapping_add(0x0606_0606) & 0xF0F0_F0F0 == 0x3030_3030;
    if !digits {
        return None;
    }
    // Byte 0 is the first digit. Pairs first (each byte times ten plus the next, below 100),
    // then the two pairs.
    let values = word & 0x0F0F_0F0F;
    let pairs = (values * 10 + (values >> 8)) & 0x00FF_00FF;
    Some(((pairs & 0xFFFF) * 100 + (pairs >> 16)) as u16)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn user_host_port_params() {
        let u = Uri::parse("sip:MAC%3A000B82273B89@224.0.1.75;transport=udp").unwrap();
        assert_eq!(
            (u.scheme, u.user, u.host, u.port),
            ("sip", Some("MAC%3A000B82273B89"), Some("224.0.1.75"), None)
        );
        assert_eq!(u.param("transport").unwrap().value, Some("udp"));
        let u = Uri::parse("sip:192.168.5.175:5080").unwrap();
        assert_eq!((u.user, u.host, u.port), (None, Some("192.168.5.175"), Some(5080)));
    }

    #[test]
    fn a_parse_moves_to_the_same_text_elsewhere() {
        for raw in [
            "sip:MAC%3A000B82273B89@224.0.1.75;transport=udp",
            "192.168.1.2:5060",
            "sip:[::1]:5062",
            "x",
        ] {
            let first = Uri::parse(raw).unwrap();
            let copy = raw.to_owned();
            let moved = first.moved_to(&copy).unwrap();
            assert_eq!(moved, Uri::parse(&copy).unwrap());
            let inside = |s: &str| s.is_empty() || copy.as_bytes().as_ptr_range().contains(&s.as_ptr());
            assert!(inside(moved.raw) && inside(moved.scheme) && inside(moved.params));
            assert!(moved.user.is_none_or(inside) && moved.host.is_none_or(inside));
            assert!(first.moved_to("sip:other@host").is_none());
        }
    }

    #[test]
    fn sloppy_forms() {
        let u = Uri::parse("sip:MAC%3A000B82273B89").unwrap();
        assert_eq!((u.user, u.host), (Some("MAC%3A000B82273B89"), None));
        let u = Uri::parse("sip:[2001:db8::10]:5062").unwrap();
        assert_eq!((u.host, u.port), (Some("2001:db8::10"), Some(5062)));
        let u = Uri::parse("192.168.1.2:5060").unwrap();
        assert_eq!((u.scheme, u.host, u.port), ("", Some("192.168.1.2"), Some(5060)));
        let u = Uri::parse("sip:MAC:00:15:65:f4:f9:e1@224.0.1.75").unwrap();
        assert_eq!(u.user, Some("MAC:00:15:65:f4:f9:e1"));
        let u = Uri::parse("sip:first.last@pbx.example").unwrap();
        assert_eq!((u.user, u.host), (Some("first.last"), Some("pbx.example")));
        assert!(Uri::parse("sip:host:99999").is_none());
        assert!(Uri::parse("sip:[::1").is_none());
    }

    /// Texts built from the pieces URIs, addresses and Vias are made of, sloppy ones included,
    /// short and long (around the 16-byte steps and the masked limit).
    pub(crate) fn sample_texts() -> Vec<String> {
        const PIECES: [&str; 24] = [
            "sip:",
            "SIPS:",
            "tel:",
            "MAC%3A000B82273B89",
            "@",
            "224.0.1.75",
            ":5060",
            ";",
            "tag=1692014507",
            "?",
            "[2001:db8::10]",
            "]",
            "[",
            " ",
            "\"",
            "<",
            ">",
            "=",
            "x",
            ":",
            "é",
            "\t",
            ",",
            "0",
        ];
        let mut texts = Vec::new();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for n in 0..6000 {
            let mut text = String::new();
            for _ in 0..(n % 13) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            }
            texts.push(text);
        }
        for text in [
            "sip:MAC%3A000B82273B89@224.0.1.75",
            "sip:172.18.32.197:5060",
            "sip:[::1]:5062;transport=udp",
            "192.168.1.2:5060",
            "sip:first.last@pbx.example:5070;user=phone?subject=x",
            "sip:a@b@c;x;y",
            "sip:host:99999",
            "sip:host: 5060",
            "sip: host :5060 ",
            "sip:5060",
            "sip:",
            "",
        ] {
            texts.push(text.to_owned());
        }
        let long = "sip:MAC%3A000B82273B89@224.0.1.75;transport=udp;x=1234567890";
        for len in 0..=long.len() {
            texts.push(long[..len].to_owned());
            texts.push(format!("  {}", &long[long.len() - len..]));
        }
        texts
    }

    #[test]
    fn masked_parse_agrees_with_searching_parse() {
        for text in sample_texts() {
            let raw = text.trim_fast();
            let rest_start = scheme_end(raw);
            if raw.len() - rest_start <= MASKED_MAX {
                let masks = range_masks(raw.as_bytes(), rest_start, raw.len(), URI_DELIMITERS);
                assert_eq!(
                    parse_masked(raw, rest_start, UriMasks::from(masks)),
                    parse_searching(raw, rest_start),
                    "{raw:?}"
                );
            }
            assert_eq!(scheme_end(raw), scheme_end_general(raw), "{raw:?}");
        }
    }

    /// Where the scheme ends, without the `sip:` shortcut.
    fn scheme_end_general(raw: &str) -> usize {
        let bytes = raw.as_bytes();
        let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        if letters > 0 && bytes.get(letters) == Some(&b':') && !is_port(&bytes[letters + 1..]) {
            letters + 1
        } else {
            0
        }
    }

    #[test]
    fn ports_read_as_str_parse_reads_them() {
        let mut texts = sample_texts();
        texts.extend(
            [
                "5060",
                "65535",
                "65536",
                "99999",
                "0",
                "00000005060",
                "+5060",
                " 5060 ",
                "",
                "-1",
                "5e3",
            ]
            .map(String::from),
        );
        // Every four-byte text of digits and the bytes around them.
        let around = b"0123456789/:@\x7f \xff";
        for a in around {
            for b in around {
                for c in around {
                    for d in around {
                        texts.push(String::from_utf8_lossy(&[*a, *b, *c, *d]).into_owned());
                    }
                }
            }
        }
        for text in texts {
            assert_eq!(parse_port(&text), text.trim().parse().ok(), "{text:?}");
        }
    }

    #[test]
    fn hostport_table_is_the_byte_class() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']');
            assert_eq!(HOSTPORT_BYTES[usize::from(b)], expected, "{b}");
        }
    }

    #[test]
    fn masked_host_port_split_agrees() {
        for text in sample_texts() {
            let text = text.trim_fast();
            if text.len() <= MASKED_MAX {
                let [colons] = range_masks(text.as_bytes(), 0, text.len(), [b":"]);
                assert_eq!(split_trimmed_host_port(text, colons), split_host_port(text), "{text:?}");
            }
        }
    }
}
