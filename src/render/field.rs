//! Neutral names of where a rendered value came from, for [`RenderError::ControlCharacter`].
//!
//! [`RenderError::ControlCharacter`]: super::RenderError::ControlCharacter

use std::fmt;

use super::capped;

/// Neutral name of where a value came from, for errors (formatted only on error): the global's
/// name (`ntp server`), `account 2 password`, `key 3 value`, or `override KEY` with the key
/// capped.
#[derive(Clone, Copy)]
pub(super) enum Field<'a> {
    Global(&'static str),
    Account(usize, &'static str),
    /// Key `N` (1-based, the assignment's order) and which part of it.
    Key(usize, &'static str),
    Override(&'a str),
}

impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Global(name) => f.write_str(name),
            Field::Account(index, name) => write!(f, "account {index} {name}"),
            Field::Key(index, part) => write!(f, "key {index} {part}"),
            Field::Override(key) => write!(f, "override {}", capped(key)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Field::Global("ntp server").to_string(), "ntp server");
        assert_eq!(Field::Account(2, "password").to_string(), "account 2 password");
        assert_eq!(Field::Override("P1362").to_string(), "override P1362");
        assert_eq!(Field::Key(3, "value").to_string(), "key 3 value");
        let long = "k".repeat(40);
        assert_eq!(
            Field::Override(&long).to_string(),
            format!("override {}", "k".repeat(32))
        );
    }
}
