//! The capability table's exact match for a model, without searching the table when there is
//! no model (which never matches exactly): renderers look it up several times per file.

use crate::capabilities::{self, FamilyMatch};

/// `vendor`'s family for `model` when a model pattern matches it exactly
/// (`capabilities::family` filtered on `exact`); `None` for a missing or unknown model.
pub(super) fn exact_family(vendor: &str, model: Option<&str>) -> Option<FamilyMatch> {
    model?;
    capabilities::family(vendor, model).filter(|found| found.exact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_the_table_lookup() {
        for model in [None, Some(""), Some("T46U"), Some("no such model"), Some("SIP-T46U")] {
            let table = capabilities::family("yealink", model).filter(|found| found.exact);
            let found = exact_family("yealink", model);
            assert_eq!(found.map(|f| f.family.name), table.map(|f| f.family.name), "{model:?}");
        }
        assert!(exact_family("yealink", Some("T46U")).is_some());
    }
}
