//! Characters a format cannot carry: the checks shared by the text renderers, which have no
//! quoting or escaping for line breaks. Which characters a format refuses beyond the ones of
//! [`breaks_line`] (Panasonic's `"`) and which keys it accepts stay with the vendor.

use std::fmt::Display;

use super::RenderError;
use crate::swar::{HIGHS, bytes_below, bytes_equal};

/// Characters a line-oriented value cannot carry: control characters (C0, DEL, C1, which
/// include CR, LF, NUL and NEL) and the Unicode line and paragraph separators.
pub(super) fn breaks_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Refuses `value` when it holds a character `refused` accepts, as
/// [`RenderError::ControlCharacter`] naming `field` (never the value).
pub(super) fn check_value(value: &str, field: impl Display, refused: impl Fn(char) -> bool) -> Result<(), RenderError> {
    if value.chars().any(refused) {
        Err(RenderError::ControlCharacter {
            field: field.to_string(),
        })
    } else {
        Ok(())
    }
}

/// [`check_value`] with [`breaks_line`], which accepts printable ASCII without looking at
/// characters.
#[inline]
pub(super) fn check_line_value(value: &str, field: impl Display) -> Result<(), RenderError> {
    if is_printable_ascii(value.as_bytes(), None) {
        Ok(())
    } else {
        check_value(value, field, breaks_line)
    }
}

/// Checks the override key at 0-based `position`: a key holding a character `refused` accepts
/// is [`RenderError::ControlCharacter`] for `override N key` (N = 1-based position, so the key
/// is not echoed); any other key `is_valid` refuses is [`RenderError::InvalidKey`].
pub(super) fn check_override_key(
    position: usize,
    key: &str,
    refused: impl Fn(char) -> bool,
    is_valid: impl Fn(&str) -> bool,
) -> Result<(), RenderError> {
    check_value(key, format_args!("override {} key", position + 1), refused)?;
    if is_valid(key) {
        Ok(())
    } else {
        Err(RenderError::invalid_key(key))
    }
}

/// Whether every byte of `bytes` is printable ASCII (`0x20`–`0x7e`) and none is `excluded`.
/// Eight bytes are looked at together ([`crate::swar`]), the last eight once more instead of
/// the rest one by one; fewer than eight one by one.
pub(super) fn is_printable_ascii(bytes: &[u8], excluded: Option<u8>) -> bool {
    // A byte of `excluded` is compared as DEL's when there is none: DEL is refused anyway.
    let excluded = excluded.unwrap_or(0x7f);
    let Some(last) = bytes.last_chunk::<8>() else {
        return bytes.iter().all(|&b| (0x20..0x7f).contains(&b) && b != excluded);
    };
    // Bytes from 0x80 up, below 0x20, DEL, `excluded`.
    let refused_in =
        |word: u64| word & HIGHS | bytes_below(word, 0x20) | bytes_equal(word, 0x7f) | bytes_equal(word, excluded);
    let chunks = bytes.chunks_exact(8);
    let refused = chunks.fold(refused_in(u64::from_ne_bytes(*last)), |refused, chunk| {
        refused | refused_in(u64::from_ne_bytes(chunk.try_into().expect("chunks of eight")))
    });
    refused == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_like_the_byte_by_byte_check() {
        let simple = |bytes: &[u8], excluded: Option<u8>| {
            bytes.iter().all(|&b| (0x20..0x7f).contains(&b) && Some(b) != excluded)
        };
        let mut samples: Vec<Vec<u8>> = Vec::new();
        for len in 0..20 {
            samples.push((0..len).map(|i| b'a' + (i % 26) as u8).collect());
        }
        for len in [1, 7, 8, 9, 15, 16, 17, 24] {
            for at in 0..len {
                for b in [0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x7e, 0x7f, 0x80, 0xc3, 0xff] {
                    let mut sample = vec![b'x'; len];
                    sample[at] = b;
                    samples.push(sample.clone());
                    // Next to a byte that borrows: the checks must stay exact.
                    if at + 1 < len {
                        sample[at + 1] = 0x20;
                        samples.push(sample);
                    }
                }
            }
        }
        for sample in &samples {
            for excluded in [None, Some(b'"')] {
                assert_eq!(
                    is_printable_ascii(sample, excluded),
                    simple(sample, excluded),
                    "{sample:?} {excluded:?}"
                );
            }
        }
    }

    #[test]
    fn line_breaks_and_control_characters() {
        for c in ['\r', '\n', '\0', '\t', '\u{7f}', '\u{85}', '\u{2028}', '\u{2029}'] {
            assert!(breaks_line(c), "{c:?}");
        }
        for c in ['a', ' ', '"', '=', 'é', '😀'] {
            assert!(!breaks_line(c), "{c:?}");
        }
        assert_eq!(
            check_value("a\nb", "account 1 label", breaks_line),
            Err(RenderError::ControlCharacter {
                field: "account 1 label".into()
            })
        );
        assert_eq!(check_value("a\"b", "x", breaks_line), Ok(()));
        for (value, refused) in [
            ("plain ~", false),
            ("é\u{2028}", true),
            ("tab\t", true),
            ("del\u{7f}", true),
        ] {
            assert_eq!(check_line_value(value, "f").is_err(), refused, "{value:?}");
        }
    }

    #[test]
    fn override_keys() {
        let valid = |key: &str| !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric());
        assert_eq!(check_override_key(0, "ab1", breaks_line, valid), Ok(()));
        assert_eq!(
            check_override_key(1, "a\nb", breaks_line, valid),
            Err(RenderError::ControlCharacter {
                field: "override 2 key".into()
            })
        );
        assert_eq!(
            check_override_key(0, "a b", breaks_line, valid),
            Err(RenderError::InvalidKey("a b".into()))
        );
    }
}
