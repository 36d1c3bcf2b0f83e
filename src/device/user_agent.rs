//! What a User-Agent string tells about the phone: vendor, model, firmware.
//! Shapes seen in the field: `Grandstream GXP2110 1.0.1.108`, `snom370/8.7.5.48`,
//! `snomM700/03.23.0005 (MAC=…)`, `Yealink SIP-T21P 34.72.14.6`, `AUDC-IPPhone/2.2.2`,
//! `Grandstream Model HW GXP2170 SW 1.0.11.3 DevId …`.

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
    let product = ua.split('(').next().unwrap_or(ua);
    // The words on the stack; a User-Agent with more of them than fit takes the heap.
    let mut stack = [""; 24];
    let mut count = 0;
    for word in product.split_whitespace() {
        if count == stack.len() {
            let words: Vec<&str> = product.split_whitespace().collect();
            return from_words(&words);
        }
        stack[count] = word;
        count += 1;
    }
    from_words(&stack[..count])
}

fn from_words<'a>(words: &[&'a str]) -> (Option<&'a str>, Option<&'a str>) {
    // `… HW <model> SW <firmware> …`
    let after = |label: &str| {
        words
            .iter()
            .position(|w| *w == label)
            .and_then(|i| words.get(i + 1).copied())
    };
    if let (Some(model), Some(firmware)) = (after("HW"), after("SW")) {
        return (Some(model), Some(firmware));
    }
    match words {
        // `snom370/8.7.5.48`, `AUDC-IPPhone/2.2.2`
        [single, ..] if single.contains('/') => {
            let (model, firmware) = single.split_once('/').unwrap_or((single, ""));
            (non_empty(model), non_empty(firmware))
        }
        // `Vendor Model Firmware …`
        [_, model, firmware, ..] if looks_like_version(firmware) => (Some(model), Some(firmware)),
        [_, model, ..] => (Some(model), None),
        _ => (None, None),
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn looks_like_version(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit()) && s.contains('.')
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
