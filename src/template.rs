//! The provisioning URL template sent in the NOTIFY body.
//!
//! `{mac}` (lower-case hex), `{MAC}` (upper-case), `{vendor}`, `{model}`, `{firmware}` and
//! `{ip}` (the phone's address) are expanded. Any other brace text passes through untouched,
//! and so does a placeholder whose value is unknown: some phones (snom, Panasonic) expand
//! `{mac}` themselves.
//!
//! `{token}` is a signed, expiring access token bound to the phone's MAC and IP address. Only
//! the [`crate::engine::Engine`] signs tokens (it holds the key and the clock), through
//! [`UrlTemplate::expand_with_token`] or [`insert_token`]; [`UrlTemplate::expand`] leaves
//! `{token}` as it is, so a template without `{token}` expands exactly as before.

use std::fmt;
use std::fmt::Write as _;

use crate::device::Device;
use crate::render::file_name::{Case, hex_str, mac_hex};
use crate::sip::search::find_byte;

/// A checked URL template, cut once (when it is made) into the parts its expansion writes.
#[derive(Clone)]
pub struct UrlTemplate {
    text: String,
    parts: Vec<Part>,
    /// How many of the parts are [`Part::Token`].
    tokens: usize,
}

/// A piece of a template, as [`UrlTemplate::expand_with_token`] writes it.
#[derive(Clone, Copy)]
enum Part {
    /// `text[start..end]` of the template, as it is.
    Text { start: usize, end: usize },
    /// One of our placeholders (other than `{token}`).
    Value(Value),
    /// `{token}`: anywhere in the template, even inside other brace text (see [`insert_token`]).
    Token,
}

/// The placeholders whose value comes from the device.
#[derive(Clone, Copy)]
enum Value {
    Mac(Case),
    Vendor,
    Model,
    Firmware,
    Ip,
}

impl Value {
    /// The placeholder that stands for this value, if any: `{mac}`, `{MAC}`, …
    fn of(placeholder: &str) -> Option<Value> {
        Some(match placeholder {
            "{mac}" => Value::Mac(Case::Lower),
            "{MAC}" => Value::Mac(Case::Upper),
            "{vendor}" => Value::Vendor,
            "{model}" => Value::Model,
            "{firmware}" => Value::Firmware,
            "{ip}" => Value::Ip,
            _ => return None,
        })
    }

    /// The placeholder, written back when the value is unknown.
    fn placeholder(self) -> &'static str {
        match self {
            Value::Mac(Case::Lower) => "{mac}",
            Value::Mac(Case::Upper) => "{MAC}",
            Value::Vendor => "{vendor}",
            Value::Model => "{model}",
            Value::Firmware => "{firmware}",
            Value::Ip => "{ip}",
        }
    }
}

impl PartialEq for UrlTemplate {
    fn eq(&self, other: &UrlTemplate) -> bool {
        // The parts follow from the text.
        self.text == other.text
    }
}

impl Eq for UrlTemplate {}

impl fmt::Debug for UrlTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UrlTemplate").field(&self.text).finish()
    }
}

/// The template text cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateError {
    Empty,
    /// Whitespace or a control character (CR, LF, NUL, …) in the template.
    ForbiddenCharacter {
        offset: usize,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Empty => f.write_str("URL template is empty"),
            TemplateError::ForbiddenCharacter { offset } => {
                write!(f, "URL template has whitespace or a control character at byte {offset}")
            }
        }
    }
}

impl std::error::Error for TemplateError {}

impl UrlTemplate {
    pub fn new(text: &str) -> Result<UrlTemplate, TemplateError> {
        if text.is_empty() {
            return Err(TemplateError::Empty);
        }
        if let Some(offset) = text.find(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(TemplateError::ForbiddenCharacter { offset });
        }
        let parts = parts(text);
        Ok(UrlTemplate {
            text: text.to_owned(),
            tokens: parts.iter().filter(|part| matches!(part, Part::Token)).count(),
            parts,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the template holds the `{token}` placeholder (every one is a part of its own).
    pub fn has_token(&self) -> bool {
        self.tokens > 0
    }

    /// The URL for `device`. `vendor`/`model` override the device's own values when given
    /// (the host's assignment knows better than the SUBSCRIBE). `{token}` is kept as is.
    pub fn expand(&self, device: &Device, vendor: Option<&str>, model: Option<&str>) -> String {
        self.expand_with_token(device, vendor, model, None)
    }

    /// As [`UrlTemplate::expand`], then every `{token}` replaced by `token` when one is given
    /// (what [`insert_token`] does to the expanded URL, in the same pass). A token must be
    /// URL-safe text (the engine's are base64url); nothing is encoded.
    pub fn expand_with_token(
        &self,
        device: &Device,
        vendor: Option<&str>,
        model: Option<&str>,
        token: Option<&str>,
    ) -> String {
        let token_room = token.map_or(0, |token| self.tokens * token.len());
        let mut out = String::with_capacity(self.text.len() + 32 + token_room);
        for &part in &self.parts {
            match part {
                Part::Text { start, end } => out.push_str(&self.text[start..end]),
                Part::Value(value) => {
                    if !write_value(&mut out, value, device, vendor, model) {
                        out.push_str(value.placeholder());
                    }
                }
                Part::Token => out.push_str(token.unwrap_or(TOKEN)),
            }
        }
        out
    }
}

/// The token placeholder.
const TOKEN: &str = "{token}";

/// `url` (a URL already expanded without a token) with every `{token}` replaced by `token`.
/// Expanded values never hold a `{` (vendor, model and firmware are percent-encoded; MAC and IP
/// have no braces), so each `{token}` left in such a URL came from the template itself.
pub fn insert_token(url: &str, token: &str) -> String {
    url.replace(TOKEN, token)
}

/// `text` cut into the parts of a template. Brace text runs from a `{` to the next `}` (or the
/// end); brace text that is one of our placeholders is a [`Part::Value`], and any other text is
/// kept as it is, but for each `{token}` in it: placeholders are expanded first, then every
/// `{token}` left (expanded values hold no brace, so it lies within the template's own text).
fn parts(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let end = match find_byte(rest.as_bytes(), b'{') {
            Some(0) => find_byte(rest.as_bytes(), b'}').map_or(rest.len(), |c| c + 1),
            Some(open) => open,
            None => rest.len(),
        };
        match Value::of(&rest[..end]) {
            Some(value) => parts.push(Part::Value(value)),
            None => push_text(&mut parts, text, at, at + end),
        }
        at += end;
    }
    parts
}

/// Adds `text[start..end]`, kept as it is but for each `{token}` in it, to `parts`.
fn push_text(parts: &mut Vec<Part>, text: &str, mut start: usize, end: usize) {
    while let Some(found) = text[start..end].find(TOKEN) {
        if found > 0 {
            parts.push(Part::Text {
                start,
                end: start + found,
            });
        }
        parts.push(Part::Token);
        start += found + TOKEN.len();
    }
    if start < end {
        parts.push(Part::Text { start, end });
    }
}

/// Appends `value` of the device to `out`; `false` (nothing written) when it is unknown. Not
/// inlined: in the loop over the parts, the compiler computed every value ahead of it (both
/// cases of the MAC among them), needed or not.
#[inline(never)]
fn write_value(out: &mut String, value: Value, device: &Device, vendor: Option<&str>, model: Option<&str>) -> bool {
    match value {
        Value::Mac(case) => {
            let Some(mac) = device.mac else { return false };
            out.push_str(hex_str(&mac_hex(mac, case)));
            true
        }
        Value::Vendor => encode_into(out, vendor.or(device.vendor.as_deref())),
        Value::Model => encode_into(out, model.or(device.model.as_deref())),
        Value::Firmware => encode_into(out, device.firmware.as_deref()),
        Value::Ip => {
            let Some(ip) = device.ip else { return false };
            let _ = write!(out, "{ip}");
            true
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters into `out`; `false` for
/// `None`.
fn encode_into(out: &mut String, value: Option<&str>) -> bool {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let Some(value) = value else { return false };
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Mac;

    fn device() -> Device {
        Device {
            mac: Mac::parse("000b82273b89"),
            vendor: Some("grandstream".into()),
            model: Some("VOIP PHONE".into()),
            firmware: Some("1.0.1.108".into()),
            ip: "172.18.32.197".parse().ok(),
            ..Device::default()
        }
    }

    #[test]
    fn expands_known_and_keeps_the_rest() {
        let t = UrlTemplate::new("http://pbx/{vendor}/{model}/{firmware}/{ip}/cfg{mac}.xml?M={MAC}&x={other}&$mac{")
            .unwrap();
        assert_eq!(
            t.expand(&device(), None, None),
            "http://pbx/grandstream/VOIP%20PHONE/1.0.1.108/172.18.32.197/cfg000b82273b89.xml?M=000B82273B89&x={other}&$mac{"
        );
        assert_eq!(
            t.expand(&device(), Some("snom"), Some("D785")).split('/').nth(3),
            Some("snom")
        );
    }

    #[test]
    fn unknown_values_stay_for_the_phone() {
        let t = UrlTemplate::new("http://pbx/?mac={mac}").unwrap();
        assert_eq!(t.expand(&Device::default(), None, None), "http://pbx/?mac={mac}");
    }

    #[test]
    fn token_only_when_given() {
        let t = UrlTemplate::new("http://pbx/{mac}/{token}/cfg{mac}.xml?t={token}").unwrap();
        assert!(t.has_token());
        assert!(!UrlTemplate::new("http://pbx/{mac}/").unwrap().has_token());
        let plain = t.expand(&device(), None, None);
        assert_eq!(plain, "http://pbx/000b82273b89/{token}/cfg000b82273b89.xml?t={token}");
        let signed = t.expand_with_token(&device(), None, None, Some("AbC-_1"));
        assert_eq!(signed, "http://pbx/000b82273b89/AbC-_1/cfg000b82273b89.xml?t=AbC-_1");
        assert_eq!(insert_token(&plain, "AbC-_1"), signed);
        let braces = Device {
            model: Some("{token}".into()),
            ..device()
        };
        let t = UrlTemplate::new("http://pbx/{model}/{token}").unwrap();
        assert_eq!(
            insert_token(&t.expand(&braces, None, None), "x"),
            "http://pbx/%7Btoken%7D/x"
        );
    }

    /// Expansion as it was first written: placeholders found one by one in the text, then
    /// every `{token}` of the expanded URL replaced ([`insert_token`]).
    fn expand_by_search(text: &str, device: &Device, vendor: Option<&str>, token: Option<&str>) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open..];
            let close = after.find('}').map_or(after.len(), |c| c + 1);
            let placeholder = &after[..close];
            match Value::of(placeholder) {
                Some(value) if write_value(&mut out, value, device, vendor, None) => {}
                _ => out.push_str(placeholder),
            }
            rest = &after[close..];
        }
        out.push_str(rest);
        match token {
            Some(token) => insert_token(&out, token),
            None => out,
        }
    }

    #[test]
    fn parts_expand_as_a_search_of_the_text_does() {
        let templates = [
            "http://pbx/{mac}/{token}/cfg{MAC}.xml?t={token}",
            "{token}",
            "{token}{token}x{token}",
            "{to{token}",
            "{tok{mac}en}",
            "{{token}}",
            "{token",
            "a{token}b{",
            "{",
            "}",
            "{}",
            "x{ip",
            "{ip}{vendor}{model}{firmware}{other}",
            "{vendor}{token}{model}",
            "{mac}{mac}{MAC}}{",
            "plain",
            "\u{e9}{mac}\u{e9}{token}\u{e9}",
        ];
        let devices = [device(), Device::default()];
        for text in templates {
            let t = UrlTemplate::new(text).unwrap();
            assert_eq!(t.has_token(), text.contains("{token}"), "{text}");
            for d in &devices {
                for vendor in [None, Some("snom {x}")] {
                    for token in [None, Some("AbC-_1"), Some("")] {
                        assert_eq!(
                            t.expand_with_token(d, vendor, None, token),
                            expand_by_search(text, d, vendor, token),
                            "{text} {token:?}"
                        );
                    }
                    assert_eq!(
                        t.expand(d, vendor, None),
                        expand_by_search(text, d, vendor, None),
                        "{text}"
                    );
                }
            }
        }
    }

    #[test]
    fn forbidden_text() {
        assert_eq!(UrlTemplate::new(""), Err(TemplateError::Empty));
        assert_eq!(
            UrlTemplate::new("http://a\r\nX: y"),
            Err(TemplateError::ForbiddenCharacter { offset: 8 })
        );
        assert!(UrlTemplate::new("http://a b").is_err());
        assert!(UrlTemplate::new("http://a\0").is_err());
    }
}
