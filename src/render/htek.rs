//! Htek XML provisioning (`cfg<mac>.xml`, `<hl_provision>` with `<config version="1">`
//! P-values), for accounts 1–6 (UC9xx/UC8xx).
//!
//! The format is Grandstream-like: one element per P-value, but every element also carries a
//! descriptive `para` attribute:
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <hl_provision version="1">
//!   <config version="1">
//!     <P47 para="Profile1_Sipserver">pbx.example:5060</P47>
//!     <P35 para="Account1_SipUserId">101</P35>
//!   </config>
//! </hl_provision>
//! ```
//!
//! The `para` text is informational: the phone identifies a setting by its P-number. Only
//! `Profile1_Sipserver` is quoted in our research notes; the other `para` names here follow the
//! same `Section_Name` style and are descriptive, not vendor-verified.
//!
//! **Accounts.** Htek's account P-numbers are irregular (acct 2 is P7xx, accts 5–6 are
//! P20360/P20361 plus P17xx/P18xx), so they come from an explicit table, not a formula. Per
//! account: enabled, label, user id, auth id (falls back to the user id), password, display
//! name. \[H\] for accounts 1, 2, 5, 6 and the P50x/P60x pattern of accounts 3–4; which of
//! P504–P507 (P604–P607) is user id / auth id / password / display name is \[M\] by analogy with
//! Grandstream (wazo's Htek template agrees); the labels of accounts 3–6 (P20002, P20003,
//! P20378, P20379) are \[M\] from wazo's Htek template only. VERIFY-HW.
//!
//! **Profiles (limitation).** On Htek the SIP server, outbound proxy and transport belong to a
//! *profile* (P47 server `host[:port]`, P48 outbound proxy, P130 transport 0 UDP / 1 TCP /
//! 2 TLS), not to an account, and only profile 1's P-numbers are documented. So profile 1 is
//! written from the first account present (normally account 1), and every account is assumed to
//! register through profile 1: the registrar, outbound proxy and transport of any other account
//! are **not written**, even when they differ. Which profile an account uses is a phone
//! setting this renderer leaves alone (wazo writes an `AccountN_Profile` key; VERIFY-HW before
//! relying on accounts 2–6 with a factory-default phone).
//!
//! **Provisioning URL.** P237 (config server path) gets the URL as given, scheme included: wazo,
//! FusionPBX and Htek's own factory default all put a full `http(s)://` URL there. P212
//! (upgrade mode) gets 0 for `tftp`, 1 for `http`, 2 for `https` (Grandstream's codes; wazo's
//! `1` with an `http://` URL agrees, the rest is \[M\], VERIFY-HW). A URL without a scheme is
//! written to P237 alone; any other scheme (`ftp` included, whose P212 code is unknown) is
//! [`RenderError::InvalidUrl`].
//!
//! **Globals.** P2 admin password, P30 NTP server (not in our research notes' Htek section; wazo
//! and FusionPBX Htek templates both use P30), P64 timezone passed through verbatim (Htek
//! expects its own code, e.g. `49` for UTC+1 in wazo's table: the assignment must carry it).
//!
//! **PnP.** No Htek key that switches SIP Plug-and-Play off is known, so none is written and PnP
//! stays as the phone has it: [`Assignment::keep_pnp_enabled`] has no effect for Htek yet.

use std::borrow::Cow;

use super::accounts::used_accounts;
use super::field::Field;
use super::url::{scheme_code, split_scheme};
use super::xml::XmlWriter;
use super::{RenderError, RenderedFile};
use crate::assign::{Account, Assignment, Transport};

/// Accounts the Htek P-value format addresses (the research covers 1–6).
const MAX_ACCOUNTS: usize = 6;

/// One P-value: the element name and its informational `para` text.
#[derive(Clone, Copy)]
struct Param {
    key: &'static str,
    para: &'static str,
}

/// Neutral name (for errors) and `para` suffix (`Account<N>_<suffix>`) of the columns of
/// [`ACCOUNT_KEYS`], in emit order.
const ACCOUNT_FIELDS: [(&str, &str); 6] = [
    ("enabled", "Active"),
    ("label", "Label"),
    ("user id", "SipUserId"),
    ("auth id", "AuthenticateId"),
    ("password", "AuthenticatePassword"),
    ("display name", "DisplayName"),
];

/// P-values per account (row N-1 = account N); columns as in [`ACCOUNT_FIELDS`].
#[rustfmt::skip]
const ACCOUNT_KEYS: [[&str; 6]; MAX_ACCOUNTS] = [
    // enabled  label     user id  auth id  password display
    ["P271",   "P20000", "P35",   "P36",   "P34",   "P3"],
    ["P401",   "P20001", "P735",  "P736",  "P734",  "P703"],
    ["P501",   "P20002", "P504",  "P505",  "P506",  "P507"],
    ["P601",   "P20003", "P604",  "P605",  "P606",  "P607"],
    ["P20360", "P20378", "P1704", "P1705", "P1706", "P1707"],
    ["P20361", "P20379", "P1804", "P1805", "P1806", "P1807"],
];

/// Profile 1 SIP server, `host[:port]`.
const PROFILE1_SERVER: Param = Param {
    key: "P47",
    para: "Profile1_Sipserver",
};
/// Profile 1 outbound proxy, `host[:port]`.
const PROFILE1_OUTBOUND_PROXY: Param = Param {
    key: "P48",
    para: "Profile1_OutboundProxy",
};
/// Profile 1 SIP transport: 0 UDP, 1 TCP, 2 TLS.
const PROFILE1_TRANSPORT: Param = Param {
    key: "P130",
    para: "Profile1_SipTransport",
};
/// Upgrade mode: 0 TFTP, 1 HTTP, 2 HTTPS (Grandstream's codes, VERIFY-HW).
const CONFIG_PROTOCOL: Param = Param {
    key: "P212",
    para: "AutoProvision_UpgradeMode",
};
/// The [`CONFIG_PROTOCOL`] code of each scheme (any case); `ftp`'s is unknown.
const UPGRADE_MODES: [(&str, &str); 3] = [("tftp", "0"), ("http", "1"), ("https", "2")];
/// Config server path: the provisioning URL as given.
const CONFIG_SERVER: Param = Param {
    key: "P237",
    para: "AutoProvision_ConfigServerPath",
};
const NTP_SERVER: Param = Param {
    key: "P30",
    para: "Time_NtpServer",
};
/// Htek timezone code, passed through.
const TIMEZONE: Param = Param {
    key: "P64",
    para: "Time_TimeZone",
};
const ADMIN_PASSWORD: Param = Param {
    key: "P2",
    para: "Management_AdminPassword",
};

/// `para` of an override that does not replace a generated key.
const OVERRIDE_PARA: &str = "Override";

/// Renders `cfg<mac>.xml` for `a`.
///
/// Globals come first (P212, P237, P30, P64, P2), then profile 1 (P47, P48, P130) from the first
/// account present, then accounts 1–6 in table order; only values that are present are written
/// (P130 always, and the enabled key for each account present). An entirely empty account is
/// skipped. Overrides replace a generated key's value in place (keeping its `para`), or are
/// appended in their given order with `para="Override"`.
///
/// Errors: no MAC ([`RenderError::MissingMac`]), a provisioning URL scheme other than tftp,
/// http or https, more than 6 accounts, an override key that is not an XML name, a control
/// character in any value.
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    let mut entries = globals(a)?;
    entries.extend(accounts(&a.accounts)?);
    apply_overrides(&mut entries, &a.overrides);

    let mut doc = XmlWriter::new();
    doc.open("hl_provision", &[("version", "1")])?;
    doc.open("config", &[("version", "1")])?;
    for entry in &entries {
        doc.text_element_with_attributes(entry.key, &[("para", entry.para.as_ref())], &entry.value, &entry.field)?;
    }
    Ok(RenderedFile {
        file_name: format!("cfg{}.xml", mac.to_lower_hex()),
        content_type: "application/xml",
        content: doc.finish(),
    })
}

/// One `<key para="…">value</key>` to write.
struct Entry<'a> {
    key: &'a str,
    para: Cow<'a, str>,
    value: Cow<'a, str>,
    field: Field<'a>,
}

impl<'a> Entry<'a> {
    fn new(param: Param, value: impl Into<Cow<'a, str>>, field: Field<'a>) -> Entry<'a> {
        Entry {
            key: param.key,
            para: Cow::Borrowed(param.para),
            value: value.into(),
            field,
        }
    }
}

fn globals(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = Vec::new();
    if let Some(url) = a.provisioning_url.as_deref() {
        if let Some(code) = upgrade_mode(url)? {
            entries.push(Entry::new(CONFIG_PROTOCOL, code, Field::Global("provisioning url")));
        }
        entries.push(Entry::new(CONFIG_SERVER, url, Field::Global("provisioning url")));
    }
    for (param, value, field) in [
        (NTP_SERVER, &a.ntp_server, "ntp server"),
        (TIMEZONE, &a.timezone, "timezone"),
        (ADMIN_PASSWORD, &a.admin_password, "admin password"),
    ] {
        if let Some(value) = value {
            entries.push(Entry::new(param, value.as_str(), Field::Global(field)));
        }
    }
    Ok(entries)
}

/// The P212 code for the scheme of `url`; `None` for a URL without a scheme (no `://` before
/// the first `/`, `?` or `#`).
fn upgrade_mode(url: &str) -> Result<Option<&'static str>, RenderError> {
    match split_scheme(url) {
        Some((scheme, _)) => scheme_code(scheme, &UPGRADE_MODES).map(Some),
        None => Ok(None),
    }
}

/// Profile 1 (from the first account present), then each account's own keys.
fn accounts(accounts: &[Account]) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut used = used_accounts(accounts, MAX_ACCOUNTS)?.peekable();
    let mut entries = Vec::new();
    if let Some(&(index, acct)) = used.peek() {
        entries.extend(profile1(index, acct));
    }
    for (index, acct) in used {
        let keys = &ACCOUNT_KEYS[index - 1];
        let values: [Option<&str>; 6] = [
            Some("1"),
            acct.label.as_deref(),
            acct.user_id.as_deref(),
            acct.effective_auth_id(),
            acct.password.as_deref(),
            acct.display_name.as_deref(),
        ];
        for ((key, (field, suffix)), value) in keys.iter().zip(ACCOUNT_FIELDS).zip(values) {
            if let Some(value) = value {
                entries.push(Entry {
                    key,
                    para: Cow::Owned(format!("Account{index}_{suffix}")),
                    value: Cow::Borrowed(value),
                    field: Field::Account(index, field),
                });
            }
        }
    }
    Ok(entries)
}

/// Profile 1's server, outbound proxy (when present) and transport (always), taken from
/// account `index`.
fn profile1(index: usize, acct: &Account) -> Vec<Entry<'_>> {
    let mut entries = Vec::with_capacity(3);
    if let Some(hostport) = acct.registrar_hostport() {
        entries.push(Entry::new(
            PROFILE1_SERVER,
            hostport,
            Field::Account(index, "registrar"),
        ));
    }
    if let Some(proxy) = acct.outbound_proxy.as_deref() {
        entries.push(Entry::new(
            PROFILE1_OUTBOUND_PROXY,
            proxy,
            Field::Account(index, "outbound proxy"),
        ));
    }
    entries.push(Entry::new(
        PROFILE1_TRANSPORT,
        transport_code(acct.transport),
        Field::Account(index, "transport"),
    ));
    entries
}

fn transport_code(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "0",
        Transport::Tcp => "1",
        Transport::Tls => "2",
    }
}

/// Replaces the value of an entry with the same key in place (keeping its `para`), else appends
/// with `para="Override"` (keys are checked when written).
fn apply_overrides<'a>(entries: &mut Vec<Entry<'a>>, overrides: &'a [(String, String)]) {
    for (key, value) in overrides {
        match entries.iter_mut().find(|e| e.key == key) {
            Some(slot) => {
                slot.value = Cow::Borrowed(value);
                slot.field = Field::Override(key);
            }
            None => entries.push(Entry {
                key,
                para: Cow::Borrowed(OVERRIDE_PARA),
                value: Cow::Borrowed(value),
                field: Field::Override(key),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{self, pairs};
    use super::super::xml::{Node, parse};
    use super::*;
    use crate::device::Mac;

    const MAC: Mac = Mac([0x00, 0x1f, 0xc1, 0x1c, 0x22, 0xa9]);

    fn two_accounts() -> Assignment {
        let mut a = test_support::two_accounts(MAC, "2001:db8::1", "https://prov.example:8443/htek/", "49");
        a.account_mut(1).transport = Transport::Tcp;
        // Account 2's registrar is not written: accounts share profile 1 (account 1's server).
        a.account_mut(2).label = Some("Sales".into());
        a
    }

    /// Renders `a` and parses the output back into its elements.
    fn nodes(a: &Assignment) -> Vec<Node> {
        parse(&render(a).expect("renders").content)
    }

    /// The `<config>` children as (key, para, value), in document order.
    fn config(a: &Assignment) -> Vec<(String, String, String)> {
        nodes(a)
            .into_iter()
            .filter_map(|n| {
                let key = n.path.strip_prefix("hl_provision/config/")?.to_owned();
                assert_eq!(n.attributes.len(), 1, "{key}");
                assert_eq!(n.attributes[0].0, "para", "{key}");
                Some((key, n.attributes[0].1.clone(), n.text))
            })
            .collect()
    }

    /// The `<config>` children as (key, value), in document order.
    fn values(a: &Assignment) -> Vec<(String, String)> {
        config(a).into_iter().map(|(k, _, v)| (k, v)).collect()
    }

    fn triples(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
        expected
            .iter()
            .map(|&(k, p, v)| (k.to_owned(), p.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn golden_two_accounts() {
        let file = render(&two_accounts()).expect("renders");
        assert_eq!(file.file_name, "cfg001fc11c22a9.xml");
        assert_eq!(file.content_type, "application/xml");
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<hl_provision version="1">
  <config version="1">
    <P212 para="AutoProvision_UpgradeMode">2</P212>
    <P237 para="AutoProvision_ConfigServerPath">https://prov.example:8443/htek/</P237>
    <P30 para="Time_NtpServer">pool.ntp.org</P30>
    <P64 para="Time_TimeZone">49</P64>
    <P2 para="Management_AdminPassword">admin!</P2>
    <P47 para="Profile1_Sipserver">pbx.example:5062</P47>
    <P48 para="Profile1_OutboundProxy">proxy.example:5070</P48>
    <P130 para="Profile1_SipTransport">1</P130>
    <P271 para="Account1_Active">1</P271>
    <P20000 para="Account1_Label">Reception</P20000>
    <P35 para="Account1_SipUserId">101</P35>
    <P36 para="Account1_AuthenticateId">auth101</P36>
    <P34 para="Account1_AuthenticatePassword">s3cret</P34>
    <P3 para="Account1_DisplayName">Front Desk</P3>
    <P401 para="Account2_Active">1</P401>
    <P20001 para="Account2_Label">Sales</P20001>
    <P735 para="Account2_SipUserId">102</P735>
    <P736 para="Account2_AuthenticateId">102</P736>
    <P734 para="Account2_AuthenticatePassword">pw102</P734>
  </config>
</hl_provision>
"#;
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), expected);
    }

    #[test]
    fn root_and_config_carry_version() {
        let all = nodes(&two_accounts());
        let version = vec![("version".to_owned(), "1".to_owned())];
        assert_eq!(all[0].path, "hl_provision");
        assert_eq!(all[0].attributes, version);
        assert_eq!(all[1].path, "hl_provision/config");
        assert_eq!(all[1].attributes, version);
        assert!(all[2..].iter().all(|n| n.path.starts_with("hl_provision/config/P")));
    }

    #[test]
    fn accounts_one_and_six_parse_back() {
        let mut a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        for index in [1, 6] {
            let acct = a.account_mut(index);
            acct.label = Some(format!("L{index}"));
            acct.user_id = Some(format!("10{index}"));
            acct.auth_id = Some(format!("a{index}"));
            acct.password = Some(format!("p{index}"));
            acct.display_name = Some(format!("D{index}"));
        }
        a.accounts[0].registrar_host = Some("pbx".into());
        // Accounts 2-5 are empty gaps: skipped, not enabled.
        assert_eq!(
            config(&a),
            triples(&[
                ("P47", "Profile1_Sipserver", "pbx"),
                ("P130", "Profile1_SipTransport", "0"),
                ("P271", "Account1_Active", "1"),
                ("P20000", "Account1_Label", "L1"),
                ("P35", "Account1_SipUserId", "101"),
                ("P36", "Account1_AuthenticateId", "a1"),
                ("P34", "Account1_AuthenticatePassword", "p1"),
                ("P3", "Account1_DisplayName", "D1"),
                ("P20361", "Account6_Active", "1"),
                ("P20379", "Account6_Label", "L6"),
                ("P1804", "Account6_SipUserId", "106"),
                ("P1805", "Account6_AuthenticateId", "a6"),
                ("P1806", "Account6_AuthenticatePassword", "p6"),
                ("P1807", "Account6_DisplayName", "D6"),
            ])
        );
    }

    #[test]
    fn accounts_three_to_five_use_their_rows() {
        let mut a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        for index in [3, 4, 5] {
            let acct = a.account_mut(index);
            acct.label = Some(format!("L{index}"));
            acct.user_id = Some(format!("10{index}"));
            acct.password = Some(format!("p{index}"));
            acct.display_name = Some(format!("D{index}"));
        }
        let got = values(&a);
        for (key, value) in [
            ("P501", "1"),
            ("P20002", "L3"),
            ("P504", "103"),
            ("P505", "103"),
            ("P506", "p3"),
            ("P507", "D3"),
            ("P601", "1"),
            ("P20003", "L4"),
            ("P604", "104"),
            ("P605", "104"),
            ("P606", "p4"),
            ("P607", "D4"),
            ("P20360", "1"),
            ("P20378", "L5"),
            ("P1704", "105"),
            ("P1705", "105"),
            ("P1706", "p5"),
            ("P1707", "D5"),
        ] {
            assert!(got.contains(&(key.to_owned(), value.to_owned())), "{key}");
        }
        // Profile 1 comes from the first account present, here account 3 (no registrar).
        assert_eq!(got[0], ("P130".to_owned(), "0".to_owned()));
        assert_eq!(got.len(), 1 + 3 * 6);
    }

    #[test]
    fn every_key_is_distinct() {
        let mut seen: Vec<&str> = ACCOUNT_KEYS.iter().flatten().copied().collect();
        seen.extend(
            [
                PROFILE1_SERVER,
                PROFILE1_OUTBOUND_PROXY,
                PROFILE1_TRANSPORT,
                CONFIG_PROTOCOL,
                CONFIG_SERVER,
                NTP_SERVER,
                TIMEZONE,
                ADMIN_PASSWORD,
            ]
            .map(|p| p.key),
        );
        let count = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), count);
    }

    #[test]
    fn profile_comes_from_first_account_only() {
        let mut a = two_accounts();
        a.accounts[0].registrar_host = None;
        a.accounts[0].outbound_proxy = None;
        a.accounts[0].transport = Transport::Udp;
        let got = values(&a);
        // Account 2's registrar and TLS transport are not written anywhere.
        assert!(!got.iter().any(|(k, _)| k == "P47" || k == "P48"));
        assert!(got.contains(&("P130".to_owned(), "0".to_owned())));
        assert!(!got.iter().any(|(_, v)| v.contains("2001:db8")));

        let mut a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        let two = a.account_mut(2);
        two.user_id = Some("102".into());
        two.registrar_host = Some("2001:db8::1".into());
        two.transport = Transport::Tls;
        assert_eq!(
            config(&a),
            triples(&[
                ("P47", "Profile1_Sipserver", "[2001:db8::1]"),
                ("P130", "Profile1_SipTransport", "2"),
                ("P401", "Account2_Active", "1"),
                ("P735", "Account2_SipUserId", "102"),
                ("P736", "Account2_AuthenticateId", "102"),
            ])
        );
    }

    #[test]
    fn provisioning_url_schemes() {
        let mut a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        for (url, expected) in [
            (
                "http://10.0.0.1/prov",
                vec![("P212", "1"), ("P237", "http://10.0.0.1/prov")],
            ),
            (
                "HTTPS://pbx.example:8443/a/b/",
                vec![("P212", "2"), ("P237", "HTTPS://pbx.example:8443/a/b/")],
            ),
            ("tftp://10.0.0.1", vec![("P212", "0"), ("P237", "tftp://10.0.0.1")]),
            ("pbx.example/prov", vec![("P237", "pbx.example/prov")]),
            ("pbx/x?u=http://y", vec![("P237", "pbx/x?u=http://y")]),
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(values(&a), pairs(&expected), "{url}");
        }
        for (url, scheme) in [("ftp://pbx/prov", "ftp"), ("://pbx", ""), ("sips://x", "sips")] {
            a.provisioning_url = Some(url.into());
            assert_eq!(render(&a), Err(RenderError::InvalidUrl(scheme.into())), "{url}");
        }
        a.provisioning_url = Some(format!("{}://pbx", "x".repeat(50)));
        assert_eq!(render(&a), Err(RenderError::InvalidUrl("x".repeat(32))));
    }

    #[test]
    fn overrides_replace_in_place_and_append() {
        let mut a = two_accounts();
        a.set_override("P1362", "de");
        a.set_override("P2", "new-admin");
        a.set_override("P47", "other.example");
        a.set_override("P8", "0");
        let got = config(&a);
        let base = config(&two_accounts());
        assert_eq!(got.len(), base.len() + 2);
        assert_eq!(
            got[4],
            (
                "P2".to_owned(),
                "Management_AdminPassword".to_owned(),
                "new-admin".to_owned()
            )
        );
        assert_eq!(
            got[5],
            (
                "P47".to_owned(),
                "Profile1_Sipserver".to_owned(),
                "other.example".to_owned()
            )
        );
        assert_eq!(got[..4], base[..4]);
        assert_eq!(got[6..base.len()], base[6..]);
        assert_eq!(
            got[base.len()..],
            triples(&[("P1362", "Override", "de"), ("P8", "Override", "0")])
        );
    }

    #[test]
    fn bad_override_keys_are_refused() {
        for key in ["", "1362", "P 1", "P1\"><evil", "a:b"] {
            let mut a = two_accounts();
            a.set_override(key, "v");
            assert_eq!(render(&a), Err(RenderError::InvalidKey(key.into())), "{key:?}");
        }
    }

    #[test]
    fn special_characters_are_escaped_and_round_trip() {
        let mut a = two_accounts();
        let password = "a&b<c>d\"e'f ]]> </P34><evil/>";
        a.accounts[0].password = Some(password.into());
        a.accounts[0].display_name = Some("  Zoë & 北京  ".into());
        a.set_override("P1362", "<&>\"'");
        let text = String::from_utf8(render(&a).expect("renders").content).expect("utf-8");
        assert!(
            text.contains(
                "<P34 para=\"Account1_AuthenticatePassword\">a&amp;b&lt;c&gt;d&quot;e&apos;f ]]&gt; \
                 &lt;/P34&gt;&lt;evil/&gt;</P34>"
            ),
            "{text}"
        );
        assert!(!text.contains("<evil/>"));
        let got = values(&a);
        assert!(got.contains(&("P34".to_owned(), password.to_owned())));
        assert!(got.contains(&("P3".to_owned(), "  Zoë & 北京  ".to_owned())));
        assert!(got.contains(&("P1362".to_owned(), "<&>\"'".to_owned())));
    }

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

        let mut a = two_accounts();
        a.accounts[0].registrar_host = Some("pbx\n".into());
        assert_eq!(
            render(&a),
            Err(RenderError::ControlCharacter {
                field: "account 1 registrar".into()
            })
        );

        let mut a = two_accounts();
        a.admin_password = Some("adm\u{0}in".into());
        assert_eq!(
            render(&a),
            Err(RenderError::ControlCharacter {
                field: "admin password".into()
            })
        );

        let mut a = two_accounts();
        a.set_override("P2", "x\r\ny");
        assert_eq!(
            render(&a),
            Err(RenderError::ControlCharacter {
                field: "override P2".into()
            })
        );
    }

    #[test]
    fn account_limit() {
        let mut a = two_accounts();
        a.account_mut(7).user_id = Some("107".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 6, got: 7 }));
        // Trailing empty accounts are nothing to render.
        let mut a = two_accounts();
        a.account_mut(9);
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
    fn pnp_flag_has_no_effect_yet() {
        let a = two_accounts();
        let kept = Assignment {
            keep_pnp_enabled: true,
            ..two_accounts()
        };
        assert_eq!(render(&a).expect("renders"), render(&kept).expect("renders"));
        let empty = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        assert_eq!(values(&empty), pairs(&[]));
    }
}
