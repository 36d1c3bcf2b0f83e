//! Snom XML settings (`<settings><phone-settings>…`), for accounts 1–12.
//!
//! Every generated setting carries `perm="R"`, so the phone's user cannot change a provisioned
//! value; account settings also carry `idx="N"` (1-based account number):
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <settings>
//!   <phone-settings>
//!     <setting_server perm="R">https://pbx.example/prov/</setting_server>
//!     <user_active idx="1" perm="R">on</user_active>
//!   </phone-settings>
//! </settings>
//! ```
//!
//! **File name.** When `setting_server` names a directory (no file name), a snom phone fetches
//! `<phoneType>.htm` and `<phoneType>-<MAC>.htm` from it, e.g. `snomD785-000413A11FA7.htm`, with
//! the MAC in upper case. So with a known model the file is `snom<model>-<MAC>.htm`, the model
//! normalised to the phone type (`D785` and `snomD785` both give `snomD785`); without one it is
//! `<MAC>.xml`, the name a `setting_server` such as `https://pbx/prov/{mac}.xml` asks for (the
//! phone expands `{mac}`). The content is the same XML document either way: snom firmware reads
//! XML settings from a `.htm` file too. A model that is not ASCII letters and digits after the
//! optional `snom` prefix (it would not be a safe file name) counts as unknown.
//!
//! **Transport.** snom selects the SIP transport through the `;transport=` parameter of the
//! account's outbound proxy (`user_outbound`), not through a setting of its own. So
//! `user_outbound` is `proxy;transport=udp|tcp|tls` when the account has an outbound proxy, and
//! for an account without one whose transport is not UDP it is the registrar itself
//! (`registrar[:port];transport=tcp|tls`): the phone then sends everything to the registrar over
//! that transport, which is what a plain registration would do over UDP.
//!
//! **PnP.** Unless [`Assignment::keep_pnp_enabled`] is set, `pnp_config` = `off` (the older
//! switch) and `provisioning_order` = `dhcp:stop` are written. `provisioning_order` lists the
//! sources a phone consults for its setting server at boot (`redirection`, `pnp`, `dhcp`,
//! `tr69`, each `:stop` or `:proceed`; the factory value is `redirection:stop pnp:stop dhcp:stop
//! tr69:stop`). Leaving out `pnp` stops the multicast SUBSCRIBE, leaving out `redirection`
//! stops the phone asking snom's redirection service; DHCP option 66 stays as the usual way a
//! site re-points its phones.

use std::borrow::Cow;

use super::accounts::used_accounts;
use super::field::Field;
use super::url::{check_known_scheme, split_scheme};
use super::xml::XmlWriter;
use super::{RenderError, RenderedFile, replace_or_append};
use crate::assign::{Account, Assignment, Transport};
use crate::device::Mac;

/// Accounts (identities) the largest snom desk phones (D7xx) have.
const MAX_ACCOUNTS: usize = 12;

/// `perm` value of every generated setting: read-only for the phone's user.
const PERM_READ_ONLY: &str = "R";

/// User name for the web interface, set together with the admin password.
const ADMIN_USER: &str = "admin";

/// Provisioning sources a provisioned phone still consults at boot: DHCP only (no PnP, no
/// redirection service).
const PROVISIONING_ORDER_WITHOUT_PNP: &str = "dhcp:stop";

/// Provisioning URL schemes snom phones fetch settings over.
const URL_SCHEMES: [&str; 4] = ["http", "https", "tftp", "ftp"];

/// Renders the snom settings document for `a`.
///
/// Globals come first (`setting_server`, `ntp_server`, `timezone`, `admin_mode_password`,
/// `http_user`, `http_pass`, then `pnp_config` and `provisioning_order` unless PnP is kept
/// on), then accounts 1–12: `user_active`, `user_idle_text`, `user_realname`, `user_name`,
/// `user_pname`, `user_pass`, `user_host`, `user_outbound`. Only values that are present are
/// written (`user_active` = `on` always, for each account present); an entirely empty account
/// is skipped. Overrides are plain setting names (no `idx`): one replaces the generated
/// setting of the same name in place (only globals can match, account settings carry an
/// `idx`), or is appended in the given order; overrides get `perm="R"` too.
///
/// Errors: no MAC ([`RenderError::MissingMac`]), a provisioning URL whose scheme is not http,
/// https, tftp or ftp, or which has no scheme ([`RenderError::InvalidUrl`], echoing the scheme,
/// empty when there is none), more than 12 accounts, an override key that is not an XML name,
/// a control character in any value.
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    let mut settings = globals(a)?;
    settings.extend(accounts(&a.accounts)?);
    apply_overrides(&mut settings, &a.overrides);

    let mut doc = XmlWriter::new();
    doc.open("settings", &[])?;
    doc.open("phone-settings", &[])?;
    for setting in &settings {
        let idx = setting.idx.map(|idx| idx.to_string());
        let mut attributes = Vec::with_capacity(2);
        if let Some(idx) = idx.as_deref() {
            attributes.push(("idx", idx));
        }
        attributes.push(("perm", PERM_READ_ONLY));
        doc.text_element_with_attributes(setting.name, &attributes, &setting.value, &setting.field)?;
    }
    Ok(RenderedFile {
        file_name: file_name(mac, a.model.as_deref()),
        content_type: "application/xml",
        content: doc.finish(),
    })
}

/// `snom<model>-<MAC>.htm` for a usable model, else `<MAC>.xml`.
fn file_name(mac: Mac, model: Option<&str>) -> String {
    match model.and_then(phone_type) {
        Some(phone_type) => format!("{phone_type}-{}.htm", mac.to_upper_hex()),
        None => format!("{}.xml", mac.to_upper_hex()),
    }
}

/// The snom phone type for `model`: `snom` + the model without any `snom` prefix (any case),
/// when that rest is non-empty ASCII letters and digits.
fn phone_type(model: &str) -> Option<String> {
    let rest = match model.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("snom") => &model[4..],
        _ => model,
    };
    let usable = !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric());
    usable.then(|| format!("snom{rest}"))
}

/// One `<name idx=… perm="R">value</name>` to write.
struct Setting<'a> {
    name: &'a str,
    /// Account number for account settings; `None` for globals and overrides.
    idx: Option<usize>,
    value: Cow<'a, str>,
    field: Field<'a>,
}

fn global<'a>(name: &'static str, value: impl Into<Cow<'a, str>>, field: &'static str) -> Setting<'a> {
    Setting {
        name,
        idx: None,
        value: value.into(),
        field: Field::Global(field),
    }
}

fn globals(a: &Assignment) -> Result<Vec<Setting<'_>>, RenderError> {
    let mut settings = Vec::new();
    if let Some(url) = a.provisioning_url.as_deref() {
        check_url_scheme(url)?;
        settings.push(global("setting_server", url, "provisioning url"));
    }
    if let Some(ntp) = a.ntp_server.as_deref() {
        settings.push(global("ntp_server", ntp, "ntp server"));
    }
    if let Some(timezone) = a.timezone.as_deref() {
        settings.push(global("timezone", timezone, "timezone"));
    }
    if let Some(password) = a.admin_password.as_deref() {
        settings.push(global("admin_mode_password", password, "admin password"));
        settings.push(global("http_user", ADMIN_USER, "admin user"));
        settings.push(global("http_pass", password, "admin password"));
    }
    if !a.keep_pnp_enabled {
        settings.push(global("pnp_config", "off", "pnp"));
        settings.push(global("provisioning_order", PROVISIONING_ORDER_WITHOUT_PNP, "pnp"));
    }
    Ok(settings)
}

/// Accepts `scheme://…` with a scheme of [`URL_SCHEMES`] (any case); the URL is written as it
/// is, so `{mac}` placeholders reach the phone.
fn check_url_scheme(url: &str) -> Result<(), RenderError> {
    let scheme = split_scheme(url).map_or("", |(scheme, _)| scheme);
    check_known_scheme(scheme, &URL_SCHEMES)
}

fn accounts(accounts: &[Account]) -> Result<Vec<Setting<'_>>, RenderError> {
    let mut settings = Vec::new();
    for (index, acct) in used_accounts(accounts, MAX_ACCOUNTS)? {
        let (outbound, outbound_field) = match outbound(acct) {
            Some((value, field)) => (Some(Cow::from(value)), field),
            None => (None, "outbound proxy"),
        };
        let values: [(&str, &'static str, Option<Cow<'_, str>>); 8] = [
            ("user_active", "enabled", Some(Cow::from("on"))),
            ("user_idle_text", "label", acct.label.as_deref().map(Cow::from)),
            (
                "user_realname",
                "display name",
                acct.display_name.as_deref().map(Cow::from),
            ),
            ("user_name", "user id", acct.user_id.as_deref().map(Cow::from)),
            ("user_pname", "auth id", acct.effective_auth_id().map(Cow::from)),
            ("user_pass", "password", acct.password.as_deref().map(Cow::from)),
            ("user_host", "registrar", acct.registrar_hostport().map(Cow::from)),
            ("user_outbound", outbound_field, outbound),
        ];
        for (name, field, value) in values {
            if let Some(value) = value {
                settings.push(Setting {
                    name,
                    idx: Some(index),
                    value,
                    field: Field::Account(index, field),
                });
            }
        }
    }
    Ok(settings)
}

/// `user_outbound` and the neutral name of its source: the outbound proxy with the transport,
/// else, for TCP or TLS, the registrar with the transport; `None` for plain UDP to the
/// registrar.
fn outbound(acct: &Account) -> Option<(String, &'static str)> {
    let transport = acct.transport.as_str();
    if let Some(proxy) = acct.outbound_proxy.as_deref() {
        return Some((
            format!("{};transport={transport}", bracket_bare_ipv6(proxy)),
            "outbound proxy",
        ));
    }
    if acct.transport == Transport::Udp {
        return None;
    }
    let registrar = acct.registrar_hostport()?;
    Some((format!("{registrar};transport={transport}"), "registrar"))
}

/// Brackets an outbound proxy that is a bare IPv6 literal (two or more colons, no brackets);
/// `host` and `host:port` are returned unchanged.
fn bracket_bare_ipv6(proxy: &str) -> Cow<'_, str> {
    if proxy.matches(':').count() >= 2 {
        crate::net::bracket_ipv6(proxy)
    } else {
        Cow::Borrowed(proxy)
    }
}

/// Replaces the setting with the same name and no `idx` in place, else appends (names are
/// checked when written).
fn apply_overrides<'a>(settings: &mut Vec<Setting<'a>>, overrides: &'a [(String, String)]) {
    for (key, value) in overrides {
        let setting = Setting {
            name: key,
            idx: None,
            value: Cow::from(value),
            field: Field::Override(key),
        };
        replace_or_append(settings, |s| s.idx.is_none() && s.name == key, setting);
    }
}

/// The `<settings><phone-settings>` document being written.
///
#[cfg(test)]
mod tests {
    use super::super::test_support;
    use super::super::xml::{Node, parse};
    use super::*;

    const MAC: Mac = Mac([0x00, 0x04, 0x13, 0xa1, 0x1f, 0xa7]);

    fn two_accounts() -> Assignment {
        Assignment {
            model: Some("D785".into()),
            ..test_support::two_accounts(MAC, "2001:db8::1", "https://prov.example:8443/snom/{mac}.xml", "GER+1")
        }
    }

    /// Renders `a` and parses the output back into its elements.
    fn nodes(a: &Assignment) -> Vec<Node> {
        parse(&render(a).expect("renders").content)
    }

    /// The `<phone-settings>` children as (name, idx, text); every one must have perm="R".
    fn settings(a: &Assignment) -> Vec<(String, Option<String>, String)> {
        nodes(a)
            .into_iter()
            .filter_map(|n| {
                let name = n.path.strip_prefix("settings/phone-settings/")?.to_owned();
                let mut idx = None;
                let mut perm = None;
                for (key, value) in n.attributes {
                    match key.as_str() {
                        "idx" => idx = Some(value),
                        "perm" => perm = Some(value),
                        other => panic!("unexpected attribute {other}"),
                    }
                }
                assert_eq!(perm.as_deref(), Some("R"), "{name}");
                Some((name, idx, n.text))
            })
            .collect()
    }

    fn global_pairs(expected: &[(&str, &str)]) -> Vec<(String, Option<String>, String)> {
        expected
            .iter()
            .map(|&(k, v)| (k.to_owned(), None, v.to_owned()))
            .collect()
    }

    fn value_of(got: &[(String, Option<String>, String)], name: &str, idx: Option<&str>) -> Option<String> {
        got.iter()
            .find(|(n, i, _)| n == name && i.as_deref() == idx)
            .map(|(_, _, v)| v.clone())
    }

    #[test]
    fn golden_two_account_document() {
        let file = render(&two_accounts()).expect("renders");
        assert_eq!(file.file_name, "snomD785-000413A11FA7.htm");
        assert_eq!(file.content_type, "application/xml");
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<settings>
  <phone-settings>
    <setting_server perm="R">https://prov.example:8443/snom/{mac}.xml</setting_server>
    <ntp_server perm="R">pool.ntp.org</ntp_server>
    <timezone perm="R">GER+1</timezone>
    <admin_mode_password perm="R">admin!</admin_mode_password>
    <http_user perm="R">admin</http_user>
    <http_pass perm="R">admin!</http_pass>
    <pnp_config perm="R">off</pnp_config>
    <provisioning_order perm="R">dhcp:stop</provisioning_order>
    <user_active idx="1" perm="R">on</user_active>
    <user_idle_text idx="1" perm="R">Reception</user_idle_text>
    <user_realname idx="1" perm="R">Front Desk</user_realname>
    <user_name idx="1" perm="R">101</user_name>
    <user_pname idx="1" perm="R">auth101</user_pname>
    <user_pass idx="1" perm="R">s3cret</user_pass>
    <user_host idx="1" perm="R">pbx.example:5062</user_host>
    <user_outbound idx="1" perm="R">proxy.example:5070;transport=udp</user_outbound>
    <user_active idx="2" perm="R">on</user_active>
    <user_name idx="2" perm="R">102</user_name>
    <user_pname idx="2" perm="R">102</user_pname>
    <user_pass idx="2" perm="R">pw102</user_pass>
    <user_host idx="2" perm="R">[2001:db8::1]</user_host>
    <user_outbound idx="2" perm="R">[2001:db8::1];transport=tls</user_outbound>
  </phone-settings>
</settings>
"#;
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), expected);
    }

    #[test]
    fn accounts_one_and_twelve_parse_back() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for index in [1, 12] {
            let acct = a.account_mut(index);
            acct.label = Some(format!("L{index}"));
            acct.display_name = Some(format!("D{index}"));
            acct.user_id = Some(format!("1{index:02}"));
            acct.auth_id = Some(format!("a{index}"));
            acct.password = Some(format!("p{index}"));
            acct.registrar_host = Some("pbx".into());
            acct.outbound_proxy = Some("obp".into());
            acct.transport = Transport::Tcp;
        }
        let all = nodes(&a);
        assert_eq!(all[0].path, "settings");
        assert!(all[0].attributes.is_empty());
        assert_eq!(all[1].path, "settings/phone-settings");
        assert!(all[1].attributes.is_empty());
        for node in &all[2..] {
            let idx = &node.attributes[0];
            assert_eq!(idx.0, "idx");
            assert!(idx.1 == "1" || idx.1 == "12", "{node:?}");
            assert_eq!(node.attributes[1], ("perm".to_owned(), "R".to_owned()));
        }
        // Accounts 2-11 are empty gaps: skipped, not switched off.
        let mut expected = Vec::new();
        for index in ["1", "12"] {
            let n: usize = index.parse().expect("number");
            for (name, value) in [
                ("user_active", "on".to_owned()),
                ("user_idle_text", format!("L{n}")),
                ("user_realname", format!("D{n}")),
                ("user_name", format!("1{n:02}")),
                ("user_pname", format!("a{n}")),
                ("user_pass", format!("p{n}")),
                ("user_host", "pbx".to_owned()),
                ("user_outbound", "obp;transport=tcp".to_owned()),
            ] {
                expected.push((name.to_owned(), Some(index.to_owned()), value));
            }
        }
        assert_eq!(settings(&a), expected);
    }

    #[test]
    fn special_characters_round_trip() {
        let mut a = two_accounts();
        let password = "a&b<c>d\"e'f ]]> </user_pass><evil/>";
        a.accounts[0].password = Some(password.into());
        a.accounts[0].display_name = Some("  Zoë & 北京  ".into());
        a.set_override("language", "]]>&<>\"'");
        let text = String::from_utf8(render(&a).expect("renders").content).expect("utf-8");
        assert!(
            text.contains("<user_pass idx=\"1\" perm=\"R\">a&amp;b&lt;c&gt;d&quot;e&apos;f ]]&gt; "),
            "{text}"
        );
        assert!(!text.contains("<evil/>") && !text.contains("]]>"), "{text}");
        let got = settings(&a);
        assert_eq!(value_of(&got, "user_pass", Some("1")).as_deref(), Some(password));
        assert_eq!(
            value_of(&got, "user_realname", Some("1")).as_deref(),
            Some("  Zoë & 北京  ")
        );
        assert_eq!(value_of(&got, "language", None).as_deref(), Some("]]>&<>\"'"));
    }

    /// A change made to [`two_accounts`] before rendering.
    type Edit = fn(&mut Assignment);

    #[test]
    fn control_character_names_field_not_value() {
        let mut a = two_accounts();
        a.accounts[1].password = Some("hunter2\u{7}secret".into());
        let err = render(&a).expect_err("control character");
        assert_eq!(
            err,
            RenderError::ControlCharacter {
                field: "account 2 password".into()
            }
        );
        let message = err.to_string();
        assert!(message.contains("account 2 password"), "{message}");
        assert!(!message.contains("hunter2") && !message.contains("secret"), "{message}");

        let cases: [(Edit, &str); 6] = [
            (|a| a.timezone = Some("GER+1\n".into()), "timezone"),
            (|a| a.admin_password = Some("x\u{0}".into()), "admin password"),
            (|a| a.accounts[0].label = Some("\u{85}".into()), "account 1 label"),
            (
                |a| a.accounts[0].outbound_proxy = Some("p\r".into()),
                "account 1 outbound proxy",
            ),
            (
                |a| a.accounts[1].registrar_host = Some("h\t".into()),
                "account 2 registrar",
            ),
            (|a| a.set_override("language", "en\r\n<x/>"), "override language"),
        ];
        for (edit, field) in cases {
            let mut a = two_accounts();
            edit(&mut a);
            assert_eq!(
                render(&a),
                Err(RenderError::ControlCharacter { field: field.into() }),
                "{field}"
            );
        }
    }

    #[test]
    fn account_limit() {
        let mut a = two_accounts();
        a.account_mut(13).user_id = Some("113".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 12, got: 13 }));
        let mut a = two_accounts();
        a.account_mut(12).user_id = Some("112".into());
        assert!(render(&a).is_ok());
        // Trailing empty accounts are nothing to render.
        let mut a = two_accounts();
        a.account_mut(20);
        assert_eq!(render(&a).expect("renders"), render(&two_accounts()).expect("renders"));
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
    fn pnp_is_switched_off_unless_kept() {
        let mut a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        assert_eq!(
            settings(&a),
            global_pairs(&[("pnp_config", "off"), ("provisioning_order", "dhcp:stop")])
        );
        a.keep_pnp_enabled = true;
        assert_eq!(settings(&a), global_pairs(&[]));
        let text = String::from_utf8(render(&a).expect("renders").content).expect("utf-8");
        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n  <phone-settings>\n  \
             </phone-settings>\n</settings>\n"
        );
    }

    #[test]
    fn file_names() {
        let mut a = two_accounts();
        for (model, expected) in [
            (Some("D785"), "snomD785-000413A11FA7.htm"),
            (Some("snomD785"), "snomD785-000413A11FA7.htm"),
            (Some("SNOM370"), "snom370-000413A11FA7.htm"),
            (Some("M700"), "snomM700-000413A11FA7.htm"),
            (None, "000413A11FA7.xml"),
            (Some(""), "000413A11FA7.xml"),
            (Some("snom"), "000413A11FA7.xml"),
            (Some("D7/../x"), "000413A11FA7.xml"),
            (Some("D785-x"), "000413A11FA7.xml"),
            (Some("D 785"), "000413A11FA7.xml"),
            (Some("snöm"), "000413A11FA7.xml"),
        ] {
            a.model = model.map(str::to_owned);
            assert_eq!(render(&a).expect("renders").file_name, expected, "{model:?}");
        }
    }

    #[test]
    fn provisioning_url_scheme() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for url in [
            "http://10.0.0.1/prov/",
            "HTTPS://pbx.example:8443/a/{mac}.xml",
            "tftp://10.0.0.1",
            "ftp://user:pw@pbx/snom/",
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(settings(&a), global_pairs(&[("setting_server", url)]), "{url}");
        }
        for (url, scheme) in [
            ("sips://x", "sips"),
            ("file:///etc/passwd", "file"),
            ("://pbx", ""),
            ("pbx.example/prov", ""),
            ("pbx/x?u=http://y", ""),
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(render(&a), Err(RenderError::InvalidUrl(scheme.into())), "{url}");
        }
        a.provisioning_url = Some(format!("{}://pbx", "x".repeat(50)));
        assert_eq!(render(&a), Err(RenderError::InvalidUrl("x".repeat(32))));
    }

    #[test]
    fn transport_and_outbound_proxy() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        let acct = a.account_mut(1);
        acct.registrar_host = Some("pbx".into());
        // Plain UDP to the registrar: no user_outbound.
        assert_eq!(value_of(&settings(&a), "user_outbound", Some("1")), None);
        a.accounts[0].transport = Transport::Tcp;
        assert_eq!(
            value_of(&settings(&a), "user_outbound", Some("1")).as_deref(),
            Some("pbx;transport=tcp")
        );
        a.accounts[0].outbound_proxy = Some("2001:db8::5".into());
        assert_eq!(
            value_of(&settings(&a), "user_outbound", Some("1")).as_deref(),
            Some("[2001:db8::5];transport=tcp")
        );
        a.accounts[0].outbound_proxy = Some("[2001:db8::5]:5070".into());
        assert_eq!(
            value_of(&settings(&a), "user_outbound", Some("1")).as_deref(),
            Some("[2001:db8::5]:5070;transport=tcp")
        );
        // TLS without a registrar or proxy cannot be expressed: nothing is written.
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        a.account_mut(1).user_id = Some("101".into());
        a.accounts[0].transport = Transport::Tls;
        assert_eq!(value_of(&settings(&a), "user_outbound", Some("1")), None);
    }

    #[test]
    fn overrides_replace_in_place_and_append() {
        let mut a = two_accounts();
        a.set_override("language", "Deutsch");
        a.set_override("ntp_server", "ntp.example");
        a.set_override("provisioning_order", "redirection:stop dhcp:stop");
        a.set_override("user_host", "other");
        a.set_override("web_language", "Deutsch");
        let base = settings(&two_accounts());
        let got = settings(&a);
        assert_eq!(got.len(), base.len() + 3);
        assert_eq!(got[1], ("ntp_server".to_owned(), None, "ntp.example".to_owned()));
        assert_eq!(
            got[7],
            (
                "provisioning_order".to_owned(),
                None,
                "redirection:stop dhcp:stop".to_owned()
            )
        );
        // Account settings carry an idx, so a plain override of the same name is appended.
        assert_eq!(
            value_of(&got, "user_host", Some("1")).as_deref(),
            Some("pbx.example:5062")
        );
        assert_eq!(
            got[base.len()..],
            global_pairs(&[
                ("language", "Deutsch"),
                ("user_host", "other"),
                ("web_language", "Deutsch")
            ])
        );
    }

    #[test]
    fn bad_override_keys_are_refused() {
        for key in ["", "1x", "user host", "a\"><evil", "a:b", "user_host[2]"] {
            let mut a = two_accounts();
            a.set_override(key, "v");
            assert_eq!(render(&a), Err(RenderError::InvalidKey(key.into())), "{key:?}");
        }
        let mut a = two_accounts();
        a.set_override(&format!("{}>", "k".repeat(40)), "v");
        assert_eq!(render(&a), Err(RenderError::InvalidKey("k".repeat(32))));
    }

    #[test]
    fn output_is_deterministic() {
        let a = two_accounts();
        assert_eq!(render(&a).expect("renders"), render(&a.clone()).expect("renders"));
    }
}
