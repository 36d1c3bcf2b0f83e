//! Config encryption through the C ABI: encrypt a rendered file the way a vendor's phones
//! expect, and decrypt one (to check a file, or in tests).

use std::ffi::c_char;

use super::boundary::ffi_boundary;
use super::rendered::sippnp_rendered;
use super::result::{fail, fail_with, sippnp_error, sippnp_result};
use super::types;
use crate::crypto::{self, Cipher};
use crate::render::RenderedFile;

/// Encryption schemes for `sippnp_rendered_encrypt` and `sippnp_decrypt`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sippnp_cipher {
    /// Grandstream XML: `openssl enc -aes-256-cbc -md md5 -k KEY` (salted), the phones' format.
    SIPPNP_CIPHER_GRANDSTREAM = 1,
    /// The same container with OpenSSL 1.1's SHA-256 key derivation.
    SIPPNP_CIPHER_GRANDSTREAM_SHA256 = 2,
    /// Yealink: AES-128-ECB with a 16-character key, plus the `<name>_Security.enc` key file.
    /// An empty key draws a random one (it travels in the key file).
    SIPPNP_CIPHER_YEALINK = 3,
    /// Panasonic: salted OpenSSL AES-CBC in base64; a 16/24/32-character key picks AES-128/192/256.
    SIPPNP_CIPHER_PANASONIC = 4,
    /// Fanvil: the scheme is not public; always SIPPNP_ERR_CRYPTO_UNSUPPORTED.
    SIPPNP_CIPHER_FANVIL = 5,
}

fn cipher_from_u32(value: u32) -> Option<Cipher> {
    use sippnp_cipher::*;
    Some(match value {
        v if v == SIPPNP_CIPHER_GRANDSTREAM as u32 => Cipher::GrandstreamMd5,
        v if v == SIPPNP_CIPHER_GRANDSTREAM_SHA256 as u32 => Cipher::GrandstreamSha256,
        v if v == SIPPNP_CIPHER_YEALINK as u32 => Cipher::Yealink,
        v if v == SIPPNP_CIPHER_PANASONIC as u32 => Cipher::Panasonic,
        v if v == SIPPNP_CIPHER_FANVIL as u32 => Cipher::Fanvil,
        _ => return None,
    })
}

/// Reads the cipher and key arguments, or says which one is wrong.
///
/// # Safety
/// `key` readable for `key_len` bytes (or NULL with 0).
unsafe fn cipher_and_key<'a>(
    cipher: u32,
    key: *const c_char,
    key_len: usize,
) -> Result<(Cipher, &'a str), (sippnp_result, &'static str)> {
    let cipher = cipher_from_u32(cipher).ok_or((sippnp_result::SIPPNP_ERR_INVALID_PARAMETER, "unknown cipher"))?;
    // SAFETY: forwarded contract.
    let key = unsafe { types::text(key, key_len) }.map_err(|code| (code, "key is NULL or not UTF-8"))?;
    Ok((cipher, key))
}

/// Encrypts a rendered config file with `cipher` (a `sippnp_cipher`) and `key` (the
/// password or key text, `key_len` bytes; for Grandstream the phone's XML config password,
/// P1359). The encrypted file keeps the file name; for Yealink,
/// `sippnp_rendered_key_file` of the result is the `_Security.enc` file to serve beside it.
/// Salts and generated keys come from the operating system's random source.
///
/// **Ownership**: on SIPPNP_OK `*out` is new; free it with `sippnp_rendered_free`. `r` is
/// only read.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for an unknown cipher
/// or non-UTF-8 key; SIPPNP_ERR_CRYPTO_UNSUPPORTED (Fanvil); SIPPNP_ERR_CRYPTO_INVALID_KEY;
/// SIPPNP_ERR_CRYPTO_RANDOM. Messages never contain the key.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_rendered_encrypt(
    r: *const sippnp_rendered,
    cipher: u32,
    key: *const c_char,
    key_len: usize,
    out: *mut *mut sippnp_rendered,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live rendered file.
        let (Some(r), false) = (unsafe { types::as_ref(r) }, out.is_null()) else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, sippnp_result::SIPPNP_ERR_NULL_PARAMETER, "r or out is NULL") };
        };
        // SAFETY: documented argument contract.
        let (cipher, key) = match unsafe { cipher_and_key(cipher, key, key_len) } {
            Ok(pair) => pair,
            // SAFETY: as above.
            Err((code, message)) => return unsafe { fail(out_err, code, message) },
        };
        match crypto::encrypt_file(r.file(), cipher, key) {
            Ok(encrypted) => {
                let result = sippnp_rendered::with_key_file(encrypted.file, encrypted.key_file);
                // SAFETY: checked non-NULL.
                unsafe { types::write_out(out, types::into_raw(result)) };
                sippnp_result::SIPPNP_OK
            }
            // SAFETY: as above.
            Err(e) => unsafe { fail_with(out_err, &e.into()) },
        }
    })
}

/// Decrypts `data` (`len` bytes) that `cipher` produced, with `key`. The result is a
/// `sippnp_rendered` with an empty file name whose content is the plaintext.
///
/// **Ownership**: on SIPPNP_OK `*out` is new; free it with `sippnp_rendered_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER;
/// SIPPNP_ERR_CRYPTO_UNSUPPORTED; SIPPNP_ERR_CRYPTO_INVALID_KEY; SIPPNP_ERR_CRYPTO_BAD_HEADER
/// (not this cipher's container); SIPPNP_ERR_CRYPTO_BAD_PADDING (wrong key or corrupted).
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_decrypt(
    cipher: u32,
    key: *const c_char,
    key_len: usize,
    data: *const u8,
    len: usize,
    out: *mut *mut sippnp_rendered,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: the caller passes `len` readable bytes.
        let (Some(data), false) = (unsafe { types::slice(data, len) }, out.is_null()) else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, sippnp_result::SIPPNP_ERR_NULL_PARAMETER, "data or out is NULL") };
        };
        // SAFETY: documented argument contract.
        let (cipher, key) = match unsafe { cipher_and_key(cipher, key, key_len) } {
            Ok(pair) => pair,
            // SAFETY: as above.
            Err((code, message)) => return unsafe { fail(out_err, code, message) },
        };
        match crypto::decrypt(cipher, key, data) {
            Ok(plain) => {
                let file = RenderedFile {
                    file_name: String::new(),
                    content_type: "application/octet-stream",
                    content: plain,
                };
                // SAFETY: checked non-NULL.
                unsafe { types::write_out(out, types::into_raw(sippnp_rendered::new(file))) };
                sippnp_result::SIPPNP_OK
            }
            // SAFETY: as above.
            Err(e) => unsafe { fail_with(out_err, &e.into()) },
        }
    })
}
