//! What a User-Agent string tells about the phone: vendor, model, firmware.
//! Shapes seen in the field: `Grandstream GXP2110 1.0.1.108`, `snom370/8.7.5.48`,
//! `snomM700/03.23.0005 (MAC=…)`, `Yealink SIP-T21P 34.72.14.6`, `AUDC-IPPhone/2.2.2`,
//! `Grandstream Model HW GXP2170 SW 1.0.11.3 DevId …`.

use crate::sip::params::split_at_byte;

/// Product-name prefixes (lower case) and the vendor they mean.
const VENDOR_PREFIXES: &[(&str, &str)] = &[
    ("grandstream", "grandstream"),
    ("snom", "snom"),
    ("yealink", "yealink"),
    ("fanvil", "fanvil"),
    ("htek", "htek"),
    ("gigaset", "gigaset"),
    ("panasonic", "panasonic"),
    ("kx-", "panasonic"),
    ("akuvox", "akuvox"),
    ("audc", "audiocodes"),
    ("audiocodes", "audiocodes"),
    ("planet", "planet"),
    ("tiptel", "tiptel"),
    ("atcom", "atcom"),
    ("escene", "escene"),
    ("flyingvoice", "flyingvoice"),
    ("vtech", "vtech"),
];

/// The vendor a User-Agent names at its start.
pub fn vendor(ua: &str) -> Option<&'static str> {
    let ua = ua.trim_start().as_bytes();
    // Every prefix starts with a letter: its first byte alone rules out most of them.
    let first = ua.first()? | 0x20;
    VENDOR_PREFIXES
        .iter()
        .find(|(prefix, _)| {
            prefix.as_bytes()[0] == first
                && ua
                    .get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
        })
        .map(|&(_, v)| v)
}

/// Model and firmware named by a User-Agent, as far as its shape allows.
pub fn model_and_firmware(ua: &str) -> (Option<&str>, Option<&str>) {
    // Byte searches: `str`'s searches for a `char` cost as much again as the rest.
    let product = split_at_byte(ua, b'(').map_or(ua, |(product, _comment)| product);
    // One pass over the words, keeping only what the shapes below look at.
    let mut leading = [""; 3];
    let mut count = 0;
    let (mut hardware, mut software) = (After::NotSeen, After::NotSeen);
    for word in product.split_whitespace() {
        hardware.see(word, "HW");
        software.see(word, "SW");
        if let Some(slot) = leading.get_mut(count) {
            *slot = word;
            count += 1;
        }
    }
    // `… HW <model> SW <firmware> …`
    if let (After::Found(model), After::Found(firmware)) = (hardware, software) {
        return (Some(model), Some(firmware));
    }
    // `snom370/8.7.5.48`, `AUDC-IPPhone/2.2.2`
    if let Some((model, firmware)) = leading[..count].first().and_then(|single| split_at_byte(single, b'/')) {
        return (non_empty(model), non_empty(firmware));
    }
    match &leading[..count] {
        // `Vendor Model Firmware …`
        [_, model, firmware, ..] if looks_like_version(firmware) => (Some(model), Some(firmware)),
        [_, model, ..] => (Some(model), None),
        _ => (None, None),
    }
}

/// The word after the first of some label, read word by word.
#[derive(Clone, Copy)]
enum After<'a> {
    NotSeen,
    /// The label was the last word seen.
    Next,
    Found(&'a str),
}

impl<'a> After<'a> {
    fn see(&mut self, word: &'a str, label: &str) {
        match self {
            After::Next => *self = After::Found(word),
            After::NotSeen if word == label => *self = After::Next,
            _ => {}
        }
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn looks_like_version(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit()) && s.bytes().any(|b| b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_is_the_first_prefix_that_matches() {
        let mut uas: Vec<String> = [
            "",
            " ",
            "\u{a0}snom",
            "@udc",
            "[anasonic",
            "KX-",
            "kx_",
            "é",
            "AUDC-IPPhone/2.2.2",
        ]
        .map(String::from)
        .to_vec();
        for (prefix, _) in VENDOR_PREFIXES {
            let upper = prefix.to_ascii_uppercase();
            let mixed: String = (prefix.chars().enumerate())
                .map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c })
                .collect();
            for ua in [prefix.to_string(), upper, mixed] {
                uas.push(format!("{ua} X1 1.0"));
                uas.push(format!("  {ua}"));
                uas.push(ua[..ua.len() - 1].to_string());
            }
        }
        for ua in &uas {
            let trimmed = ua.trim_start().as_bytes();
            let by_scan = (VENDOR_PREFIXES.iter())
                .find(|(prefix, _)| {
                    trimmed
                        .get(..prefix.len())
                        .is_some_and(|h| h.eq_ignore_ascii_case(prefix.as_bytes()))
                })
                .map(|&(_, v)| v);
            assert_eq!(vendor(ua), by_scan, "{ua:?}");
        }
    }

    /// [`model_and_firmware`] as first written: every word collected, then the shapes matched
    /// with `str`'s own searches.
    fn model_and_firmware_by_collecting(ua: &str) -> (Option<&str>, Option<&str>) {
        let product = ua.split('(').next().unwrap_or(ua);
        let words: Vec<&str> = product.split_whitespace().collect();
        let after = |label: &str| {
            words
                .iter()
                .position(|w| *w == label)
                .and_then(|i| words.get(i + 1).copied())
        };
        if let (Some(model), Some(firmware)) = (after("HW"), after("SW")) {
            return (Some(model), Some(firmware));
        }
        match words[..] {
            [single, ..] if single.contains('/') => {
                let (model, firmware) = single.split_once('/').unwrap_or((single, ""));
                (non_empty(model), non_empty(firmware))
            }
            [_, model, firmware, ..]
                if firmware.starts_with(|c: char| c.is_ascii_digit()) && firmware.contains('.') =>
            {
                (Some(model), Some(firmware))
            }
            [_, model, ..] => (Some(model), None),
            _ => (None, None),
        }
    }

    #[test]
    fn one_pass_over_the_words_agrees_with_collecting_them() {
        let mut uas: Vec<String> = [
            "",
            " ",
            "(",
            "(x y 1.0)",
            "/",
            "a/",
            "/b",
            "a/b/c",
            "snom370/8.7.5.48",
            "snomM700/03.23.0005 (MAC=000413000000; SER= 00000; HW=255)",
            "AUDC-IPPhone/2.2.2",
            "Yealink SIP-T21P 34.72.14.6",
            "Yealink\u{3000}W52P\u{a0}25.81.0.10",
            "Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82aabbcc",
            "HW",
            "HW SW",
            "HW HW SW SW",
            "SW 1.0 HW",
            "x HW m y SW",
            "x SW f HW m",
            "PLANET VIP-2140PT",
            "Vendor Model 1",
            "Vendor Model .1",
            "Vendor Model 1.",
            "Vendor Model x.1 more",
            "Vendor Model/1 2.0",
            "V M 1.0 (HW a SW b)",
            "\tV\x0bM\x0c1.0\r",
        ]
        .map(String::from)
        .to_vec();
        // More words than the first reading kept on its stack.
        uas.push((0..30).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ") + " HW m SW 1.2");
        uas.push((0..30).map(|i| format!("{i}.{i}")).collect::<Vec<_>>().join(" "));
        for ua in &uas {
            assert_eq!(model_and_firmware(ua), model_and_firmware_by_collecting(ua), "{ua:?}");
        }
    }

    #[test]
    fn field_shapes() {
        assert_eq!(vendor("Grandstream GXP2110 1.0.1.108"), Some("grandstream"));
        assert_eq!(
            model_and_firmware("Grandstream GXP2110 1.0.1.108"),
            (Some("GXP2110"), Some("1.0.1.108"))
        );
        assert_eq!(vendor("snom370/8.7.5.48"), Some("snom"));
        assert_eq!(
            model_and_firmware("snom370/8.7.5.48"),
            (Some("snom370"), Some("8.7.5.48"))
        );
        assert_eq!(
            model_and_firmware("snomM700/03.23.0005 (MAC=000413000000; SER= 00000; HW=255)"),
            (Some("snomM700"), Some("03.23.0005"))
        );
        assert_eq!(vendor("AUDC-IPPhone/2.2.2"), Some("audiocodes"));
        assert_eq!(
            model_and_firmware("Yealink SIP-T21P 34.72.14.6"),
            (Some("SIP-T21P"), Some("34.72.14.6"))
        );
        assert_eq!(
            model_and_firmware("Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82aabbcc"),
            (Some("GXP2170"), Some("1.0.11.3"))
        );
        assert_eq!(model_and_firmware("PLANET VIP-2140PT"), (Some("VIP-2140PT"), None));
        assert_eq!(vendor("MyPBX"), None);
    }
}
