//! Gigaset DECT base stations N610 / N670 / N870 ("Nx70"): `<mac>.xml` in Gigaset's
//! "provisioning 1.1" XML, one SIP account per handset.
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <provisioning version="1.1" productID="e2">
//!   <nvm>
//!     <param name="DmGlobal.0.NtpServer" value="pool.ntp.org"></param>
//!     <oper name="add_hs" value="00001">
//!       <param name="hs.RegStatus" value="ToReg"></param>
//!     </oper>
//!     <param name="SipAccount.00001.UserName" value="101"></param>
//!   </nvm>
//! </provisioning>
//! ```
//!
//! **Confidence.** The format, the file name and the keys marked \[M\] below come from the
//! research (config-formats §2.6: wazo's `Nx70_83_v2_65_0` plugin) and Gigaset's own wiki pages
//! quoted in pnp-vendors §2.5 (GIGA-N: the `<provisioning version="1.1" productID="e2"><nvm>`
//! frame and the multicast switch). Gigaset's complete parameter list is not public in the
//! sources reached, so the provider-profile keys rest on one implementation (wazo) and nothing
//! here has been checked on a real base station (**VERIFY-HW**). Elements are written as
//! `<param …></param>`, which XML parsers read exactly like the `<param …/>` of Gigaset's
//! examples.
//!
//! **Other Gigaset phones are not this format**, and [`render`] refuses a model the capability
//! table puts in another family ([`RenderError::UnsupportedValue`] `model`): the N510 reads a
//! `<ProviderFrame>` of `SYMB_ITEM`s (§2.6), the Maxwell desk phones read provisioning 1.1 with
//! productID `mx3b` and other parameter names (`SIP.Account.N.*`, Gigaset wiki "Maxwell - Auto
//! provisioning"), and the snom-derived P-series desk phones read snom's `<settings>` XML
//! (Gigaset wiki "Configuration files"). A model the table does not know gets this format.
//!
//! **Accounts are handsets.** Account N is handset N, numbered with five digits (`00001`):
//! `<oper name="add_hs" value="0000N">` with `hs.RegStatus` = `ToReg` opens the handset's slot
//! for DECT registration, and `SipAccount.0000N.*` holds its SIP identity. Registrar, transport,
//! proxies, expiry, DTMF, SRTP and MWI are not per account on the Nx70 but per provider profile
//! (`SipProvider.P.*`, P from 0): accounts with the same values share one profile, in the
//! order they first appear, up to [`MAX_PROVIDERS`].
//!
//! | neutral field | Nx70 parameter | source |
//! |---|---|---|
//! | provisioning URL | `Provisioning.global.ProvisioningServer` | §2.6 \[M\] |
//! | NTP servers | `DmGlobal.0.NtpServer` (one: the first) | §2.6 \[M\] |
//! | time zone | `DmGlobal.0.TimeZone` = IANA name from the list the base accepts | §2.6, WZ `common.py` \[M\] |
//! | admin password | `WebUIAccounts.1.Password` | §2.6 \[M\] |
//! | PnP off | `SystemSettings.global.SipMulticastEnabled` = `0` | pnp-vendors §2.5 (GIGA-N) \[H\] |
//! | user id, auth id, password | `SipAccount.N.UserName`, `.AuthName`, `.AuthPassword` | §2.6 \[M\] |
//! | display name | `SipAccount.N.DisplayName` | WZ \[M\] |
//! | voicemail number | `SipAccount.N.VoiceMailMailbox` + `.VoiceMailActive` = `1` | WZ \[M\] |
//! | registrar host, port | `SipProvider.P.Domain`, `.ProxyServerAddress`/`Port`, `.RegServerAddress`/`Port` | WZ \[M\] |
//! | transport | `SipProvider.P.TransportProtocol` = `1` UDP, `2` TCP, `3` TLS | WZ \[M\] |
//! | registration expiry | `SipProvider.P.RegServerRefreshTimer` (seconds) | WZ \[M\] |
//! | backup registrar | `SipProvider.P.FailoverServerEnabled` = `1`, `.FailoverServerAddress`/`Port` | WZ \[M\] |
//! | outbound proxy | `SipProvider.P.OutboundProxyMode` = `0` (always), `.OutboundProxyAddress`/`Port` | WZ \[M\] |
//! | MWI | `SipProvider.P.MWISubscription` = `1`/`0` | WZ \[M\] |
//! | DTMF | `SipProvider.P.DTMFTransmission` = `1` in-band, `2` RFC 2833, `4` SIP INFO | WZ \[M\] |
//! | SRTP | `SipProvider.P.SRTP_Enabled` = `0`/`1`, `.AcceptNonSRTPCalls` = `1` optional / `0` required | WZ \[M\] |
//!
//! Not expressible, so [`RenderError::UnsupportedValue`]: account labels and codec lists (no
//! parameter found), programmable keys (handsets have none in this format), the firmware URL
//! (the `<firmware><file version url>` element needs the image's version, which the neutral
//! model does not carry), the language, the user password, HTTP credentials and resync
//! interval for provisioning, VLAN and syslog settings, and a time zone the base's list lacks.
//!
//! **Time zone.** The base takes an IANA name, but only from its own list (wazo keeps it as
//! `_VALID_TZ_GIGASET` and falls back to a zone of the same offset, which gets daylight saving
//! wrong). [`timezone_name`] writes a zone of that list as it is, `UTC` and its aliases as
//! `Greenwich`, `Europe/Kyiv` as the list's `Europe/Kiev`, and refuses every other zone.

use super::family::exact_family;
use super::file_name::{Case, mac_file_name};
use std::fmt::Display;

use super::accounts::{account_limit, used_accounts};
use super::field::Field;
use super::hostport::split_host_port;
use super::url::{check_known_scheme, split_scheme};
use super::xml::XmlWriter;
use super::{RenderError, RenderedFile, replace_or_append};
use crate::assign::{Account, Assignment, DtmfMode, SrtpMode, Transport};
use crate::digits::{MAX_DIGITS, decimal, push_decimal, push_padded};
use crate::timezone::Zone;

/// Canonical vendor id, for the capability table.
const VENDOR: &str = "gigaset";

/// The capability family this renderer writes for.
const FAMILY: &str = "N610 / N670 / N870 (DECT)";

/// Accounts (handsets) written at most: the N870's handset count (Gigaset data sheet; not in
/// the research) \[L\]. The format itself numbers handsets with five digits.
pub const MAX_ACCOUNTS: usize = 250;

/// Provider profiles (`SipProvider.0`–`.9`) a base has, as its web interface shows them \[L\].
pub const MAX_PROVIDERS: usize = 10;

/// Provisioning URL schemes the base fetches over.
const URL_SCHEMES: [&str; 2] = ["http", "https"];

/// Zone names the base's `DmGlobal.0.TimeZone` accepts (wazo `common.py`, `_VALID_TZ_GIGASET`).
const ZONES: &[&str] = &[
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Caracas",
    "America/Sao_Paulo",
    "Europe/Belfast",
    "Europe/Dublin",
    "Europe/Guernsey",
    "Europe/Isle_of_Man",
    "Europe/Jersey",
    "Europe/Lisbon",
    "Europe/London",
    "Greenwich",
    "Europe/Amsterdam",
    "Europe/Andorra",
    "Europe/Belgrade",
    "Europe/Berlin",
    "Europe/Bratislava",
    "Europe/Brussels",
    "Europe/Budapest",
    "Europe/Busingen",
    "Europe/Copenhagen",
    "Europe/Gibraltar",
    "Europe/Ljubljana",
    "Europe/Luxembourg",
    "Europe/Madrid",
    "Europe/Malta",
    "Europe/Monaco",
    "Europe/Oslo",
    "Europe/Paris",
    "Europe/Podgorica",
    "Europe/Prague",
    "Europe/Rome",
    "Europe/San_Marino",
    "Europe/Sarajevo",
    "Europe/Skopje",
    "Europe/Stockholm",
    "Europe/Tirane",
    "Europe/Vaduz",
    "Europe/Vatican",
    "Europe/Vienna",
    "Europe/Warsaw",
    "Europe/Zagreb",
    "Europe/Zurich",
    "Africa/Cairo",
    "Europe/Athens",
    "Europe/Bucharest",
    "Europe/Chisinau",
    "Europe/Helsinki",
    "Europe/Kaliningrad",
    "Europe/Kiev",
    "Europe/Mariehamn",
    "Europe/Nicosia",
    "Europe/Riga",
    "Europe/Sofia",
    "Europe/Tallinn",
    "Europe/Tiraspol",
    "Europe/Uzhgorod",
    "Europe/Vilnius",
    "Europe/Zaporozhye",
    "Europe/Istanbul",
    "Europe/Kirov",
    "Europe/Minsk",
    "Europe/Moscow",
    "Europe/Simferopol",
    "Europe/Volgograd",
    "Asia/Dubai",
    "Europe/Astrakhan",
    "Europe/Samara",
    "Europe/Ulyanovsk",
    "Asia/Karachi",
    "Asia/Dhaka",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Noumea",
];

/// Zone names that are UTC without daylight saving, written as the list's `Greenwich`.
const UTC_ALIASES: &[&str] = &[
    "UTC",
    "Etc/UTC",
    "Etc/UCT",
    "UCT",
    "Etc/GMT",
    "GMT",
    "Etc/Greenwich",
    "Etc/Universal",
    "Universal",
    "Etc/Zulu",
    "Zulu",
];

/// The name the base's `DmGlobal.0.TimeZone` takes for `zone`, if its list has one.
pub fn timezone_name(zone: &Zone) -> Option<&'static str> {
    if let Some(name) = ZONES.iter().find(|name| **name == zone.name) {
        return Some(name);
    }
    if UTC_ALIASES.contains(&zone.name) {
        return Some("Greenwich");
    }
    (zone.name == "Europe/Kyiv").then_some("Europe/Kiev")
}

/// Renders `<mac>.xml` (MAC in lower case) for the base station `a` describes.
///
/// The `<nvm>` section holds, in order: the provisioning server, NTP server, time zone, admin
/// password, the multicast switch (off unless PnP is kept on), one provider profile per
/// distinct set of server values, then each account's handset (`add_hs`) and `SipAccount`
/// parameters, then the overrides: an override is a parameter name; it replaces the generated
/// parameter of that name in place or is appended, in its given order.
///
/// Errors: no MAC ([`RenderError::MissingMac`]), a model of another Gigaset family, a value
/// the format cannot express or more than [`MAX_PROVIDERS`] profiles
/// ([`RenderError::UnsupportedValue`]), a provisioning URL that is not http or https
/// ([`RenderError::InvalidUrl`]), more accounts than [`MAX_ACCOUNTS`] (or the model's count),
/// a control character in any value or override.
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    if let Some(found) = exact_family(VENDOR, a.model.as_deref())
        && found.family.name != FAMILY
    {
        return Err(unsupported("model"));
    }
    refuse_unsupported_globals(a)?;
    let limit = account_limit(VENDOR, a.model.as_deref(), MAX_ACCOUNTS);
    let mut items = Vec::with_capacity(64 + a.overrides.len());
    globals(a, &mut items)?;
    accounts(&a.accounts, limit, &mut items)?;
    apply_overrides(&mut items, &a.overrides);

    let mut doc = XmlWriter::with_capacity(256 + 96 * items.len());
    doc.open("provisioning", &[("version", "1.1"), ("productID", "e2")])?;
    doc.open("nvm", &[])?;
    let mut name = String::with_capacity(64);
    // Only a `sippnp N` profile name is put together here (allocated when there is one).
    let mut number = String::new();
    let mut digits = [0; MAX_DIGITS];
    for item in &items {
        match item {
            Item::Param(param) => {
                name.clear();
                param.name.push_to(&mut name);
                let value = match param.value {
                    Value::Text(text) => text,
                    Value::Number(n) => decimal(n, &mut digits),
                    Value::Numbered(prefix, n) => {
                        number.clear();
                        number.push_str(prefix);
                        push_decimal(&mut number, n);
                        &number
                    }
                };
                write_param(&mut doc, &name, value, &param.field)?;
            }
            Item::AddHandset(index) => {
                name.clear();
                push_padded(&mut name, *index as u64, HANDSET_DIGITS);
                doc.open("oper", &[("name", "add_hs"), ("value", &name)])?;
                write_param(
                    &mut doc,
                    "hs.RegStatus",
                    "ToReg",
                    &Field::Global("handset registration"),
                )?;
                doc.close();
            }
        }
    }
    Ok(RenderedFile {
        file_name: mac_file_name("", mac, Case::Lower, ".xml"),
        content_type: "application/xml",
        content: doc.finish(),
    })
}

/// Writes `<param name="…" value="…"></param>`. A control character in the value is reported
/// as `field`, one in the name (only an override's can have one) as `override key`.
fn write_param(doc: &mut XmlWriter, name: &str, value: &str, field: &Field<'_>) -> Result<(), RenderError> {
    let attributes: [(&str, &str, &dyn Display); 2] = [("name", name, &"override key"), ("value", value, field)];
    doc.text_element_with_attribute_fields("param", &attributes, "", field)
}

/// [`RenderError::UnsupportedValue`] for `field`.
fn unsupported(field: impl Into<String>) -> RenderError {
    RenderError::UnsupportedValue { field: field.into() }
}

/// Refuses every global the format has no parameter for.
fn refuse_unsupported_globals(a: &Assignment) -> Result<(), RenderError> {
    let present = [
        (a.firmware_url.is_some(), "firmware url"),
        (a.language.is_some(), "language"),
        (a.user_password.is_some(), "user password"),
        (a.provisioning_user.is_some(), "provisioning user"),
        (a.provisioning_password.is_some(), "provisioning password"),
        (a.resync_interval_min.is_some(), "resync interval"),
        (a.vlan_id.is_some(), "vlan id"),
        (a.vlan_priority.is_some(), "vlan priority"),
        (a.syslog_host.is_some(), "syslog host"),
        (a.syslog_port.is_some(), "syslog port"),
        (a.syslog_level.is_some(), "syslog level"),
    ];
    if let Some((_, field)) = present.iter().find(|(set, _)| *set) {
        return Err(unsupported(*field));
    }
    if let Some((i, key)) = a.keys.iter().enumerate().next() {
        return Err(unsupported(format!("key {} kind {}", i + 1, key.kind.as_str())));
    }
    Ok(())
}

/// Digits of a handset number (`00001`).
const HANDSET_DIGITS: usize = 5;

/// One `<nvm>` entry.
enum Item<'a> {
    Param(Param<'a>),
    /// `<oper name="add_hs" value="0000N">` for handset N.
    AddHandset(usize),
}

/// `<param name="…" value="…">` with the neutral name of the value's source.
struct Param<'a> {
    name: Name<'a>,
    value: Value<'a>,
    field: Field<'a>,
}

/// A parameter name, put together only when written or compared.
#[derive(Clone, Copy)]
enum Name<'a> {
    Plain(&'a str),
    /// `SipProvider.P.suffix`.
    Provider(usize, &'static str),
    /// `SipAccount.0000N.suffix`.
    Handset(usize, &'static str),
}

impl Name<'_> {
    /// Appends the name to `out`.
    fn push_to(self, out: &mut String) {
        match self {
            Name::Plain(name) => out.push_str(name),
            Name::Provider(p, suffix) => {
                out.push_str("SipProvider.");
                push_decimal(out, p as u64);
                out.push('.');
                out.push_str(suffix);
            }
            Name::Handset(index, suffix) => {
                out.push_str("SipAccount.");
                push_padded(out, index as u64, HANDSET_DIGITS);
                out.push('.');
                out.push_str(suffix);
            }
        }
    }

    /// Whether the name is `key`.
    fn is(self, key: &str) -> bool {
        let (prefix, number, width, suffix) = match self {
            Name::Plain(name) => return name == key,
            Name::Provider(p, suffix) => ("SipProvider.", p, 0, suffix),
            Name::Handset(index, suffix) => ("SipAccount.", index, HANDSET_DIGITS, suffix),
        };
        let mut digits = String::new();
        push_padded(&mut digits, number as u64, width);
        key.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(digits.as_str()))
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|rest| rest == suffix)
    }
}

/// A parameter value: text, or a number written in decimal (after a prefix).
#[derive(Clone, Copy)]
enum Value<'a> {
    Text(&'a str),
    Number(u64),
    Numbered(&'static str, u64),
}

fn param<'a>(name: Name<'a>, value: Value<'a>, field: Field<'a>) -> Item<'a> {
    Item::Param(Param { name, value, field })
}

fn globals<'a>(a: &'a Assignment, items: &mut Vec<Item<'a>>) -> Result<(), RenderError> {
    let global = |name, value, field| param(Name::Plain(name), Value::Text(value), Field::Global(field));
    if let Some(url) = a.provisioning_url.as_deref() {
        let scheme = split_scheme(url).map_or("", |(scheme, _)| scheme);
        check_known_scheme(scheme, &URL_SCHEMES)?;
        items.push(global(
            "Provisioning.global.ProvisioningServer",
            url,
            "provisioning url",
        ));
    }
    if let Some(ntp) = a.ntp_server() {
        items.push(global("DmGlobal.0.NtpServer", ntp, "ntp server"));
    }
    if let Some(zone) = a.timezone {
        let name = timezone_name(&zone).ok_or_else(|| unsupported(format!("timezone {}", zone.name)))?;
        items.push(global("DmGlobal.0.TimeZone", name, "timezone"));
    }
    if let Some(password) = a.admin_password.as_deref() {
        items.push(global("WebUIAccounts.1.Password", password, "admin password"));
    }
    if !a.keep_pnp_enabled {
        items.push(global("SystemSettings.global.SipMulticastEnabled", "0", "pnp"));
    }
    Ok(())
}

/// What one provider profile holds: the server values of an account.
#[derive(PartialEq, Eq)]
struct Provider<'a> {
    registrar_host: Option<&'a str>,
    registrar_port: Option<u16>,
    transport: Transport,
    backup_host: Option<&'a str>,
    backup_port: Option<u16>,
    outbound_proxy: Option<&'a str>,
    register_expires: Option<u32>,
    mwi: Option<bool>,
    dtmf: Option<DtmfMode>,
    srtp: Option<SrtpMode>,
}

impl<'a> Provider<'a> {
    fn of(acct: &'a Account) -> Provider<'a> {
        Provider {
            registrar_host: acct.registrar_host.as_deref(),
            registrar_port: acct.registrar_port,
            transport: acct.transport,
            backup_host: acct.backup_registrar_host.as_deref(),
            backup_port: acct.backup_registrar_port,
            outbound_proxy: acct.outbound_proxy.as_deref(),
            register_expires: acct.register_expires,
            mwi: acct.mwi,
            dtmf: acct.dtmf,
            srtp: acct.srtp,
        }
    }

    /// Appends the profile's `SipProvider.P.*` parameters; `index` is the first account using
    /// it.
    fn params(&self, p: usize, index: usize, items: &mut Vec<Item<'a>>) -> Result<(), RenderError> {
        let key = |suffix| Name::Provider(p, suffix);
        let field = |name| Field::Account(index, name);
        let text = Value::Text;
        let number = |n: u16| Value::Number(n.into());
        let name = match self.registrar_host {
            Some(host) => param(key("Name"), text(host), field("registrar")),
            None => param(
                key("Name"),
                Value::Numbered("sippnp ", p as u64 + 1),
                field("registrar"),
            ),
        };
        items.push(name);
        if let Some(host) = self.registrar_host {
            for suffix in ["Domain", "ProxyServerAddress", "RegServerAddress"] {
                items.push(param(key(suffix), text(host), field("registrar")));
            }
        }
        if let Some(port) = self.registrar_port {
            for suffix in ["ProxyServerPort", "RegServerPort"] {
                items.push(param(key(suffix), number(port), field("registrar port")));
            }
        }
        if let Some(expires) = self.register_expires {
            items.push(param(
                key("RegServerRefreshTimer"),
                Value::Number(expires.into()),
                field("registration expiry"),
            ));
        }
        let transport = match self.transport {
            Transport::Udp => "1",
            Transport::Tcp => "2",
            Transport::Tls => "3",
        };
        items.push(param(key("TransportProtocol"), text(transport), field("transport")));
        match self.srtp {
            None => {}
            Some(SrtpMode::Disabled) => items.push(param(key("SRTP_Enabled"), text("0"), field("srtp"))),
            Some(mode) => {
                items.push(param(key("SRTP_Enabled"), text("1"), field("srtp")));
                let accept_plain = if mode == SrtpMode::Optional { "1" } else { "0" };
                items.push(param(key("AcceptNonSRTPCalls"), text(accept_plain), field("srtp")));
            }
        }
        if let Some(mode) = self.dtmf {
            let code = match mode {
                DtmfMode::Inband => "1",
                DtmfMode::Rfc2833 => "2",
                DtmfMode::SipInfo => "4",
            };
            items.push(param(key("DTMFTransmission"), text(code), field("dtmf")));
        }
        match (self.backup_host, self.backup_port) {
            (Some(host), port) => {
                items.push(param(
                    key("FailoverServerEnabled"),
                    text("1"),
                    field("backup registrar"),
                ));
                items.push(param(
                    key("FailoverServerAddress"),
                    text(host),
                    field("backup registrar"),
                ));
                if let Some(port) = port {
                    items.push(param(
                        key("FailoverServerPort"),
                        number(port),
                        field("backup registrar port"),
                    ));
                }
            }
            (None, Some(_)) => {
                return Err(unsupported(format!(
                    "account {index} backup registrar port without a host"
                )));
            }
            (None, None) => {}
        }
        if let Some(proxy) = self.outbound_proxy {
            let (host, port) = split_host_port(proxy);
            items.push(param(key("OutboundProxyMode"), text("0"), field("outbound proxy")));
            items.push(param(key("OutboundProxyAddress"), text(host), field("outbound proxy")));
            if let Some(port) = port {
                items.push(param(key("OutboundProxyPort"), number(port), field("outbound proxy")));
            }
        }
        if let Some(mwi) = self.mwi {
            let on = if mwi { "1" } else { "0" };
            items.push(param(key("MWISubscription"), text(on), field("mwi")));
        }
        Ok(())
    }
}

/// Appends the provider profiles the accounts use, then each account's handset and
/// `SipAccount` parameters.
///
/// Two passes over the accounts: the first checks them and appends the profiles, the second
/// appends the handsets, so that no second list has to be built and copied over.
fn accounts<'a>(accounts: &'a [Account], limit: usize, items: &mut Vec<Item<'a>>) -> Result<(), RenderError> {
    let mut providers: Vec<Provider<'_>> = Vec::with_capacity(MAX_PROVIDERS.min(accounts.len()));
    for (index, acct) in used_accounts(accounts, limit)? {
        if acct.label.is_some() {
            return Err(unsupported(format!("account {index} label")));
        }
        if !acct.codecs.is_empty() {
            return Err(unsupported(format!("account {index} codecs")));
        }
        let provider = Provider::of(acct);
        if !providers.contains(&provider) {
            if providers.len() == MAX_PROVIDERS {
                return Err(unsupported(format!(
                    "account {index} servers (more than {MAX_PROVIDERS} distinct provider profiles)"
                )));
            }
            provider.params(providers.len(), index, items)?;
            providers.push(provider);
        }
    }
    for (index, acct) in used_accounts(accounts, limit)? {
        let provider = Provider::of(acct);
        let p = providers
            .iter()
            .position(|known| *known == provider)
            .expect("the first pass added every account's profile");
        handset(index, acct, p, items);
    }
    Ok(())
}

/// Appends handset `index`'s `add_hs` and its `SipAccount` parameters (`p`: its profile).
fn handset<'a>(index: usize, acct: &'a Account, p: usize, items: &mut Vec<Item<'a>>) {
    let key = |suffix| Name::Handset(index, suffix);
    items.push(Item::AddHandset(index));
    let values = [
        ("UserName", "user id", acct.user_id.as_deref()),
        ("AuthName", "auth id", acct.effective_auth_id()),
        ("AuthPassword", "password", acct.password.as_deref()),
        ("DisplayName", "display name", acct.display_name.as_deref()),
    ];
    for (suffix, name, value) in values {
        if let Some(value) = value {
            items.push(param(key(suffix), Value::Text(value), Field::Account(index, name)));
        }
    }
    items.push(param(
        key("ProviderId"),
        Value::Number(p as u64),
        Field::Account(index, "servers"),
    ));
    if let Some(mailbox) = acct.voicemail_number.as_deref() {
        let field = Field::Account(index, "voicemail number");
        items.push(param(key("VoiceMailMailbox"), Value::Text(mailbox), field));
        items.push(param(key("VoiceMailActive"), Value::Text("1"), field));
    }
}

/// Replaces the parameter of the same name in place, else appends.
fn apply_overrides<'a>(items: &mut Vec<Item<'a>>, overrides: &'a [(String, String)]) {
    for (key, value) in overrides {
        let item = param(Name::Plain(key), Value::Text(value), Field::Override(key));
        replace_or_append(items, |i| matches!(i, Item::Param(p) if p.name.is(key)), item);
    }
}

#[cfg(test)]
mod tests {
    use super::super::xml::{Node, parse};
    use super::*;
    use crate::assign::{KeyKind, Transport};
    use crate::capabilities;
    use crate::device::Mac;

    const MAC: Mac = Mac([0x7c, 0x2f, 0x80, 0xe0, 0xd6, 0x05]);

    /// Two handsets on one PBX (one profile), a third on another server.
    fn base() -> Assignment {
        let mut a = Assignment {
            mac: Some(MAC),
            model: Some("N870 IP PRO".into()),
            provisioning_url: Some("https://prov.example/gigaset/".into()),
            ntp_servers: vec!["pool.ntp.org".into(), "ntp2.example".into()],
            timezone: Zone::find("Europe/Berlin"),
            admin_password: Some("admin!".into()),
            ..Assignment::default()
        };
        for index in [1, 2] {
            let acct = a.account_mut(index);
            acct.user_id = Some(format!("10{index}"));
            acct.password = Some(format!("pw10{index}"));
            acct.registrar_host = Some("pbx.example".into());
            acct.registrar_port = Some(5062);
            acct.register_expires = Some(600);
            acct.mwi = Some(true);
            acct.dtmf = Some(DtmfMode::Rfc2833);
            acct.backup_registrar_host = Some("pbx2.example".into());
        }
        let one = &mut a.accounts[0];
        one.auth_id = Some("auth101".into());
        one.display_name = Some("Front Desk".into());
        one.voicemail_number = Some("*97".into());
        let three = a.account_mut(3);
        three.user_id = Some("103".into());
        three.password = Some("pw103".into());
        three.registrar_host = Some("2001:db8::1".into());
        three.transport = Transport::Tls;
        three.srtp = Some(SrtpMode::Required);
        three.outbound_proxy = Some("[2001:db8::2]:5071".into());
        a
    }

    /// The `<param>`s as (name, value) in document order, with each oper's own params
    /// prefixed by `add_hs VALUE/`.
    fn params(a: &Assignment) -> Vec<(String, String)> {
        let nodes = parse(&render(a).expect("renders").content);
        let mut out = Vec::new();
        let mut oper = String::new();
        for Node { path, attributes, .. } in nodes {
            let attr = |name: &str| {
                attributes
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            match path.as_str() {
                "provisioning/nvm/oper" => oper = format!("{} {}/", attr("name"), attr("value")),
                "provisioning/nvm/param" => out.push((attr("name"), attr("value"))),
                "provisioning/nvm/oper/param" => out.push((format!("{oper}{}", attr("name")), attr("value"))),
                _ => {}
            }
        }
        out
    }

    fn value_of(got: &[(String, String)], name: &str) -> Option<String> {
        got.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    fn unsupported_err(field: &str) -> Result<RenderedFile, RenderError> {
        Err(RenderError::UnsupportedValue { field: field.into() })
    }

    /// Written by hand from the parameter table in the module docs (§2.6, GIGA-N, WZ).
    #[test]
    fn golden_three_handsets() {
        let file = render(&base()).expect("renders");
        assert_eq!(file.file_name, "7c2f80e0d605.xml");
        assert_eq!(file.content_type, "application/xml");
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.1" productID="e2">
  <nvm>
    <param name="Provisioning.global.ProvisioningServer" value="https://prov.example/gigaset/"></param>
    <param name="DmGlobal.0.NtpServer" value="pool.ntp.org"></param>
    <param name="DmGlobal.0.TimeZone" value="Europe/Berlin"></param>
    <param name="WebUIAccounts.1.Password" value="admin!"></param>
    <param name="SystemSettings.global.SipMulticastEnabled" value="0"></param>
    <param name="SipProvider.0.Name" value="pbx.example"></param>
    <param name="SipProvider.0.Domain" value="pbx.example"></param>
    <param name="SipProvider.0.ProxyServerAddress" value="pbx.example"></param>
    <param name="SipProvider.0.RegServerAddress" value="pbx.example"></param>
    <param name="SipProvider.0.ProxyServerPort" value="5062"></param>
    <param name="SipProvider.0.RegServerPort" value="5062"></param>
    <param name="SipProvider.0.RegServerRefreshTimer" value="600"></param>
    <param name="SipProvider.0.TransportProtocol" value="1"></param>
    <param name="SipProvider.0.DTMFTransmission" value="2"></param>
    <param name="SipProvider.0.FailoverServerEnabled" value="1"></param>
    <param name="SipProvider.0.FailoverServerAddress" value="pbx2.example"></param>
    <param name="SipProvider.0.MWISubscription" value="1"></param>
    <param name="SipProvider.1.Name" value="2001:db8::1"></param>
    <param name="SipProvider.1.Domain" value="2001:db8::1"></param>
    <param name="SipProvider.1.ProxyServerAddress" value="2001:db8::1"></param>
    <param name="SipProvider.1.RegServerAddress" value="2001:db8::1"></param>
    <param name="SipProvider.1.TransportProtocol" value="3"></param>
    <param name="SipProvider.1.SRTP_Enabled" value="1"></param>
    <param name="SipProvider.1.AcceptNonSRTPCalls" value="0"></param>
    <param name="SipProvider.1.OutboundProxyMode" value="0"></param>
    <param name="SipProvider.1.OutboundProxyAddress" value="2001:db8::2"></param>
    <param name="SipProvider.1.OutboundProxyPort" value="5071"></param>
    <oper name="add_hs" value="00001">
      <param name="hs.RegStatus" value="ToReg"></param>
    </oper>
    <param name="SipAccount.00001.UserName" value="101"></param>
    <param name="SipAccount.00001.AuthName" value="auth101"></param>
    <param name="SipAccount.00001.AuthPassword" value="pw101"></param>
    <param name="SipAccount.00001.DisplayName" value="Front Desk"></param>
    <param name="SipAccount.00001.ProviderId" value="0"></param>
    <param name="SipAccount.00001.VoiceMailMailbox" value="*97"></param>
    <param name="SipAccount.00001.VoiceMailActive" value="1"></param>
    <oper name="add_hs" value="00002">
      <param name="hs.RegStatus" value="ToReg"></param>
    </oper>
    <param name="SipAccount.00002.UserName" value="102"></param>
    <param name="SipAccount.00002.AuthName" value="102"></param>
    <param name="SipAccount.00002.AuthPassword" value="pw102"></param>
    <param name="SipAccount.00002.ProviderId" value="0"></param>
    <oper name="add_hs" value="00003">
      <param name="hs.RegStatus" value="ToReg"></param>
    </oper>
    <param name="SipAccount.00003.UserName" value="103"></param>
    <param name="SipAccount.00003.AuthName" value="103"></param>
    <param name="SipAccount.00003.AuthPassword" value="pw103"></param>
    <param name="SipAccount.00003.ProviderId" value="1"></param>
  </nvm>
</provisioning>
"#;
        assert_eq!(String::from_utf8(file.content).expect("utf-8"), expected);
    }

    #[test]
    fn parses_back_with_every_field() {
        let mut a = base();
        a.accounts[1].srtp = Some(SrtpMode::Optional);
        a.accounts[1].mwi = Some(false);
        a.accounts[1].dtmf = Some(DtmfMode::SipInfo);
        a.accounts[1].backup_registrar_port = Some(5070);
        let got = params(&a);
        // Account 2 now differs from account 1: three profiles.
        for (name, value) in [
            ("SipProvider.1.SRTP_Enabled", "1"),
            ("SipProvider.1.AcceptNonSRTPCalls", "1"),
            ("SipProvider.1.MWISubscription", "0"),
            ("SipProvider.1.DTMFTransmission", "4"),
            ("SipProvider.1.FailoverServerPort", "5070"),
            ("SipProvider.2.TransportProtocol", "3"),
            ("SipAccount.00002.ProviderId", "1"),
            ("SipAccount.00003.ProviderId", "2"),
            ("add_hs 00003/hs.RegStatus", "ToReg"),
        ] {
            assert_eq!(value_of(&got, name).as_deref(), Some(value), "{name}");
        }
        let mut a = base();
        a.accounts[0].dtmf = Some(DtmfMode::Inband);
        a.accounts[1].srtp = Some(SrtpMode::Disabled);
        let got = params(&a);
        assert_eq!(value_of(&got, "SipProvider.0.DTMFTransmission").as_deref(), Some("1"));
        assert_eq!(value_of(&got, "SipProvider.1.SRTP_Enabled").as_deref(), Some("0"));
        assert_eq!(value_of(&got, "SipProvider.1.AcceptNonSRTPCalls"), None);
    }

    #[test]
    fn special_characters_round_trip() {
        let mut a = base();
        let password = "a&b<c>d\"e'f ]]> \"/><param name=\"x";
        a.accounts[0].password = Some(password.into());
        a.accounts[0].display_name = Some("Zoë & 北京".into());
        a.set_override("Odd name & <stuff>", "]]>\"'");
        let got = params(&a);
        assert_eq!(
            value_of(&got, "SipAccount.00001.AuthPassword").as_deref(),
            Some(password)
        );
        assert_eq!(
            value_of(&got, "SipAccount.00001.DisplayName").as_deref(),
            Some("Zoë & 北京")
        );
        assert_eq!(value_of(&got, "Odd name & <stuff>").as_deref(), Some("]]>\"'"));
        assert!(value_of(&got, "x").is_none());
    }

    #[test]
    fn control_characters_name_the_field() {
        type Edit = fn(&mut Assignment);
        let cases: [(Edit, &str); 6] = [
            (
                |a| a.accounts[1].password = Some("hunter2\u{7}".into()),
                "account 2 password",
            ),
            (|a| a.ntp_servers = vec!["ntp\n".into()], "ntp server"),
            (|a| a.admin_password = Some("\r".into()), "admin password"),
            (
                |a| a.accounts[0].display_name = Some("\u{85}".into()),
                "account 1 display name",
            ),
            (|a| a.set_override("a\nb", "v"), "override key"),
            (|a| a.set_override("k", "v\u{0}"), "override k"),
        ];
        for (edit, field) in cases {
            let mut a = base();
            edit(&mut a);
            let err = render(&a).expect_err(field);
            assert_eq!(err, RenderError::ControlCharacter { field: field.into() });
            assert!(!err.to_string().contains("hunter2"));
        }
    }

    #[test]
    fn timezones() {
        let name = |zone: &str| timezone_name(&Zone::find(zone).unwrap_or_else(|| panic!("{zone}")));
        assert_eq!(name("Europe/Berlin"), Some("Europe/Berlin"));
        assert_eq!(name("America/New_York"), Some("America/New_York"));
        assert_eq!(name("UTC"), Some("Greenwich"));
        assert_eq!(name("Etc/UTC"), Some("Greenwich"));
        assert_eq!(name("Europe/Kyiv"), Some("Europe/Kiev"));
        assert_eq!(name("Asia/Kolkata"), None);
        assert_eq!(name("Asia/Kathmandu"), None);
        assert_eq!(name("Australia/Lord_Howe"), None);
        for zone in ZONES.iter().chain(UTC_ALIASES) {
            assert!(Zone::find(zone).is_some(), "{zone} is not a zone");
        }
        let mut a = base();
        a.timezone = Zone::find("UTC");
        assert_eq!(
            value_of(&params(&a), "DmGlobal.0.TimeZone").as_deref(),
            Some("Greenwich")
        );
        a.timezone = Zone::find("Asia/Kathmandu");
        assert_eq!(render(&a), unsupported_err("timezone Asia/Kathmandu"));
    }

    #[test]
    fn values_the_format_cannot_express() {
        type Edit = fn(&mut Assignment);
        let cases: [(Edit, &str); 14] = [
            (|a| a.firmware_url = Some("http://fw/x.bin".into()), "firmware url"),
            (|a| a.language = Some("de".into()), "language"),
            (|a| a.user_password = Some("u".into()), "user password"),
            (|a| a.provisioning_user = Some("u".into()), "provisioning user"),
            (|a| a.provisioning_password = Some("p".into()), "provisioning password"),
            (|a| a.resync_interval_min = Some(5), "resync interval"),
            (|a| a.vlan_id = Some(10), "vlan id"),
            (|a| a.vlan_priority = Some(5), "vlan priority"),
            (|a| a.syslog_host = Some("log".into()), "syslog host"),
            (|a| a.syslog_level = Some(3), "syslog level"),
            (|a| a.accounts[1].label = Some("L".into()), "account 2 label"),
            (
                |a| a.accounts[0].codecs = vec![crate::assign::Codec::Pcma],
                "account 1 codecs",
            ),
            (|a| a.key_mut(1).kind = KeyKind::Blf, "key 1 kind blf"),
            (
                |a| {
                    a.accounts[2].backup_registrar_port = Some(5060);
                },
                "account 3 backup registrar port without a host",
            ),
        ];
        for (edit, field) in cases {
            let mut a = base();
            edit(&mut a);
            assert_eq!(render(&a), unsupported_err(field), "{field}");
        }
    }

    #[test]
    fn models_of_other_families_are_refused() {
        let mut a = base();
        for model in ["N870 IP PRO", "N670", "N610", "X999", ""] {
            a.model = Some(model.into());
            assert!(render(&a).is_ok(), "{model}");
        }
        a.model = None;
        assert!(render(&a).is_ok());
        // Any exact match outside the Nx70 family (the Maxwell desk phones, the N510…).
        let other = capabilities::FAMILIES
            .iter()
            .filter(|f| f.vendor == VENDOR && f.name != FAMILY)
            .flat_map(|f| f.models)
            .next()
            .expect("another gigaset family");
        a.model = Some(other.pattern.trim_end_matches('*').replace('x', "1"));
        assert_eq!(render(&a), unsupported_err("model"));
    }

    #[test]
    fn account_and_provider_limits() {
        let mut a = base();
        a.account_mut(MAX_ACCOUNTS).user_id = Some("last".into());
        assert!(render(&a).is_ok());
        a.account_mut(MAX_ACCOUNTS + 1).user_id = Some("over".into());
        assert_eq!(
            render(&a),
            Err(RenderError::TooManyAccounts {
                max: MAX_ACCOUNTS,
                got: MAX_ACCOUNTS + 1
            })
        );
        // An unknown model gets the format's limit too.
        a.model = None;
        assert!(matches!(render(&a), Err(RenderError::TooManyAccounts { .. })));

        let mut a = base();
        for index in 1..=MAX_PROVIDERS + 1 {
            let acct = a.account_mut(index);
            acct.user_id = Some(format!("{index}"));
            acct.registrar_host = Some(format!("pbx{index}.example"));
        }
        assert_eq!(
            render(&a),
            unsupported_err("account 11 servers (more than 10 distinct provider profiles)")
        );
    }

    #[test]
    fn pnp_and_overrides() {
        let a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        assert_eq!(
            params(&a),
            [("SystemSettings.global.SipMulticastEnabled".to_owned(), "0".to_owned())]
        );
        let mut kept = a.clone();
        kept.keep_pnp_enabled = true;
        assert_eq!(
            String::from_utf8(render(&kept).expect("renders").content).expect("utf-8"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<provisioning version=\"1.1\" productID=\"e2\">\n  \
             <nvm>\n  </nvm>\n</provisioning>\n"
        );

        let mut a = base();
        a.set_override("SystemSettings.global.SipMulticastEnabled", "1");
        a.set_override("Telephony.0.ToneScheme", "Germany");
        a.set_override("SipProvider.0.TransportProtocol", "2");
        let got = params(&a);
        let base_len = params(&base()).len();
        assert_eq!(got.len(), base_len + 1);
        assert_eq!(got[4], ("SystemSettings.global.SipMulticastEnabled".into(), "1".into()));
        assert_eq!(value_of(&got, "SipProvider.0.TransportProtocol").as_deref(), Some("2"));
        assert_eq!(got[base_len], ("Telephony.0.ToneScheme".into(), "Germany".into()));
    }

    #[test]
    fn provisioning_url_and_mac() {
        let mut a = base();
        a.provisioning_url = Some("tftp://x/".into());
        assert_eq!(render(&a), Err(RenderError::InvalidUrl("tftp".into())));
        a.provisioning_url = Some("pbx/prov".into());
        assert_eq!(render(&a), Err(RenderError::InvalidUrl(String::new())));
        a.provisioning_url = None;
        a.mac = None;
        assert_eq!(render(&a), Err(RenderError::MissingMac));
    }

    #[test]
    fn dispatched_and_deterministic() {
        let a = base();
        assert_eq!(super::super::render("gigaset", &a), render(&a));
        assert!(super::super::supported_vendors().contains(&"gigaset"));
        assert_eq!(render(&a).expect("renders"), render(&a.clone()).expect("renders"));
        assert_eq!(
            super::super::render_shared("gigaset", "provisioning.xml", &Assignment::default()),
            Err(RenderError::UnsupportedFile("provisioning.xml".into()))
        );
    }
}
