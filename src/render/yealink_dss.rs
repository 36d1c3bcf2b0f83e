//! Yealink programmable keys (DSS keys): `linekey.K.*`, `programablekey.K.*` and
//! `expansion_module.M.key.K.*`, each with `type`, `line` (the 1-based account), `value` and
//! `label` (config-formats §2.2 "line / DSS keys"; wazo-provd-plugins `wazo_yealink`
//! `BaseYealinkFunckeyGenerator`, which numbers `line` from 1 on every model it renders with
//! these keys).
//!
//! Type codes (Yealink admin guide "DSS key types"; wazo): 0 N/A, 5 DND, 10 call park,
//! 13 speed dial, 15 line, 16 BLF. The positions are checked against the model's banks first
//! ([`super::keys::check_keys`]); a position 0 (possible only through the public struct) is
//! [`RenderError::UnsupportedValue`].

use std::borrow::Cow;

use crate::assign::{Key, KeyBank, KeyKind};

use super::RenderError;
use super::field::Field;
use super::yealink::Entry;

/// The `type` code of a key kind.
fn type_code(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Unused => "0",
        KeyKind::Dnd => "5",
        KeyKind::Park => "10",
        KeyKind::SpeedDial => "13",
        KeyKind::Line => "15",
        KeyKind::Blf => "16",
    }
}

/// The key prefix of a bank position (`linekey.3`).
fn prefix(bank: KeyBank, position: u16) -> String {
    match bank {
        KeyBank::Line => format!("linekey.{position}"),
        KeyBank::Programmable => format!("programablekey.{position}"),
        KeyBank::Expansion(module) => format!("expansion_module.{module}.key.{position}"),
    }
}

/// The lines of every key, in the assignment's order. An unused key is written as type 0
/// only, so a key the host clears is cleared on the phone too.
pub(super) fn key_entries<'a>(keys: &'a [Key]) -> Result<Vec<Entry<'a>>, RenderError> {
    let mut entries = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let n = i + 1;
        if key.position == 0 || matches!(key.bank, KeyBank::Expansion(0)) {
            return Err(RenderError::UnsupportedValue {
                field: format!("key {n} position"),
            });
        }
        let prefix = prefix(key.bank, key.position);
        let mut push = |suffix: &str, value: Cow<'a, str>, name| {
            entries.push(Entry {
                key: Cow::Owned(format!("{prefix}.{suffix}")),
                account: None,
                value,
                field: Field::Key(n, name),
            });
        };
        push("type", Cow::Borrowed(type_code(key.kind)), "kind");
        if key.kind == KeyKind::Unused {
            continue;
        }
        push("line", Cow::Owned(key.account.to_string()), "account");
        if let Some(value) = key.value.as_deref() {
            push("value", Cow::Borrowed(value), "value");
        }
        if let Some(label) = key.label.as_deref() {
            push("label", Cow::Borrowed(label), "label");
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(bank: KeyBank, position: u16, kind: KeyKind, value: Option<&str>) -> Key {
        Key {
            bank,
            position,
            kind,
            account: 2,
            value: value.map(str::to_owned),
            label: None,
        }
    }

    fn lines(keys: &[Key]) -> Vec<(String, String)> {
        key_entries(keys)
            .expect("renders")
            .into_iter()
            .map(|e| (e.key.into_owned(), e.value.into_owned()))
            .collect()
    }

    #[test]
    fn every_kind_and_bank() {
        let mut blf = key(KeyBank::Line, 3, KeyKind::Blf, Some("204"));
        blf.label = Some("Anna".into());
        let keys = [
            blf,
            key(KeyBank::Programmable, 1, KeyKind::Dnd, None),
            key(KeyBank::Expansion(2), 20, KeyKind::SpeedDial, Some("+4930123")),
            key(KeyBank::Line, 1, KeyKind::Line, None),
            key(KeyBank::Line, 5, KeyKind::Park, Some("700")),
            key(KeyBank::Line, 6, KeyKind::Unused, Some("ignored")),
        ];
        let want: Vec<(String, String)> = [
            ("linekey.3.type", "16"),
            ("linekey.3.line", "2"),
            ("linekey.3.value", "204"),
            ("linekey.3.label", "Anna"),
            ("programablekey.1.type", "5"),
            ("programablekey.1.line", "2"),
            ("expansion_module.2.key.20.type", "13"),
            ("expansion_module.2.key.20.line", "2"),
            ("expansion_module.2.key.20.value", "+4930123"),
            ("linekey.1.type", "15"),
            ("linekey.1.line", "2"),
            ("linekey.5.type", "10"),
            ("linekey.5.line", "2"),
            ("linekey.5.value", "700"),
            ("linekey.6.type", "0"),
        ]
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(lines(&keys), want);
    }

    #[test]
    fn position_zero_is_refused() {
        for bad in [
            key(KeyBank::Line, 0, KeyKind::Line, None),
            key(KeyBank::Expansion(0), 1, KeyKind::Line, None),
        ] {
            let keys = [key(KeyBank::Line, 1, KeyKind::Line, None), bad];
            assert!(matches!(
                key_entries(&keys),
                Err(RenderError::UnsupportedValue { field }) if field == "key 2 position"
            ));
        }
    }
}
