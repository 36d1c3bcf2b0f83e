//! The vendor-neutral assignment: what the PBX decided one device gets.
//!
//! Renderers turn an [`Assignment`] into a vendor's own config file. Nothing here knows about
//! SIP or about any vendor's key names. [`fields`] sets any field from text, by number or by
//! name, for the C ABI and the devices file.

pub mod fields;
mod kinds;

pub use kinds::{Codec, DtmfMode, KeyBank, KeyKind, SrtpMode, Transport};

use crate::device::Mac;
use crate::timezone::Zone;

/// One SIP account (line) on the phone. Index 1 is the phone's first account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// Text the phone shows for the line.
    pub label: Option<String>,
    /// Caller name sent in From.
    pub display_name: Option<String>,
    /// SIP user id (the extension).
    pub user_id: Option<String>,
    /// Digest authentication id; renderers fall back to `user_id` when absent.
    pub auth_id: Option<String>,
    /// Digest password. Secret: never logged.
    pub password: Option<String>,
    /// Registrar host name or IP literal (IPv6 without brackets).
    pub registrar_host: Option<String>,
    /// Registrar port; `None` means the transport's default.
    pub registrar_port: Option<u16>,
    pub transport: Transport,
    /// Backup (failover) registrar host, same rules as `registrar_host`.
    pub backup_registrar_host: Option<String>,
    pub backup_registrar_port: Option<u16>,
    /// Outbound proxy as `host` or `host:port`.
    pub outbound_proxy: Option<String>,
    /// Registration expiry in seconds; `None` keeps the phone's default.
    pub register_expires: Option<u32>,
    /// Number the voicemail key dials.
    pub voicemail_number: Option<String>,
    /// Subscribe for message-waiting indication; `None` keeps the phone's default.
    pub mwi: Option<bool>,
    /// Codecs in order of preference; empty keeps the phone's default list.
    pub codecs: Vec<Codec>,
    pub dtmf: Option<DtmfMode>,
    pub srtp: Option<SrtpMode>,
}

impl Account {
    /// The auth id a phone should use: the explicit one, else the user id.
    pub fn effective_auth_id(&self) -> Option<&str> {
        self.auth_id.as_deref().or(self.user_id.as_deref())
    }

    /// `host` or `host:port`, with IPv6 literals in brackets; `None` without a registrar host.
    pub fn registrar_hostport(&self) -> Option<String> {
        let host = self.registrar_host.as_deref()?;
        Some(crate::net::join_host_port(host, self.registrar_port))
    }

    /// The backup registrar as `host` or `host:port`; `None` without one.
    pub fn backup_registrar_hostport(&self) -> Option<String> {
        let host = self.backup_registrar_host.as_deref()?;
        Some(crate::net::join_host_port(host, self.backup_registrar_port))
    }
}

/// One programmable key: a line, BLF, speed-dial, … key at a position of a bank.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Key {
    pub bank: KeyBank,
    /// 1-based position inside the bank.
    pub position: u16,
    pub kind: KeyKind,
    /// 1-based account the key uses.
    pub account: u8,
    /// What the key dials or watches (extension, number); `None` for line keys.
    pub value: Option<String>,
    /// Text shown next to the key.
    pub label: Option<String>,
}

impl Key {
    /// An unused programmable key at `position`, on account 1: what a new key index starts as.
    pub(crate) fn unused_at(position: usize) -> Key {
        Key {
            position: u16::try_from(position).unwrap_or(u16::MAX),
            account: 1,
            ..Key::default()
        }
    }
}

/// Everything one device gets. Built by the PBX (through the lookup), read by renderers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assignment {
    pub mac: Option<Mac>,
    /// Canonical vendor id (`grandstream`, `snom`, …); `None` means "as detected".
    pub vendor: Option<String>,
    pub model: Option<String>,
    /// Accounts in order; `accounts[0]` is account 1.
    pub accounts: Vec<Account>,
    /// Programmable keys, in the order the host gave them.
    pub keys: Vec<Key>,
    /// Where the phone fetches its config from later (scheme://host/path).
    pub provisioning_url: Option<String>,
    /// HTTP user and password for the config fetch. The password is a secret.
    pub provisioning_user: Option<String>,
    pub provisioning_password: Option<String>,
    /// Minutes between the phone's config checks; `None` keeps the phone's default.
    pub resync_interval_min: Option<u32>,
    /// Where the phone fetches firmware (a directory or file URL, vendor dependent).
    pub firmware_url: Option<String>,
    /// NTP servers in order of preference (host names or IP literals).
    pub ntp_servers: Vec<String>,
    /// IANA time zone; each renderer maps it to its vendor's notation.
    pub timezone: Option<Zone>,
    /// ISO 639-1 language code (`en`, `de`, …), lower case.
    pub language: Option<String>,
    /// Phone admin password. Secret: never logged.
    pub admin_password: Option<String>,
    /// Phone user (end-user web) password. Secret: never logged.
    pub user_password: Option<String>,
    /// The key the phone opens encrypted config files with, written where the vendor reads it
    /// from a config (Grandstream P1359, Yealink's plaintext `aes_key` settings), so that the
    /// next files can be served encrypted with it. Secret: never logged.
    pub config_key: Option<String>,
    /// Voice VLAN id (1–4094) and 802.1p priority (0–7).
    pub vlan_id: Option<u16>,
    pub vlan_priority: Option<u8>,
    /// Remote syslog server, its port and the level (0–7, syslog severities).
    pub syslog_host: Option<String>,
    pub syslog_port: Option<u16>,
    pub syslog_level: Option<u8>,
    /// Leave SIP Plug-and-Play on after provisioning. Off by default: renderers write the
    /// vendor's "PnP off" key, so a provisioned phone stops multicasting SUBSCRIBEs at boot.
    pub keep_pnp_enabled: bool,
    /// Raw vendor keys, emitted last and winning over generated keys with the same name.
    pub overrides: Vec<(String, String)>,
}

impl Assignment {
    /// Account `index` (1-based), created empty (with any gap before it) on first use.
    pub fn account_mut(&mut self, index: usize) -> &mut Account {
        assert!(index >= 1, "account indices start at 1");
        if self.accounts.len() < index {
            self.accounts.resize_with(index, Account::default);
        }
        &mut self.accounts[index - 1]
    }

    /// Key `index` (1-based, in the host's order), created on first use as an unused key in
    /// the programmable bank at position `index` of account 1.
    pub fn key_mut(&mut self, index: usize) -> &mut Key {
        assert!(index >= 1, "key indices start at 1");
        while self.keys.len() < index {
            self.keys.push(Key::unused_at(self.keys.len() + 1));
        }
        &mut self.keys[index - 1]
    }

    /// Sets a raw vendor key; a later value for the same key replaces the earlier one.
    pub fn set_override(&mut self, key: &str, value: &str) {
        match self.overrides.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_owned(),
            None => self.overrides.push((key.to_owned(), value.to_owned())),
        }
    }

    /// The first NTP server, for vendors that take one.
    pub fn ntp_server(&self) -> Option<&str> {
        self.ntp_servers.first().map(String::as_str)
    }
}

/// What the host decided for one device.
#[allow(
    clippy::large_enum_variant,
    reason = "returned once per lookup and moved, never stored in bulk: boxing would only add an allocation"
)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Provision this device with this assignment.
    Assign(Assignment),
    /// Not in the host's inventory: the context's unknown-device policy decides.
    Unknown,
    /// Stay silent: another server may own this phone.
    Ignore,
}

/// The host's answer to "what does this device get?".
pub trait Lookup {
    /// Decides for `device`. An `Err` makes the whole operation fail with a lookup error.
    fn lookup(&self, device: &crate::device::Device) -> Result<Decision, LookupError>;
}

/// The lookup itself failed (database down, callback returned an invalid code, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupError(pub &'static str);

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "lookup failed: {}", self.0)
    }
}

impl std::error::Error for LookupError {}

/// A lookup that knows no device (every device is unknown).
pub struct NoLookup;

impl Lookup for NoLookup {
    fn lookup(&self, _device: &crate::device::Device) -> Result<Decision, LookupError> {
        Ok(Decision::Unknown)
    }
}

impl<L: Lookup + ?Sized> Lookup for std::sync::Arc<L> {
    fn lookup(&self, device: &crate::device::Device) -> Result<Decision, LookupError> {
        (**self).lookup(device)
    }
}
