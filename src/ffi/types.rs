//! Borrowed views handed to C, and the pointer helpers every exported function uses.
//! This is the only file that turns raw pointers into references and boxes.

use std::ffi::{CString, c_char};

use super::result::sippnp_result;

/// A borrowed UTF-8 string: `ptr` to `len` bytes, also NUL-terminated at `ptr[len]`, no
/// interior NUL. `{NULL, 0}` means "absent". Valid as long as the object it came from.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sippnp_str {
    pub ptr: *const c_char,
    pub len: usize,
}

impl sippnp_str {
    pub const ABSENT: sippnp_str = sippnp_str {
        ptr: std::ptr::null(),
        len: 0,
    };

    pub fn of(owned: &CString) -> sippnp_str {
        sippnp_str {
            ptr: owned.as_ptr(),
            len: owned.as_bytes().len(),
        }
    }

    pub fn of_opt(owned: &Option<CString>) -> sippnp_str {
        owned.as_ref().map_or(sippnp_str::ABSENT, sippnp_str::of)
    }
}

/// Borrowed bytes: `data` to `len` bytes, valid as long as the object they came from.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sippnp_bytes {
    pub data: *const u8,
    pub len: usize,
}

impl sippnp_bytes {
    pub const EMPTY: sippnp_bytes = sippnp_bytes {
        data: std::ptr::null(),
        len: 0,
    };

    pub fn of(bytes: &[u8]) -> sippnp_bytes {
        sippnp_bytes {
            data: bytes.as_ptr(),
            len: bytes.len(),
        }
    }
}

/// Text copied into a C string. Interior NULs cannot occur in what the core produces (the
/// parser rejects NUL in the header values it reads); one would be dropped, not trusted.
pub fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "")).unwrap_or_default()
}

pub fn c_string_opt(text: Option<&str>) -> Option<CString> {
    text.map(c_string)
}

/// `(ptr, len)` as a slice; `None` when `ptr` is NULL with a non-zero `len` or `len` is too big.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes that stay valid for `'a`.
pub unsafe fn slice<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if ptr.is_null() || len > isize::MAX as usize {
        return None;
    }
    // SAFETY: non-NULL, and the caller promises `len` readable bytes.
    Some(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `(ptr, len)` as a datagram: SIPPNP_ERR_SIP_TOO_LARGE for more than
/// [`crate::sip::MAX_DATAGRAM`] bytes (decided from `len` alone: nothing is read, and no slice
/// longer than what the caller holds is ever made), SIPPNP_ERR_NULL_PARAMETER for a NULL
/// pointer with a non-zero length.
///
/// # Safety
/// As for [`slice`].
pub unsafe fn datagram<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], sippnp_result> {
    if ptr.is_null() && len != 0 {
        return Err(sippnp_result::SIPPNP_ERR_NULL_PARAMETER);
    }
    if len > crate::sip::MAX_DATAGRAM {
        return Err(sippnp_result::SIPPNP_ERR_SIP_TOO_LARGE);
    }
    // SAFETY: forwarded contract.
    unsafe { slice(ptr, len) }.ok_or(sippnp_result::SIPPNP_ERR_NULL_PARAMETER)
}

/// `(ptr, len)` as UTF-8 text: SIPPNP_ERR_NULL_PARAMETER for a NULL pointer with a non-zero
/// length, SIPPNP_ERR_INVALID_PARAMETER for text that is not UTF-8.
///
/// # Safety
/// As for [`slice`].
pub unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, sippnp_result> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { slice(ptr.cast(), len) }.ok_or(sippnp_result::SIPPNP_ERR_NULL_PARAMETER)?;
    std::str::from_utf8(bytes).map_err(|_| sippnp_result::SIPPNP_ERR_INVALID_PARAMETER)
}

/// Moves `value` to the heap and hands C the pointer; freed by [`free_box`].
pub fn into_raw<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Frees what [`into_raw`] handed out; NULL is a no-op.
///
/// # Safety
/// `ptr` must be NULL or come from `into_raw::<T>` and not have been freed.
pub unsafe fn free_box<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: per the contract, `ptr` came from Box::into_raw and is freed once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// Shared reference from a C pointer; `None` for NULL.
///
/// # Safety
/// A non-NULL `ptr` must point to a live `T` not mutated during `'a`.
pub unsafe fn as_ref<'a, T>(ptr: *const T) -> Option<&'a T> {
    // SAFETY: forwarded contract.
    unsafe { ptr.as_ref() }
}

/// Exclusive reference from a C pointer; `None` for NULL.
///
/// # Safety
/// A non-NULL `ptr` must point to a live `T` not otherwise accessed during `'a`.
pub unsafe fn as_mut<'a, T>(ptr: *mut T) -> Option<&'a mut T> {
    // SAFETY: forwarded contract.
    unsafe { ptr.as_mut() }
}

/// Writes `value` through an out-pointer the caller already checked for NULL.
///
/// # Safety
/// `out` must be non-NULL and writable.
pub unsafe fn write_out<T>(out: *mut T, value: T) {
    // SAFETY: forwarded contract.
    unsafe { out.write(value) }
}
