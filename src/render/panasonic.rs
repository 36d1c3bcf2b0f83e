//! Panasonic text provisioning (`Config<MAC>.cfg`, "SIP Phone Standard Format"), accounts 1–6.
//!
//! Syntax (config-formats §2.7; Panasonic KX-UT/KX-HDV administrator guides, "Configuration
//! File Specifications"): UTF-8 text whose first line is exactly
//! `# Panasonic SIP Phone Standard Format File #`, then one `KEY="value"` per line with no
//! spaces around `=`. Every line ends in CR LF (the guides: "Each line must end with
//! `<CR><LF>`"), and the file must end with an empty line, so one empty line closes the file
//! (empty lines are ignored by the phone). The value sits between double quotes and the format
//! has no escape, so a value containing `"` is refused as a character the format cannot carry
//! ([`RenderError::ControlCharacter`]), like line breaks and every other control character.
//! Everything else (`=`, `#`, `'`, `%`, non-ASCII) is written verbatim. Keys are
//! `[A-Z0-9_]{1,32}` (the guides cap parameter names at 32 characters).
//!
//! The phone applies the *first* of duplicate keys (UT/HDV guides), so overrides replace a
//! generated key in place instead of being appended after it.
//!
//! Not enforced: the guides cap a value at 500 characters and a line at 537 bytes, and the
//! phone silently ignores longer lines. KX-TGP5xx DECT bases use another first line
//! (`# PCC Standard Format File #`) and are not this format.

use std::borrow::Cow;

use super::accounts::used_accounts;
use super::field::Field;
use super::hostport::split_host_port;
use super::url::{check_known_scheme, strict_scheme};
use super::values::{breaks_line, check_override_key, check_value};
use super::{RenderError, RenderedFile, replace_or_append};
use crate::assign::{Account, Assignment, Transport};
use crate::device::Mac;
use crate::net::{bracket_ipv6, unbracket};

/// Lines (accounts) the format addresses: "The unit supports 6 telephone lines" (KX-UT670
/// guide; FusionPBX `panasonic/ut670` writes `_1`–`_6`). Larger KX-HDV models may have more
/// (unverified); until a model table exists, 6 is the limit.
const MAX_ACCOUNTS: usize = 6;

/// Mandatory first line, the 44-byte sequence of the guides (§2.7 syntax).
const HEADER: &str = "# Panasonic SIP Phone Standard Format File #";

/// Line end the guides require.
const EOL: &str = "\r\n";

/// Longest key the format allows (guides: "The maximum length of a parameter name is 32").
const MAX_KEY_LEN: usize = 32;

/// URL of this phone's own (standard) config file (§2.7 files; PAN p.47). The phone expands
/// `{MAC}` / `{mac}` / `{MODEL}` in it itself (pnp-vendors §2.6).
const KEY_PROVISIONING_URL: &str = "CFG_STANDARD_FILE_PATH";
/// NTP server (§2.7 globals).
const KEY_NTP_SERVER: &str = "NTP_ADDR";
/// Offset from UTC in minutes, e.g. `60` or `-300` (FusionPBX `panasonic/tgp550`); written as
/// given.
const KEY_TIMEZONE: &str = "TIME_ZONE";
/// Web login of the administrator (§2.7 globals).
const KEY_ADMIN_ID: &str = "ADMIN_ID";
/// Password of the administrator (§2.7 globals).
const KEY_ADMIN_PASS: &str = "ADMIN_PASS";
/// SIP Plug-and-Play at boot (pnp-vendors §2.6, KX-HDV guide); `N` = off. Panasonic writes all
/// its switches as `Y`/`N` (`PROVISION_ENABLE`, `OPTION66_ENABLE`, UTG `SIPPNP_ENABLE`).
const KEY_PNP: &str = "SIPPNP_PROV_ENABLE";

/// Administrator login written with [`KEY_ADMIN_ID`] (the factory default).
const ADMIN_ID: &str = "admin";

/// Schemes the phone can fetch its config with (pnp-vendors §2.6: tftp, http, https, ftp),
/// compared case-insensitively.
const URL_SCHEMES: [&str; 4] = ["http", "https", "tftp", "ftp"];

/// Per-account keys (`<KEY>_<n>`) in emit order, with the neutral field name used in errors.
/// Sources: §2.7 field list; ports, service domain, outbound proxy and transport from FusionPBX
/// `panasonic/ut670` and `panasonic/tgp550` and SAIL's Panasonic templates.
const ACCOUNT_KEYS: [(&str, &str); 13] = [
    // the line's number: the user id
    ("PHONE_NUMBER", "user id"),
    ("DISPLAY_NAME", "display name"),
    // user part of the phone's SIP URI: the user id
    ("SIP_URI", "user id"),
    // auth id, falling back to the user id
    ("SIP_AUTHID", "auth id"),
    ("SIP_PASS", "password"),
    // registrar host, IPv6 without brackets
    ("SIP_RGSTR_ADDR", "registrar"),
    ("SIP_RGSTR_PORT", "registrar port"),
    // Panasonic's "proxy server" takes the calls: the registrar, as every template sets it
    ("SIP_PRXY_ADDR", "registrar"),
    ("SIP_PRXY_PORT", "registrar port"),
    // domain part of the SIP URI: the registrar host, IPv6 in brackets
    ("SIP_SVCDOMAIN", "registrar"),
    // the outbound proxy proper, IPv6 without brackets
    ("SIP_OUTPROXY_ADDR", "outbound proxy"),
    ("SIP_OUTPROXY_PORT", "outbound proxy"),
    // 0 UDP, 1 TCP, 2 TLS
    ("SIP_TRANSPORT", "transport"),
];

/// Renders `Config<MAC>.cfg` (MAC in upper case) for `a`.
///
/// Globals come first (standard file URL, NTP server, time zone, admin login, and PnP off
/// unless kept on), then accounts 1–6 in order; only values that are present are written
/// (transport always, for each account present). An entirely empty account is skipped, and
/// the label has no Panasonic key and is not written. Overrides replace a generated key's value
/// in place, or are appended in their given order.
///
/// A provisioning URL ending in `/` (or with no path at all) names a directory: the file name
/// `Config<MAC>.cfg` is appended, with the MAC written out. Any other URL is written as given,
/// so it may carry the phone's own macros (`…/Config{MAC}.cfg`).
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    let mut entries = globals(a, mac)?;
    entries.extend(accounts(&a.accounts)?);
    apply_overrides(&mut entries, &a.overrides)?;
    Ok(RenderedFile {
        file_name: file_name(mac),
        content_type: "text/plain",
        content: write(&entries)?,
    })
}

/// `Config<MAC>.cfg` with the MAC as 12 upper-case hex digits (§2.7 files; §6 item 2).
fn file_name(mac: Mac) -> String {
    format!("Config{}.cfg", mac.to_upper_hex())
}

/// One `KEY="value"` line to write.
struct Entry<'a> {
    key: Cow<'a, str>,
    value: Cow<'a, str>,
    field: Field<'a>,
}

fn globals(a: &Assignment, mac: Mac) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = Vec::new();
    let mut push = |key, value, field| {
        entries.push(Entry {
            key: Cow::Borrowed(key),
            value,
            field: Field::Global(field),
        })
    };
    if let Some(url) = a.provisioning_url.as_deref() {
        let url = standard_file_url(url, mac)?;
        push(KEY_PROVISIONING_URL, url, "provisioning url");
    }
    if let Some(ntp) = a.ntp_server.as_deref() {
        push(KEY_NTP_SERVER, Cow::from(ntp), "ntp server");
    }
    if let Some(timezone) = a.timezone.as_deref() {
        push(KEY_TIMEZONE, Cow::from(timezone), "timezone");
    }
    if let Some(password) = a.admin_password.as_deref() {
        push(KEY_ADMIN_ID, Cow::from(ADMIN_ID), "admin user");
        push(KEY_ADMIN_PASS, Cow::from(password), "admin password");
    }
    if !a.keep_pnp_enabled {
        push(KEY_PNP, Cow::from("N"), "pnp");
    }
    Ok(entries)
}

/// Checks the scheme, then turns a directory URL into the URL of this phone's file.
fn standard_file_url(url: &str, mac: Mac) -> Result<Cow<'_, str>, RenderError> {
    let rest = check_scheme(url)?;
    if url.ends_with('/') {
        Ok(Cow::Owned(format!("{url}{}", file_name(mac))))
    } else if !rest.contains(['/', '?', '#']) {
        Ok(Cow::Owned(format!("{url}/{}", file_name(mac))))
    } else {
        Ok(Cow::Borrowed(url))
    }
}

/// Accepts a URL whose scheme (the text before `://`) is one of [`URL_SCHEMES`] and returns the
/// text after `://`. Otherwise the error echoes the scheme (capped), or nothing when there is
/// no syntactically valid scheme, so no part of the path or of any credentials is echoed.
fn check_scheme(url: &str) -> Result<&str, RenderError> {
    let (scheme, rest) = strict_scheme(url)?;
    check_known_scheme(scheme, &URL_SCHEMES)?;
    Ok(rest)
}

fn accounts(accounts: &[Account]) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = Vec::new();
    for (index, acct) in used_accounts(accounts, MAX_ACCOUNTS)? {
        let registrar = acct.registrar_host.as_deref().map(unbracket);
        let port = acct.registrar_port.map(|port| port.to_string());
        // An empty proxy string is no proxy.
        let proxy = acct
            .outbound_proxy
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(split_host_port);
        let values: [Option<Cow<'_, str>>; 13] = [
            acct.user_id.as_deref().map(Cow::from),
            acct.display_name.as_deref().map(Cow::from),
            acct.user_id.as_deref().map(Cow::from),
            acct.effective_auth_id().map(Cow::from),
            acct.password.as_deref().map(Cow::from),
            registrar.map(Cow::from),
            port.clone().map(Cow::from),
            registrar.map(Cow::from),
            port.map(Cow::from),
            registrar.map(bracket_ipv6),
            proxy.map(|(host, _)| Cow::from(host)),
            proxy.and_then(|(_, port)| port).map(|port| Cow::from(port.to_string())),
            Some(Cow::from(transport_code(acct.transport))),
        ];
        for ((prefix, field), value) in ACCOUNT_KEYS.into_iter().zip(values) {
            if let Some(value) = value {
                entries.push(Entry {
                    key: Cow::Owned(format!("{prefix}_{index}")),
                    value,
                    field: Field::Account(index, field),
                });
            }
        }
    }
    Ok(entries)
}

/// `SIP_TRANSPORT_n` codes (FusionPBX default `0`; SAIL `panasonic.tcp` `1`, `panasonic.tls` `2`).
fn transport_code(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "0",
        Transport::Tcp => "1",
        Transport::Tls => "2",
    }
}

/// Checks each override key, then replaces the value of an entry with the same key in place,
/// else appends. A key with a character a value could not carry either (control character,
/// `"`) is [`RenderError::ControlCharacter`] for `override N key` (N = 1-based position); any
/// other key outside `[A-Z0-9_]{1,32}` is [`RenderError::InvalidKey`].
fn apply_overrides<'a>(entries: &mut Vec<Entry<'a>>, overrides: &'a [(String, String)]) -> Result<(), RenderError> {
    for (i, (key, value)) in overrides.iter().enumerate() {
        check_override_key(i, key, cannot_carry, is_valid_key)?;
        let entry = Entry {
            key: Cow::Borrowed(key),
            value: Cow::from(value),
            field: Field::Override(key),
        };
        replace_or_append(entries, |e| e.key == key.as_str(), entry);
    }
    Ok(())
}

/// `[A-Z0-9_]{1,32}`: every Panasonic parameter name is upper-case words of this kind.
fn is_valid_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Characters a quoted, line-oriented value cannot carry: the closing `"` (there is no
/// escape), and those that [`breaks_line`] (control characters, which include CR, LF and NEL,
/// and the Unicode line and paragraph separators).
fn cannot_carry(c: char) -> bool {
    c == '"' || breaks_line(c)
}

/// The header line, then `KEY="value"` per entry, each ending in CR LF, then one empty line;
/// refuses values the format cannot carry.
fn write(entries: &[Entry<'_>]) -> Result<Vec<u8>, RenderError> {
    let mut out = String::with_capacity(HEADER.len() + 2 * EOL.len() + entries.len() * 40);
    out.push_str(HEADER);
    out.push_str(EOL);
    for entry in entries {
        debug_assert!(is_valid_key(&entry.key), "generated keys are valid");
        check_value(&entry.value, &entry.field, cannot_carry)?;
        out.push_str(&entry.key);
        out.push_str("=\"");
        out.push_str(&entry.value);
        out.push('"');
        out.push_str(EOL);
    }
    out.push_str(EOL);
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{self, control_error, pairs};
    use super::*;

    const MAC: Mac = Mac([0x00, 0x80, 0xf0, 0x12, 0xab, 0xcd]);

    fn two_accounts() -> Assignment {
        let mut a = test_support::two_accounts(MAC, "[2001:db8::1]", "https://prov.example:8443/panasonic/", "60");
        a.account_mut(2).outbound_proxy = Some("[2001:db8::2]:5071".into());
        a
    }

    /// Renders `a` and parses the output back (see [`parse`]).
    fn config(a: &Assignment) -> Vec<(String, String)> {
        parse(&render(a).expect("renders").content)
    }

    /// Checks the header, CR LF line ends only, the closing empty line and the `KEY="value"`
    /// shape of every line, and returns the (key, value) lines in order.
    fn parse(content: &[u8]) -> Vec<(String, String)> {
        let text = std::str::from_utf8(content).expect("utf-8");
        let body = text.strip_suffix("\r\n\r\n").expect("ends with an empty line");
        let lines: Vec<&str> = body.split("\r\n").collect();
        for line in &lines {
            assert!(!line.contains(['\r', '\n']), "{text:?}");
        }
        assert_eq!(lines[0], HEADER);
        lines[1..]
            .iter()
            .map(|line| {
                let (key, quoted) = line.split_once('=').expect("KEY=\"value\"");
                assert!(is_valid_key(key), "{line:?}");
                let value = quoted
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .expect("quoted value");
                assert!(!value.contains('"'), "{line:?}");
                (key.to_owned(), value.to_owned())
            })
            .collect()
    }

    #[test]
    fn golden_two_account_render() {
        let file = render(&two_accounts()).expect("renders");
        assert_eq!(file.file_name, "Config0080F012ABCD.cfg");
        assert_eq!(file.content_type, "text/plain");
        let expected = [
            "# Panasonic SIP Phone Standard Format File #",
            "CFG_STANDARD_FILE_PATH=\"https://prov.example:8443/panasonic/Config0080F012ABCD.cfg\"",
            "NTP_ADDR=\"pool.ntp.org\"",
            "TIME_ZONE=\"60\"",
            "ADMIN_ID=\"admin\"",
            "ADMIN_PASS=\"admin!\"",
            "SIPPNP_PROV_ENABLE=\"N\"",
            "PHONE_NUMBER_1=\"101\"",
            "DISPLAY_NAME_1=\"Front Desk\"",
            "SIP_URI_1=\"101\"",
            "SIP_AUTHID_1=\"auth101\"",
            "SIP_PASS_1=\"s3cret\"",
            "SIP_RGSTR_ADDR_1=\"pbx.example\"",
            "SIP_RGSTR_PORT_1=\"5062\"",
            "SIP_PRXY_ADDR_1=\"pbx.example\"",
            "SIP_PRXY_PORT_1=\"5062\"",
            "SIP_SVCDOMAIN_1=\"pbx.example\"",
            "SIP_OUTPROXY_ADDR_1=\"proxy.example\"",
            "SIP_OUTPROXY_PORT_1=\"5070\"",
            "SIP_TRANSPORT_1=\"0\"",
            "PHONE_NUMBER_2=\"102\"",
            "SIP_URI_2=\"102\"",
            "SIP_AUTHID_2=\"102\"",
            "SIP_PASS_2=\"pw102\"",
            "SIP_RGSTR_ADDR_2=\"2001:db8::1\"",
            "SIP_PRXY_ADDR_2=\"2001:db8::1\"",
            "SIP_SVCDOMAIN_2=\"[2001:db8::1]\"",
            "SIP_OUTPROXY_ADDR_2=\"2001:db8::2\"",
            "SIP_OUTPROXY_PORT_2=\"5071\"",
            "SIP_TRANSPORT_2=\"2\"",
            "",
            "",
        ]
        .join("\r\n");
        assert_eq!(String::from_utf8(file.content.clone()).expect("utf-8"), expected);
        assert_eq!(file.content, expected.as_bytes());
        assert!(
            file.content
                .starts_with(b"# Panasonic SIP Phone Standard Format File #\r\n")
        );
    }

    #[test]
    fn accounts_1_and_6_parse_back() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for (index, transport) in [(1, Transport::Tcp), (MAX_ACCOUNTS, Transport::Tls)] {
            let acct = a.account_mut(index);
            acct.label = Some(format!("L{index}"));
            acct.display_name = Some(format!("D {index}"));
            acct.user_id = Some(format!("1{index:02}"));
            acct.auth_id = Some(format!("a{index}"));
            acct.password = Some(format!("p{index}"));
            acct.registrar_host = Some("pbx.example".into());
            acct.registrar_port = Some(5060);
            acct.transport = transport;
            acct.outbound_proxy = Some(format!("obp{index}.example:50{index:02}"));
        }
        let got = config(&a);
        // Accounts 2-5 are empty gaps: nothing is written for them.
        assert!(
            !got.iter()
                .any(|(k, _)| (2..MAX_ACCOUNTS).any(|n| k.ends_with(&format!("_{n}"))))
        );
        let expect = |n: usize, transport: &str| {
            let owned: Vec<(String, String)> = [
                ("PHONE_NUMBER", format!("1{n:02}")),
                ("DISPLAY_NAME", format!("D {n}")),
                ("SIP_URI", format!("1{n:02}")),
                ("SIP_AUTHID", format!("a{n}")),
                ("SIP_PASS", format!("p{n}")),
                ("SIP_RGSTR_ADDR", "pbx.example".to_owned()),
                ("SIP_RGSTR_PORT", "5060".to_owned()),
                ("SIP_PRXY_ADDR", "pbx.example".to_owned()),
                ("SIP_PRXY_PORT", "5060".to_owned()),
                ("SIP_SVCDOMAIN", "pbx.example".to_owned()),
                ("SIP_OUTPROXY_ADDR", format!("obp{n}.example")),
                ("SIP_OUTPROXY_PORT", format!("50{n:02}")),
                ("SIP_TRANSPORT", transport.to_owned()),
            ]
            .into_iter()
            .map(|(prefix, value)| (format!("{prefix}_{n}"), value))
            .collect();
            owned
        };
        let mut expected = expect(1, "1");
        expected.extend(expect(MAX_ACCOUNTS, "2"));
        assert_eq!(got, expected);
        // Every account key is there exactly once.
        for (key, value) in &expected {
            assert_eq!(got.iter().filter(|(k, _)| k == key).count(), 1, "{key}");
            assert!(got.contains(&(key.clone(), value.clone())), "{key}");
        }
        // The label has no Panasonic key.
        assert!(!got.iter().any(|(_, v)| v.starts_with('L')));
    }

    #[test]
    fn overrides_replace_in_place_and_append() {
        let mut a = two_accounts();
        a.set_override("DEFAULT_LANGUAGE", "en-US");
        a.set_override("ADMIN_PASS", "new-admin");
        a.set_override("SIP_PASS_2", "new102");
        a.set_override("SIPPNP_PROV_ENABLE", "Y");
        a.set_override("VM_NUMBER_1", "*97");
        let base = config(&two_accounts());
        let got = config(&a);
        assert_eq!(got.len(), base.len() + 2);
        assert_eq!(got[4], ("ADMIN_PASS".into(), "new-admin".into()));
        assert_eq!(got[5], ("SIPPNP_PROV_ENABLE".into(), "Y".into()));
        let at = base.iter().position(|(k, _)| k == "SIP_PASS_2").expect("present");
        assert_eq!(got[at], ("SIP_PASS_2".into(), "new102".into()));
        // The phone applies the first of duplicate keys: each key must appear once.
        for key in ["ADMIN_PASS", "SIP_PASS_2", "SIPPNP_PROV_ENABLE"] {
            assert_eq!(got.iter().filter(|(k, _)| k == key).count(), 1, "{key}");
        }
        assert_eq!(
            got[got.len() - 2..],
            pairs(&[("DEFAULT_LANGUAGE", "en-US"), ("VM_NUMBER_1", "*97")])
        );
        // Everything else is unchanged and in the same order.
        let changed = ["ADMIN_PASS", "SIPPNP_PROV_ENABLE", "SIP_PASS_2"];
        let same = |list: &[(String, String)]| -> Vec<(String, String)> {
            list.iter()
                .filter(|(k, _)| !changed.contains(&k.as_str()))
                .cloned()
                .collect()
        };
        assert_eq!(same(&got[..base.len()]), same(&base));

        // Duplicate override keys (the field is public): the last one wins, in place.
        let mut a = two_accounts();
        a.overrides = vec![
            ("X_Y".into(), "1".into()),
            ("TIME_ZONE".into(), "120".into()),
            ("X_Y".into(), "2".into()),
        ];
        let got = config(&a);
        assert_eq!(got[2], ("TIME_ZONE".into(), "120".into()));
        assert_eq!(got.last(), Some(&("X_Y".to_owned(), "2".to_owned())));
        assert_eq!(got.len(), base.len() + 1);

        // An empty override value is written as an empty value (the format allows `KEY=""`).
        let mut a = two_accounts();
        a.set_override("SIP_OUTPROXY_ADDR_1", "");
        assert!(config(&a).contains(&("SIP_OUTPROXY_ADDR_1".to_owned(), String::new())));
    }

    #[test]
    fn quotes_and_control_characters_name_the_field_not_the_value() {
        let secret = "hunter2";
        for c in [
            '"', '\r', '\n', '\0', '\u{7}', '\t', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}', '\u{2029}',
        ] {
            let value = format!("{secret}{c}more");

            let mut a = two_accounts();
            a.accounts[1].password = Some(value.clone());
            let err = render(&a).expect_err("refused");
            assert_eq!(Err(err.clone()), control_error("account 2 password"), "{c:?}");
            let message = err.to_string();
            assert!(message.contains("account 2 password"), "{message}");
            assert!(!message.contains(secret) && !message.contains("more"), "{message}");

            let mut a = two_accounts();
            a.accounts[0].display_name = Some(value.clone());
            assert_eq!(render(&a), control_error("account 1 display name"), "{c:?}");

            let mut a = two_accounts();
            a.set_override("DEFAULT_LANGUAGE", &value);
            let err = render(&a).expect_err("refused");
            assert_eq!(Err(err.clone()), control_error("override DEFAULT_LANGUAGE"), "{c:?}");
            assert!(!err.to_string().contains(secret));

            // An override replacing a generated key is named as the override.
            let mut a = two_accounts();
            a.set_override("SIP_PASS_1", &value);
            assert_eq!(render(&a), control_error("override SIP_PASS_1"), "{c:?}");

            // The same characters in an override key.
            let mut a = two_accounts();
            a.set_override("DEFAULT_LANGUAGE", "en-US");
            a.set_override(&format!("A{c}B"), "v");
            assert_eq!(render(&a), control_error("override 2 key"), "{c:?}");
        }
        for (field, set) in [
            (
                "admin password",
                (|a: &mut Assignment| a.admin_password = Some("x\"y".into())) as fn(&mut _),
            ),
            ("timezone", |a| a.timezone = Some("60\r\n".into())),
            ("ntp server", |a| a.ntp_server = Some("ntp\"".into())),
            ("provisioning url", |a| a.provisioning_url = Some("http://x/\"".into())),
            ("provisioning url", |a| a.provisioning_url = Some("http://x/\n/".into())),
            ("account 1 user id", |a| a.accounts[0].user_id = Some("1\"".into())),
            ("account 1 auth id", |a| a.accounts[0].auth_id = Some("1\n".into())),
            ("account 1 registrar", |a| {
                a.accounts[0].registrar_host = Some("h\"".into())
            }),
            ("account 1 outbound proxy", |a| {
                a.accounts[0].outbound_proxy = Some("h\n:1".into())
            }),
        ] {
            let mut a = two_accounts();
            set(&mut a);
            assert_eq!(render(&a), control_error(field), "{field}");
        }
        // The label is not written, so nothing in it can break the file.
        let mut a = two_accounts();
        a.accounts[0].label = Some("\"\r\n".into());
        assert_eq!(config(&a), config(&two_accounts()));
    }

    #[test]
    fn bad_override_keys_are_refused() {
        for key in [
            "", "a", "Ab", "A B", "A=B", "A-B", "A.B", "#A", "Ä", "A/B", "A[", "A'", "a_b",
        ] {
            let mut a = two_accounts();
            a.set_override(key, "v");
            assert_eq!(render(&a), Err(RenderError::InvalidKey(key.into())), "{key:?}");
        }
        // Longer than 32 characters: refused, echoed capped at 32.
        let mut a = two_accounts();
        a.set_override(&"K".repeat(33), "v");
        assert_eq!(render(&a), Err(RenderError::InvalidKey("K".repeat(32))));
        let mut a = two_accounts();
        a.set_override(&"K".repeat(32), "v");
        assert!(config(&a).contains(&("K".repeat(32), "v".to_owned())));
        let mut a = two_accounts();
        a.set_override("FLEX_BUTTON_LABEL1", "v");
        assert!(config(&a).contains(&("FLEX_BUTTON_LABEL1".to_owned(), "v".to_owned())));
    }

    #[test]
    fn account_limit() {
        let mut a = two_accounts();
        a.account_mut(MAX_ACCOUNTS + 1).user_id = Some("107".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 6, got: 7 }));
        let mut a = two_accounts();
        a.account_mut(MAX_ACCOUNTS).user_id = Some("106".into());
        assert!(config(&a).contains(&("PHONE_NUMBER_6".to_owned(), "106".to_owned())));
        // Trailing empty accounts are nothing to render.
        let mut a = two_accounts();
        a.account_mut(20);
        assert_eq!(render(&a).expect("renders"), render(&two_accounts()).expect("renders"));
    }

    #[test]
    fn pnp_is_switched_off_unless_kept() {
        let mut a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        assert_eq!(config(&a), pairs(&[("SIPPNP_PROV_ENABLE", "N")]));
        assert_eq!(
            render(&a).expect("renders").content,
            b"# Panasonic SIP Phone Standard Format File #\r\nSIPPNP_PROV_ENABLE=\"N\"\r\n\r\n"
        );
        a.keep_pnp_enabled = true;
        assert_eq!(config(&a), pairs(&[]));
        assert_eq!(
            render(&a).expect("renders").content,
            b"# Panasonic SIP Phone Standard Format File #\r\n\r\n"
        );
        let mut a = two_accounts();
        a.keep_pnp_enabled = true;
        assert!(!config(&a).iter().any(|(k, _)| k.contains("PNP")));
    }

    #[test]
    fn special_values_pass_through_verbatim() {
        let mut a = two_accounts();
        let password = "100% = #not a comment & <x> 'a' %NULL% {MAC}";
        let display = "  Zoë & 北京 😀 ";
        a.accounts[0].password = Some(password.into());
        a.accounts[0].display_name = Some(display.into());
        a.set_override("DEFAULT_LANGUAGE", "Français=ja");
        let file = render(&a).expect("renders");
        let text = String::from_utf8(file.content.clone()).expect("utf-8");
        assert!(text.contains(&format!("\r\nSIP_PASS_1=\"{password}\"\r\n")), "{text}");
        assert!(
            text.contains(&format!("\r\nDISPLAY_NAME_1=\"{display}\"\r\n")),
            "{text}"
        );
        assert!(text.ends_with("\r\nDEFAULT_LANGUAGE=\"Français=ja\"\r\n\r\n"), "{text}");
        let got = parse(&file.content);
        assert!(got.contains(&("SIP_PASS_1".to_owned(), password.to_owned())));
        assert!(got.contains(&("DISPLAY_NAME_1".to_owned(), display.to_owned())));
        assert_eq!(got.len(), config(&two_accounts()).len() + 1);
    }

    #[test]
    fn provisioning_url_forms_and_schemes() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for (url, written) in [
            // A directory gets this phone's file name.
            ("http://10.0.0.1/prov/", "http://10.0.0.1/prov/Config0080F012ABCD.cfg"),
            (
                "HTTPS://pbx.example:8443/",
                "HTTPS://pbx.example:8443/Config0080F012ABCD.cfg",
            ),
            ("tftp://10.0.0.1", "tftp://10.0.0.1/Config0080F012ABCD.cfg"),
            ("https://[2001:db8::1]", "https://[2001:db8::1]/Config0080F012ABCD.cfg"),
            // A file URL is written as given, macros and all.
            ("http://pbx/p/Config{MAC}.cfg", "http://pbx/p/Config{MAC}.cfg"),
            ("ftp://pbx/x?u=http://y", "ftp://pbx/x?u=http://y"),
            ("http://pbx?mac={mac}", "http://pbx?mac={mac}"),
            ("https://user:pw@pbx/p%20q.cfg", "https://user:pw@pbx/p%20q.cfg"),
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(config(&a), pairs(&[(KEY_PROVISIONING_URL, written)]), "{url}");
        }
        for (url, echo) in [
            ("sips://x", "sips"),
            ("file:///etc/passwd", "file"),
            ("ldap://pbx", "ldap"),
            ("://pbx", ""),
            ("pbx.example/prov", ""),
            ("pbx/x?u=http://y", ""),
            ("user:secret@pbx/prov", ""),
            ("1http://x", ""),
            ("", ""),
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(render(&a), Err(RenderError::InvalidUrl(echo.into())), "{url}");
        }
        a.provisioning_url = Some(format!("{}://pbx", "x".repeat(50)));
        assert_eq!(render(&a), Err(RenderError::InvalidUrl("x".repeat(32))));
    }

    #[test]
    fn outbound_proxy_forms() {
        for (proxy, expected) in [
            ("obp.example", vec![("ADDR", "obp.example")]),
            ("obp.example:5070", vec![("ADDR", "obp.example"), ("PORT", "5070")]),
            ("10.0.0.9:0", vec![("ADDR", "10.0.0.9"), ("PORT", "0")]),
            ("[2001:db8::2]:5071", vec![("ADDR", "2001:db8::2"), ("PORT", "5071")]),
            ("[2001:db8::2]", vec![("ADDR", "2001:db8::2")]),
            ("2001:db8::2", vec![("ADDR", "2001:db8::2")]),
            ("obp.example:", vec![("ADDR", "obp.example:")]),
            ("obp.example:+5", vec![("ADDR", "obp.example:+5")]),
            ("obp.example:70000", vec![("ADDR", "obp.example:70000")]),
            ("[2001:db8::2]x", vec![("ADDR", "[2001:db8::2]x")]),
            ("[2001:db8::2", vec![("ADDR", "[2001:db8::2")]),
        ] {
            let mut a = Assignment {
                mac: Some(MAC),
                keep_pnp_enabled: true,
                ..Assignment::default()
            };
            a.account_mut(1).outbound_proxy = Some(proxy.into());
            let mut want: Vec<(String, String)> = expected
                .into_iter()
                .map(|(suffix, value)| (format!("SIP_OUTPROXY_{suffix}_1"), value.to_owned()))
                .collect();
            want.push(("SIP_TRANSPORT_1".to_owned(), "0".to_owned()));
            assert_eq!(config(&a), want, "{proxy}");
        }
        // An empty proxy is no proxy.
        let mut a = two_accounts();
        a.accounts[0].outbound_proxy = Some(String::new());
        assert!(
            !config(&a)
                .iter()
                .any(|(k, _)| k.starts_with("SIP_OUTPROXY_") && k.ends_with("_1"))
        );
    }

    #[test]
    fn gap_account_is_skipped_and_auth_id_falls_back() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        a.account_mut(3).user_id = Some("103".into());
        a.account_mut(3).transport = Transport::Tcp;
        assert_eq!(
            config(&a),
            pairs(&[
                ("PHONE_NUMBER_3", "103"),
                ("SIP_URI_3", "103"),
                ("SIP_AUTHID_3", "103"),
                ("SIP_TRANSPORT_3", "1"),
            ])
        );
    }

    #[test]
    fn missing_mac() {
        let a = Assignment {
            mac: None,
            ..two_accounts()
        };
        assert_eq!(render(&a), Err(RenderError::MissingMac));
    }

    #[test]
    fn file_name_has_the_mac_in_upper_case() {
        let a = Assignment {
            mac: Some(Mac([0xbc, 0xc3, 0x42, 0xab, 0xcd, 0xef])),
            ..Assignment::default()
        };
        assert_eq!(render(&a).expect("renders").file_name, "ConfigBCC342ABCDEF.cfg");
    }

    #[test]
    fn dispatch_and_determinism() {
        let a = two_accounts();
        assert_eq!(super::super::render("panasonic", &a), render(&a));
        assert_eq!(render(&a).expect("renders"), render(&a.clone()).expect("renders"));
    }
}
