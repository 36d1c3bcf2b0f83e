//! `;name=value` parameter lists as used by Via, From/To/Contact, Event and URIs.
//! Quoted values may contain `;` and `,`; names compare case-insensitively.

use std::borrow::Cow;

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

/// `str::trim` with a fast path: most SIP values start and end with a visible ASCII byte, and
/// then there is nothing to trim. Otherwise exactly `str::trim` (Unicode whitespace).
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

pub trait TrimFast {
    fn trim_fast(&self) -> &str;
}

impl TrimFast for str {
    #[inline]
    fn trim_fast(&self) -> &str {
        // What `str::trim` removes, when both ends are ASCII; otherwise `trim` itself.
        let b = self.as_bytes();
        match (b.first(), b.last()) {
            (Some(&f), Some(&l)) if f > b' ' && f < 0x80 && l > b' ' && l < 0x80 => return self,
            (None, _) => return self,
            _ => {}
        }
        let is_space = |b: u8| b == b' ' || (b'\t'..=b'\r').contains(&b);
        let (mut start, mut end) = (0, b.len());
        while start < end && is_space(b[start]) {
            start += 1;
        }
        while end > start && is_space(b[end - 1]) {
            end -= 1;
        }
        if start < end && (b[start] >= 0x80 || b[end - 1] >= 0x80) {
            return self.trim();
        }
        &self[start..end]
    }
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
    let mut rest = Some(list);
    std::iter::from_fn(move || {
        loop {
            let (item, after) = split_first(rest?, b';');
            rest = after;
            if let Some(param) = parse_one(item) {
                return Some(param);
            }
        }
    })
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
    let name = item[..eq].trim_fast();
    let raw = item[eq + 1..].trim_fast();
    let (value, quoted) = match raw.strip_prefix('"') {
        Some(inner) => (inner.strip_suffix('"').unwrap_or(inner), true),
        None => (raw, false),
    };
    Some(Param {
        name,
        value: Some(value),
        quoted,
    })
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

    #[test]
    fn split_respects_brackets() {
        let parts: Vec<_> = split_outside_quotes("<sip:a;x=1>;tag=2, \"x,y\" <sip:b>", b',').collect();
        assert_eq!(parts, vec!["<sip:a;x=1>;tag=2", " \"x,y\" <sip:b>"]);
    }
}
