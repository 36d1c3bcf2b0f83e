//! Library and ABI versions.

use std::ffi::c_char;

use super::boundary::ffi_boundary;

/// The ABI generation of this header. A module compares `sippnp_abi_version()` with it at
/// load time and declines to run on a mismatch.
pub const SIPPNP_ABI_VERSION: u32 = 1;

/// The library version as a static NUL-terminated string (`"0.1.0"`). Never free it.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    ffi_boundary!(VERSION.as_ptr().cast(), { VERSION.as_ptr().cast() })
}

/// The ABI generation the loaded library implements (SIPPNP_ABI_VERSION of its header).
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_abi_version() -> u32 {
    ffi_boundary!(SIPPNP_ABI_VERSION, { SIPPNP_ABI_VERSION })
}
