//! Every field of the model, settable from text by number or by name.
//!
//! One table serves the C ABI (`sippnp_assignment_set*`, addressed by field number and
//! index, so new fields never change a function signature), the Python wrapper and the
//! devices file (addressed by name). Numbers are never reused or renumbered.
//!
//! Text rules: an empty text clears an optional field (back to the phone's default); numbers
//! are decimal; flags are `1`/`0`/`true`/`false`; lists are comma-separated. Errors say which
//! field and what it accepts, never the value (it may be a secret).

use std::fmt;

use super::{Account, Assignment, Codec, DtmfMode, Key, KeyBank, KeyKind, SrtpMode, Transport};
use crate::device::Mac;
use crate::timezone::Zone;

/// Most accounts an assignment holds (vendors hold fewer; rendering checks).
pub const MAX_ACCOUNTS: usize = 64;
/// Most keys an assignment holds.
pub const MAX_KEYS: usize = 1024;

/// What a field belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The device as a whole.
    Device,
    /// One account, by 1-based index.
    Account,
    /// One key, by 1-based index in the host's order.
    Key,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Device => "device",
            Scope::Account => "account",
            Scope::Key => "key",
        }
    }
}

/// Why a field could not be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldError {
    /// No field with this number or name in this scope.
    Unknown,
    /// The account or key index is 0 or above the limit.
    BadIndex,
    /// The text is not a value of the field: which field, and what it accepts.
    Invalid {
        scope: Scope,
        field: &'static str,
        expected: &'static str,
    },
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldError::Unknown => f.write_str("unknown field"),
            FieldError::BadIndex => write!(f, "index out of range (accounts 1-{MAX_ACCOUNTS}, keys 1-{MAX_KEYS})"),
            FieldError::Invalid {
                scope: Scope::Device,
                field,
                expected,
            } => write!(f, "invalid value for {field}: expected {expected}"),
            FieldError::Invalid { scope, field, expected } => {
                write!(f, "invalid value for {} {field}: expected {expected}", scope.name())
            }
        }
    }
}

impl std::error::Error for FieldError {}

type Parsed = Result<(), &'static str>;

#[derive(Clone, Copy)]
enum Setter {
    Device(fn(&mut Assignment, &str) -> Parsed),
    Account(fn(&mut Account, &str) -> Parsed),
    Key(fn(&mut Key, &str) -> Parsed),
}

/// One settable field.
#[derive(Clone, Copy)]
pub struct Field {
    /// Stable number within the scope (the C enum value).
    pub id: u32,
    /// Name within the scope, as in the devices file (`registrar_port`).
    pub name: &'static str,
    /// What text the field accepts, for docs and errors.
    pub accepts: &'static str,
    setter: Setter,
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} field {} ({})", self.scope().name(), self.id, self.name)
    }
}

impl Field {
    pub fn scope(&self) -> Scope {
        match self.setter {
            Setter::Device(_) => Scope::Device,
            Setter::Account(_) => Scope::Account,
            Setter::Key(_) => Scope::Key,
        }
    }

    /// Sets this field of `a` from `text`; `index` (1-based) picks the account or key and is
    /// ignored for device fields.
    pub fn set(&self, a: &mut Assignment, index: usize, text: &str) -> Result<(), FieldError> {
        let invalid = |expected| FieldError::Invalid {
            scope: self.scope(),
            field: self.name,
            expected,
        };
        // Accounts and keys are set on a copy first, so a refused value creates nothing.
        match self.setter {
            Setter::Device(set) => set(a, text).map_err(invalid),
            Setter::Account(set) => {
                check_index(index, MAX_ACCOUNTS)?;
                let mut account = a.accounts.get(index - 1).cloned().unwrap_or_default();
                set(&mut account, text).map_err(invalid)?;
                *a.account_mut(index) = account;
                Ok(())
            }
            Setter::Key(set) => {
                check_index(index, MAX_KEYS)?;
                let mut key = match a.keys.get(index - 1) {
                    Some(key) => key.clone(),
                    None => Key::unused_at(index),
                };
                set(&mut key, text).map_err(invalid)?;
                *a.key_mut(index) = key;
                Ok(())
            }
        }
    }
}

fn check_index(index: usize, max: usize) -> Result<(), FieldError> {
    if (1..=max).contains(&index) {
        Ok(())
    } else {
        Err(FieldError::BadIndex)
    }
}

/// The field numbered `id` in `scope`.
pub fn by_id(scope: Scope, id: u32) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.scope() == scope && f.id == id)
}

/// The field called `name` in `scope`.
pub fn by_name(scope: Scope, name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.scope() == scope && f.name == name)
}

/// Every field, device fields first, each scope in number order.
pub fn all() -> &'static [Field] {
    FIELDS
}

impl Assignment {
    /// Sets field `id` of `scope` from `text` (see the module docs for the text rules).
    pub fn set_field(&mut self, scope: Scope, id: u32, index: usize, text: &str) -> Result<(), FieldError> {
        by_id(scope, id).ok_or(FieldError::Unknown)?.set(self, index, text)
    }
}

// ---- value parsers -------------------------------------------------------------------------

fn text(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn number<T: std::str::FromStr>(
    value: &str,
    ok: impl Fn(&T) -> bool,
    expected: &'static str,
) -> Result<Option<T>, &'static str> {
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<T>() {
        Ok(n) if ok(&n) && value.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
        _ => Err(expected),
    }
}

fn port(value: &str) -> Result<Option<u16>, &'static str> {
    number(value, |p: &u16| *p != 0, "a port 1-65535")
}

fn flag(value: &str) -> Result<Option<bool>, &'static str> {
    match value.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "1" | "true" => Ok(Some(true)),
        "0" | "false" => Ok(Some(false)),
        _ => Err("1, 0, true or false"),
    }
}

fn named<T>(value: &str, parse: fn(&str) -> Option<T>, expected: &'static str) -> Result<Option<T>, &'static str> {
    if value.is_empty() {
        return Ok(None);
    }
    parse(value).map(Some).ok_or(expected)
}

fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|item| !item.is_empty())
}

fn language(value: &str) -> Result<Option<String>, &'static str> {
    const EXPECTED: &str = "an ISO 639-1 code such as en or de";
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(Some(value.to_ascii_lowercase()))
    } else {
        Err(EXPECTED)
    }
}

// ---- the table -------------------------------------------------------------------------------

const CODECS: &str = "a comma-separated list of PCMU, PCMA, G722, G729, G726-32, iLBC, opus, G723";

static FIELDS: &[Field] = &[
    // Device fields: numbers 1-8 date from ABI version 1.
    device(1, "vendor", "a vendor id (grandstream, snom, yealink, ...)", |a, v| {
        a.vendor = text(&v.to_ascii_lowercase());
        Ok(())
    }),
    device(2, "model", "the model name", |a, v| {
        a.model = text(v);
        Ok(())
    }),
    device(3, "provisioning_url", "a URL (http, https, tftp, ...)", |a, v| {
        a.provisioning_url = text(v);
        Ok(())
    }),
    device(
        4,
        "ntp_servers",
        "a comma-separated list of host names or addresses",
        |a, v| {
            a.ntp_servers = list(v).map(str::to_owned).collect();
            Ok(())
        },
    ),
    device(5, "timezone", "an IANA time zone name such as Europe/Berlin", |a, v| {
        a.timezone = named(v, Zone::find, "an IANA time zone name such as Europe/Berlin")?;
        Ok(())
    }),
    device(6, "admin_password", "text", |a, v| {
        a.admin_password = text(v);
        Ok(())
    }),
    device(7, "mac", "12 hex digits in any common spelling", |a, v| {
        a.mac = named(v, Mac::from_uri_user, "12 hex digits in any common spelling")?;
        Ok(())
    }),
    device(8, "keep_pnp_enabled", "1, 0, true or false", |a, v| {
        a.keep_pnp_enabled = flag(v)?.unwrap_or(false);
        Ok(())
    }),
    device(9, "user_password", "text", |a, v| {
        a.user_password = text(v);
        Ok(())
    }),
    device(10, "language", "an ISO 639-1 code such as en or de", |a, v| {
        a.language = language(v)?;
        Ok(())
    }),
    device(11, "resync_interval_min", "minutes, 1-525600", |a, v| {
        a.resync_interval_min = number(v, |m: &u32| (1..=525_600).contains(m), "minutes, 1-525600")?;
        Ok(())
    }),
    device(12, "firmware_url", "a URL", |a, v| {
        a.firmware_url = text(v);
        Ok(())
    }),
    device(13, "vlan_id", "a VLAN id 1-4094", |a, v| {
        a.vlan_id = number(v, |id: &u16| (1..=4094).contains(id), "a VLAN id 1-4094")?;
        Ok(())
    }),
    device(14, "vlan_priority", "an 802.1p priority 0-7", |a, v| {
        a.vlan_priority = number(v, |p: &u8| *p <= 7, "an 802.1p priority 0-7")?;
        Ok(())
    }),
    device(15, "syslog_host", "a host name or address", |a, v| {
        a.syslog_host = text(v);
        Ok(())
    }),
    device(16, "syslog_port", "a port 1-65535", |a, v| {
        a.syslog_port = port(v)?;
        Ok(())
    }),
    device(17, "syslog_level", "a syslog severity 0-7", |a, v| {
        a.syslog_level = number(v, |l: &u8| *l <= 7, "a syslog severity 0-7")?;
        Ok(())
    }),
    device(18, "provisioning_user", "text", |a, v| {
        a.provisioning_user = text(v);
        Ok(())
    }),
    device(19, "provisioning_password", "text", |a, v| {
        a.provisioning_password = text(v);
        Ok(())
    }),
    device(20, "config_key", "text", |a, v| {
        a.config_key = text(v);
        Ok(())
    }),
    // Account fields: numbers 1-7 date from ABI version 1.
    account(1, "label", "text", |acc, v| {
        acc.label = text(v);
        Ok(())
    }),
    account(2, "display_name", "text", |acc, v| {
        acc.display_name = text(v);
        Ok(())
    }),
    account(3, "user_id", "text", |acc, v| {
        acc.user_id = text(v);
        Ok(())
    }),
    account(4, "auth_id", "text", |acc, v| {
        acc.auth_id = text(v);
        Ok(())
    }),
    account(5, "password", "text", |acc, v| {
        acc.password = text(v);
        Ok(())
    }),
    account(
        6,
        "registrar_host",
        "a host name or IP address (IPv6 with or without brackets)",
        |acc, v| {
            acc.registrar_host = text(unbracket(v));
            Ok(())
        },
    ),
    account(7, "outbound_proxy", "host or host:port", |acc, v| {
        acc.outbound_proxy = text(v);
        Ok(())
    }),
    account(8, "registrar_port", "a port 1-65535", |acc, v| {
        acc.registrar_port = port(v)?;
        Ok(())
    }),
    account(9, "transport", "udp, tcp or tls", |acc, v| {
        acc.transport = named(v, Transport::parse, "udp, tcp or tls")?.unwrap_or_default();
        Ok(())
    }),
    account(10, "backup_registrar_host", "a host name or IP address", |acc, v| {
        acc.backup_registrar_host = text(unbracket(v));
        Ok(())
    }),
    account(11, "backup_registrar_port", "a port 1-65535", |acc, v| {
        acc.backup_registrar_port = port(v)?;
        Ok(())
    }),
    account(12, "register_expires", "seconds, 30-86400", |acc, v| {
        acc.register_expires = number(v, |s: &u32| (30..=86_400).contains(s), "seconds, 30-86400")?;
        Ok(())
    }),
    account(13, "voicemail_number", "text", |acc, v| {
        acc.voicemail_number = text(v);
        Ok(())
    }),
    account(14, "mwi", "1, 0, true or false", |acc, v| {
        acc.mwi = flag(v)?;
        Ok(())
    }),
    account(15, "codecs", CODECS, |acc, v| {
        acc.codecs = list(v)
            .map(|c| Codec::parse(c).ok_or(CODECS))
            .collect::<Result<_, _>>()?;
        let mut seen = Vec::new();
        acc.codecs.retain(|c| {
            !seen.contains(c) && {
                seen.push(*c);
                true
            }
        });
        Ok(())
    }),
    account(16, "dtmf", "rfc2833, sip-info or inband", |acc, v| {
        acc.dtmf = named(v, DtmfMode::parse, "rfc2833, sip-info or inband")?;
        Ok(())
    }),
    account(17, "srtp", "disabled, optional or required", |acc, v| {
        acc.srtp = named(v, SrtpMode::parse, "disabled, optional or required")?;
        Ok(())
    }),
    // Key fields.
    key(1, "bank", "line, programmable or expansionN", |k, v| {
        k.bank = named(v, KeyBank::parse, "line, programmable or expansionN")?.unwrap_or_default();
        Ok(())
    }),
    key(2, "position", "a position 1-1024 in the bank", |k, v| {
        k.position = number(v, |p: &u16| (1..=1024).contains(p), "a position 1-1024 in the bank")?.unwrap_or(1);
        Ok(())
    }),
    key(3, "kind", "unused, line, blf, speed-dial, park or dnd", |k, v| {
        k.kind = named(v, KeyKind::parse, "unused, line, blf, speed-dial, park or dnd")?.unwrap_or_default();
        Ok(())
    }),
    key(4, "account", "an account number 1-64", |k, v| {
        k.account = number(
            v,
            |n: &u8| (1..=MAX_ACCOUNTS as u8).contains(n),
            "an account number 1-64",
        )?
        .unwrap_or(1);
        Ok(())
    }),
    key(5, "value", "text", |k, v| {
        k.value = text(v);
        Ok(())
    }),
    key(6, "label", "text", |k, v| {
        k.label = text(v);
        Ok(())
    }),
];

const fn device(id: u32, name: &'static str, accepts: &'static str, set: fn(&mut Assignment, &str) -> Parsed) -> Field {
    Field {
        id,
        name,
        accepts,
        setter: Setter::Device(set),
    }
}

const fn account(id: u32, name: &'static str, accepts: &'static str, set: fn(&mut Account, &str) -> Parsed) -> Field {
    Field {
        id,
        name,
        accepts,
        setter: Setter::Account(set),
    }
}

const fn key(id: u32, name: &'static str, accepts: &'static str, set: fn(&mut Key, &str) -> Parsed) -> Field {
    Field {
        id,
        name,
        accepts,
        setter: Setter::Key(set),
    }
}

/// `[2001:db8::1]` → `2001:db8::1`; anything else unchanged.
fn unbracket(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique_per_scope_and_qualified_names_match() {
        for (i, f) in FIELDS.iter().enumerate() {
            for g in &FIELDS[i + 1..] {
                if f.scope() == g.scope() {
                    assert_ne!(f.id, g.id, "{f:?} / {g:?}");
                    assert_ne!(f.name, g.name, "{f:?} / {g:?}");
                }
            }
        }
    }

    #[test]
    fn sets_every_kind_of_value() {
        let mut a = Assignment::default();
        a.set_field(Scope::Device, 4, 0, "ntp1.example.com, 192.0.2.1,")
            .unwrap();
        assert_eq!(a.ntp_servers, ["ntp1.example.com", "192.0.2.1"]);
        a.set_field(Scope::Device, 5, 0, "Europe/Berlin").unwrap();
        assert_eq!(a.timezone.unwrap().name, "Europe/Berlin");
        a.set_field(Scope::Device, 10, 0, "DE").unwrap();
        assert_eq!(a.language.as_deref(), Some("de"));
        a.set_field(Scope::Device, 8, 0, "true").unwrap();
        assert!(a.keep_pnp_enabled);
        a.set_field(Scope::Device, 13, 0, "100").unwrap();
        assert_eq!(a.vlan_id, Some(100));
        a.set_field(Scope::Account, 15, 2, "G722,pcmu,PCMU, opus").unwrap();
        assert_eq!(a.accounts[1].codecs, [Codec::G722, Codec::Pcmu, Codec::Opus]);
        a.set_field(Scope::Account, 9, 2, "TLS").unwrap();
        assert_eq!(a.accounts[1].transport, Transport::Tls);
        a.set_field(Scope::Account, 6, 1, "[2001:db8::1]").unwrap();
        assert_eq!(a.accounts[0].registrar_host.as_deref(), Some("2001:db8::1"));
        a.set_field(Scope::Key, 3, 2, "blf").unwrap();
        a.set_field(Scope::Key, 5, 2, "102").unwrap();
        assert_eq!(a.keys.len(), 2);
        assert_eq!(
            (a.keys[1].kind, a.keys[1].position, a.keys[1].account),
            (KeyKind::Blf, 2, 1)
        );
        assert_eq!(a.keys[0].kind, KeyKind::Unused);
    }

    #[test]
    fn empty_text_clears() {
        let mut a = Assignment::default();
        a.set_field(Scope::Account, 8, 1, "5061").unwrap();
        a.set_field(Scope::Account, 8, 1, "").unwrap();
        assert_eq!(a.accounts[0].registrar_port, None);
        a.set_field(Scope::Device, 2, 0, "").unwrap();
        assert_eq!(a.model, None);
    }

    #[test]
    fn errors_name_the_field_not_the_value() {
        let mut a = Assignment::default();
        let cases = [
            (Scope::Device, 5, 0, "Mars/Olympus"),
            (Scope::Device, 13, 0, "4095"),
            (Scope::Device, 14, 0, "+3"),
            (Scope::Device, 10, 0, "eng"),
            (Scope::Account, 8, 1, "0"),
            (Scope::Account, 15, 1, "PCMU,g711"),
            (Scope::Account, 12, 1, "10"),
            (Scope::Key, 1, 1, "expansion0"),
        ];
        for (scope, id, index, value) in cases {
            let error = a.set_field(scope, id, index, value).unwrap_err();
            let text = error.to_string();
            assert!(matches!(error, FieldError::Invalid { .. }), "{text}");
            assert!(!text.contains(value), "{text}");
        }
        assert_eq!(a.set_field(Scope::Device, 99, 0, "x"), Err(FieldError::Unknown));
        assert_eq!(a.set_field(Scope::Account, 1, 0, "x"), Err(FieldError::BadIndex));
        assert_eq!(a.set_field(Scope::Account, 1, 65, "x"), Err(FieldError::BadIndex));
        assert_eq!(a.set_field(Scope::Key, 1, 1025, "line"), Err(FieldError::BadIndex));
        assert_eq!(a, Assignment::default(), "nothing set by failed calls");
    }

    #[test]
    fn lookup_by_name() {
        assert_eq!(by_name(Scope::Account, "registrar_port").unwrap().id, 8);
        assert_eq!(by_name(Scope::Account, "registrar_host").unwrap().id, 6);
        assert!(by_name(Scope::Device, "registrar_port").is_none());
        assert_eq!(all().len(), FIELDS.len());
    }
}
