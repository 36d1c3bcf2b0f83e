//! File names built around a MAC address in one allocation (`cfg000b82273b89.xml`), without
//! going through the formatter, and the MAC's hex digits they (and the URL template) use.

use crate::device::Mac;
use crate::ids::hex_digits;
use crate::swar::{ascii_str, splat};

/// How the MAC's hex digits are written.
#[derive(Clone, Copy)]
pub(crate) enum Case {
    Lower,
    Upper,
}

/// `prefix`, the 12 hex digits of `mac` in `case`, then `suffix`.
pub(super) fn mac_file_name(prefix: &str, mac: Mac, case: Case, suffix: &str) -> String {
    let digits = mac_hex(mac, case);
    let mut name = Vec::with_capacity(prefix.len() + digits.len() + suffix.len());
    name.extend_from_slice(prefix.as_bytes());
    name.extend_from_slice(&digits);
    name.extend_from_slice(suffix.as_bytes());
    // One check of the whole name (long enough for the word-at-a-time ASCII path) instead of
    // one of the digits alone.
    String::from_utf8(name).expect("text around ASCII hex digits")
}

/// The 12 hex digits of `mac` in `case`, without separators: eight digits at a time
/// ([`hex_digits`]), then case changed a word at a time.
pub(crate) fn mac_hex(mac: Mac, case: Case) -> [u8; 12] {
    let [a, b, c, d, e, f] = mac.0;
    let in_case = |digits: [u8; 8]| {
        let word = u64::from_ne_bytes(digits);
        let word = match case {
            Case::Lower => word,
            // Hex letters are the digits with bit 0x40 set; clearing their 0x20 makes them capitals.
            Case::Upper => word ^ ((word & splat(0x40)) >> 1),
        };
        word.to_ne_bytes()
    };
    let mut text = [0u8; 12];
    text[..8].copy_from_slice(&in_case(hex_digits(u32::from_be_bytes([a, b, c, d]))));
    text[8..].copy_from_slice(&in_case(hex_digits(u32::from_be_bytes([0, 0, e, f])))[4..]);
    text
}

/// The digits of [`mac_hex`] as text.
pub(crate) fn hex_str(digits: &[u8; 12]) -> &str {
    ascii_str(digits).expect("hex digits are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_the_mac_display() {
        let mac = Mac([0x00, 0x0b, 0x82, 0xa7, 0x3b, 0xf9]);
        assert_eq!(
            mac_file_name("cfg", mac, Case::Lower, ".xml"),
            format!("cfg{}.xml", mac.to_lower_hex())
        );
        assert_eq!(mac_file_name("", mac, Case::Upper, ""), mac.to_upper_hex());
        assert_eq!(hex_str(&mac_hex(mac, Case::Lower)), mac.to_lower_hex());
    }

    #[test]
    fn mac_digits_are_what_format_writes() {
        for mac in [
            [0; 6],
            [0xff; 6],
            [0x00, 0x0b, 0x82, 0x27, 0x3b, 0x89],
            [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc],
            [0xcd, 0xef, 0xa0, 0x0b, 0x9a, 0xf5],
        ] {
            let expected: String = mac.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(mac_hex(Mac(mac), Case::Lower), expected.as_bytes());
            assert_eq!(mac_hex(Mac(mac), Case::Upper), expected.to_uppercase().as_bytes());
        }
    }
}
