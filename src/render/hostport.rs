//! Splitting an outbound proxy `host[:port]` for the formats that take address and port as two
//! keys, and joining them for the formats that take one value.

use std::borrow::Cow;

use crate::assign::Account;

/// `host` or `host:port` with an IPv6 literal in brackets, as `crate::net::join_host_port`
/// writes it, borrowed when that is `host` itself.
pub(super) fn join<'a>(host: &'a str, port: Option<u16>) -> Cow<'a, str> {
    match port {
        None => crate::net::bracket_ipv6(host),
        Some(_) => Cow::Owned(crate::net::join_host_port(host, port)),
    }
}

/// The account's registrar as `host` or `host:port` (see [`join`]); `None` without a host.
pub(super) fn registrar(acct: &Account) -> Option<Cow<'_, str>> {
    Some(join(acct.registrar_host.as_deref()?, acct.registrar_port))
}

/// The account's backup registrar as `host` or `host:port` (see [`join`]); `None` without a
/// host.
pub(super) fn backup_registrar(acct: &Account) -> Option<Cow<'_, str>> {
    Some(join(acct.backup_registrar_host.as_deref()?, acct.backup_registrar_port))
}

/// Splits an outbound proxy into the address (IPv6 without brackets) and the port:
/// `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal (all host). Text that fits
/// none of these (`host:`, `host:99999`, `[v6]x`) is written as the address verbatim, without
/// a port, rather than guessed at.
pub(super) fn split_host_port(text: &str) -> (&str, Option<u16>) {
    if let Some(rest) = text.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, "")) => (host, None),
            Some((host, after)) => match after.strip_prefix(':').and_then(parse_port) {
                Some(port) => (host, Some(port)),
                None => (text, None),
            },
            None => (text, None),
        };
    }
    match text.split_once(':') {
        // More than one colon without brackets: a bare IPv6 literal.
        Some((_, port)) if port.contains(':') => (text, None),
        Some((host, port)) => match parse_port(port) {
            Some(port) => (host, Some(port)),
            None => (text, None),
        },
        None => (text, None),
    }
}

/// A decimal port of digits only (no sign, no spaces).
fn parse_port(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_the_net_helper() {
        for (host, port) in [
            ("pbx", None),
            ("pbx", Some(5062)),
            ("::1", None),
            ("::1", Some(5060)),
            ("[::1]", None),
        ] {
            assert_eq!(
                join(host, port),
                crate::net::join_host_port(host, port),
                "{host} {port:?}"
            );
        }
        assert!(matches!(join("pbx", None), Cow::Borrowed("pbx")));
        let mut acct = Account::default();
        assert_eq!(registrar(&acct), None);
        acct.registrar_host = Some("pbx".into());
        acct.registrar_port = Some(5070);
        assert_eq!(registrar(&acct).as_deref(), acct.registrar_hostport().as_deref());
        assert_eq!(backup_registrar(&acct), None);
        acct.backup_registrar_host = Some("2001:db8::9".into());
        assert_eq!(
            backup_registrar(&acct).as_deref(),
            acct.backup_registrar_hostport().as_deref()
        );
    }

    #[test]
    fn forms() {
        for (text, expected) in [
            ("obp.example", ("obp.example", None)),
            ("obp.example:5070", ("obp.example", Some(5070))),
            ("10.0.0.9:0", ("10.0.0.9", Some(0))),
            ("[2001:db8::2]:5071", ("2001:db8::2", Some(5071))),
            ("[2001:db8::2]", ("2001:db8::2", None)),
            ("2001:db8::2", ("2001:db8::2", None)),
            ("obp.example:", ("obp.example:", None)),
            ("obp.example:+5", ("obp.example:+5", None)),
            ("obp.example:70000", ("obp.example:70000", None)),
            ("[2001:db8::2]x", ("[2001:db8::2]x", None)),
            ("[2001:db8::2", ("[2001:db8::2", None)),
            ("[2001:db8::2]:", ("[2001:db8::2]:", None)),
        ] {
            assert_eq!(split_host_port(text), expected, "{text}");
        }
    }
}
