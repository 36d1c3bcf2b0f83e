//! Grandstream's item-name XML (`cfg<mac>.xml` with `<config version="2">` and
//! `<item name="account.1.sip.userid">101</item>`), for the models whose capability row names
//! that dialect ([`crate::capabilities`]: the GRP26xx family). Drop-down settings take the
//! aliases Grandstream's own templates list (`Yes`/`No`, `UDP`, `EnabledButNotForced`…);
//! numbers and strings are written as they are. The same neutral fields as the P-value file.
//!
//! Item names and aliases (config-formats.md §2.1): wazo `base_v2.tpl` (GXP21xx fw 1.0.11,
//! GRP261x) and the GRP26xx template with Grandstream's alias comments (FS PBX, "Grandstream
//! GRP26xx cfgmac.xml") \[H unless noted\]:
//!
//! | neutral | item |
//! |---|---|
//! | enabled / label | `account.N.enable` (`Yes`) / `account.N.name` |
//! | registrar / backup | `account.N.sip.server.1.address` / `.server.2.address` |
//! | outbound proxy | `account.N.sip.outboundProxy.1.address` |
//! | user / auth / password / name | `account.N.sip.userid`, `.sip.subscriber.userid`, `.password`, `.name` |
//! | transport | `account.N.sip.transport`: `UDP`, `TCP`, `TlsOrTcp` \[M: wazo; the template comment says "Tls Or Tcp"\] |
//! | register expiration | `account.N.sip.registerExpiration` (minutes) |
//! | voicemail / MWI | `account.N.sip.voicemail.number` / `account.N.sip.subscribe.forMwi` |
//! | codecs | `account.N.codec.choice.1`–`8` |
//! | DTMF | `account.N.dtmf.sendInAudio` / `.sendInRtp` / `.sendInSip` |
//! | SRTP | `account.N.audio.srtpMode` |
//! | provisioning | `provisioning.config.protocol` / `.serverPath` / `.username` / `.password` |
//! | resync | `provisioning.auto.mode` = `YesUpgradeMin`, `provisioning.auto.minute` (60–5256000) |
//! | firmware | `provisioning.firmware.protocol` (`TFTP`, `HTTP`, `HTTPS`, `FTP`, `FTPS`) / `.serverPath` |
//! | NTP | `dateTime.ntp.server.1` / `.2` |
//! | time zone | `dateTime.timezone` = `customize`, `dateTime.timezone.custom` \[M: the P64 value\] |
//! | language | `language.gui` \[M: wazo\] |
//! | passwords | `users.admin.password` / `users.user.password` |
//! | VLAN | `network.port.eth.1.vlan.enable` = `Yes`, `.vlan.tag`, `.vlan.priority` |
//! | syslog | `maintain.syslog.server` / `maintain.syslog.level` |
//! | PnP off | `provisioning.3cxAutoProvision` = `No` |
//! | keys | `pks.vpk.K.*` (line bank; `account` 0-based number) and `pks.mpk.K.*` (programmable bank; `account` `AccountN`): `keyMode`, `account`, `description`, `value` |
//!
//! Key modes: `None`, `Line` (VPK only: MPKs have no line mode), `SpeedDial`, `BLF`,
//! `CallPark`. DND and expansion modules have no confirmed item names:
//! [`RenderError::UnsupportedValue`]. Overrides are item names (ASCII letters, digits, `.`,
//! `_`, `-`).

use std::borrow::Cow;

use super::accounts::{account_limit, used_accounts};
use super::field::Field;
use super::file_name::{Case, mac_file_name};
use super::grandstream::{Entry, Origin, Syntax, VENDOR, document};
use super::grandstream_values::{
    SyslogLevel, TIMEZONE_CUSTOM, check_syslog_port, check_vlan, codec_alias, codec_slots, custom_timezone,
    dtmf_switches, expires_minutes, language, resync_minutes, split_url, srtp,
};
use super::keys::check_keys;
use super::values::{breaks_line, check_override_key};
use super::{RenderError, RenderedFile, replace_or_append};
use crate::assign::{Account, Assignment, Key, KeyBank, KeyKind, Transport};

/// Accounts this renderer writes at most: item names put no limit on N, and 16 is the most
/// any Grandstream desk phone takes \[L\]; the model's own count from the capability table
/// applies first.
pub(super) const MAX_ACCOUNTS: usize = 16;

/// `provisioning.config.protocol` aliases of the schemes the phone fetches its config with.
const CONFIG_PROTOCOLS: [(&str, &str); 3] = [("tftp", "TFTP"), ("http", "HTTP"), ("https", "HTTPS")];
/// `provisioning.firmware.protocol` aliases.
const FIRMWARE_PROTOCOLS: [(&str, &str); 5] = [
    ("tftp", "TFTP"),
    ("http", "HTTP"),
    ("https", "HTTPS"),
    ("ftp", "FTP"),
    ("ftps", "FTPS"),
];
/// `provisioning.auto.minute` ("Automatic Upgrade Check Interval (m)": 60–5256000).
const AUTO_UPGRADE_MINUTES: std::ops::RangeInclusive<u32> = 60..=5_256_000;

/// Renders `cfg<mac>.xml` in the item-name dialect.
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    let entries = entries(a)?;
    Ok(RenderedFile {
        file_name: mac_file_name("cfg", mac, Case::Lower, ".xml"),
        content_type: "application/xml",
        content: document(Some(mac), Syntax::Items, &entries)?,
    })
}

/// The items of `a`'s own file: globals, accounts, keys, then overrides.
pub(super) fn entries(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = globals(a)?;
    entries.extend(accounts(a)?);
    entries.extend(keys(a)?);
    apply_overrides(&mut entries, &a.overrides)?;
    Ok(entries)
}

/// The items of a file shared by many phones: globals and overrides.
pub(super) fn shared_entries(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = globals(a)?;
    apply_overrides(&mut entries, &a.overrides)?;
    Ok(entries)
}

fn item<'a>(key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>, field: Origin<'a>) -> Entry<'a> {
    Entry {
        key: key.into(),
        value: value.into(),
        field,
    }
}

fn yes_no(on: bool) -> &'static str {
    if on { "Yes" } else { "No" }
}

fn globals(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut out = Vec::new();
    let global = |name| Origin::Field(Field::Global(name));
    if let Some(url) = a.provisioning_url.as_deref() {
        let (protocol, server) = split_url(url, &CONFIG_PROTOCOLS)?;
        if let Some(protocol) = protocol {
            out.push(item(
                "provisioning.config.protocol",
                protocol,
                global("provisioning url"),
            ));
        }
        out.push(item(
            "provisioning.config.serverPath",
            server,
            global("provisioning url"),
        ));
    }
    if let Some(user) = a.provisioning_user.as_deref() {
        out.push(item("provisioning.config.username", user, global("provisioning user")));
    }
    if let Some(password) = a.provisioning_password.as_deref() {
        out.push(item(
            "provisioning.config.password",
            password,
            global("provisioning password"),
        ));
    }
    if let Some(minutes) = a.resync_interval_min {
        let minutes = resync_minutes(minutes, AUTO_UPGRADE_MINUTES)?;
        out.push(item(
            "provisioning.auto.mode",
            "YesUpgradeMin",
            global("resync interval"),
        ));
        out.push(item(
            "provisioning.auto.minute",
            minutes.to_string(),
            global("resync interval"),
        ));
    }
    if let Some(url) = a.firmware_url.as_deref() {
        let (protocol, server) = split_url(url, &FIRMWARE_PROTOCOLS)?;
        if let Some(protocol) = protocol {
            out.push(item("provisioning.firmware.protocol", protocol, global("firmware url")));
        }
        out.push(item("provisioning.firmware.serverPath", server, global("firmware url")));
    }
    // Two NTP servers; later ones in the preference list are not written.
    for (key, server) in ["dateTime.ntp.server.1", "dateTime.ntp.server.2"]
        .into_iter()
        .zip(&a.ntp_servers)
    {
        out.push(item(key, server.as_str(), global("ntp server")));
    }
    if let Some(zone) = &a.timezone {
        let rule = custom_timezone(zone)?;
        out.push(item("dateTime.timezone", TIMEZONE_CUSTOM, global("timezone")));
        out.push(item("dateTime.timezone.custom", rule, global("timezone")));
    }
    if let Some(code) = a.language.as_deref() {
        out.push(item("language.gui", language(code)?, global("language")));
    }
    if let Some(password) = a.admin_password.as_deref() {
        out.push(item("users.admin.password", password, global("admin password")));
    }
    if let Some(password) = a.user_password.as_deref() {
        out.push(item("users.user.password", password, global("user password")));
    }
    if a.config_key.is_some() {
        // No item name for P1359 in the sources.
        return Err(RenderError::UnsupportedValue {
            field: "config key".into(),
        });
    }
    check_vlan(a.vlan_id, a.vlan_priority)?;
    if let Some(id) = a.vlan_id {
        out.push(item("network.port.eth.1.vlan.enable", "Yes", global("vlan id")));
        out.push(item("network.port.eth.1.vlan.tag", id.to_string(), global("vlan id")));
    }
    if let Some(priority) = a.vlan_priority {
        out.push(item(
            "network.port.eth.1.vlan.priority",
            priority.to_string(),
            global("vlan priority"),
        ));
    }
    check_syslog_port(a.syslog_port)?;
    if let Some(host) = a.syslog_host.as_deref() {
        out.push(item("maintain.syslog.server", host, global("syslog host")));
    }
    if let Some(severity) = a.syslog_level {
        let level = SyslogLevel::from_severity(severity)?;
        out.push(item("maintain.syslog.level", level.alias(), global("syslog level")));
    }
    if !a.keep_pnp_enabled {
        out.push(item("provisioning.3cxAutoProvision", "No", global("pnp")));
    }
    Ok(out)
}

fn accounts(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let max = account_limit(VENDOR, a.model.as_deref(), MAX_ACCOUNTS);
    let mut out = Vec::new();
    for (index, acct) in used_accounts(&a.accounts, max)? {
        account(&mut out, index, acct)?;
    }
    Ok(out)
}

fn account<'a>(out: &mut Vec<Entry<'a>>, n: usize, acct: &'a Account) -> Result<(), RenderError> {
    let mut push = |suffix: &str, value: Option<Cow<'a, str>>, name| {
        if let Some(value) = value {
            out.push(item(
                format!("account.{n}.{suffix}"),
                value,
                Origin::Field(Field::Account(n, name)),
            ));
        }
    };
    push("enable", Some("Yes".into()), "enabled");
    push("name", acct.label.as_deref().map(Cow::from), "label");
    push(
        "sip.server.1.address",
        acct.registrar_hostport().map(Cow::from),
        "registrar",
    );
    let backup = acct.backup_registrar_hostport().map(Cow::from);
    push("sip.server.2.address", backup, "backup registrar");
    let proxy = acct.outbound_proxy.as_deref().map(Cow::from);
    push("sip.outboundProxy.1.address", proxy, "outbound proxy");
    push("sip.userid", acct.user_id.as_deref().map(Cow::from), "user id");
    push(
        "sip.subscriber.userid",
        acct.effective_auth_id().map(Cow::from),
        "auth id",
    );
    push(
        "sip.subscriber.password",
        acct.password.as_deref().map(Cow::from),
        "password",
    );
    push(
        "sip.subscriber.name",
        acct.display_name.as_deref().map(Cow::from),
        "display name",
    );
    push(
        "sip.transport",
        Some(transport_alias(acct.transport).into()),
        "transport",
    );
    let expires = acct.register_expires.map(|s| expires_minutes(s, n)).transpose()?;
    push(
        "sip.registerExpiration",
        expires.map(|m| m.to_string().into()),
        "register expires",
    );
    let voicemail = acct.voicemail_number.as_deref().map(Cow::from);
    push("sip.voicemail.number", voicemail, "voicemail number");
    push("sip.subscribe.forMwi", acct.mwi.map(|on| yes_no(on).into()), "mwi");
    if let Some(slots) = codec_slots(&acct.codecs, n)? {
        for (slot, codec) in slots.into_iter().enumerate() {
            let suffix = format!("codec.choice.{}", slot + 1);
            push(&suffix, Some(codec_alias(codec).into()), "codecs");
        }
    }
    if let Some(mode) = acct.dtmf {
        let switches = ["dtmf.sendInAudio", "dtmf.sendInRtp", "dtmf.sendInSip"];
        for (suffix, on) in switches.into_iter().zip(dtmf_switches(mode)) {
            push(suffix, Some(yes_no(on).into()), "dtmf");
        }
    }
    push("audio.srtpMode", acct.srtp.map(|mode| srtp(mode).1.into()), "srtp");
    Ok(())
}

fn transport_alias(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "UDP",
        Transport::Tcp => "TCP",
        Transport::Tls => "TlsOrTcp",
    }
}

fn keys(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    check_keys(VENDOR, a.model.as_deref(), &a.keys)?;
    let accounts = account_limit(VENDOR, a.model.as_deref(), MAX_ACCOUNTS);
    let mut out = Vec::new();
    for (i, key) in a.keys.iter().enumerate() {
        let index = i + 1;
        let unsupported = |what: String| RenderError::UnsupportedValue {
            field: format!("key {index} {what}"),
        };
        if !(1..=accounts).contains(&usize::from(key.account)) {
            return Err(unsupported("account".into()));
        }
        if key.position == 0 {
            return Err(unsupported("position".into()));
        }
        let (bank, account) = match key.bank {
            KeyBank::Line => ("vpk", (key.account - 1).to_string()),
            KeyBank::Programmable => ("mpk", format!("Account{}", key.account)),
            other => return Err(unsupported(format!("bank {}", other.name()))),
        };
        let mode = key_mode(key.kind, key.bank).ok_or_else(|| unsupported(format!("kind {}", key.kind.as_str())))?;
        key_items(&mut out, index, key, bank, mode, account);
    }
    Ok(out)
}

fn key_items<'a>(
    out: &mut Vec<Entry<'a>>,
    index: usize,
    key: &'a Key,
    bank: &str,
    mode: &'static str,
    account: String,
) {
    let position = key.position;
    let mut push = |suffix: &str, value: Cow<'a, str>, name| {
        out.push(item(
            format!("pks.{bank}.{position}.{suffix}"),
            value,
            Origin::Key(index, name),
        ));
    };
    push("keyMode", mode.into(), "kind");
    push("account", account.into(), "account");
    if let Some(label) = key.label.as_deref() {
        push("description", label.into(), "label");
    }
    if let Some(value) = key.value.as_deref() {
        push("value", value.into(), "value");
    }
}

fn key_mode(kind: KeyKind, bank: KeyBank) -> Option<&'static str> {
    match kind {
        KeyKind::Unused => Some("None"),
        KeyKind::Line => (bank == KeyBank::Line).then_some("Line"),
        KeyKind::SpeedDial => Some("SpeedDial"),
        KeyKind::Blf => Some("BLF"),
        KeyKind::Park => Some("CallPark"),
        KeyKind::Dnd => None,
    }
}

/// An item name: ASCII letters, digits, `.`, `_`, `-`, not empty.
fn is_item_name(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Checks each override key, then replaces a generated item's value in place or appends.
fn apply_overrides<'a>(entries: &mut Vec<Entry<'a>>, overrides: &'a [(String, String)]) -> Result<(), RenderError> {
    for (position, (key, value)) in overrides.iter().enumerate() {
        check_override_key(position, key, breaks_line, is_item_name)?;
        let entry = item(key.as_str(), value.as_str(), Origin::Field(Field::Override(key)));
        replace_or_append(entries, |e| e.key == key.as_str(), entry);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{self, pairs};
    use super::super::xml::{Node, parse};
    use super::*;
    use crate::assign::{Codec, DtmfMode, SrtpMode};
    use crate::device::Mac;

    /// A change to an assignment, for table-driven tests.
    type Change = fn(&mut Assignment);

    const MAC: Mac = Mac([0xc0, 0x74, 0xad, 0x11, 0x22, 0x33]);

    /// The golden-test assignment: the shared two accounts on a GRP2614, with every other
    /// neutral field set.
    fn full() -> Assignment {
        let mut a = test_support::two_accounts(MAC, "2001:db8::1", "https://prov.example:8443/gs/", "Europe/Berlin");
        a.model = Some("GRP2614".into());
        a.provisioning_user = Some("prov".into());
        a.provisioning_password = Some("prov-pw".into());
        a.resync_interval_min = Some(1440);
        a.firmware_url = Some("ftp://fw.example/grp/".into());
        a.ntp_servers.push("ntp2.example".into());
        a.language = Some("de".into());
        a.user_password = Some("user!".into());
        a.vlan_id = Some(20);
        a.vlan_priority = Some(5);
        a.syslog_host = Some("log.example".into());
        a.syslog_level = Some(6);
        let one = a.account_mut(1);
        one.backup_registrar_host = Some("pbx2.example".into());
        one.register_expires = Some(1800);
        one.voicemail_number = Some("*97".into());
        one.mwi = Some(true);
        one.codecs = vec![Codec::G722, Codec::Opus, Codec::Pcma];
        one.dtmf = Some(DtmfMode::Rfc2833);
        one.srtp = Some(SrtpMode::Optional);
        let blf = a.key_mut(1);
        blf.bank = KeyBank::Programmable;
        blf.position = 3;
        blf.kind = KeyKind::Blf;
        blf.value = Some("102".into());
        blf.label = Some("Anna".into());
        let line = a.key_mut(2);
        line.bank = KeyBank::Line;
        line.position = 2;
        line.kind = KeyKind::Line;
        line.account = 2;
        a
    }

    /// The `<config>` items as (name, value), in document order.
    fn items(a: &Assignment) -> Vec<(String, String)> {
        let nodes = parse(&render(a).expect("renders").content);
        nodes
            .into_iter()
            .filter(|n: &Node| n.path == "gs_provision/config/item")
            .map(|n| (n.attributes[0].1.clone(), n.text))
            .collect()
    }

    const GOLDEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gs_provision version="1">
  <mac>c074ad112233</mac>
  <config version="2">
    <item name="provisioning.config.protocol">HTTPS</item>
    <item name="provisioning.config.serverPath">prov.example:8443/gs/</item>
    <item name="provisioning.config.username">prov</item>
    <item name="provisioning.config.password">prov-pw</item>
    <item name="provisioning.auto.mode">YesUpgradeMin</item>
    <item name="provisioning.auto.minute">1440</item>
    <item name="provisioning.firmware.protocol">FTP</item>
    <item name="provisioning.firmware.serverPath">fw.example/grp/</item>
    <item name="dateTime.ntp.server.1">pool.ntp.org</item>
    <item name="dateTime.ntp.server.2">ntp2.example</item>
    <item name="dateTime.timezone">customize</item>
    <item name="dateTime.timezone.custom">CET-1CEST-2,M3.5.0/2,M10.5.0/3</item>
    <item name="language.gui">de</item>
    <item name="users.admin.password">admin!</item>
    <item name="users.user.password">user!</item>
    <item name="network.port.eth.1.vlan.enable">Yes</item>
    <item name="network.port.eth.1.vlan.tag">20</item>
    <item name="network.port.eth.1.vlan.priority">5</item>
    <item name="maintain.syslog.server">log.example</item>
    <item name="maintain.syslog.level">Info</item>
    <item name="provisioning.3cxAutoProvision">No</item>
    <item name="account.1.enable">Yes</item>
    <item name="account.1.name">Reception</item>
    <item name="account.1.sip.server.1.address">pbx.example:5062</item>
    <item name="account.1.sip.server.2.address">pbx2.example</item>
    <item name="account.1.sip.outboundProxy.1.address">proxy.example:5070</item>
    <item name="account.1.sip.userid">101</item>
    <item name="account.1.sip.subscriber.userid">auth101</item>
    <item name="account.1.sip.subscriber.password">s3cret</item>
    <item name="account.1.sip.subscriber.name">Front Desk</item>
    <item name="account.1.sip.transport">UDP</item>
    <item name="account.1.sip.registerExpiration">30</item>
    <item name="account.1.sip.voicemail.number">*97</item>
    <item name="account.1.sip.subscribe.forMwi">Yes</item>
    <item name="account.1.codec.choice.1">G.722</item>
    <item name="account.1.codec.choice.2">OPUS</item>
    <item name="account.1.codec.choice.3">PCMA</item>
    <item name="account.1.codec.choice.4">PCMA</item>
    <item name="account.1.codec.choice.5">PCMA</item>
    <item name="account.1.codec.choice.6">PCMA</item>
    <item name="account.1.codec.choice.7">PCMA</item>
    <item name="account.1.codec.choice.8">PCMA</item>
    <item name="account.1.dtmf.sendInAudio">No</item>
    <item name="account.1.dtmf.sendInRtp">Yes</item>
    <item name="account.1.dtmf.sendInSip">No</item>
    <item name="account.1.audio.srtpMode">EnabledButNotForced</item>
    <item name="account.2.enable">Yes</item>
    <item name="account.2.sip.server.1.address">[2001:db8::1]</item>
    <item name="account.2.sip.userid">102</item>
    <item name="account.2.sip.subscriber.userid">102</item>
    <item name="account.2.sip.subscriber.password">pw102</item>
    <item name="account.2.sip.transport">TlsOrTcp</item>
    <item name="pks.mpk.3.keyMode">BLF</item>
    <item name="pks.mpk.3.account">Account1</item>
    <item name="pks.mpk.3.description">Anna</item>
    <item name="pks.mpk.3.value">102</item>
    <item name="pks.vpk.2.keyMode">Line</item>
    <item name="pks.vpk.2.account">1</item>
  </config>
</gs_provision>
"#;

    #[test]
    fn golden_grp2614_file() {
        let file = render(&full()).expect("renders");
        assert_eq!(file.file_name, "cfgc074ad112233.xml");
        assert_eq!(file.content_type, "application/xml");
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), GOLDEN);
    }

    #[test]
    fn parses_back_with_quick_xml() {
        let a = full();
        let nodes = parse(&render(&a).expect("renders").content);
        assert_eq!(nodes[0].path, "gs_provision");
        assert_eq!(nodes[1].path, "gs_provision/mac");
        assert_eq!(nodes[2].path, "gs_provision/config");
        assert_eq!(nodes[2].attributes, pairs(&[("version", "2")]));
        let got = items(&a);
        assert_eq!(got.len(), GOLDEN.matches("<item ").count());
        assert!(got.contains(&("account.1.sip.subscriber.password".into(), "s3cret".into())));
        // Every item has exactly one attribute, `name`.
        assert!(
            nodes
                .iter()
                .filter(|n| n.path.ends_with("/item"))
                .all(|n| n.attributes.len() == 1 && n.attributes[0].0 == "name")
        );
    }

    #[test]
    fn values_are_escaped_and_control_characters_refused() {
        let mut a = full();
        let password = "a&b<c>\"d'</item><item name=\"x\">";
        a.accounts[0].password = Some(password.into());
        a.keys[0].label = Some("<evil/>".into());
        let got = items(&a);
        assert!(got.contains(&("account.1.sip.subscriber.password".into(), password.into())));
        assert!(got.contains(&("pks.mpk.3.description".into(), "<evil/>".into())));
        assert!(!got.iter().any(|(k, _)| k == "x"));

        a.keys[0].value = Some("10\n2".into());
        assert_eq!(render(&a), test_support::control_error("key 1 value"));
        let mut a = full();
        a.accounts[1].password = Some("pw\u{7}".into());
        assert_eq!(render(&a), test_support::control_error("account 2 password"));
    }

    #[test]
    fn keys_refused_where_the_dialect_has_no_names() {
        let refused = |change: fn(&mut Key), field: &str| {
            let mut a = full();
            change(&mut a.keys[0]);
            assert_eq!(
                render(&a),
                Err(RenderError::UnsupportedValue { field: field.into() }),
                "{field}"
            );
        };
        refused(|k| k.kind = KeyKind::Dnd, "key 1 kind dnd");
        refused(|k| k.kind = KeyKind::Line, "key 1 kind line");
        refused(|k| k.account = 7, "key 1 account");
        refused(|k| k.account = 0, "key 1 account");
        // GRP2614 has 24 MPKs (capabilities): 25 is beyond its bank.
        let mut a = full();
        a.keys[0].position = 25;
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 1, max: 24 }));
        let mut a = full();
        a.keys[0].bank = KeyBank::Expansion(1);
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 1, max: 0 }));
    }

    #[test]
    fn overrides_win_and_keys_are_checked() {
        let mut a = full();
        a.set_override("account.1.sip.transport", "TCP");
        a.set_override("phonebook.download.mode", "EnabledUseHTTPS");
        let got = items(&a);
        let transport: Vec<_> = got.iter().filter(|(k, _)| k == "account.1.sip.transport").collect();
        assert_eq!(transport, [&("account.1.sip.transport".to_owned(), "TCP".to_owned())]);
        assert_eq!(
            got.last(),
            Some(&("phonebook.download.mode".into(), "EnabledUseHTTPS".into()))
        );

        for key in ["", "a b", "x\"y", "a/b"] {
            let mut a = full();
            a.set_override(key, "v");
            assert_eq!(render(&a), Err(RenderError::InvalidKey(key.into())), "{key:?}");
        }
        let mut a = full();
        a.set_override("a\nb", "v");
        assert_eq!(render(&a), test_support::control_error("override 1 key"));
    }

    #[test]
    fn account_limit_follows_the_model() {
        // GRP26xx family: 6 accounts; an unknown model reaching this renderer directly: 16.
        let mut a = full();
        a.account_mut(7).user_id = Some("107".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 6, got: 7 }));
        a.model = None;
        a.keys.clear();
        assert!(render(&a).is_ok());
        a.account_mut(17).user_id = Some("117".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 16, got: 17 }));
    }

    #[test]
    fn unsupported_values_name_the_field() {
        let cases: [(Change, &str); 6] = [
            (|a| a.language = Some("xx".into()), "language"),
            (|a| a.syslog_port = Some(1514), "syslog port"),
            (|a| a.resync_interval_min = Some(5), "resync interval"),
            (
                |a| a.accounts[0].register_expires = Some(45),
                "account 1 register expires",
            ),
            (
                |a| a.timezone = crate::timezone::Zone::find("Asia/Jerusalem"),
                "timezone",
            ),
            (|a| a.vlan_priority = Some(9), "vlan priority"),
        ];
        for (change, field) in cases {
            let mut a = full();
            change(&mut a);
            assert_eq!(
                render(&a),
                Err(RenderError::UnsupportedValue { field: field.into() }),
                "{field}"
            );
        }
        let mut a = full();
        a.provisioning_url = Some("ftp://x/".into());
        assert_eq!(render(&a), Err(RenderError::InvalidUrl("ftp".into())));
    }

    #[test]
    fn pnp_stays_on_when_asked() {
        let mut a = full();
        a.keep_pnp_enabled = true;
        assert!(!items(&a).iter().any(|(k, _)| k == "provisioning.3cxAutoProvision"));
    }
}
