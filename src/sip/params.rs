//! `;name=value` parameter lists as used by Via, From/To/Contact, Event and URIs.
//! Quoted values may contain `;` and `,`; names compare case-insensitively.

use std::borrow::Cow;

use super::masks::cut_at_ascii;
use super::search::{find_any, find_byte};

/// One parameter: name, and value if it had `=` (quotes removed, escapes kept raw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param<'a> {
    pub name: &'a str,
    pub value: Option<&'a str>,
    /// Whether the value was a quoted string.
    pub quoted: bool,
}

impl Param<'_> {
    /// The value with `\x` escapes of a quoted string resolved.
    pub fn unescaped(&self) -> Option<Cow<'_, str>> {
        let value = self.value?;
        if !self.quoted || !value.contains('\\') {
            return Some(Cow::Borrowed(value));
        }
        let mut out = String::with_capacity(value.len());
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            out.push(if c == '\\' { chars.next().unwrap_or('\\') } else { c });
        }
        Some(Cow::Owned(out))
    }
}

/// Whether `name` is `lower` in any ASCII case. `lower` holds lower-case letters, digits and
/// punctuation; with its length a constant the comparison runs without a loop.
#[inline(always)]
pub(crate) fn eq_fold<const N: usize>(name: &[u8], lower: &[u8; N]) -> bool {
    let Ok(name) = <&[u8; N]>::try_from(name) else {
        return false;
    };
    let mut same = true;
    for i in 0..N {
        // Where `lower` has a letter, bit 0x20 of `name` is ignored; elsewhere bytes must match.
        let fold = u8::from(lower[i].is_ascii_lowercase()) << 5;
        same &= (name[i] | fold) == lower[i];
    }
    same
}

/// The value of the ASCII digits `bytes` starts with, at most nine of them (so it fits a
/// `u32`), and how many there were.
#[inline]
pub(crate) fn leading_decimal(bytes: &[u8]) -> (u32, usize) {
    let mut value = 0u32;
    let mut digits = 0;
    for &b in bytes.iter().take(9) {
        if !b.is_ascii_digit() {
            break;
        }
        value = value * 10 + u32::from(b - b'0');
        digits += 1;
    }
    (value, digits)
}

/// `text` as a number when it is one to nine ASCII digits (what `parse` would give, sooner).
#[inline]
pub(crate) fn small_decimal(text: &str) -> Option<u32> {
    let (value, digits) = leading_decimal(text.as_bytes());
    (digits > 0 && digits == text.len()).then_some(value)
}

/// `str::trim` with a fast path: most SIP values start and end with a visible ASCII byte, and
/// then there is nothing to trim. Otherwise exactly `str::trim` (Unicode whitespace).
pub trait TrimFast {
    fn trim_fast(&self) -> &str;
}

impl TrimFast for str {
    /// The test for nothing to trim is inlined where it is used; the trimming is not.
    #[inline(always)]
    fn trim_fast(&self) -> &str {
        let b = self.as_bytes();
        match (b.first(), b.last()) {
            (Some(&f), Some(&l)) if f > b' ' && f < 0x80 && l > b' ' && l < 0x80 => self,
            (None, _) => self,
            _ => trim_slow(self),
        }
    }
}

/// What `str::trim` removes, when both ends are ASCII; otherwise `trim` itself.
#[inline(never)]
fn trim_slow(text: &str) -> &str {
    let b = text.as_bytes();
    let is_space = |b: u8| b == b' ' || (b'\t'..=b'\r').contains(&b);
    let (mut start, mut end) = (0, b.len());
    while start < end && is_space(b[start]) {
        start += 1;
    }
    while end > start && is_space(b[end - 1]) {
        end -= 1;
    }
    if start < end && (b[start] >= 0x80 || b[end - 1] >= 0x80) {
        return text.trim();
    }
    &text[start..end]
}

/// Splits `text` at the first `byte` (an ASCII delimiter, so both halves are valid `str`).
/// Byte search: cheaper than `str::split_once(char)` on the short values SIP headers hold.
pub fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = find_byte(text.as_bytes(), byte)?;
    Some((&text[..at], &text[at + 1..]))
}

/// Like [`split_at_byte`], at the last `byte`.
pub fn rsplit_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = text.bytes().rposition(|b| b == byte)?;
    Some((&text[..at], &text[at + 1..]))
}

/// Iterates the parameters of `list`, text that starts right after the first `;`.
pub fn iter(list: &str) -> impl Iterator<Item = Param<'_>> {
    iter_classified(list, Classes::of(list))
}

/// As [`iter`], for a caller that already has `list`'s [`Classes`] (`None`: too long).
#[inline]
pub(crate) fn iter_classified(list: &str, classes: Option<Classes>) -> impl Iterator<Item = Param<'_>> {
    match classes.filter(|classes| !classes.odd) {
        Some(classes) => Params::Plain(PlainParams::of_plain(list, classes)),
        None => Params::General(Some(list)),
    }
}

/// The parameters of a list, read by [`PlainParams`] when the list is plain, else item by item.
enum Params<'a> {
    Plain(PlainParams<'a>),
    /// The text not read yet.
    General(Option<&'a str>),
}

impl<'a> Iterator for Params<'a> {
    type Item = Param<'a>;

    #[inline]
    fn next(&mut self) -> Option<Param<'a>> {
        match self {
            Params::Plain(plain) => plain.next(),
            Params::General(rest) => loop {
                let (item, after) = split_first((*rest)?, b';');
                *rest = after;
                if let Some(param) = parse_one(item) {
                    return Some(param);
                }
            },
        }
    }
}

/// The first parameter called `name` (case-insensitive).
pub fn find<'a>(list: &'a str, name: &str) -> Option<Param<'a>> {
    let mut rest = list;
    loop {
        let (item, after) = split_first(rest, b';');
        // The name alone first; the value is only read for the parameter asked for.
        let name_end = find_byte(item.as_bytes(), b'=').unwrap_or(item.len());
        if item[..name_end].trim_fast().eq_ignore_ascii_case(name) {
            return parse_one(item);
        }
        rest = after?;
    }
}

fn parse_one(item: &str) -> Option<Param<'_>> {
    let item = item.trim_fast();
    if item.is_empty() {
        return None;
    }
    let Some(eq) = item.bytes().position(|b| b == b'=') else {
        return Some(Param {
            name: item,
            value: None,
            quoted: false,
        });
    };
    Some(with_value(item[..eq].trim_fast(), item[eq + 1..].trim_fast()))
}

/// The parameter `name` = `raw` (both trimmed), its quotes taken off.
#[inline]
fn with_value<'a>(name: &'a str, raw: &'a str) -> Param<'a> {
    let (value, quoted) = match raw.strip_prefix('"') {
        Some(inner) => (inner.strip_suffix('"').unwrap_or(inner), true),
        None => (raw, false),
    };
    Param {
        name,
        value: Some(value),
        quoted,
    }
}

/// The parameters of a plain list: shorter than [`PlainParams::MAX_LEN`] and without
/// whitespace, control bytes, non-ASCII, brackets or backslashes, so nothing is trimmed or
/// escaped and only quotes can hide a `;`. Such a list (the usual Via or Event parameters) is
/// classified in one vector pass into bit masks, and each parameter then costs a few bit
/// operations instead of searches. Gives exactly what [`iter`]'s item-by-item reading gives.
pub(crate) struct PlainParams<'a> {
    list: &'a str,
    /// Bit i: a parameter ends at byte i (a `;` outside quotes, or the end of the list).
    ends: u128,
    /// Bit i: byte i is `=`.
    equals: u128,
    /// Where the next parameter starts.
    start: usize,
}

impl<'a> PlainParams<'a> {
    /// Lists this long or longer are left to the general reading (one bit per byte, plus the end).
    pub(crate) const MAX_LEN: usize = 128;

    /// The parameters of `list` when it is plain, else `None`.
    #[inline]
    pub(crate) fn new(list: &'a str) -> Option<PlainParams<'a>> {
        let classes = Classes::of(list).filter(|classes| !classes.odd)?;
        Some(PlainParams::of_plain(list, classes))
    }

    /// The parameters of `list`, a plain list whose classes are `classes`.
    #[inline]
    fn of_plain(list: &'a str, classes: Classes) -> PlainParams<'a> {
        debug_assert!(!classes.odd && list.len() < PlainParams::MAX_LEN);
        let quoted = inside_quotes(classes.quotes);
        PlainParams {
            list,
            ends: (classes.semicolons & !quoted) | (1u128 << list.len()),
            equals: classes.equals,
            start: 0,
        }
    }
}

impl<'a> Iterator for PlainParams<'a> {
    type Item = Param<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<Param<'a>> {
        while self.ends != 0 {
            let end = self.ends.trailing_zeros() as usize;
            self.ends &= self.ends - 1;
            let start = std::mem::replace(&mut self.start, end + 1);
            if start == end {
                continue;
            }
            // `start` < 128 here; without a `=` the count is 128 - start, past `end`.
            let eq = start + (self.equals >> start).trailing_zeros() as usize;
            return Some(if eq < end {
                with_value(self.ascii(start, eq), self.ascii(eq + 1, end))
            } else {
                Param {
                    name: self.ascii(start, end),
                    value: None,
                    quoted: false,
                }
            });
        }
        None
    }
}

impl<'a> PlainParams<'a> {
    /// `list[from..to]`, without the checks for character boundaries.
    #[inline(always)]
    fn ascii(&self, from: usize, to: usize) -> &'a str {
        // SAFETY: a plain list is all ASCII (`is_odd` rules out the bytes from 0x80), so every
        // position in it is at or after an ASCII byte.
        unsafe { cut_at_ascii(self.list, from..to) }
    }
}

/// Which bytes of a parameter list (shorter than 128 bytes) matter to [`PlainParams`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Classes {
    pub(crate) semicolons: u128,
    quotes: u128,
    equals: u128,
    /// Whether any byte makes the list not plain (see [`is_odd`]).
    pub(crate) odd: bool,
}

impl Classes {
    /// The classes of `text`; `None` from [`PlainParams::MAX_LEN`] bytes on.
    #[inline]
    pub(crate) fn of(text: &str) -> Option<Classes> {
        (text.len() < PlainParams::MAX_LEN).then(|| classify(text.as_bytes()))
    }

    /// The classes of the text after its first `n` bytes, for a text without odd bytes
    /// (`n` at most its length).
    #[inline]
    pub(crate) fn after(self, n: usize) -> Classes {
        debug_assert!(!self.odd && n < PlainParams::MAX_LEN);
        Classes {
            semicolons: self.semicolons >> n,
            quotes: self.quotes >> n,
            equals: self.equals >> n,
            odd: false,
        }
    }
}

/// Whether byte `b` keeps a list from being plain: it could be trimmed (ASCII whitespace,
/// and with the other control bytes and non-ASCII ruled out too), or it opens or closes
/// brackets, or escapes. `0x7f` is neither trimmed nor special, so it may stay.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
#[inline(always)]
fn is_odd(b: u8) -> bool {
    b <= b' ' || b >= 0x80 || matches!(b, b'<' | b'>' | b'[' | b']' | b'\\')
}

/// The bits from each opening quote up to its closing one (all the rest of the list after a
/// quote that is not closed): prefix XOR of the quote positions.
#[inline]
fn inside_quotes(quotes: u128) -> u128 {
    if quotes == 0 {
        return 0;
    }
    let mut inside = quotes;
    for shift in [1, 2, 4, 8, 16, 32, 64] {
        inside ^= inside << shift;
    }
    inside
}

/// [`Classes`] of `bytes` (fewer than 128), sixteen bytes per step.
#[inline]
fn classify(bytes: &[u8]) -> Classes {
    debug_assert!(bytes.len() < 128);
    // Each step's masks fill one 16-bit lane: no shifts across the 128 bits.
    let mut semicolons = [0u8; 16];
    let mut quotes = [0u8; 16];
    let mut equals = [0u8; 16];
    let mut odd = 0;
    let mut put = |chunk: chunk::Masks, lane: usize| {
        semicolons[2 * lane..2 * lane + 2].copy_from_slice(&chunk.semicolons.to_le_bytes());
        quotes[2 * lane..2 * lane + 2].copy_from_slice(&chunk.quotes.to_le_bytes());
        equals[2 * lane..2 * lane + 2].copy_from_slice(&chunk.equals.to_le_bytes());
        odd |= chunk.odd;
    };
    let full = bytes.len() / 16;
    for lane in 0..full {
        put(chunk::masks(&bytes[16 * lane..16 * lane + 16]), lane);
    }
    let left = bytes.len() % 16;
    if left > 0 && full > 0 {
        // The last sixteen bytes, less the ones already counted.
        put(chunk::masks(&bytes[bytes.len() - 16..]).shifted_down(16 - left), full);
    } else if left > 0 {
        // `b'a'` is a byte of no class: the padding counts for nothing.
        let mut padded = [b'a'; 16];
        padded[..left].copy_from_slice(bytes);
        put(chunk::masks(&padded), 0);
    }
    Classes {
        semicolons: u128::from_le_bytes(semicolons),
        quotes: u128::from_le_bytes(quotes),
        equals: u128::from_le_bytes(equals),
        odd: odd != 0,
    }
}

/// The classes of sixteen bytes as bit masks (bit i: byte i).
mod chunk {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(super) struct Masks {
        pub semicolons: u16,
        pub quotes: u16,
        pub equals: u16,
        /// Bytes for which [`super::is_odd`] holds.
        pub odd: u16,
    }

    impl Masks {
        /// The masks of bytes `n..16` moved to bits `0..16 - n`.
        #[inline]
        pub fn shifted_down(self, n: usize) -> Masks {
            Masks {
                semicolons: self.semicolons >> n,
                quotes: self.quotes >> n,
                equals: self.equals >> n,
                odd: self.odd >> n,
            }
        }
    }

    /// The masks of the first sixteen bytes of `chunk`.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[inline]
    pub(super) fn masks(chunk: &[u8]) -> Masks {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        assert!(chunk.len() >= 16);
        // SAFETY: the target has SSE2 (the `cfg` above); `chunk` has at least 16 readable bytes
        // (asserted) and `_mm_loadu_si128` has no alignment requirement.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let is = |byte: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8));
            let mask = |hits: __m128i| _mm_movemask_epi8(hits) as u16;
            // Signed bytes: below 0x21 are the control bytes, space and all of 0x80..=0xff.
            let mut odd = _mm_cmplt_epi8(v, _mm_set1_epi8(0x21));
            for byte in [b'<', b'>', b'[', b']', b'\\'] {
                odd = _mm_or_si128(odd, is(byte));
            }
            Masks {
                semicolons: mask(is(b';')),
                quotes: mask(is(b'"')),
                equals: mask(is(b'=')),
                odd: mask(odd),
            }
        }
    }

    /// The masks of the first sixteen bytes of `chunk`.
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    #[inline]
    pub(super) fn masks(chunk: &[u8]) -> Masks {
        let mut masks = Masks {
            semicolons: 0,
            quotes: 0,
            equals: 0,
            odd: 0,
        };
        for (i, &b) in chunk[..16].iter().enumerate() {
            masks.semicolons |= u16::from(b == b';') << i;
            masks.quotes |= u16::from(b == b'"') << i;
            masks.equals |= u16::from(b == b'=') << i;
            masks.odd |= u16::from(super::is_odd(b)) << i;
        }
        masks
    }
}

/// Splits `text` at `sep` bytes that are outside double quotes, `<…>` and `[…]`.
pub fn split_outside_quotes(text: &str, sep: u8) -> impl Iterator<Item = &str> {
    // Without `sep` anywhere there is nothing to split (one search for one byte).
    let mut rest = Some(text);
    let mut whole = find_byte(text.as_bytes(), sep).is_none();
    std::iter::from_fn(move || {
        if whole {
            whole = false;
            return rest.take();
        }
        let (item, after) = split_first(rest?, sep);
        rest = after;
        Some(item)
    })
}

/// The text before the first `sep` outside double quotes, `<…>` and `[…]`, and the text after
/// it (`None` when there is no such `sep`).
#[inline]
fn split_first(text: &str, sep: u8) -> (&str, Option<&str>) {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut from = 0;
    // From one structural byte to the next; a quoted string is skipped whole.
    while let Some(found) = find_any(&bytes[from..], [sep, b'"', b'<', b'[', b'>', b']']) {
        let at = from + found;
        from = at + 1;
        match bytes[at] {
            b'"' => from = after_quoted(bytes, at + 1),
            b'<' | b'[' => depth += 1,
            b'>' | b']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => return (&text[..at], Some(&text[at + 1..])),
            _ => {}
        }
    }
    (text, None)
}

/// Where a quoted string whose text starts at `from` ends: after its closing quote (a
/// backslash escapes the byte after it), or the end of `bytes` when it is not closed.
#[inline]
fn after_quoted(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(found) = find_any(&bytes[at.min(bytes.len())..], [b'"', b'\\']) {
        let hit = at + found;
        if bytes[hit] == b'"' {
            return hit + 1;
        }
        at = hit + 2;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_unquoted_and_flags() {
        let list = r#" profile-type="device" ; VENDOR=OEM;rport; model="a;b\"c""#;
        let params: Vec<_> = iter(list).collect();
        assert_eq!(params.len(), 4);
        assert_eq!(params[0].value, Some("device"));
        assert_eq!(find(list, "vendor").unwrap().value, Some("OEM"));
        assert_eq!(find(list, "rport").unwrap().value, None);
        assert_eq!(find(list, "model").unwrap().unescaped().unwrap(), "a;b\"c");
        assert!(find(list, "branch").is_none());
    }

    /// The parameters of `list` as the item-by-item reading gives them.
    fn general(list: &str) -> Vec<Param<'_>> {
        Params::General(Some(list)).collect()
    }

    /// A few thousand lists made of the bytes that matter to the reading, of every length up
    /// to past [`PlainParams::MAX_LEN`] (a fixed-seed generator, so failures repeat).
    fn sample_lists() -> Vec<String> {
        const PIECES: [&str; 16] = [
            ";", "=", "\"", "a", "bc", "tag", "x=1", ";;", "\"q;=\"", " ", "<", "]", "\\", "\u{e9}", "\x7f", "\t",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut lists = Vec::new();
        for round in 0..4000 {
            // Most lists plain (the first nine pieces), some with odd bytes.
            let kinds = if round % 4 == 0 { PIECES.len() } else { 9 };
            let mut list = String::new();
            let target = next(140);
            while list.len() < target {
                list.push_str(PIECES[next(kinds)]);
            }
            lists.push(list);
        }
        lists.extend(
            [
                "",
                ";",
                "a",
                "=",
                "\"",
                "a=\"",
                "a=\"b",
                "a=\"b\"",
                "a=\"\"",
                "=b",
                "a=",
                ";;a;;",
                "a=b=c",
                "a\"=\"b=c",
                "a=\"x;y\";b",
                "a=\"x;y;b",
                "p=\"\";q=\"\"\"",
                "branch=z9hG4bK458721093;rport",
            ]
            .map(String::from),
        );
        for len in [15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129] {
            lists.push("a=b;".repeat(len).chars().take(len).collect());
            lists.push("\"".repeat(len));
        }
        lists
    }

    #[test]
    fn plain_reading_gives_what_the_general_one_gives() {
        let mut plain_seen = 0;
        for list in sample_lists() {
            let plain = PlainParams::new(&list);
            let is_plain = list.len() < PlainParams::MAX_LEN && !list.bytes().any(is_odd);
            assert_eq!(plain.is_some(), is_plain, "{list:?}");
            if let Some(plain) = plain {
                plain_seen += 1;
                assert_eq!(plain.collect::<Vec<_>>(), general(&list), "{list:?}");
            }
            assert_eq!(iter(&list).collect::<Vec<_>>(), general(&list), "{list:?}");
        }
        assert!(plain_seen > 2000, "{plain_seen}");
    }

    #[test]
    fn odd_bytes_are_what_trimming_brackets_and_escapes_notice() {
        for b in 0..=255u8 {
            let trimmed = b < 0x80 && (b as char).is_whitespace();
            let special = matches!(b, b'<' | b'>' | b'[' | b']' | b'\\');
            // Whatever trimming could take off is odd, as are the bytes of non-ASCII characters.
            assert!(!trimmed || is_odd(b), "{b:#x}");
            assert_eq!(is_odd(b), !(0x21..0x80).contains(&b) || special, "{b:#x}");
        }
    }

    #[test]
    fn chunk_masks_match_a_byte_loop() {
        let all: Vec<u8> = (0..=255u8).collect();
        for offset in 0..all.len() - 16 {
            let chunk = &all[offset..offset + 16];
            let expect = |f: &dyn Fn(u8) -> bool| {
                chunk
                    .iter()
                    .enumerate()
                    .fold(0u16, |m, (i, &b)| m | (u16::from(f(b)) << i))
            };
            let masks = chunk::masks(chunk);
            assert_eq!(masks.semicolons, expect(&|b| b == b';'));
            assert_eq!(masks.quotes, expect(&|b| b == b'"'));
            assert_eq!(masks.equals, expect(&|b| b == b'='));
            assert_eq!(masks.odd, expect(&is_odd), "{offset}");
        }
    }

    #[test]
    fn classes_match_a_byte_loop() {
        for list in sample_lists().iter().filter(|l| l.len() < 128) {
            let bytes = list.as_bytes();
            let expect = |f: &dyn Fn(u8) -> bool| {
                bytes
                    .iter()
                    .enumerate()
                    .fold(0u128, |m, (i, &b)| m | (u128::from(f(b)) << i))
            };
            let classes = Classes {
                semicolons: expect(&|b| b == b';'),
                quotes: expect(&|b| b == b'"'),
                equals: expect(&|b| b == b'='),
                odd: bytes.iter().any(|&b| is_odd(b)),
            };
            assert_eq!(classify(bytes), classes, "{list:?}");
        }
    }

    #[test]
    fn inside_quotes_runs_from_each_opening_quote_to_its_closing_one() {
        let mut quotes = 0u128;
        for at in [3, 7, 20, 90, 100] {
            quotes |= 1 << at;
        }
        let inside = inside_quotes(quotes);
        for bit in 0..128 {
            let expect = (3..7).contains(&bit) || (20..90).contains(&bit) || bit >= 100;
            assert_eq!(inside >> bit & 1 == 1, expect, "{bit}");
        }
        assert_eq!(inside_quotes(0), 0);
    }

    #[test]
    fn trim_fast_is_trim() {
        let edges = [
            "", " ", "\t", "\r\n", "\u{a0}", "\u{3000}", "\u{e9}", "\x0b", "\x1f", "x", "\x7f",
        ];
        for start in edges {
            for middle in ["", "a", " b c ", "\u{e9}"] {
                for end in edges {
                    let text = format!("{start}{middle}{end}");
                    assert_eq!(text.trim_fast(), text.trim(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn split_respects_brackets() {
        let parts: Vec<_> = split_outside_quotes("<sip:a;x=1>;tag=2, \"x,y\" <sip:b>", b',').collect();
        assert_eq!(parts, vec!["<sip:a;x=1>;tag=2", " \"x,y\" <sip:b>"]);
    }
}
