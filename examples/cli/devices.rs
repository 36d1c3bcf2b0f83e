//! The devices file (TOML in sippnp's neutral model, see `examples/devices.toml`) and the
//! [`Lookup`] the tool builds from it.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use sippnp::assign::fields::{self, Scope};
use sippnp::assign::{Assignment, Decision, Lookup, LookupError};
use sippnp::device::{Device, Mac};

/// What to do when a listed device asks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
    /// `[[shared]]` settings for model and common files, in file order.
    shared: Vec<Assignment>,
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
        let mut devices: HashMap<Mac, (Action, Assignment, String)> = HashMap::new();
        let (listed, shared) = (Reader { text, name }).read()?;
        for (mac, action, assignment, line) in listed {
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
            shared,
        })
    }

    /// The `[[shared]]` settings for a model or common file of `vendor`: the entry for that
    /// model if there is one, else the vendor's entry without a model.
    fn shared_for(&self, vendor: &str, model: Option<&str>) -> Option<&Assignment> {
        let of_vendor = || self.shared.iter().filter(move |a| a.vendor.as_deref() == Some(vendor));
        let same_model = |a: &&Assignment| match (a.model.as_deref(), model) {
            (Some(want), Some(got)) => want.eq_ignore_ascii_case(got),
            _ => false,
        };
        of_vendor()
            .find(same_model)
            .or_else(|| of_vendor().find(|a| a.model.is_none()))
    }

    /// What the file says about `mac`, if it lists it.
    pub fn get(&self, mac: Mac) -> Option<(Action, &Assignment)> {
        self.devices.get(&mac).map(|(action, assignment)| (*action, assignment))
    }
}

impl Lookup for Inventory {
    fn lookup(&self, device: &Device) -> Result<Decision, LookupError> {
        if device.mac.is_none() {
            let vendor = device.vendor.as_deref().unwrap_or_default();
            return Ok(match self.shared_for(vendor, device.model.as_deref()) {
                Some(shared) => Decision::Assign(shared.clone()),
                None => Decision::Unknown,
            });
        }
        Ok(match device.mac.and_then(|mac| self.get(mac)) {
            Some((Action::Assign, assignment)) => Decision::Assign(assignment.clone()),
            Some((Action::Ignore, _)) => Decision::Ignore,
            None => Decision::Unknown,
        })
    }
}

/// Keys of a `[[device]]` table that are not model fields.
const DEVICE_KEYS: &[&str] = &["mac", "action", "account", "key", "overrides"];

/// Earlier names still accepted in devices files, with the field they stand for.
const ALIASES: &[(Scope, &str, &str)] = &[
    (Scope::Device, "ntp_server", "ntp_servers"),
    (Scope::Account, "registrar", "registrar_host"),
    (Scope::Account, "backup_registrar", "backup_registrar_host"),
];

/// Reads one file: every `[[device]]` table becomes an assignment through the model's field
/// table (`sippnp::assign::fields`), so the file takes exactly the fields the C ABI does.
struct Reader<'t> {
    text: &'t str,
    name: &'t str,
}

/// One `[[device]]`: its MAC, action, assignment and the `line:column` of its MAC.
type Listed = (Mac, Action, Assignment, String);

type Table<'i> = toml::de::DeTable<'i>;
type Value<'i> = toml::Spanned<toml::de::DeValue<'i>>;

impl Reader<'_> {
    fn at(&self, span: std::ops::Range<usize>, message: impl fmt::Display) -> String {
        format!(
            "{}:{}: {}",
            self.name,
            position(self.text, span.start),
            one_line(&message.to_string())
        )
    }

    fn read(&self) -> Result<(Vec<Listed>, Vec<Assignment>), String> {
        let root = Table::parse(self.text).map_err(|e| {
            let message = one_line(&redact_value(e.message()));
            match e.span() {
                Some(span) => self.at(span, message),
                None => format!("{}: {message}", self.name),
            }
        })?;
        let (mut devices, mut shared) = (Vec::new(), Vec::new());
        for (key, value) in root.get_ref() {
            match key.get_ref().as_ref() {
                "device" => {
                    for table in self.tables(value, "[[device]]")? {
                        devices.push(self.device(value.span(), table)?);
                    }
                }
                "shared" => {
                    for table in self.tables(value, "[[shared]]")? {
                        shared.push(self.shared(value.span(), table)?);
                    }
                }
                other => {
                    let message = format!("unknown key \"{}\" (expected [[device]] or [[shared]])", capped(other));
                    return Err(self.at(key.span(), message));
                }
            }
        }
        Ok((devices, shared))
    }

    /// A `[[shared]]` table: device-wide settings of a vendor's model or common files.
    fn shared(&self, span: std::ops::Range<usize>, table: &Table<'_>) -> Result<Assignment, String> {
        let mut assignment = Assignment::default();
        self.fields(&mut assignment, Scope::Device, 0, table)?;
        if assignment.vendor.is_none() {
            return Err(self.at(span, "[[shared]] needs a vendor"));
        }
        if assignment.mac.is_some() {
            return Err(self.at(span, "[[shared]] settings are for many phones: no mac"));
        }
        Ok(assignment)
    }

    /// The tables of an array of tables (`[[device]]`, `[[device.account]]`, …).
    fn tables<'v, 'i>(&self, value: &'v Value<'i>, what: &str) -> Result<Vec<&'v Table<'i>>, String> {
        let items = value
            .get_ref()
            .as_array()
            .ok_or_else(|| self.at(value.span(), format!("expected {what} tables")))?;
        items
            .iter()
            .map(|item| {
                item.get_ref()
                    .as_table()
                    .ok_or_else(|| self.at(item.span(), format!("expected a {what} table")))
            })
            .collect()
    }

    fn device(&self, span: std::ops::Range<usize>, table: &Table<'_>) -> Result<Listed, String> {
        let mac_value = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == "mac")
            .map(|(_, v)| v)
            .ok_or_else(|| self.at(span.clone(), "[[device]] without mac"))?;
        let mac_text = mac_value.get_ref().as_str().unwrap_or_default();
        let mac = Mac::parse(mac_text.trim()).ok_or_else(|| {
            self.at(
                mac_value.span(),
                format!(
                    "\"{}\" is not a MAC address (12 hex digits, e.g. 00:0B:82:27:3B:89)",
                    capped(mac_text)
                ),
            )
        })?;
        let mut assignment = Assignment {
            mac: Some(mac),
            ..Assignment::default()
        };
        let mut action = Action::Assign;
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "mac" => {}
                "action" => {
                    action = match value.get_ref().as_str() {
                        Some("assign") => Action::Assign,
                        Some("ignore") => Action::Ignore,
                        _ => return Err(self.at(value.span(), "action must be \"assign\" or \"ignore\"")),
                    }
                }
                "account" => {
                    for (i, account) in self.tables(value, "[[device.account]]")?.into_iter().enumerate() {
                        self.fields(&mut assignment, Scope::Account, i + 1, account)?;
                    }
                }
                "key" => {
                    for (i, key) in self.tables(value, "[[device.key]]")?.into_iter().enumerate() {
                        self.fields(&mut assignment, Scope::Key, i + 1, key)?;
                    }
                }
                "overrides" => self.overrides(&mut assignment, value)?,
                _ => {}
            }
        }
        let device_fields: Table<'_> = table
            .iter()
            .filter(|(k, _)| !DEVICE_KEYS.contains(&k.get_ref().as_ref()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.fields(&mut assignment, Scope::Device, 0, &device_fields)?;
        Ok((mac, action, assignment, position(self.text, mac_value.span().start)))
    }

    /// Sets every key of `table` as a field of `scope` (account or key `index`).
    fn fields(&self, a: &mut Assignment, scope: Scope, index: usize, table: &Table<'_>) -> Result<(), String> {
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let name = ALIASES
                .iter()
                .find(|(s, alias, _)| *s == scope && *alias == name)
                .map_or(name, |(_, _, field)| field);
            let field = fields::by_name(scope, name).ok_or_else(|| {
                let known: Vec<&str> = fields::all()
                    .iter()
                    .filter(|f| f.scope() == scope)
                    .map(|f| f.name)
                    .collect();
                self.at(
                    key.span(),
                    format!(
                        "unknown {} key \"{}\" (known: {})",
                        scope.name(),
                        capped(name),
                        known.join(", ")
                    ),
                )
            })?;
            let text = self.scalar(value)?;
            field.set(a, index, &text).map_err(|e| self.at(value.span(), e))?;
        }
        Ok(())
    }

    fn overrides(&self, a: &mut Assignment, value: &Value<'_>) -> Result<(), String> {
        let table = value
            .get_ref()
            .as_table()
            .ok_or_else(|| self.at(value.span(), "overrides must be a table of key = value"))?;
        let mut entries: Vec<_> = table.iter().collect();
        // Keep the overrides in the order written.
        entries.sort_by_key(|(_, v)| v.span().start);
        for (key, value) in entries {
            a.set_override(key.get_ref(), &self.scalar(value)?);
        }
        Ok(())
    }

    /// A string, integer or boolean (`true`/`false` as `1`/`0`) as text; an array of them as a
    /// comma-separated list. Messages name the type, never the value.
    fn scalar(&self, value: &Value<'_>) -> Result<String, String> {
        use toml::de::DeValue;
        match value.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            DeValue::Integer(i) if i.radix() == 10 => Ok(i.as_str().replace('_', "")),
            DeValue::Boolean(b) => Ok(if *b { "1" } else { "0" }.to_owned()),
            DeValue::Array(items) => {
                let texts = items.iter().map(|item| match item.get_ref() {
                    DeValue::Array(_) | DeValue::Table(_) => Err(self.at(item.span(), "lists hold strings or numbers")),
                    _ => self.scalar(item),
                });
                Ok(texts.collect::<Result<Vec<_>, _>>()?.join(","))
            }
            other => Err(self.at(
                value.span(),
                format!(
                    "wrong type: {}, expected a string, an integer or a boolean",
                    other.type_str()
                ),
            )),
        }
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
