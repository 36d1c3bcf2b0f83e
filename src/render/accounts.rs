//! Which accounts a renderer writes: every non-empty one up to the last one used, within the
//! vendor's limit.

use super::RenderError;
use super::family::exact_family;
use crate::assign::Account;
use crate::capabilities::Accounts;

/// The most accounts `vendor`'s `model` takes: the capability table's count for the model's
/// family when the model is known and the table gives a model count, else the format's limit
/// `format_max` (never more than it).
#[allow(dead_code, reason = "the vendor renderers adopt it one by one")]
pub(super) fn account_limit(vendor: &str, model: Option<&str>, format_max: usize) -> usize {
    match exact_family(vendor, model) {
        Some(found) => match found.family.max_accounts {
            Accounts::Models(n) => n.min(format_max),
            Accounts::Format(_) | Accounts::Unknown => format_max,
        },
        _ => format_max,
    }
}

/// The accounts to write, as (1-based index, account), in order: entirely empty accounts (gaps
/// and trailing ones) are skipped. [`RenderError::TooManyAccounts`] when the last non-empty
/// account is beyond `max`.
pub(super) fn used_accounts(
    accounts: &[Account],
    max: usize,
) -> Result<impl Iterator<Item = (usize, &Account)>, RenderError> {
    let empty = Account::default();
    let last_used = accounts.iter().rposition(|acct| *acct != empty).map_or(0, |i| i + 1);
    if last_used > max {
        return Err(RenderError::TooManyAccounts { max, got: last_used });
    }
    Ok(accounts[..last_used]
        .iter()
        .enumerate()
        .filter(move |(_, acct)| **acct != empty)
        .map(|(i, acct)| (i + 1, acct)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities;

    #[test]
    fn skips_empty_accounts_and_checks_the_limit() {
        let mut accounts = vec![Account::default(); 5];
        accounts[1].user_id = Some("102".into());
        accounts[3].user_id = Some("104".into());
        let used: Vec<usize> = used_accounts(&accounts, 4).expect("within").map(|(i, _)| i).collect();
        assert_eq!(used, [2, 4]);
        assert!(matches!(
            used_accounts(&accounts, 3),
            Err(RenderError::TooManyAccounts { max: 3, got: 4 })
        ));
        assert_eq!(used_accounts(&[], 0).expect("none").count(), 0);
    }

    #[test]
    fn limits_follow_the_model_when_it_is_known() {
        let known = capabilities::family("yealink", Some("T46U")).expect("yealink");
        assert!(known.exact);
        let n = known.family.max_accounts.max().expect("count");
        assert_eq!(account_limit("yealink", Some("T46U"), 64), n.min(64));
        assert_eq!(account_limit("yealink", Some("T46U"), 1), 1);
        assert_eq!(account_limit("yealink", Some("NoSuchPhone"), 15), 15);
        assert_eq!(account_limit("yealink", None, 15), 15);
        assert_eq!(account_limit("nokia", Some("T46U"), 7), 7);
    }
}
