//! The `openssl enc` salted container: `Salted__` ‖ salt (8 bytes) ‖ AES-CBC ciphertext (PKCS#7),
//! with key and IV from `EVP_BytesToKey` (one iteration of MD5 or SHA-256, no PBKDF2).
//!
//! This is the legacy format `openssl enc -aes-256-cbc -k PASSWORD` writes (OpenSSL itself now
//! warns "deprecated key derivation used"). It exists here only because phones (Grandstream,
//! Panasonic, Cisco SPA) open exactly this. Its weaknesses are those of the format: a fast KDF
//! and no integrity check, so a wrong password is detected only by the padding (and not always).

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, KeyInit, KeyIvInit};

use super::{CryptoError, Digest, aes_cbc};

/// The 8-byte magic that starts a salted container.
pub const MAGIC: &[u8; 8] = b"Salted__";

/// Bytes before the ciphertext: [`MAGIC`] and the salt.
const HEADER_LEN: usize = 16;

/// AES block size.
const BLOCK: usize = 16;

/// `EVP_BytesToKey` with one iteration: `D1 = H(password ‖ salt)`, `Di = H(Di-1 ‖ password ‖
/// salt)`; the concatenation gives `key_len` key bytes, then the 16-byte IV.
pub fn bytes_to_key(password: &[u8], salt: &[u8; 8], digest: Digest, key_len: usize) -> (Vec<u8>, [u8; 16]) {
    let need = key_len + BLOCK;
    let mut material: Vec<u8> = Vec::with_capacity(need + 32);
    let mut previous: Vec<u8> = Vec::new();
    while material.len() < need {
        previous = hash(digest, &[&previous, password, salt]);
        material.extend_from_slice(&previous);
    }
    let mut iv = [0u8; BLOCK];
    iv.copy_from_slice(&material[key_len..need]);
    material.truncate(key_len);
    (material, iv)
}

/// `digest` over the concatenation of `parts`.
fn hash(digest: Digest, parts: &[&[u8]]) -> Vec<u8> {
    match digest {
        Digest::Md5 => hash_with::<md5::Md5>(parts),
        Digest::Sha256 => hash_with::<sha2::Sha256>(parts),
    }
}

/// `H` over the concatenation of `parts`.
fn hash_with<H: sha2::digest::Digest>(parts: &[&[u8]]) -> Vec<u8> {
    let mut hasher = H::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().to_vec()
}

/// `openssl enc -e -aes-256-cbc -md <digest> -k <password>` with the given salt.
pub fn encrypt(plain: &[u8], password: &[u8], digest: Digest, salt: [u8; 8]) -> Vec<u8> {
    seal(plain, password, digest, salt, AesKeyLen::Aes256)
}

/// Opens an `openssl enc -aes-256-cbc -md <digest>` container.
///
/// [`CryptoError::BadHeader`] when `data` does not start with `Salted__` or is not 16 + n·16
/// bytes with n ≥ 1; [`CryptoError::BadPadding`] when the PKCS#7 padding is wrong (wrong
/// password, wrong digest or corrupted file).
pub fn decrypt(data: &[u8], password: &[u8], digest: Digest) -> Result<Vec<u8>, CryptoError> {
    open(data, password, digest, AesKeyLen::Aes256)
}

/// Like [`encrypt`], with AES-128/192/256-CBC chosen by `key_len` = 16/24/32 (bytes of derived
/// key); any other `key_len` is [`CryptoError::InvalidKey`].
pub fn encrypt_with(
    plain: &[u8],
    password: &[u8],
    digest: Digest,
    salt: [u8; 8],
    key_len: usize,
) -> Result<Vec<u8>, CryptoError> {
    Ok(seal(plain, password, digest, salt, AesKeyLen::from_len(key_len)?))
}

/// Like [`decrypt`], with AES-128/192/256-CBC chosen by `key_len` = 16/24/32.
pub fn decrypt_with(data: &[u8], password: &[u8], digest: Digest, key_len: usize) -> Result<Vec<u8>, CryptoError> {
    open(data, password, digest, AesKeyLen::from_len(key_len)?)
}

/// The AES variants the container can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AesKeyLen {
    Aes128,
    Aes192,
    Aes256,
}

impl AesKeyLen {
    /// 16/24/32 → AES-128/192/256.
    fn from_len(key_len: usize) -> Result<AesKeyLen, CryptoError> {
        match key_len {
            16 => Ok(AesKeyLen::Aes128),
            24 => Ok(AesKeyLen::Aes192),
            32 => Ok(AesKeyLen::Aes256),
            _ => Err(CryptoError::InvalidKey("aes key length must be 16, 24 or 32 bytes")),
        }
    }

    /// Key bytes.
    fn len(self) -> usize {
        match self {
            AesKeyLen::Aes128 => 16,
            AesKeyLen::Aes192 => 24,
            AesKeyLen::Aes256 => 32,
        }
    }
}

/// Builds the container.
fn seal(plain: &[u8], password: &[u8], digest: Digest, salt: [u8; 8], aes: AesKeyLen) -> Vec<u8> {
    let (key, iv) = bytes_to_key(password, &salt, digest, aes.len());
    // One buffer: header, then the plaintext encrypted in place with room for the padding.
    let padded_len = (plain.len() / BLOCK + 1) * BLOCK;
    let mut out = Vec::with_capacity(HEADER_LEN + padded_len);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&salt);
    out.extend_from_slice(plain);
    out.resize(HEADER_LEN + padded_len, 0);
    let body = &mut out[HEADER_LEN..];
    match aes {
        AesKeyLen::Aes128 => cbc_encrypt::<aes::Aes128Enc>(&key, &iv, body, plain.len()),
        AesKeyLen::Aes192 => cbc_encrypt::<aes::Aes192Enc>(&key, &iv, body, plain.len()),
        AesKeyLen::Aes256 => cbc_encrypt::<aes::Aes256Enc>(&key, &iv, body, plain.len()),
    }
    out
}

/// Checks the container's shape, then decrypts it.
fn open(data: &[u8], password: &[u8], digest: Digest, aes: AesKeyLen) -> Result<Vec<u8>, CryptoError> {
    let (header, body) = data.split_at_checked(HEADER_LEN).ok_or(CryptoError::BadHeader)?;
    let (magic, salt) = header.split_at(MAGIC.len());
    if magic != MAGIC || body.is_empty() || !body.len().is_multiple_of(BLOCK) {
        return Err(CryptoError::BadHeader);
    }
    let salt: [u8; 8] = salt.try_into().map_err(|_| CryptoError::BadHeader)?;
    let (key, iv) = bytes_to_key(password, &salt, digest, aes.len());
    match aes {
        AesKeyLen::Aes128 => cbc_decrypt::<aes::Aes128>(&key, &iv, body),
        AesKeyLen::Aes192 => cbc_decrypt::<aes::Aes192>(&key, &iv, body),
        AesKeyLen::Aes256 => cbc_decrypt::<aes::Aes256>(&key, &iv, body),
    }
}

/// AES-CBC with PKCS#7 padding, in place: `buf` holds `msg_len` plaintext bytes followed by
/// room for the padding (its length is the padded length). `key` has the cipher's key length
/// (guaranteed by the callers). See [`aes_cbc`] for why this is not `cbc::Encryptor`.
fn cbc_encrypt<C: BlockCipherEncrypt<BlockSize = U16> + KeyInit>(
    key: &[u8],
    iv: &[u8; 16],
    buf: &mut [u8],
    msg_len: usize,
) {
    // Infallible: `seal` derives exactly the key length of `C`.
    let cipher = C::new_from_slice(key).expect("derived key has the cipher's length");
    aes_cbc::encrypt_padded(&cipher, iv, buf, msg_len);
}

/// AES-CBC decryption with PKCS#7 padding check.
fn cbc_decrypt<C: BlockCipherDecrypt + KeyInit>(key: &[u8], iv: &[u8; 16], body: &[u8]) -> Result<Vec<u8>, CryptoError>
where
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let mode = cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| CryptoError::InvalidKey("aes key length must be 16, 24 or 32 bytes"))?;
    mode.decrypt_padded_vec::<Pkcs7>(body)
        .map_err(|_| CryptoError::BadPadding)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test salt; the vectors below come from `openssl enc ... -k secret -S 0102030405060708`
    /// (OpenSSL 3.0.19, which leaves out the `Salted__` header when `-S` is given).
    const SALT: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

    /// Sizes around the block boundary, plus a config-sized file.
    const SIZES: [usize; 7] = [0, 1, 15, 16, 17, 31, 102_400];

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    fn plain(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 256) as u8).collect()
    }

    fn container(body_hex: &str) -> Vec<u8> {
        [&MAGIC[..], &SALT, &hex(body_hex)].concat()
    }

    #[test]
    fn bytes_to_key_matches_openssl() {
        let (key, iv) = bytes_to_key(b"secret", &SALT, Digest::Md5, 32);
        assert_eq!(
            key,
            hex("c9e5a1bd216dbe1317e230cef48f38ee7f0e17ad64022144bccec4a1aa2879ab")
        );
        assert_eq!(iv.to_vec(), hex("e24b32bbbc4ef02ecbcb6576523ad893"));
        let (key, iv) = bytes_to_key(b"secret", &SALT, Digest::Sha256, 32);
        assert_eq!(
            key,
            hex("03b375940cb96c16f84faa87f5ef39cc0bc7066ccd3e14456d9d74e438e35832")
        );
        assert_eq!(iv.to_vec(), hex("904aebc6e588fdb49fd15806bb4fee6f"));
        let (key, iv) = bytes_to_key(b"secret", &SALT, Digest::Md5, 16);
        assert_eq!(key, hex("c9e5a1bd216dbe1317e230cef48f38ee"));
        assert_eq!(iv.to_vec(), hex("7f0e17ad64022144bccec4a1aa2879ab"));
        let (key, iv) = bytes_to_key(b"secret", &SALT, Digest::Md5, 24);
        assert_eq!(key, hex("c9e5a1bd216dbe1317e230cef48f38ee7f0e17ad64022144"));
        assert_eq!(iv.to_vec(), hex("bccec4a1aa2879abe24b32bbbc4ef02e"));
    }

    #[test]
    fn encrypt_matches_openssl_byte_for_byte() {
        let text = b"hello, phone\n";
        let md5 = container("781b1f090184c72337f4fac2081537ea");
        let sha = container("b1fc63fa9e267d5fd3084db56d3a0357");
        assert_eq!(encrypt(text, b"secret", Digest::Md5, SALT), md5);
        assert_eq!(encrypt(text, b"secret", Digest::Sha256, SALT), sha);
        assert_eq!(decrypt(&md5, b"secret", Digest::Md5).unwrap(), text);
        assert_eq!(decrypt(&sha, b"secret", Digest::Sha256).unwrap(), text);
    }

    #[test]
    fn round_trips_all_sizes_and_key_lengths() {
        for len in SIZES {
            let data = plain(len);
            for digest in [Digest::Md5, Digest::Sha256] {
                let sealed = encrypt(&data, b"pw", digest, SALT);
                assert_eq!(sealed.len(), 16 + (len / 16 + 1) * 16, "full padding block at {len}");
                assert_eq!(&sealed[..8], MAGIC);
                assert_eq!(&sealed[8..16], &SALT);
                assert_eq!(decrypt(&sealed, b"pw", digest).unwrap(), data);
                for key_len in [16, 24, 32] {
                    let sealed = encrypt_with(&data, b"pw", digest, SALT, key_len).unwrap();
                    assert_eq!(decrypt_with(&sealed, b"pw", digest, key_len).unwrap(), data);
                }
            }
        }
    }

    #[test]
    fn key_length_selects_the_cipher() {
        let a = encrypt_with(b"x", b"pw", Digest::Md5, SALT, 16).unwrap();
        let b = encrypt_with(b"x", b"pw", Digest::Md5, SALT, 24).unwrap();
        let c = encrypt_with(b"x", b"pw", Digest::Md5, SALT, 32).unwrap();
        assert!(a != b && b != c && a != c);
        assert_eq!(c, encrypt(b"x", b"pw", Digest::Md5, SALT));
        for bad in [0, 8, 20, 31, 33, 64] {
            assert!(matches!(
                encrypt_with(b"x", b"pw", Digest::Md5, SALT, bad),
                Err(CryptoError::InvalidKey(_))
            ));
            assert!(matches!(
                decrypt_with(&c, b"pw", Digest::Md5, bad),
                Err(CryptoError::InvalidKey(_))
            ));
        }
    }

    #[test]
    fn wrong_password_or_digest_is_bad_padding() {
        // Checked: with these salts and passwords the wrong key never yields valid padding.
        let data = plain(100);
        let sealed = encrypt(&data, b"right", Digest::Md5, SALT);
        assert_eq!(decrypt(&sealed, b"wrong", Digest::Md5), Err(CryptoError::BadPadding));
        assert_eq!(decrypt(&sealed, b"right", Digest::Sha256), Err(CryptoError::BadPadding));
        assert_eq!(decrypt(&sealed, b"", Digest::Md5), Err(CryptoError::BadPadding));
        let sealed = encrypt_with(&data, b"right", Digest::Md5, SALT, 16).unwrap();
        assert_eq!(
            decrypt_with(&sealed, b"right", Digest::Md5, 32),
            Err(CryptoError::BadPadding)
        );
    }

    #[test]
    fn bad_shapes_are_bad_header() {
        let sealed = encrypt(b"hello", b"pw", Digest::Md5, SALT);
        assert_eq!(decrypt(&[], b"pw", Digest::Md5), Err(CryptoError::BadHeader));
        assert_eq!(decrypt(&sealed[..16], b"pw", Digest::Md5), Err(CryptoError::BadHeader));
        assert_eq!(decrypt(&sealed[..31], b"pw", Digest::Md5), Err(CryptoError::BadHeader));
        assert_eq!(
            decrypt(&[sealed.as_slice(), &[0]].concat(), b"pw", Digest::Md5),
            Err(CryptoError::BadHeader)
        );
        let mut no_magic = sealed.clone();
        no_magic[0] = b's';
        assert_eq!(decrypt(&no_magic, b"pw", Digest::Md5), Err(CryptoError::BadHeader));
        // Unsalted output (`openssl enc -nosalt`) is not accepted.
        assert_eq!(decrypt(&sealed[16..], b"pw", Digest::Md5), Err(CryptoError::BadHeader));
    }

    #[test]
    fn corruption_never_panics_nor_returns_the_plaintext() {
        let data = plain(80);
        let sealed = encrypt(&data, b"pw", Digest::Md5, SALT);
        for cut in 0..sealed.len() {
            let result = decrypt(&sealed[..cut], b"pw", Digest::Md5);
            assert!(
                result.is_err() || result.as_ref().is_ok_and(|p| *p != data),
                "cut at {cut}"
            );
        }
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            let result = decrypt(&bad, b"pw", Digest::Md5);
            assert_ne!(result.as_deref().ok(), Some(&data[..]), "bit flip at {i}");
        }
        // A flip in the last byte of the next-to-last block changes the padding byte: detected.
        let mut bad = sealed.clone();
        let at = sealed.len() - 17;
        bad[at] ^= 0x40;
        assert_eq!(decrypt(&bad, b"pw", Digest::Md5), Err(CryptoError::BadPadding));
    }
}
