//! The host's lookup callback, adapted to the core's `Lookup` trait.

use std::ffi::c_void;

use super::assignment::sippnp_assignment;
use super::device::sippnp_device;
use crate::assign::{Assignment, Decision, Lookup, LookupError};
use crate::device::Device;

/// What a lookup callback returns.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sippnp_lookup {
    /// The lookup failed; the call returns SIPPNP_ERR_LOOKUP_FAILED. Zero on purpose: a
    /// callback that returns garbage or forgets to return never provisions a phone.
    SIPPNP_LOOKUP_ERROR = 0,
    /// Provision the device with what the callback set on the assignment.
    SIPPNP_LOOKUP_ASSIGN = 1,
    /// Not in the inventory: the context's unknown-device policy decides.
    SIPPNP_LOOKUP_UNKNOWN = 2,
    /// Stay silent: another server may own this phone.
    SIPPNP_LOOKUP_IGNORE = 3,
}

/// The host's lookup: decides what `device` gets.
///
/// `userdata` is what was given to `sippnp_ctx_config_set_lookup`. `device` is borrowed for
/// the duration of the call. Write the decision's details through the
/// `sippnp_assignment_set*` functions on `out` (the library copies them at once); `out` is
/// read only when the callback returns SIPPNP_LOOKUP_ASSIGN. Return a `sippnp_lookup`
/// value; anything else counts as SIPPNP_LOOKUP_ERROR.
///
/// The callback runs synchronously on the thread that called into the library, never after
/// that call returns. It must not free or reconfigure the context it is called from, and must
/// not longjmp or throw through library frames.
pub type sippnp_lookup_fn = Option<
    unsafe extern "C" fn(userdata: *mut c_void, device: *const sippnp_device, out: *mut sippnp_assignment) -> u32,
>;

/// Releases `userdata` once the library no longer needs it (when the last context or
/// configuration that holds the lookup is freed).
pub type sippnp_userdata_free_fn = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

/// A C callback and its userdata. Shared (through `Arc`) by a configuration and the contexts
/// built from it; the finalizer runs exactly once, when the last holder drops it.
pub struct CallbackLookup {
    callback: sippnp_lookup_fn,
    userdata: *mut c_void,
    userdata_free: sippnp_userdata_free_fn,
}

// SAFETY: the library calls the callback on the caller's thread only. The header states that
// when a context is used from several threads at once, userdata must be thread-safe.
unsafe impl Send for CallbackLookup {}
// SAFETY: as above.
unsafe impl Sync for CallbackLookup {}

impl CallbackLookup {
    pub fn new(callback: sippnp_lookup_fn, userdata: *mut c_void, userdata_free: sippnp_userdata_free_fn) -> Self {
        CallbackLookup {
            callback,
            userdata,
            userdata_free,
        }
    }
}

impl Drop for CallbackLookup {
    fn drop(&mut self) {
        if let Some(free) = self.userdata_free {
            // SAFETY: the host handed us this finalizer for this userdata; it runs once.
            unsafe { free(self.userdata) };
        }
    }
}

impl Lookup for CallbackLookup {
    fn lookup(&self, device: &Device) -> Result<Decision, LookupError> {
        let Some(callback) = self.callback else {
            return Ok(Decision::Unknown);
        };
        let query = sippnp_device::new(device.clone());
        let mut out = sippnp_assignment {
            inner: Assignment::default(),
        };
        // SAFETY: the host promised a callback valid for this userdata; both pointers we pass
        // live until the call returns.
        let code = unsafe { callback(self.userdata, &query, &mut out) };
        match code {
            c if c == sippnp_lookup::SIPPNP_LOOKUP_ASSIGN as u32 => Ok(Decision::Assign(out.inner)),
            c if c == sippnp_lookup::SIPPNP_LOOKUP_UNKNOWN as u32 => Ok(Decision::Unknown),
            c if c == sippnp_lookup::SIPPNP_LOOKUP_IGNORE as u32 => Ok(Decision::Ignore),
            c if c == sippnp_lookup::SIPPNP_LOOKUP_ERROR as u32 => {
                Err(LookupError("callback returned SIPPNP_LOOKUP_ERROR"))
            }
            _ => Err(LookupError("callback returned an unknown code")),
        }
    }
}
