//! Grandstream XML provisioning: the phone's own `cfg<mac>.xml` and the shared `cfg<model>.xml`
//! and `cfg.xml` (config-formats.md §2.1), in one of two dialects inside
//! `<gs_provision version="1">`:
//!
//! - **P-values** (`<config version="1">`, `<P271>1</P271>`): every Grandstream model with XML
//!   provisioning reads them, so they are the default, and the only dialect of the legacy binary
//!   `cfg<mac>` ([`super::grandstream_binary`]). Key table and sources: `grandstream_pvalues`.
//! - **Item names** (`<config version="2">`, `<item name="account.1.sip.userid">101</item>`):
//!   for the models whose family row in [`crate::capabilities`] names that dialect
//!   ([`capabilities::GRANDSTREAM_ITEM_DIALECT`]: the GRP26xx family), see
//!   [`super::grandstream_items`].
//!
//! **How the dialect is chosen** ([`dialect`]): by the model's capability row. A model the table
//! matches (by name or pattern) in a family whose dialect is the item-name dialect gets item
//! names; every other model, an unknown model and a missing model get P-values. A host that
//! wants the other dialect for one phone calls [`render_pvalues`] or
//! [`super::grandstream_items::render`] directly.
//!
//! The neutral values are mapped once for both dialects (`grandstream_values`: time zone as a
//! POSIX rule under P64 = `customize`, ISO 639-1 languages, syslog levels, vocoder slots, …).
//! Shared files carry the global settings only: no accounts, no keys, no `<mac>` element.

use std::borrow::Cow;
use std::fmt;

use super::family::exact_family;
use super::field::Field;
use super::file_name::{Case, hex_str, mac_file_name, mac_hex};
use super::grandstream_items;
use super::grandstream_pvalues;
use super::xml::XmlWriter;
use super::{RenderError, RenderedFile, capped, replace_or_append};
use crate::assign::{Account, Assignment};
use crate::capabilities;
use crate::device::Mac;

/// The vendor id, as the capability table and [`super::render`] spell it.
pub(super) const VENDOR: &str = "grandstream";

/// The two Grandstream config dialects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `<config version="1">` with one element per P-value.
    PValues,
    /// `<config version="2">` with `<item name="…">` elements.
    ItemNames,
}

/// The dialect for `model`: item names when the capability table matches the model in a family
/// whose dialect is [`capabilities::GRANDSTREAM_ITEM_DIALECT`], else P-values (the default,
/// also for unknown and missing models).
pub fn dialect(model: Option<&str>) -> Dialect {
    match exact_family(VENDOR, model) {
        Some(found) if found.family.dialect == capabilities::GRANDSTREAM_ITEM_DIALECT => Dialect::ItemNames,
        _ => Dialect::PValues,
    }
}

/// Renders `cfg<mac>.xml` for `a` in the dialect of its model ([`dialect`]).
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    match dialect(a.model.as_deref()) {
        Dialect::ItemNames => grandstream_items::render(a),
        Dialect::PValues => render_pvalues(a),
    }
}

/// Renders `cfg<mac>.xml` for `a` with P-values, whatever the model.
///
/// Globals come first, then accounts 1–6 (within the model's own count) in order, then keys;
/// only values that are present are written (enable and transport always, for each account
/// present), and an entirely empty account is skipped. Overrides replace a generated key's
/// value in place, or are appended in their given order.
pub fn render_pvalues(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    let entries = grandstream_pvalues::entries(a)?;
    Ok(RenderedFile {
        file_name: mac_file_name("cfg", mac, Case::Lower, ".xml"),
        content_type: "application/xml",
        content: document(Some(mac), Syntax::Elements, &entries)?,
    })
}

/// Renders a file shared by many phones: `cfg.xml` (every model, P-values) or `cfg<model>.xml`
/// (`cfggrp2614.xml`: the dialect of that model), named as the phone asked for it. Only the
/// global settings and overrides go in; an assignment with accounts is
/// [`RenderError::AccountsInSharedFile`], one with keys [`RenderError::UnsupportedValue`]
/// (`keys in a shared file`), another name [`RenderError::UnsupportedFile`].
pub fn render_shared(file_name: &str, a: &Assignment) -> Result<RenderedFile, RenderError> {
    let model = shared_file_model(file_name).ok_or_else(|| RenderError::UnsupportedFile(capped(file_name)))?;
    if a.accounts.iter().any(|acct| *acct != Account::default()) {
        return Err(RenderError::AccountsInSharedFile);
    }
    if !a.keys.is_empty() {
        return Err(RenderError::UnsupportedValue {
            field: "keys in a shared file".into(),
        });
    }
    let content = match dialect(model) {
        Dialect::ItemNames => document(None, Syntax::Items, &grandstream_items::shared_entries(a)?)?,
        Dialect::PValues => document(None, Syntax::Elements, &grandstream_pvalues::shared_entries(a)?)?,
    };
    Ok(RenderedFile {
        file_name: file_name.to_owned(),
        content_type: "application/xml",
        content,
    })
}

/// For `cfg.xml`, `Some(None)`; for `cfg<model>.xml` (a letter, then letters, digits or `-`),
/// `Some(Some(model))`; `None` for any other name.
fn shared_file_model(file_name: &str) -> Option<Option<&str>> {
    let stem = file_name.strip_prefix("cfg")?.strip_suffix(".xml")?;
    if stem.is_empty() {
        return Some(None);
    }
    let mut bytes = stem.bytes();
    let is_model =
        bytes.next().is_some_and(|b| b.is_ascii_alphabetic()) && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-');
    is_model.then_some(Some(stem))
}

/// One setting to write: a P-value or an item name, its value, and where the value came from.
pub(super) struct Entry<'a> {
    pub(super) key: Cow<'a, str>,
    pub(super) value: Cow<'a, str>,
    pub(super) field: Origin<'a>,
}

/// Where a value came from, for errors: a field of the neutral model, or a key's attribute
/// (`key 3 label`). Formatted only on error; never the value.
pub(super) enum Origin<'a> {
    Field(Field<'a>),
    /// Key index (1-based, in the assignment's order) and the attribute's name.
    Key(usize, &'static str),
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Field(field) => field.fmt(f),
            Origin::Key(index, name) => write!(f, "key {index} {name}"),
        }
    }
}

/// How entries are written inside `<config>`.
#[derive(Clone, Copy)]
pub(super) enum Syntax {
    /// `<config version="1">`, `<KEY>value</KEY>`.
    Elements,
    /// `<config version="2">`, `<item name="KEY">value</item>`.
    Items,
}

/// The whole document: declaration, `<gs_provision version="1">`, the optional `<mac>` (which
/// the phone checks against its own), and the entries in `<config>`. Names are checked by the
/// XML writer (a bad override key is [`RenderError::InvalidKey`]) and values escaped.
pub(super) fn document(mac: Option<Mac>, syntax: Syntax, entries: &[Entry<'_>]) -> Result<Vec<u8>, RenderError> {
    let mut doc = XmlWriter::with_capacity(256 + 48 * entries.len());
    doc.open("gs_provision", &[("version", "1")])?;
    if let Some(mac) = mac {
        doc.text_element("mac", hex_str(&mac_hex(mac, Case::Lower)), "mac")?;
    }
    let version = match syntax {
        Syntax::Elements => "1",
        Syntax::Items => "2",
    };
    doc.open("config", &[("version", version)])?;
    for entry in entries {
        match syntax {
            Syntax::Elements => doc.text_element(&entry.key, &entry.value, &entry.field)?,
            Syntax::Items => {
                doc.text_element_with_attributes("item", &[("name", entry.key.as_ref())], &entry.value, &entry.field)?
            }
        }
    }
    Ok(doc.finish())
}

/// Replaces the value of an entry with the same key in place, else appends (P-value keys are
/// checked when written: XML element names, or the binary's key rule).
pub(super) fn apply_overrides<'a>(entries: &mut Vec<Entry<'a>>, overrides: &'a [(String, String)]) {
    for (key, value) in overrides {
        let entry = Entry {
            key: Cow::Borrowed(key),
            value: Cow::Borrowed(value),
            field: Origin::Field(Field::Override(key)),
        };
        replace_or_append(entries, |e| e.key == key.as_str(), entry);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{self, control_error, pairs};
    use super::super::xml::{Node, parse};
    use super::*;
    use crate::assign::{Codec, DtmfMode, Key, KeyBank, KeyKind, SrtpMode, Transport};

    /// A change to an assignment, for table-driven tests.
    type Change = fn(&mut Assignment);

    const MAC: Mac = Mac([0x00, 0x0b, 0x82, 0x27, 0x3b, 0x89]);

    fn two_accounts() -> Assignment {
        test_support::two_accounts(MAC, "2001:db8::1", "https://prov.example:8443/gs/", "Europe/Berlin")
    }

    /// Every neutral field on a GXP2160 (6 accounts, fixed VPKs 1–6, 24 MPKs, Opus 123).
    fn full() -> Assignment {
        let mut a = two_accounts();
        a.model = Some("GXP2160".into());
        a.provisioning_user = Some("prov".into());
        a.provisioning_password = Some("prov-pw".into());
        a.resync_interval_min = Some(1440);
        a.firmware_url = Some("http://fw.example/gxp".into());
        a.ntp_servers.push("ntp2.example".into());
        a.language = Some("de".into());
        a.user_password = Some("user!".into());
        a.vlan_id = Some(20);
        a.vlan_priority = Some(5);
        a.syslog_host = Some("log.example".into());
        a.syslog_port = Some(514);
        a.syslog_level = Some(4);
        let one = a.account_mut(1);
        one.backup_registrar_host = Some("pbx2.example".into());
        one.backup_registrar_port = Some(5063);
        one.register_expires = Some(3600);
        one.voicemail_number = Some("*97".into());
        one.mwi = Some(true);
        one.codecs = vec![Codec::Opus, Codec::G722, Codec::Pcmu];
        one.dtmf = Some(DtmfMode::SipInfo);
        one.srtp = Some(SrtpMode::Required);
        let two = a.account_mut(2);
        two.mwi = Some(false);
        *a.key_mut(1) = Key {
            bank: KeyBank::Programmable,
            position: 3,
            kind: KeyKind::Blf,
            account: 1,
            value: Some("102".into()),
            label: Some("Anna".into()),
        };
        *a.key_mut(2) = Key {
            bank: KeyBank::Line,
            position: 2,
            kind: KeyKind::Line,
            account: 2,
            value: None,
            label: None,
        };
        a
    }

    const GOLDEN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<gs_provision version=\"1\">
  <mac>000b82273b89</mac>
  <config version=\"1\">
    <P212>2</P212>
    <P237>prov.example:8443/gs/</P237>
    <P1360>prov</P1360>
    <P1361>prov-pw</P1361>
    <P194>1</P194>
    <P193>1440</P193>
    <P6767>1</P6767>
    <P192>fw.example/gxp</P192>
    <P30>pool.ntp.org</P30>
    <P8333>ntp2.example</P8333>
    <P64>customize</P64>
    <P246>CET-1CEST-2,M3.5.0/2,M10.5.0/3</P246>
    <P1362>de</P1362>
    <P2>admin!</P2>
    <P196>user!</P196>
    <P51>20</P51>
    <P87>5</P87>
    <P207>log.example</P207>
    <P208>3</P208>
    <P1414>0</P1414>
    <P271>1</P271>
    <P270>Reception</P270>
    <P47>pbx.example:5062</P47>
    <P2312>pbx2.example:5063</P2312>
    <P48>proxy.example:5070</P48>
    <P35>101</P35>
    <P36>auth101</P36>
    <P34>s3cret</P34>
    <P3>Front Desk</P3>
    <P130>0</P130>
    <P32>60</P32>
    <P33>*97</P33>
    <P99>1</P99>
    <P57>123</P57>
    <P58>9</P58>
    <P59>0</P59>
    <P60>0</P60>
    <P61>0</P61>
    <P62>0</P62>
    <P46>0</P46>
    <P98>0</P98>
    <P2301>0</P2301>
    <P2302>0</P2302>
    <P2303>1</P2303>
    <P183>2</P183>
    <P401>1</P401>
    <P402>[2001:db8::1]</P402>
    <P404>102</P404>
    <P405>102</P405>
    <P406>pw102</P406>
    <P448>2</P448>
    <P415>0</P415>
    <P325>1</P325>
    <P307>0</P307>
    <P308>Anna</P308>
    <P309>102</P309>
    <P1365>0</P1365>
    <P1366>1</P1366>
  </config>
</gs_provision>
";

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

    fn unsupported(field: &str) -> Result<RenderedFile, RenderError> {
        Err(RenderError::UnsupportedValue { field: field.into() })
    }

    #[test]
    fn golden_gxp2160_file() {
        let file = render(&full()).expect("renders");
        assert_eq!(file.file_name, "cfg000b82273b89.xml");
        assert_eq!(file.content_type, "application/xml");
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), GOLDEN);
        // Parses back with quick-xml into the same elements.
        let all = nodes(&full());
        assert_eq!(all[0].path, "gs_provision");
        assert_eq!(all[0].attributes, pairs(&[("version", "1")]));
        assert_eq!(
            (all[1].path.as_str(), all[1].text.as_str()),
            ("gs_provision/mac", "000b82273b89")
        );
        assert_eq!(all[2].attributes, pairs(&[("version", "1")]));
        assert_eq!(config(&full()).len(), GOLDEN.matches("</P").count());
    }

    #[test]
    fn shared_two_account_render() {
        let got = config(&two_accounts());
        assert_eq!(
            got,
            pairs(&[
                ("P212", "2"),
                ("P237", "prov.example:8443/gs/"),
                ("P30", "pool.ntp.org"),
                ("P64", "customize"),
                ("P246", "CET-1CEST-2,M3.5.0/2,M10.5.0/3"),
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
            acct.backup_registrar_host = Some("pbx2".into());
            acct.outbound_proxy = Some("obp".into());
            acct.user_id = Some(format!("10{index}"));
            acct.auth_id = Some(format!("a{index}"));
            acct.password = Some(format!("p{index}"));
            acct.display_name = Some(format!("D{index}"));
            acct.transport = Transport::Tcp;
            acct.register_expires = Some(120);
            acct.voicemail_number = Some("*98".into());
            acct.mwi = Some(true);
            acct.codecs = vec![Codec::Pcma];
            acct.dtmf = Some(DtmfMode::Inband);
            acct.srtp = Some(SrtpMode::Disabled);
        }
        let got = config(&a);
        let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        for n in [17, 18] {
            let expected: Vec<String> = [
                "01", "17", "02", "03", "04", "05", "06", "07", "48", "12", "26", "15", "51", "52", "53", "54", "55",
                "56", "57", "58",
            ]
            .iter()
            .map(|s| format!("P{n}{s}"))
            .collect();
            let backup = format!("P2{}12", n - 10);
            let dtmf: Vec<String> = (1..=3).map(|d| format!("P2{}0{d}", n - 10)).collect();
            let srtp = format!("P{n}43");
            for key in expected.iter().chain([&backup, &srtp]).chain(&dtmf) {
                assert!(keys.contains(&key.as_str()), "{key} in {keys:?}");
            }
        }
        assert!(got.contains(&("P1712".into(), "2".into())));
        assert!(got.contains(&("P2701".into(), "1".into())));
        assert!(got.contains(&("P1843".into(), "0".into())));
        // Accounts 1-4 are empty gaps: skipped, not enabled.
        assert!(!keys.contains(&"P271") && !keys.contains(&"P601"));
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
        // The firmware URL splits the same way into P6767 / P192.
        a.provisioning_url = None;
        a.firmware_url = Some("ftps://fw/".into());
        assert_eq!(render(&a), Err(RenderError::InvalidUrl("ftps".into())));
        a.firmware_url = Some("fw.example/gs".into());
        assert_eq!(config(&a), pairs(&[("P192", "fw.example/gs")]));
    }

    #[test]
    fn overrides_replace_in_place_and_append() {
        let mut a = two_accounts();
        a.set_override("P1362", "de");
        a.set_override("P2", "new-admin");
        a.set_override("P1414", "1");
        a.set_override("P8", "0");
        let got = config(&a);
        assert_eq!(got[5], ("P2".to_owned(), "new-admin".to_owned()));
        assert_eq!(got[6], ("P1414".to_owned(), "1".to_owned()));
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
        a.ntp_servers = vec!["ntp\n".into()];
        assert_eq!(render(&a), control_error("ntp server"));

        let mut a = full();
        a.keys[0].label = Some("An\rna".into());
        assert_eq!(render(&a), control_error("key 1 label"));

        let mut a = two_accounts();
        a.set_override("P1362", "en\r\n<x/>");
        assert_eq!(render(&a), control_error("override P1362"));
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
    fn account_limit_follows_the_model() {
        // An unknown model (and no model): the format's 6.
        let mut a = two_accounts();
        a.account_mut(7).user_id = Some("107".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 6, got: 7 }));
        a.model = Some("GXP9999".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 6, got: 7 }));
        // GXP2110: 4 accounts; GXP1400: 2 (capabilities).
        let mut a = two_accounts();
        a.model = Some("GXP2110".into());
        a.account_mut(4).user_id = Some("104".into());
        assert!(render(&a).is_ok());
        a.account_mut(5).user_id = Some("105".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 4, got: 5 }));
        let mut a = two_accounts();
        a.model = Some("GXP1400".into());
        assert!(render(&a).is_ok());
        a.account_mut(3).user_id = Some("103".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 2, got: 3 }));
        // Trailing empty accounts are nothing to render.
        let mut a = two_accounts();
        a.account_mut(9);
        assert_eq!(render(&a).expect("renders"), render(&two_accounts()).expect("renders"));
    }

    #[test]
    fn keys_follow_the_model() {
        // A model without a confirmed VPK layout: MPKs only.
        let mut a = full();
        a.model = None;
        a.accounts[0].codecs.clear();
        assert_eq!(render(&a), unsupported("key 2 bank line"));
        a.keys.truncate(1);
        a.keys[0].position = 24;
        assert!(config(&a).contains(&("P1460".into(), "1".into())));
        a.keys[0].position = 25;
        assert_eq!(render(&a), unsupported("key 1 position"));
        // GXP2160: 24 MPKs and 24 VPKs (capabilities), fixed VPKs 1-6 in P-values.
        let mut a = full();
        a.keys[0].position = 25;
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 1, max: 24 }));
        let mut a = full();
        a.keys[1].position = 7;
        assert_eq!(render(&a), unsupported("key 2 position"));
        let mut a = full();
        a.keys[1].kind = KeyKind::Dnd;
        assert!(config(&a).contains(&("P1365".into(), "32".into())));
        a.keys[0].kind = KeyKind::Dnd;
        assert_eq!(render(&a), unsupported("key 1 kind dnd"));
        let mut a = full();
        a.keys[0].kind = KeyKind::Line;
        assert_eq!(render(&a), unsupported("key 1 kind line"));
        let mut a = full();
        a.keys[0].account = 7;
        assert_eq!(render(&a), unsupported("key 1 account"));
        // GXP2170: no MPKs at all.
        let mut a = full();
        a.model = Some("GXP2170".into());
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 1, max: 0 }));
        // Expansion modules have no P-values here.
        let mut a = full();
        a.model = None;
        a.accounts[0].codecs.clear();
        a.keys.truncate(1);
        a.keys[0].bank = KeyBank::Expansion(1);
        assert_eq!(render(&a), unsupported("key 1 bank expansion1"));
        // Park and speed dial, on both banks.
        let mut a = full();
        a.keys[0].kind = KeyKind::Park;
        a.keys[1].kind = KeyKind::SpeedDial;
        let got = config(&a);
        assert!(got.contains(&("P325".into(), "9".into())));
        assert!(got.contains(&("P1365".into(), "10".into())));
    }

    #[test]
    fn opus_needs_a_model_with_a_known_code() {
        let mut a = full();
        a.model = Some("GXP1782".into());
        a.keys.clear();
        assert!(config(&a).contains(&("P57".into(), "125".into())));
        a.model = Some("GXP2110".into());
        assert_eq!(render(&a), unsupported("account 1 codec opus"));
        a.model = None;
        assert_eq!(render(&a), unsupported("account 1 codec opus"));
    }

    #[test]
    fn unsupported_values_name_the_field_not_the_value() {
        let cases: [(Change, &str); 9] = [
            (|a| a.language = Some("xx".into()), "language"),
            (|a| a.syslog_port = Some(1514), "syslog port"),
            (|a| a.syslog_level = Some(9), "syslog level"),
            (|a| a.resync_interval_min = Some(100_000), "resync interval"),
            (
                |a| a.accounts[1].register_expires = Some(90),
                "account 2 register expires",
            ),
            (
                |a| a.timezone = crate::timezone::Zone::find("Asia/Jerusalem"),
                "timezone",
            ),
            (|a| a.vlan_id = Some(0), "vlan id"),
            (|a| a.vlan_priority = Some(8), "vlan priority"),
            (|a| a.accounts[0].codecs = vec![Codec::Pcmu; 9], "account 1 codecs"),
        ];
        for (change, field) in cases {
            let mut a = full();
            change(&mut a);
            let err = render(&a).expect_err(field);
            assert_eq!(err, RenderError::UnsupportedValue { field: field.into() });
            assert!(!err.to_string().contains("s3cret"));
        }
    }

    #[test]
    fn timezone_and_language_mapping_in_the_file() {
        let mut a = two_accounts();
        for (zone, rule) in [
            ("America/New_York", "EST5EDT4,M3.2.0/2,M11.1.0/2"),
            ("Asia/Kolkata", "IST-5:30"),
            ("Asia/Kathmandu", "STD-5:45"),
            ("UTC", "UTC0"),
        ] {
            a.timezone = crate::timezone::Zone::find(zone);
            let got = config(&a);
            assert!(got.contains(&("P64".into(), "customize".into())), "{zone}");
            assert!(got.contains(&("P246".into(), rule.into())), "{zone}");
        }
        a.language = Some("sv".into());
        assert!(config(&a).contains(&("P1362".into(), "se".into())));
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
        let a = full();
        assert_eq!(render(&a).expect("renders"), render(&a.clone()).expect("renders"));
    }

    #[test]
    fn dialect_follows_the_capability_row() {
        assert_eq!(dialect(Some("GRP2614")), Dialect::ItemNames);
        assert_eq!(dialect(Some("Grandstream GRP2612W")), Dialect::ItemNames);
        assert_eq!(dialect(Some("GXP2170")), Dialect::PValues);
        assert_eq!(dialect(Some("GXP9999")), Dialect::PValues);
        assert_eq!(dialect(None), Dialect::PValues);
        let mut a = two_accounts();
        a.model = Some("GRP2614".into());
        let text = String::from_utf8(render(&a).expect("renders").content).expect("utf-8");
        assert!(text.contains("<config version=\"2\">"), "{text}");
        assert!(
            text.contains("<item name=\"account.1.sip.userid\">101</item>"),
            "{text}"
        );
        let forced = render_pvalues(&a).expect("renders");
        assert!(
            String::from_utf8(forced.content)
                .expect("utf-8")
                .contains("<P35>101</P35>")
        );
    }

    /// A valid value for every field of the model (free text gets a plain word).
    fn sample(field: &crate::assign::fields::Field) -> String {
        let sample = match field.name {
            "vendor" => "grandstream",
            "model" => "GXP2160",
            "mac" => "000b82273b89",
            "provisioning_url" | "firmware_url" => "https://pbx.example/p/",
            "ntp_servers" => "ntp1.example,192.0.2.123",
            "timezone" => "Asia/Kolkata",
            "keep_pnp_enabled" | "mwi" => "1",
            "language" => "fr",
            "resync_interval_min" => "60",
            "vlan_id" => "100",
            "vlan_priority" | "syslog_level" => "5",
            "syslog_host" | "registrar_host" | "backup_registrar_host" => "192.0.2.10",
            "syslog_port" => "514",
            "registrar_port" | "backup_registrar_port" => "5070",
            "outbound_proxy" => "proxy.example:5070",
            "transport" => "tcp",
            "register_expires" => "600",
            "codecs" => "G722,PCMA",
            "dtmf" => "inband",
            "srtp" => "required",
            "bank" => "line",
            "position" => "2",
            "kind" => "park",
            "account" => "2",
            _ => "word",
        };
        sample.to_owned()
    }

    #[test]
    fn every_field_of_the_model_is_written_in_both_dialects() {
        use crate::assign::fields::{self, Scope};
        for model in ["GXP2160", "GRP2614"] {
            let mut base = Assignment {
                mac: Some(MAC),
                model: Some(model.into()),
                ..Assignment::default()
            };
            let one = base.account_mut(1);
            one.user_id = Some("101".into());
            // Ports are written with their hosts.
            one.registrar_host = Some("pbx.example".into());
            one.backup_registrar_host = Some("pbx2.example".into());
            base.account_mut(2).user_id = Some("102".into());
            let blf = base.key_mut(1);
            blf.kind = KeyKind::Blf;
            let text = |file: RenderedFile| String::from_utf8(file.content).expect("utf-8");
            let before = text(render(&base).expect("renders"));
            for field in fields::all() {
                // Not config values; 514 is the only syslog port, so nothing is written for it.
                if matches!(field.name, "vendor" | "model" | "mac" | "syslog_port") {
                    continue;
                }
                let mut a = base.clone();
                let index = if field.scope() == Scope::Device { 0 } else { 1 };
                field.set(&mut a, index, &sample(field)).expect("sample is valid");
                if field.name == "config_key" && dialect(Some(model)) == Dialect::ItemNames {
                    // P1359 has no item name in the sources: refused, not dropped.
                    assert!(
                        matches!(render(&a), Err(RenderError::UnsupportedValue { .. })),
                        "{model}"
                    );
                    continue;
                }
                let after = text(render(&a).unwrap_or_else(|e| panic!("{model} {field:?}: {e}")));
                assert_ne!(after, before, "{model}: {field:?} is not written");
                if dialect(Some(model)) == Dialect::PValues {
                    super::super::grandstream_binary::render(&a).unwrap_or_else(|e| panic!("binary {field:?}: {e}"));
                }
            }
        }
    }

    /// Globals only, for a shared file.
    fn shared() -> Assignment {
        let mut a = full();
        a.mac = None;
        a.accounts.clear();
        a.keys.clear();
        a
    }

    #[test]
    fn shared_files() {
        const COMMON: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<gs_provision version=\"1\">
  <config version=\"1\">
    <P30>pool.ntp.org</P30>
    <P64>customize</P64>
    <P246>EST5EDT4,M3.2.0/2,M11.1.0/2</P246>
    <P1362>en</P1362>
    <P1414>0</P1414>
  </config>
</gs_provision>
";
        let a = Assignment {
            ntp_servers: vec!["pool.ntp.org".into()],
            timezone: crate::timezone::Zone::find("America/New_York"),
            language: Some("en".into()),
            ..Assignment::default()
        };
        let file = render_shared("cfg.xml", &a).expect("renders");
        assert_eq!(file.file_name, "cfg.xml");
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), COMMON);

        // A model file in the model's dialect, without <mac>, accounts or keys.
        let a = shared();
        let grp = render_shared("cfggrp2614.xml", &a).expect("renders");
        assert_eq!(grp.file_name, "cfggrp2614.xml");
        let nodes = parse(&grp.content);
        assert!(nodes.iter().all(|n| n.path != "gs_provision/mac"));
        assert_eq!(nodes[1].attributes, pairs(&[("version", "2")]));
        assert!(
            nodes
                .iter()
                .all(|n| !n.attributes.iter().any(|(_, v)| v.starts_with("account.")))
        );
        let gxp = parse(&render_shared("cfggxp2170.xml", &a).expect("renders").content);
        assert_eq!(gxp[1].attributes, pairs(&[("version", "1")]));
        let keys: Vec<&str> = gxp
            .iter()
            .filter_map(|n| n.path.strip_prefix("gs_provision/config/"))
            .collect();
        assert!(
            keys.contains(&"P2") && keys.contains(&"P1414") && !keys.contains(&"P35"),
            "{keys:?}"
        );

        // Overrides still win in shared files.
        let mut a = shared();
        a.set_override("P1414", "1");
        let got = parse(&render_shared("cfg.xml", &a).expect("renders").content);
        assert!(
            got.iter()
                .any(|n| n.path == "gs_provision/config/P1414" && n.text == "1")
        );

        // Refusals.
        let mut with_account = shared();
        with_account.account_mut(1).user_id = Some("101".into());
        assert_eq!(
            render_shared("cfg.xml", &with_account),
            Err(RenderError::AccountsInSharedFile)
        );
        let mut with_key = shared();
        with_key.key_mut(1).kind = KeyKind::Blf;
        assert_eq!(
            render_shared("cfg.xml", &with_key),
            unsupported("keys in a shared file")
        );
        for name in [
            "cfg000b82273b89.xml",
            "cfg000b82273b89",
            "cfg.cfg",
            "y000000000028.cfg",
            "cfg gxp.xml",
        ] {
            assert_eq!(
                render_shared(name, &shared()),
                Err(RenderError::UnsupportedFile(name.into())),
                "{name}"
            );
        }
    }
}
