//! Yealink "compatibility mode" config encryption: AES-128-ECB with a 16-character key used
//! directly as the key bytes, plus the key file `<name>_Security.enc` that carries that key
//! encrypted (AES-128-ECB, one block, no padding) under a key built into every Yealink phone.
//!
//! Because the built-in key is public, the key file protects nothing by itself: serve it only
//! to the phone it is meant for, over a channel you trust, or provision the key another way
//! (`static.auto_provision.aes_key_16.mac`) and keep the key file private.

use std::fmt;

use aes::Aes128;
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

use super::{CryptoError, random};

/// The key built into Yealink firmware and tools, which encrypts the key file.
const BUILTIN_KEY: &[u8; 16] = b"EKs35XacP6eybA25";

/// Characters Yealink accepts in a key besides ASCII letters and digits.
const KEY_SYMBOLS: &[u8] = b"#$%*+,-.:=?@[]^_{}~";

/// Characters of generated keys, as Yealink's own tool does (`[a-zA-Z0-9]`).
const RANDOM_ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Largest multiple of 62 that fits in a byte: random bytes at or above it are drawn again, so
/// `byte % 62` has no bias.
const RANDOM_LIMIT: u8 = 248;

/// What a config is padded with up to a multiple of 16 bytes.
const PAD: u8 = b' ';

/// A Yealink config key: exactly 16 characters from `0-9 A-Z a-z # $ % * + , - . : = ? @ [ ] ^ _
/// { } ~`. Its `Debug` form does not show the key.
#[derive(Clone, PartialEq, Eq)]
pub struct YealinkKey([u8; 16]);

impl YealinkKey {
    /// Checks `text` against Yealink's key rules.
    pub fn new(text: &str) -> Result<YealinkKey, CryptoError> {
        let bytes: [u8; 16] = text
            .as_bytes()
            .try_into()
            .map_err(|_| CryptoError::InvalidKey("a yealink key must be exactly 16 characters"))?;
        if !bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || KEY_SYMBOLS.contains(&b))
        {
            return Err(CryptoError::InvalidKey(
                "a yealink key may only contain ascii letters, digits and # $ % * + , - . : = ? @ [ ] ^ _ { } ~",
            ));
        }
        Ok(YealinkKey(bytes))
    }

    /// A fresh key of 16 characters from `[a-zA-Z0-9]`, drawn from the OS CSPRNG without bias.
    pub fn random() -> Result<YealinkKey, CryptoError> {
        let mut key = [0u8; 16];
        let mut filled = 0;
        let mut pool = [0u8; 32];
        while filled < key.len() {
            random::fill(&mut pool)?;
            for &b in pool.iter().filter(|&&b| b < RANDOM_LIMIT) {
                if filled == key.len() {
                    break;
                }
                key[filled] = RANDOM_ALPHABET[usize::from(b % 62)];
                filled += 1;
            }
        }
        Ok(YealinkKey(key))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        // Infallible: `new` and `random` admit only ASCII bytes.
        std::str::from_utf8(&self.0).expect("a YealinkKey holds only ASCII")
    }

    /// The key bytes (the AES-128 key).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for YealinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("YealinkKey(..)")
    }
}

/// Encrypts a config with AES-128-ECB under `key`, after padding it with spaces (0x20) to a
/// multiple of 16 bytes as Yealink's tool does. A plaintext that is already a multiple of 16
/// bytes (including the empty one) is not padded.
pub fn encrypt_config(plain: &[u8], key: &YealinkKey) -> Vec<u8> {
    let mut buf = plain.to_vec();
    buf.resize(plain.len().next_multiple_of(16), PAD);
    ecb_encrypt(&key.0, &mut buf);
    buf
}

/// Decrypts a config encrypted with `key`. The length must be a multiple of 16 bytes, else
/// [`CryptoError::BadHeader`].
///
/// The space padding is returned as is: the format does not record the original length, and
/// trailing spaces after the last line of a `.cfg` are insignificant to the phone, so removing
/// them could only damage a config that legitimately ends with spaces. ECB has no integrity
/// check, so a wrong key yields garbage rather than an error.
pub fn decrypt_config(data: &[u8], key: &YealinkKey) -> Result<Vec<u8>, CryptoError> {
    if !data.len().is_multiple_of(16) {
        return Err(CryptoError::BadHeader);
    }
    let mut buf = data.to_vec();
    ecb_decrypt(&key.0, &mut buf);
    Ok(buf)
}

/// The content of `<name>_Security.enc`: `key` encrypted with the built-in key.
pub fn key_file(key: &YealinkKey) -> [u8; 16] {
    let mut block = key.0;
    ecb_encrypt(BUILTIN_KEY, &mut block);
    block
}

/// Reads the key out of a `<name>_Security.enc` file. [`CryptoError::BadHeader`] unless it is
/// exactly 16 bytes; [`CryptoError::InvalidKey`] if it does not decrypt to a valid key.
pub fn key_from_key_file(data: &[u8]) -> Result<YealinkKey, CryptoError> {
    let mut block: [u8; 16] = data.try_into().map_err(|_| CryptoError::BadHeader)?;
    ecb_decrypt(BUILTIN_KEY, &mut block);
    let text = std::str::from_utf8(&block)
        .map_err(|_| CryptoError::InvalidKey("the key file does not decrypt to a yealink key"))?;
    YealinkKey::new(text).map_err(|_| CryptoError::InvalidKey("the key file does not decrypt to a yealink key"))
}

/// AES-128-ECB encryption in place; `buf.len()` is a multiple of 16 (guaranteed by the callers;
/// a trailing partial block would be left untouched).
fn ecb_encrypt(key: &[u8; 16], buf: &mut [u8]) {
    let cipher = Aes128::new(key.into());
    let (blocks, _) = buf.as_chunks_mut::<16>();
    for block in blocks {
        cipher.encrypt_block(block.into());
    }
}

/// AES-128-ECB decryption in place, as [`ecb_encrypt`].
fn ecb_decrypt(key: &[u8; 16], buf: &mut [u8]) {
    let cipher = Aes128::new(key.into());
    let (blocks, _) = buf.as_chunks_mut::<16>();
    for block in blocks {
        cipher.decrypt_block(block.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `test/test_Security.enc` of traviscross/yealink-confenc.
    const VECTOR_KEY_FILE: [u8; 16] = [
        0xac, 0x31, 0xd0, 0x43, 0xa0, 0x8b, 0x31, 0xec, 0x3c, 0x0a, 0x88, 0xfc, 0x2d, 0xe4, 0x71, 0x56,
    ];
    /// The key it holds.
    const VECTOR_KEY: &str = "ljB7jiDIQQ7XD888";

    fn key() -> YealinkKey {
        YealinkKey::new(VECTOR_KEY).unwrap()
    }

    #[test]
    fn key_file_vector_both_ways() {
        assert_eq!(key_from_key_file(&VECTOR_KEY_FILE).unwrap().as_str(), VECTOR_KEY);
        assert_eq!(key_file(&key()), VECTOR_KEY_FILE);
    }

    #[test]
    fn key_rules() {
        assert!(YealinkKey::new("0123456789abcdef").is_ok());
        assert!(YealinkKey::new("#$%*+,-.:=?@[]^_").is_ok());
        assert!(YealinkKey::new("{}~AZaz09{}~{}~{").is_ok());
        for bad in [
            "",
            "short",
            "0123456789abcde",
            "0123456789abcdefg",
            "0123456789abcde ",
            "0123456789abcde/",
        ] {
            assert!(
                matches!(YealinkKey::new(bad), Err(CryptoError::InvalidKey(_))),
                "{bad:?}"
            );
        }
        // 16 bytes but not 16 ASCII characters.
        assert!(matches!(
            YealinkKey::new("0123456789abcdé"),
            Err(CryptoError::InvalidKey(_))
        ));
        // 16 characters but more than 16 bytes.
        assert!(matches!(
            YealinkKey::new("0123456789abcdeé"),
            Err(CryptoError::InvalidKey(_))
        ));
    }

    #[test]
    fn random_keys_are_alphanumeric_and_distinct() {
        let keys: Vec<YealinkKey> = (0..64).map(|_| YealinkKey::random().unwrap()).collect();
        for k in &keys {
            assert!(k.as_bytes().iter().all(u8::is_ascii_alphanumeric));
            assert_eq!(YealinkKey::new(k.as_str()).as_ref(), Ok(k));
        }
        for (i, a) in keys.iter().enumerate() {
            assert!(keys[i + 1..].iter().all(|b| b != a));
        }
        // All 62 characters show up over 64 × 16 draws (misses have probability < 1e-5).
        let mut seen = [false; 256];
        keys.iter()
            .flat_map(|k| k.as_bytes())
            .for_each(|&b| seen[usize::from(b)] = true);
        assert_eq!(seen.iter().filter(|&&s| s).count(), 62);
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", key()), "YealinkKey(..)");
    }

    #[test]
    fn pads_with_spaces_and_round_trips() {
        for len in [0usize, 1, 15, 16, 17, 102_400] {
            let plain: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let sealed = encrypt_config(&plain, &key());
            assert_eq!(
                sealed.len(),
                len.next_multiple_of(16),
                "no padding block when aligned ({len})"
            );
            let opened = decrypt_config(&sealed, &key()).unwrap();
            assert_eq!(&opened[..len], &plain[..]);
            assert!(opened[len..].iter().all(|&b| b == b' '));
        }
    }

    #[test]
    fn is_ecb_with_the_key_bytes() {
        // Two equal plaintext blocks give two equal ciphertext blocks (ECB), and the first one is
        // AES-128 of the block under the key text itself.
        let block = *b"account.1.enable";
        let sealed = encrypt_config(&[block, block].concat(), &key());
        assert_eq!(sealed[..16], sealed[16..]);
        let mut expected = block;
        ecb_encrypt(key().as_bytes(), &mut expected);
        assert_eq!(sealed[..16], expected);
    }

    #[test]
    fn bad_lengths_are_bad_header() {
        for len in [1, 15, 17, 33] {
            assert_eq!(decrypt_config(&vec![0; len], &key()), Err(CryptoError::BadHeader));
        }
        for len in [0, 15, 17, 32] {
            assert_eq!(key_from_key_file(&vec![0; len]), Err(CryptoError::BadHeader));
        }
    }

    #[test]
    fn garbage_key_file_is_invalid_key() {
        let mut bad = VECTOR_KEY_FILE;
        bad[0] ^= 1;
        assert!(matches!(key_from_key_file(&bad), Err(CryptoError::InvalidKey(_))));
        assert!(matches!(key_from_key_file(&[0; 16]), Err(CryptoError::InvalidKey(_))));
    }
}
