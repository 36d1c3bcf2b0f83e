//! MAC addresses: finding them in the many spellings phones use, and printing them.

use std::fmt;

use crate::sip::params::eq_fold;
use crate::sip::search::find_any;

/// A 48-bit MAC address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// 12 lower-case hex digits, no separators (`000b82273b89`).
    pub fn to_lower_hex(&self) -> String {
        self.to_string()
    }

    /// 12 upper-case hex digits, no separators (`000B82273B89`).
    pub fn to_upper_hex(&self) -> String {
        self.to_string().to_ascii_uppercase()
    }

    /// The first three bytes as one number (the IEEE MA-L block).
    pub fn oui(&self) -> u32 {
        u32::from_be_bytes([0, self.0[0], self.0[1], self.0[2]])
    }

    /// Parses a MAC written as 12 hex digits, optionally separated by `:`, `-` or `.`
    /// (`000b82273b89`, `00:0B:82:27:3B:89`, `00-0b-82-27-3b-89`, `000b.8227.3b89`).
    /// Anything else (other characters, wrong digit count) is `None`.
    pub fn parse(text: &str) -> Option<Mac> {
        // In twelve bytes only twelve digits spell a MAC (a separator leaves too few).
        if let Ok(digits) = <&[u8; 12]>::try_from(text.as_bytes()) {
            return Mac::from_hex_digits(digits);
        }
        let mut bytes = [0u8; 6];
        let mut digits = 0usize;
        for c in text.bytes() {
            if matches!(c, b':' | b'-' | b'.') {
                continue;
            }
            let nibble = (c as char).to_digit(16)? as u8;
            if digits == 12 {
                return None;
            }
            bytes[digits / 2] = (bytes[digits / 2] << 4) | nibble;
            digits += 1;
        }
        (digits == 12).then_some(Mac(bytes))
    }

    /// Exactly twelve hex digits (either case), without separators.
    #[inline]
    fn from_hex_digits(digits: &[u8; 12]) -> Option<Mac> {
        let mut bytes = [0u8; 6];
        let mut seen = 0;
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let (high, low) = (HEX_VALUE[usize::from(pair[0])], HEX_VALUE[usize::from(pair[1])]);
            seen |= high | low;
            *byte = (high << 4) | low;
        }
        // Digits are below 16; `NOT_HEX` is not.
        (seen < 16).then_some(Mac(bytes))
    }

    /// Finds a MAC in a SIP URI user part: `MAC%3A…`, `MAC%3a…`, `MAC=…`, `MAC:…`, `MAC…`
    /// (prefix in any case), or a bare MAC; percent-escapes anywhere are decoded first.
    pub fn from_uri_user(user: &str) -> Option<Mac> {
        // Twelve digits take twelve bytes however they are spelled (an escape only adds bytes).
        if user.len() < 12 {
            return None;
        }
        // The usual spellings, `MAC%3A…`, `MAC…` or the bare digits, read as written without
        // a search for escapes: a MAC found so holds no `%`, and the only separator the full
        // reading would strip after the prefix that `Mac::parse` does not skip anyway is `=`,
        // which it rejects. So the full reading gives the same MAC; without one, it decides.
        let bytes = user.as_bytes();
        let written = if eq_fold(&bytes[..6], b"mac%3a") {
            &user[6..]
        } else if eq_fold(&bytes[..3], b"mac") {
            &user[3..]
        } else {
            user
        };
        // `written` starts after ASCII bytes, so on a character boundary.
        if let Some(mac) = Mac::parse(written) {
            return Some(mac);
        }
        let mut buf = [0u8; 64];
        let decoded = percent_decode(user, &mut buf)?;
        let rest = strip_prefix_ignore_case(&decoded, "mac").unwrap_or(&decoded);
        let rest = rest
            .strip_prefix(':')
            .or_else(|| rest.strip_prefix('='))
            .unwrap_or(rest);
        Mac::parse(rest)
    }

    /// Finds `MAC=…` or `MAC:…` (any case) in free text such as a User-Agent
    /// (`snomM700/03.23.0005 (MAC=000413…; SER=…)`), or Grandstream's `DevId 000b82…`.
    /// Read in place: a lower-cased copy and a collected candidate cost two allocations,
    /// most of the time `identify` took for a phone whose MAC only its User-Agent gives.
    pub fn from_free_text(text: &str) -> Option<Mac> {
        let bytes = text.as_bytes();
        for marker in [&b"mac="[..], b"mac:", b"devid "] {
            // Each marker starts with a letter: the places holding it in either case are
            // searched for sixteen bytes per step, and only there is the marker compared.
            let first = [marker[0], marker[0].to_ascii_uppercase()];
            let mut from = 0;
            while let Some(found) = find_any(&bytes[from..], first) {
                let at = from + found;
                from = at + 1;
                if let Some(mac) = Mac::after_marker(text, at, marker) {
                    return Some(mac);
                }
            }
        }
        None
    }

    /// The MAC spelled right after `marker` (any case) when `text` holds it at `at`.
    #[inline]
    fn after_marker(text: &str, at: usize, marker: &[u8]) -> Option<Mac> {
        let spelled_at = at + marker.len();
        if !text.as_bytes().get(at..spelled_at)?.eq_ignore_ascii_case(marker) {
            return None;
        }
        // The text after the ASCII marker begins a character.
        let after = text[spelled_at..].trim_start();
        // Every byte before the first that cannot spell a MAC is ASCII: a character boundary.
        let spelled = (after.bytes())
            .position(|b| !(b.is_ascii_hexdigit() || matches!(b, b':' | b'-' | b'.')))
            .unwrap_or(after.len());
        Mac::parse(after[..spelled].trim_end_matches(['.', ':', '-']))
    }
}

/// What [`HEX_VALUE`] holds for a byte that is not a hex digit.
const NOT_HEX: u8 = 0xff;

/// The value of each byte as a hex digit, or [`NOT_HEX`].
const HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(value) = (b as u8 as char).to_digit(16) {
            table[b] = value as u8;
        }
        b += 1;
    }
    table
};

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// Decodes `%XX` escapes; `None` on a broken escape or non-UTF-8 result. Borrowed when there is
/// no escape; decoded into `buf` when it fits, else onto the heap.
fn percent_decode<'a>(text: &'a str, buf: &'a mut [u8]) -> Option<std::borrow::Cow<'a, str>> {
    use std::borrow::Cow;
    if !text.contains('%') {
        return Some(Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    let mut heap = Vec::new();
    let on_stack = bytes.len() <= buf.len();
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            i += 3;
            u8::from_str_radix(hex, 16).ok()?
        } else {
            i += 1;
            bytes[i - 1]
        };
        if on_stack {
            buf[n] = b;
            n += 1;
        } else {
            heap.push(b);
        }
    }
    if on_stack {
        std::str::from_utf8(&buf[..n]).ok().map(Cow::Borrowed)
    } else {
        String::from_utf8(heap).ok().map(Cow::Owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GS: Mac = Mac([0x00, 0x0b, 0x82, 0x27, 0x3b, 0x89]);

    #[test]
    fn every_uri_spelling_gives_the_same_mac() {
        for user in [
            "MAC%3A000B82273B89",
            "MAC%3a000B82273B89",
            "mac%3a000b82273b89",
            "MAC=000b82273b89",
            "MAC:000b82273b89",
            "MAC000b82273b89",
            "MAC:00:0b:82:27:3b:89",
            "MAC%3A00%3A0B%3A82%3A27%3A3B%3A89",
            "MAC%3A00:0B:82:27:3B:89",
            "MAC=00-0B-82-27-3B-89",
            "000b82273b89",
        ] {
            assert_eq!(Mac::from_uri_user(user), Some(GS), "{user}");
        }
    }

    #[test]
    fn wrong_lengths_and_junk_are_rejected() {
        for user in [
            "MAC%3A000B82273B8",
            "MAC%3A000B82273B899",
            "MAC%3A000B82273B8G",
            "MAC%3",
            "MAC%ZZ00",
            "00000001",
            "MACxyz",
            "",
        ] {
            assert_eq!(Mac::from_uri_user(user), None, "{user}");
        }
    }

    /// [`Mac::parse`] written another way, to hold the fast paths to.
    fn parse_by_loop(text: &str) -> Option<Mac> {
        let digits: Vec<u8> = text.bytes().filter(|b| !matches!(b, b':' | b'-' | b'.')).collect();
        if digits.len() != 12 {
            return None;
        }
        let mut bytes = [0u8; 6];
        for (i, &c) in digits.iter().enumerate() {
            bytes[i / 2] = (bytes[i / 2] << 4) | (c as char).to_digit(16)? as u8;
        }
        Some(Mac(bytes))
    }

    #[test]
    fn twelve_digit_fast_paths_agree_with_the_loop() {
        let mut texts: Vec<String> = [
            "000B82273B89",
            "000b82273b89",
            "ffFFffFFffFF",
            "00:0b:82:27:3b",
            "0000000000:0",
            "00:0b:82:27:3b:89",
            ":000b82273b89",
            "=000b82273b89",
            "000b.8227.3b89",
            "00%3A0b%3A82%3A27%3A3b%3A89",
            "%30%30%30%62%38%32%32%37%33%62%38%39",
            "000b82273b89%",
        ]
        .map(String::from)
        .to_vec();
        // Each byte value at each place of a twelve-digit MAC.
        for at in 0..12 {
            for b in 0..=255u8 {
                let mut bytes = *b"0a1B2c3D4e5F";
                bytes[at] = b;
                if let Ok(text) = String::from_utf8(bytes.to_vec()) {
                    texts.push(text);
                }
            }
        }
        texts.push("é00b82273b8".into());
        for text in &texts {
            assert_eq!(Mac::parse(text), parse_by_loop(text), "{text:?}");
            for prefix in [
                "", "MAC%3A", "mac%3a", "MaC%3A", "MAC%3B", "MAC", "mac", "mAc", "MAC:", "MAC=", "MA", "%4dAC",
                "MAC%3D",
            ] {
                let user = format!("{prefix}{text}");
                // Decoded, prefix and separator stripped, read by the loop: no fast path.
                let mut buf = [0u8; 64];
                let general = percent_decode(&user, &mut buf).and_then(|d| {
                    let rest = strip_prefix_ignore_case(&d, "mac").unwrap_or(&d);
                    parse_by_loop(
                        rest.strip_prefix(':')
                            .or_else(|| rest.strip_prefix('='))
                            .unwrap_or(rest),
                    )
                });
                assert_eq!(Mac::from_uri_user(&user), general, "{user:?}");
            }
        }
    }

    #[test]
    fn user_agent_markers() {
        assert_eq!(
            Mac::from_free_text("snomM700/03.23.0005 (MAC=000B82273B89; SER= 00000; HW=255)"),
            Some(GS)
        );
        assert_eq!(
            Mac::from_free_text("Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82273b89"),
            Some(GS)
        );
        assert_eq!(Mac::from_free_text("Yealink W52P 25.81.0.10"), None);
    }

    /// [`Mac::from_free_text`] as it was first written: the markers found in a lower-cased
    /// copy, each candidate collected into a string.
    fn from_free_text_by_lowering(text: &str) -> Option<Mac> {
        let lower = text.to_ascii_lowercase();
        for marker in ["mac=", "mac:", "devid "] {
            let mut from = 0;
            while let Some(pos) = lower[from..].find(marker) {
                let start = from + pos + marker.len();
                let candidate: String = text[start..]
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '-' | '.'))
                    .collect();
                if let Some(mac) = Mac::parse(candidate.trim_end_matches(['.', ':', '-'])) {
                    return Some(mac);
                }
                from = start;
            }
        }
        None
    }

    #[test]
    fn free_text_search_agrees_with_lowering() {
        let texts = [
            "",
            "mac=",
            "MAC=000B82273B89",
            "mAc:00:0b:82:27:3b:89.",
            "DEVID 000b82273b89",
            "devid\u{3000}000b82273b89",
            "x (MAC= \u{a0}000413a1b2c3; SER=1)",
            "MAC=zz MAC=000413A1B2C3 MAC:000b82273b89",
            "MAC:000b82273b89 MAC=000413A1B2C3",
            "mac=00041 devid 000b82273b89",
            "MAC=000413A1B2C3é",
            "MAC=000413A1B2C3-",
            "MAC=000413A1B2C3.:-x",
            "MAC=000413A1B2C",
            "MAC=000413A1B2C3D",
            "Mac=é000413A1B2C3 mac=000413a1b2c3",
            "mmac==000413a1b2c3",
            "devidd 000b82273b89 devid 000b82273b8",
            "ÄMAC=000413A1B2C3",
            "M\u{212a}C=000413A1B2C3",
            "snomD785/10.1.54.13 (MAC=000413A1B2C3)",
            "Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82aabbcc",
            "AUDC-IPPhone/2.2.2",
            "d",
            "m",
            "DevId",
            "mac=000413A1B2C",
            "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmac=000413a1b2c3",
            "dddddddddddddddddddddd devid 000b82273b89 mac: 000413a1b2c3",
            "a long User-Agent with the marker past the first sixteen bytes MAC:00-04-13-A1-B2-C3",
            "Mac=ffffffffffff and more text after it than sixteen bytes",
        ];
        for text in texts {
            assert_eq!(Mac::from_free_text(text), from_free_text_by_lowering(text), "{text:?}");
        }
    }

    #[test]
    fn users_shorter_than_a_mac_are_rejected_as_the_general_reading_rejects_them() {
        let users = [
            "",
            "MAC",
            "MAC%3A",
            "00000001",
            "000b82273b8",
            "MAC=000b822",
            "%30%30%30%3",
            "0:0:0:0:0:0",
        ];
        for user in users {
            assert!(user.len() < 12);
            let mut buf = [0u8; 64];
            let general = percent_decode(user, &mut buf).and_then(|d| {
                let rest = strip_prefix_ignore_case(&d, "mac").unwrap_or(&d);
                Mac::parse(
                    rest.strip_prefix(':')
                        .or_else(|| rest.strip_prefix('='))
                        .unwrap_or(rest),
                )
            });
            assert_eq!(general, None, "{user:?}");
            assert_eq!(Mac::from_uri_user(user), None, "{user:?}");
        }
    }

    #[test]
    fn prints_lower_and_upper() {
        assert_eq!(GS.to_lower_hex(), "000b82273b89");
        assert_eq!(GS.to_upper_hex(), "000B82273B89");
        assert_eq!(GS.oui(), 0x000b82);
    }
}
