//! Htek XML provisioning (UC9xx/UC8xx): the device file `cfg<mac>.xml` and the per-model common
//! file `cfg<code>.xml` (`cfg0010.xml` = UC926, …), both `<hl_provision>` with `<config
//! version="1">` P-values, accounts 1–6.
//!
//! The format is Grandstream-like: one element per P-value, but every element also carries a
//! descriptive `para` attribute:
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <hl_provision version="1">
//!   <config version="1">
//!     <P47 para="Account1.Sipserver">pbx.example:5060</P47>
//!     <P35 para="Account1.SipUserId">101</P35>
//!   </config>
//! </hl_provision>
//! ```
//!
//! The phone identifies a setting by its P-number; `para` is informational. The `para` names
//! here are Htek's own, as its factory configuration exports spell them (typos such as
//! `DispalyName` and `UrgrateMode` included).
//!
//! Sources, cited by tag:
//! - **WZ**: wazo-provd-plugins `wazo_htek` (`common/common.py`: `_TZ_INFO`, `_SIP_DTMF_MODE`,
//!   `_SIP_TRANSPORT`, `_gen_param_num`, key types; `v2_0_4_4_58/templates/base.tpl` and
//!   `common/model.tpl`).
//! - **FP**: FusionPBX `resources/templates/provision/htek/uc926/{$mac}.cfg` (per-account
//!   server, proxy, transport, codecs, DTMF, SRTP, MWI of accounts 1–4; line keys).
//! - **HX**: a full Htek factory export turned into a public provisioning template (the
//!   `hl_provision` file with `@switch($flavor)`): `P20165 FirmwareUpGrade.PnPActive`,
//!   `P8622 DateTime.BackUpNTPServer`, `P1360`/`P1361` config server user and password,
//!   `P194`/`P193` automatic check (default 10080 minutes), `P207`/`P208` syslog, factory
//!   `P192` `http://h-tek.com/fm`.
//! - **HG**: Htek's "UC900 Series IP Phones Provisioning" guide (request order
//!   `cfg<DeviceCode>.xml` → `cfg<MAC>` → `cfg<MAC>.xml`; the RPS factory config server path
//!   `https://rps.htek.com/index.php/fn/g`).
//! - **CF**: research `config-formats.md` §2.5.
//!
//! Confidence tags as in CF: \[H\] (two sources), \[M\] (one), \[L\] (inferred); VERIFY-HW.
//!
//! **Accounts** (explicit tables, not a formula: the P-numbers are irregular):
//!
//! | field | acct 1 | acct 2 | acct 3 | acct 4 | acct 5 | acct 6 |
//! |---|---|---|---|---|---|---|
//! | active | P271 | P401 | P501 | P601 | P20360 | P20361 |
//! | label | P20000 | P20001 | P20002 | P20003 | P20378 | P20379 |
//! | user id | P35 | P735 | P504 | P604 | P1704 | P1804 |
//! | auth id | P36 | P736 | P505 | P605 | P1705 | P1805 |
//! | password | P34 | P734 | P506 | P606 | P1706 | P1806 |
//! | display name | P3 | P703 | P507 | P607 | P1707 | P1807 |
//! | voicemail | P33 | P426 | P526 | P626 | P1726 | P1826 |
//! | server `host[:port]` | P47 | P747 | P502 | P602 | – | – |
//! | failover server | P967 | P987 | P988 | P989 | – | – |
//! | outbound proxy | P48 | P748 | P503 | P603 | – | – |
//! | transport (0 UDP, 1 TCP, 2 TLS) | P130 | P830 | P930 | P1030 | – | – |
//! | registration expiry (minutes \[L\]) | P32 | P732 | P512 | P612 | – | – |
//! | codecs, choices 1–6 | P57–P62 | P757–P762 | P551–P556 | P651–P656 | – | – |
//! | DTMF (0 RFC 2833, 1 in-band, 2 SIP INFO) | P20166 | P20167 | P20168 | P20169 | – | – |
//! | SRTP (0 off, 1 optional, 2 required \[L\]) | P183 | P443 | P543 | P643 | – | – |
//! | MWI subscription | P99 | P709 | P515 | P615 | – | – |
//!
//! Accounts 1–6 active, label, user id, auth id, password, display name and voicemail: WZ
//! \[H\] for 1–4 (FP agrees), \[M\] for 5–6. The rest: FP \[M\] (accounts 1–4; account 1's
//! P47/P48/P130 also WZ). Older firmware (WZ `v2.0.4.4.58`) calls P47/P48/P130 "profile 1" and
//! shares it between accounts; newer firmware has them per account (FP, HX). Accounts 5–6
//! have no public P-numbers for the server group: a registrar, backup registrar, outbound
//! proxy, expiry, codecs, DTMF, SRTP, MWI or non-UDP transport on them is
//! [`RenderError::UnsupportedValue`]. Codec codes (FP, WZ, same as Grandstream's): 0 PCMU,
//! 8 PCMA, 9 G722, 2 G726-32, 18 G729, 4 G723; iLBC and Opus have no confirmed code. More
//! than 6 codecs is [`RenderError::UnsupportedValue`]; fewer leave the phone's other choices
//! as they are.
//!
//! **Keys** (line keys only; WZ `_gen_param_num` and FP agree \[H\]): key K's type, value, label
//! and account are P41200+K−1, P41300+K−1, P41400+K−1, P41500+K−1 for K ≤ 4, and
//! P20200+5(K−5) +0/+1/+2/+3 for 5 ≤ K ≤ 36. Types (WZ): 0 unused, 1 line, 2 speed dial, 3 BLF,
//! 8 call park \[M\]; the account is 0-based (FP's factory default `0`) \[L\]. DND, programmable
//! keys, expansion modules and positions above 36 are [`RenderError::UnsupportedValue`].
//!
//! **Globals**: P2 admin / P196 user password (WZ, HX) \[H\]; P30 / P8622 NTP servers (WZ,
//! FP; HX) ; P64 time zone code and P75 DST (see `htek_zone`); P237 config server, P212
//! its protocol, P1360/P1361 its HTTP user and password, P194 = 1 with P193 = minutes for a
//! periodic check (HX, Grandstream's meaning) \[M\]; P192 firmware server (a directory URL; WZ
//! `{server}/firmware`, HX) \[H\]; P20165 = 0 switches PnP off (HX) \[M\]; P24053 = 1, P51 and
//! P87 for the VLAN (WZ, FP) \[M\]; P207 syslog server `host[:port]` and P208 level (HX,
//! Grandstream's codes) \[L\]. Language: P8621 (LCD) and P2525 (web) take `0` for English,
//! the factory value in HX and FP \[L\]; no other Htek language code is public, so any other
//! language is [`RenderError::UnsupportedValue`].
//!
//! **P237 gets the whole URL** (scheme included), not Grandstream's host+path: WZ writes
//! `{{ XX_server_url }}/` (with scheme) and `http://…/firmware` for P192, HX's factory P192 is
//! `http://h-tek.com/fm`, and HG's RPS factory config server path is
//! `https://rps.htek.com/index.php/fn/g`. P212 is still written (0 TFTP, 1 HTTP, 2 HTTPS:
//! Grandstream's codes, WZ's `1` with an `http://` URL \[M\]); a URL without a scheme goes to
//! P237 alone; any other scheme (`ftp` included, whose code is unknown) is
//! [`RenderError::InvalidUrl`].
//!
//! **Common file**: HG's newer text says a phone that fetched `cfg<DeviceCode>.xml` does not go
//! on to `cfg<MAC>.xml` \[M\]; serve a common file only when the device file is not needed
//! (VERIFY-HW).

use std::borrow::Cow;
use std::fmt;

use super::accounts::{account_limit, used_accounts};
use super::field::Field;
use super::file_name::{Case, mac_file_name};
use super::hostport;
use super::keys::check_keys;
use super::url::{scheme_code, split_scheme};
use super::xml::XmlWriter;
use super::{RenderError, RenderedFile, capped};
use crate::assign::{Account, Assignment, Codec, DtmfMode, KeyBank, KeyKind, SrtpMode, Transport};
use crate::net::join_host_port;
use crate::timezone::Zone;

const VENDOR: &str = "htek";

/// Accounts the Htek P-value format addresses (CF §2.5: 1–6).
const FORMAT_MAX: usize = 6;

/// One P-value: the element name and its informational `para` text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Param {
    key: &'static str,
    para: &'static str,
}

const fn p(key: &'static str, para: &'static str) -> Param {
    Param { key, para }
}

/// The P-values of one account; `None` where no source gives one.
struct AccountParams {
    active: Param,
    label: Param,
    user_id: Param,
    auth_id: Param,
    password: Param,
    display_name: Param,
    voicemail: Param,
    server: Option<Param>,
    failover: Option<Param>,
    proxy: Option<Param>,
    transport: Option<Param>,
    expiry: Option<Param>,
    codecs: Option<[Param; 6]>,
    dtmf: Option<Param>,
    srtp: Option<Param>,
    mwi: Option<Param>,
}

/// Accounts 1–6 (row N-1 = account N), see the module docs for sources.
#[rustfmt::skip]
const ACCOUNTS: [AccountParams; FORMAT_MAX] = [
    AccountParams {
        active: p("P271", "Account1.Active"), label: p("P20000", "Account1.Label"),
        user_id: p("P35", "Account1.SipUserId"), auth_id: p("P36", "Account1.AuthenticateID"),
        password: p("P34", "Account1.AuthenticatePassword"), display_name: p("P3", "Account1.DispalyName"),
        voicemail: p("P33", "Account1.VoiceMailId"),
        server: Some(p("P47", "Account1.Sipserver")), failover: Some(p("P967", "Account1.FailoverSipserver")),
        proxy: Some(p("P48", "Account1.OutboundProxy")), transport: Some(p("P130", "Account1.SipTransport")),
        expiry: Some(p("P32", "Account1.RegisterExpiration")),
        codecs: Some([
            p("P57", "Account1.Choice1"), p("P58", "Account1.Choice2"), p("P59", "Account1.Choice3"),
            p("P60", "Account1.Choice4"), p("P61", "Account1.Choice5"), p("P62", "Account1.Choice6"),
        ]),
        dtmf: Some(p("P20166", "Account1.DtmfMode")), srtp: Some(p("P183", "Account1.SRtpMode")),
        mwi: Some(p("P99", "Account1.SubscribeForMWI")),
    },
    AccountParams {
        active: p("P401", "Account2.Active"), label: p("P20001", "Account2.Label"),
        user_id: p("P735", "Account2.SipUserId"), auth_id: p("P736", "Account2.AuthenticateID"),
        password: p("P734", "Account2.AuthenticatePassword"), display_name: p("P703", "Account2.DispalyName"),
        voicemail: p("P426", "Account2.VoiceMailId"),
        server: Some(p("P747", "Account2.Sipserver")), failover: Some(p("P987", "Account2.FailoverSipserver")),
        proxy: Some(p("P748", "Account2.OutboundProxy")), transport: Some(p("P830", "Account2.SipTransport")),
        expiry: Some(p("P732", "Account2.RegisterExpiration")),
        codecs: Some([
            p("P757", "Account2.Choice1"), p("P758", "Account2.Choice2"), p("P759", "Account2.Choice3"),
            p("P760", "Account2.Choice4"), p("P761", "Account2.Choice5"), p("P762", "Account2.Choice6"),
        ]),
        dtmf: Some(p("P20167", "Account2.DtmfMode")), srtp: Some(p("P443", "Account2.SRtpMode")),
        mwi: Some(p("P709", "Account2.SubscribeForMWI")),
    },
    AccountParams {
        active: p("P501", "Account3.Active"), label: p("P20002", "Account3.Label"),
        user_id: p("P504", "Account3.SipUserId"), auth_id: p("P505", "Account3.AuthenticateID"),
        password: p("P506", "Account3.AuthenticatePassword"), display_name: p("P507", "Account3.DispalyName"),
        voicemail: p("P526", "Account3.VoiceMailId"),
        server: Some(p("P502", "Account3.Sipserver")), failover: Some(p("P988", "Account3.FailoverSipserver")),
        proxy: Some(p("P503", "Account3.OutboundProxy")), transport: Some(p("P930", "Account3.SipTransport")),
        expiry: Some(p("P512", "Account3.RegisterExpiration")),
        codecs: Some([
            p("P551", "Account3.Choice1"), p("P552", "Account3.Choice2"), p("P553", "Account3.Choice3"),
            p("P554", "Account3.Choice4"), p("P555", "Account3.Choice5"), p("P556", "Account3.Choice6"),
        ]),
        dtmf: Some(p("P20168", "Account3.DtmfMode")), srtp: Some(p("P543", "Account3.SRtpMode")),
        mwi: Some(p("P515", "Account3.SubscribeForMWI")),
    },
    AccountParams {
        active: p("P601", "Account4.Active"), label: p("P20003", "Account4.Label"),
        user_id: p("P604", "Account4.SipUserId"), auth_id: p("P605", "Account4.AuthenticateID"),
        password: p("P606", "Account4.AuthenticatePassword"), display_name: p("P607", "Account4.DispalyName"),
        voicemail: p("P626", "Account4.VoiceMailId"),
        server: Some(p("P602", "Account4.Sipserver")), failover: Some(p("P989", "Account4.FailoverSipserver")),
        proxy: Some(p("P603", "Account4.OutboundProxy")), transport: Some(p("P1030", "Account4.SipTransport")),
        expiry: Some(p("P612", "Account4.RegisterExpiration")),
        codecs: Some([
            p("P651", "Account4.Choice1"), p("P652", "Account4.Choice2"), p("P653", "Account4.Choice3"),
            p("P654", "Account4.Choice4"), p("P655", "Account4.Choice5"), p("P656", "Account4.Choice6"),
        ]),
        dtmf: Some(p("P20169", "Account4.DtmfMode")), srtp: Some(p("P643", "Account4.SRtpMode")),
        mwi: Some(p("P615", "Account4.SubscribeForMWI")),
    },
    AccountParams {
        active: p("P20360", "Account5.Active"), label: p("P20378", "Account5.Label"),
        user_id: p("P1704", "Account5.SipUserId"), auth_id: p("P1705", "Account5.AuthenticateID"),
        password: p("P1706", "Account5.AuthenticatePassword"), display_name: p("P1707", "Account5.DispalyName"),
        voicemail: p("P1726", "Account5.VoiceMailId"),
        server: None, failover: None, proxy: None, transport: None, expiry: None, codecs: None,
        dtmf: None, srtp: None, mwi: None,
    },
    AccountParams {
        active: p("P20361", "Account6.Active"), label: p("P20379", "Account6.Label"),
        user_id: p("P1804", "Account6.SipUserId"), auth_id: p("P1805", "Account6.AuthenticateID"),
        password: p("P1806", "Account6.AuthenticatePassword"), display_name: p("P1807", "Account6.DispalyName"),
        voicemail: p("P1826", "Account6.VoiceMailId"),
        server: None, failover: None, proxy: None, transport: None, expiry: None, codecs: None,
        dtmf: None, srtp: None, mwi: None,
    },
];

// Globals (see the module docs for sources).
const ADMIN_PASSWORD: Param = p("P2", "AdminPassword");
const USER_PASSWORD: Param = p("P196", "UserPassword");
const NTP_SERVER: Param = p("P30", "UrlOrIpAddress");
const NTP_SERVER_2: Param = p("P8622", "DateTime.BackUpNTPServer");
const TIMEZONE: Param = p("P64", "Preference.TimeZone");
const DST: Param = p("P75", "Preference.DaylightSavingTime");
const LCD_LANGUAGE: Param = p("P8621", "Preference.LcdLanguage");
const WEB_LANGUAGE: Param = p("P2525", "Preference.WebLanguage");
const CONFIG_PROTOCOL: Param = p("P212", "FirmwareUpGrade.UrgrateMode");
const CONFIG_SERVER: Param = p("P237", "FirmwareUpGrade.ConfigServerPath");
const CONFIG_USER: Param = p("P1360", "FirmwareUpGrade.UserName");
const CONFIG_PASSWORD: Param = p("P1361", "FirmwareUpGrade.Password");
const AUTO_CHECK: Param = p("P194", "FirmwareUpGrade.AutoUpgrade");
const AUTO_CHECK_MINUTES: Param = p("P193", "FirmwareUpGrade.CheckUpgradeTimes");
const FIRMWARE_SERVER: Param = p("P192", "FirmwareUpGrade.FirmwareServerPath");
const PNP: Param = p("P20165", "FirmwareUpGrade.PnPActive");
const VLAN_ENABLE: Param = p("P24053", "Network.Advanced.Vlan.WANVlan");
const VLAN_ID: Param = p("P51", "Layer2QoS.802.1Q/VLANTag");
const VLAN_PRIORITY: Param = p("P87", "Layer2QoS.802.1pPriorityValue");
const SYSLOG_SERVER: Param = p("P207", "SNMPService.SyslogServer");
const SYSLOG_LEVEL: Param = p("P208", "SNMPService.Sysloglevel");

/// The P212 code of each scheme (any case); `ftp`'s is unknown.
const UPGRADE_MODES: [(&str, &str); 3] = [("tftp", "0"), ("http", "1"), ("https", "2")];

/// `para` of an override that does not replace a generated key.
const OVERRIDE_PARA: &str = "Override";

/// Line keys the P-value scheme addresses (WZ `_NB_LINEKEYS`: UC926 36).
const MAX_LINE_KEY: u16 = 36;

/// Renders `cfg<mac>.xml` for `a`.
///
/// Accounts first (in table order, only values that are present, the active flag for each
/// account present), then the line keys, then the globals. An entirely empty account is
/// skipped. Overrides replace a generated key's value in place (keeping its `para`), or are
/// appended in their given order with `para="Override"`.
///
/// Errors: no MAC, more than 6 accounts (or the model's own limit), a key beyond the model's
/// banks, a provisioning URL scheme other than tftp/http/https, a value Htek cannot express
/// ([`RenderError::UnsupportedValue`]), an override key that is not an XML name, a control
/// character in any value.
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    check_keys(VENDOR, a.model.as_deref(), &a.keys)?;
    let max = account_limit(VENDOR, a.model.as_deref(), FORMAT_MAX);
    let mut entries = Vec::with_capacity(32 + 24 * a.accounts.len() + 4 * a.keys.len() + a.overrides.len());
    for (index, acct) in used_accounts(&a.accounts, max)? {
        account(index, acct, &mut entries)?;
    }
    keys(a, &mut entries)?;
    globals(a, &mut entries)?;
    write(mac_file_name("cfg", mac, Case::Lower, ".xml"), entries, &a.overrides)
}

/// Renders the model common file `file_name` (`cfg0010.xml`: `cfg` and a 4-digit device code,
/// as the phone asked for it) with the device-wide settings of `a`. Keys are per device: an
/// assignment with keys is [`RenderError::UnsupportedValue`].
pub fn render_shared(file_name: &str, a: &Assignment) -> Result<RenderedFile, RenderError> {
    let is_common = file_name
        .strip_prefix("cfg")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .is_some_and(|code| code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()));
    if !is_common {
        return Err(RenderError::UnsupportedFile(capped(file_name)));
    }
    if !a.keys.is_empty() {
        return Err(RenderError::UnsupportedValue {
            field: "keys in a shared file".into(),
        });
    }
    let mut entries = Vec::with_capacity(32 + a.overrides.len());
    globals(a, &mut entries)?;
    write(file_name.to_owned(), entries, &a.overrides)
}

fn write<'a>(
    file_name: String,
    mut entries: Vec<Entry<'a>>,
    overrides: &'a [(String, String)],
) -> Result<RenderedFile, RenderError> {
    apply_overrides(&mut entries, overrides);
    let mut doc = XmlWriter::with_capacity(256 + 64 * entries.len());
    doc.open("hl_provision", &[("version", "1")])?;
    doc.open("config", &[("version", "1")])?;
    for entry in &entries {
        doc.text_element_with_attributes(&entry.key, &[("para", entry.para.as_ref())], &entry.value, entry.name)?;
    }
    Ok(RenderedFile {
        file_name,
        content_type: "application/xml",
        content: doc.finish(),
    })
}

/// One `<key para="…">value</key>` to write.
struct Entry<'a> {
    key: Cow<'a, str>,
    para: Cow<'a, str>,
    value: Cow<'a, str>,
    name: Field<'a>,
}

impl<'a> Entry<'a> {
    fn new(param: Param, value: impl Into<Cow<'a, str>>, field: Field<'a>) -> Entry<'a> {
        Entry {
            key: Cow::Borrowed(param.key),
            para: Cow::Borrowed(param.para),
            value: value.into(),
            name: field,
        }
    }
}

/// [`RenderError::UnsupportedValue`] for `field`.
fn unsupported(field: impl fmt::Display) -> RenderError {
    RenderError::UnsupportedValue {
        field: field.to_string(),
    }
}

/// The entries of account `index`.
fn account<'a>(index: usize, acct: &'a Account, out: &mut Vec<Entry<'a>>) -> Result<(), RenderError> {
    let params = &ACCOUNTS[index - 1];
    let field = |name| Field::Account(index, name);
    // A value of a field the account has no P-value for is refused.
    let mut put = |param: Option<Param>, value: Option<Cow<'a, str>>, name: &'static str| match (param, value) {
        (_, None) => Ok(()),
        (Some(param), Some(value)) => {
            out.push(Entry::new(param, value, field(name)));
            Ok(())
        }
        (None, Some(_)) => Err(unsupported(field(name))),
    };
    put(Some(params.active), Some(Cow::Borrowed("1")), "enabled")?;
    put(Some(params.label), acct.label.as_deref().map(Cow::from), "label")?;
    put(Some(params.user_id), acct.user_id.as_deref().map(Cow::from), "user id")?;
    put(Some(params.auth_id), acct.effective_auth_id().map(Cow::from), "auth id")?;
    put(
        Some(params.password),
        acct.password.as_deref().map(Cow::from),
        "password",
    )?;
    put(
        Some(params.display_name),
        acct.display_name.as_deref().map(Cow::from),
        "display name",
    )?;
    put(
        Some(params.voicemail),
        acct.voicemail_number.as_deref().map(Cow::from),
        "voicemail number",
    )?;
    put(params.server, hostport::registrar(acct), "registrar")?;
    put(params.failover, hostport::backup_registrar(acct), "backup registrar")?;
    put(
        params.proxy,
        acct.outbound_proxy.as_deref().filter(|p| !p.is_empty()).map(Cow::from),
        "outbound proxy",
    )?;
    let transport = match acct.transport {
        // UDP is the phone's default: written where there is a key, never refused.
        Transport::Udp if params.transport.is_none() => None,
        Transport::Udp => Some("0"),
        Transport::Tcp => Some("1"),
        Transport::Tls => Some("2"),
    };
    put(params.transport, transport.map(Cow::from), "transport")?;
    let expiry = acct
        .register_expires
        .map(|secs| {
            if secs.is_multiple_of(60) {
                Ok(Cow::Owned((secs / 60).to_string()))
            } else {
                Err(unsupported(field("registration expiry")))
            }
        })
        .transpose()?;
    put(params.expiry, expiry, "registration expiry")?;
    if !acct.codecs.is_empty() {
        let Some(choices) = params.codecs else {
            return Err(unsupported(field("codecs")));
        };
        if acct.codecs.len() > choices.len() {
            return Err(unsupported(field("codecs")));
        }
        for (&codec, choice) in acct.codecs.iter().zip(choices) {
            let code = codec_code(codec).ok_or_else(|| unsupported(field(codec_field(codec))))?;
            put(Some(choice), Some(Cow::Borrowed(code)), "codecs")?;
        }
    }
    let dtmf = acct.dtmf.map(|mode| match mode {
        DtmfMode::Rfc2833 => "0",
        DtmfMode::Inband => "1",
        DtmfMode::SipInfo => "2",
    });
    put(params.dtmf, dtmf.map(Cow::from), "dtmf")?;
    let srtp = acct.srtp.map(|mode| match mode {
        SrtpMode::Disabled => "0",
        SrtpMode::Optional => "1",
        SrtpMode::Required => "2",
    });
    put(params.srtp, srtp.map(Cow::from), "srtp")?;
    put(
        params.mwi,
        acct.mwi.map(|on| Cow::Borrowed(if on { "1" } else { "0" })),
        "mwi",
    )?;
    Ok(())
}

/// Htek's codec choice code (FP, WZ; Grandstream's codes); `None` for iLBC and Opus.
fn codec_code(codec: Codec) -> Option<&'static str> {
    match codec {
        Codec::Pcmu => Some("0"),
        Codec::Pcma => Some("8"),
        Codec::G722 => Some("9"),
        Codec::G726_32 => Some("2"),
        Codec::G729 => Some("18"),
        Codec::G723 => Some("4"),
        Codec::Ilbc | Codec::Opus => None,
    }
}

/// `codec <name>`, for errors.
fn codec_field(codec: Codec) -> &'static str {
    match codec {
        Codec::Pcmu => "codec PCMU",
        Codec::Pcma => "codec PCMA",
        Codec::G722 => "codec G722",
        Codec::G729 => "codec G729",
        Codec::G726_32 => "codec G726-32",
        Codec::Ilbc => "codec iLBC",
        Codec::Opus => "codec opus",
        Codec::G723 => "codec G723",
    }
}

/// The P-number of part `offset` (0 type, 1 value, 2 label, 3 account) of line key `position`
/// (1–36): WZ `_gen_param_num`, FP.
fn line_key_param(position: u16, offset: u16) -> u32 {
    let (position, offset) = (u32::from(position), u32::from(offset));
    if position < 5 {
        41200 + position - 1 + 100 * offset
    } else {
        20200 + offset + 5 * (position - 5)
    }
}

/// The line keys, in the assignment's order: type, value, label, account of each.
fn keys<'a>(a: &'a Assignment, out: &mut Vec<Entry<'a>>) -> Result<(), RenderError> {
    for (i, key) in a.keys.iter().enumerate() {
        let number = i + 1;
        if key.bank != KeyBank::Line {
            return Err(unsupported(format_args!("key {number} bank {}", key.bank.name())));
        }
        if key.position == 0 || key.position > MAX_LINE_KEY {
            return Err(unsupported(format_args!("key {number} position")));
        }
        if key.account == 0 {
            return Err(unsupported(format_args!("key {number} account")));
        }
        let kind = match key.kind {
            KeyKind::Unused => "0",
            KeyKind::Line => "1",
            KeyKind::SpeedDial => "2",
            KeyKind::Blf => "3",
            KeyKind::Park => "8",
            KeyKind::Dnd => return Err(unsupported(format_args!("key {number} kind dnd"))),
        };
        let position = key.position;
        let parts: [(u16, &str, Cow<'a, str>, &'static str); 4] = [
            (0, "Type", Cow::Borrowed(kind), "kind"),
            (
                1,
                "Value",
                Cow::Borrowed(key.value.as_deref().unwrap_or_default()),
                "value",
            ),
            (
                2,
                "Label",
                Cow::Borrowed(key.label.as_deref().unwrap_or_default()),
                "label",
            ),
            (3, "Account", Cow::Owned((key.account - 1).to_string()), "account"),
        ];
        for (offset, part, value, what) in parts {
            out.push(Entry {
                key: Cow::Owned(format!("P{}", line_key_param(position, offset))),
                para: Cow::Owned(format!("LineKey{position}.{part}")),
                value,
                name: Field::Key(number, what),
            });
        }
    }
    Ok(())
}

/// The device-wide settings.
fn globals<'a>(a: &'a Assignment, out: &mut Vec<Entry<'a>>) -> Result<(), RenderError> {
    let global = Field::Global;
    if let Some(password) = a.admin_password.as_deref() {
        out.push(Entry::new(ADMIN_PASSWORD, password, global("admin password")));
    }
    if let Some(password) = a.user_password.as_deref() {
        out.push(Entry::new(USER_PASSWORD, password, global("user password")));
    }
    let mut servers = a.ntp_servers.iter().filter(|s| !s.is_empty());
    for param in [NTP_SERVER, NTP_SERVER_2] {
        if let Some(server) = servers.next() {
            out.push(Entry::new(param, server.as_str(), global("ntp server")));
        }
    }
    if let Some(zone) = &a.timezone {
        let (code, dst) = htek_zone(zone)?;
        out.push(Entry::new(TIMEZONE, code.to_string(), global("timezone")));
        out.push(Entry::new(DST, if dst { "2" } else { "0" }, global("timezone")));
    }
    if let Some(language) = a.language.as_deref() {
        // English is 0, the factory value of both keys in HX and FP; no other code is public.
        if language != "en" {
            return Err(unsupported("language"));
        }
        out.push(Entry::new(LCD_LANGUAGE, "0", global("language")));
        out.push(Entry::new(WEB_LANGUAGE, "0", global("language")));
    }
    if let Some(url) = a.provisioning_url.as_deref() {
        if let Some(code) = upgrade_mode(url)? {
            out.push(Entry::new(CONFIG_PROTOCOL, code, global("provisioning url")));
        }
        out.push(Entry::new(CONFIG_SERVER, url, global("provisioning url")));
    }
    if let Some(user) = a.provisioning_user.as_deref() {
        out.push(Entry::new(CONFIG_USER, user, global("provisioning user")));
    }
    if let Some(password) = a.provisioning_password.as_deref() {
        out.push(Entry::new(CONFIG_PASSWORD, password, global("provisioning password")));
    }
    if let Some(minutes) = a.resync_interval_min.filter(|&m| m > 0) {
        out.push(Entry::new(AUTO_CHECK, "1", global("resync interval")));
        out.push(Entry::new(
            AUTO_CHECK_MINUTES,
            minutes.to_string(),
            global("resync interval"),
        ));
    }
    if let Some(url) = a.firmware_url.as_deref() {
        out.push(Entry::new(FIRMWARE_SERVER, url, global("firmware url")));
    }
    if !a.keep_pnp_enabled {
        out.push(Entry::new(PNP, "0", global("pnp")));
    }
    if let Some(id) = a.vlan_id {
        if !(1..=4094).contains(&id) {
            return Err(unsupported("vlan id"));
        }
        out.push(Entry::new(VLAN_ENABLE, "1", global("vlan id")));
        out.push(Entry::new(VLAN_ID, id.to_string(), global("vlan id")));
    }
    if let Some(priority) = a.vlan_priority {
        if priority > 7 {
            return Err(unsupported("vlan priority"));
        }
        out.push(Entry::new(VLAN_PRIORITY, priority.to_string(), global("vlan priority")));
    }
    if let Some(host) = a.syslog_host.as_deref() {
        let server = join_host_port(crate::net::unbracket(host), a.syslog_port);
        out.push(Entry::new(SYSLOG_SERVER, server, global("syslog host")));
    }
    if let Some(level) = a.syslog_level {
        out.push(Entry::new(SYSLOG_LEVEL, syslog_level(level)?, global("syslog level")));
    }
    Ok(())
}

/// P208 levels, Grandstream's scale \[L\]: 1 debug, 2 info, 3 warning, 4 error, from syslog
/// severities 7, 5–6, 4, 0–3.
fn syslog_level(level: u8) -> Result<&'static str, RenderError> {
    match level {
        0..=3 => Ok("4"),
        4 => Ok("3"),
        5 | 6 => Ok("2"),
        7 => Ok("1"),
        _ => Err(unsupported("syslog level")),
    }
}

/// The P212 code for the scheme of `url`; `None` for a URL without a scheme (no `://` before
/// the first `/`, `?` or `#`).
fn upgrade_mode(url: &str) -> Result<Option<&'static str>, RenderError> {
    match split_scheme(url) {
        Some((scheme, _)) => scheme_code(scheme, &UPGRADE_MODES).map(Some),
        None => Ok(None),
    }
}

/// Htek's P64 zone codes by standard offset (WZ `common.py` `_TZ_INFO`) \[M\]: each code is a
/// zone of the phone's list, whose DST rule the phone applies itself when P75 says so.
const ZONE_CODES: [(i32, u16); 32] = [
    (-11 * 3600, 105),
    (-10 * 3600, 2),
    (-9 * 3600, 3),
    (-8 * 3600, 6),
    (-7 * 3600, 10),
    (-6 * 3600, 14),
    (-5 * 3600, 18),
    (-(4 * 3600 + 1800), 19),
    (-4 * 3600, 20),
    (-(3 * 3600 + 1800), 26),
    (-3 * 3600, 30),
    (-2 * 3600, 31),
    (-3600, 32),
    (0, 33),
    (3600, 49),
    (2 * 3600, 57),
    (3 * 3600, 73),
    (3 * 3600 + 1800, 74),
    (4 * 3600, 77),
    (5 * 3600, 83),
    (5 * 3600 + 1800, 84),
    (6 * 3600, 85),
    (7 * 3600, 88),
    (8 * 3600, 89),
    (9 * 3600, 93),
    (9 * 3600 + 1800, 94),
    (10 * 3600, 96),
    (10 * 3600 + 1800, 100),
    (11 * 3600, 101),
    (12 * 3600, 102),
    (12 * 3600 + 2700, 103),
    (13 * 3600, 104),
];

/// Maps `zone` to Htek's P64 code and whether DST applies (P75: `2` as WZ writes it, the
/// phone's own rule for the code \[M\], VERIFY-HW; `0` for a zone without DST). The code is
/// chosen by the standard (winter) offset; a rule whose summer is behind its standard time
/// (Europe/Dublin) counts its summer offset as standard. An offset WZ's table has no code for
/// (Asia/Kathmandu, UTC−12, UTC+14) is [`RenderError::UnsupportedValue`].
fn htek_zone(zone: &Zone) -> Result<(u16, bool), RenderError> {
    let rule = zone.rule();
    let standard = match &rule.dst {
        Some(dst) => dst.offset_secs.min(rule.std_offset_secs),
        None => rule.std_offset_secs,
    };
    ZONE_CODES
        .iter()
        .find(|&&(offset, _)| offset == standard)
        .map(|&(_, code)| (code, rule.dst.is_some()))
        .ok_or_else(|| unsupported("timezone"))
}

/// Replaces the value of an entry with the same key in place (keeping its `para`), else appends
/// with `para="Override"` (keys are checked when written).
fn apply_overrides<'a>(entries: &mut Vec<Entry<'a>>, overrides: &'a [(String, String)]) {
    for (key, value) in overrides {
        match entries.iter_mut().find(|e| e.key == key.as_str()) {
            Some(slot) => {
                slot.value = Cow::Borrowed(value);
                slot.name = Field::Override(key);
            }
            None => entries.push(Entry {
                key: Cow::Borrowed(key),
                para: Cow::Borrowed(OVERRIDE_PARA),
                value: Cow::Borrowed(value),
                name: Field::Override(key),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{self, pairs};
    use super::super::xml::{Node, parse};
    use super::*;
    use crate::assign::Key;
    use crate::device::Mac;

    const MAC: Mac = Mac([0x00, 0x1f, 0xc1, 0x1c, 0x22, 0xa9]);

    fn two_accounts() -> Assignment {
        let mut a = test_support::two_accounts(MAC, "2001:db8::1", "https://prov.example:8443/htek/", "Europe/Berlin");
        a.account_mut(1).transport = Transport::Tcp;
        a.account_mut(2).label = Some("Sales".into());
        a
    }

    /// Device-wide settings only (no MAC, accounts or keys), for common files.
    fn shared() -> Assignment {
        Assignment {
            admin_password: Some("admin!".into()),
            ntp_servers: vec!["pool.ntp.org".into()],
            timezone: Zone::find("Asia/Kolkata"),
            provisioning_url: Some("http://prov.example/htek/".into()),
            ..Assignment::default()
        }
    }

    fn nodes(a: &Assignment) -> Vec<Node> {
        parse(&render(a).expect("renders").content)
    }

    /// The `<config>` children as (key, para, value), in document order.
    fn config_of(content: &[u8]) -> Vec<(String, String, String)> {
        parse(content)
            .into_iter()
            .filter_map(|n| {
                let key = n.path.strip_prefix("hl_provision/config/")?.to_owned();
                assert_eq!(n.attributes.len(), 1, "{key}");
                assert_eq!(n.attributes[0].0, "para", "{key}");
                Some((key, n.attributes[0].1.clone(), n.text))
            })
            .collect()
    }

    fn config(a: &Assignment) -> Vec<(String, String, String)> {
        config_of(&render(a).expect("renders").content)
    }

    /// The `<config>` children as (key, value), in document order.
    fn values(a: &Assignment) -> Vec<(String, String)> {
        config(a).into_iter().map(|(k, _, v)| (k, v)).collect()
    }

    fn value_of(got: &[(String, String)], key: &str) -> Option<String> {
        got.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    fn unsupported_err(field: &str) -> Result<RenderedFile, RenderError> {
        Err(RenderError::UnsupportedValue { field: field.into() })
    }

    #[test]
    fn golden_two_accounts() {
        let file = render(&two_accounts()).expect("renders");
        assert_eq!(file.file_name, "cfg001fc11c22a9.xml");
        assert_eq!(file.content_type, "application/xml");
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<hl_provision version="1">
  <config version="1">
    <P271 para="Account1.Active">1</P271>
    <P20000 para="Account1.Label">Reception</P20000>
    <P35 para="Account1.SipUserId">101</P35>
    <P36 para="Account1.AuthenticateID">auth101</P36>
    <P34 para="Account1.AuthenticatePassword">s3cret</P34>
    <P3 para="Account1.DispalyName">Front Desk</P3>
    <P47 para="Account1.Sipserver">pbx.example:5062</P47>
    <P48 para="Account1.OutboundProxy">proxy.example:5070</P48>
    <P130 para="Account1.SipTransport">1</P130>
    <P401 para="Account2.Active">1</P401>
    <P20001 para="Account2.Label">Sales</P20001>
    <P735 para="Account2.SipUserId">102</P735>
    <P736 para="Account2.AuthenticateID">102</P736>
    <P734 para="Account2.AuthenticatePassword">pw102</P734>
    <P747 para="Account2.Sipserver">[2001:db8::1]</P747>
    <P830 para="Account2.SipTransport">2</P830>
    <P2 para="AdminPassword">admin!</P2>
    <P30 para="UrlOrIpAddress">pool.ntp.org</P30>
    <P64 para="Preference.TimeZone">49</P64>
    <P75 para="Preference.DaylightSavingTime">2</P75>
    <P212 para="FirmwareUpGrade.UrgrateMode">2</P212>
    <P237 para="FirmwareUpGrade.ConfigServerPath">https://prov.example:8443/htek/</P237>
    <P20165 para="FirmwareUpGrade.PnPActive">0</P20165>
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
    fn every_account_field() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for index in 1..=4 {
            let acct = a.account_mut(index);
            acct.label = Some(format!("L{index}"));
            acct.user_id = Some(format!("10{index}"));
            acct.auth_id = Some(format!("a{index}"));
            acct.password = Some(format!("p{index}"));
            acct.display_name = Some(format!("D{index}"));
            acct.voicemail_number = Some("*97".into());
            acct.registrar_host = Some("pbx.example".into());
            acct.registrar_port = Some(5060);
            acct.backup_registrar_host = Some("backup.example".into());
            acct.outbound_proxy = Some("obp.example:5070".into());
            acct.transport = Transport::Tls;
            acct.register_expires = Some(3600);
            acct.codecs = vec![
                Codec::G722,
                Codec::Pcma,
                Codec::Pcmu,
                Codec::G729,
                Codec::G726_32,
                Codec::G723,
            ];
            acct.dtmf = Some(DtmfMode::SipInfo);
            acct.srtp = Some(SrtpMode::Required);
            acct.mwi = Some(true);
        }
        let got = values(&a);
        #[rustfmt::skip]
        let rows: [[&str; 22]; 4] = [
            ["P271", "P20000", "P35", "P36", "P34", "P3", "P33", "P47", "P967", "P48", "P130", "P32",
             "P57", "P58", "P59", "P60", "P61", "P62", "P20166", "P183", "P99", ""],
            ["P401", "P20001", "P735", "P736", "P734", "P703", "P426", "P747", "P987", "P748", "P830", "P732",
             "P757", "P758", "P759", "P760", "P761", "P762", "P20167", "P443", "P709", ""],
            ["P501", "P20002", "P504", "P505", "P506", "P507", "P526", "P502", "P988", "P503", "P930", "P512",
             "P551", "P552", "P553", "P554", "P555", "P556", "P20168", "P543", "P515", ""],
            ["P601", "P20003", "P604", "P605", "P606", "P607", "P626", "P602", "P989", "P603", "P1030", "P612",
             "P651", "P652", "P653", "P654", "P655", "P656", "P20169", "P643", "P615", ""],
        ];
        for (i, row) in rows.iter().enumerate() {
            let n = i + 1;
            let want = [
                "1".to_owned(),
                format!("L{n}"),
                format!("10{n}"),
                format!("a{n}"),
                format!("p{n}"),
                format!("D{n}"),
                "*97".into(),
                "pbx.example:5060".into(),
                "backup.example".into(),
                "obp.example:5070".into(),
                "2".into(),
                "60".into(),
                "9".into(),
                "8".into(),
                "0".into(),
                "18".into(),
                "2".into(),
                "4".into(),
                "2".into(),
                "2".into(),
                "1".into(),
            ];
            let expected: Vec<(String, String)> = row[..21].iter().map(|k| (*k).to_owned()).zip(want).collect();
            let start = got.iter().position(|(k, _)| k == row[0]).expect("active");
            assert_eq!(got[start..start + 21], expected[..], "account {n}");
        }
        assert_eq!(got.len(), 4 * 21);
        // Every account key is distinct.
        let mut keys: Vec<&String> = got.iter().map(|(k, _)| k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), got.len());
    }

    #[test]
    fn accounts_five_and_six() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for index in [5, 6] {
            let acct = a.account_mut(index);
            acct.label = Some(format!("L{index}"));
            acct.user_id = Some(format!("10{index}"));
            acct.password = Some(format!("p{index}"));
            acct.display_name = Some(format!("D{index}"));
            acct.voicemail_number = Some("*97".into());
        }
        assert_eq!(
            config(&a),
            [
                ("P20360", "Account5.Active", "1"),
                ("P20378", "Account5.Label", "L5"),
                ("P1704", "Account5.SipUserId", "105"),
                ("P1705", "Account5.AuthenticateID", "105"),
                ("P1706", "Account5.AuthenticatePassword", "p5"),
                ("P1707", "Account5.DispalyName", "D5"),
                ("P1726", "Account5.VoiceMailId", "*97"),
                ("P20361", "Account6.Active", "1"),
                ("P20379", "Account6.Label", "L6"),
                ("P1804", "Account6.SipUserId", "106"),
                ("P1805", "Account6.AuthenticateID", "106"),
                ("P1806", "Account6.AuthenticatePassword", "p6"),
                ("P1807", "Account6.DispalyName", "D6"),
                ("P1826", "Account6.VoiceMailId", "*97"),
            ]
            .map(|(k, p, v)| (k.to_owned(), p.to_owned(), v.to_owned()))
        );
        // No public P-values for their server group.
        for (field, set) in [
            (
                "account 5 registrar",
                (|x: &mut Account| x.registrar_host = Some("pbx".into())) as fn(&mut _),
            ),
            ("account 5 backup registrar", |x| {
                x.backup_registrar_host = Some("pbx".into())
            }),
            ("account 5 outbound proxy", |x| x.outbound_proxy = Some("pbx".into())),
            ("account 5 transport", |x| x.transport = Transport::Tcp),
            ("account 5 registration expiry", |x| x.register_expires = Some(60)),
            ("account 5 codecs", |x| x.codecs = vec![Codec::Pcmu]),
            ("account 5 dtmf", |x| x.dtmf = Some(DtmfMode::Rfc2833)),
            ("account 5 srtp", |x| x.srtp = Some(SrtpMode::Disabled)),
            ("account 5 mwi", |x| x.mwi = Some(true)),
        ] {
            let mut b = a.clone();
            set(b.account_mut(5));
            assert_eq!(render(&b), unsupported_err(field), "{field}");
        }
    }

    #[test]
    fn account_values_htek_cannot_express() {
        for (field, set) in [
            (
                "account 1 registration expiry",
                (|x: &mut Account| x.register_expires = Some(90)) as fn(&mut _),
            ),
            ("account 1 codec opus", |x| x.codecs = vec![Codec::Pcmu, Codec::Opus]),
            ("account 1 codec iLBC", |x| x.codecs = vec![Codec::Ilbc]),
            ("account 1 codecs", |x| {
                x.codecs = Codec::ALL.iter().copied().filter(|c| *c != Codec::Opus).collect()
            }),
        ] {
            let mut a = two_accounts();
            set(a.account_mut(1));
            assert_eq!(render(&a), unsupported_err(field), "{field}");
        }
        let mut a = two_accounts();
        a.account_mut(1).dtmf = Some(DtmfMode::Rfc2833);
        a.account_mut(2).dtmf = Some(DtmfMode::Inband);
        a.account_mut(1).srtp = Some(SrtpMode::Disabled);
        a.account_mut(2).srtp = Some(SrtpMode::Optional);
        a.account_mut(1).mwi = Some(false);
        let got = values(&a);
        for (key, want) in [
            ("P20166", "0"),
            ("P20167", "1"),
            ("P183", "0"),
            ("P443", "1"),
            ("P99", "0"),
        ] {
            assert_eq!(value_of(&got, key).as_deref(), Some(want), "{key}");
        }
    }

    fn line_key(position: u16, kind: KeyKind, account: u8, value: Option<&str>, label: Option<&str>) -> Key {
        Key {
            bank: KeyBank::Line,
            position,
            kind,
            account,
            value: value.map(str::to_owned),
            label: label.map(str::to_owned),
        }
    }

    #[test]
    fn line_keys() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        a.keys = vec![
            line_key(1, KeyKind::Line, 1, None, Some("Line 1")),
            line_key(4, KeyKind::Blf, 2, Some("103"), Some("Anna")),
            line_key(5, KeyKind::SpeedDial, 1, Some("0049301234"), None),
            line_key(36, KeyKind::Park, 1, Some("700"), Some("Park")),
            line_key(7, KeyKind::Unused, 1, None, None),
        ];
        assert_eq!(
            config(&a),
            [
                ("P41200", "LineKey1.Type", "1"),
                ("P41300", "LineKey1.Value", ""),
                ("P41400", "LineKey1.Label", "Line 1"),
                ("P41500", "LineKey1.Account", "0"),
                ("P41203", "LineKey4.Type", "3"),
                ("P41303", "LineKey4.Value", "103"),
                ("P41403", "LineKey4.Label", "Anna"),
                ("P41503", "LineKey4.Account", "1"),
                ("P20200", "LineKey5.Type", "2"),
                ("P20201", "LineKey5.Value", "0049301234"),
                ("P20202", "LineKey5.Label", ""),
                ("P20203", "LineKey5.Account", "0"),
                ("P20355", "LineKey36.Type", "8"),
                ("P20356", "LineKey36.Value", "700"),
                ("P20357", "LineKey36.Label", "Park"),
                ("P20358", "LineKey36.Account", "0"),
                ("P20210", "LineKey7.Type", "0"),
                ("P20211", "LineKey7.Value", ""),
                ("P20212", "LineKey7.Label", ""),
                ("P20213", "LineKey7.Account", "0"),
            ]
            .map(|(k, p, v)| (k.to_owned(), p.to_owned(), v.to_owned()))
        );
        for (key, field) in [
            (line_key(1, KeyKind::Dnd, 1, None, None), "key 1 kind dnd"),
            (line_key(37, KeyKind::Line, 1, None, None), "key 1 position"),
            (line_key(0, KeyKind::Line, 1, None, None), "key 1 position"),
            (line_key(1, KeyKind::Line, 0, None, None), "key 1 account"),
            (
                Key {
                    bank: KeyBank::Programmable,
                    ..line_key(1, KeyKind::Line, 1, None, None)
                },
                "key 1 bank programmable",
            ),
            (
                Key {
                    bank: KeyBank::Expansion(1),
                    ..line_key(1, KeyKind::Line, 1, None, None)
                },
                "key 1 bank expansion1",
            ),
        ] {
            a.keys = vec![key];
            assert_eq!(render(&a), unsupported_err(field), "{field}");
        }
        // The model's own bank: UC912 has 12 line keys.
        a.model = Some("UC912".into());
        a.keys = vec![line_key(12, KeyKind::Line, 1, None, None)];
        assert!(render(&a).is_ok());
        a.keys.push(line_key(13, KeyKind::Line, 1, None, None));
        assert_eq!(render(&a), Err(RenderError::KeyOutOfRange { key: 2, max: 12 }));
        // A control character in a key label names the key.
        a.keys = vec![line_key(1, KeyKind::Line, 1, None, Some("a\u{7}b"))];
        assert_eq!(
            render(&a),
            Err(RenderError::ControlCharacter {
                field: "key 1 label".into()
            })
        );
    }

    #[test]
    fn timezones() {
        let zone = |name: &str| Zone::find(name).expect(name);
        assert_eq!(htek_zone(&zone("Europe/Berlin")), Ok((49, true)));
        assert_eq!(htek_zone(&zone("America/New_York")), Ok((18, true)));
        assert_eq!(htek_zone(&zone("Asia/Kolkata")), Ok((84, false)));
        assert_eq!(htek_zone(&zone("Australia/Lord_Howe")), Ok((100, true)));
        assert_eq!(htek_zone(&zone("America/St_Johns")), Ok((26, true)));
        assert_eq!(htek_zone(&zone("UTC")), Ok((33, false)));
        // Dublin's "standard" is its summer: coded by its winter offset.
        assert_eq!(htek_zone(&zone("Europe/Dublin")), Ok((33, true)));
        for name in ["Asia/Kathmandu", "Etc/GMT+12", "Pacific/Kiritimati"] {
            assert_eq!(
                htek_zone(&zone(name)),
                Err(RenderError::UnsupportedValue {
                    field: "timezone".into()
                }),
                "{name}"
            );
        }
        let mut a = two_accounts();
        a.timezone = Some(zone("Asia/Kolkata"));
        let got = values(&a);
        assert_eq!(value_of(&got, "P64").as_deref(), Some("84"));
        assert_eq!(value_of(&got, "P75").as_deref(), Some("0"));
        a.timezone = Some(zone("Asia/Kathmandu"));
        assert_eq!(render(&a), unsupported_err("timezone"));
    }

    #[test]
    fn only_english_has_a_public_language_code() {
        let mut a = two_accounts();
        a.language = Some("en".into());
        let got = values(&a);
        assert_eq!(value_of(&got, "P8621").as_deref(), Some("0"));
        assert_eq!(value_of(&got, "P2525").as_deref(), Some("0"));
        a.language = Some("de".into());
        assert_eq!(render(&a), unsupported_err("language"));
    }

    #[test]
    fn every_global() {
        let mut a = two_accounts();
        a.ntp_servers.push("ntp2.example".into());
        a.user_password = Some("user!".into());
        a.provisioning_user = Some("prov".into());
        a.provisioning_password = Some("provpw".into());
        a.resync_interval_min = Some(1440);
        a.firmware_url = Some("https://fw.example/htek/".into());
        a.vlan_id = Some(20);
        a.vlan_priority = Some(5);
        a.syslog_host = Some("2001:db8::9".into());
        a.syslog_port = Some(514);
        a.syslog_level = Some(7);
        let got = values(&a);
        for (key, want) in [
            ("P196", "user!"),
            ("P8622", "ntp2.example"),
            ("P1360", "prov"),
            ("P1361", "provpw"),
            ("P194", "1"),
            ("P193", "1440"),
            ("P192", "https://fw.example/htek/"),
            ("P24053", "1"),
            ("P51", "20"),
            ("P87", "5"),
            ("P207", "[2001:db8::9]:514"),
            ("P208", "1"),
        ] {
            assert_eq!(value_of(&got, key).as_deref(), Some(want), "{key}");
        }
        for (level, code) in [(0, "4"), (3, "4"), (4, "3"), (6, "2"), (7, "1")] {
            assert_eq!(syslog_level(level), Ok(code), "{level}");
        }
        a.syslog_level = Some(8);
        assert_eq!(render(&a), unsupported_err("syslog level"));
        let mut a = two_accounts();
        a.vlan_id = Some(0);
        assert_eq!(render(&a), unsupported_err("vlan id"));
    }

    #[test]
    fn provisioning_url_goes_whole_to_p237() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
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
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(values(&a), pairs(&expected), "{url}");
        }
        for (url, scheme) in [("ftp://pbx/prov", "ftp"), ("://pbx", ""), ("sips://x", "sips")] {
            a.provisioning_url = Some(url.into());
            assert_eq!(render(&a), Err(RenderError::InvalidUrl(scheme.into())), "{url}");
        }
    }

    #[test]
    fn pnp_is_switched_off_unless_kept() {
        let mut a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        assert_eq!(values(&a), pairs(&[("P20165", "0")]));
        a.keep_pnp_enabled = true;
        assert_eq!(values(&a), pairs(&[]));
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
        for (key, para, value) in [
            ("P2", "AdminPassword", "new-admin"),
            ("P47", "Account1.Sipserver", "other.example"),
        ] {
            let at = base.iter().position(|(k, _, _)| k == key).expect("generated");
            assert_eq!(got[at], (key.to_owned(), para.to_owned(), value.to_owned()));
        }
        assert_eq!(
            got[base.len()..],
            [("P1362", "Override", "de"), ("P8", "Override", "0")].map(|(k, p, v)| (
                k.to_owned(),
                p.to_owned(),
                v.to_owned()
            ))
        );
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
        let text = String::from_utf8(render(&a).expect("renders").content).expect("utf-8");
        assert!(!text.contains("<evil/>"));
        let got = values(&a);
        assert_eq!(value_of(&got, "P34").as_deref(), Some(password));
        assert_eq!(value_of(&got, "P3").as_deref(), Some("  Zoë & 北京  "));
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
        assert!(!message.contains("hunter2") && !message.contains("secret"), "{message}");
        for (field, set) in [
            (
                "account 1 registrar",
                (|a: &mut Assignment| a.accounts[0].registrar_host = Some("pbx\n".into())) as fn(&mut _),
            ),
            ("admin password", |a| a.admin_password = Some("adm\u{0}in".into())),
            ("provisioning password", |a| {
                a.provisioning_password = Some("x\ry".into())
            }),
            ("override P2", |a| a.set_override("P2", "x\r\ny")),
        ] {
            let mut a = two_accounts();
            set(&mut a);
            assert_eq!(
                render(&a),
                Err(RenderError::ControlCharacter { field: field.into() }),
                "{field}"
            );
        }
    }

    #[test]
    fn account_limits() {
        for model in [None, Some("UC926"), Some("NoSuchPhone")] {
            let mut a = two_accounts();
            a.model = model.map(str::to_owned);
            a.account_mut(7).user_id = Some("107".into());
            assert_eq!(
                render(&a),
                Err(RenderError::TooManyAccounts { max: 6, got: 7 }),
                "{model:?}"
            );
        }
        assert_eq!(account_limit(VENDOR, Some("NoSuchPhone"), FORMAT_MAX), FORMAT_MAX);
        let mut a = two_accounts();
        a.account_mut(9);
        assert_eq!(render(&a).expect("renders"), render(&two_accounts()).expect("renders"));
    }

    #[test]
    fn missing_mac_and_dispatch() {
        let a = Assignment {
            mac: None,
            ..two_accounts()
        };
        assert_eq!(render(&a), Err(RenderError::MissingMac));
        assert_eq!(super::super::render("htek", &two_accounts()), render(&two_accounts()));
    }

    #[test]
    fn common_file() {
        let file = super::super::render_shared("htek", "cfg0010.xml", &shared()).expect("renders");
        assert_eq!(file.file_name, "cfg0010.xml");
        assert_eq!(
            config_of(&file.content),
            [
                ("P2", "AdminPassword", "admin!"),
                ("P30", "UrlOrIpAddress", "pool.ntp.org"),
                ("P64", "Preference.TimeZone", "84"),
                ("P75", "Preference.DaylightSavingTime", "0"),
                ("P212", "FirmwareUpGrade.UrgrateMode", "1"),
                ("P237", "FirmwareUpGrade.ConfigServerPath", "http://prov.example/htek/"),
                ("P20165", "FirmwareUpGrade.PnPActive", "0"),
            ]
            .map(|(k, p, v)| (k.to_owned(), p.to_owned(), v.to_owned()))
        );
        assert_eq!(
            super::super::render_shared("htek", "cfg0012.xml", &two_accounts()),
            Err(RenderError::AccountsInSharedFile)
        );
        let mut a = shared();
        a.keys = vec![line_key(1, KeyKind::Line, 1, None, None)];
        assert_eq!(
            render_shared("cfg0010.xml", &a),
            unsupported_err("keys in a shared file")
        );
        for name in [
            "cfg.xml",
            "cfg001fc11c22a9.xml",
            "cfg00100.xml",
            "cfg001a.xml",
            "cfgUC926.xml",
            "0010.xml",
        ] {
            assert_eq!(
                render_shared(name, &shared()),
                Err(RenderError::UnsupportedFile(name.into())),
                "{name}"
            );
        }
        // The routed name renders.
        let found = crate::route::route("cfg0019.xml").expect("routed");
        assert_eq!(found.vendor, "htek");
        assert!(super::super::render_shared(found.vendor, "cfg0019.xml", &shared()).is_ok());
    }
}
