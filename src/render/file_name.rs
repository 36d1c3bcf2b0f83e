//! File names built around a MAC address in one allocation (`cfg000b82273b89.xml`), without
//! going through the formatter.

use crate::device::Mac;

/// How the MAC's hex digits are written.
#[derive(Clone, Copy)]
pub(super) enum Case {
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

/// The 12 hex digits of `mac` in `case`, without separators.
pub(super) fn mac_hex(mac: Mac, case: Case) -> [u8; 12] {
    let digits: &[u8; 16] = match case {
        Case::Lower => b"0123456789abcdef",
        Case::Upper => b"0123456789ABCDEF",
    };
    let mut out = [0; 12];
    for (pair, byte) in out.chunks_exact_mut(2).zip(mac.0) {
        pair[0] = digits[usize::from(byte >> 4)];
        pair[1] = digits[usize::from(byte & 0x0f)];
    }
    out
}

/// The digits of [`mac_hex`] as text.
pub(super) fn hex_str(digits: &[u8; 12]) -> &str {
    std::str::from_utf8(digits).expect("hex digits are ASCII")
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
}
