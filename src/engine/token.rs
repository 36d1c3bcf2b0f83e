//! `{token}` URLs: stateless, unguessable, expiring access tokens bound to one phone.
//!
//! A token is 40 characters of base64url (no padding) over 30 bytes:
//!
//! ```text
//! mac (6) || expiry_ms, big-endian (8) || HMAC-SHA256(key, "sippnp-token-v1" || mac || ip || expiry)[..16]
//! ```
//!
//! `ip` is the phone's address as 16 bytes (IPv4 as its IPv4-mapped IPv6 form, so a server on
//! a dual-stack socket that sees `::ffff:192.0.2.7` verifies a token issued to `192.0.2.7`).
//! The 128-bit tag makes a forgery a 2⁻¹²⁸ guess; nothing is stored, so any number of
//! tokens can be outstanding. The key is 32 bytes from the OS random source (or derived from
//! a secret the host shares between processes).

use std::fmt;
use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::device::Mac;

/// Length of a token in characters.
pub const TOKEN_LEN: usize = 40;
/// Bytes of HMAC kept in a token (128 bits).
const TAG_LEN: usize = 16;
const RAW_LEN: usize = 6 + 8 + TAG_LEN;
const DOMAIN: &[u8] = b"sippnp-token-v1";

/// Why [`crate::engine::Engine::verify_token`] refused a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token: wrong length or characters outside base64url.
    Malformed,
    /// The signature does not match: forged or altered, issued by another engine (another
    /// key), or presented from another IP address than the phone it was issued to.
    Invalid,
    /// Genuine, but past its expiry.
    Expired,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenError::Malformed => "malformed token",
            TokenError::Invalid => "token not valid for this device and address",
            TokenError::Expired => "token expired",
        })
    }
}

impl std::error::Error for TokenError {}

/// HMAC-SHA256 (RFC 2104) of the concatenation of `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block_key.map(|b| b ^ 0x36));
    for part in parts {
        inner.update(part);
    }
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block_key.map(|b| b ^ 0x5c));
    outer.update(inner);
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer.finalize());
    out
}

/// Signs a token for `mac` at `ip`, valid until `expiry_ms` (inclusive).
pub(crate) fn sign(key: &[u8; 32], mac: Mac, ip: IpAddr, expiry_ms: u64) -> String {
    let mut raw = [0u8; RAW_LEN];
    raw[..6].copy_from_slice(&mac.0);
    raw[6..14].copy_from_slice(&expiry_ms.to_be_bytes());
    raw[14..].copy_from_slice(&tag(key, mac, ip, expiry_ms));
    encode(&raw)
}

/// Checks a token presented from `ip` at `now_ms`; the MAC it was issued for on success.
pub(crate) fn verify(key: &[u8; 32], token: &str, ip: IpAddr, now_ms: u64) -> Result<Mac, TokenError> {
    if token.len() != TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut raw = [0u8; RAW_LEN];
    decode(token.as_bytes(), &mut raw).ok_or(TokenError::Malformed)?;
    let mut mac = [0u8; 6];
    mac.copy_from_slice(&raw[..6]);
    let mac = Mac(mac);
    let mut expiry = [0u8; 8];
    expiry.copy_from_slice(&raw[6..14]);
    let expiry_ms = u64::from_be_bytes(expiry);
    let expected = tag(key, mac, ip, expiry_ms);
    // Constant time: the comparison does not tell how many leading bytes matched.
    let diff = expected.iter().zip(&raw[14..]).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff != 0 {
        return Err(TokenError::Invalid);
    }
    if now_ms > expiry_ms {
        return Err(TokenError::Expired);
    }
    Ok(mac)
}

fn tag(key: &[u8; 32], mac: Mac, ip: IpAddr, expiry_ms: u64) -> [u8; TAG_LEN] {
    let ip = match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    };
    let full = hmac_sha256(key, &[DOMAIN, &mac.0, &ip, &expiry_ms.to_be_bytes()]);
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(&full[..TAG_LEN]);
    out
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding, for inputs whose length is a multiple of 3.
fn encode(raw: &[u8]) -> String {
    debug_assert_eq!(raw.len() % 3, 0);
    let mut out = String::with_capacity(raw.len() / 3 * 4);
    for chunk in raw.chunks_exact(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]);
        for shift in [18, 12, 6, 0] {
            out.push(ALPHABET[(n >> shift) as usize & 63] as char);
        }
    }
    out
}

/// Decodes base64url text of exactly `out.len() / 3 * 4` characters into `out`.
fn decode(text: &[u8], out: &mut [u8]) -> Option<()> {
    if text.len() != out.len() / 3 * 4 {
        return None;
    }
    for (chunk, dst) in text.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let mut n = 0u32;
        for &c in chunk {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'-' => 62,
                b'_' => 63,
                _ => return None,
            };
            n = (n << 6) | u32::from(v);
        }
        dst.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// RFC 4231 §4.2, §4.3 and §4.7 (a key longer than the block is hashed first).
    #[test]
    fn rfc4231_vectors() {
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], &[b"Hi There"])),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", &[b"what do ya ", b"want for nothing?"])),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn base64url_round_trip() {
        let raw: Vec<u8> = (0..=255u8).chain(0..=1).collect();
        assert_eq!(raw.len() % 3, 0);
        let text = encode(&raw);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        let mut back = vec![0u8; raw.len()];
        decode(text.as_bytes(), &mut back).unwrap();
        assert_eq!(back, raw);
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "-_-_");
        assert!(decode(b"-_-=", &mut [0u8; 3]).is_none());
        assert!(decode(b"-_-_A", &mut [0u8; 3]).is_none());
    }

    #[test]
    fn tokens_bind_mac_ip_and_expiry() {
        let key = [7u8; 32];
        let mac = Mac::parse("000b82273b89").unwrap();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let token = sign(&key, mac, ip, 10_000);
        assert_eq!(token.len(), TOKEN_LEN);
        assert_eq!(verify(&key, &token, ip, 10_000), Ok(mac));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(verify(&key, &token, mapped, 0), Ok(mac));
        assert_eq!(verify(&key, &token, ip, 10_001), Err(TokenError::Expired));
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        assert_eq!(verify(&key, &token, other, 0), Err(TokenError::Invalid));
        assert_eq!(verify(&[8u8; 32], &token, ip, 0), Err(TokenError::Invalid));
        // Another MAC or a later expiry written into the token breaks the signature.
        let mut raw = [0u8; RAW_LEN];
        decode(token.as_bytes(), &mut raw).unwrap();
        for at in [0, 13] {
            let mut altered = raw;
            altered[at] ^= 1;
            assert_eq!(verify(&key, &encode(&altered), ip, 0), Err(TokenError::Invalid));
        }
        assert_eq!(verify(&key, "short", ip, 0), Err(TokenError::Malformed));
        assert_eq!(
            verify(&key, &token.replace(&token[..1], "+"), ip, 0),
            Err(TokenError::Malformed)
        );
        assert_eq!(TokenError::Expired.to_string(), "token expired");
    }
}
