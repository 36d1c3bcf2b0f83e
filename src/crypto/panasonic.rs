//! Panasonic config encryption: the `openssl enc` salted container, AES-CBC, base64 — what
//! `openssl enc -e -aes-256-cbc -a -salt -pass pass:KEY` writes. The key is password text run
//! through `EVP_BytesToKey`; its length (16, 24 or 32 characters, `CFG_FILE_KEY_LENGTH` on the
//! phone) selects AES-128, -192 or -256.
//!
//! The KDF digest of the phones is not documented: MD5 (OpenSSL before 1.1.0, the era of the
//! guides) is the default here. VERIFY-HW.

use super::{CryptoError, Digest, base64, openssl};

/// Characters per base64 line, as `openssl enc -a` writes (64, ended by `\n`).
const LINE_LEN: usize = 64;

/// The digest [`crate::crypto::encrypt_file`] and [`crate::crypto::decrypt`] use.
pub const DEFAULT_DIGEST: Digest = Digest::Md5;

/// Encrypts `plain` with `key` (16, 24 or 32 printable ASCII characters → AES-128/192/256-CBC)
/// and `salt`, base64 in 64-column lines.
pub fn encrypt(plain: &[u8], key: &str, digest: Digest, salt: [u8; 8]) -> Result<Vec<u8>, CryptoError> {
    let key_len = key_len(key)?;
    let container = openssl::encrypt_with(plain, key.as_bytes(), digest, salt, key_len)?;
    Ok(base64::encode_lines(&container, LINE_LEN).into_bytes())
}

/// Decrypts a base64 container (line breaks and other ASCII whitespace anywhere are ignored).
/// [`CryptoError::BadHeader`] if `data` is not base64 or not a salted container.
pub fn decrypt(data: &[u8], key: &str, digest: Digest) -> Result<Vec<u8>, CryptoError> {
    let key_len = key_len(key)?;
    let container = base64::decode(data).ok_or(CryptoError::BadHeader)?;
    openssl::decrypt_with(&container, key.as_bytes(), digest, key_len)
}

/// The AES key length `key` selects, after checking it is printable ASCII.
fn key_len(key: &str) -> Result<usize, CryptoError> {
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CryptoError::InvalidKey(
            "a panasonic key may only contain printable ascii characters without spaces",
        ));
    }
    match key.len() {
        len @ (16 | 24 | 32) => Ok(len),
        _ => Err(CryptoError::InvalidKey(
            "a panasonic key must be 16, 24 or 32 characters",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: [u8; 8] = *b"PanaSalt";
    const KEY16: &str = "0123456789abcdef";
    const KEY24: &str = "0123456789abcdefghijklmn";
    const KEY32: &str = "0123456789abcdefghijklmnopqrstuv";

    fn plain(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn round_trips_every_key_length_and_size() {
        for key in [KEY16, KEY24, KEY32] {
            for len in [0, 1, 15, 16, 17, 102_400] {
                let data = plain(len);
                let sealed = encrypt(&data, key, Digest::Md5, SALT).unwrap();
                assert_eq!(decrypt(&sealed, key, Digest::Md5).unwrap(), data);
            }
        }
    }

    #[test]
    fn output_is_the_base64_container_in_64_columns() {
        let sealed = encrypt(&plain(200), KEY32, Digest::Md5, SALT).unwrap();
        let text = std::str::from_utf8(&sealed).unwrap();
        assert!(text.starts_with("U2FsdGVkX1")); // "Salted__"
        assert!(text.ends_with('\n'));
        let lines: Vec<&str> = text.split_terminator('\n').collect();
        assert!(lines[..lines.len() - 1].iter().all(|l| l.len() == 64));
        assert!(!lines[lines.len() - 1].is_empty() && lines[lines.len() - 1].len() <= 64);
        let container = base64::decode(&sealed).unwrap();
        assert_eq!(
            container,
            openssl::encrypt_with(&plain(200), KEY32.as_bytes(), Digest::Md5, SALT, 32).unwrap()
        );
    }

    #[test]
    fn key_length_selects_aes_variant() {
        let data = plain(40);
        for (key, len) in [(KEY16, 16), (KEY24, 24), (KEY32, 32)] {
            let sealed = encrypt(&data, key, Digest::Md5, SALT).unwrap();
            let container = base64::decode(&sealed).unwrap();
            assert_eq!(
                openssl::decrypt_with(&container, key.as_bytes(), Digest::Md5, len).unwrap(),
                data
            );
        }
    }

    #[test]
    fn tolerates_line_breaks() {
        let data = plain(300);
        let sealed = encrypt(&data, KEY16, Digest::Md5, SALT).unwrap();
        let flat: Vec<u8> = sealed.iter().copied().filter(|&b| b != b'\n').collect();
        assert_eq!(decrypt(&flat, KEY16, Digest::Md5).unwrap(), data);
        let crlf = String::from_utf8(sealed).unwrap().replace('\n', "\r\n");
        assert_eq!(decrypt(crlf.as_bytes(), KEY16, Digest::Md5).unwrap(), data);
    }

    #[test]
    fn bad_keys_are_rejected() {
        for key in [
            "",
            "short",
            "0123456789abcde",
            "0123456789abcdefg",
            "0123456789abcdefghijklmnopqrstuvw",
        ] {
            assert!(
                matches!(encrypt(b"x", key, Digest::Md5, SALT), Err(CryptoError::InvalidKey(_))),
                "{key:?}"
            );
            assert!(matches!(
                decrypt(b"", key, Digest::Md5),
                Err(CryptoError::InvalidKey(_))
            ));
        }
        for key in ["0123456789abcde ", "0123456789abcde\n", "0123456789abcdé"] {
            assert!(
                matches!(encrypt(b"x", key, Digest::Md5, SALT), Err(CryptoError::InvalidKey(_))),
                "{key:?}"
            );
        }
    }

    #[test]
    fn wrong_key_or_bad_text_fails() {
        // Checked: these keys and this salt give a padding error, not garbage.
        let sealed = encrypt(&plain(100), KEY32, Digest::Md5, SALT).unwrap();
        assert_eq!(
            decrypt(&sealed, "0123456789abcdefghijklmnopqrstuw", Digest::Md5),
            Err(CryptoError::BadPadding)
        );
        assert_eq!(decrypt(&sealed, KEY32, Digest::Sha256), Err(CryptoError::BadPadding));
        assert_eq!(decrypt(b"not base64!", KEY32, Digest::Md5), Err(CryptoError::BadHeader));
        assert_eq!(decrypt(b"Zm9vYmFy", KEY32, Digest::Md5), Err(CryptoError::BadHeader));
        assert_eq!(
            decrypt(&sealed[..sealed.len() - 6], KEY32, Digest::Md5),
            Err(CryptoError::BadHeader)
        );
    }
}
