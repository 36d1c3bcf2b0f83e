//! The P-values of an assignment, in write order: the one list behind both the XML file
//! (`<config version="1">`) and the legacy binary `cfg<mac>`, so the two always carry the
//! same settings.
//!
//! Key families and their sources (config-formats.md §2.1; the Grandstream templates quoted
//! in FusionPBX `gxp2170` for GXP2130/2135/2140/2160/2170 fw 1.0.9.127 and in an FS PBX
//! GXP17xx template for fw 1.0.1.133; wazo `base.tpl`):
//!
//! | neutral | account 1 | 2 | 3 | 4 | 5 | 6 |
//! |---|---|---|---|---|---|---|
//! | enabled / label | P271 / P270 | P401 / P417 | P501 / P517 | P601 / P617 | P1701 / P1717 | P1801 / P1817 |
//! | registrar / backup | P47 / P2312 | P402 / P2412 | P502 / P2512 | P602 / P2612 | P1702 / P2712 | P1802 / P2812 |
//! | outbound proxy | P48 | P403 | P503 | P603 | P1703 | P1803 |
//! | user / auth / password / name | P35 P36 P34 P3 | P404–P407 | P504–P507 | P604–P607 | P1704–P1707 | P1804–P1807 |
//! | transport (0 UDP, 1 TCP, 2 TLS) | P130 | P448 | P548 | P648 | P1748 | P1848 |
//! | register expiration (min) | P32 | P412 | P512 | P612 | P1712 | P1812 |
//! | voicemail / MWI | P33 / P99 | P426 / P415 | P526 / P515 | P626 / P615 | P1726 / P1715 | P1826 / P1815 |
//! | vocoder choices 1–8 | P57–P62, P46, P98 | P451–P458 | P551–P558 | P651–P658 | P1751–P1758 | P1851–P1858 |
//! | DTMF audio / RTP / INFO | P2301–P2303 | P2401–P2403 | P2501–P2503 | P2601–P2603 | P2701–P2703 | P2801–P2803 |
//! | SRTP | P183 | P443 | P543 | P643 | P1743 | P1843 |
//!
//! Globals: P212 / P237 config protocol and server path, P1360 / P1361 its HTTP user and
//! password, P194 = 1 with P193 minutes (automatic upgrade check, which also re-reads the
//! config), P6767 / P192 firmware protocol and server path, P30 / P8333 NTP servers \[P8333: M,
//! newer firmware\], P64 = `customize` with P246 the self-defined zone, P1362 language, P2 /
//! P196 admin and user password, P51 / P87 VLAN tag and priority, P207 / P208 syslog server and
//! level, P1414 = 0 ("3CX Auto Provision", the SIP PnP SUBSCRIBE).
//!
//! Keys: MPKs (`programmable` bank) 1–24 with the classic layout — mode P323–P329 and
//! account / name / value P301… in threes for keys 1–7, then blocks of four from P353
//! (keys 8–18) and from P1440 (keys 19–24); mode −1 none, 0 speed dial, 1 BLF, 9 call park.
//! VPKs (`line` bank) only on models whose fixed line keys the templates show: mode P1363,
//! account P1364, description P1465, value P1466, stepping by 2, for keys 1 to the model's
//! fixed count (GXP2130 3, GXP2140 4, GXP2160 / GXP2170 / GXP1780 / GXP1782 6); mode −1 none,
//! 0 line, 10 speed dial, 11 BLF, 19 call park, 32 DND (GXP21xx only). Dynamic VPKs use other
//! mode codes and other P-values per model, and expansion modules have no confirmed P-values:
//! both are [`RenderError::UnsupportedValue`].

use std::borrow::Cow;

use super::RenderError;
use super::accounts::{account_limit, used_accounts};
use super::family::exact_family;
use super::field::Field;
use super::grandstream::{Entry, Origin, VENDOR, apply_overrides};
use super::grandstream_values::{
    CODEC_SLOTS, SyslogLevel, TIMEZONE_CUSTOM, check_syslog_port, check_vlan, codec_code, codec_slots, custom_timezone,
    dtmf_switches, expires_minutes, language, resync_minutes, split_url, srtp,
};
use super::hostport;
use super::keys::check_keys;
use crate::assign::{Account, Assignment, Codec, Key, KeyBank, KeyKind, Transport};

/// Accounts the P-values address (accounts 5 and 6 are P17xx and P18xx, so no formula).
pub(super) const MAX_ACCOUNTS: usize = 6;

/// The P-values of one account.
struct AccountKeys {
    enabled: &'static str,
    label: &'static str,
    registrar: &'static str,
    backup_registrar: &'static str,
    outbound_proxy: &'static str,
    user_id: &'static str,
    auth_id: &'static str,
    password: &'static str,
    display_name: &'static str,
    transport: &'static str,
    expires: &'static str,
    voicemail: &'static str,
    mwi: &'static str,
    codecs: [&'static str; CODEC_SLOTS],
    /// In audio, via RTP (RFC 2833), via SIP INFO.
    dtmf: [&'static str; 3],
    srtp: &'static str,
}

/// Accounts 1–6 (row N-1 = account N).
#[rustfmt::skip]
const ACCOUNT_KEYS: [AccountKeys; MAX_ACCOUNTS] = [
    AccountKeys {
        enabled: "P271", label: "P270", registrar: "P47", backup_registrar: "P2312", outbound_proxy: "P48",
        user_id: "P35", auth_id: "P36", password: "P34", display_name: "P3", transport: "P130",
        expires: "P32", voicemail: "P33", mwi: "P99",
        codecs: ["P57", "P58", "P59", "P60", "P61", "P62", "P46", "P98"],
        dtmf: ["P2301", "P2302", "P2303"], srtp: "P183",
    },
    AccountKeys {
        enabled: "P401", label: "P417", registrar: "P402", backup_registrar: "P2412", outbound_proxy: "P403",
        user_id: "P404", auth_id: "P405", password: "P406", display_name: "P407", transport: "P448",
        expires: "P412", voicemail: "P426", mwi: "P415",
        codecs: ["P451", "P452", "P453", "P454", "P455", "P456", "P457", "P458"],
        dtmf: ["P2401", "P2402", "P2403"], srtp: "P443",
    },
    AccountKeys {
        enabled: "P501", label: "P517", registrar: "P502", backup_registrar: "P2512", outbound_proxy: "P503",
        user_id: "P504", auth_id: "P505", password: "P506", display_name: "P507", transport: "P548",
        expires: "P512", voicemail: "P526", mwi: "P515",
        codecs: ["P551", "P552", "P553", "P554", "P555", "P556", "P557", "P558"],
        dtmf: ["P2501", "P2502", "P2503"], srtp: "P543",
    },
    AccountKeys {
        enabled: "P601", label: "P617", registrar: "P602", backup_registrar: "P2612", outbound_proxy: "P603",
        user_id: "P604", auth_id: "P605", password: "P606", display_name: "P607", transport: "P648",
        expires: "P612", voicemail: "P626", mwi: "P615",
        codecs: ["P651", "P652", "P653", "P654", "P655", "P656", "P657", "P658"],
        dtmf: ["P2601", "P2602", "P2603"], srtp: "P643",
    },
    AccountKeys {
        enabled: "P1701", label: "P1717", registrar: "P1702", backup_registrar: "P2712", outbound_proxy: "P1703",
        user_id: "P1704", auth_id: "P1705", password: "P1706", display_name: "P1707", transport: "P1748",
        expires: "P1712", voicemail: "P1726", mwi: "P1715",
        codecs: ["P1751", "P1752", "P1753", "P1754", "P1755", "P1756", "P1757", "P1758"],
        dtmf: ["P2701", "P2702", "P2703"], srtp: "P1743",
    },
    AccountKeys {
        enabled: "P1801", label: "P1817", registrar: "P1802", backup_registrar: "P2812", outbound_proxy: "P1803",
        user_id: "P1804", auth_id: "P1805", password: "P1806", display_name: "P1807", transport: "P1848",
        expires: "P1812", voicemail: "P1826", mwi: "P1815",
        codecs: ["P1851", "P1852", "P1853", "P1854", "P1855", "P1856", "P1857", "P1858"],
        dtmf: ["P2801", "P2802", "P2803"], srtp: "P1843",
    },
];

/// Config upgrade protocol ("Config upgrade via": 0 TFTP, 1 HTTP, 2 HTTPS).
const KEY_CONFIG_PROTOCOL: &str = "P212";
/// Config server path (`host[:port]/path`, no scheme).
const KEY_CONFIG_SERVER: &str = "P237";
const KEY_CONFIG_USER: &str = "P1360";
const KEY_CONFIG_PASSWORD: &str = "P1361";
/// "Automatic Upgrade": 1 = check every P193 minutes.
const KEY_AUTO_UPGRADE: &str = "P194";
const KEY_AUTO_UPGRADE_MINUTES: &str = "P193";
/// P193's range ("Check for new firmware every () minutes", GXP17xx: 60–86400).
const AUTO_UPGRADE_MINUTES: std::ops::RangeInclusive<u32> = 60..=86_400;
/// "Firmware Upgrade Via": 0 TFTP, 1 HTTP, 2 HTTPS (older firmware used P212 for both).
const KEY_FIRMWARE_PROTOCOL: &str = "P6767";
/// Firmware server path (`host[:port]/path`, no scheme).
const KEY_FIRMWARE_SERVER: &str = "P192";
/// The P212 / P6767 code of each scheme the phone fetches with (any case).
const PROTOCOLS: [(&str, &str); 3] = [("tftp", "0"), ("http", "1"), ("https", "2")];
/// NTP server and secondary NTP server.
const KEY_NTP_SERVERS: [&str; 2] = ["P30", "P8333"];
const KEY_TIMEZONE: &str = "P64";
/// Self-defined time zone, read when P64 is `customize`.
const KEY_TIMEZONE_CUSTOM: &str = "P246";
const KEY_LANGUAGE: &str = "P1362";
const KEY_ADMIN_PASSWORD: &str = "P2";
const KEY_USER_PASSWORD: &str = "P196";
/// XML config file password: the key the phone opens encrypted `cfg<mac>.xml` with.
const KEY_CONFIG_KEY: &str = "P1359";
/// Layer 2 QoS 802.1Q VLAN tag and 802.1p priority.
const KEY_VLAN_ID: &str = "P51";
const KEY_VLAN_PRIORITY: &str = "P87";
const KEY_SYSLOG_SERVER: &str = "P207";
const KEY_SYSLOG_LEVEL: &str = "P208";
/// "3CX Auto Provision": the SIP Plug-and-Play SUBSCRIBE at boot (1 on, 0 off).
const KEY_PNP: &str = "P1414";

/// MPKs the classic layout addresses.
const MAX_MPK: u16 = 24;

/// The P-values of `a` for its own `cfg<mac>` / `cfg<mac>.xml`: globals, accounts, keys, then
/// overrides (replacing a generated value in place, or appended in their order).
pub(super) fn entries(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = Vec::with_capacity(32 + 16 * a.accounts.len() + 4 * a.keys.len() + a.overrides.len());
    globals(a, &mut entries)?;
    accounts(a, &mut entries)?;
    entries.extend(keys(a)?);
    apply_overrides(&mut entries, &a.overrides);
    Ok(entries)
}

/// The P-values of a file shared by many phones (`cfg.xml`, `cfg<model>.xml`): globals and
/// overrides only.
pub(super) fn shared_entries(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let mut entries = Vec::with_capacity(32 + a.overrides.len());
    globals(a, &mut entries)?;
    apply_overrides(&mut entries, &a.overrides);
    Ok(entries)
}

fn entry<'a>(key: &'static str, value: impl Into<Cow<'a, str>>, field: Origin<'a>) -> Entry<'a> {
    Entry {
        key: Cow::Borrowed(key),
        value: value.into(),
        field,
    }
}

fn globals<'a>(a: &'a Assignment, out: &mut Vec<Entry<'a>>) -> Result<(), RenderError> {
    let global = |name| Origin::Field(Field::Global(name));
    if let Some(url) = a.provisioning_url.as_deref() {
        let (protocol, server) = split_url(url, &PROTOCOLS)?;
        if let Some(code) = protocol {
            out.push(entry(KEY_CONFIG_PROTOCOL, code, global("provisioning url")));
        }
        out.push(entry(KEY_CONFIG_SERVER, server, global("provisioning url")));
    }
    if let Some(user) = a.provisioning_user.as_deref() {
        out.push(entry(KEY_CONFIG_USER, user, global("provisioning user")));
    }
    if let Some(password) = a.provisioning_password.as_deref() {
        out.push(entry(KEY_CONFIG_PASSWORD, password, global("provisioning password")));
    }
    if let Some(minutes) = a.resync_interval_min {
        let minutes = resync_minutes(minutes, AUTO_UPGRADE_MINUTES)?;
        out.push(entry(KEY_AUTO_UPGRADE, "1", global("resync interval")));
        out.push(entry(
            KEY_AUTO_UPGRADE_MINUTES,
            minutes.to_string(),
            global("resync interval"),
        ));
    }
    if let Some(url) = a.firmware_url.as_deref() {
        let (protocol, server) = split_url(url, &PROTOCOLS)?;
        if let Some(code) = protocol {
            out.push(entry(KEY_FIRMWARE_PROTOCOL, code, global("firmware url")));
        }
        out.push(entry(KEY_FIRMWARE_SERVER, server, global("firmware url")));
    }
    // The phone takes two NTP servers; later ones in the preference list are not written.
    for (key, server) in KEY_NTP_SERVERS.into_iter().zip(&a.ntp_servers) {
        out.push(entry(key, server.as_str(), global("ntp server")));
    }
    if let Some(zone) = &a.timezone {
        let rule = custom_timezone(zone)?;
        out.push(entry(KEY_TIMEZONE, TIMEZONE_CUSTOM, global("timezone")));
        out.push(entry(KEY_TIMEZONE_CUSTOM, rule, global("timezone")));
    }
    if let Some(code) = a.language.as_deref() {
        out.push(entry(KEY_LANGUAGE, language(code)?, global("language")));
    }
    if let Some(password) = a.admin_password.as_deref() {
        out.push(entry(KEY_ADMIN_PASSWORD, password, global("admin password")));
    }
    if let Some(password) = a.user_password.as_deref() {
        out.push(entry(KEY_USER_PASSWORD, password, global("user password")));
    }
    if let Some(key) = a.config_key.as_deref() {
        out.push(entry(KEY_CONFIG_KEY, key, global("config key")));
    }
    check_vlan(a.vlan_id, a.vlan_priority)?;
    if let Some(id) = a.vlan_id {
        out.push(entry(KEY_VLAN_ID, id.to_string(), global("vlan id")));
    }
    if let Some(priority) = a.vlan_priority {
        out.push(entry(KEY_VLAN_PRIORITY, priority.to_string(), global("vlan priority")));
    }
    check_syslog_port(a.syslog_port)?;
    if let Some(host) = a.syslog_host.as_deref() {
        out.push(entry(KEY_SYSLOG_SERVER, host, global("syslog host")));
    }
    if let Some(severity) = a.syslog_level {
        let level = SyslogLevel::from_severity(severity)?;
        out.push(entry(KEY_SYSLOG_LEVEL, level.code(), global("syslog level")));
    }
    if !a.keep_pnp_enabled {
        out.push(entry(KEY_PNP, "0", global("pnp")));
    }
    Ok(())
}

fn accounts<'a>(a: &'a Assignment, out: &mut Vec<Entry<'a>>) -> Result<(), RenderError> {
    let max = account_limit(VENDOR, a.model.as_deref(), MAX_ACCOUNTS);
    let opus = opus_code(a.model.as_deref());
    for (index, acct) in used_accounts(&a.accounts, max)? {
        account(out, index, acct, opus)?;
    }
    Ok(())
}

fn account<'a>(
    out: &mut Vec<Entry<'a>>,
    index: usize,
    acct: &'a Account,
    opus: Option<&'static str>,
) -> Result<(), RenderError> {
    let keys = &ACCOUNT_KEYS[index - 1];
    let field = |name| Origin::Field(Field::Account(index, name));
    let mut push = |key, value: Option<Cow<'a, str>>, name| {
        if let Some(value) = value {
            out.push(entry(key, value, field(name)));
        }
    };
    push(keys.enabled, Some("1".into()), "enabled");
    push(keys.label, acct.label.as_deref().map(Cow::from), "label");
    push(keys.registrar, hostport::registrar(acct), "registrar");
    let backup = hostport::backup_registrar(acct);
    push(keys.backup_registrar, backup, "backup registrar");
    push(
        keys.outbound_proxy,
        acct.outbound_proxy.as_deref().map(Cow::from),
        "outbound proxy",
    );
    push(keys.user_id, acct.user_id.as_deref().map(Cow::from), "user id");
    push(keys.auth_id, acct.effective_auth_id().map(Cow::from), "auth id");
    push(keys.password, acct.password.as_deref().map(Cow::from), "password");
    push(
        keys.display_name,
        acct.display_name.as_deref().map(Cow::from),
        "display name",
    );
    push(keys.transport, Some(transport_code(acct.transport).into()), "transport");
    let expires = acct.register_expires.map(|s| expires_minutes(s, index)).transpose()?;
    push(keys.expires, expires.map(|m| m.to_string().into()), "register expires");
    push(
        keys.voicemail,
        acct.voicemail_number.as_deref().map(Cow::from),
        "voicemail number",
    );
    push(keys.mwi, acct.mwi.map(|on| flag(on).into()), "mwi");
    if let Some(slots) = codec_slots(&acct.codecs, index)? {
        for (key, codec) in keys.codecs.into_iter().zip(slots) {
            let code = match codec {
                Codec::Opus => opus,
                other => codec_code(other),
            };
            let code = code.ok_or_else(|| RenderError::UnsupportedValue {
                field: format!("account {index} codec {}", codec.as_str()),
            })?;
            push(key, Some(code.into()), "codecs");
        }
    }
    if let Some(mode) = acct.dtmf {
        for (key, on) in keys.dtmf.into_iter().zip(dtmf_switches(mode)) {
            push(key, Some(flag(on).into()), "dtmf");
        }
    }
    push(keys.srtp, acct.srtp.map(|mode| srtp(mode).0.into()), "srtp");
    Ok(())
}

fn transport_code(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "0",
        Transport::Tcp => "1",
        Transport::Tls => "2",
    }
}

fn flag(on: bool) -> &'static str {
    if on { "1" } else { "0" }
}

/// The model entry of the capability table `model` matched (its pattern), if any.
fn model_pattern(model: Option<&str>) -> Option<&'static str> {
    let found = exact_family(VENDOR, model)?;
    found.model.map(|m| m.pattern)
}

/// The Opus vocoder code: 123 on GXP213x–217x, 125 on GXP17xx; unknown elsewhere.
fn opus_code(model: Option<&str>) -> Option<&'static str> {
    match model_pattern(model)? {
        "GXP2130" | "GXP2135" | "GXP2140" | "GXP2160" | "GXP2170" => Some("123"),
        "GXP1760" | "GXP1780" | "GXP1782" | "GXP17xx" => Some("125"),
        _ => None,
    }
}

/// The fixed line VPKs (P1363 block) of a model and whether its mode list has DND.
fn fixed_vpks(model: Option<&str>) -> (u16, bool) {
    match model_pattern(model) {
        Some("GXP2130") => (3, true),
        Some("GXP2140") => (4, true),
        Some("GXP2160" | "GXP2170") => (6, true),
        Some("GXP1780" | "GXP1782") => (6, false),
        _ => (0, false),
    }
}

fn keys(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    check_keys(VENDOR, a.model.as_deref(), &a.keys)?;
    let accounts = account_limit(VENDOR, a.model.as_deref(), MAX_ACCOUNTS);
    let (vpks, vpk_dnd) = fixed_vpks(a.model.as_deref());
    let mut out = Vec::new();
    for (i, key) in a.keys.iter().enumerate() {
        let index = i + 1;
        let unsupported = |what: String| RenderError::UnsupportedValue {
            field: format!("key {index} {what}"),
        };
        if !(1..=accounts).contains(&usize::from(key.account)) {
            return Err(unsupported("account".into()));
        }
        let in_range = |max| (1..=max).contains(&key.position);
        let (slots, mode) = match key.bank {
            KeyBank::Programmable if in_range(MAX_MPK) => (mpk_keys(key.position), mpk_mode(key.kind)),
            KeyBank::Line if in_range(vpks) => (vpk_keys(key.position), vpk_mode(key.kind, vpk_dnd)),
            KeyBank::Programmable => return Err(unsupported("position".into())),
            KeyBank::Line if vpks > 0 => return Err(unsupported("position".into())),
            bank => return Err(unsupported(format!("bank {}", bank.name()))),
        };
        let mode = mode.ok_or_else(|| unsupported(format!("kind {}", key.kind.as_str())))?;
        key_entries(&mut out, index, key, slots, mode);
    }
    Ok(out)
}

/// Mode, account, label, value of one key.
fn key_entries<'a>(out: &mut Vec<Entry<'a>>, index: usize, key: &'a Key, slots: [String; 4], mode: &'static str) {
    let [mode_key, account_key, label_key, value_key] = slots;
    let mut push = |k: String, value: Cow<'a, str>, name| {
        out.push(Entry {
            key: Cow::Owned(k),
            value,
            field: Origin::Key(index, name),
        });
    };
    push(mode_key, mode.into(), "kind");
    push(account_key, (key.account - 1).to_string().into(), "account");
    if let Some(label) = key.label.as_deref() {
        push(label_key, label.into(), "label");
    }
    if let Some(value) = key.value.as_deref() {
        push(value_key, value.into(), "value");
    }
}

/// MPK `n`'s mode, account, name and value P-values.
fn mpk_keys(n: u16) -> [String; 4] {
    let n = u32::from(n);
    let p = |v: u32| format!("P{v}");
    match n {
        1..=7 => {
            let base = 301 + 3 * (n - 1);
            [p(323 + n - 1), p(base), p(base + 1), p(base + 2)]
        }
        8..=18 => {
            let base = 353 + 4 * (n - 8);
            [p(base), p(base + 1), p(base + 2), p(base + 3)]
        }
        _ => {
            let base = 1440 + 4 * (n - 19);
            [p(base), p(base + 1), p(base + 2), p(base + 3)]
        }
    }
}

/// Fixed VPK `n`'s mode, account, description and value P-values.
fn vpk_keys(n: u16) -> [String; 4] {
    let step = 2 * (u32::from(n) - 1);
    [1363, 1364, 1465, 1466].map(|base| format!("P{}", base + step))
}

fn mpk_mode(kind: KeyKind) -> Option<&'static str> {
    match kind {
        KeyKind::Unused => Some("-1"),
        KeyKind::SpeedDial => Some("0"),
        KeyKind::Blf => Some("1"),
        KeyKind::Park => Some("9"),
        KeyKind::Line | KeyKind::Dnd => None,
    }
}

fn vpk_mode(kind: KeyKind, dnd: bool) -> Option<&'static str> {
    match kind {
        KeyKind::Unused => Some("-1"),
        KeyKind::Line => Some("0"),
        KeyKind::SpeedDial => Some("10"),
        KeyKind::Blf => Some("11"),
        KeyKind::Park => Some("19"),
        KeyKind::Dnd => dnd.then_some("32"),
    }
}

/// Every P-value key this module writes itself (tests check they are distinct).
#[cfg(test)]
fn all_keys() -> Vec<String> {
    let mut keys: Vec<String> = ACCOUNT_KEYS
        .iter()
        .flat_map(|k| {
            let singles = [
                k.enabled,
                k.label,
                k.registrar,
                k.backup_registrar,
                k.outbound_proxy,
                k.user_id,
                k.auth_id,
                k.password,
                k.display_name,
                k.transport,
                k.expires,
                k.voicemail,
                k.mwi,
                k.srtp,
            ];
            singles.into_iter().chain(k.codecs).chain(k.dtmf)
        })
        .map(str::to_owned)
        .collect();
    keys.extend(
        [
            KEY_CONFIG_PROTOCOL,
            KEY_CONFIG_SERVER,
            KEY_CONFIG_USER,
            KEY_CONFIG_PASSWORD,
            KEY_AUTO_UPGRADE,
            KEY_AUTO_UPGRADE_MINUTES,
            KEY_FIRMWARE_PROTOCOL,
            KEY_FIRMWARE_SERVER,
            KEY_TIMEZONE,
            KEY_TIMEZONE_CUSTOM,
            KEY_LANGUAGE,
            KEY_ADMIN_PASSWORD,
            KEY_USER_PASSWORD,
            KEY_VLAN_ID,
            KEY_VLAN_PRIORITY,
            KEY_SYSLOG_SERVER,
            KEY_SYSLOG_LEVEL,
            KEY_PNP,
        ]
        .into_iter()
        .chain(KEY_NTP_SERVERS)
        .map(str::to_owned),
    );
    keys.extend((1..=MAX_MPK).flat_map(mpk_keys));
    keys.extend((1..=6).flat_map(vpk_keys));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of(entries: &[Entry<'_>]) -> Vec<String> {
        entries.iter().map(|e| e.key.to_string()).collect()
    }

    #[test]
    fn every_key_is_distinct() {
        let mut seen = all_keys();
        let count = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), count);
    }

    #[test]
    fn mpk_and_vpk_layouts() {
        assert_eq!(mpk_keys(1), ["P323", "P301", "P302", "P303"]);
        assert_eq!(mpk_keys(2), ["P324", "P304", "P305", "P306"]);
        assert_eq!(mpk_keys(7), ["P329", "P319", "P320", "P321"]);
        assert_eq!(mpk_keys(8), ["P353", "P354", "P355", "P356"]);
        assert_eq!(mpk_keys(9), ["P357", "P358", "P359", "P360"]);
        assert_eq!(mpk_keys(18), ["P393", "P394", "P395", "P396"]);
        assert_eq!(mpk_keys(19), ["P1440", "P1441", "P1442", "P1443"]);
        assert_eq!(mpk_keys(24), ["P1460", "P1461", "P1462", "P1463"]);
        assert_eq!(vpk_keys(1), ["P1363", "P1364", "P1465", "P1466"]);
        assert_eq!(vpk_keys(6), ["P1373", "P1374", "P1475", "P1476"]);
    }

    #[test]
    fn opus_and_fixed_vpks_follow_the_model() {
        assert_eq!(opus_code(Some("GXP2170")), Some("123"));
        assert_eq!(opus_code(Some("GXP1782")), Some("125"));
        assert_eq!(opus_code(Some("GXP1789")), Some("125"));
        assert_eq!(opus_code(Some("GXP2110")), None);
        assert_eq!(opus_code(None), None);
        assert_eq!(fixed_vpks(Some("GXP2140")), (4, true));
        assert_eq!(fixed_vpks(Some("GXP1780")), (6, false));
        assert_eq!(fixed_vpks(Some("NoSuchPhone")), (0, false));
    }

    #[test]
    fn shared_entries_carry_no_accounts() {
        let mut a = Assignment {
            ntp_servers: vec!["a".into(), "b".into(), "c".into()],
            ..Assignment::default()
        };
        a.account_mut(1).user_id = Some("101".into());
        assert_eq!(
            keys_of(&shared_entries(&a).expect("renders")),
            ["P30", "P8333", "P1414"]
        );
        assert!(keys_of(&entries(&a).expect("renders")).contains(&"P35".to_owned()));
    }
}
