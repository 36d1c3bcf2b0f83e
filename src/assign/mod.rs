//! The vendor-neutral assignment: what the PBX decided one device gets.
//!
//! Renderers turn an [`Assignment`] into a vendor's own config file. Nothing here knows about
//! SIP or about any vendor's key names.

use crate::device::Mac;

/// SIP transport a phone should register with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    #[default]
    Udp,
    Tcp,
    Tls,
}

impl Transport {
    /// Lower-case name as used in SIP URIs (`transport=` parameter).
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }

    /// Parses `udp`, `tcp` or `tls` (any case).
    pub fn parse(text: &str) -> Option<Transport> {
        match text.to_ascii_lowercase().as_str() {
            "udp" => Some(Transport::Udp),
            "tcp" => Some(Transport::Tcp),
            "tls" => Some(Transport::Tls),
            _ => None,
        }
    }
}

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
    /// Outbound proxy as `host` or `host:port`.
    pub outbound_proxy: Option<String>,
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
    /// Where the phone fetches its config from later (scheme://host/path).
    pub provisioning_url: Option<String>,
    pub ntp_server: Option<String>,
    /// Timezone as the vendor expects it (passed through).
    pub timezone: Option<String>,
    /// Phone admin password. Secret: never logged.
    pub admin_password: Option<String>,
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

    /// Sets a raw vendor key; a later value for the same key replaces the earlier one.
    pub fn set_override(&mut self, key: &str, value: &str) {
        match self.overrides.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_owned(),
            None => self.overrides.push((key.to_owned(), value.to_owned())),
        }
    }
}

/// What the host decided for one device.
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
