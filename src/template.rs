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

/// A checked URL template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlTemplate(String);

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
        Ok(UrlTemplate(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the template holds the `{token}` placeholder.
    pub fn has_token(&self) -> bool {
        self.0.contains(TOKEN)
    }

    /// The URL for `device`. `vendor`/`model` override the device's own values when given
    /// (the host's assignment knows better than the SUBSCRIBE). `{token}` is kept as is.
    pub fn expand(&self, device: &Device, vendor: Option<&str>, model: Option<&str>) -> String {
        let mut out = String::with_capacity(self.0.len() + 32);
        let mut rest = self.0.as_str();
        while let Some(open) = find_byte(rest.as_bytes(), b'{') {
            out.push_str(&rest[..open]);
            let after = &rest[open..];
            let close = find_byte(after.as_bytes(), b'}').map_or(after.len(), |c| c + 1);
            let placeholder = &after[..close];
            if !write_value(&mut out, placeholder, device, vendor, model) {
                out.push_str(placeholder);
            }
            rest = &after[close..];
        }
        out.push_str(rest);
        out
    }

    /// As [`UrlTemplate::expand`], then every `{token}` replaced by `token` when one is given
    /// (see [`insert_token`]). A token must be URL-safe text (the engine's are base64url);
    /// nothing is encoded.
    pub fn expand_with_token(
        &self,
        device: &Device,
        vendor: Option<&str>,
        model: Option<&str>,
        token: Option<&str>,
    ) -> String {
        let url = self.expand(device, vendor, model);
        match token {
            Some(token) if url.contains(TOKEN) => insert_token(&url, token),
            _ => url,
        }
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

/// Appends the value of `placeholder` to `out`; `false` (nothing written) when the placeholder
/// is not one of ours or its value is unknown.
fn write_value(
    out: &mut String,
    placeholder: &str,
    device: &Device,
    vendor: Option<&str>,
    model: Option<&str>,
) -> bool {
    match placeholder {
        "{mac}" | "{MAC}" => {
            let Some(mac) = device.mac else { return false };
            let case = if placeholder == "{MAC}" {
                Case::Upper
            } else {
                Case::Lower
            };
            out.push_str(hex_str(&mac_hex(mac, case)));
            true
        }
        "{vendor}" => encode_into(out, vendor.or(device.vendor.as_deref())),
        "{model}" => encode_into(out, model.or(device.model.as_deref())),
        "{firmware}" => encode_into(out, device.firmware.as_deref()),
        "{ip}" => {
            let Some(ip) = device.ip else { return false };
            let _ = write!(out, "{ip}");
            true
        }
        _ => false,
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
