//! Which keys a renderer may write: positions checked against the model's key banks from the
//! capability table. Where the table gives no count for a bank, any position passes (the
//! vendor's format limits are each renderer's own business).

use super::RenderError;
use super::family::exact_family;
use crate::assign::{Key, KeyBank};

/// Checks every key of `keys` against `vendor`'s `model`: a position beyond its bank's count,
/// or a bank the model does not have (an expansion module number beyond the chain), is
/// [`RenderError::KeyOutOfRange`] naming the key's 1-based index. Unknown models pass.
pub(super) fn check_keys(vendor: &str, model: Option<&str>, keys: &[Key]) -> Result<(), RenderError> {
    let Some(found) = exact_family(vendor, model) else {
        return Ok(());
    };
    let Some(banks) = found.model.map(|m| m.keys) else {
        return Ok(());
    };
    for (i, key) in keys.iter().enumerate() {
        let max = match key.bank {
            KeyBank::Line => banks.line,
            KeyBank::Programmable => banks.programmable,
            KeyBank::Expansion(module) => match banks.expansion {
                Some(exp) if module <= exp.max_modules => Some(exp.keys_per_module),
                Some(_) => Some(0),
                None if banks.is_unknown() => None,
                None => Some(0),
            },
        };
        if let Some(max) = max
            && (key.position == 0 || key.position > max)
        {
            return Err(RenderError::KeyOutOfRange { key: i + 1, max });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities;
    use crate::capabilities::family;

    fn key(bank: KeyBank, position: u16) -> Key {
        Key {
            bank,
            position,
            ..Key::default()
        }
    }

    #[test]
    fn positions_are_checked_against_the_models_banks() {
        // A model whose line bank has a known count, and one with expansion modules.
        let models = || {
            capabilities::FAMILIES.iter().flat_map(|f| {
                f.models
                    .iter()
                    .filter(|m| family(f.vendor, Some(m.pattern)).is_some_and(|x| x.exact))
                    .map(move |m| (f.vendor, m))
            })
        };
        let (vendor, model) = models()
            .find(|(_, m)| m.keys.line.is_some())
            .expect("a model with line keys");
        let line = model.keys.line.expect("count");
        let name = Some(model.pattern);
        assert_eq!(check_keys(vendor, name, &[key(KeyBank::Line, line)]), Ok(()));
        assert_eq!(
            check_keys(vendor, name, &[key(KeyBank::Line, 1), key(KeyBank::Line, line + 1)]),
            Err(RenderError::KeyOutOfRange { key: 2, max: line })
        );
        assert_eq!(
            check_keys(vendor, name, &[key(KeyBank::Line, 0)]),
            Err(RenderError::KeyOutOfRange { key: 1, max: line })
        );

        let (vendor, model) = models()
            .find(|(_, m)| m.keys.expansion.is_some())
            .expect("a model with modules");
        let exp = model.keys.expansion.expect("modules");
        let name = Some(model.pattern);
        let last = key(KeyBank::Expansion(exp.max_modules), exp.keys_per_module);
        assert_eq!(check_keys(vendor, name, std::slice::from_ref(&last)), Ok(()));
        assert_eq!(
            check_keys(vendor, name, &[key(KeyBank::Expansion(exp.max_modules + 1), 1)]),
            Err(RenderError::KeyOutOfRange { key: 1, max: 0 })
        );
        assert_eq!(
            check_keys(vendor, Some("NoSuchPhone"), &[key(KeyBank::Line, 999)]),
            Ok(())
        );
        assert_eq!(check_keys(vendor, None, &[key(KeyBank::Line, 999)]), Ok(()));
    }
}
