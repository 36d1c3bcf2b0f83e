//! Panasonic text provisioning ("SIP Phone Standard Format"): the device file
//! `Config<MAC>.cfg`, and the files shared by many phones, the product file `Config<MODEL>.cfg`
//! and the master file `ConfigCom.cfg`; accounts 1–6.
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
//! generated key in place instead of being appended after it. Of the three files, the device
//! (standard) file wins over the product and master files (PAN p.47).
//!
//! Keys per neutral field (`_n` = line; sources: PAN = the KX-UT/TGP/HDV admin guides,
//! FP = FusionPBX `panasonic/ut670` and `tgp550`, SAIL = aelintra/sail Panasonic templates,
//! JP = a public Japanese PBX front-end's KX-UT136 / KX-HDV330 key generators):
//!
//! | neutral | keys |
//! |---|---|
//! | provisioning URL, HTTP user / password | `CFG_STANDARD_FILE_PATH`; credentials in the URL as `scheme://user:password@host/…` (PAN HDV100 "Case 3") |
//! | resync interval | `CFG_CYCLIC="Y"`, `CFG_CYCLIC_INTVL` (minutes) (FP) |
//! | firmware URL | `FIRM_UPGRADE_ENABLE="Y"`, `FIRM_FILE_PATH` (FP, config-formats §2.7) |
//! | NTP server | `NTP_ADDR` (one server) |
//! | time zone | `TIME_ZONE` (minutes, −720…780), `DST_ENABLE`, `DST_OFFSET` (minutes), `DST_START_MONTH`, `DST_START_ORDINAL_DAY` (1–5, 5 = last), `DST_START_DAY_OF_WEEK` (0 = Sunday), `DST_START_TIME` (minutes after midnight), and the same `DST_STOP_*` (PAN TGP500, HDV130 guides; FP) |
//! | language | `DEFAULT_LANGUAGE`, a two-letter code |
//! | admin / user password | `ADMIN_ID="admin"`, `ADMIN_PASS`; `USER_ID="user"`, `USER_PASS` (FP) |
//! | VLAN | `VLAN_ENABLE="Y"`, `VLAN_ID_IP_PHONE`, `VLAN_PRI_IP_PHONE` (FP) |
//! | syslog | `SYSLOG_ADDR`, `SYSLOG_PORT` (FP); the phones have no single level key |
//! | PnP off | `SIPPNP_PROV_ENABLE="N"` (pnp-vendors §2.6, PANA-HDV) |
//! | account | `PHONE_NUMBER_n`, `DISPLAY_NAME_n`, `SIP_URI_n`, `SIP_AUTHID_n`, `SIP_PASS_n` |
//! | registrar | `SIP_RGSTR_ADDR_n`/`_PORT_n`, and the same as `SIP_PRXY_*` and `SIP_SVCDOMAIN_n` |
//! | backup registrar | `SIP_2NDRGSTR_ADDR_n`/`_PORT_n` and `SIP_2NDPROXY_ADDR_n`/`_PORT_n` (FP) |
//! | outbound proxy, transport | `SIP_OUTPROXY_ADDR_n`/`_PORT_n`, `SIP_TRANSPORT_n` (0 UDP, 1 TCP, 2 TLS) (FP, SAIL) |
//! | registration expiry, voicemail | `REG_EXPIRE_TIME_n`, `VM_NUMBER_n` (FP) |
//! | MWI | `VM_SUBSCRIBE_ENABLE` (device-wide: accounts that differ are refused) (FP) |
//! | codecs | `CODEC_ENABLEx_n` (`Y`/`N`), `CODEC_PRIORITYx_n` (1 = first), x: 0 G.722, 1 PCMA, 3 G.729A, 4 PCMU (FP ut670; the TGP `SDP_CODECx` order) |
//! | DTMF | `OUTBANDDTMF_n`: `Y` RFC 2833, `N` in-band (FP); SIP INFO is refused |
//! | SRTP | `SRTP_CONNECT_MODE_n`: `0` SRTP only, `1` SRTP or RTP (SAIL's TLS and non-TLS fragments); "disabled" is refused |
//! | keys | `FLEX_BUTTON_FACILITY_ACTp`, `FLEX_BUTTON_FACILITY_ARGp`, `FLEX_BUTTON_QUICK_DIALp`, `FLEX_BUTTON_LABELp` (p 1–24); expansion module 1 of a KX-HDV: `DSS_BUTTON_*p` (p 1–40) (FP, SAIL, JP) |
//!
//! Key actions (JP): a KX-UT line key is `X_PANASONIC_IPTEL_DN`, a KX-HDV one
//! `X_PANASONIC_IPTEL_LINE` (argument: the account); BLF is `X_PANASONIC_IPTEL_CONTACT` (UT) /
//! `X_PANASONIC_IPTEL_BLF` (HDV) with the watched extension as argument; speed dial is
//! `X_PANASONIC_IPTEL_ONETOUCH` with the number in `FLEX_BUTTON_QUICK_DIALp`. Park and DND keys
//! have no documented action and are refused. A model whose name holds `KX-UT` gets the UT
//! actions; any other model the HDV ones.
//!
//! Not enforced: the guides cap a value at 500 characters and a line at 537 bytes, and the
//! phone silently ignores longer lines. KX-TGP5xx DECT bases use another first line
//! (`# PCC Standard Format File #`) and are not this format.

use std::borrow::Cow;
use std::collections::HashSet;

use super::accounts::{account_limit, used_accounts};
use super::field::Field;
use super::file_name::{Case, hex_str, mac_file_name, mac_hex};
use super::hostport::split_host_port;
use super::keys::check_keys;
use super::url::{check_known_scheme, strict_scheme};
use super::values::{breaks_line, check_override_key, check_value, is_printable_ascii};
use super::{RenderError, RenderedFile, capped, replace_or_append};
use crate::assign::{Account, Assignment, Codec, DtmfMode, Key, KeyBank, KeyKind, SrtpMode, Transport};
use crate::device::Mac;
use crate::digits::{MAX_DIGITS, decimal, push_decimal, push_signed};
use crate::net::{bracket_ipv6, unbracket};
use crate::timezone::{Transition, Zone};

/// The vendor id in the capability table.
const VENDOR: &str = "panasonic";

/// Lines (accounts) the format addresses: "The unit supports 6 telephone lines" (KX-UT670
/// guide; FusionPBX `panasonic/ut670` writes `_1`–`_6`). Larger KX-HDV models may have more
/// (unverified); until the capability table knows, 6 is the limit.
const MAX_ACCOUNTS: usize = 6;

/// Mandatory first line, the 44-byte sequence of the guides (§2.7 syntax).
const HEADER: &str = "# Panasonic SIP Phone Standard Format File #";

/// Line end the guides require.
const EOL: &str = "\r\n";

/// Longest key the format allows (guides: "The maximum length of a parameter name is 32").
const MAX_KEY_LEN: usize = 32;

/// The master file every phone may fetch (PAN p.47).
const MASTER_FILE: &str = "ConfigCom.cfg";

/// URL of this phone's own (standard) config file (§2.7 files; PAN p.47). The phone expands
/// `{MAC}` / `{mac}` / `{MODEL}` in it itself (pnp-vendors §2.6).
const KEY_PROVISIONING_URL: &str = "CFG_STANDARD_FILE_PATH";
/// Administrator login written with [`KEY_ADMIN_PASS`] (the factory default).
const ADMIN_ID: &str = "admin";
const KEY_ADMIN_PASS: &str = "ADMIN_PASS";
/// User login written with the user password (the factory default).
const USER_ID: &str = "user";
/// SIP Plug-and-Play at boot (pnp-vendors §2.6, KX-HDV guide); `N` = off. Panasonic writes all
/// its switches as `Y`/`N` (`PROVISION_ENABLE`, `OPTION66_ENABLE`, UTG `SIPPNP_ENABLE`).
const KEY_PNP: &str = "SIPPNP_PROV_ENABLE";

/// `TIME_ZONE` range in minutes (PAN TGP500 guide: −720 to 780).
const TIME_ZONE_MINUTES: std::ops::RangeInclusive<i32> = -720..=780;
/// `DST_OFFSET` range in minutes (PAN HDV130 guide: 0–720).
const DST_OFFSET_MINUTES: std::ops::RangeInclusive<i32> = 1..=720;

/// ISO 639-1 codes written as `DEFAULT_LANGUAGE`.
const LANGUAGES: [&str; 10] = ["en", "de", "fr", "es", "it", "nl", "pt", "ru", "pl", "sv"];

/// Codec index `x` of `CODEC_ENABLEx_n` / `CODEC_PRIORITYx_n` per codec.
const CODECS: [(Codec, u8); 4] = [(Codec::G722, 0), (Codec::Pcma, 1), (Codec::G729, 3), (Codec::Pcmu, 4)];

/// Flexible buttons (FLEX_BUTTON_*1–24) and KX-HDV20 console keys (DSS_BUTTON_*1–40).
const FLEX_BUTTONS: u16 = 24;
const DSS_BUTTONS: u16 = 40;

/// Schemes the phone can fetch its config with (pnp-vendors §2.6: tftp, http, https, ftp),
/// compared case-insensitively.
const URL_SCHEMES: [&str; 4] = ["http", "https", "tftp", "ftp"];

/// Renders `Config<MAC>.cfg` (MAC in upper case) for `a`.
///
/// Globals come first (provisioning, firmware, time, language, logins, network, MWI, and PnP
/// off unless kept on), then accounts 1–6 in order, then the keys; only values that are
/// present are written (transport always, for each account present). An entirely empty
/// account is skipped, and the label has no Panasonic key and is not written. Overrides
/// replace a generated key's value in place, or are appended in their given order.
///
/// A provisioning URL ending in `/` (or with no path at all) names a directory: the file name
/// `Config<MAC>.cfg` is appended, with the MAC written out. Any other URL is written as given,
/// so it may carry the phone's own macros (`…/Config{MAC}.cfg`).
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    check_keys(VENDOR, a.model.as_deref(), &a.keys)?;
    let mut entries = Vec::with_capacity(32 + 16 * a.accounts.len() + 4 * a.keys.len() + a.overrides.len());
    globals(a, Some(mac), &mut entries)?;
    accounts(a, &mut entries)?;
    entries.extend(key_entries(a)?);
    apply_overrides(&mut entries, &a.overrides)?;
    Ok(RenderedFile {
        file_name: file_name(mac),
        content_type: "text/plain",
        content: write(&entries)?,
    })
}

/// Renders a shared file: the master file `ConfigCom.cfg` or a product file
/// `Config<MODEL>.cfg` (`file_name` as the phone asked for it), with the globals and keys of
/// [`render`] and no accounts. A directory provisioning URL gets `Config{MAC}.cfg`, the
/// phone's own macro, since the file has no MAC. Any other name is
/// [`RenderError::UnsupportedFile`].
pub fn render_shared(file_name: &str, a: &Assignment) -> Result<RenderedFile, RenderError> {
    if !is_shared_file(file_name) {
        return Err(RenderError::UnsupportedFile(capped(file_name)));
    }
    if a.accounts.iter().any(|acct| *acct != Account::default()) {
        return Err(RenderError::AccountsInSharedFile);
    }
    check_keys(VENDOR, a.model.as_deref(), &a.keys)?;
    let mut entries = Vec::with_capacity(32 + 4 * a.keys.len() + a.overrides.len());
    globals(a, None, &mut entries)?;
    entries.extend(key_entries(a)?);
    apply_overrides(&mut entries, &a.overrides)?;
    Ok(RenderedFile {
        file_name: file_name.to_owned(),
        content_type: "text/plain",
        content: write(&entries)?,
    })
}

/// `ConfigCom.cfg`, or `Config<MODEL>.cfg` with a model name (a letter, then letters, digits
/// and `-`) that is not a MAC.
fn is_shared_file(name: &str) -> bool {
    if name == MASTER_FILE {
        return true;
    }
    let Some(model) = name.strip_prefix("Config").and_then(|rest| rest.strip_suffix(".cfg")) else {
        return false;
    };
    let is_mac = model.len() == 12 && model.bytes().all(|b| b.is_ascii_hexdigit());
    !is_mac
        && model.starts_with(|c: char| c.is_ascii_alphabetic())
        && model.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `Config<MAC>.cfg` with the MAC as 12 upper-case hex digits (§2.7 files; §6 item 2).
fn file_name(mac: Mac) -> String {
    mac_file_name("Config", mac, Case::Upper, ".cfg")
}

/// One `KEY="value"` line to write.
struct Entry<'a> {
    key: EntryKey<'a>,
    value: Value<'a>,
    field: Field<'a>,
}

/// A line's key: a name, with `_N` after it for account N's keys (`SIP_PASS_2`).
struct EntryKey<'a> {
    name: Cow<'a, str>,
    account: Option<usize>,
}

impl<'a> EntryKey<'a> {
    fn plain(name: impl Into<Cow<'a, str>>) -> EntryKey<'a> {
        EntryKey {
            name: name.into(),
            account: None,
        }
    }

    /// Appends the key to `out`.
    fn push_to(&self, out: &mut String) {
        out.push_str(&self.name);
        if let Some(index) = self.account {
            out.push('_');
            push_decimal(out, index as u64);
        }
    }

    /// Whether the key is `key`.
    fn is(&self, key: &str) -> bool {
        match self.account {
            None => self.name == key,
            Some(index) => key
                .strip_prefix(self.name.as_ref())
                .and_then(|rest| rest.strip_prefix('_'))
                .is_some_and(|digits| {
                    let mut buf = [0; MAX_DIGITS];
                    digits == decimal(index as u64, &mut buf)
                }),
        }
    }
}

/// A line's value: text, or a number written in decimal.
enum Value<'a> {
    Text(Cow<'a, str>),
    Number(i64),
}

impl<'a, T: Into<Cow<'a, str>>> From<T> for Value<'a> {
    fn from(text: T) -> Value<'a> {
        Value::Text(text.into())
    }
}

fn unsupported(field: impl Into<String>) -> RenderError {
    RenderError::UnsupportedValue { field: field.into() }
}

fn yes_no(on: bool) -> &'static str {
    if on { "Y" } else { "N" }
}

/// The device-wide lines; `mac` is `None` for a shared file.
fn globals<'a>(a: &'a Assignment, mac: Option<Mac>, entries: &mut Vec<Entry<'a>>) -> Result<(), RenderError> {
    let mut push = |key: &'static str, value: Value<'a>, field| {
        entries.push(Entry {
            key: EntryKey::plain(key),
            value,
            field: Field::Global(field),
        })
    };
    if let Some(url) = a.provisioning_url.as_deref() {
        let url = standard_file_url(url, mac, a)?;
        push(KEY_PROVISIONING_URL, url.into(), "provisioning url");
    } else if a.provisioning_user.is_some() || a.provisioning_password.is_some() {
        // Panasonic has no credential keys: they only travel inside the URL.
        return Err(unsupported("provisioning user without a provisioning url"));
    }
    if let Some(minutes) = a.resync_interval_min {
        push("CFG_CYCLIC", "Y".into(), "resync interval");
        push("CFG_CYCLIC_INTVL", Value::Number(minutes.into()), "resync interval");
    }
    if let Some(url) = a.firmware_url.as_deref() {
        push("FIRM_UPGRADE_ENABLE", "Y".into(), "firmware url");
        push("FIRM_FILE_PATH", url.into(), "firmware url");
    }
    if let Some(ntp) = a.ntp_server() {
        push("NTP_ADDR", ntp.into(), "ntp server");
    }
    if let Some(zone) = a.timezone {
        time_zone_lines(&zone, |key, value| push(key, value, "timezone"))?;
    }
    if let Some(code) = a.language.as_deref() {
        push("DEFAULT_LANGUAGE", language(code)?.into(), "language");
    }
    if let Some(password) = a.admin_password.as_deref() {
        push("ADMIN_ID", ADMIN_ID.into(), "admin user");
        push(KEY_ADMIN_PASS, password.into(), "admin password");
    }
    if let Some(password) = a.user_password.as_deref() {
        push("USER_ID", USER_ID.into(), "user");
        push("USER_PASS", password.into(), "user password");
    }
    if let Some(id) = a.vlan_id {
        push("VLAN_ENABLE", "Y".into(), "vlan id");
        push("VLAN_ID_IP_PHONE", Value::Number(id.into()), "vlan id");
    }
    if let Some(priority) = a.vlan_priority {
        push("VLAN_PRI_IP_PHONE", Value::Number(priority.into()), "vlan priority");
    }
    if let Some(host) = a.syslog_host.as_deref() {
        push("SYSLOG_ADDR", host.into(), "syslog host");
    }
    if let Some(port) = a.syslog_port {
        push("SYSLOG_PORT", Value::Number(port.into()), "syslog port");
    }
    if let Some(level) = a.syslog_level {
        return Err(unsupported(format!("syslog level {level}")));
    }
    if let Some(mwi) = shared_mwi(&a.accounts)? {
        push("VM_SUBSCRIBE_ENABLE", yes_no(mwi).into(), "mwi");
    }
    if !a.keep_pnp_enabled {
        push(KEY_PNP, "N".into(), "pnp");
    }
    Ok(())
}

/// The MWI setting all accounts that set one agree on; accounts that differ are refused (the
/// phone subscribes for every line or for none).
fn shared_mwi(accounts: &[Account]) -> Result<Option<bool>, RenderError> {
    let mut seen: Option<bool> = None;
    for (i, acct) in accounts.iter().enumerate() {
        match (seen, acct.mwi) {
            (Some(a), Some(b)) if a != b => return Err(unsupported(format!("account {} mwi", i + 1))),
            (None, Some(b)) => seen = Some(b),
            _ => {}
        }
    }
    Ok(seen)
}

/// Checks the scheme, turns a directory URL into the URL of this phone's file (`{MAC}` for a
/// shared file) and puts the HTTP credentials into it.
fn standard_file_url(url: &str, mac: Option<Mac>, a: &Assignment) -> Result<String, RenderError> {
    let rest = check_scheme(url)?;
    let separator = if url.ends_with('/') {
        Some("")
    } else if !rest.contains(['/', '?', '#']) {
        Some("/")
    } else {
        None
    };
    let mut url = match separator {
        Some(separator) => directory_file_url(url, separator, mac),
        None => url.to_owned(),
    };
    let (user, password) = (a.provisioning_user.as_deref(), a.provisioning_password.as_deref());
    if user.is_none() && password.is_none() {
        return Ok(url);
    }
    let Some(user) = user else {
        return Err(unsupported("provisioning password without a provisioning user"));
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if rest[..authority_end].contains('@') {
        return Err(unsupported("provisioning user with credentials in the url"));
    }
    let mut userinfo = percent_encode(user);
    if let Some(password) = password {
        userinfo.push(':');
        userinfo.push_str(&percent_encode(password));
    }
    userinfo.push('@');
    // The scheme check found `://`: the credentials go right after it.
    let at = url.find("://").map_or(0, |i| i + 3);
    url.insert_str(at, &userinfo);
    Ok(url)
}

/// `directory`, `separator`, then the file name of `mac` (`Config{MAC}.cfg` without one), in
/// one allocation.
fn directory_file_url(directory: &str, separator: &str, mac: Option<Mac>) -> String {
    const PREFIX: &str = "Config";
    const SUFFIX: &str = ".cfg";
    let mut url = String::with_capacity(directory.len() + separator.len() + PREFIX.len() + 12 + SUFFIX.len());
    url.push_str(directory);
    url.push_str(separator);
    url.push_str(PREFIX);
    match mac {
        Some(mac) => url.push_str(hex_str(&mac_hex(mac, Case::Upper))),
        None => url.push_str("{MAC}"),
    }
    url.push_str(SUFFIX);
    url
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Accepts a URL whose scheme (the text before `://`) is one of [`URL_SCHEMES`] and returns the
/// text after `://`. Otherwise the error echoes the scheme (capped), or nothing when there is
/// no syntactically valid scheme, so no part of the path or of any credentials is echoed.
fn check_scheme(url: &str) -> Result<&str, RenderError> {
    let (scheme, rest) = strict_scheme(url)?;
    check_known_scheme(scheme, &URL_SCHEMES)?;
    Ok(rest)
}

/// `TIME_ZONE` and the `DST_*` lines of `zone`, given to `push` in order.
fn time_zone_lines(zone: &Zone, mut push: impl FnMut(&'static str, Value<'static>)) -> Result<(), RenderError> {
    let unsupported = || unsupported(format!("timezone {}", zone.name));
    let rule = zone.rule();
    let minutes = |secs: i32| (secs % 60 == 0).then_some(secs / 60);
    let std = minutes(rule.std_offset_secs)
        .filter(|m| TIME_ZONE_MINUTES.contains(m))
        .ok_or_else(unsupported)?;
    let Some(dst) = &rule.dst else {
        push("TIME_ZONE", Value::Number(std.into()));
        push("DST_ENABLE", "N".into());
        return Ok(());
    };
    let saving = minutes(dst.offset_secs - rule.std_offset_secs)
        .filter(|m| DST_OFFSET_MINUTES.contains(m))
        .ok_or_else(unsupported)?;
    // Both changes are checked before any line is given to `push`.
    let start = transition_values(dst.start).ok_or_else(unsupported)?;
    let end = transition_values(dst.end).ok_or_else(unsupported)?;
    push("TIME_ZONE", Value::Number(std.into()));
    push("DST_ENABLE", "Y".into());
    push("DST_OFFSET", Value::Number(saving.into()));
    let start_keys = [
        "DST_START_MONTH",
        "DST_START_ORDINAL_DAY",
        "DST_START_DAY_OF_WEEK",
        "DST_START_TIME",
    ];
    let end_keys = [
        "DST_STOP_MONTH",
        "DST_STOP_ORDINAL_DAY",
        "DST_STOP_DAY_OF_WEEK",
        "DST_STOP_TIME",
    ];
    for (key, value) in start_keys.into_iter().zip(start).chain(end_keys.into_iter().zip(end)) {
        push(key, Value::Number(value));
    }
    Ok(())
}

/// Month, week, weekday and time in minutes of a DST change, or `None` when Panasonic cannot
/// express it (not a month-week-day rule, or not at a whole minute of the day).
fn transition_values(change: Transition) -> Option<[i64; 4]> {
    let Transition::MonthWeekDay {
        month,
        week,
        weekday,
        time_secs,
    } = change
    else {
        return None;
    };
    let time = (time_secs % 60 == 0)
        .then_some(time_secs / 60)
        .filter(|m| (0..24 * 60).contains(m))?;
    Some([month.into(), week.into(), weekday.into(), time.into()])
}

/// The `DEFAULT_LANGUAGE` code of an ISO 639-1 code (any case).
fn language(code: &str) -> Result<&'static str, RenderError> {
    LANGUAGES
        .iter()
        .find(|iso| iso.eq_ignore_ascii_case(code))
        .copied()
        .ok_or_else(|| {
            let named = code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic());
            unsupported(if named {
                format!("language {code}")
            } else {
                "language".to_owned()
            })
        })
}

fn accounts<'a>(a: &'a Assignment, entries: &mut Vec<Entry<'a>>) -> Result<(), RenderError> {
    let max = account_limit(VENDOR, a.model.as_deref(), MAX_ACCOUNTS);
    for (index, acct) in used_accounts(&a.accounts, max)? {
        let mut push = |prefix: Cow<'static, str>, value: Value<'a>, field| {
            entries.push(Entry {
                key: EntryKey {
                    name: prefix,
                    account: Some(index),
                },
                value,
                field: Field::Account(index, field),
            })
        };
        if let Some(user) = acct.user_id.as_deref() {
            // The line's number.
            push("PHONE_NUMBER".into(), Value::from(user), "user id");
        }
        if let Some(name) = acct.display_name.as_deref() {
            push("DISPLAY_NAME".into(), Value::from(name), "display name");
        }
        if let Some(user) = acct.user_id.as_deref() {
            // User part of the phone's SIP URI.
            push("SIP_URI".into(), Value::from(user), "user id");
        }
        if let Some(auth) = acct.effective_auth_id() {
            push("SIP_AUTHID".into(), Value::from(auth), "auth id");
        }
        if let Some(password) = acct.password.as_deref() {
            push("SIP_PASS".into(), Value::from(password), "password");
        }
        // Panasonic's "proxy server" takes the calls: the registrar, as every template sets it;
        // the domain part of the SIP URI is the registrar host too, IPv6 in brackets.
        let registrar = acct.registrar_host.as_deref().map(unbracket);
        let port = acct.registrar_port;
        for (prefix, port_prefix) in [("SIP_RGSTR_ADDR", "SIP_RGSTR_PORT"), ("SIP_PRXY_ADDR", "SIP_PRXY_PORT")] {
            if let Some(host) = registrar {
                push(prefix.into(), host.into(), "registrar");
            }
            if let Some(port) = port {
                push(port_prefix.into(), Value::Number(port.into()), "registrar port");
            }
        }
        if let Some(host) = registrar {
            push("SIP_SVCDOMAIN".into(), bracket_ipv6(host).into(), "registrar");
        }
        let backup = acct.backup_registrar_host.as_deref().map(unbracket);
        if let Some(host) = backup {
            for (prefix, port_prefix) in [
                ("SIP_2NDRGSTR_ADDR", "SIP_2NDRGSTR_PORT"),
                ("SIP_2NDPROXY_ADDR", "SIP_2NDPROXY_PORT"),
            ] {
                push(prefix.into(), host.into(), "backup registrar");
                if let Some(port) = acct.backup_registrar_port {
                    push(port_prefix.into(), Value::Number(port.into()), "backup registrar");
                }
            }
        }
        // An empty proxy string is no proxy; the outbound proxy proper, IPv6 without brackets.
        let proxy = acct
            .outbound_proxy
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(split_host_port);
        if let Some((host, port)) = proxy {
            push("SIP_OUTPROXY_ADDR".into(), Value::from(host), "outbound proxy");
            if let Some(port) = port {
                push("SIP_OUTPROXY_PORT".into(), Value::Number(port.into()), "outbound proxy");
            }
        }
        push(
            "SIP_TRANSPORT".into(),
            Value::from(transport_code(acct.transport)),
            "transport",
        );
        if let Some(expires) = acct.register_expires {
            push(
                "REG_EXPIRE_TIME".into(),
                Value::Number(expires.into()),
                "register expires",
            );
        }
        if let Some(number) = acct.voicemail_number.as_deref() {
            push("VM_NUMBER".into(), Value::from(number), "voicemail number");
        }
        if !acct.codecs.is_empty() {
            for codec in &acct.codecs {
                if !CODECS.iter().any(|(c, _)| c == codec) {
                    return Err(unsupported(format!("account {index} codec {}", codec.as_str())));
                }
            }
            for (codec, x) in CODECS {
                let position = acct.codecs.iter().position(|c| *c == codec);
                push(
                    format!("CODEC_ENABLE{x}").into(),
                    yes_no(position.is_some()).into(),
                    "codecs",
                );
                if let Some(position) = position {
                    push(
                        format!("CODEC_PRIORITY{x}").into(),
                        Value::Number(position as i64 + 1),
                        "codecs",
                    );
                }
            }
        }
        match acct.dtmf {
            Some(DtmfMode::Rfc2833) => push("OUTBANDDTMF".into(), Value::from("Y"), "dtmf"),
            Some(DtmfMode::Inband) => push("OUTBANDDTMF".into(), Value::from("N"), "dtmf"),
            Some(DtmfMode::SipInfo) => return Err(unsupported(format!("account {index} dtmf sip-info"))),
            None => {}
        }
        match acct.srtp {
            Some(SrtpMode::Required) => push("SRTP_CONNECT_MODE".into(), Value::from("0"), "srtp"),
            Some(SrtpMode::Optional) => push("SRTP_CONNECT_MODE".into(), Value::from("1"), "srtp"),
            Some(SrtpMode::Disabled) => return Err(unsupported(format!("account {index} srtp disabled"))),
            None => {}
        }
    }
    Ok(())
}

/// `SIP_TRANSPORT_n` codes (FusionPBX default `0`; SAIL `panasonic.tcp` `1`, `panasonic.tls` `2`).
fn transport_code(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "0",
        Transport::Tcp => "1",
        Transport::Tls => "2",
    }
}

/// The key lines: flexible buttons for the line and programmable banks (both name the same
/// buttons), console keys for expansion module 1 of a KX-HDV.
fn key_entries(a: &Assignment) -> Result<Vec<Entry<'_>>, RenderError> {
    let ut = a
        .model
        .as_deref()
        .is_some_and(|m| m.to_ascii_uppercase().contains("KX-UT"));
    let mut entries = Vec::new();
    let mut used = HashSet::new();
    for (i, key) in a.keys.iter().enumerate() {
        let n = i + 1;
        let (button, max) = match key.bank {
            KeyBank::Line | KeyBank::Programmable => ("FLEX_BUTTON", FLEX_BUTTONS),
            KeyBank::Expansion(1) if !ut => ("DSS_BUTTON", DSS_BUTTONS),
            KeyBank::Expansion(_) => return Err(unsupported(format!("key {n} bank {}", key.bank.name()))),
        };
        if key.position == 0 || key.position > max {
            return Err(RenderError::KeyOutOfRange { key: n, max });
        }
        if !used.insert((button, key.position)) {
            return Err(unsupported(format!("key {n} position")));
        }
        entries.extend(button_lines(n, key, button, ut)?);
    }
    Ok(entries)
}

/// The lines of one button: action, argument, quick-dial number, label.
fn button_lines<'a>(n: usize, key: &'a Key, button: &str, ut: bool) -> Result<Vec<Entry<'a>>, RenderError> {
    let p = key.position;
    let value = || Cow::from(key.value.as_deref().unwrap_or(""));
    let (action, argument, quick_dial): (&str, Cow<'a, str>, Cow<'a, str>) = match key.kind {
        KeyKind::Unused => ("", Cow::from(""), Cow::from("")),
        KeyKind::Line if ut => (
            "X_PANASONIC_IPTEL_DN",
            Cow::from(key.account.to_string()),
            Cow::from(""),
        ),
        KeyKind::Line => (
            "X_PANASONIC_IPTEL_LINE",
            Cow::from(key.account.to_string()),
            Cow::from(""),
        ),
        KeyKind::Blf if ut => ("X_PANASONIC_IPTEL_CONTACT", value(), Cow::from("")),
        KeyKind::Blf => ("X_PANASONIC_IPTEL_BLF", value(), Cow::from("")),
        KeyKind::SpeedDial => ("X_PANASONIC_IPTEL_ONETOUCH", Cow::from(""), value()),
        KeyKind::Park | KeyKind::Dnd => {
            return Err(unsupported(format!("key {n} kind {}", key.kind.as_str())));
        }
    };
    let label = Cow::from(key.label.as_deref().unwrap_or(""));
    let line = |suffix: &str, value: Cow<'a, str>, what| Entry {
        key: EntryKey::plain(format!("{button}_{suffix}{p}")),
        value: Value::Text(value),
        field: Field::Key(n, what),
    };
    Ok(vec![
        line("FACILITY_ACT", Cow::from(action), "kind"),
        line("FACILITY_ARG", argument, "value"),
        line("QUICK_DIAL", quick_dial, "value"),
        line("LABEL", label, "label"),
    ])
}

/// Checks each override key, then replaces the value of an entry with the same key in place,
/// else appends. A key with a character a value could not carry either (control character,
/// `"`) is [`RenderError::ControlCharacter`] for `override N key` (N = 1-based position); any
/// other key outside `[A-Z0-9_]{1,32}` is [`RenderError::InvalidKey`].
fn apply_overrides<'a>(entries: &mut Vec<Entry<'a>>, overrides: &'a [(String, String)]) -> Result<(), RenderError> {
    for (i, (key, value)) in overrides.iter().enumerate() {
        check_override_key(i, key, cannot_carry, is_valid_key)?;
        let entry = Entry {
            key: EntryKey::plain(key),
            value: value.into(),
            field: Field::Override(key),
        };
        replace_or_append(entries, |e| e.key.is(key), entry);
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
/// Whether `value` holds a `"` or a byte outside printable ASCII, so that its characters need a
/// look.
fn needs_character_check(value: &str) -> bool {
    !is_printable_ascii(value.as_bytes(), Some(b'"'))
}

fn write(entries: &[Entry<'_>]) -> Result<Vec<u8>, RenderError> {
    let mut out = String::with_capacity(HEADER.len() + 2 * EOL.len() + entries.len() * 40);
    out.push_str(HEADER);
    out.push_str(EOL);
    for entry in entries {
        if let Value::Text(value) = &entry.value
            && needs_character_check(value)
        {
            check_value(value, entry.field, cannot_carry)?;
        }
    }
    for entry in entries {
        let start = out.len();
        entry.key.push_to(&mut out);
        debug_assert!(is_valid_key(&out[start..]), "generated keys are valid");
        out.push_str("=\"");
        match &entry.value {
            Value::Text(value) => out.push_str(value),
            Value::Number(n) => push_signed(&mut out, *n),
        }
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
    use crate::assign::{Codec, Key, KeyBank, KeyKind};
    use crate::timezone::Zone;

    const MAC: Mac = Mac([0x00, 0x80, 0xf0, 0x12, 0xab, 0xcd]);

    fn two_accounts() -> Assignment {
        let mut a = test_support::two_accounts(
            MAC,
            "[2001:db8::1]",
            "https://prov.example:8443/panasonic/",
            "Europe/Berlin",
        );
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
            "DST_ENABLE=\"Y\"",
            "DST_OFFSET=\"60\"",
            "DST_START_MONTH=\"3\"",
            "DST_START_ORDINAL_DAY=\"5\"",
            "DST_START_DAY_OF_WEEK=\"0\"",
            "DST_START_TIME=\"120\"",
            "DST_STOP_MONTH=\"10\"",
            "DST_STOP_ORDINAL_DAY=\"5\"",
            "DST_STOP_DAY_OF_WEEK=\"0\"",
            "DST_STOP_TIME=\"180\"",
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
        let place = |key: &str| base.iter().position(|(k, _)| k == key).expect("generated");
        assert_eq!(got[place("ADMIN_PASS")], ("ADMIN_PASS".into(), "new-admin".into()));
        assert_eq!(
            got[place("SIPPNP_PROV_ENABLE")],
            ("SIPPNP_PROV_ENABLE".into(), "Y".into())
        );
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
        assert_eq!(got[place("TIME_ZONE")], ("TIME_ZONE".into(), "120".into()));
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
            ("ntp server", |a| a.ntp_servers = vec!["ntp\r\n".into()]),
            ("ntp server", |a| a.ntp_servers = vec!["ntp\"".into()]),
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

    /// Every neutral field the format carries, on a KX-HDV230.
    fn every_field() -> Assignment {
        let mut a = two_accounts();
        a.model = Some("KX-HDV230".into());
        a.provisioning_user = Some("prov user".into());
        a.provisioning_password = Some("p@ss:w/rd".into());
        a.resync_interval_min = Some(1440);
        a.firmware_url = Some("http://fw.example/HDV230.fw".into());
        a.ntp_servers = vec!["ntp1.example".into(), "ntp2.example".into()];
        a.timezone = Zone::find("America/New_York");
        a.language = Some("de".into());
        a.user_password = Some("user!".into());
        a.vlan_id = Some(100);
        a.vlan_priority = Some(5);
        a.syslog_host = Some("log.example".into());
        a.syslog_port = Some(514);
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
        two.mwi = Some(true);
        two.dtmf = Some(DtmfMode::Inband);
        two.srtp = Some(SrtpMode::Required);
        a.keys = vec![
            Key {
                bank: KeyBank::Line,
                position: 1,
                kind: KeyKind::Line,
                account: 1,
                value: None,
                label: Some("Line 1".into()),
            },
            Key {
                bank: KeyBank::Programmable,
                position: 2,
                kind: KeyKind::Blf,
                account: 1,
                value: Some("204".into()),
                label: Some("Anna".into()),
            },
            Key {
                bank: KeyBank::Expansion(1),
                position: 40,
                kind: KeyKind::SpeedDial,
                account: 1,
                value: Some("0301234".into()),
                label: None,
            },
        ];
        a
    }

    #[test]
    fn golden_every_field() {
        let file = render(&every_field()).expect("renders");
        let expected = [
            "# Panasonic SIP Phone Standard Format File #",
            "CFG_STANDARD_FILE_PATH=\"https://prov%20user:p%40ss%3Aw%2Frd@prov.example:8443/panasonic/Config0080F012ABCD.cfg\"",
            "CFG_CYCLIC=\"Y\"",
            "CFG_CYCLIC_INTVL=\"1440\"",
            "FIRM_UPGRADE_ENABLE=\"Y\"",
            "FIRM_FILE_PATH=\"http://fw.example/HDV230.fw\"",
            "NTP_ADDR=\"ntp1.example\"",
            "TIME_ZONE=\"-300\"",
            "DST_ENABLE=\"Y\"",
            "DST_OFFSET=\"60\"",
            "DST_START_MONTH=\"3\"",
            "DST_START_ORDINAL_DAY=\"2\"",
            "DST_START_DAY_OF_WEEK=\"0\"",
            "DST_START_TIME=\"120\"",
            "DST_STOP_MONTH=\"11\"",
            "DST_STOP_ORDINAL_DAY=\"1\"",
            "DST_STOP_DAY_OF_WEEK=\"0\"",
            "DST_STOP_TIME=\"120\"",
            "DEFAULT_LANGUAGE=\"de\"",
            "ADMIN_ID=\"admin\"",
            "ADMIN_PASS=\"admin!\"",
            "USER_ID=\"user\"",
            "USER_PASS=\"user!\"",
            "VLAN_ENABLE=\"Y\"",
            "VLAN_ID_IP_PHONE=\"100\"",
            "VLAN_PRI_IP_PHONE=\"5\"",
            "SYSLOG_ADDR=\"log.example\"",
            "SYSLOG_PORT=\"514\"",
            "VM_SUBSCRIBE_ENABLE=\"Y\"",
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
            "SIP_2NDRGSTR_ADDR_1=\"pbx2.example\"",
            "SIP_2NDRGSTR_PORT_1=\"5064\"",
            "SIP_2NDPROXY_ADDR_1=\"pbx2.example\"",
            "SIP_2NDPROXY_PORT_1=\"5064\"",
            "SIP_OUTPROXY_ADDR_1=\"proxy.example\"",
            "SIP_OUTPROXY_PORT_1=\"5070\"",
            "SIP_TRANSPORT_1=\"0\"",
            "REG_EXPIRE_TIME_1=\"600\"",
            "VM_NUMBER_1=\"*97\"",
            "CODEC_ENABLE0_1=\"Y\"",
            "CODEC_PRIORITY0_1=\"1\"",
            "CODEC_ENABLE1_1=\"N\"",
            "CODEC_ENABLE3_1=\"N\"",
            "CODEC_ENABLE4_1=\"Y\"",
            "CODEC_PRIORITY4_1=\"2\"",
            "OUTBANDDTMF_1=\"Y\"",
            "SRTP_CONNECT_MODE_1=\"1\"",
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
            "OUTBANDDTMF_2=\"N\"",
            "SRTP_CONNECT_MODE_2=\"0\"",
            "FLEX_BUTTON_FACILITY_ACT1=\"X_PANASONIC_IPTEL_LINE\"",
            "FLEX_BUTTON_FACILITY_ARG1=\"1\"",
            "FLEX_BUTTON_QUICK_DIAL1=\"\"",
            "FLEX_BUTTON_LABEL1=\"Line 1\"",
            "FLEX_BUTTON_FACILITY_ACT2=\"X_PANASONIC_IPTEL_BLF\"",
            "FLEX_BUTTON_FACILITY_ARG2=\"204\"",
            "FLEX_BUTTON_QUICK_DIAL2=\"\"",
            "FLEX_BUTTON_LABEL2=\"Anna\"",
            "DSS_BUTTON_FACILITY_ACT40=\"X_PANASONIC_IPTEL_ONETOUCH\"",
            "DSS_BUTTON_FACILITY_ARG40=\"\"",
            "DSS_BUTTON_QUICK_DIAL40=\"0301234\"",
            "DSS_BUTTON_LABEL40=\"\"",
            "",
            "",
        ]
        .join("\r\n");
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), expected);
    }

    fn zone_lines(zone: &str) -> Result<Vec<(&'static str, String)>, RenderError> {
        let mut lines = Vec::new();
        time_zone_lines(&Zone::find(zone).expect("known zone"), |key, value| {
            let text = match value {
                Value::Text(text) => text.into_owned(),
                Value::Number(n) => n.to_string(),
            };
            lines.push((key, text));
        })?;
        Ok(lines)
    }

    #[test]
    fn timezones() {
        let values = |zone| zone_lines(zone).map(|l| l.into_iter().map(|(_, v)| v).collect::<Vec<_>>().join(" "));
        // TIME_ZONE DST_ENABLE [DST_OFFSET, start month week weekday minutes, stop …]
        for (zone, want) in [
            ("Europe/Berlin", "60 Y 60 3 5 0 120 10 5 0 180"),
            ("America/New_York", "-300 Y 60 3 2 0 120 11 1 0 120"),
            ("Australia/Lord_Howe", "630 Y 30 10 1 0 120 4 1 0 120"),
            ("Pacific/Chatham", "765 Y 60 9 5 0 165 4 1 0 225"),
            ("Asia/Kolkata", "330 N"),
            ("Asia/Kathmandu", "345 N"),
            ("UTC", "0 N"),
        ] {
            assert_eq!(values(zone), Ok(want.to_owned()), "{zone}");
        }
        let keys: Vec<&str> = zone_lines("Europe/Berlin")
            .expect("maps")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys[..3], ["TIME_ZONE", "DST_ENABLE", "DST_OFFSET"]);
        // A change before midnight or at 24:00, or an offset beyond +13:00.
        for zone in ["America/Nuuk", "America/Santiago", "Pacific/Kiritimati"] {
            assert_eq!(
                zone_lines(zone),
                Err(RenderError::UnsupportedValue {
                    field: format!("timezone {zone}")
                }),
                "{zone}"
            );
        }
    }

    #[test]
    fn languages() {
        assert_eq!(language("DE"), Ok("de"));
        assert_eq!(language("en"), Ok("en"));
        assert_eq!(language("ja"), Err(unsupported("language ja")));
        assert_eq!(language("e\n"), Err(unsupported("language")));
        let mut a = two_accounts();
        a.language = Some("xx".into());
        assert_eq!(render(&a), Err(unsupported("language xx")));
    }

    #[test]
    fn provisioning_credentials_travel_in_the_url() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            provisioning_url: Some("http://pbx/p/Config{MAC}.cfg".into()),
            provisioning_user: Some("u".into()),
            ..Assignment::default()
        };
        assert_eq!(
            config(&a),
            pairs(&[(KEY_PROVISIONING_URL, "http://u@pbx/p/Config{MAC}.cfg")])
        );
        a.provisioning_password = Some("ä b".into());
        assert_eq!(
            config(&a),
            pairs(&[(KEY_PROVISIONING_URL, "http://u:%C3%A4%20b@pbx/p/Config{MAC}.cfg")])
        );
        // A line break in a password is encoded, not written.
        a.provisioning_password = Some("x\r\ny\"".into());
        assert_eq!(
            config(&a),
            pairs(&[(KEY_PROVISIONING_URL, "http://u:x%0D%0Ay%22@pbx/p/Config{MAC}.cfg")])
        );
        let mut twice = a.clone();
        twice.provisioning_url = Some("http://v:w@pbx/".into());
        assert_eq!(
            render(&twice),
            Err(unsupported("provisioning user with credentials in the url"))
        );
        let mut no_user = a.clone();
        no_user.provisioning_user = None;
        assert_eq!(
            render(&no_user),
            Err(unsupported("provisioning password without a provisioning user"))
        );
        let mut no_url = a.clone();
        no_url.provisioning_url = None;
        assert_eq!(
            render(&no_url),
            Err(unsupported("provisioning user without a provisioning url"))
        );
        // A path that only looks like credentials is not refused.
        a.provisioning_url = Some("http://pbx/a@b/".into());
        a.provisioning_password = None;
        assert_eq!(
            config(&a),
            pairs(&[(KEY_PROVISIONING_URL, "http://u@pbx/a@b/Config0080F012ABCD.cfg")])
        );
    }

    #[test]
    fn values_the_format_cannot_express() {
        for (field, set) in [
            (
                "syslog level 3",
                (|a: &mut Assignment| a.syslog_level = Some(3)) as fn(&mut _),
            ),
            ("account 1 dtmf sip-info", |a| {
                a.accounts[0].dtmf = Some(DtmfMode::SipInfo)
            }),
            ("account 2 srtp disabled", |a| {
                a.accounts[1].srtp = Some(SrtpMode::Disabled)
            }),
            ("account 1 codec opus", |a| {
                a.accounts[0].codecs = vec![Codec::Pcmu, Codec::Opus]
            }),
            ("account 2 mwi", |a| {
                a.accounts[0].mwi = Some(true);
                a.accounts[1].mwi = Some(false);
            }),
            ("key 3 kind park", |a| {
                a.keys[2].kind = KeyKind::Park;
            }),
            ("key 3 kind dnd", |a| a.keys[2].kind = KeyKind::Dnd),
            ("key 3 bank expansion2", |a| a.keys[2].bank = KeyBank::Expansion(2)),
            ("key 2 position", |a| a.keys[1].position = 1),
        ] {
            let mut a = every_field();
            set(&mut a);
            assert_eq!(render(&a), Err(unsupported(field)), "{field}");
        }
        // KX-UT phones have no console keys.
        let mut a = every_field();
        a.model = Some("KX-UT136".into());
        assert_eq!(render(&a), Err(unsupported("key 3 bank expansion1")));
    }

    #[test]
    fn keys_by_model_line() {
        let mut a = every_field();
        a.model = Some("KX-UT670".into());
        a.keys.truncate(2);
        let got = config(&a);
        for (key, value) in [
            ("FLEX_BUTTON_FACILITY_ACT1", "X_PANASONIC_IPTEL_DN"),
            ("FLEX_BUTTON_FACILITY_ARG1", "1"),
            ("FLEX_BUTTON_FACILITY_ACT2", "X_PANASONIC_IPTEL_CONTACT"),
            ("FLEX_BUTTON_FACILITY_ARG2", "204"),
        ] {
            assert!(got.contains(&(key.to_owned(), value.to_owned())), "{key}");
        }
        // Positions beyond the buttons.
        let mut a = every_field();
        a.keys[0].position = 25;
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 1, max: 24 }));
        let mut a = every_field();
        a.keys[2].position = 41;
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 3, max: 40 }));
        let mut a = every_field();
        a.keys[0].position = 0;
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 1, max: 24 }));
        // An unused key clears its button; key values are checked like every value.
        let mut a = every_field();
        a.keys[0].kind = KeyKind::Unused;
        assert!(config(&a).contains(&("FLEX_BUTTON_FACILITY_ACT1".to_owned(), String::new())));
        let mut a = every_field();
        a.keys[1].value = Some("20\"4".into());
        assert_eq!(render(&a), control_error("key 2 value"));
        let mut a = every_field();
        a.keys[1].label = Some("A\nB".into());
        assert_eq!(render(&a), control_error("key 2 label"));
    }

    #[test]
    fn model_account_limit() {
        // The family's 6 lines for a known model; the format's 6 for an unknown one.
        for model in ["KX-HDV230", "KX-XYZ"] {
            let mut a = two_accounts();
            a.model = Some(model.into());
            a.account_mut(6).user_id = Some("106".into());
            assert!(render(&a).is_ok(), "{model}");
            a.account_mut(7).user_id = Some("107".into());
            assert_eq!(
                render(&a),
                Err(RenderError::TooManyAccounts { max: 6, got: 7 }),
                "{model}"
            );
        }
    }

    #[test]
    fn golden_shared_files() {
        let mut a = every_field();
        a.accounts.clear();
        a.keys.truncate(1);
        a.set_override("DEFAULT_LINE_SELECT", "1");
        let file = render_shared("ConfigCom.cfg", &a).expect("renders");
        assert_eq!(file.file_name, "ConfigCom.cfg");
        assert_eq!(file.content_type, "text/plain");
        let text = String::from_utf8(file.content.clone()).expect("utf-8");
        assert!(text.starts_with(
            "# Panasonic SIP Phone Standard Format File #\r\n\
             CFG_STANDARD_FILE_PATH=\"https://prov%20user:p%40ss%3Aw%2Frd@prov.example:8443/panasonic/Config{MAC}.cfg\"\r\n"
        ));
        assert!(text.ends_with(
            "SIPPNP_PROV_ENABLE=\"N\"\r\n\
             FLEX_BUTTON_FACILITY_ACT1=\"X_PANASONIC_IPTEL_LINE\"\r\n\
             FLEX_BUTTON_FACILITY_ARG1=\"1\"\r\n\
             FLEX_BUTTON_QUICK_DIAL1=\"\"\r\n\
             FLEX_BUTTON_LABEL1=\"Line 1\"\r\n\
             DEFAULT_LINE_SELECT=\"1\"\r\n\r\n"
        ));
        let got = parse(&file.content);
        assert!(!got.iter().any(|(k, _)| k.ends_with("_1") || k.starts_with("VM_")));
        assert_eq!(super::super::render_shared("panasonic", "ConfigCom.cfg", &a), Ok(file));
        let product = render_shared("ConfigKX-HDV230.cfg", &a).expect("renders");
        assert_eq!(product.file_name, "ConfigKX-HDV230.cfg");
        assert_eq!(parse(&product.content), got);
    }

    #[test]
    fn shared_file_refusals() {
        let a = Assignment::default();
        for name in [
            "Config0080F012ABCD.cfg",
            "Config.cfg",
            "ConfigCom.xml",
            "configcom.cfg",
            "Config1KX.cfg",
            "ConfigKX_HDV.cfg",
            "",
        ] {
            assert_eq!(
                render_shared(name, &a),
                Err(RenderError::UnsupportedFile(name.into())),
                "{name:?}"
            );
        }
        assert!(render_shared("ConfigKX-UT670.cfg", &a).is_ok());
        assert_eq!(
            render_shared("ConfigCom.cfg", &two_accounts()),
            Err(RenderError::AccountsInSharedFile)
        );
        let bad = Assignment {
            admin_password: Some("a\"b".into()),
            ..Assignment::default()
        };
        assert_eq!(render_shared("ConfigCom.cfg", &bad), control_error("admin password"));
    }
}
