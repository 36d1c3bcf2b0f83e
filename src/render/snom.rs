//! Snom XML settings (`<settings><phone-settings>…<functionKeys>…`), for accounts 1–12.
//!
//! Every generated setting carries `perm="R"`, so the phone's user cannot change a provisioned
//! value; account settings also carry `idx="N"` (1-based account number), function keys
//! `idx="K"` (0-based key number) and `context` (the account the key uses):
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <settings>
//!   <phone-settings>
//!     <setting_server perm="R">https://pbx.example/prov/</setting_server>
//!     <user_active idx="1" perm="R">on</user_active>
//!   </phone-settings>
//!   <functionKeys>
//!     <fkey idx="0" context="1" label="Anna" perm="R">blf &lt;sip:102@pbx.example&gt;</fkey>
//!   </functionKeys>
//! </settings>
//! ```
//!
//! **Files.** When `setting_server` names a directory (no file name), a snom phone fetches
//! `<phoneType>.htm` and `<phoneType>-<MAC>.htm` from it, e.g. `snomD785.htm` and
//! `snomD785-000413A11FA7.htm`, with the MAC in upper case (config-formats §2.3, SNA). So with
//! a known model the device's file is `snom<model>-<MAC>.htm`, the model normalised to the
//! phone type (`D785` and `snomD785` both give `snomD785`); without one it is `<MAC>.xml`, the
//! name a `setting_server` such as `https://pbx/prov/{mac}.xml` asks for (the phone expands
//! `{mac}`). The content is the same XML document either way: snom firmware reads XML settings
//! from a `.htm` file too. A model that is not ASCII letters and digits after the optional
//! `snom` prefix (it would not be a safe file name) counts as unknown. The model file
//! `snom<model>.htm` is rendered by [`render_shared`]: the same document with the device-wide
//! settings only (no accounts, no keys).
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
//! site re-points its phones (config-formats §2.3, §6 item 3; SNO).
//!
//! **Keys and their sources.** Confidence as in the research notes: \[H\] stated by two or more
//! independent sources, \[M\] one good source, \[L\] unconfirmed.
//!
//! | neutral field | snom setting | source |
//! |---|---|---|
//! | provisioning URL | `setting_server` | §2.3 \[H\] |
//! | resync interval (minutes) | `settings_refresh_timer` (seconds) | §2.3, FP D785 \[H\] |
//! | provisioning HTTP user / password | `http_client_user` / `http_client_pass` | §2.3, §3.4, FP \[H\] |
//! | firmware URL (of the XML naming the image) | `firmware_status`, `update_policy` = `auto_update` | §2.3, WZ \[M\] |
//! | NTP servers | `ntp_server` (one server: the first) | §2.3, WZ, FP \[H\] |
//! | time zone | `timezone` = snom zone code, see below | §2.3, SNF \[H\] for the key |
//! | language | `language` and `web_language` | §2.3, WZ, FP \[H\] |
//! | admin password | `admin_mode_password`, `http_user` = `admin`, `http_pass` | §2.3, WZ, FP \[H\] |
//! | user password | `webserver_user_name` = `user`, `webserver_user_password` | WZ (wazo PR #203) \[M\] |
//! | VLAN id / priority | `vlan_id` / `vlan_qos` | WZ `base.tpl` \[M\] |
//! | syslog host\[:port\] | `syslog_server` | one public template \[L\] |
//! | account enabled, label, display name | `user_active` = `on`, `user_idle_text`, `user_realname` | §2.3 \[H\] |
//! | user id, auth id, password | `user_name`, `user_pname`, `user_pass` | §2.3 \[H\] |
//! | registrar, outbound proxy, transport | `user_host`, `user_outbound` (see Transport) | §2.3 \[H\] |
//! | registration expiry | `user_expiry` (seconds) | §2.3, FP \[H\] |
//! | voicemail number | `user_mailbox` | §2.3, WZ, FP \[H\] |
//! | codecs | `codec_priority_list` = `pcmu,g722,…,telephone-event` | §2.3, WZ, FP \[H\] |
//! | DTMF | `user_dtmf_info` = `off` (RFC 2833) / `sip_info_only` | §2.3, WZ \[H\] |
//! | SRTP | `user_srtp` = `on`/`off`, `user_savp` = `optional`/`mandatory` | §2.3, WZ \[M\] |
//! | keys | `<fkey idx context label perm>TYPE VALUE</fkey>` | §2.3, WZ, FP \[H\] |
//!
//! Not expressible, so [`RenderError::UnsupportedValue`]: a backup registrar (snom has no
//! second registrar per identity; wazo spends a whole second identity on it), the MWI switch
//! (no snom setting that switches the subscription was found in the sources), in-band DTMF,
//! the iLBC and Opus codecs, the syslog level (snom's `log_level` scale is not documented in
//! the research), a language or zone outside the tables below, and function keys the model
//! cannot place (see Keys).
//!
//! **Time zone.** snom reads a zone code, `<country>[n]±<hours>` such as `GER+1`, `USA-5` or
//! `AUS+10.5`: the phone knows each code's standard offset and daylight-saving rule (snom wiki
//! `timezone`, via wazo-provd-plugins#203, which also calls `utc_offset` and `dst` internal
//! settings the phone derives from it). [`timezone_code`] maps the IANA zones whose code is
//! confirmed by two independent public code tables (city for city, offset for offset) and
//! whose rules have not changed since those tables were written; `America/Regina` = `CAN2-6`
//! comes from one report quoting snom's list. Every other zone, `UTC` among them (no code is a
//! UTC offset without daylight saving), is [`RenderError::UnsupportedValue`] rather than a
//! wrong clock.
//!
//! **Language.** [`language_name`] maps ISO 639-1 codes to the names snom's `language` and
//! `web_language` take: `en` English, `de` Deutsch, `it` Italiano (each written the same way
//! by every public template seen). Others (`fr`, `es`, `nl`, …) are spelt differently by
//! different templates (`Francais` vs `Français`, `Dutch` vs `Nederlands`) and are refused.
//!
//! **Keys.** snom has one bank of function keys, numbered from 0 (`fkey idx`): the neutral
//! `programmable` bank's position P is `idx` P−1, and expansion module M's position P follows
//! the phone's own keys when the capability table gives the model's key counts
//! (`idx` = programmable + (M−1) × keys per module + P−1); without counts an expansion key is
//! [`RenderError::UnsupportedValue`]. snom has no separate line-key bank: a `line` bank key is
//! [`RenderError::KeyOutOfRange`] (use a programmable key of kind `line`). Kinds: `line`
//! (`line`, context = the account), `blf` (`blf <sip:VALUE@registrar>` for a bare extension,
//! the URI as given otherwise), `speed-dial` (`speed VALUE`), `park` (`orbit VALUE`, only on
//! the 7xx models wazo lists: 710, 715, 720, 725, 760, D765), `dnd` (`keyevent F_DND`),
//! `unused` (`none`). The key's label is the `label` attribute.

use std::borrow::Cow;

use super::accounts::{account_limit, used_accounts};
use super::family::exact_family;
use super::field::Field;
use super::file_name::{Case, mac_file_name};
use super::hostport;
use super::keys::check_keys;
use super::url::{check_known_scheme, split_scheme};
use super::values::check_value;
use super::xml::XmlWriter;
use super::{RenderError, RenderedFile, capped, replace_or_append};
use crate::assign::{Account, Assignment, Codec, DtmfMode, Key, KeyBank, KeyKind, SrtpMode, Transport};
use crate::device::Mac;
use crate::digits::{MAX_DIGITS, decimal};
use crate::timezone::Zone;

/// Canonical vendor id, for the capability table.
const VENDOR: &str = "snom";

/// Accounts (identities) the largest snom desk phones (D7xx) have: the format's limit.
const MAX_ACCOUNTS: usize = 12;

/// `perm` value of every generated setting: read-only for the phone's user.
const PERM_READ_ONLY: &str = "R";

/// User name for the web interface, set together with the admin password.
const ADMIN_USER: &str = "admin";

/// User name of the web interface's user mode, set together with the user password.
const WEB_USER: &str = "user";

/// Provisioning sources a provisioned phone still consults at boot: DHCP only (no PnP, no
/// redirection service).
const PROVISIONING_ORDER_WITHOUT_PNP: &str = "dhcp:stop";

/// `update_policy` when a firmware URL is given: fetch and install firmware without asking.
const UPDATE_POLICY_AUTO: &str = "auto_update";

/// Provisioning URL schemes snom phones fetch settings over.
const URL_SCHEMES: [&str; 4] = ["http", "https", "tftp", "ftp"];

/// The payload name that ends every `codec_priority_list` (RFC 2833 events), as wazo and
/// FusionPBX write it.
const TELEPHONE_EVENT: &str = "telephone-event";

/// Models whose park key type is `orbit` (wazo `common.py`); other models have none.
const ORBIT_MODELS: [&str; 6] = ["710", "715", "720", "725", "760", "D765"];

/// IANA zone → snom zone code. Each code is confirmed city for city and offset for offset by
/// two public code tables (a snom settings UI's zone list and a provisioning tool's zone table
/// with offsets in seconds), except `CAN2-6`, which comes from a report quoting snom's list.
/// Zones whose rules changed after those tables were written (Mexico, Brazil's DST, Russia,
/// Turkey, Jordan, Syria, Iran, Namibia, Kazakhstan, Greenland, Paraguay, Chile, Venezuela,
/// the Falklands, Egypt) and codes whose label or offset disagree (`KOR+8`, `CHN+7`) are left
/// out on purpose. Aliases (links) are listed next to their zone.
const TIMEZONE_CODES: &[(&str, &str)] = &[
    ("America/Anchorage", "USA-9"),
    ("US/Alaska", "USA-9"),
    ("America/Los_Angeles", "USA-8"),
    ("US/Pacific", "USA-8"),
    ("America/Vancouver", "CAN-8"),
    ("Canada/Pacific", "CAN-8"),
    ("America/Denver", "USA-7"),
    ("US/Mountain", "USA-7"),
    ("America/Edmonton", "CAN-7"),
    ("Canada/Mountain", "CAN-7"),
    ("America/Chicago", "USA-6"),
    ("US/Central", "USA-6"),
    ("America/Winnipeg", "CAN-6"),
    ("Canada/Central", "CAN-6"),
    ("America/Regina", "CAN2-6"),
    ("Canada/Saskatchewan", "CAN2-6"),
    ("America/New_York", "USA-5"),
    ("US/Eastern", "USA-5"),
    ("America/Toronto", "CAN-5"),
    ("America/Montreal", "CAN-5"),
    ("Canada/Eastern", "CAN-5"),
    ("America/Nassau", "BHS-5"),
    ("America/Halifax", "CAN-4"),
    ("Canada/Atlantic", "CAN-4"),
    ("Atlantic/Bermuda", "BMU-4"),
    ("America/Port_of_Spain", "TTB-4"),
    ("America/St_Johns", "CAN-3.5"),
    ("Canada/Newfoundland", "CAN-3.5"),
    ("America/Sao_Paulo", "BRA2-3"),
    ("America/Noronha", "BRA-2"),
    ("Atlantic/Azores", "PRT-1"),
    ("Atlantic/Faroe", "FRO-0"),
    ("Europe/Dublin", "IRL-0"),
    ("Europe/Lisbon", "PRT-0"),
    ("Atlantic/Madeira", "PRT-0"),
    ("Atlantic/Canary", "ESP-0"),
    ("Europe/London", "GBR-0"),
    ("Europe/Tirane", "ALB+1"),
    ("Europe/Vienna", "AUT+1"),
    ("Europe/Brussels", "BEL+1"),
    ("Europe/Zagreb", "HRV+1"),
    ("Europe/Prague", "CZE+1"),
    ("Europe/Copenhagen", "DNK+1"),
    ("Europe/Paris", "FRA+1"),
    ("Europe/Berlin", "GER+1"),
    ("Europe/Budapest", "HUN+1"),
    ("Europe/Rome", "ITA+1"),
    ("Europe/Luxembourg", "LUX+1"),
    ("Europe/Skopje", "MAK+1"),
    ("Europe/Amsterdam", "NLD+1"),
    ("Europe/Oslo", "NOR+1"),
    ("Europe/Warsaw", "POL+1"),
    ("Europe/Bratislava", "SVK+1"),
    ("Europe/Madrid", "ESP+1"),
    ("Europe/Stockholm", "SWE+1"),
    ("Europe/Zurich", "CHE+1"),
    ("Europe/Gibraltar", "GIB+1"),
    ("Europe/Belgrade", "YUG+1"),
    ("Africa/Lagos", "WAT+1"),
    ("Europe/Sofia", "BGR+2"),
    ("Asia/Nicosia", "CYP+2"),
    ("Europe/Nicosia", "CYP+2"),
    ("Africa/Maputo", "CAT+2"),
    ("Europe/Tallinn", "EST+2"),
    ("Europe/Helsinki", "FIN+2"),
    ("Europe/Athens", "GRC+2"),
    ("Europe/Riga", "LVA+2"),
    ("Europe/Chisinau", "MDA+2"),
    ("Europe/Bucharest", "ROU+2"),
    ("Europe/Kyiv", "UKR+2"),
    ("Europe/Kiev", "UKR+2"),
    ("Africa/Nairobi", "EAT+3"),
    ("Asia/Karachi", "PAK+5"),
    ("Asia/Kolkata", "IND+5.5"),
    ("Asia/Calcutta", "IND+5.5"),
    ("Asia/Bangkok", "THA+7"),
    ("Asia/Singapore", "SGP+8"),
    ("Australia/Perth", "AUS+8"),
    ("Asia/Tokyo", "JPN+9"),
    ("Australia/Adelaide", "AUS+9.5"),
    ("Australia/Darwin", "AUS2+9.5"),
    ("Australia/Sydney", "AUS+10"),
    ("Australia/Melbourne", "AUS+10"),
    ("Australia/Canberra", "AUS+10"),
    ("Australia/Brisbane", "AUS2+10"),
    ("Australia/Hobart", "AUS3+10"),
    ("Australia/Lord_Howe", "AUS+10.5"),
    ("Pacific/Noumea", "NCL+11"),
    ("Pacific/Auckland", "NZL+12"),
    ("Pacific/Chatham", "NZL+12.75"),
    ("Pacific/Tongatapu", "TON+13"),
];

/// ISO 639-1 code → the name snom's `language` and `web_language` take.
const LANGUAGES: [(&str, &str); 3] = [("en", "English"), ("de", "Deutsch"), ("it", "Italiano")];

/// The snom zone code of `zone`, if the table confirms one.
pub fn timezone_code(zone: &Zone) -> Option<&'static str> {
    TIMEZONE_CODES
        .iter()
        .find(|(name, _)| *name == zone.name)
        .map(|&(_, code)| code)
}

/// The snom language name of the ISO 639-1 `code` (any case), if the table confirms one.
pub fn language_name(code: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(iso, _)| iso.eq_ignore_ascii_case(code))
        .map(|&(_, name)| name)
}

/// Renders the snom settings document of the device `a` describes.
///
/// Globals come first (provisioning, firmware, time, language, passwords, network, then
/// `pnp_config` and `provisioning_order` unless PnP is kept on), then accounts 1–12 (up to the
/// model's own count where the capability table knows it), each with only the values that are
/// present (`user_active` = `on` always, for each account present; an entirely empty account
/// is skipped), then the function keys. Overrides are plain setting names (no `idx`): one
/// replaces the generated setting of the same name in place (only globals can match, account
/// settings carry an `idx`), or is appended in the given order; overrides get `perm="R"` too.
///
/// Errors: no MAC ([`RenderError::MissingMac`]), a provisioning or firmware URL whose scheme is
/// not http, https, tftp or ftp, or which has no scheme ([`RenderError::InvalidUrl`], echoing
/// the scheme, empty when there is none), more accounts than the model has, a key beyond the
/// model's bank ([`RenderError::KeyOutOfRange`]), a value snom cannot express
/// ([`RenderError::UnsupportedValue`], see the module docs), an override key that is not an
/// XML name, a control character in any value.
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    check_keys(VENDOR, a.model.as_deref(), &a.keys)?;
    let limit = account_limit(VENDOR, a.model.as_deref(), MAX_ACCOUNTS);
    let mut settings = Vec::with_capacity(24 + 16 * a.accounts.len() + a.overrides.len());
    globals(a, &mut settings)?;
    accounts(&a.accounts, limit, &mut settings)?;
    apply_overrides(&mut settings, &a.overrides);
    let keys = function_keys(a)?;
    Ok(RenderedFile {
        file_name: file_name(mac, a.model.as_deref()),
        content_type: "application/xml",
        content: document(&settings, &keys)?,
    })
}

/// Renders the model file `snom<model>.htm` (as the phone asked for it): the device-wide
/// settings of `a` (provisioning, firmware, time, language, passwords, network, PnP off,
/// overrides), for every phone of the model.
///
/// Errors: a file name that is not `snom<model>.htm` with a model of ASCII letters and digits
/// ([`RenderError::UnsupportedFile`]), keys ([`RenderError::UnsupportedValue`] `keys`: they
/// belong to one device's accounts), and the errors of [`render`] for the globals. The
/// dispatcher refuses accounts before this is called.
pub fn render_shared(file_name: &str, a: &Assignment) -> Result<RenderedFile, RenderError> {
    let is_model_file = file_name
        .strip_suffix(".htm")
        .and_then(|stem| stem.strip_prefix("snom"))
        .is_some_and(|model| !model.is_empty() && model.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !is_model_file {
        return Err(RenderError::UnsupportedFile(capped(file_name)));
    }
    if !a.keys.is_empty() {
        return Err(unsupported("keys"));
    }
    let mut settings = Vec::with_capacity(24 + a.overrides.len());
    globals(a, &mut settings)?;
    apply_overrides(&mut settings, &a.overrides);
    Ok(RenderedFile {
        file_name: file_name.to_owned(),
        content_type: "application/xml",
        content: document(&settings, &[])?,
    })
}

/// The `<settings>` document: `<phone-settings>`, then `<functionKeys>` when there are keys.
fn document(settings: &[Setting<'_>], keys: &[FunctionKey]) -> Result<Vec<u8>, RenderError> {
    let mut doc = XmlWriter::with_capacity(512 + 64 * settings.len() + 96 * keys.len());
    doc.open("settings", &[])?;
    doc.open("phone-settings", &[])?;
    let mut digits = [0; MAX_DIGITS];
    for setting in settings {
        match setting.idx {
            Some(idx) => {
                let idx = decimal(idx as u64, &mut digits);
                let attributes = [("idx", idx), ("perm", PERM_READ_ONLY)];
                doc.text_element_with_attributes(setting.name, &attributes, &setting.value, setting.field)?;
            }
            None => {
                let attributes = [("perm", PERM_READ_ONLY)];
                doc.text_element_with_attributes(setting.name, &attributes, &setting.value, setting.field)?;
            }
        }
    }
    doc.close();
    if !keys.is_empty() {
        doc.open("functionKeys", &[])?;
        for key in keys {
            let idx = key.idx.to_string();
            let mut attributes = vec![("idx", idx.as_str()), ("context", key.context.as_str())];
            if let Some(label) = key.label.as_deref() {
                // Checked here so the error names the key (the writer would name the attribute).
                check_value(label, format_args!("key {} label", key.number), |c| {
                    c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}')
                })?;
                attributes.push(("label", label));
            }
            attributes.push(("perm", PERM_READ_ONLY));
            let field = format!("key {} value", key.number);
            doc.text_element_with_attributes("fkey", &attributes, &key.value, field)?;
        }
    }
    Ok(doc.finish())
}

/// `snom<model>-<MAC>.htm` for a usable model, else `<MAC>.xml`.
fn file_name(mac: Mac, model: Option<&str>) -> String {
    match model.and_then(phone_type) {
        Some(phone_type) => format!("{phone_type}-{}.htm", mac.to_upper_hex()),
        None => mac_file_name("", mac, Case::Upper, ".xml"),
    }
}

/// The snom phone type for `model`: `snom` + the model without any `snom` prefix (any case),
/// when that rest is non-empty ASCII letters and digits.
fn phone_type(model: &str) -> Option<String> {
    let rest = strip_snom(model);
    let usable = !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric());
    usable.then(|| format!("snom{rest}"))
}

/// `model` without a leading `snom` (any case).
fn strip_snom(model: &str) -> &str {
    match model.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("snom") => &model[4..],
        _ => model,
    }
}

/// [`RenderError::UnsupportedValue`] for `field`.
fn unsupported(field: impl Into<String>) -> RenderError {
    RenderError::UnsupportedValue { field: field.into() }
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

fn globals<'a>(a: &'a Assignment, settings: &mut Vec<Setting<'a>>) -> Result<(), RenderError> {
    if let Some(url) = a.provisioning_url.as_deref() {
        check_url_scheme(url)?;
        settings.push(global("setting_server", url, "provisioning url"));
    }
    if let Some(minutes) = a.resync_interval_min {
        let seconds = u64::from(minutes) * 60;
        settings.push(global("settings_refresh_timer", seconds.to_string(), "resync interval"));
    }
    if let Some(user) = a.provisioning_user.as_deref() {
        settings.push(global("http_client_user", user, "provisioning user"));
    }
    if let Some(password) = a.provisioning_password.as_deref() {
        settings.push(global("http_client_pass", password, "provisioning password"));
    }
    if let Some(url) = a.firmware_url.as_deref() {
        check_url_scheme(url)?;
        settings.push(global("firmware_status", url, "firmware url"));
        settings.push(global("update_policy", UPDATE_POLICY_AUTO, "firmware url"));
    }
    if let Some(ntp) = a.ntp_server() {
        settings.push(global("ntp_server", ntp, "ntp server"));
    }
    if let Some(zone) = a.timezone {
        let code = timezone_code(&zone).ok_or_else(|| unsupported(format!("timezone {}", zone.name)))?;
        settings.push(global("timezone", code, "timezone"));
    }
    if let Some(language) = a.language.as_deref() {
        let name = language_name(language).ok_or_else(|| unsupported(format!("language {}", capped(language))))?;
        settings.push(global("language", name, "language"));
        settings.push(global("web_language", name, "language"));
    }
    if let Some(password) = a.admin_password.as_deref() {
        settings.push(global("admin_mode_password", password, "admin password"));
        settings.push(global("http_user", ADMIN_USER, "admin user"));
        settings.push(global("http_pass", password, "admin password"));
    }
    if let Some(password) = a.user_password.as_deref() {
        settings.push(global("webserver_user_name", WEB_USER, "user password"));
        settings.push(global("webserver_user_password", password, "user password"));
    }
    if let Some(id) = a.vlan_id {
        settings.push(global("vlan_id", id.to_string(), "vlan id"));
    }
    if let Some(priority) = a.vlan_priority {
        settings.push(global("vlan_qos", priority.to_string(), "vlan priority"));
    }
    if a.syslog_level.is_some() {
        return Err(unsupported("syslog level"));
    }
    match (a.syslog_host.as_deref(), a.syslog_port) {
        (Some(host), port) => {
            let server = crate::net::join_host_port(host, port);
            settings.push(global("syslog_server", server, "syslog host"));
        }
        (None, Some(_)) => return Err(unsupported("syslog port without a syslog host")),
        (None, None) => {}
    }
    if !a.keep_pnp_enabled {
        settings.push(global("pnp_config", "off", "pnp"));
        settings.push(global("provisioning_order", PROVISIONING_ORDER_WITHOUT_PNP, "pnp"));
    }
    Ok(())
}

/// Accepts `scheme://…` with a scheme of [`URL_SCHEMES`] (any case); the URL is written as it
/// is, so `{mac}` placeholders reach the phone.
fn check_url_scheme(url: &str) -> Result<(), RenderError> {
    let scheme = split_scheme(url).map_or("", |(scheme, _)| scheme);
    check_known_scheme(scheme, &URL_SCHEMES)
}

fn accounts<'a>(accounts: &'a [Account], limit: usize, settings: &mut Vec<Setting<'a>>) -> Result<(), RenderError> {
    for (index, acct) in used_accounts(accounts, limit)? {
        if acct.backup_registrar_host.is_some() || acct.backup_registrar_port.is_some() {
            return Err(unsupported(format!("account {index} backup registrar")));
        }
        if acct.mwi.is_some() {
            return Err(unsupported(format!("account {index} mwi")));
        }
        let (outbound, outbound_field) = match outbound(acct) {
            Some((value, field)) => (Some(Cow::from(value)), field),
            None => (None, "outbound proxy"),
        };
        let (srtp, savp) = srtp(acct.srtp);
        let values: [(&str, &'static str, Option<Cow<'_, str>>); 14] = [
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
            ("user_host", "registrar", hostport::registrar(acct)),
            ("user_outbound", outbound_field, outbound),
            (
                "user_expiry",
                "registration expiry",
                acct.register_expires.map(|s| Cow::from(s.to_string())),
            ),
            (
                "user_mailbox",
                "voicemail number",
                acct.voicemail_number.as_deref().map(Cow::from),
            ),
            (
                "codec_priority_list",
                "codecs",
                codec_list(index, &acct.codecs)?.map(Cow::from),
            ),
            ("user_dtmf_info", "dtmf", dtmf(index, acct.dtmf)?.map(Cow::from)),
            ("user_srtp", "srtp", srtp.map(Cow::from)),
            ("user_savp", "srtp", savp.map(Cow::from)),
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
    Ok(())
}

/// `codec_priority_list`: the codecs in order, then `telephone-event`; `None` for an empty list
/// (the phone's default). iLBC and Opus are not in snom's list of names.
fn codec_list(index: usize, codecs: &[Codec]) -> Result<Option<String>, RenderError> {
    if codecs.is_empty() {
        return Ok(None);
    }
    let mut names = Vec::with_capacity(codecs.len() + 1);
    for &codec in codecs {
        let name = match codec {
            Codec::Pcmu => "pcmu",
            Codec::Pcma => "pcma",
            Codec::G722 => "g722",
            Codec::G729 => "g729",
            Codec::G726_32 => "g726-32",
            Codec::G723 => "g723",
            Codec::Ilbc | Codec::Opus => {
                return Err(unsupported(format!("account {index} codec {}", codec.as_str())));
            }
        };
        names.push(name);
    }
    names.push(TELEPHONE_EVENT);
    Ok(Some(names.join(",")))
}

/// `user_dtmf_info`: `off` sends RTP events (RFC 2833), `sip_info_only` SIP INFO; snom has no
/// in-band-only mode.
fn dtmf(index: usize, mode: Option<DtmfMode>) -> Result<Option<&'static str>, RenderError> {
    match mode {
        None => Ok(None),
        Some(DtmfMode::Rfc2833) => Ok(Some("off")),
        Some(DtmfMode::SipInfo) => Ok(Some("sip_info_only")),
        Some(DtmfMode::Inband) => Err(unsupported(format!("account {index} dtmf inband"))),
    }
}

/// `user_srtp` and `user_savp`: off; on and optional; on and mandatory.
fn srtp(mode: Option<SrtpMode>) -> (Option<&'static str>, Option<&'static str>) {
    match mode {
        None => (None, None),
        Some(SrtpMode::Disabled) => (Some("off"), None),
        Some(SrtpMode::Optional) => (Some("on"), Some("optional")),
        Some(SrtpMode::Required) => (Some("on"), Some("mandatory")),
    }
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

/// One `<fkey idx context label perm>value</fkey>` to write.
struct FunctionKey {
    /// 1-based index of the key in the assignment, for errors.
    number: usize,
    idx: u32,
    context: String,
    label: Option<String>,
    value: String,
}

/// The function keys of `a`, in the assignment's order.
fn function_keys(a: &Assignment) -> Result<Vec<FunctionKey>, RenderError> {
    let mut keys: Vec<FunctionKey> = Vec::with_capacity(a.keys.len());
    for (i, key) in a.keys.iter().enumerate() {
        let number = i + 1;
        let idx = fkey_idx(a.model.as_deref(), number, key)?;
        if keys.iter().any(|k| k.idx == idx) {
            return Err(unsupported(format!("key {number} position (taken by an earlier key)")));
        }
        let context = match key.account {
            0 => "active".to_owned(),
            n => n.to_string(),
        };
        keys.push(FunctionKey {
            number,
            idx,
            context,
            label: key.label.clone(),
            value: fkey_value(a, number, key)?,
        });
    }
    Ok(keys)
}

/// The 0-based `fkey idx` of `key` (see the module docs).
fn fkey_idx(model: Option<&str>, number: usize, key: &Key) -> Result<u32, RenderError> {
    if key.position == 0 {
        return Err(RenderError::KeyOutOfRange { key: number, max: 0 });
    }
    let position = u32::from(key.position) - 1;
    match key.bank {
        KeyBank::Programmable => Ok(position),
        KeyBank::Line => Err(RenderError::KeyOutOfRange { key: number, max: 0 }),
        KeyBank::Expansion(module) => {
            let banks = exact_family(VENDOR, model)
                .and_then(|found| found.model)
                .map(|m| m.keys);
            match banks.and_then(|b| Some((b.programmable?, b.expansion?))) {
                Some((own, expansion)) if module >= 1 => {
                    Ok(u32::from(own) + (u32::from(module) - 1) * u32::from(expansion.keys_per_module) + position)
                }
                _ => Err(unsupported(format!("key {number} bank {}", key.bank.name()))),
            }
        }
    }
}

/// The `fkey` text of `key`: `TYPE VALUE` (see the module docs).
fn fkey_value(a: &Assignment, number: usize, key: &Key) -> Result<String, RenderError> {
    let value = || {
        key.value
            .as_deref()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| unsupported(format!("key {number} without a value")))
    };
    Ok(match key.kind {
        KeyKind::Unused => "none".to_owned(),
        KeyKind::Line => "line".to_owned(),
        KeyKind::Dnd => "keyevent F_DND".to_owned(),
        KeyKind::SpeedDial => format!("speed {}", value()?),
        KeyKind::Blf => format!("blf {}", blf_uri(a, key, value()?)),
        KeyKind::Park => {
            let orbit = a
                .model
                .as_deref()
                .map(strip_snom)
                .is_some_and(|m| ORBIT_MODELS.iter().any(|o| o.eq_ignore_ascii_case(m)));
            if !orbit {
                return Err(unsupported(format!("key {number} kind park")));
            }
            format!("orbit {}", value()?)
        }
    })
}

/// `<sip:VALUE@registrar>` for a bare extension on an account with a registrar, `<URI>` for a
/// `sip:`/`sips:` URI, else the value as given.
fn blf_uri(a: &Assignment, key: &Key, value: &str) -> String {
    let lower = value.get(..5).map(str::to_ascii_lowercase).unwrap_or_default();
    if lower.starts_with("sip:") || lower.starts_with("sips:") {
        return format!("<{value}>");
    }
    let registrar = usize::from(key.account)
        .checked_sub(1)
        .and_then(|i| a.accounts.get(i))
        .and_then(|acct| acct.registrar_host.as_deref());
    match registrar {
        Some(host) if !value.contains('@') => {
            format!("<sip:{value}@{}>", crate::net::join_host_port(host, None))
        }
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support;
    use super::super::xml::{Node, parse};
    use super::*;
    use crate::capabilities;

    const MAC: Mac = Mac([0x00, 0x04, 0x13, 0xa1, 0x1f, 0xa7]);

    fn two_accounts() -> Assignment {
        Assignment {
            model: Some("D785".into()),
            ..test_support::two_accounts(
                MAC,
                "2001:db8::1",
                "https://prov.example:8443/snom/{mac}.xml",
                "Europe/Berlin",
            )
        }
    }

    /// [`two_accounts`] with every other neutral field set as well.
    fn every_field() -> Assignment {
        let mut a = two_accounts();
        a.resync_interval_min = Some(60);
        a.provisioning_user = Some("prov".into());
        a.provisioning_password = Some("provpw".into());
        a.firmware_url = Some("https://fw.example/snomD785-firmware.xml".into());
        a.ntp_servers = vec!["ntp1.example".into(), "ntp2.example".into()];
        a.timezone = Zone::find("America/New_York");
        a.language = Some("de".into());
        a.user_password = Some("userpw".into());
        a.vlan_id = Some(20);
        a.vlan_priority = Some(5);
        a.syslog_host = Some("log.example".into());
        a.syslog_port = Some(5514);
        let one = &mut a.accounts[0];
        one.register_expires = Some(600);
        one.voicemail_number = Some("*97".into());
        one.codecs = vec![Codec::G722, Codec::Pcma, Codec::Pcmu, Codec::G729];
        one.dtmf = Some(DtmfMode::SipInfo);
        one.srtp = Some(SrtpMode::Required);
        let two = &mut a.accounts[1];
        two.dtmf = Some(DtmfMode::Rfc2833);
        two.srtp = Some(SrtpMode::Optional);
        for (i, (kind, value)) in [
            (KeyKind::Line, None),
            (KeyKind::Blf, Some("102")),
            (KeyKind::SpeedDial, Some("*97")),
            (KeyKind::Dnd, None),
            (KeyKind::Unused, None),
        ]
        .into_iter()
        .enumerate()
        {
            let key = a.key_mut(i + 1);
            key.kind = kind;
            key.value = value.map(str::to_owned);
        }
        a.keys[1].label = Some("Anna & Co".into());
        a.keys[3].account = 2;
        a
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

    /// The `<fkey>` elements as (attributes, text).
    fn fkeys(a: &Assignment) -> Vec<(Vec<(String, String)>, String)> {
        nodes(a)
            .into_iter()
            .filter(|n| n.path == "settings/functionKeys/fkey")
            .map(|n| (n.attributes, n.text))
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

    fn unsupported_err(field: &str) -> Result<RenderedFile, RenderError> {
        Err(RenderError::UnsupportedValue { field: field.into() })
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

    /// Every neutral field snom can carry, written by hand from the key table in the module
    /// docs (§2.3, WZ, FP).
    #[test]
    fn golden_every_field() {
        let file = render(&every_field()).expect("renders");
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<settings>
  <phone-settings>
    <setting_server perm="R">https://prov.example:8443/snom/{mac}.xml</setting_server>
    <settings_refresh_timer perm="R">3600</settings_refresh_timer>
    <http_client_user perm="R">prov</http_client_user>
    <http_client_pass perm="R">provpw</http_client_pass>
    <firmware_status perm="R">https://fw.example/snomD785-firmware.xml</firmware_status>
    <update_policy perm="R">auto_update</update_policy>
    <ntp_server perm="R">ntp1.example</ntp_server>
    <timezone perm="R">USA-5</timezone>
    <language perm="R">Deutsch</language>
    <web_language perm="R">Deutsch</web_language>
    <admin_mode_password perm="R">admin!</admin_mode_password>
    <http_user perm="R">admin</http_user>
    <http_pass perm="R">admin!</http_pass>
    <webserver_user_name perm="R">user</webserver_user_name>
    <webserver_user_password perm="R">userpw</webserver_user_password>
    <vlan_id perm="R">20</vlan_id>
    <vlan_qos perm="R">5</vlan_qos>
    <syslog_server perm="R">log.example:5514</syslog_server>
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
    <user_expiry idx="1" perm="R">600</user_expiry>
    <user_mailbox idx="1" perm="R">*97</user_mailbox>
    <codec_priority_list idx="1" perm="R">g722,pcma,pcmu,g729,telephone-event</codec_priority_list>
    <user_dtmf_info idx="1" perm="R">sip_info_only</user_dtmf_info>
    <user_srtp idx="1" perm="R">on</user_srtp>
    <user_savp idx="1" perm="R">mandatory</user_savp>
    <user_active idx="2" perm="R">on</user_active>
    <user_name idx="2" perm="R">102</user_name>
    <user_pname idx="2" perm="R">102</user_pname>
    <user_pass idx="2" perm="R">pw102</user_pass>
    <user_host idx="2" perm="R">[2001:db8::1]</user_host>
    <user_outbound idx="2" perm="R">[2001:db8::1];transport=tls</user_outbound>
    <user_dtmf_info idx="2" perm="R">off</user_dtmf_info>
    <user_srtp idx="2" perm="R">on</user_srtp>
    <user_savp idx="2" perm="R">optional</user_savp>
  </phone-settings>
  <functionKeys>
    <fkey idx="0" context="1" perm="R">line</fkey>
    <fkey idx="1" context="1" label="Anna &amp; Co" perm="R">blf &lt;sip:102@pbx.example&gt;</fkey>
    <fkey idx="2" context="1" perm="R">speed *97</fkey>
    <fkey idx="3" context="2" perm="R">keyevent F_DND</fkey>
    <fkey idx="4" context="1" perm="R">none</fkey>
  </functionKeys>
</settings>
"#;
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), expected);
    }

    #[test]
    fn every_field_parses_back() {
        let a = every_field();
        let got = settings(&a);
        for (name, idx, value) in [
            ("settings_refresh_timer", None, "3600"),
            ("http_client_pass", None, "provpw"),
            ("firmware_status", None, "https://fw.example/snomD785-firmware.xml"),
            ("timezone", None, "USA-5"),
            ("web_language", None, "Deutsch"),
            ("webserver_user_password", None, "userpw"),
            ("vlan_qos", None, "5"),
            ("syslog_server", None, "log.example:5514"),
            ("user_expiry", Some("1"), "600"),
            ("user_mailbox", Some("1"), "*97"),
            ("codec_priority_list", Some("1"), "g722,pcma,pcmu,g729,telephone-event"),
            ("user_savp", Some("2"), "optional"),
        ] {
            assert_eq!(value_of(&got, name, idx).as_deref(), Some(value), "{name}");
        }
        let keys = fkeys(&a);
        assert_eq!(keys.len(), 5);
        assert_eq!(keys[1].1, "blf <sip:102@pbx.example>");
        assert!(keys[1].0.contains(&("label".to_owned(), "Anna & Co".to_owned())));
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
    fn timezone_codes() {
        let code = |name: &str| timezone_code(&Zone::find(name).unwrap_or_else(|| panic!("{name}")));
        assert_eq!(code("Europe/Berlin"), Some("GER+1"));
        assert_eq!(code("America/New_York"), Some("USA-5"));
        assert_eq!(code("Asia/Kolkata"), Some("IND+5.5"));
        assert_eq!(code("Asia/Calcutta"), Some("IND+5.5"));
        assert_eq!(code("Australia/Lord_Howe"), Some("AUS+10.5"));
        assert_eq!(code("Asia/Kathmandu"), None);
        assert_eq!(code("UTC"), None);
        assert_eq!(code("Asia/Seoul"), None);

        // Every entry is a real zone whose winter offset is the code's (the lower of standard
        // and daylight time: Europe/Dublin's POSIX rule has "standard" time in summer).
        for &(name, code) in TIMEZONE_CODES {
            let zone = Zone::find(name).unwrap_or_else(|| panic!("{name} is not a zone"));
            let sign = code.find(['+', '-']).expect("signed offset");
            let hours: f64 = code[sign + 1..].parse().expect("hours");
            let hours = if &code[sign..=sign] == "-" { -hours } else { hours };
            let secs = (hours * 3600.0).round() as i32;
            let rule = zone.rule();
            let winter = rule
                .dst
                .as_ref()
                .map_or(rule.std_offset_secs, |dst| dst.offset_secs.min(rule.std_offset_secs));
            assert_eq!(secs, winter, "{name} {code}");
        }

        for (zone, field) in [("UTC", "timezone UTC"), ("Asia/Kathmandu", "timezone Asia/Kathmandu")] {
            let mut a = two_accounts();
            a.timezone = Zone::find(zone);
            assert_eq!(render(&a), unsupported_err(field));
        }
    }

    #[test]
    fn languages() {
        assert_eq!(language_name("en"), Some("English"));
        assert_eq!(language_name("DE"), Some("Deutsch"));
        assert_eq!(language_name("it"), Some("Italiano"));
        assert_eq!(language_name("fr"), None);
        assert_eq!(language_name(""), None);
        let mut a = two_accounts();
        a.language = Some("en".into());
        let got = settings(&a);
        assert_eq!(value_of(&got, "language", None).as_deref(), Some("English"));
        assert_eq!(value_of(&got, "web_language", None).as_deref(), Some("English"));
        a.language = Some("xx".into());
        assert_eq!(render(&a), unsupported_err("language xx"));
    }

    #[test]
    fn values_snom_cannot_express() {
        let cases: [(Edit, &str); 9] = [
            (
                |a| a.accounts[0].backup_registrar_host = Some("b".into()),
                "account 1 backup registrar",
            ),
            (|a| a.accounts[1].mwi = Some(true), "account 2 mwi"),
            (|a| a.accounts[0].dtmf = Some(DtmfMode::Inband), "account 1 dtmf inband"),
            (
                |a| a.accounts[0].codecs = vec![Codec::Pcmu, Codec::Opus],
                "account 1 codec opus",
            ),
            (|a| a.accounts[1].codecs = vec![Codec::Ilbc], "account 2 codec iLBC"),
            (|a| a.syslog_level = Some(7), "syslog level"),
            (|a| a.syslog_port = Some(514), "syslog port without a syslog host"),
            (
                |a| {
                    a.key_mut(1).kind = KeyKind::Park;
                    a.keys[0].value = Some("701".into());
                },
                "key 1 kind park",
            ),
            (|a| a.key_mut(2).kind = KeyKind::Blf, "key 2 without a value"),
        ];
        for (edit, field) in cases {
            let mut a = two_accounts();
            edit(&mut a);
            assert_eq!(render(&a), unsupported_err(field), "{field}");
        }
    }

    #[test]
    fn keys_banks_and_kinds() {
        // Park is `orbit` on the 7xx models wazo lists.
        let mut a = two_accounts();
        a.model = Some("snom720".into());
        a.key_mut(3).kind = KeyKind::Park;
        a.keys[2].value = Some("701".into());
        a.keys[2].label = Some("Park".into());
        let keys = fkeys(&a);
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[2].1, "orbit 701");
        assert_eq!(keys[2].0[0], ("idx".to_owned(), "2".to_owned()));

        // BLF: a URI is kept (bracketed), a bare extension gets the account's registrar.
        let mut a = two_accounts();
        a.key_mut(1).kind = KeyKind::Blf;
        a.keys[0].value = Some("sip:103@other.example".into());
        a.key_mut(2).kind = KeyKind::Blf;
        a.keys[1].value = Some("104".into());
        a.keys[1].account = 2;
        a.key_mut(3).kind = KeyKind::Blf;
        a.keys[2].value = Some("105@x".into());
        let keys = fkeys(&a);
        assert_eq!(keys[0].1, "blf <sip:103@other.example>");
        assert_eq!(keys[1].1, "blf <sip:104@[2001:db8::1]>");
        assert_eq!(keys[2].1, "blf 105@x");

        // No line bank; an expansion module needs the model's key counts.
        let mut a = two_accounts();
        a.key_mut(1).bank = KeyBank::Line;
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 1, max: 0 }));
        let mut a = two_accounts();
        a.key_mut(1).bank = KeyBank::Expansion(1);
        assert_eq!(render(&a), unsupported_err("key 1 bank expansion1"));
        let mut a = two_accounts();
        a.key_mut(1).position = 0;
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 1, max: 0 }));

        // Two keys on one position.
        let mut a = two_accounts();
        a.key_mut(1).kind = KeyKind::Line;
        a.key_mut(2).kind = KeyKind::Dnd;
        a.keys[1].position = 1;
        assert_eq!(render(&a), unsupported_err("key 2 position (taken by an earlier key)"));

        // A label with a control character names the key, not the value.
        let mut a = two_accounts();
        a.key_mut(1).label = Some("x\ny".into());
        assert_eq!(
            render(&a),
            Err(RenderError::ControlCharacter {
                field: "key 1 label".into()
            })
        );
        let mut a = two_accounts();
        a.key_mut(1).kind = KeyKind::SpeedDial;
        a.keys[0].value = Some("1\u{7}".into());
        assert_eq!(
            render(&a),
            Err(RenderError::ControlCharacter {
                field: "key 1 value".into()
            })
        );
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

        let cases: [(Edit, &str); 9] = [
            (|a| a.ntp_servers = vec!["ntp\n".into()], "ntp server"),
            (|a| a.admin_password = Some("x\u{0}".into()), "admin password"),
            (|a| a.user_password = Some("x\u{0}".into()), "user password"),
            (|a| a.provisioning_password = Some("\r".into()), "provisioning password"),
            (|a| a.accounts[0].label = Some("\u{85}".into()), "account 1 label"),
            (
                |a| a.accounts[0].outbound_proxy = Some("p\r".into()),
                "account 1 outbound proxy",
            ),
            (
                |a| a.accounts[1].registrar_host = Some("h\t".into()),
                "account 2 registrar",
            ),
            (
                |a| a.accounts[0].voicemail_number = Some("*9\n".into()),
                "account 1 voicemail number",
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
    fn format_account_limit() {
        let mut a = two_accounts();
        a.account_mut(13).user_id = Some("113".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 12, got: 13 }));
        let mut a = two_accounts();
        a.account_mut(12).user_id = Some("112".into());
        assert!(render(&a).is_ok());
        // An unknown model gets the format's limit.
        a.model = Some("X999".into());
        assert!(render(&a).is_ok());
        a.model = None;
        assert!(render(&a).is_ok());
        // Trailing empty accounts are nothing to render.
        let mut a = two_accounts();
        a.account_mut(20);
        assert_eq!(render(&a).expect("renders"), render(&two_accounts()).expect("renders"));
    }

    /// A model the capability table gives fewer accounts than the format (2, say) refuses one
    /// more; today every snom family the table counts has the format's 12, so this checks the
    /// lookup itself and the fallback for unknown models.
    #[test]
    fn per_model_account_limit() {
        for family in capabilities::FAMILIES.iter().filter(|f| f.vendor == VENDOR) {
            let Some(n) = family.max_accounts.max().filter(|&n| n < MAX_ACCOUNTS) else {
                continue;
            };
            for model in family.models.iter().filter(|m| !m.pattern.contains(['x', '*'])) {
                let mut a = two_accounts();
                a.model = Some(model.pattern.into());
                a.account_mut(n + 1).user_id = Some("over".into());
                assert_eq!(
                    render(&a),
                    Err(RenderError::TooManyAccounts { max: n, got: n + 1 }),
                    "{}",
                    model.pattern
                );
            }
        }
        assert_eq!(account_limit(VENDOR, Some("D785"), MAX_ACCOUNTS), MAX_ACCOUNTS);
        assert_eq!(account_limit(VENDOR, Some("NoSuchPhone"), MAX_ACCOUNTS), MAX_ACCOUNTS);
        assert_eq!(account_limit(VENDOR, None, MAX_ACCOUNTS), MAX_ACCOUNTS);
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
    fn shared_model_file() {
        let mut a = Assignment {
            timezone: Zone::find("Europe/Berlin"),
            ntp_servers: vec!["pool.ntp.org".into()],
            language: Some("en".into()),
            provisioning_url: Some("https://prov.example/snom/".into()),
            ..Assignment::default()
        };
        a.set_override("tone_scheme", "GER");
        let file = render_shared("snomD785.htm", &a).expect("renders");
        assert_eq!(file.file_name, "snomD785.htm");
        assert_eq!(file.content_type, "application/xml");
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<settings>
  <phone-settings>
    <setting_server perm="R">https://prov.example/snom/</setting_server>
    <ntp_server perm="R">pool.ntp.org</ntp_server>
    <timezone perm="R">GER+1</timezone>
    <language perm="R">English</language>
    <web_language perm="R">English</web_language>
    <pnp_config perm="R">off</pnp_config>
    <provisioning_order perm="R">dhcp:stop</provisioning_order>
    <tone_scheme perm="R">GER</tone_scheme>
  </phone-settings>
</settings>
"#;
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), expected);
        // Through the dispatcher, which refuses accounts.
        assert_eq!(
            super::super::render_shared("snom", "snomD785.htm", &a).expect("renders"),
            render_shared("snomD785.htm", &a).expect("renders")
        );
        let mut with_account = a.clone();
        with_account.account_mut(1).user_id = Some("101".into());
        assert_eq!(
            super::super::render_shared("snom", "snomD785.htm", &with_account),
            Err(RenderError::AccountsInSharedFile)
        );
        for name in ["snom.htm", "snomD785-000413A11FA7.htm", "D785.htm", "snomD785.xml", "x"] {
            assert_eq!(
                render_shared(name, &a),
                Err(RenderError::UnsupportedFile(name.into())),
                "{name}"
            );
        }
        let mut with_key = a.clone();
        with_key.key_mut(1).kind = KeyKind::Line;
        assert_eq!(render_shared("snomD785.htm", &with_key), unsupported_err("keys"));
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
        a.provisioning_url = None;
        a.firmware_url = Some("file:///fw.xml".into());
        assert_eq!(render(&a), Err(RenderError::InvalidUrl("file".into())));
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
        // An override wins over a generated language and time zone too.
        let mut a = every_field();
        a.set_override("timezone", "CAN-5");
        a.set_override("language", "Francais");
        let got = settings(&a);
        assert_eq!(value_of(&got, "timezone", None).as_deref(), Some("CAN-5"));
        assert_eq!(value_of(&got, "language", None).as_deref(), Some("Francais"));
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
        let a = every_field();
        assert_eq!(render(&a).expect("renders"), render(&a.clone()).expect("renders"));
    }
}
