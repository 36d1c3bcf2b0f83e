//! Yealink text provisioning: the device file `<mac>.cfg`, the model's common file
//! `y0000000000XX.cfg` and the boot file `<mac>.boot`, accounts 1–16 (fewer per model).
//!
//! Syntax (config-formats §2.2, sources YLB, WZ, FP): UTF-8 text whose first line is exactly
//! `#!version:1.0.0.1`, then one `key = value` per line. The format has no quoting and no
//! escaping: a value runs to the end of its line. So a value containing a line break or any
//! other control character is refused ([`RenderError::ControlCharacter`]) rather than written,
//! and override keys are limited to `[A-Za-z0-9_.]+`. Everything else (`%`, `=`, `#`, quotes,
//! `&<>`, non-ASCII) is written verbatim.
//!
//! Key names by firmware generation (V73 / V80 / V81+) and how the generation is chosen:
//! `yealink_keys`. Time zone and language: `yealink_locale`. DSS keys:
//! `yealink_dss`. Per neutral field (V81+ names; N = account, sources in brackets):
//!
//! | neutral | keys |
//! |---|---|
//! | provisioning URL, HTTP user / password | `static.auto_provision.server.url`, `.server.username`, `.server.password` (WZ, FP) |
//! | resync interval | `static.auto_provision.repeat.enable = 1`, `static.auto_provision.repeat.minutes` (1–43200) (FP) |
//! | firmware URL | `static.firmware.url` (WZ v86, config-formats §2.2) |
//! | NTP servers | `local_time.ntp_server1`, `local_time.ntp_server2` (the first two) |
//! | time zone, language | see `yealink_locale` |
//! | admin / user password | `static.security.user_password = admin:<pw>` / `= user:<pw>` (the key repeated; WZ) |
//! | VLAN | `static.network.vlan.internet_port_enable = 1`, `_vid`, `_priority` (WZ) |
//! | syslog | `static.syslog.enable = 1`, `static.syslog.server`, `.server_port`, `.level` (0–6) (FP) |
//! | PnP off | `static.auto_provision.pnp_enable = 0` (§2.2, §6 item 3) |
//! | account | `account.N.enable`, `.label`, `.display_name`, `.user_name`, `.auth_name`, `.password` |
//! | registrar, backup | `account.N.sip_server.1.*` / `.sip_server.2.*`: `address`, `port`, `transport_type` (0 UDP, 1 TCP, 2 TLS), `expires` |
//! | outbound proxy | `account.N.outbound_proxy_enable = 1`, `account.N.outbound_proxy.1.address`, `.port` |
//! | voicemail, MWI | `voice_mail.number.N`, `account.N.subscribe_mwi` (0/1) |
//! | codecs | see `yealink_keys` |
//! | DTMF | `account.N.dtmf.type`: 0 in-band, 1 RFC 2833, 2 SIP INFO (Yealink admin guide) |
//! | SRTP | `account.N.srtp_encryption`: 0 disabled, 1 optional, 2 compulsory (WZ, FP) |
//!
//! Overrides replace a generated key's value in place (the first line with that key: for the
//! repeated `security.user_password` that is the admin's line), or are appended in order.
//!
//! The plaintext-key alternative to `<name>_Security.enc` (config-formats §3.2:
//! `static.auto_provision.aes_key_in_file = 0` with `static.auto_provision.aes_key_16.com` /
//! `.mac`) has no neutral field: a host sets those keys through the common file's overrides.

use std::borrow::Cow;

use super::accounts::{account_limit, used_accounts};
use super::field::Field;
use super::file_name::{Case, mac_file_name};
use super::hostport::split_host_port;
use super::keys::check_keys;
use super::url::{check_known_scheme, strict_scheme};
use super::values::{breaks_line, check_line_value, check_override_key};
use super::yealink_dss::key_entries;
use super::yealink_keys::{Dialect, Global, TransportKey};
use super::yealink_locale::{KEY_LANG_GUI, KEY_LANG_WUI, language, time_zone_lines};
use super::{RenderError, RenderedFile, capped, replace_or_append};
use crate::assign::{Account, Assignment, DtmfMode, SrtpMode, Transport};
use crate::capabilities;
use crate::digits::{MAX_DIGITS, decimal, push_decimal};
use crate::net::unbracket;

/// The vendor id in the capability table.
const VENDOR: &str = "yealink";

/// Accounts the format addresses: the largest models (T46U/T48U/T5x) have 16 (§2.2 field map);
/// each model's own count comes from the capability table.
const MAX_ACCOUNTS: usize = 16;

/// Mandatory first line of every config and boot file (§2.2 syntax; YLB, FP, WZ).
const HEADER: &str = "#!version:1.0.0.1";

/// First and second NTP server (§2.2 field map "NTP / TZ").
const KEY_NTP_SERVERS: [&str; 2] = ["local_time.ntp_server1", "local_time.ntp_server2"];

/// Longest interval `auto_provision.repeat.minutes` takes (Yealink admin guide: 1–43200).
const MAX_REPEAT_MINUTES: u32 = 43_200;

/// Highest `static.syslog.level` (0 emergency … 6 informational; the phones have no level 7).
const MAX_SYSLOG_LEVEL: u8 = 6;

/// Schemes the phone can fetch its config with (compared case-insensitively).
const URL_SCHEMES: [&str; 4] = ["http", "https", "tftp", "ftp"];

/// Renders `<mac>.cfg` for `a`.
///
/// Globals come first (provisioning, firmware, time, language, passwords, network, PnP off
/// unless kept on), then accounts in order, then the DSS keys; only values that are present
/// are written (enable and transport always, for each account present). An entirely empty
/// account is skipped. Overrides come last (in place, or appended).
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    render_device(a, Dialect::for_model(a.model.as_deref()))
}

/// [`render`] with the keys of `dialect`.
fn render_device(a: &Assignment, dialect: Dialect) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    check_keys(VENDOR, a.model.as_deref(), &a.keys)?;
    let mut entries = Vec::with_capacity(32 + 16 * a.accounts.len() + 4 * a.keys.len() + a.overrides.len());
    globals(a, dialect, &mut entries)?;
    accounts(a, dialect, &mut entries)?;
    entries.extend(key_entries(&a.keys)?);
    apply_overrides(&mut entries, &a.overrides)?;
    Ok(RenderedFile {
        file_name: mac_file_name("", mac, Case::Lower, ".cfg"),
        content_type: "text/plain",
        content: write(&entries)?,
    })
}

/// Renders a model's common file `y0000000000XX.cfg` (`file_name` as the phone asked for it):
/// the same globals and keys as [`render`], no accounts. Any other name is
/// [`RenderError::UnsupportedFile`]. The key generation is the model's, or else the one of the
/// family whose common file this is.
pub fn render_shared(file_name: &str, a: &Assignment) -> Result<RenderedFile, RenderError> {
    if !is_common_file(file_name) {
        return Err(RenderError::UnsupportedFile(capped(file_name)));
    }
    if a.accounts.iter().any(|acct| *acct != Account::default()) {
        return Err(RenderError::AccountsInSharedFile);
    }
    let model = a.model.as_deref();
    check_keys(VENDOR, model, &a.keys)?;
    let dialect = Dialect::for_common_file(model, file_name);
    let mut entries = Vec::with_capacity(32 + 4 * a.keys.len() + a.overrides.len());
    globals(a, dialect, &mut entries)?;
    entries.extend(key_entries(&a.keys)?);
    apply_overrides(&mut entries, &a.overrides)?;
    Ok(RenderedFile {
        file_name: file_name.to_owned(),
        content_type: "text/plain",
        content: write(&entries)?,
    })
}

/// Renders the boot file `<mac>.boot` (YLB: V81+ firmware asks for it first): the header,
/// `include:config "<file>"` for the model's common file (when the capability table knows
/// it) and then `<mac>.cfg`, both relative to the boot file, and `overwrite_mode = 1`, so a
/// setting the assignment no longer carries goes back to the phone's default instead of
/// keeping its last provisioned value.
pub fn render_boot(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?.to_lower_hex();
    let common = capabilities::family(VENDOR, a.model.as_deref())
        .filter(|found| found.exact)
        .and_then(|found| found.model)
        .and_then(|model| model.common_file);
    let mut out = format!("{HEADER}\n");
    for file in common
        .into_iter()
        .map(Cow::Borrowed)
        .chain([Cow::Owned(format!("{mac}.cfg"))])
    {
        out.push_str(&format!("include:config \"{file}\"\n"));
    }
    out.push_str("overwrite_mode = 1\n");
    Ok(RenderedFile {
        file_name: format!("{mac}.boot"),
        content_type: "text/plain",
        content: out.into_bytes(),
    })
}

/// `y` and 12 digits, `.cfg`: a model's common file (§2.2 files).
fn is_common_file(name: &str) -> bool {
    name.strip_prefix('y')
        .and_then(|rest| rest.strip_suffix(".cfg"))
        .is_some_and(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
}

/// One `key = value` line to write.
pub(super) struct Entry<'a> {
    /// The whole key, or for an account's key the part after `account.N.`.
    pub(super) key: Cow<'a, str>,
    /// `Some(N)` for a key `account.N.<key>`.
    pub(super) account: Option<usize>,
    pub(super) value: Cow<'a, str>,
    pub(super) field: Field<'a>,
}

impl Entry<'_> {
    /// Appends the whole key to `out`.
    fn push_key(&self, out: &mut String) {
        if let Some(index) = self.account {
            out.push_str("account.");
            push_decimal(out, index as u64);
            out.push('.');
        }
        out.push_str(&self.key);
    }

    /// Whether the whole key is `key`.
    fn has_key(&self, key: &str) -> bool {
        match self.account {
            None => self.key == key,
            Some(index) => {
                let mut digits = [0; MAX_DIGITS];
                key.strip_prefix("account.")
                    .and_then(|rest| rest.strip_prefix(decimal(index as u64, &mut digits)))
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|rest| rest == self.key)
            }
        }
    }
}

/// `sip_server.S.address`, `.port`, `.transport_type` and `.expires` of servers 1 and 2.
const SERVER_KEYS: [[&str; 4]; 2] = [
    [
        "sip_server.1.address",
        "sip_server.1.port",
        "sip_server.1.transport_type",
        "sip_server.1.expires",
    ],
    [
        "sip_server.2.address",
        "sip_server.2.port",
        "sip_server.2.transport_type",
        "sip_server.2.expires",
    ],
];

fn unsupported(field: impl Into<String>) -> RenderError {
    RenderError::UnsupportedValue { field: field.into() }
}

fn globals<'a>(a: &'a Assignment, dialect: Dialect, entries: &mut Vec<Entry<'a>>) -> Result<(), RenderError> {
    let mut push = |key: &'static str, value: Cow<'a, str>, field| {
        entries.push(Entry {
            key: Cow::Borrowed(key),
            account: None,
            value,
            field: Field::Global(field),
        })
    };
    // The key of `global` in this generation, or UnsupportedValue for `field`.
    let key = |global, field: &str| dialect.global(global).ok_or_else(|| unsupported(field));
    if let Some(url) = a.provisioning_url.as_deref() {
        check_scheme(url)?;
        push(
            key(Global::ProvisioningUrl, "provisioning url")?,
            Cow::from(url),
            "provisioning url",
        );
    }
    if let Some(user) = a.provisioning_user.as_deref() {
        push(
            key(Global::ProvisioningUser, "provisioning user")?,
            Cow::from(user),
            "provisioning user",
        );
    }
    if let Some(password) = a.provisioning_password.as_deref() {
        push(
            key(Global::ProvisioningPassword, "provisioning password")?,
            Cow::from(password),
            "provisioning password",
        );
    }
    if let Some(minutes) = a.resync_interval_min {
        if !(1..=MAX_REPEAT_MINUTES).contains(&minutes) {
            return Err(unsupported(format!("resync interval {minutes}")));
        }
        push(
            key(Global::RepeatEnable, "resync interval")?,
            Cow::from("1"),
            "resync interval",
        );
        push(
            key(Global::RepeatMinutes, "resync interval")?,
            Cow::from(minutes.to_string()),
            "resync interval",
        );
    }
    if let Some(url) = a.firmware_url.as_deref() {
        push(
            key(Global::FirmwareUrl, "firmware url")?,
            Cow::from(url),
            "firmware url",
        );
    }
    for (key, ntp) in KEY_NTP_SERVERS.into_iter().zip(&a.ntp_servers) {
        push(key, Cow::from(ntp.as_str()), "ntp server");
    }
    if let Some(zone) = a.timezone {
        for (key, value) in time_zone_lines(&zone)? {
            push(key, value, "timezone");
        }
    }
    if let Some(code) = a.language.as_deref() {
        let name = language(code)?;
        push(KEY_LANG_GUI, Cow::from(name), "language");
        push(KEY_LANG_WUI, Cow::from(name), "language");
    }
    if let Some(password) = a.admin_password.as_deref() {
        let value = Cow::from(format!("admin:{password}"));
        push(key(Global::UserPassword, "password")?, value, "admin password");
    }
    if let Some(password) = a.user_password.as_deref() {
        let value = Cow::from(format!("user:{password}"));
        push(key(Global::UserPassword, "password")?, value, "user password");
    }
    if let Some(aes_key) = a.config_key.as_deref() {
        // Yealink's plaintext-key mode (config-formats §3.2): the key itself, not a key file.
        if aes_key.chars().count() != 16 {
            return Err(RenderError::UnsupportedValue {
                field: "config key (Yealink takes 16 characters)".into(),
            });
        }
        push(key(Global::AesKeyInFile, "config key")?, Cow::from("0"), "config key");
        push(
            key(Global::AesKeyCommon, "config key")?,
            Cow::from(aes_key),
            "config key",
        );
        push(key(Global::AesKeyMac, "config key")?, Cow::from(aes_key), "config key");
    }
    if let Some(id) = a.vlan_id {
        push(key(Global::VlanEnable, "vlan id")?, Cow::from("1"), "vlan id");
        push(key(Global::VlanId, "vlan id")?, Cow::from(id.to_string()), "vlan id");
    }
    if let Some(priority) = a.vlan_priority {
        push(
            key(Global::VlanPriority, "vlan priority")?,
            Cow::from(priority.to_string()),
            "vlan priority",
        );
    }
    if let Some(host) = a.syslog_host.as_deref() {
        push(key(Global::SyslogEnable, "syslog host")?, Cow::from("1"), "syslog host");
        push(
            key(Global::SyslogServer, "syslog host")?,
            Cow::from(host),
            "syslog host",
        );
    }
    if let Some(port) = a.syslog_port {
        let port_key = key(Global::SyslogPort, "syslog port")?;
        push(port_key, Cow::from(port.to_string()), "syslog port");
    }
    if let Some(level) = a.syslog_level {
        let field = format!("syslog level {level}");
        let level_key = key(Global::SyslogLevel, &field)?;
        if level > MAX_SYSLOG_LEVEL {
            return Err(unsupported(field));
        }
        push(level_key, Cow::from(level.to_string()), "syslog level");
    }
    if !a.keep_pnp_enabled {
        push(key(Global::Pnp, "pnp")?, Cow::from("0"), "pnp");
    }
    Ok(())
}

/// Accepts a URL whose scheme (the text before `://`) is one of [`URL_SCHEMES`]. Otherwise the
/// error echoes the scheme (capped), or nothing when there is no syntactically valid scheme, so
/// no part of the path or of any credentials in it is echoed.
fn check_scheme(url: &str) -> Result<(), RenderError> {
    let (scheme, _) = strict_scheme(url)?;
    check_known_scheme(scheme, &URL_SCHEMES)
}

fn accounts<'a>(a: &'a Assignment, dialect: Dialect, entries: &mut Vec<Entry<'a>>) -> Result<(), RenderError> {
    let max = account_limit(VENDOR, a.model.as_deref(), MAX_ACCOUNTS);
    for (index, acct) in used_accounts(&a.accounts, max)? {
        // `account.N.<suffix>`, or the whole key with `account` None.
        let mut push = |key: Cow<'static, str>, account, value: Cow<'a, str>, field| {
            entries.push(Entry {
                key,
                account,
                value,
                field: Field::Account(index, field),
            })
        };
        let account = Some(index);
        let transport = Cow::from(transport_code(acct.transport));
        let per_server = dialect.transport_key() == TransportKey::PerServer;
        push("enable".into(), account, Cow::from("1"), "enabled");
        let names: [(&str, Option<&str>, &'static str); 5] = [
            ("label", acct.label.as_deref(), "label"),
            ("display_name", acct.display_name.as_deref(), "display name"),
            ("user_name", acct.user_id.as_deref(), "user id"),
            ("auth_name", acct.effective_auth_id(), "auth id"),
            ("password", acct.password.as_deref(), "password"),
        ];
        for (suffix, value, field) in names {
            if let Some(value) = value {
                push(suffix.into(), account, Cow::from(value), field);
            }
        }
        // The registrar (server 1) and the backup registrar (server 2).
        let servers = [
            (1, acct.registrar_host.as_deref(), acct.registrar_port, "registrar"),
            (
                2,
                acct.backup_registrar_host.as_deref(),
                acct.backup_registrar_port,
                "backup registrar",
            ),
        ];
        for ((server, host, port, field), [address_key, port_key, transport_key, expires_key]) in
            servers.into_iter().zip(SERVER_KEYS)
        {
            // Server 1 always gets its transport (UDP is the neutral default).
            if host.is_none() && server == 2 {
                continue;
            }
            if let Some(host) = host {
                push(address_key.into(), account, Cow::from(unbracket(host)), field);
            }
            if let Some(port) = port {
                push(port_key.into(), account, Cow::from(port.to_string()), field);
            }
            if per_server {
                push(transport_key.into(), account, transport.clone(), "transport");
            }
            if let Some(expires) = acct.register_expires {
                push(
                    expires_key.into(),
                    account,
                    Cow::from(expires.to_string()),
                    "register expires",
                );
            }
        }
        if !per_server {
            push("transport".into(), account, transport, "transport");
        }
        // An empty proxy string is no proxy: enabling a proxy without an address breaks calls.
        let proxy = acct
            .outbound_proxy
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(split_host_port);
        if let Some((host, port)) = proxy {
            let (address_key, port_key) = dialect.outbound_proxy_keys();
            push(
                "outbound_proxy_enable".into(),
                account,
                Cow::from("1"),
                "outbound proxy",
            );
            push(address_key.into(), account, Cow::from(host), "outbound proxy");
            if let Some(port) = port {
                push(port_key.into(), account, Cow::from(port.to_string()), "outbound proxy");
            }
        }
        if let Some(mwi) = acct.mwi {
            push(
                "subscribe_mwi".into(),
                account,
                Cow::from(if mwi { "1" } else { "0" }),
                "mwi",
            );
        }
        if let Some(number) = acct.voicemail_number.as_deref() {
            push(
                format!("voice_mail.number.{index}").into(),
                None,
                Cow::from(number),
                "voicemail number",
            );
        }
        for (suffix, value) in dialect.codec_lines(index, &acct.codecs)? {
            push(suffix.into(), account, Cow::from(value), "codecs");
        }
        if let Some(dtmf) = acct.dtmf {
            let code = match dtmf {
                DtmfMode::Inband => "0",
                DtmfMode::Rfc2833 => "1",
                DtmfMode::SipInfo => "2",
            };
            push("dtmf.type".into(), account, Cow::from(code), "dtmf");
        }
        if let Some(srtp) = acct.srtp {
            let code = match srtp {
                SrtpMode::Disabled => "0",
                SrtpMode::Optional => "1",
                SrtpMode::Required => "2",
            };
            push("srtp_encryption".into(), account, Cow::from(code), "srtp");
        }
    }
    Ok(())
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
            account: None,
            value: Cow::from(value),
            field: Field::Override(key),
        };
        replace_or_append(entries, |e| e.has_key(key), entry);
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
        check_line_value(&entry.value, entry.field)?;
    }
    for entry in entries {
        let start = out.len();
        entry.push_key(&mut out);
        debug_assert!(is_valid_key(&out[start..]), "generated keys are valid");
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
    use crate::assign::{Codec, Key, KeyBank, KeyKind};
    use crate::device::Mac;
    use crate::timezone::Zone;

    const MAC: Mac = Mac([0x80, 0x5e, 0xc0, 0x12, 0xab, 0xcd]);

    fn two_accounts() -> Assignment {
        let mut a = test_support::two_accounts(
            MAC,
            "[2001:db8::1]",
            "https://prov.example:8443/yealink/",
            "Europe/Berlin",
        );
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
local_time.summer_time = 1
local_time.dst_time_type = 1
local_time.start_time = 3/5/7/2
local_time.end_time = 10/5/7/3
local_time.offset_time = 60
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
        let place = |key: &str| base.iter().position(|(k, _)| k == key).expect("generated");
        assert_eq!(
            got[place("static.security.user_password")],
            ("static.security.user_password".into(), "admin:new".into())
        );
        assert_eq!(
            got[place("static.auto_provision.pnp_enable")],
            ("static.auto_provision.pnp_enable".into(), "1".into())
        );
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
        assert_eq!(
            got[place("local_time.time_zone")],
            ("local_time.time_zone".into(), "+2".into())
        );
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
            ("ntp server", |a| a.ntp_servers = vec!["ntp\n".into()]),
            ("ntp server", |a| a.ntp_servers = vec!["ntp\r".into()]),
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
            assert_eq!(config(&a), pairs(&[("static.auto_provision.server.url", url)]), "{url}");
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

    /// Every neutral field the format carries, on a T46U (V81+ keys).
    fn every_field() -> Assignment {
        let mut a = two_accounts();
        a.model = Some("T46U".into());
        a.provisioning_user = Some("prov".into());
        a.provisioning_password = Some("prov-pw".into());
        a.resync_interval_min = Some(1440);
        a.firmware_url = Some("https://fw.example/T46U-108.86.0.1.rom".into());
        a.ntp_servers = vec!["ntp1.example".into(), "ntp2.example".into(), "ntp3.example".into()];
        a.timezone = Zone::find("America/New_York");
        a.language = Some("de".into());
        a.user_password = Some("user!".into());
        a.vlan_id = Some(100);
        a.vlan_priority = Some(5);
        a.syslog_host = Some("log.example".into());
        a.syslog_port = Some(514);
        a.syslog_level = Some(6);
        let one = a.account_mut(1);
        one.backup_registrar_host = Some("pbx2.example".into());
        one.backup_registrar_port = Some(5064);
        one.register_expires = Some(600);
        one.voicemail_number = Some("*97".into());
        one.mwi = Some(true);
        one.codecs = vec![Codec::G722, Codec::Pcmu];
        one.dtmf = Some(DtmfMode::Rfc2833);
        one.srtp = Some(SrtpMode::Optional);
        let two = a.account_mut(2);
        two.mwi = Some(false);
        two.dtmf = Some(DtmfMode::SipInfo);
        two.srtp = Some(SrtpMode::Required);
        a.keys = vec![
            Key {
                bank: KeyBank::Line,
                position: 1,
                kind: KeyKind::Line,
                account: 1,
                value: None,
                label: Some("101".into()),
            },
            Key {
                bank: KeyBank::Line,
                position: 2,
                kind: KeyKind::Blf,
                account: 1,
                value: Some("204".into()),
                label: Some("Anna".into()),
            },
            Key {
                bank: KeyBank::Expansion(1),
                position: 1,
                kind: KeyKind::SpeedDial,
                account: 2,
                value: Some("0301234".into()),
                label: None,
            },
            Key {
                bank: KeyBank::Programmable,
                position: 1,
                kind: KeyKind::Dnd,
                account: 1,
                value: None,
                label: None,
            },
        ];
        a
    }

    #[test]
    fn golden_every_field() {
        let file = render(&every_field()).expect("renders");
        let expected = "\
#!version:1.0.0.1
static.auto_provision.server.url = https://prov.example:8443/yealink/
static.auto_provision.server.username = prov
static.auto_provision.server.password = prov-pw
static.auto_provision.repeat.enable = 1
static.auto_provision.repeat.minutes = 1440
static.firmware.url = https://fw.example/T46U-108.86.0.1.rom
local_time.ntp_server1 = ntp1.example
local_time.ntp_server2 = ntp2.example
local_time.time_zone = -5
local_time.summer_time = 1
local_time.dst_time_type = 1
local_time.start_time = 3/2/7/2
local_time.end_time = 11/1/7/2
local_time.offset_time = 60
lang.gui = German
lang.wui = German
static.security.user_password = admin:admin!
static.security.user_password = user:user!
static.network.vlan.internet_port_enable = 1
static.network.vlan.internet_port_vid = 100
static.network.vlan.internet_port_priority = 5
static.syslog.enable = 1
static.syslog.server = log.example
static.syslog.server_port = 514
static.syslog.level = 6
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
account.1.sip_server.1.expires = 600
account.1.sip_server.2.address = pbx2.example
account.1.sip_server.2.port = 5064
account.1.sip_server.2.transport_type = 0
account.1.sip_server.2.expires = 600
account.1.outbound_proxy_enable = 1
account.1.outbound_proxy.1.address = proxy.example
account.1.outbound_proxy.1.port = 5070
account.1.subscribe_mwi = 1
voice_mail.number.1 = *97
account.1.codec.g722.enable = 1
account.1.codec.g722.priority = 1
account.1.codec.pcmu.enable = 1
account.1.codec.pcmu.priority = 2
account.1.codec.pcma.enable = 0
account.1.codec.g729.enable = 0
account.1.codec.g726_32.enable = 0
account.1.codec.ilbc_13_33kbps.enable = 0
account.1.codec.ilbc_15_2kbps.enable = 0
account.1.codec.opus.enable = 0
account.1.codec.g723_63.enable = 0
account.1.codec.g723_53.enable = 0
account.1.dtmf.type = 1
account.1.srtp_encryption = 1
account.2.enable = 1
account.2.user_name = 102
account.2.auth_name = 102
account.2.password = pw102
account.2.sip_server.1.address = 2001:db8::1
account.2.sip_server.1.transport_type = 2
account.2.outbound_proxy_enable = 1
account.2.outbound_proxy.1.address = 2001:db8::2
account.2.outbound_proxy.1.port = 5071
account.2.subscribe_mwi = 0
account.2.dtmf.type = 2
account.2.srtp_encryption = 2
linekey.1.type = 15
linekey.1.line = 1
linekey.1.label = 101
linekey.2.type = 16
linekey.2.line = 1
linekey.2.value = 204
linekey.2.label = Anna
expansion_module.1.key.1.type = 13
expansion_module.1.key.1.line = 2
expansion_module.1.key.1.value = 0301234
programablekey.1.type = 5
programablekey.1.line = 1
";
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), expected);
    }

    /// T28P: the V73 keys (no `static.`, account-wide transport, `outbound_host`, numbered
    /// codec slots).
    #[test]
    fn golden_v73() {
        let mut a = Assignment {
            mac: Some(MAC),
            model: Some("T28P".into()),
            provisioning_url: Some("http://prov.example/yealink/".into()),
            firmware_url: Some("http://fw.example/2.73.0.50.rom".into()),
            ntp_servers: vec!["pool.ntp.org".into()],
            timezone: Zone::find("Europe/Berlin"),
            admin_password: Some("admin!".into()),
            vlan_id: Some(20),
            syslog_host: Some("log.example".into()),
            ..Assignment::default()
        };
        let one = a.account_mut(1);
        one.user_id = Some("101".into());
        one.password = Some("s3cret".into());
        one.registrar_host = Some("pbx.example".into());
        one.backup_registrar_host = Some("pbx2.example".into());
        one.register_expires = Some(300);
        one.transport = Transport::Tcp;
        one.outbound_proxy = Some("proxy.example:5070".into());
        one.codecs = vec![Codec::Pcma, Codec::G729];
        let file = render(&a).expect("renders");
        let mut expected = "\
#!version:1.0.0.1
auto_provision.server.url = http://prov.example/yealink/
firmware.url = http://fw.example/2.73.0.50.rom
local_time.ntp_server1 = pool.ntp.org
local_time.time_zone = +1
local_time.summer_time = 1
local_time.dst_time_type = 1
local_time.start_time = 3/5/7/2
local_time.end_time = 10/5/7/3
local_time.offset_time = 60
security.user_password = admin:admin!
network.vlan.internet_port_enable = 1
network.vlan.internet_port_vid = 20
syslog.mode = 1
syslog.server = log.example
auto_provision.pnp_enable = 0
account.1.enable = 1
account.1.user_name = 101
account.1.auth_name = 101
account.1.password = s3cret
account.1.sip_server.1.address = pbx.example
account.1.sip_server.1.expires = 300
account.1.sip_server.2.address = pbx2.example
account.1.sip_server.2.expires = 300
account.1.transport = 1
account.1.outbound_proxy_enable = 1
account.1.outbound_host = proxy.example
account.1.outbound_port = 5070
account.1.codec.1.enable = 1
account.1.codec.1.payload_type = PCMA
account.1.codec.1.priority = 1
account.1.codec.1.rtpmap = 8
account.1.codec.2.enable = 1
account.1.codec.2.payload_type = G729
account.1.codec.2.priority = 2
account.1.codec.2.rtpmap = 18
"
        .to_owned();
        for slot in 3..=11 {
            expected.push_str(&format!("account.1.codec.{slot}.enable = 0\n"));
        }
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), expected);

        // What V73 has no key for, or cannot carry.
        let mut port = a.clone();
        port.syslog_port = Some(514);
        assert_eq!(render(&port), Err(unsupported("syslog port")));
        let mut level = a.clone();
        level.syslog_level = Some(3);
        assert_eq!(render(&level), Err(unsupported("syslog level 3")));
        let mut opus = a.clone();
        opus.accounts[0].codecs = vec![Codec::Opus];
        assert_eq!(render(&opus), Err(unsupported("account 1 codec opus")));
    }

    /// V80 keys (chosen by no family today): per-server transport, unprefixed globals,
    /// `outbound_host`.
    #[test]
    fn v80_keys() {
        let got = parse(&render_device(&two_accounts(), Dialect::V80).expect("renders").content);
        for (key, value) in [
            ("auto_provision.server.url", "https://prov.example:8443/yealink/"),
            ("security.user_password", "admin:admin!"),
            ("auto_provision.pnp_enable", "0"),
            ("account.1.sip_server.1.transport_type", "0"),
            ("account.1.outbound_host", "proxy.example"),
            ("account.1.outbound_port", "5070"),
            ("account.2.sip_server.1.transport_type", "2"),
        ] {
            assert!(got.contains(&(key.to_owned(), value.to_owned())), "{key}");
        }
        assert!(
            !got.iter()
                .any(|(k, _)| k.starts_with("static.") || k.ends_with(".transport"))
        );
    }

    #[test]
    fn model_account_limits() {
        // T31G takes 2 accounts (capability table): a third is refused.
        let mut a = two_accounts();
        a.model = Some("T31G".into());
        assert!(render(&a).is_ok());
        a.account_mut(3).user_id = Some("103".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 2, got: 3 }));
        // A model the table does not know: the format's 16.
        let mut a = two_accounts();
        a.model = Some("T99X".into());
        a.account_mut(16).user_id = Some("116".into());
        assert!(render(&a).is_ok());
        a.account_mut(17).user_id = Some("117".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 16, got: 17 }));
    }

    #[test]
    fn keys_out_of_range_for_the_model() {
        // T46U chains 3 modules of 60 keys.
        let mut a = every_field();
        a.keys[2].bank = KeyBank::Expansion(3);
        a.keys[2].position = 60;
        assert!(render(&a).is_ok());
        a.keys[2].position = 61;
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 3, max: 60 }));
        a.keys[2].bank = KeyBank::Expansion(4);
        a.keys[2].position = 1;
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 3, max: 0 }));
        // Key values are checked like every other value.
        let mut a = every_field();
        a.keys[1].value = Some("204\nlinekey.9.type = 0".into());
        assert_eq!(render(&a), control_error("key 2 value"));
        let mut a = every_field();
        a.keys[0].label = Some("\u{0}".into());
        assert_eq!(render(&a), control_error("key 1 label"));
    }

    #[test]
    fn values_the_format_cannot_express() {
        for (field, set) in [
            (
                "syslog level 7",
                (|a: &mut Assignment| a.syslog_level = Some(7)) as fn(&mut _),
            ),
            ("resync interval 0", |a| a.resync_interval_min = Some(0)),
            ("resync interval 43201", |a| a.resync_interval_min = Some(43_201)),
            ("timezone America/Nuuk", |a| a.timezone = Zone::find("America/Nuuk")),
            ("language xx", |a| a.language = Some("xx".into())),
        ] {
            let mut a = two_accounts();
            set(&mut a);
            assert_eq!(render(&a), Err(unsupported(field)), "{field}");
            assert!(render(&a).unwrap_err().to_string().contains(field));
        }
        let mut a = two_accounts();
        a.resync_interval_min = Some(43_200);
        a.syslog_level = Some(0);
        assert!(render(&a).is_ok());
    }

    #[test]
    fn timezones_and_languages_in_the_file() {
        for (zone, time_zone, summer) in [
            ("Asia/Kolkata", "+5:30", "0"),
            ("Asia/Kathmandu", "+5:45", "0"),
            ("UTC", "0", "0"),
            ("Australia/Lord_Howe", "+10:30", "1"),
        ] {
            let mut a = two_accounts();
            a.timezone = Zone::find(zone);
            let got = config(&a);
            assert!(
                got.contains(&("local_time.time_zone".into(), time_zone.into())),
                "{zone}"
            );
            assert!(
                got.contains(&("local_time.summer_time".into(), summer.into())),
                "{zone}"
            );
        }
        let mut a = two_accounts();
        a.language = Some("fr".into());
        let got = config(&a);
        assert!(got.contains(&("lang.gui".into(), "French".into())));
        assert!(got.contains(&("lang.wui".into(), "French".into())));
    }

    #[test]
    fn new_values_name_their_field() {
        for (field, set) in [
            (
                "account 1 voicemail number",
                (|a: &mut Assignment| a.accounts[0].voicemail_number = Some("*9\n7".into())) as fn(&mut _),
            ),
            ("account 1 backup registrar", |a| {
                a.accounts[0].backup_registrar_host = Some("h\r".into())
            }),
            ("syslog host", |a| a.syslog_host = Some("log\n".into())),
            ("firmware url", |a| a.firmware_url = Some("http://fw/\n".into())),
            ("provisioning password", |a| {
                a.provisioning_password = Some("p\nw".into())
            }),
            ("user password", |a| a.user_password = Some("u\u{85}".into())),
        ] {
            let mut a = two_accounts();
            set(&mut a);
            assert_eq!(render(&a), control_error(field), "{field}");
        }
    }

    #[test]
    fn golden_common_file() {
        let mut a = every_field();
        a.accounts.clear();
        a.keys.clear();
        a.model = None;
        a.set_override("voice.tone.country", "Germany");
        let file = render_shared("y000000000108.cfg", &a).expect("renders");
        assert_eq!(file.file_name, "y000000000108.cfg");
        assert_eq!(file.content_type, "text/plain");
        let text = String::from_utf8(file.content.clone()).expect("utf-8");
        let device = String::from_utf8(render(&a).expect("renders").content).expect("utf-8");
        // The same globals (and overrides) as the device file, and nothing else.
        assert_eq!(text, device);
        assert!(text.ends_with("\nstatic.auto_provision.pnp_enable = 0\nvoice.tone.country = Germany\n"));
        assert!(
            text.starts_with(
                "#!version:1.0.0.1\nstatic.auto_provision.server.url = https://prov.example:8443/yealink/\n"
            )
        );
        assert!(!text.contains("account."));
        assert_eq!(
            super::super::render_shared("yealink", "y000000000108.cfg", &a),
            Ok(file)
        );

        // A V73 model's common file gets V73 keys (which have no syslog port or level).
        a.syslog_port = None;
        a.syslog_level = None;
        let v73 = config_of(&render_shared("y000000000007.cfg", &a).expect("renders"));
        assert!(v73.contains(&("auto_provision.pnp_enable".into(), "0".into())));
        assert!(!v73.iter().any(|(k, _)| k.starts_with("static.")));
    }

    fn config_of(file: &RenderedFile) -> Vec<(String, String)> {
        parse(&file.content)
    }

    #[test]
    fn shared_file_refusals() {
        let a = Assignment::default();
        for name in [
            "805ec012abcd.cfg",
            "y00000000010.cfg",
            "y0000000001088.cfg",
            "y00000000010x.cfg",
            "Y000000000108.cfg",
            "y000000000108.boot",
            "",
        ] {
            assert_eq!(
                render_shared(name, &a),
                Err(RenderError::UnsupportedFile(name.into())),
                "{name:?}"
            );
        }
        let accounts = two_accounts();
        assert_eq!(
            render_shared("y000000000108.cfg", &accounts),
            Err(RenderError::AccountsInSharedFile)
        );
        assert_eq!(
            super::super::render_shared("yealink", "y000000000108.cfg", &accounts),
            Err(RenderError::AccountsInSharedFile)
        );
        // The shared file is built from the same checked values.
        let bad = Assignment {
            ntp_servers: vec!["ntp\n".into()],
            ..Assignment::default()
        };
        assert_eq!(render_shared("y000000000108.cfg", &bad), control_error("ntp server"));
    }

    /// The plaintext-key alternative to `_Security.enc` (config-formats §3.2): no neutral
    /// field, but the keys go through the common file's overrides.
    #[test]
    fn plaintext_aes_keys_through_common_file_overrides() {
        let mut a = Assignment {
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        a.set_override("static.auto_provision.aes_key_in_file", "0");
        a.set_override("static.auto_provision.aes_key_16.com", "0123456789abcdef");
        a.set_override("static.auto_provision.aes_key_16.mac", "fedcba9876543210");
        let file = render_shared("y000000000108.cfg", &a).expect("renders");
        assert_eq!(
            String::from_utf8(file.content).expect("utf-8"),
            "#!version:1.0.0.1\n\
             static.auto_provision.aes_key_in_file = 0\n\
             static.auto_provision.aes_key_16.com = 0123456789abcdef\n\
             static.auto_provision.aes_key_16.mac = fedcba9876543210\n"
        );
    }

    #[test]
    fn golden_boot_file() {
        let a = Assignment {
            mac: Some(MAC),
            model: Some("SIP-T46U".into()),
            ..Assignment::default()
        };
        let file = render_boot(&a).expect("renders");
        assert_eq!(file.file_name, "805ec012abcd.boot");
        assert_eq!(file.content_type, "text/plain");
        assert_eq!(
            String::from_utf8(file.content.clone()).expect("utf-8"),
            "#!version:1.0.0.1\n\
             include:config \"y000000000108.cfg\"\n\
             include:config \"805ec012abcd.cfg\"\n\
             overwrite_mode = 1\n"
        );
        assert_eq!(super::super::render_boot("yealink", &a), Ok(file));
        // No common file known for the model: only the device file.
        for model in [None, Some("T5x9"), Some("T99X")] {
            let a = Assignment {
                mac: Some(MAC),
                model: model.map(str::to_owned),
                ..Assignment::default()
            };
            assert_eq!(
                String::from_utf8(render_boot(&a).expect("renders").content).expect("utf-8"),
                "#!version:1.0.0.1\ninclude:config \"805ec012abcd.cfg\"\noverwrite_mode = 1\n",
                "{model:?}"
            );
        }
        assert_eq!(render_boot(&Assignment::default()), Err(RenderError::MissingMac));
    }

    #[test]
    fn v73_pnp_key_is_unprefixed() {
        let mut a = Assignment {
            mac: Some(MAC),
            model: Some("T20P".into()),
            ..Assignment::default()
        };
        assert_eq!(config(&a), pairs(&[("auto_provision.pnp_enable", "0")]));
        a.keep_pnp_enabled = true;
        assert_eq!(config(&a), pairs(&[]));
    }
}
