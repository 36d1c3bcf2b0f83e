//! Which accounts a renderer writes: every non-empty one up to the last one used, within the
//! vendor's limit.

use super::RenderError;
use crate::assign::Account;

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
}
