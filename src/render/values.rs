//! Characters a format cannot carry: the checks shared by the text renderers, which have no
//! quoting or escaping for line breaks. Which characters a format refuses beyond the ones of
//! [`breaks_line`] (Panasonic's `"`) and which keys it accepts stay with the vendor.

use std::fmt::Display;

use super::RenderError;

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
pub(super) fn check_line_value(value: &str, field: impl Display) -> Result<(), RenderError> {
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
