//! `sippnp_device`: the identity of one phone, for a device manager and for the lookup.

use std::ffi::CString;

use super::boundary::ffi_boundary;
use super::result::{fail, fail_with, sippnp_error, sippnp_result};
use super::types::{self, c_string, c_string_opt, sippnp_str};
use crate::device::{self, Device};
use crate::sip::Subscribe;

/// What is known about one phone (MAC, vendor, model, firmware, where it listens).
/// Under the hood, a `Box` holding the Rust `Device` and C copies of its strings.
pub struct sippnp_device {
    pub(crate) device: Device,
    mac: Option<CString>,
    mac_source: Option<CString>,
    vendor: Option<CString>,
    model: Option<CString>,
    firmware: Option<CString>,
    profile_type: Option<CString>,
    user_agent: Option<CString>,
    contact_host: Option<CString>,
    transport: CString,
    call_id: CString,
    ip: Option<CString>,
}

impl sippnp_device {
    pub(crate) fn new(device: Device) -> sippnp_device {
        sippnp_device {
            mac: device.mac.map(|m| c_string(&m.to_lower_hex())),
            mac_source: device.mac_source.map(|s| c_string(s.as_str())),
            vendor: c_string_opt(device.vendor.as_deref()),
            model: c_string_opt(device.model.as_deref()),
            firmware: c_string_opt(device.firmware.as_deref()),
            profile_type: c_string_opt(device.profile_type.as_deref()),
            user_agent: c_string_opt(device.user_agent.as_deref()),
            contact_host: c_string_opt(device.contact_host.as_deref()),
            transport: c_string(&device.transport),
            call_id: c_string(&device.call_id),
            ip: device.ip.map(|ip| c_string(&ip.to_string())),
            device,
        }
    }
}

/// Parses a SUBSCRIBE datagram and returns the identity of the phone that sent it, without
/// answering (for a device manager that lists phones).
///
/// **Ownership**: on SIPPNP_OK, `*out_device` is a new device; free it with
/// `sippnp_device_free`. On failure `*out_device` is untouched and, if `out_err` is not
/// NULL, `*out_err` receives an error to free with `sippnp_error_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER, SIPPNP_ERR_SIP_* (see sippnp_result).
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_device_parse(
    datagram: *const u8,
    datagram_len: usize,
    out_device: *mut *mut sippnp_device,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        if out_device.is_null() {
            // SAFETY: out_err is NULL or writable.
            return unsafe { fail(out_err, sippnp_result::SIPPNP_ERR_NULL_PARAMETER, "out_device is NULL") };
        }
        // SAFETY: the caller passes `datagram_len` readable bytes (or NULL with 0).
        let bytes = match unsafe { types::datagram(datagram, datagram_len) } {
            Ok(bytes) => bytes,
            // SAFETY: as above.
            Err(code) => return unsafe { fail(out_err, code, super::result::datagram_problem(code)) },
        };
        match Subscribe::parse(bytes) {
            Ok(sub) => {
                let device = sippnp_device::new(device::identify(&sub, None));
                // SAFETY: checked non-NULL above.
                unsafe { types::write_out(out_device, types::into_raw(device)) };
                sippnp_result::SIPPNP_OK
            }
            // SAFETY: as above.
            Err(e) => unsafe { fail_with(out_err, &e.into()) },
        }
    })
}

/// Frees a device from `sippnp_device_parse`. NULL is a no-op. Never call it on the
/// device a lookup callback receives or on `sippnp_answer_device`'s result.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_free(device: *mut sippnp_device) {
    ffi_boundary!((), {
        // SAFETY: NULL or a device from sippnp_device_parse, freed once.
        unsafe { types::free_box(device) }
    })
}

/// Applies `view` to a device pointer; `{NULL, 0}` for NULL.
fn view(device: *const sippnp_device, view: impl FnOnce(&sippnp_device) -> sippnp_str) -> sippnp_str {
    // SAFETY: NULL or a live device from this library (the documented contract).
    unsafe { types::as_ref(device) }.map_or(sippnp_str::ABSENT, view)
}

/// The MAC as 12 lower-case hex digits (`000b82273b89`); absent when the phone sent none.
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_mac(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, { view(device, |d| sippnp_str::of_opt(&d.mac)) })
}

/// Where the MAC was found: `request-uri`, `to`, `from`, `user-agent` or `host`.
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_mac_source(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        view(device, |d| sippnp_str::of_opt(&d.mac_source))
    })
}

/// Canonical lower-case vendor id (`grandstream`, `snom`, `yealink`, …).
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_vendor(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, { view(device, |d| sippnp_str::of_opt(&d.vendor)) })
}

/// Model as the phone names it (Event `model`, else from the User-Agent).
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_model(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, { view(device, |d| sippnp_str::of_opt(&d.model)) })
}

/// Firmware version (Event `version`, else from the User-Agent).
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_firmware(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        view(device, |d| sippnp_str::of_opt(&d.firmware))
    })
}

/// Event `profile-type` (`device`, `application`, …).
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_profile_type(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        view(device, |d| sippnp_str::of_opt(&d.profile_type))
    })
}

/// The User-Agent header, unfolded.
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_user_agent(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        view(device, |d| sippnp_str::of_opt(&d.user_agent))
    })
}

/// The host of the phone's Contact, where the NOTIFY goes (IPv6 without brackets).
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_contact_host(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        view(device, |d| sippnp_str::of_opt(&d.contact_host))
    })
}

/// Transport of the topmost Via (`UDP`, `TCP`, …).
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_transport(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, { view(device, |d| sippnp_str::of(&d.transport)) })
}

/// The SUBSCRIBE's Call-ID.
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_call_id(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, { view(device, |d| sippnp_str::of(&d.call_id)) })
}

/// The phone's IP address (the datagram's source when known, else the Contact's IP).
///
/// Borrowed from `device`; `{NULL, 0}` when absent or when `device` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_ip(device: *const sippnp_device) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, { view(device, |d| sippnp_str::of_opt(&d.ip)) })
}

/// The port of the phone's Contact (5060 when the Contact names none); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_device_contact_port(device: *const sippnp_device) -> u16 {
    ffi_boundary!(0, {
        // SAFETY: NULL or a live device from this library.
        unsafe { types::as_ref(device) }.map_or(0, |d| d.device.contact_port)
    })
}
