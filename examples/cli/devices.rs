//! The devices file (TOML in sippnp's neutral model, see `examples/devices.toml`) and the
//! [`Lookup`] the tool builds from it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use sippnp::assign::{Account, Assignment, Decision, Lookup, LookupError, Transport};
use sippnp::device::{Device, Mac};
use toml::Spanned;

/// What to do when a listed device asks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Answer with the provisioning URL and serve the config.
    #[default]
    Assign,
    /// Stay silent: another server owns this phone.
    Ignore,
}

/// The devices of one file, by MAC.
#[derive(Default)]
pub struct Inventory {
    devices: HashMap<Mac, (Action, Assignment)>,
}

/// Why a devices file could not be loaded. Messages name the file (and the line where there is
/// one) and never quote a value that could be a secret.
pub enum LoadError {
    /// The file could not be read.
    Io(String),
    /// The file is not a valid devices file.
    Invalid(String),
}

impl Inventory {
    /// Reads and checks the devices file at `path`.
    pub fn load(path: &Path) -> Result<Inventory, LoadError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io(format!("{name}: {e}")))?;
        Inventory::parse(&text, &name).map_err(LoadError::Invalid)
    }

    /// Parses devices file `text`; errors are one line and start with `name`.
    pub fn parse(text: &str, name: &str) -> Result<Inventory, String> {
        let file: RawFile = toml::from_str(text).map_err(|e| {
            let message = one_line(&redact_value(e.message()));
            match e.span() {
                Some(span) => format!("{name}:{}: {message}", position(text, span.start)),
                None => format!("{name}: {message}"),
            }
        })?;
        let mut devices: HashMap<Mac, (Action, Assignment, String)> = HashMap::new();
        for raw in file.device {
            let line = position(text, raw.mac.span().start);
            let (mac, action, assignment) = raw.into_assignment();
            if let Some((_, _, first)) = devices.get(&mac) {
                return Err(format!(
                    "{name}:{line}: duplicate device {mac} (first listed at {first})"
                ));
            }
            devices.insert(mac, (action, assignment, line));
        }
        Ok(Inventory {
            devices: devices
                .into_iter()
                .map(|(mac, (action, assignment, _))| (mac, (action, assignment)))
                .collect(),
        })
    }

    /// What the file says about `mac`, if it lists it.
    pub fn get(&self, mac: Mac) -> Option<(Action, &Assignment)> {
        self.devices.get(&mac).map(|(action, assignment)| (*action, assignment))
    }
}

impl Lookup for Inventory {
    fn lookup(&self, device: &Device) -> Result<Decision, LookupError> {
        Ok(match device.mac.and_then(|mac| self.get(mac)) {
            Some((Action::Assign, assignment)) => Decision::Assign(assignment.clone()),
            Some((Action::Ignore, _)) => Decision::Ignore,
            None => Decision::Unknown,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    device: Vec<RawDevice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevice {
    mac: Spanned<MacValue>,
    vendor: Option<String>,
    model: Option<Text>,
    #[serde(default)]
    action: Action,
    provisioning_url: Option<String>,
    ntp_server: Option<String>,
    timezone: Option<String>,
    admin_password: Option<Text>,
    #[serde(default)]
    keep_pnp_enabled: bool,
    #[serde(default)]
    account: Vec<RawAccount>,
    #[serde(default)]
    overrides: BTreeMap<String, Spanned<Text>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    label: Option<Text>,
    display_name: Option<Text>,
    user_id: Option<Text>,
    auth_id: Option<Text>,
    password: Option<Text>,
    registrar: Option<HostValue>,
    registrar_port: Option<u16>,
    #[serde(default)]
    transport: TransportValue,
    outbound_proxy: Option<String>,
}

impl RawDevice {
    fn into_assignment(self) -> (Mac, Action, Assignment) {
        let mac = self.mac.into_inner().0;
        // TOML tables come back sorted by key; keep the overrides in the order written.
        let mut overrides: Vec<_> = self.overrides.into_iter().collect();
        overrides.sort_by_key(|(_, value)| value.span().start);
        let assignment = Assignment {
            mac: Some(mac),
            vendor: self
                .vendor
                .map(|v| v.trim().to_ascii_lowercase())
                .filter(|v| !v.is_empty()),
            model: self.model.map(Text::into_string),
            accounts: self.account.into_iter().map(RawAccount::into_account).collect(),
            provisioning_url: self.provisioning_url,
            ntp_server: self.ntp_server,
            timezone: self.timezone,
            admin_password: self.admin_password.map(Text::into_string),
            keep_pnp_enabled: self.keep_pnp_enabled,
            overrides: overrides
                .into_iter()
                .map(|(key, value)| (key, value.into_inner().into_string()))
                .collect(),
        };
        (mac, self.action, assignment)
    }
}

impl RawAccount {
    fn into_account(self) -> Account {
        Account {
            label: self.label.map(Text::into_string),
            display_name: self.display_name.map(Text::into_string),
            user_id: self.user_id.map(Text::into_string),
            auth_id: self.auth_id.map(Text::into_string),
            password: self.password.map(Text::into_string),
            registrar_host: self.registrar.map(|h| h.0),
            registrar_port: self.registrar_port,
            transport: self.transport.0,
            outbound_proxy: self.outbound_proxy,
        }
    }
}

/// A MAC in any common spelling.
struct MacValue(Mac);

impl<'de> Deserialize<'de> for MacValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MacValue, D::Error> {
        let text = String::deserialize(d)?;
        Mac::parse(text.trim()).map(MacValue).ok_or_else(|| {
            de::Error::custom(format!(
                "\"{}\" is not a MAC address (12 hex digits, e.g. 00:0B:82:27:3B:89)",
                capped(&text)
            ))
        })
    }
}

/// `udp`, `tcp` or `tls`, any case.
#[derive(Default)]
struct TransportValue(Transport);

impl<'de> Deserialize<'de> for TransportValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TransportValue, D::Error> {
        let text = String::deserialize(d)?;
        Transport::parse(text.trim()).map(TransportValue).ok_or_else(|| {
            de::Error::custom(format!(
                "unknown transport \"{}\" (expected udp, tcp or tls)",
                capped(&text)
            ))
        })
    }
}

/// A host name or IP literal (IPv6 with or without brackets), without a port.
struct HostValue(String);

impl<'de> Deserialize<'de> for HostValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<HostValue, D::Error> {
        let text = String::deserialize(d)?;
        let text = text.trim();
        let host = match text.strip_prefix('[') {
            Some(inner) => inner.strip_suffix(']').filter(|h| h.contains(':')),
            // `host:port`; a bare IPv6 literal has two colons or more.
            None if text.matches(':').count() == 1 => None,
            None => Some(text),
        };
        let Some(host) = host.filter(|h| !h.is_empty() && !h.contains(char::is_whitespace)) else {
            return Err(de::Error::custom(format!(
                "registrar \"{}\" must be a host name or IP address without a port (use registrar_port)",
                capped(text)
            )));
        };
        Ok(HostValue(host.to_owned()))
    }
}

/// Text that may be written as a TOML string, integer or boolean (`user_id = 101`).
struct Text(String);

impl Text {
    fn into_string(self) -> String {
        self.0
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct TextVisitor;

        impl Visitor<'_> for TextVisitor {
            type Value = Text;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, an integer or a boolean")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(if v { "1" } else { "0" }.to_owned()))
            }
        }

        d.deserialize_any(TextVisitor)
    }
}

/// `line:column` (1-based) of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{line}:{column}")
}

/// serde's "invalid type: string \"hunter2\", expected …" quotes the value it rejected, which
/// may be a password: keep only its kind.
fn redact_value(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((what, expected)) = rest.split_once(", expected")
        {
            let kind = what.split(['`', '"']).next().unwrap_or(what).trim_end();
            return format!("{prefix}{kind}, expected{expected}");
        }
    }
    message.to_owned()
}

fn one_line(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// At most 40 characters of `text`, escaped, for error messages.
fn capped(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect::<String>().escape_debug().to_string();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}
