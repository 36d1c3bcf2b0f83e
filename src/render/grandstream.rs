//! Grandstream XML provisioning (`cfg<mac>.xml`, `<gs_provision>` with `<config version="1">`
//! P-values), for accounts 1–6.
//!
//! P-values come from explicit tables: accounts 2–4 follow a pattern (P4xx, P5xx, P6xx) but
//! accounts 5 and 6 are P17xx and P18xx, so no formula is used.

use std::borrow::Cow;

use super::accounts::used_accounts;
use super::field::Field;
use super::url::{scheme_code, split_scheme};
use super::xml::XmlWriter;
use super::{RenderError, RenderedFile, replace_or_append};
use crate::assign::{Account, Assignment, Transport};

/// Accounts the P-value format addresses.
const MAX_ACCOUNTS: usize = 6;

/// Neutral names of the account columns of [`ACCOUNT_KEYS`], in emit order.
const ACCOUNT_FIELDS: [&str; 9] = [
    "enabled",
    "label",
    "registrar",
    "outbound proxy",
    "user id",
    "auth id",
    "password",
    "display name",
    "transport",
];

/// P-values per account (row N-1 = account N); columns as in [`ACCOUNT_FIELDS`].
#[rustfmt::skip]
const ACCOUNT_KEYS: [[&str; 9]; MAX_ACCOUNTS] = [
    // enabled label    registrar outbound user     auth     password display  transport
    ["P271",  "P270",  "P47",    "P48",   "P35",   "P36",   "P34",   "P3",    "P130"],
    ["P401",  "P417",  "P402",   "P403",  "P404",  "P405",  "P406",  "P407",  "P448"],
    ["P501",  "P517",  "P502",   "P503",  "P504",  "P505",  "P506",  "P507",  "P548"],
    ["P601",  "P617",  "P602",   "P603",  "P604",  "P605",  "P606",  "P607",  "P648"],
    ["P1701", "P1717", "P1702",  "P1703", "P1704", "P1705", "P1706", "P1707", "P1748"],
    ["P1801", "P1817", "P1802",  "P1803", "P1804", "P1805", "P1806", "P1807", "P1848"],
];

/// Config upgrade protocol ("Config upgrade via": 0 TFTP, 1 HTTP, 2 HTTPS).
const KEY_CONFIG_PROTOCOL: &str = "P212";
/// The [`KEY_CONFIG_PROTOCOL`] code of each scheme the phone fetches with (any case).
const CONFIG_PROTOCOLS: [(&str, &str); 3] = [("tftp", "0"), ("http", "1"), ("https", "2")];
/// Config server path (`host[:port]/path`, no scheme).
const KEY_CONFIG_SERVER: &str = "P237";
const KEY_NTP_SERVER: &str = "P30";
const KEY_TIMEZONE: &str = "P64";
const KEY_ADMIN_PASSWORD: &str = "P2";
/// "3CX Auto Provision": the SIP Plug-and-Play SUBSCRIBE at boot (1 on, 0 off).
const KEY_PNP: &str = "P1414";

/// Renders `cfg<mac>.xml` for `a`.
///
/// Globals come first (P212, P237, P30, P64, P2, and P1414 = 0 unless PnP is kept on), then accounts 1–6 in table order; only
/// values that are present are written (transport always, for each account present). An
/// entirely empty account is skipped. Overrides replace a generated key's value in place, or
/// are appended in their given order.
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    let entries = entries(a)?;

    let mut doc = XmlWriter::new();
    doc.open("gs_provision", &[("version", "1")])?;
    doc.text_element("mac", &mac.to_lower_hex(), "mac")?;
    doc.open("config", &[("version", "1")])?;
    for entry in &entries {
        doc.text_element(entry.key, &entry.value, &entry.field)?;
    }
    Ok(RenderedFile {
        file_name: format!("cfg{}.xml", mac.to_lower_hex()),
        content_type: "application/xml",
        content: doc.finish(),
    })
}

/// The P-values of `a` in write order: globals, accounts, then overrides (replacing in place or
/// appended). Shared by the XML file and the legacy binary.
pub(super) fn entries(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = globals(a)?;
    entries.extend(accounts(&a.accounts)?);
    apply_overrides(&mut entries, &a.overrides);
    Ok(entries)
}

/// One P-value to write.
pub(super) struct Entry<'a> {
    pub(super) key: &'a str,
    pub(super) value: Cow<'a, str>,
    pub(super) field: Field<'a>,
}

fn globals(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = Vec::new();
    if let Some(url) = a.provisioning_url.as_deref() {
        let (protocol, server) = split_url(url)?;
        let url_entry = |key, value| Entry {
            key,
            value,
            field: Field::Global("provisioning url"),
        };
        if let Some(code) = protocol {
            entries.push(url_entry(KEY_CONFIG_PROTOCOL, Cow::from(code)));
        }
        entries.push(url_entry(KEY_CONFIG_SERVER, Cow::from(server)));
    }
    for (key, value, field) in [
        (KEY_NTP_SERVER, &a.ntp_server, "ntp server"),
        (KEY_TIMEZONE, &a.timezone, "timezone"),
        (KEY_ADMIN_PASSWORD, &a.admin_password, "admin password"),
    ] {
        if let Some(value) = value {
            entries.push(Entry {
                key,
                value: Cow::from(value),
                field: Field::Global(field),
            });
        }
    }
    if !a.keep_pnp_enabled {
        entries.push(Entry {
            key: KEY_PNP,
            value: Cow::from("0"),
            field: Field::Global("pnp"),
        });
    }
    Ok(entries)
}

/// Splits a provisioning URL into the P212 code and the P237 path. A URL without a scheme
/// (no `://` before the first `/`, `?` or `#`) is the path as it is, with no P212.
fn split_url(url: &str) -> Result<(Option<&'static str>, &str), RenderError> {
    let Some((scheme, rest)) = split_scheme(url) else {
        return Ok((None, url));
    };
    Ok((Some(scheme_code(scheme, &CONFIG_PROTOCOLS)?), rest))
}

fn accounts(accounts: &[Account]) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = Vec::new();
    for (index, acct) in used_accounts(accounts, MAX_ACCOUNTS)? {
        let keys = &ACCOUNT_KEYS[index - 1];
        let values: [Option<Cow<'_, str>>; 9] = [
            Some(Cow::from("1")),
            acct.label.as_deref().map(Cow::from),
            acct.registrar_hostport().map(Cow::from),
            acct.outbound_proxy.as_deref().map(Cow::from),
            acct.user_id.as_deref().map(Cow::from),
            acct.effective_auth_id().map(Cow::from),
            acct.password.as_deref().map(Cow::from),
            acct.display_name.as_deref().map(Cow::from),
            Some(Cow::from(transport_code(acct.transport))),
        ];
        for ((key, field), value) in keys.iter().zip(ACCOUNT_FIELDS).zip(values) {
            if let Some(value) = value {
                entries.push(Entry {
                    key,
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

/// Replaces the value of an entry with the same key in place, else appends (keys are checked
/// when written).
fn apply_overrides<'a>(entries: &mut Vec<Entry<'a>>, overrides: &'a [(String, String)]) {
    for (key, value) in overrides {
        let entry = Entry {
            key,
            value: Cow::from(value),
            field: Field::Override(key),
        };
        replace_or_append(entries, |e| e.key == key, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{self, pairs};
    use super::super::xml::{Node, parse};
    use super::*;
    use crate::device::Mac;

    const MAC: Mac = Mac([0x00, 0x0b, 0x82, 0x27, 0x3b, 0x89]);

    fn two_accounts() -> Assignment {
        test_support::two_accounts(
            MAC,
            "2001:db8::1",
            "https://prov.example:8443/gs/",
            "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00",
        )
    }

    /// Renders `a` and parses the output back into its elements.
    fn nodes(a: &Assignment) -> Vec<Node> {
        parse(&render(a).expect("renders").content)
    }

    /// The `<config>` children as (key, value), in document order.
    fn config(a: &Assignment) -> Vec<(String, String)> {
        nodes(a)
            .into_iter()
            .filter_map(|n| {
                let key = n.path.strip_prefix("gs_provision/config/")?.to_owned();
                Some((key, n.text))
            })
            .collect()
    }

    #[test]
    fn full_two_account_render() {
        let a = two_accounts();
        let file = render(&a).expect("renders");
        assert_eq!(file.file_name, "cfg000b82273b89.xml");
        assert_eq!(file.content_type, "application/xml");
        assert!(
            file.content
                .starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        );

        let all = nodes(&a);
        let version = vec![("version".to_owned(), "1".to_owned())];
        assert_eq!(all[0].path, "gs_provision");
        assert_eq!(all[0].attributes, version);
        assert_eq!(
            (all[1].path.as_str(), all[1].text.as_str()),
            ("gs_provision/mac", "000b82273b89")
        );
        assert_eq!(all[2].path, "gs_provision/config");
        assert_eq!(all[2].attributes, version);

        assert_eq!(
            config(&a),
            pairs(&[
                ("P212", "2"),
                ("P237", "prov.example:8443/gs/"),
                ("P30", "pool.ntp.org"),
                ("P64", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00"),
                ("P2", "admin!"),
                ("P1414", "0"),
                ("P271", "1"),
                ("P270", "Reception"),
                ("P47", "pbx.example:5062"),
                ("P48", "proxy.example:5070"),
                ("P35", "101"),
                ("P36", "auth101"),
                ("P34", "s3cret"),
                ("P3", "Front Desk"),
                ("P130", "0"),
                ("P401", "1"),
                ("P402", "[2001:db8::1]"),
                ("P404", "102"),
                ("P405", "102"),
                ("P406", "pw102"),
                ("P448", "2"),
            ])
        );
    }

    #[test]
    fn accounts_five_and_six_use_p17xx_and_p18xx() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for index in [5, 6] {
            let acct = a.account_mut(index);
            acct.label = Some(format!("L{index}"));
            acct.registrar_host = Some("pbx".into());
            acct.outbound_proxy = Some("obp".into());
            acct.user_id = Some(format!("10{index}"));
            acct.auth_id = Some(format!("a{index}"));
            acct.password = Some(format!("p{index}"));
            acct.display_name = Some(format!("D{index}"));
            acct.transport = Transport::Tcp;
        }
        // Accounts 1-4 are empty gaps: skipped, not enabled.
        assert_eq!(
            config(&a),
            pairs(&[
                ("P1701", "1"),
                ("P1717", "L5"),
                ("P1702", "pbx"),
                ("P1703", "obp"),
                ("P1704", "105"),
                ("P1705", "a5"),
                ("P1706", "p5"),
                ("P1707", "D5"),
                ("P1748", "1"),
                ("P1801", "1"),
                ("P1817", "L6"),
                ("P1802", "pbx"),
                ("P1803", "obp"),
                ("P1804", "106"),
                ("P1805", "a6"),
                ("P1806", "p6"),
                ("P1807", "D6"),
                ("P1848", "1"),
            ])
        );
    }

    #[test]
    fn every_account_row_is_distinct() {
        let mut seen: Vec<&str> = ACCOUNT_KEYS.iter().flatten().copied().collect();
        seen.extend([KEY_CONFIG_PROTOCOL, KEY_CONFIG_SERVER, KEY_NTP_SERVER, KEY_TIMEZONE]);
        seen.extend([KEY_ADMIN_PASSWORD, KEY_PNP]);
        let count = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), count);
    }

    #[test]
    fn provisioning_url_split() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for (url, expected) in [
            ("http://10.0.0.1/prov", vec![("P212", "1"), ("P237", "10.0.0.1/prov")]),
            (
                "HTTPS://pbx.example:8443/a/b/",
                vec![("P212", "2"), ("P237", "pbx.example:8443/a/b/")],
            ),
            ("tftp://10.0.0.1", vec![("P212", "0"), ("P237", "10.0.0.1")]),
            ("pbx.example/prov", vec![("P237", "pbx.example/prov")]),
            ("pbx/x?u=http://y", vec![("P237", "pbx/x?u=http://y")]),
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(config(&a), pairs(&expected), "{url}");
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
        a.set_override("P1414", "1");
        a.set_override("P8", "0");
        let got = config(&a);
        assert_eq!(got[4], ("P2".to_owned(), "new-admin".to_owned()));
        assert_eq!(got[5], ("P1414".to_owned(), "1".to_owned()));
        assert_eq!(got.iter().filter(|(k, _)| k == "P2" || k == "P1414").count(), 2);
        let tail: Vec<_> = got[got.len() - 2..].to_vec();
        assert_eq!(tail, pairs(&[("P1362", "de"), ("P8", "0")]));
        assert_eq!(got.len(), config(&two_accounts()).len() + 2);
    }

    #[test]
    fn special_characters_round_trip() {
        let mut a = two_accounts();
        let password = "a&b<c>d\"e'f ]]> </P34><evil/>";
        a.accounts[0].password = Some(password.into());
        a.accounts[0].display_name = Some("  Zoë & 北京  ".into());
        let file = render(&a).expect("renders");
        let text = String::from_utf8(file.content).expect("utf-8");
        assert!(text.contains("<P34>a&amp;b&lt;c&gt;d"), "{text}");
        assert!(!text.contains("<evil/>"));
        let got = config(&a);
        assert!(got.contains(&("P34".to_owned(), password.to_owned())));
        assert!(got.contains(&("P3".to_owned(), "  Zoë & 北京  ".to_owned())));
    }

    #[test]
    fn control_character_names_field_not_value() {
        let mut a = two_accounts();
        let password = "hunter2\u{7}secret";
        a.accounts[1].password = Some(password.into());
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
        a.timezone = Some("CET\n".into());
        assert_eq!(
            render(&a),
            Err(RenderError::ControlCharacter {
                field: "timezone".into()
            })
        );

        let mut a = two_accounts();
        a.set_override("P1362", "en\r\n<x/>");
        assert_eq!(
            render(&a),
            Err(RenderError::ControlCharacter {
                field: "override P1362".into()
            })
        );
    }

    #[test]
    fn bad_override_keys_are_refused() {
        for key in ["", "1362", "P 1", "P1\"><evil", "a:b"] {
            let mut a = two_accounts();
            a.set_override(key, "v");
            assert_eq!(render(&a), Err(RenderError::InvalidKey(key.into())), "{key:?}");
        }
        let mut a = two_accounts();
        a.set_override(&format!("{}>", "P".repeat(40)), "v");
        assert_eq!(render(&a), Err(RenderError::InvalidKey("P".repeat(32))));
        // Any XML name is accepted, not only P-values.
        let mut a = two_accounts();
        a.set_override("item_x.y-z", "v");
        assert!(config(&a).contains(&("item_x.y-z".to_owned(), "v".to_owned())));
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
    fn pnp_is_switched_off_unless_kept() {
        let mut a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        assert_eq!(config(&a), pairs(&[("P1414", "0")]));
        a.keep_pnp_enabled = true;
        assert_eq!(config(&a), pairs(&[]));
    }

    #[test]
    fn gap_account_is_skipped_and_auth_id_falls_back() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        a.account_mut(3).user_id = Some("103".into());
        assert_eq!(
            config(&a),
            pairs(&[("P501", "1"), ("P504", "103"), ("P505", "103"), ("P548", "0")])
        );
    }

    #[test]
    fn output_is_deterministic() {
        let a = two_accounts();
        assert_eq!(render(&a).expect("renders"), render(&a.clone()).expect("renders"));
    }
}
