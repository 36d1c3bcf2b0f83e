//! Config-file encryption that phones can open.
//!
//! [`encrypt_file`] turns a [`RenderedFile`] into what to serve for a [`Cipher`]; [`decrypt`]
//! reverses it (for tests, tools and support). One module per scheme:
//!
//! - [`openssl`]: the `openssl enc` salted AES-CBC container (Grandstream XML, and the base of
//!   Panasonic's).
//! - [`yealink`]: AES-128-ECB plus the `<name>_Security.enc` key file.
//! - [`panasonic`]: the OpenSSL container in base64.
//!
//! Fanvil's scheme is not public, so [`Cipher::Fanvil`] always fails with
//! [`CryptoError::Unsupported`]. None of these formats authenticates its content: they keep a
//! config private on an untrusted transport, they do not prove where it came from.
//!
//! Errors and `Debug` output never contain keys or passwords. Salts and generated keys come only
//! from the OS CSPRNG.

mod aes_cbc;
mod base64;
pub mod openssl;
pub mod panasonic;
pub(crate) mod random;
pub mod yealink;

use std::fmt;

use crate::render::RenderedFile;
use yealink::YealinkKey;

/// MIME type of every encrypted file and key file.
const ENCRYPTED_CONTENT_TYPE: &str = "application/octet-stream";

/// Message of [`CryptoError::Unsupported`] for Fanvil.
const FANVIL_UNSUPPORTED: &str = "fanvil's config encryption is not public";

/// The hash `EVP_BytesToKey` uses to turn a password into key and IV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Digest {
    /// MD5: the `openssl enc` default before OpenSSL 1.1.0 (`-md md5`).
    Md5,
    /// SHA-256: the `openssl enc` default since OpenSSL 1.1.0 (`-md sha256`).
    Sha256,
}

/// The encryption schemes phones can open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cipher {
    /// Grandstream XML: `openssl enc -aes-256-cbc -md md5 -k PASSWORD` container (the phones
    /// predate OpenSSL 1.1's SHA-256 default). The file keeps its name.
    GrandstreamMd5,
    /// Grandstream XML with the SHA-256 KDF (`openssl enc -aes-256-cbc -k PASSWORD` of OpenSSL
    /// 1.1+), for firmware that follows the newer OpenSSL default. VERIFY-HW.
    GrandstreamSha256,
    /// Yealink: AES-128-ECB with a 16-character key, plus the `<name>_Security.enc` key file.
    Yealink,
    /// Panasonic: salted OpenSSL AES-CBC, base64; key length 16/24/32 chars selects
    /// AES-128/192/256. MD5 KDF (VERIFY-HW).
    Panasonic,
    /// Fanvil: scheme not public → always [`CryptoError::Unsupported`].
    Fanvil,
}

impl Cipher {
    /// Every cipher, in [`Cipher::name`] order.
    const ALL: [Cipher; 5] = [
        Cipher::GrandstreamMd5,
        Cipher::GrandstreamSha256,
        Cipher::Yealink,
        Cipher::Panasonic,
        Cipher::Fanvil,
    ];

    /// The cipher called `name` (`grandstream`, `grandstream-sha256`, `yealink`, `panasonic`,
    /// `fanvil`; exact, lower case).
    pub fn parse(name: &str) -> Option<Cipher> {
        Cipher::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The name [`Cipher::parse`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            Cipher::GrandstreamMd5 => "grandstream",
            Cipher::GrandstreamSha256 => "grandstream-sha256",
            Cipher::Yealink => "yealink",
            Cipher::Panasonic => "panasonic",
            Cipher::Fanvil => "fanvil",
        }
    }

    /// The default cipher for a canonical vendor id (`grandstream` → [`Cipher::GrandstreamMd5`]),
    /// or `None` when the vendor has no config encryption (e.g. Snom: use HTTPS).
    pub fn for_vendor(vendor: &str) -> Option<Cipher> {
        match vendor {
            "grandstream" => Some(Cipher::GrandstreamMd5),
            "yealink" => Some(Cipher::Yealink),
            "panasonic" => Some(Cipher::Panasonic),
            "fanvil" => Some(Cipher::Fanvil),
            _ => None,
        }
    }
}

/// Why a config could not be encrypted or decrypted. Messages never contain key or password
/// bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CryptoError {
    /// The scheme cannot be produced (e.g. "fanvil's config encryption is not public").
    Unsupported(&'static str),
    /// What is wrong with the key, never the key itself.
    InvalidKey(&'static str),
    /// Not an OpenSSL `Salted__` container, not base64, or a wrong length.
    BadHeader,
    /// Wrong password or corrupted file.
    BadPadding,
    /// The OS random source failed.
    Random,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CryptoError::Unsupported(why) => write!(f, "unsupported encryption: {why}"),
            CryptoError::InvalidKey(why) => write!(f, "invalid encryption key: {why}"),
            CryptoError::BadHeader => {
                f.write_str("not an encrypted config of the expected format (bad header, encoding or length)")
            }
            CryptoError::BadPadding => f.write_str("decryption failed: wrong key or corrupted file"),
            CryptoError::Random => f.write_str("the operating system's random source failed"),
        }
    }
}

impl std::error::Error for CryptoError {}

/// An encrypted config: the file to serve, and for Yealink the key file to serve beside it.
///
/// `Debug` leaves out the key file's content: the Yealink built-in key is public, so that
/// content is the config key.
#[derive(Clone, PartialEq, Eq)]
pub struct Encrypted {
    /// The encrypted config.
    pub file: RenderedFile,
    /// Yealink's `<stem>_Security.enc`; `None` for other ciphers.
    pub key_file: Option<RenderedFile>,
}

impl fmt::Debug for Encrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encrypted")
            .field("file", &self.file)
            .field(
                "key_file",
                &self.key_file.as_ref().map(|k| (&k.file_name, k.content.len())),
            )
            .finish()
    }
}

/// Encrypts a rendered file for `cipher` with `key` (password text), salt from the OS CSPRNG.
///
/// - Grandstream: `key` is the P1359 password (non-empty, no control characters); the file
///   keeps its name.
/// - Yealink: `key` is 16 characters (see [`YealinkKey::new`]); an empty `key` means "generate
///   one" (recover it from the key file with [`yealink::key_from_key_file`]). The config keeps its
///   name; the key file is `<stem>_Security.enc` (`000b82273b89.cfg` → `000b82273b89_Security.enc`).
/// - Panasonic: `key` is `CFG_FILE_KEY` (16/24/32 characters); the file is renamed to
///   `<stem>.enc`, the extension the phone recognises as encrypted.
/// - Fanvil: [`CryptoError::Unsupported`].
pub fn encrypt_file(file: &RenderedFile, cipher: Cipher, key: &str) -> Result<Encrypted, CryptoError> {
    let (file_name, content, key_file) = match cipher {
        Cipher::GrandstreamMd5 | Cipher::GrandstreamSha256 => {
            check_password(key)?;
            let content = openssl::encrypt(&file.content, key.as_bytes(), grandstream_digest(cipher), salt()?);
            (file.file_name.clone(), content, None)
        }
        Cipher::Yealink => {
            let key = if key.is_empty() {
                YealinkKey::random()?
            } else {
                YealinkKey::new(key)?
            };
            let key_file = RenderedFile {
                file_name: format!("{}_Security.enc", stem(&file.file_name)),
                content_type: ENCRYPTED_CONTENT_TYPE,
                content: yealink::key_file(&key).to_vec(),
            };
            (
                file.file_name.clone(),
                yealink::encrypt_config(&file.content, &key),
                Some(key_file),
            )
        }
        Cipher::Panasonic => {
            let content = panasonic::encrypt(&file.content, key, panasonic::DEFAULT_DIGEST, salt()?)?;
            (format!("{}.enc", stem(&file.file_name)), content, None)
        }
        Cipher::Fanvil => return Err(CryptoError::Unsupported(FANVIL_UNSUPPORTED)),
    };
    Ok(Encrypted {
        file: RenderedFile {
            file_name,
            content_type: ENCRYPTED_CONTENT_TYPE,
            content,
        },
        key_file,
    })
}

/// Decrypts `data` (an encrypted config of `cipher`) with `key`.
///
/// For Yealink the result keeps its space padding (see [`yealink::decrypt_config`]), and a
/// wrong key gives garbage, not an error (ECB has no padding to check).
pub fn decrypt(cipher: Cipher, key: &str, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    match cipher {
        Cipher::GrandstreamMd5 | Cipher::GrandstreamSha256 => {
            check_password(key)?;
            openssl::decrypt(data, key.as_bytes(), grandstream_digest(cipher))
        }
        Cipher::Yealink => yealink::decrypt_config(data, &YealinkKey::new(key)?),
        Cipher::Panasonic => panasonic::decrypt(data, key, panasonic::DEFAULT_DIGEST),
        Cipher::Fanvil => Err(CryptoError::Unsupported(FANVIL_UNSUPPORTED)),
    }
}

/// The KDF digest of a Grandstream cipher.
fn grandstream_digest(cipher: Cipher) -> Digest {
    if cipher == Cipher::GrandstreamSha256 {
        Digest::Sha256
    } else {
        Digest::Md5
    }
}

/// A Grandstream password must be non-empty and free of control characters (the phone stores
/// it as a config value, which cannot carry them).
fn check_password(password: &str) -> Result<(), CryptoError> {
    if password.is_empty() {
        return Err(CryptoError::InvalidKey("the password is empty"));
    }
    if password.chars().any(char::is_control) {
        return Err(CryptoError::InvalidKey("the password contains a control character"));
    }
    Ok(())
}

/// A fresh 8-byte salt from the OS CSPRNG.
fn salt() -> Result<[u8; 8], CryptoError> {
    let mut salt = [0u8; 8];
    random::fill(&mut salt)?;
    Ok(salt)
}

/// `file_name` without its last extension (`000b82273b89.cfg` → `000b82273b89`); a name
/// without an extension (or whose only dot starts it) is returned whole.
fn stem(file_name: &str) -> &str {
    let base_start = file_name.rfind('/').map_or(0, |i| i + 1);
    match file_name[base_start..].rfind('.') {
        Some(dot) if dot > 0 => &file_name[..base_start + dot],
        _ => file_name,
    }
}

#[cfg(test)]
mod tests;
