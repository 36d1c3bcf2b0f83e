//! Grandstream's legacy binary config `cfg<mac>` (config-formats.md §3.1; GS3, wazo, sipXecom
//! and Elastix agree): the phone fetches it before `cfg<mac>.xml` and applies it at once, so it
//! can carry the XML config password (P1359) or redirect the phone. It carries the same
//! P-values as the XML file, from the same list (`grandstream_pvalues::entries`), whatever the
//! model's XML dialect.
//!
//! Layout, big-endian: a 16-byte header — total length in 16-bit words (4 bytes), checksum
//! (2), MAC (6), `0D 0A 0D 0A` — then the body `P<n>=<value>&…&gnkey=0b82`, values
//! percent-encoded, padded with one NUL to an even length. The checksum makes the 16-bit
//! words of the whole file sum to zero. There is no cipher, only the checksum: serve it over
//! HTTPS.

use super::file_name::{Case, mac_file_name};
use super::grandstream_pvalues::entries;
use super::values::check_value;
use super::{RenderError, RenderedFile};
use crate::assign::Assignment;

/// The pair that must close the body (some firmware accepts no other position).
const GNKEY: &[u8] = b"gnkey=0b82";
const HEADER_LEN: usize = 16;

/// Renders `cfg<mac>` for `a`, with the same P-values as the XML file.
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    let entries = entries(a)?;
    let mut body = Vec::with_capacity(
        GNKEY.len()
            + 1
            + entries
                .iter()
                .map(|e| e.key.len() + 8 + 3 * e.value.len())
                .sum::<usize>(),
    );
    for entry in &entries {
        if entry.key.is_empty() || !entry.key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(RenderError::invalid_key(&entry.key));
        }
        if !entry.value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            check_value(&entry.value, &entry.field, char::is_control)?;
        }
        body.extend_from_slice(entry.key.as_bytes());
        body.push(b'=');
        percent_encode(&entry.value, &mut body);
        body.push(b'&');
    }
    body.extend_from_slice(GNKEY);
    if body.len() % 2 == 1 {
        body.push(0);
    }

    let words = u32::try_from(HEADER_LEN / 2 + body.len() / 2).expect("a config is far smaller than 8 GiB");
    let mut file = Vec::with_capacity(HEADER_LEN + body.len());
    file.extend_from_slice(&words.to_be_bytes());
    file.extend_from_slice(&[0, 0]);
    file.extend_from_slice(&mac.0);
    file.extend_from_slice(b"\r\n\r\n");
    file.extend_from_slice(&body);
    let checksum = 0u16.wrapping_sub(word_sum(&file));
    file[4..6].copy_from_slice(&checksum.to_be_bytes());

    Ok(RenderedFile {
        file_name: mac_file_name("cfg", mac, Case::Lower, ""),
        content_type: "application/octet-stream",
        content: file,
    })
}

/// The sum of the big-endian 16-bit words of `data` (even length), modulo 2^16.
fn word_sum(data: &[u8]) -> u16 {
    data.chunks_exact(2)
        .fold(0u16, |sum, w| sum.wrapping_add(u16::from_be_bytes([w[0], w[1]])))
}

/// Percent-encodes everything but RFC 3986 unreserved characters (so `&` and `=` inside a
/// value cannot split the pair list).
fn percent_encode(value: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Mac;

    const MAC: Mac = Mac([0x00, 0x0b, 0x82, 0x27, 0x3b, 0x89]);

    fn assignment() -> Assignment {
        let mut a = Assignment {
            mac: Some(MAC),
            admin_password: Some("a&b=c d".into()),
            ..Assignment::default()
        };
        a.account_mut(1).user_id = Some("101".into());
        a.set_override("P1359", "xml-pw");
        a
    }

    /// Decodes the body back into (key, value) pairs.
    fn pairs(file: &[u8]) -> Vec<(String, String)> {
        let body = std::str::from_utf8(&file[HEADER_LEN..]).unwrap().trim_end_matches('\0');
        body.split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                let mut decoded = Vec::new();
                let mut bytes = v.bytes();
                while let Some(b) = bytes.next() {
                    if b == b'%' {
                        let hex: String = [bytes.next().unwrap() as char, bytes.next().unwrap() as char]
                            .iter()
                            .collect();
                        decoded.push(u8::from_str_radix(&hex, 16).unwrap());
                    } else {
                        decoded.push(b);
                    }
                }
                (k.to_owned(), String::from_utf8(decoded).unwrap())
            })
            .collect()
    }

    #[test]
    fn header_checksum_and_body() {
        let file = render(&assignment()).unwrap();
        assert_eq!(file.file_name, "cfg000b82273b89");
        let bytes = &file.content;
        assert_eq!(bytes.len() % 2, 0);
        assert_eq!(word_sum(bytes), 0, "the whole file sums to zero");
        let words = u32::from_be_bytes(bytes[0..4].try_into().unwrap()) as usize;
        assert_eq!(words * 2, bytes.len());
        assert_eq!(&bytes[6..12], &MAC.0);
        assert_eq!(&bytes[12..16], b"\r\n\r\n");
        let got = pairs(bytes);
        assert_eq!(got.last().unwrap(), &("gnkey".to_owned(), "0b82".to_owned()));
        assert!(got.contains(&("P2".to_owned(), "a&b=c d".to_owned())));
        assert!(got.contains(&("P35".to_owned(), "101".to_owned())));
        assert!(got.contains(&("P1359".to_owned(), "xml-pw".to_owned())));
        assert!(got.contains(&("P1414".to_owned(), "0".to_owned())));
    }

    #[test]
    fn carries_the_same_p_values_as_the_xml_file() {
        use crate::assign::{KeyBank, KeyKind};
        let mut a = assignment();
        a.language = Some("fr".into());
        a.timezone = crate::timezone::Zone::find("Europe/Berlin");
        a.account_mut(1).register_expires = Some(600);
        let key = a.key_mut(1);
        key.bank = KeyBank::Programmable;
        key.kind = KeyKind::Blf;
        key.value = Some("102".into());
        let xml = super::super::grandstream::render_pvalues(&a).unwrap();
        let from_xml: Vec<(String, String)> = super::super::xml::parse(&xml.content)
            .into_iter()
            .filter_map(|n| Some((n.path.strip_prefix("gs_provision/config/")?.to_owned(), n.text)))
            .collect();
        let mut from_binary = pairs(&render(&a).unwrap().content);
        assert_eq!(from_binary.pop(), Some(("gnkey".to_owned(), "0b82".to_owned())));
        assert_eq!(from_binary, from_xml);
        assert!(from_binary.contains(&("P246".to_owned(), "CET-1CEST-2,M3.5.0/2,M10.5.0/3".to_owned())));
        assert!(from_binary.contains(&("P323".to_owned(), "1".to_owned())));
    }

    #[test]
    fn odd_and_even_bodies_are_padded_and_checked() {
        for user in ["1", "12", "123", "1234"] {
            let mut a = assignment();
            a.account_mut(1).user_id = Some(user.into());
            let file = render(&a).unwrap().content;
            assert_eq!(word_sum(&file), 0, "{user}");
            assert_eq!(file.len() % 2, 0);
        }
    }

    #[test]
    fn refusals() {
        let mut a = assignment();
        a.accounts[0].password = Some("pw\r\nsecret".into());
        let err = render(&a).unwrap_err();
        assert_eq!(
            err,
            RenderError::ControlCharacter {
                field: "account 1 password".into()
            }
        );
        assert!(!err.to_string().contains("secret"));
        let mut a = assignment();
        a.set_override("P1=x&P2", "1");
        assert!(matches!(render(&a), Err(RenderError::InvalidKey(_))));
        assert_eq!(render(&Assignment::default()), Err(RenderError::MissingMac));
    }
}
