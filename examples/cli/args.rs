//! A small, strict command-line parser: `--name VALUE`, `--name=VALUE`, switches, `--`
//! and positional arguments. Unknown or repeated options are errors.

/// The options one subcommand accepts.
pub struct Spec {
    /// Options that take a value.
    pub valued: &'static [&'static str],
    /// Options without a value.
    pub switches: &'static [&'static str],
}

/// What the command line asked for.
pub enum Parsed {
    Help,
    Args(Args),
}

/// Options and positional arguments of one subcommand.
pub struct Args {
    values: Vec<(&'static str, String)>,
    switches: Vec<&'static str>,
    pub positional: Vec<String>,
}

impl Args {
    /// The value of option `name`, if given.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The value of option `name`, which must be given.
    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.value(name).ok_or_else(|| format!("missing option {name}"))
    }

    /// Whether switch `name` was given.
    pub fn switch(&self, name: &str) -> bool {
        self.switches.contains(&name)
    }
}

/// Parses `args` (after the subcommand) against `spec`. `Err` is a one-line usage error.
pub fn parse(spec: &Spec, args: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut parsed = Args {
        values: Vec::new(),
        switches: Vec::new(),
        positional: Vec::new(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            parsed.positional.extend(args.by_ref());
            break;
        }
        if arg == "-h" || arg == "--help" {
            return Ok(Parsed::Help);
        }
        if arg == "-" || !arg.starts_with('-') {
            parsed.positional.push(arg);
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        if let Some(&known) = spec.valued.iter().find(|&&v| v == name) {
            let value = match inline {
                Some(value) => value,
                None => args.next().ok_or_else(|| format!("option {known} needs a value"))?,
            };
            if parsed.value(known).is_some() {
                return Err(format!("option {known} given twice"));
            }
            parsed.values.push((known, value));
        } else if let Some(&known) = spec.switches.iter().find(|&&s| s == name) {
            if inline.is_some() {
                return Err(format!("option {known} takes no value"));
            }
            if parsed.switch(known) {
                return Err(format!("option {known} given twice"));
            }
            parsed.switches.push(known);
        } else {
            return Err(format!("unknown option {}", printable(name)));
        }
    }
    Ok(Parsed::Args(parsed))
}

/// `text` with control characters escaped and capped, for one-line messages.
pub fn printable(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().take(80) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}
