//! Result codes, their static messages, and the optional detailed error object.
//! Codes are grouped in blocks and never renumbered; a retired code stays reserved.

use std::ffi::{CString, c_char};

use super::boundary::ffi_boundary;
use super::types::{self, sippnp_str};
use crate::Error;
use crate::crypto::CryptoError;
use crate::render::RenderError;
use crate::sip::ParseError;

/// What a `sippnp_*` call did. `SIPPNP_OK` is 0; everything else is an error.
/// 1xx arguments, 2xx SIP input, 3xx lookup, 4xx rendering (45x encryption), 5xx
/// configuration (55x the engine), 9xx internal.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sippnp_result {
    SIPPNP_OK = 0,
    /// A required pointer argument was NULL.
    SIPPNP_ERR_NULL_PARAMETER = 100,
    /// An argument is out of range, not UTF-8, or not valid for this call.
    SIPPNP_ERR_INVALID_PARAMETER = 101,
    /// The answer says to stay silent: there is no such packet.
    SIPPNP_ERR_NOTHING_TO_SEND = 102,
    /// Nothing but CR/LF (a keep-alive) or an empty datagram.
    SIPPNP_ERR_SIP_EMPTY = 200,
    /// Larger than 65,535 bytes.
    SIPPNP_ERR_SIP_TOO_LARGE = 201,
    /// Not a SIP message.
    SIPPNP_ERR_SIP_NOT_SIP = 202,
    /// A SIP response, not a request.
    SIPPNP_ERR_SIP_NOT_REQUEST = 203,
    /// A SIP request other than SUBSCRIBE.
    SIPPNP_ERR_SIP_NOT_SUBSCRIBE = 204,
    /// A SUBSCRIBE for another event package than ua-profile.
    SIPPNP_ERR_SIP_NOT_UA_PROFILE = 205,
    SIPPNP_ERR_SIP_MALFORMED_REQUEST_LINE = 206,
    SIPPNP_ERR_SIP_MALFORMED_HEADER = 207,
    SIPPNP_ERR_SIP_MISSING_HEADER = 208,
    SIPPNP_ERR_SIP_TOO_MANY_HEADERS = 209,
    /// The datagram ends before the message does.
    SIPPNP_ERR_SIP_TRUNCATED = 210,
    /// A value would put CR, LF or NUL into an outgoing message; nothing was built.
    SIPPNP_ERR_SIP_UNSAFE_VALUE = 211,
    /// The lookup callback returned SIPPNP_LOOKUP_ERROR or an unknown code.
    SIPPNP_ERR_LOOKUP_FAILED = 300,
    /// The lookup has no assignment for this device.
    SIPPNP_ERR_NOT_ASSIGNED = 301,
    SIPPNP_ERR_RENDER_UNSUPPORTED_VENDOR = 400,
    SIPPNP_ERR_RENDER_MISSING_MAC = 401,
    SIPPNP_ERR_RENDER_MISSING_VENDOR = 402,
    /// A value holds a control character.
    SIPPNP_ERR_RENDER_CONTROL_CHARACTER = 403,
    SIPPNP_ERR_RENDER_TOO_MANY_ACCOUNTS = 404,
    /// A vendor override key cannot be written in this vendor's format.
    SIPPNP_ERR_RENDER_INVALID_KEY = 405,
    /// The provisioning URL cannot be expressed in this vendor's format.
    SIPPNP_ERR_RENDER_INVALID_URL = 406,
    /// The requested file name is not a provisioning file sippnp knows (answer 404).
    SIPPNP_ERR_RENDER_UNKNOWN_PATH = 407,
    /// A known provisioning file sippnp does not render (model/common files, legacy binary,
    /// boot and key files); answer 404.
    SIPPNP_ERR_RENDER_UNSUPPORTED_FILE = 408,
    /// A model or common file (shared by many phones) was asked to carry accounts.
    SIPPNP_ERR_RENDER_ACCOUNTS_IN_SHARED_FILE = 409,
    /// A key's position is beyond its bank on this model, or the model has no such bank.
    SIPPNP_ERR_RENDER_KEY_OUT_OF_RANGE = 410,
    /// A setting the vendor's config format cannot express (a codec, key kind, …).
    SIPPNP_ERR_RENDER_UNSUPPORTED_VALUE = 411,
    /// The vendor's encryption scheme is not public (Fanvil); nothing was encrypted.
    SIPPNP_ERR_CRYPTO_UNSUPPORTED = 450,
    /// The key or password is not valid for this cipher (length, characters).
    SIPPNP_ERR_CRYPTO_INVALID_KEY = 451,
    /// The data is not this cipher's container (header, length, base64).
    SIPPNP_ERR_CRYPTO_BAD_HEADER = 452,
    /// Wrong key or corrupted data: the padding does not check.
    SIPPNP_ERR_CRYPTO_BAD_PADDING = 453,
    /// The operating system's random source failed.
    SIPPNP_ERR_CRYPTO_RANDOM = 454,
    /// The URL template is empty or holds whitespace or control characters.
    SIPPNP_ERR_INVALID_TEMPLATE = 500,
    /// The context configuration is incomplete or holds an unusable value.
    SIPPNP_ERR_INVALID_CONFIG = 501,
    /// Not an error: nothing is queued (no packet to send, no event to report).
    SIPPNP_EMPTY = 550,
    /// Not an error: no timer is pending; nothing to do until the next datagram.
    SIPPNP_NO_TIMER = 551,
    /// Not a token: wrong length or characters outside base64url.
    SIPPNP_ERR_TOKEN_MALFORMED = 552,
    /// The token's signature does not match: forged or altered, issued by another engine, or
    /// presented from another IP address than the phone's.
    SIPPNP_ERR_TOKEN_INVALID = 553,
    /// The token is genuine but expired.
    SIPPNP_ERR_TOKEN_EXPIRED = 554,
    /// An engine function was called from inside that engine's own lookup callback (the
    /// engine is locked while the callback runs); the call had no effect.
    SIPPNP_ERR_REENTRANT = 555,
    /// A bug: the library caught a panic. The call had no effect.
    SIPPNP_ERR_PANIC = 900,
}

use sippnp_result::*;

impl sippnp_result {
    fn message(self) -> &'static str {
        match self {
            SIPPNP_OK => "ok\0",
            SIPPNP_ERR_NULL_PARAMETER => "a required pointer argument was NULL\0",
            SIPPNP_ERR_INVALID_PARAMETER => "invalid argument\0",
            SIPPNP_ERR_NOTHING_TO_SEND => "nothing to send: the answer is to stay silent\0",
            SIPPNP_ERR_SIP_EMPTY => "empty datagram (keep-alive)\0",
            SIPPNP_ERR_SIP_TOO_LARGE => "datagram larger than 65535 bytes\0",
            SIPPNP_ERR_SIP_NOT_SIP => "not SIP\0",
            SIPPNP_ERR_SIP_NOT_REQUEST => "a SIP response, not a SUBSCRIBE\0",
            SIPPNP_ERR_SIP_NOT_SUBSCRIBE => "not a SUBSCRIBE\0",
            SIPPNP_ERR_SIP_NOT_UA_PROFILE => "not a ua-profile SUBSCRIBE\0",
            SIPPNP_ERR_SIP_MALFORMED_REQUEST_LINE => "malformed request line\0",
            SIPPNP_ERR_SIP_MALFORMED_HEADER => "malformed header\0",
            SIPPNP_ERR_SIP_MISSING_HEADER => "missing required header\0",
            SIPPNP_ERR_SIP_TOO_MANY_HEADERS => "too many header lines\0",
            SIPPNP_ERR_SIP_TRUNCATED => "truncated message\0",
            SIPPNP_ERR_SIP_UNSAFE_VALUE => "value would inject CR, LF or NUL into a SIP message\0",
            SIPPNP_ERR_LOOKUP_FAILED => "lookup callback failed\0",
            SIPPNP_ERR_NOT_ASSIGNED => "no assignment for this device\0",
            SIPPNP_ERR_RENDER_UNSUPPORTED_VENDOR => "no config renderer for this vendor\0",
            SIPPNP_ERR_RENDER_MISSING_MAC => "assignment has no MAC\0",
            SIPPNP_ERR_RENDER_MISSING_VENDOR => "assignment has no vendor\0",
            SIPPNP_ERR_RENDER_CONTROL_CHARACTER => "control character in a config value\0",
            SIPPNP_ERR_RENDER_TOO_MANY_ACCOUNTS => "more accounts than the vendor format holds\0",
            SIPPNP_ERR_RENDER_INVALID_KEY => "override key not valid in the vendor format\0",
            SIPPNP_ERR_RENDER_INVALID_URL => "provisioning URL not valid for the vendor\0",
            SIPPNP_ERR_RENDER_UNKNOWN_PATH => "not a provisioning file name\0",
            SIPPNP_ERR_RENDER_UNSUPPORTED_FILE => "provisioning file not rendered by sippnp\0",
            SIPPNP_ERR_RENDER_ACCOUNTS_IN_SHARED_FILE => "a model or common file cannot carry accounts\0",
            SIPPNP_ERR_RENDER_KEY_OUT_OF_RANGE => "key position beyond the model's key bank\0",
            SIPPNP_ERR_RENDER_UNSUPPORTED_VALUE => "a setting this vendor's config cannot express\0",
            SIPPNP_ERR_CRYPTO_UNSUPPORTED => "encryption scheme not supported for this vendor\0",
            SIPPNP_ERR_CRYPTO_INVALID_KEY => "invalid encryption key or password\0",
            SIPPNP_ERR_CRYPTO_BAD_HEADER => "not an encrypted file of this kind\0",
            SIPPNP_ERR_CRYPTO_BAD_PADDING => "wrong key or corrupted file\0",
            SIPPNP_ERR_CRYPTO_RANDOM => "random source failed\0",
            SIPPNP_ERR_INVALID_TEMPLATE => "invalid URL template\0",
            SIPPNP_ERR_INVALID_CONFIG => "invalid context configuration\0",
            SIPPNP_EMPTY => "nothing queued\0",
            SIPPNP_NO_TIMER => "no timer pending\0",
            SIPPNP_ERR_TOKEN_MALFORMED => "malformed token\0",
            SIPPNP_ERR_TOKEN_INVALID => "token not valid for this device and address\0",
            SIPPNP_ERR_TOKEN_EXPIRED => "token expired\0",
            SIPPNP_ERR_REENTRANT => "engine called from its own lookup callback\0",
            SIPPNP_ERR_PANIC => "internal error (panic caught)\0",
        }
    }

    /// Every code, in numeric order.
    pub const ALL: &'static [sippnp_result] = &[
        SIPPNP_OK,
        SIPPNP_ERR_NULL_PARAMETER,
        SIPPNP_ERR_INVALID_PARAMETER,
        SIPPNP_ERR_NOTHING_TO_SEND,
        SIPPNP_ERR_SIP_EMPTY,
        SIPPNP_ERR_SIP_TOO_LARGE,
        SIPPNP_ERR_SIP_NOT_SIP,
        SIPPNP_ERR_SIP_NOT_REQUEST,
        SIPPNP_ERR_SIP_NOT_SUBSCRIBE,
        SIPPNP_ERR_SIP_NOT_UA_PROFILE,
        SIPPNP_ERR_SIP_MALFORMED_REQUEST_LINE,
        SIPPNP_ERR_SIP_MALFORMED_HEADER,
        SIPPNP_ERR_SIP_MISSING_HEADER,
        SIPPNP_ERR_SIP_TOO_MANY_HEADERS,
        SIPPNP_ERR_SIP_TRUNCATED,
        SIPPNP_ERR_SIP_UNSAFE_VALUE,
        SIPPNP_ERR_LOOKUP_FAILED,
        SIPPNP_ERR_NOT_ASSIGNED,
        SIPPNP_ERR_RENDER_UNSUPPORTED_VENDOR,
        SIPPNP_ERR_RENDER_MISSING_MAC,
        SIPPNP_ERR_RENDER_MISSING_VENDOR,
        SIPPNP_ERR_RENDER_CONTROL_CHARACTER,
        SIPPNP_ERR_RENDER_TOO_MANY_ACCOUNTS,
        SIPPNP_ERR_RENDER_INVALID_KEY,
        SIPPNP_ERR_RENDER_INVALID_URL,
        SIPPNP_ERR_RENDER_UNKNOWN_PATH,
        SIPPNP_ERR_RENDER_UNSUPPORTED_FILE,
        SIPPNP_ERR_RENDER_ACCOUNTS_IN_SHARED_FILE,
        SIPPNP_ERR_RENDER_KEY_OUT_OF_RANGE,
        SIPPNP_ERR_RENDER_UNSUPPORTED_VALUE,
        SIPPNP_ERR_CRYPTO_UNSUPPORTED,
        SIPPNP_ERR_CRYPTO_INVALID_KEY,
        SIPPNP_ERR_CRYPTO_BAD_HEADER,
        SIPPNP_ERR_CRYPTO_BAD_PADDING,
        SIPPNP_ERR_CRYPTO_RANDOM,
        SIPPNP_ERR_INVALID_TEMPLATE,
        SIPPNP_ERR_INVALID_CONFIG,
        SIPPNP_EMPTY,
        SIPPNP_NO_TIMER,
        SIPPNP_ERR_TOKEN_MALFORMED,
        SIPPNP_ERR_TOKEN_INVALID,
        SIPPNP_ERR_TOKEN_EXPIRED,
        SIPPNP_ERR_REENTRANT,
        SIPPNP_ERR_PANIC,
    ];
}

impl From<&Error> for sippnp_result {
    fn from(e: &Error) -> sippnp_result {
        match e {
            Error::Parse(p) => match p {
                ParseError::Empty => SIPPNP_ERR_SIP_EMPTY,
                ParseError::TooLarge { .. } => SIPPNP_ERR_SIP_TOO_LARGE,
                ParseError::NotSip => SIPPNP_ERR_SIP_NOT_SIP,
                ParseError::NotRequest => SIPPNP_ERR_SIP_NOT_REQUEST,
                ParseError::NotSubscribe { .. } => SIPPNP_ERR_SIP_NOT_SUBSCRIBE,
                ParseError::NotUaProfile { .. } => SIPPNP_ERR_SIP_NOT_UA_PROFILE,
                ParseError::MalformedRequestLine { .. } => SIPPNP_ERR_SIP_MALFORMED_REQUEST_LINE,
                ParseError::MalformedHeader { .. } => SIPPNP_ERR_SIP_MALFORMED_HEADER,
                ParseError::MissingHeader { .. } => SIPPNP_ERR_SIP_MISSING_HEADER,
                ParseError::TooManyHeaders { .. } => SIPPNP_ERR_SIP_TOO_MANY_HEADERS,
                ParseError::Truncated { .. } => SIPPNP_ERR_SIP_TRUNCATED,
            },
            Error::Write(_) => SIPPNP_ERR_SIP_UNSAFE_VALUE,
            Error::Lookup(_) => SIPPNP_ERR_LOOKUP_FAILED,
            Error::NotAssigned => SIPPNP_ERR_NOT_ASSIGNED,
            Error::UnknownPath => SIPPNP_ERR_RENDER_UNKNOWN_PATH,
            Error::UnsupportedFile => SIPPNP_ERR_RENDER_UNSUPPORTED_FILE,
            Error::Render(r) => match r {
                RenderError::UnsupportedVendor(_) => SIPPNP_ERR_RENDER_UNSUPPORTED_VENDOR,
                RenderError::MissingMac => SIPPNP_ERR_RENDER_MISSING_MAC,
                RenderError::MissingVendor => SIPPNP_ERR_RENDER_MISSING_VENDOR,
                RenderError::ControlCharacter { .. } => SIPPNP_ERR_RENDER_CONTROL_CHARACTER,
                RenderError::TooManyAccounts { .. } => SIPPNP_ERR_RENDER_TOO_MANY_ACCOUNTS,
                RenderError::InvalidKey(_) => SIPPNP_ERR_RENDER_INVALID_KEY,
                RenderError::InvalidUrl(_) => SIPPNP_ERR_RENDER_INVALID_URL,
                RenderError::AccountsInSharedFile => SIPPNP_ERR_RENDER_ACCOUNTS_IN_SHARED_FILE,
                RenderError::UnsupportedFile(_) => SIPPNP_ERR_RENDER_UNSUPPORTED_FILE,
                RenderError::KeyOutOfRange { .. } => SIPPNP_ERR_RENDER_KEY_OUT_OF_RANGE,
                RenderError::UnsupportedValue { .. } => SIPPNP_ERR_RENDER_UNSUPPORTED_VALUE,
            },
            Error::Crypto(c) => match c {
                CryptoError::Unsupported(_) => SIPPNP_ERR_CRYPTO_UNSUPPORTED,
                CryptoError::InvalidKey(_) => SIPPNP_ERR_CRYPTO_INVALID_KEY,
                CryptoError::BadHeader => SIPPNP_ERR_CRYPTO_BAD_HEADER,
                CryptoError::BadPadding => SIPPNP_ERR_CRYPTO_BAD_PADDING,
                CryptoError::Random => SIPPNP_ERR_CRYPTO_RANDOM,
            },
            Error::Template(_) => SIPPNP_ERR_INVALID_TEMPLATE,
            Error::InvalidConfig(_) => SIPPNP_ERR_INVALID_CONFIG,
        }
    }
}

/// The one-line message for a refused datagram argument ([`super::types::datagram`]).
pub fn datagram_problem(code: sippnp_result) -> &'static str {
    match code {
        sippnp_result::SIPPNP_ERR_SIP_TOO_LARGE => "datagram larger than 65535 bytes",
        _ => "datagram is NULL",
    }
}

/// SIPPNP_OK for `Ok`, else the error's code (for setters that return no details).
pub fn done(outcome: Result<(), sippnp_result>) -> sippnp_result {
    outcome.err().unwrap_or(SIPPNP_OK)
}

/// The static, NUL-terminated message for a result code; "unknown result code" for values
/// that are not codes. Never NULL; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_result_str(code: u32) -> *const c_char {
    const UNKNOWN: &str = "unknown result code\0";
    ffi_boundary!(UNKNOWN.as_ptr().cast(), {
        let message = code_from_u32(code).map_or(UNKNOWN, sippnp_result::message);
        message.as_ptr().cast()
    })
}

fn code_from_u32(code: u32) -> Option<sippnp_result> {
    sippnp_result::ALL.iter().copied().find(|c| *c as u32 == code)
}

/// A failed call's details: its code and a one-line message that says what and where
/// (never the whole packet, never a secret). Free with `sippnp_error_free`.
pub struct sippnp_error {
    code: sippnp_result,
    message: CString,
}

impl sippnp_error {
    pub fn new(code: sippnp_result, message: &str) -> sippnp_error {
        sippnp_error {
            code,
            message: types::c_string(message),
        }
    }
}

/// Fails with `code`, describing it in `*out_err` when `out_err` is not NULL.
///
/// # Safety
/// `out_err` must be NULL or writable.
pub unsafe fn fail(out_err: *mut *mut sippnp_error, code: sippnp_result, message: &str) -> sippnp_result {
    if !out_err.is_null() {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { types::write_out(out_err, types::into_raw(sippnp_error::new(code, message))) };
    }
    code
}

/// Fails with the code and message of a core error.
///
/// # Safety
/// As for [`fail`].
pub unsafe fn fail_with(out_err: *mut *mut sippnp_error, error: &Error) -> sippnp_result {
    // SAFETY: forwarded contract.
    unsafe { fail(out_err, error.into(), &error.to_string()) }
}

/// The result code of a failed call. Returns SIPPNP_ERR_NULL_PARAMETER for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_error_code(err: *const sippnp_error) -> u32 {
    ffi_boundary!(SIPPNP_ERR_PANIC as u32, {
        // SAFETY: NULL or a live sippnp_error from this library.
        unsafe { types::as_ref(err) }.map_or(SIPPNP_ERR_NULL_PARAMETER as u32, |e| e.code as u32)
    })
}

/// The one-line message of a failed call.
///
/// Borrowed from `err`: valid until `sippnp_error_free(err)`. `{NULL, 0}` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_error_message(err: *const sippnp_error) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        // SAFETY: NULL or a live sippnp_error from this library.
        unsafe { types::as_ref(err) }.map_or(sippnp_str::ABSENT, |e| sippnp_str::of(&e.message))
    })
}

/// Frees an error. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_error_free(err: *mut sippnp_error) {
    ffi_boundary!((), {
        // SAFETY: NULL or an error from this library, freed once.
        unsafe { types::free_box(err) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_code_has_its_own_message_and_unknown_codes_are_safe() {
        let mut seen = std::collections::HashSet::new();
        for &code in sippnp_result::ALL {
            // SAFETY: sippnp_result_str returns a static NUL-terminated string.
            let text = unsafe { CStr::from_ptr(sippnp_result_str(code as u32)) }
                .to_str()
                .unwrap();
            assert!(seen.insert(text), "duplicate message {text}");
            assert_eq!(code_from_u32(code as u32), Some(code));
        }
        for bogus in [1u32, 99, 299, 901, u32::MAX] {
            // SAFETY: as above.
            let text = unsafe { CStr::from_ptr(sippnp_result_str(bogus)) }.to_str().unwrap();
            assert_eq!(text, "unknown result code");
        }
    }
}
