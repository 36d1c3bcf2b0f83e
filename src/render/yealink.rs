//! Yealink text provisioning (`<mac>.cfg`, V81+ dialect), for accounts 1–16.
//!
//! Syntax (config-formats §2.2, sources YLB, WZ, FP): UTF-8 text whose first line is exactly
//! `#!version:1.0.0.1`, then one `key = value` per line. The format has no quoting and no
//! escaping: a value runs to the end of its line. So a value containing a line break or any
//! other control character is refused ([`RenderError::ControlCharacter`]) rather than written,
//! and override keys are limited to `[A-Za-z0-9_.]+`. Everything else (`%`, `=`, `#`, quotes,
//! `&<>`, non-ASCII) is written verbatim.
//!
//! Dialect (§2.2 "Dialect by firmware"): `account.N.sip_server.1.transport_type` (V80+) and the
//! `static.` prefix on `auto_provision.*` and `security.*` (V81+, with the V86+ URL key).

use std::borrow::Cow;

use super::accounts::used_accounts;
use super::field::Field;
use super::hostport::split_host_port;
use super::url::{check_known_scheme, strict_scheme};
use super::values::{breaks_line, check_override_key, check_value};
use super::{RenderError, RenderedFile, replace_or_append};
use crate::assign::{Account, Assignment, Transport};
use crate::net::unbracket;

/// Accounts the format addresses: the largest models (T46U/T48U/T5x) have 16 (§2.2 field map).
const MAX_ACCOUNTS: usize = 16;

/// Mandatory first line of every config file (§2.2 syntax; YLB, FP, WZ).
const HEADER: &str = "#!version:1.0.0.1";

/// Where the phone fetches its config later: full `scheme://host/path` (§2.2 field map
/// "provisioning URL"; WZ v86 `base.tpl`).
const KEY_PROVISIONING_URL: &str = "static.auto_provision.server.url";
/// First NTP server (§2.2 field map "NTP / TZ").
const KEY_NTP_SERVER: &str = "local_time.ntp_server1";
/// Time zone as the phone expects it, e.g. `+1` (§2.2 field map "NTP / TZ").
const KEY_TIMEZONE: &str = "local_time.time_zone";
/// `user:password` pairs; the admin's is `admin:<pw>` (§2.2 syntax and field map "admin password").
const KEY_USER_PASSWORD: &str = "static.security.user_password";
/// SIP Plug-and-Play SUBSCRIBE at boot, `0` = off (§2.2 field map "PnP off"; §6 item 3).
const KEY_PNP: &str = "static.auto_provision.pnp_enable";

/// Schemes the phone can fetch its config with (compared case-insensitively).
const URL_SCHEMES: [&str; 4] = ["http", "https", "tftp", "ftp"];

/// Per-account key suffixes (`account.N.<suffix>`), all from the §2.2 field map (WZ v86
/// `base.tpl`), in emit order, with the neutral field name used in errors.
const ACCOUNT_KEYS: [(&str, &str); 12] = [
    // enabled (0/1)
    ("enable", "enabled"),
    ("label", "label"),
    ("display_name", "display name"),
    // user id (the extension)
    ("user_name", "user id"),
    // auth id, falling back to the user id
    ("auth_name", "auth id"),
    ("password", "password"),
    // registrar host, IPv6 without brackets
    ("sip_server.1.address", "registrar"),
    ("sip_server.1.port", "registrar port"),
    // 0 UDP, 1 TCP, 2 TLS (3 DNS-NAPTR is not modelled)
    ("sip_server.1.transport_type", "transport"),
    ("outbound_proxy_enable", "outbound proxy"),
    ("outbound_proxy.1.address", "outbound proxy"),
    ("outbound_proxy.1.port", "outbound proxy"),
];

/// Renders `<mac>.cfg` for `a`.
///
/// Globals come first (server URL, NTP server, time zone, admin password, and PnP off unless
/// kept on), then accounts 1–16 in order; only values that are present are written (enable and
/// transport always, for each account present). An entirely empty account is skipped.
/// Overrides replace a generated key's value in place, or are appended in their given order.
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    let mut entries = globals(a)?;
    entries.extend(accounts(&a.accounts)?);
    apply_overrides(&mut entries, &a.overrides)?;
    Ok(RenderedFile {
        file_name: format!("{}.cfg", mac.to_lower_hex()),
        content_type: "text/plain",
        content: write(&entries)?,
    })
}

/// One `key = value` line to write.
struct Entry<'a> {
    key: Cow<'a, str>,
    value: Cow<'a, str>,
    field: Field<'a>,
}

fn globals(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = Vec::new();
    let mut push = |key, value, field| {
        entries.push(Entry {
            key: Cow::Borrowed(key),
            value,
            field: Field::Global(field),
        })
    };
    if let Some(url) = a.provisioning_url.as_deref() {
        check_scheme(url)?;
        push(KEY_PROVISIONING_URL, Cow::from(url), "provisioning url");
    }
    if let Some(ntp) = a.ntp_server.as_deref() {
        push(KEY_NTP_SERVER, Cow::from(ntp), "ntp server");
    }
    if let Some(timezone) = a.timezone.as_deref() {
        push(KEY_TIMEZONE, Cow::from(timezone), "timezone");
    }
    if let Some(password) = a.admin_password.as_deref() {
        push(
            KEY_USER_PASSWORD,
            Cow::from(format!("admin:{password}")),
            "admin password",
        );
    }
    if !a.keep_pnp_enabled {
        push(KEY_PNP, Cow::from("0"), "pnp");
    }
    Ok(entries)
}

/// Accepts a URL whose scheme (the text before `://`) is one of [`URL_SCHEMES`]. Otherwise the
/// error echoes the scheme (capped), or nothing when there is no syntactically valid scheme, so
/// no part of the path or of any credentials in it is echoed.
fn check_scheme(url: &str) -> Result<(), RenderError> {
    let (scheme, _) = strict_scheme(url)?;
    check_known_scheme(scheme, &URL_SCHEMES)
}

fn accounts(accounts: &[Account]) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = Vec::new();
    for (index, acct) in used_accounts(accounts, MAX_ACCOUNTS)? {
        // An empty proxy string is no proxy: enabling a proxy without an address breaks calls.
        let proxy = acct
            .outbound_proxy
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(split_host_port);
        let values: [Option<Cow<'_, str>>; 12] = [
            Some(Cow::from("1")),
            acct.label.as_deref().map(Cow::from),
            acct.display_name.as_deref().map(Cow::from),
            acct.user_id.as_deref().map(Cow::from),
            acct.effective_auth_id().map(Cow::from),
            acct.password.as_deref().map(Cow::from),
            acct.registrar_host.as_deref().map(|host| Cow::from(unbracket(host))),
            acct.registrar_port.map(|port| Cow::from(port.to_string())),
            Some(Cow::from(transport_code(acct.transport))),
            proxy.map(|_| Cow::from("1")),
            proxy.map(|(host, _)| Cow::from(host)),
            proxy.and_then(|(_, port)| port).map(|port| Cow::from(port.to_string())),
        ];
        for ((suffix, field), value) in ACCOUNT_KEYS.into_iter().zip(values) {
            if let Some(value) = value {
                entries.push(Entry {
                    key: Cow::Owned(format!("account.{index}.{suffix}")),
                    value,
                    field: Field::Account(index, field),
                });
            }
        }
    }
    Ok(entries)
}

fn transport_code(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "0",
        Transport::Tcp => "1",
        Transport::Tls => "2",
    }
}

/// Checks each override key, then replaces the value of an entry with the same key in place,
/// else appends. A key with a control character is [`RenderError::ControlCharacter`] for
/// `override N key` (N = 1-based position); any other key outside `[A-Za-z0-9_.]+` is
/// [`RenderError::InvalidKey`].
fn apply_overrides<'a>(entries: &mut Vec<Entry<'a>>, overrides: &'a [(String, String)]) -> Result<(), RenderError> {
    for (i, (key, value)) in overrides.iter().enumerate() {
        check_override_key(i, key, breaks_line, is_valid_key)?;
        let entry = Entry {
            key: Cow::Borrowed(key),
            value: Cow::from(value),
            field: Field::Override(key),
        };
        replace_or_append(entries, |e| e.key == key.as_str(), entry);
    }
    Ok(())
}

/// `[A-Za-z0-9_.]+`: every Yealink key is dotted words of this kind.
fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
}

/// The header line, then `key = value\n` per entry; refuses values that would break a line.
fn write(entries: &[Entry<'_>]) -> Result<Vec<u8>, RenderError> {
    let mut out = String::with_capacity(HEADER.len() + 1 + entries.len() * 48);
    out.push_str(HEADER);
    out.push('\n');
    for entry in entries {
        debug_assert!(is_valid_key(&entry.key), "generated keys are valid");
        check_value(&entry.value, &entry.field, breaks_line)?;
        out.push_str(&entry.key);
        out.push_str(" = ");
        out.push_str(&entry.value);
        out.push('\n');
    }
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{self, control_error, pairs};
    use super::*;
    use crate::device::Mac;

    const MAC: Mac = Mac([0x80, 0x5e, 0xc0, 0x12, 0xab, 0xcd]);

    fn two_accounts() -> Assignment {
        let mut a = test_support::two_accounts(MAC, "[2001:db8::1]", "https://prov.example:8443/yealink/", "+1");
        a.account_mut(2).outbound_proxy = Some("[2001:db8::2]:5071".into());
        a
    }

    /// Renders `a` and parses the output back: checks the header, LF-only line ends and one
    /// ` = ` per line, and returns the (key, value) lines in order.
    fn config(a: &Assignment) -> Vec<(String, String)> {
        parse(&render(a).expect("renders").content)
    }

    fn parse(content: &[u8]) -> Vec<(String, String)> {
        let text = std::str::from_utf8(content).expect("utf-8");
        assert!(!text.contains('\r'), "{text:?}");
        let body = text.strip_suffix('\n').expect("ends with a line end");
        let mut lines = body.split('\n');
        assert_eq!(lines.next(), Some(HEADER));
        lines
            .map(|line| {
                let (key, value) = line.split_once(" = ").expect("key = value");
                assert!(is_valid_key(key), "{line:?}");
                (key.to_owned(), value.to_owned())
            })
            .collect()
    }

    #[test]
    fn golden_two_account_render() {
        let file = render(&two_accounts()).expect("renders");
        assert_eq!(file.file_name, "805ec012abcd.cfg");
        assert_eq!(file.content_type, "text/plain");
        let expected = "\
#!version:1.0.0.1
static.auto_provision.server.url = https://prov.example:8443/yealink/
local_time.ntp_server1 = pool.ntp.org
local_time.time_zone = +1
static.security.user_password = admin:admin!
static.auto_provision.pnp_enable = 0
account.1.enable = 1
account.1.label = Reception
account.1.display_name = Front Desk
account.1.user_name = 101
account.1.auth_name = auth101
account.1.password = s3cret
account.1.sip_server.1.address = pbx.example
account.1.sip_server.1.port = 5062
account.1.sip_server.1.transport_type = 0
account.1.outbound_proxy_enable = 1
account.1.outbound_proxy.1.address = proxy.example
account.1.outbound_proxy.1.port = 5070
account.2.enable = 1
account.2.user_name = 102
account.2.auth_name = 102
account.2.password = pw102
account.2.sip_server.1.address = 2001:db8::1
account.2.sip_server.1.transport_type = 2
account.2.outbound_proxy_enable = 1
account.2.outbound_proxy.1.address = 2001:db8::2
account.2.outbound_proxy.1.port = 5071
";
        assert_eq!(String::from_utf8(file.content.clone()).expect("utf-8"), expected);
        assert_eq!(file.content, expected.as_bytes());
    }

    #[test]
    fn accounts_1_and_16_parse_back() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for (index, transport) in [(1, Transport::Tcp), (16, Transport::Tls)] {
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
        // Accounts 2-15 are empty gaps: skipped, not enabled.
        assert!(
            !got.iter()
                .any(|(k, _)| (2..16).any(|n| k.starts_with(&format!("account.{n}."))))
        );
        let expect = |n: usize, transport: &str| {
            let owned: Vec<(String, String)> = [
                ("enable", "1".to_owned()),
                ("label", format!("L{n}")),
                ("display_name", format!("D {n}")),
                ("user_name", format!("1{n:02}")),
                ("auth_name", format!("a{n}")),
                ("password", format!("p{n}")),
                ("sip_server.1.address", "pbx.example".to_owned()),
                ("sip_server.1.port", "5060".to_owned()),
                ("sip_server.1.transport_type", transport.to_owned()),
                ("outbound_proxy_enable", "1".to_owned()),
                ("outbound_proxy.1.address", format!("obp{n}.example")),
                ("outbound_proxy.1.port", format!("50{n:02}")),
            ]
            .into_iter()
            .map(|(suffix, value)| (format!("account.{n}.{suffix}"), value))
            .collect();
            owned
        };
        let mut expected = expect(1, "1");
        expected.extend(expect(16, "2"));
        assert_eq!(got, expected);
        // Every account key is looked up by name, too.
        for (key, value) in &expected {
            assert_eq!(got.iter().filter(|(k, _)| k == key).count(), 1, "{key}");
            assert!(got.contains(&(key.clone(), value.clone())), "{key}");
        }
    }

    #[test]
    fn overrides_replace_in_place_and_append() {
        let mut a = two_accounts();
        a.set_override("lang.gui", "English");
        a.set_override("static.security.user_password", "admin:new");
        a.set_override("account.2.password", "new102");
        a.set_override("static.auto_provision.pnp_enable", "1");
        a.set_override("voice.tone.country", "Germany");
        let base = config(&two_accounts());
        let got = config(&a);
        assert_eq!(got.len(), base.len() + 2);
        assert_eq!(got[3], ("static.security.user_password".into(), "admin:new".into()));
        assert_eq!(got[4], ("static.auto_provision.pnp_enable".into(), "1".into()));
        let at = base
            .iter()
            .position(|(k, _)| k == "account.2.password")
            .expect("present");
        assert_eq!(got[at], ("account.2.password".into(), "new102".into()));
        for key in ["static.security.user_password", "account.2.password"] {
            assert_eq!(got.iter().filter(|(k, _)| k == key).count(), 1, "{key}");
        }
        assert_eq!(
            got[got.len() - 2..],
            pairs(&[("lang.gui", "English"), ("voice.tone.country", "Germany")])
        );
        // Everything else is unchanged and in the same order.
        let changed = [
            "static.security.user_password",
            "static.auto_provision.pnp_enable",
            "account.2.password",
        ];
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
            ("x.y".into(), "1".into()),
            ("local_time.time_zone".into(), "+2".into()),
            ("x.y".into(), "2".into()),
        ];
        let got = config(&a);
        assert_eq!(got[2], ("local_time.time_zone".into(), "+2".into()));
        assert_eq!(got.last(), Some(&("x.y".to_owned(), "2".to_owned())));
        assert_eq!(got.len(), base.len() + 1);
    }

    #[test]
    fn control_characters_name_the_field_not_the_value() {
        let secret = "hunter2";
        for c in [
            '\r', '\n', '\0', '\u{7}', '\t', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}',
        ] {
            let value = format!("{secret}{c}more");

            let mut a = two_accounts();
            a.accounts[1].password = Some(value.clone());
            let err = render(&a).expect_err("control character");
            assert_eq!(Err(err.clone()), control_error("account 2 password"), "{c:?}");
            let message = err.to_string();
            assert!(message.contains("account 2 password"), "{message}");
            assert!(!message.contains(secret) && !message.contains("more"), "{message}");

            let mut a = two_accounts();
            a.accounts[0].label = Some(value.clone());
            assert_eq!(render(&a), control_error("account 1 label"), "{c:?}");

            let mut a = two_accounts();
            a.set_override("lang.gui", &value);
            let err = render(&a).expect_err("control character");
            assert_eq!(Err(err.clone()), control_error("override lang.gui"), "{c:?}");
            assert!(!err.to_string().contains(secret));

            // An override replacing a generated key is named as the override.
            let mut a = two_accounts();
            a.set_override("account.1.password", &value);
            assert_eq!(render(&a), control_error("override account.1.password"), "{c:?}");

            // A control character in an override key.
            let mut a = two_accounts();
            a.set_override("lang.gui", "English");
            a.set_override(&format!("a{c}b"), "v");
            assert_eq!(render(&a), control_error("override 2 key"), "{c:?}");
        }
        for (field, set) in [
            (
                "admin password",
                (|a: &mut Assignment| a.admin_password = Some("x\ny".into())) as fn(&mut _),
            ),
            ("timezone", |a| a.timezone = Some("+1\n".into())),
            ("ntp server", |a| a.ntp_server = Some("ntp\r".into())),
            ("provisioning url", |a| a.provisioning_url = Some("http://x/\n".into())),
            ("account 1 display name", |a| {
                a.accounts[0].display_name = Some("\u{0}".into())
            }),
            ("account 1 user id", |a| a.accounts[0].user_id = Some("1\n".into())),
            ("account 1 auth id", |a| a.accounts[0].auth_id = Some("1\n".into())),
            ("account 1 registrar", |a| {
                a.accounts[0].registrar_host = Some("h\n".into())
            }),
            ("account 1 outbound proxy", |a| {
                a.accounts[0].outbound_proxy = Some("h\n:1".into())
            }),
        ] {
            let mut a = two_accounts();
            set(&mut a);
            assert_eq!(render(&a), control_error(field), "{field}");
        }
    }

    #[test]
    fn bad_override_keys_are_refused() {
        for key in [
            "",
            "a b",
            "a=b",
            "#!version",
            "a-b",
            "a:b",
            "include:config",
            "ä",
            "a/b",
            "x[",
        ] {
            let mut a = two_accounts();
            a.set_override(key, "v");
            assert_eq!(render(&a), Err(RenderError::InvalidKey(key.into())), "{key:?}");
        }
        let mut a = two_accounts();
        a.set_override(&format!("{}=", "k".repeat(40)), "v");
        assert_eq!(render(&a), Err(RenderError::InvalidKey("k".repeat(32))));
        let mut a = two_accounts();
        a.set_override("Account_1.X9.y", "v");
        assert!(config(&a).contains(&("Account_1.X9.y".to_owned(), "v".to_owned())));
    }

    #[test]
    fn account_limit() {
        let mut a = two_accounts();
        a.account_mut(17).user_id = Some("117".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 16, got: 17 }));
        let mut a = two_accounts();
        a.account_mut(16).user_id = Some("116".into());
        assert!(config(&a).contains(&("account.16.user_name".to_owned(), "116".to_owned())));
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
        assert_eq!(config(&a), pairs(&[("static.auto_provision.pnp_enable", "0")]));
        a.keep_pnp_enabled = true;
        assert_eq!(config(&a), pairs(&[]));
        assert_eq!(render(&a).expect("renders").content, b"#!version:1.0.0.1\n");
        let mut a = two_accounts();
        a.keep_pnp_enabled = true;
        assert!(!config(&a).iter().any(|(k, _)| k.contains("pnp")));
    }

    #[test]
    fn special_values_pass_through_verbatim() {
        let mut a = two_accounts();
        let password = "100% = #not a comment & <x> \"q\" 'a' %NULL%";
        let display = "  Zoë & 北京 😀 ";
        a.accounts[0].password = Some(password.into());
        a.accounts[0].display_name = Some(display.into());
        a.accounts[0].label = Some("#".into());
        a.set_override("lang.gui", "Français=ja");
        let file = render(&a).expect("renders");
        let text = String::from_utf8(file.content.clone()).expect("utf-8");
        assert!(text.contains(&format!("\naccount.1.password = {password}\n")), "{text}");
        assert!(
            text.contains(&format!("\naccount.1.display_name = {display}\n")),
            "{text}"
        );
        assert!(text.contains("\naccount.1.label = #\n"), "{text}");
        assert!(text.ends_with("\nlang.gui = Français=ja\n"), "{text}");
        assert_eq!(text.lines().count(), 1 + config(&two_accounts()).len() + 1);
        let got = parse(&file.content);
        assert!(got.contains(&("account.1.password".to_owned(), password.to_owned())));
        assert!(got.contains(&("account.1.display_name".to_owned(), display.to_owned())));
    }

    #[test]
    fn provisioning_url_schemes() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for url in [
            "http://10.0.0.1/prov",
            "HTTPS://user:pw@pbx.example:8443/a/b/",
            "tftp://10.0.0.1",
            "ftp://pbx/x?u=http://y",
            "https://[2001:db8::1]/p%20q/",
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(config(&a), pairs(&[(KEY_PROVISIONING_URL, url)]), "{url}");
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
            ("obp.example", vec![("address", "obp.example")]),
            ("obp.example:5070", vec![("address", "obp.example"), ("port", "5070")]),
            ("10.0.0.9:0", vec![("address", "10.0.0.9"), ("port", "0")]),
            ("[2001:db8::2]:5071", vec![("address", "2001:db8::2"), ("port", "5071")]),
            ("[2001:db8::2]", vec![("address", "2001:db8::2")]),
            ("2001:db8::2", vec![("address", "2001:db8::2")]),
            ("obp.example:", vec![("address", "obp.example:")]),
            ("obp.example:+5", vec![("address", "obp.example:+5")]),
            ("obp.example:70000", vec![("address", "obp.example:70000")]),
            ("[2001:db8::2]x", vec![("address", "[2001:db8::2]x")]),
            ("[2001:db8::2", vec![("address", "[2001:db8::2")]),
        ] {
            let mut a = Assignment {
                mac: Some(MAC),
                keep_pnp_enabled: true,
                ..Assignment::default()
            };
            a.account_mut(1).outbound_proxy = Some(proxy.into());
            let mut want = vec![
                ("account.1.enable".to_owned(), "1".to_owned()),
                ("account.1.sip_server.1.transport_type".to_owned(), "0".to_owned()),
                ("account.1.outbound_proxy_enable".to_owned(), "1".to_owned()),
            ];
            for (suffix, value) in expected {
                want.push((format!("account.1.outbound_proxy.1.{suffix}"), value.to_owned()));
            }
            assert_eq!(config(&a), want, "{proxy}");
        }
        // An empty proxy is no proxy.
        let mut a = two_accounts();
        a.accounts[0].outbound_proxy = Some(String::new());
        assert!(
            !config(&a)
                .iter()
                .any(|(k, _)| k.starts_with("account.1.outbound_proxy"))
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
                ("account.3.enable", "1"),
                ("account.3.user_name", "103"),
                ("account.3.auth_name", "103"),
                ("account.3.sip_server.1.transport_type", "1"),
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
    fn dispatch_and_determinism() {
        let a = two_accounts();
        assert_eq!(super::super::render("yealink", &a), render(&a));
        assert_eq!(render(&a).expect("renders"), render(&a.clone()).expect("renders"));
    }
}
