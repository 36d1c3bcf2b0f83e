//! Config renderers: turn a vendor-neutral [`Assignment`] into the file a phone downloads.
//!
//! One module per vendor; [`render`] picks the module by canonical vendor id. Every renderer
//! escapes values for its format and refuses values it cannot carry safely (control
//! characters, unusable key names) instead of writing a broken file.
//!
//! What the renderers share lives in small modules of its own: `field` (neutral error names
//! of values), `values` (characters a line-oriented format cannot carry, override key checks),
//! `url` (provisioning URL schemes), `hostport` (outbound proxy `host:port`), `accounts`
//! (which accounts are written), `replace_or_append` (overrides in place), `file_name` (MAC file names), `family` (the capability table's
//! exact match), and the XML writer in `xml`; numbers are written through the crate's `digits`. Key tables, key rules and layouts stay in each
//! vendor's module.

mod accounts;
mod family;
pub mod fanvil;
mod field;
pub(crate) mod file_name;
pub mod gigaset;
pub mod grandstream;
pub mod grandstream_binary;
pub mod grandstream_items;
mod grandstream_pvalues;
mod grandstream_values;
mod hostport;
pub mod htek;
#[allow(dead_code, reason = "the vendor renderers adopt it one by one")]
mod keys;
pub mod panasonic;
pub mod snom;
#[cfg(test)]
mod test_support;
mod url;
mod values;
mod xml;
pub mod yealink;
mod yealink_dss;
mod yealink_keys;
mod yealink_locale;

use std::fmt;

use crate::assign::Assignment;

/// How many characters of caller-supplied text (keys, schemes, vendor ids) an error echoes.
const ECHO_MAX_CHARS: usize = 32;

/// One rendered config file, ready to be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedFile {
    /// Name the phone asks for (`cfg000b82273b89.xml`).
    pub file_name: String,
    /// MIME type to serve the file with.
    pub content_type: &'static str,
    /// The file itself.
    pub content: Vec<u8>,
}

/// Why a config could not be rendered. Messages never contain values (they may be secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// No renderer for this vendor id (the id, capped).
    UnsupportedVendor(String),
    /// The assignment has no MAC, but the file name needs it.
    MissingMac,
    /// The assignment has no vendor and none was detected.
    MissingVendor,
    /// A value contains a control character (or another character the format cannot carry).
    /// `field` is a neutral name such as `account 2 password` or `override P1362`.
    ControlCharacter { field: String },
    /// More accounts than the vendor's format supports.
    TooManyAccounts { max: usize, got: usize },
    /// An override key that cannot be a key of this vendor's format (the key, capped).
    InvalidKey(String),
    /// The provisioning URL has a scheme the vendor cannot fetch from (the scheme, capped).
    InvalidUrl(String),
    /// A file shared by many phones (model or common file) was asked to carry accounts: their
    /// passwords would reach every phone that fetches it.
    AccountsInSharedFile,
    /// The vendor has no file by this name, or sippnp does not render it (the name, capped).
    UnsupportedFile(String),
    /// Key `key` (1-based, in the assignment's order) is at a position beyond what the model's
    /// bank holds (`max`), or in a bank the model does not have (`max` 0).
    KeyOutOfRange { key: usize, max: u16 },
    /// A value of the neutral model this vendor cannot express (`field` names it, e.g.
    /// `account 1 codec iLBC` or `key 3 kind park`); never the value itself if it may be secret.
    UnsupportedValue { field: String },
}

impl RenderError {
    /// [`RenderError::InvalidKey`] echoing at most the first 32 characters of `key`.
    pub(crate) fn invalid_key(key: &str) -> RenderError {
        RenderError::InvalidKey(capped(key))
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::UnsupportedVendor(vendor) => {
                write!(f, "no config renderer for vendor \"{}\"", vendor.escape_debug())
            }
            RenderError::MissingMac => f.write_str("cannot render config: the assignment has no mac address"),
            RenderError::MissingVendor => {
                f.write_str("cannot render config: the assignment has no vendor and none was detected")
            }
            RenderError::ControlCharacter { field } => {
                write!(f, "control character in the value of {}", field.escape_debug())
            }
            RenderError::TooManyAccounts { max, got } => {
                write!(f, "too many accounts: {got} given, the vendor format supports {max}")
            }
            RenderError::InvalidKey(key) => {
                write!(f, "invalid config key \"{}\" in overrides", key.escape_debug())
            }
            RenderError::AccountsInSharedFile => {
                f.write_str("a model or common file is shared by many phones and cannot carry accounts")
            }
            RenderError::UnsupportedFile(name) => {
                write!(f, "no renderer for the file \"{}\" of this vendor", name.escape_debug())
            }
            RenderError::KeyOutOfRange { key, max: 0 } => {
                write!(f, "key {key} is in a key bank this model does not have")
            }
            RenderError::KeyOutOfRange { key, max } => {
                write!(f, "key {key} is beyond the {max} keys of its bank on this model")
            }
            RenderError::UnsupportedValue { field } => {
                write!(f, "this vendor's config cannot express {}", field.escape_debug())
            }
            RenderError::InvalidUrl(scheme) => write!(
                f,
                "provisioning url scheme \"{}\" is not one this vendor fetches from (http, https, tftp; ftp for some)",
                scheme.escape_debug()
            ),
        }
    }
}

impl std::error::Error for RenderError {}

/// Vendor ids that [`render`] supports.
pub fn supported_vendors() -> &'static [&'static str] {
    &[
        "fanvil",
        "gigaset",
        "grandstream",
        "htek",
        "panasonic",
        "snom",
        "yealink",
    ]
}

/// Renders the config file for `assignment` in the format of `vendor` (canonical lowercase id,
/// e.g. `grandstream`). An empty `vendor` is [`RenderError::MissingVendor`].
pub fn render(vendor: &str, assignment: &Assignment) -> Result<RenderedFile, RenderError> {
    check_config_key(vendor, assignment)?;
    match vendor {
        "fanvil" => fanvil::render(assignment),
        "gigaset" => gigaset::render(assignment),
        "grandstream" => grandstream::render(assignment),
        "htek" => htek::render(assignment),
        "panasonic" => panasonic::render(assignment),
        "snom" => snom::render(assignment),
        "yealink" => yealink::render(assignment),
        "" => Err(RenderError::MissingVendor),
        other => Err(RenderError::UnsupportedVendor(capped(other))),
    }
}

/// Renders a file shared by many phones: a model file (`y000000000028.cfg`, `cfgGXP2170.xml`,
/// `f0C00620000.cfg`) or the vendor's common file (`cfg.xml`, `ConfigCom.cfg`), named
/// `file_name` as the phone asked for it. Only device-wide settings go in (provisioning, time,
/// language, passwords, network); an assignment with accounts is
/// [`RenderError::AccountsInSharedFile`].
pub fn render_shared(vendor: &str, file_name: &str, assignment: &Assignment) -> Result<RenderedFile, RenderError> {
    if assignment
        .accounts
        .iter()
        .any(|acct| *acct != crate::assign::Account::default())
    {
        return Err(RenderError::AccountsInSharedFile);
    }
    check_config_key(vendor, assignment)?;
    match vendor {
        "snom" => snom::render_shared(file_name, assignment),
        "panasonic" => panasonic::render_shared(file_name, assignment),
        "yealink" => yealink::render_shared(file_name, assignment),
        "grandstream" => grandstream::render_shared(file_name, assignment),
        "fanvil" => fanvil::render_shared(file_name, assignment),
        "htek" => htek::render_shared(file_name, assignment),
        "" => Err(RenderError::MissingVendor),
        _ if !supported_vendors().contains(&vendor) => Err(RenderError::UnsupportedVendor(capped(vendor))),
        _ => Err(RenderError::UnsupportedFile(capped(file_name))),
    }
}

/// Renders a device's boot file (Yealink `<mac>.boot`: which config files to load, in order).
pub fn render_boot(vendor: &str, _assignment: &Assignment) -> Result<RenderedFile, RenderError> {
    match vendor {
        "yealink" => yealink::render_boot(_assignment),
        "" => Err(RenderError::MissingVendor),
        _ => Err(RenderError::UnsupportedFile(capped(&format!("{vendor} boot file")))),
    }
}

/// Vendors whose configs carry the key the phone opens encrypted configs with; for the others
/// a [`Assignment::config_key`] is [`RenderError::UnsupportedValue`], not silently dropped.
const CONFIG_KEY_VENDORS: &[&str] = &["grandstream", "yealink"];

fn check_config_key(vendor: &str, assignment: &Assignment) -> Result<(), RenderError> {
    if assignment.config_key.is_some() && supported_vendors().contains(&vendor) && !CONFIG_KEY_VENDORS.contains(&vendor)
    {
        return Err(RenderError::UnsupportedValue {
            field: "config key".into(),
        });
    }
    Ok(())
}

/// The first [`ECHO_MAX_CHARS`] characters of `text`, for echoing in errors.
fn capped(text: &str) -> String {
    text.chars().take(ECHO_MAX_CHARS).collect()
}

/// Puts an override in place: replaces the first item `same` accepts (a generated entry with
/// the override's key), else appends `item`, so the order of generated entries is kept.
fn replace_or_append<T>(items: &mut Vec<T>, same: impl FnMut(&&mut T) -> bool, item: T) {
    match items.iter_mut().find(same) {
        Some(slot) => *slot = item,
        None => items.push(item),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Mac;

    fn assignment() -> Assignment {
        let mut a = Assignment {
            mac: Some(Mac([0x00, 0x0b, 0x82, 0x27, 0x3b, 0x89])),
            ..Assignment::default()
        };
        a.account_mut(1).user_id = Some("101".into());
        a
    }

    #[test]
    fn dispatches_grandstream() {
        let file = render("grandstream", &assignment()).expect("renders");
        assert_eq!(file.file_name, "cfg000b82273b89.xml");
        assert_eq!(file, grandstream::render(&assignment()).expect("renders"));
        assert!(supported_vendors().contains(&"grandstream"));
    }

    #[test]
    fn the_config_key_is_written_where_the_vendor_reads_it_and_refused_elsewhere() {
        let mut a = assignment();
        a.account_mut(1).registrar_host = Some("pbx.example".into());
        a.config_key = Some("0123456789abcdef".into());
        for vendor in supported_vendors() {
            let rendered = render(vendor, &a);
            match *vendor {
                "grandstream" => {
                    let text = String::from_utf8(rendered.expect("renders").content).expect("utf-8");
                    assert!(text.contains("<P1359>0123456789abcdef</P1359>"), "{text}");
                }
                "yealink" => {
                    let text = String::from_utf8(rendered.expect("renders").content).expect("utf-8");
                    for line in [
                        "static.auto_provision.aes_key_in_file = 0\n",
                        "static.auto_provision.aes_key_16.com = 0123456789abcdef\n",
                        "static.auto_provision.aes_key_16.mac = 0123456789abcdef\n",
                    ] {
                        assert!(text.contains(line), "{line}: {text}");
                    }
                }
                other => assert_eq!(
                    rendered,
                    Err(RenderError::UnsupportedValue {
                        field: "config key".into()
                    }),
                    "{other}"
                ),
            }
        }
        a.config_key = Some("too-short".into());
        assert!(matches!(
            render("yealink", &a),
            Err(RenderError::UnsupportedValue { .. })
        ));
        let binary = grandstream_binary::render(&Assignment {
            config_key: Some("k3y".into()),
            ..assignment()
        })
        .expect("renders");
        assert!(binary.content.windows(10).any(|w| w == b"P1359=k3y&"));
    }

    #[test]
    fn unknown_and_missing_vendor() {
        assert_eq!(
            render("nokia", &assignment()),
            Err(RenderError::UnsupportedVendor("nokia".into()))
        );
        assert_eq!(render("", &assignment()), Err(RenderError::MissingVendor));
        let long = "x".repeat(100);
        match render(&long, &assignment()) {
            Err(RenderError::UnsupportedVendor(echo)) => assert_eq!(echo.len(), 32),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn messages_are_one_line_and_lower_case() {
        let errors = [
            RenderError::UnsupportedVendor("a\nb".into()),
            RenderError::MissingMac,
            RenderError::MissingVendor,
            RenderError::ControlCharacter {
                field: "account 1 password".into(),
            },
            RenderError::TooManyAccounts { max: 6, got: 7 },
            RenderError::InvalidKey("bad key\r\n".into()),
            RenderError::InvalidUrl("ftp".into()),
            RenderError::AccountsInSharedFile,
            RenderError::UnsupportedFile("x.cfg".into()),
            RenderError::KeyOutOfRange { key: 3, max: 0 },
            RenderError::KeyOutOfRange { key: 3, max: 2 },
            RenderError::UnsupportedValue {
                field: "account 1 codec iLBC".into(),
            },
        ];
        for error in errors {
            let text = error.to_string();
            assert!(!text.contains(['\n', '\r']), "{text}");
            assert!(text.starts_with(|c: char| c.is_ascii_lowercase()), "{text}");
        }
    }
}
