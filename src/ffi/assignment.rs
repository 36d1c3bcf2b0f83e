//! `sippnp_assignment`: what one device gets, filled in by the host through setters (inside
//! the lookup callback, or standalone to render a config file directly).

use std::ffi::c_char;

use super::boundary::ffi_boundary;
use super::rendered::sippnp_rendered;
use super::result::{done, fail, fail_with, sippnp_error, sippnp_result};
use super::types;
use crate::assign::{Account, Assignment, Transport};
use crate::device::{Device, Mac};
use crate::responder::render_assignment;

/// Device-wide fields for `sippnp_assignment_set`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sippnp_field {
    /// Canonical vendor id (`grandstream`, …); selects the config format.
    SIPPNP_FIELD_VENDOR = 1,
    SIPPNP_FIELD_MODEL = 2,
    /// Where the phone fetches its config later (`https://host:port/path/`).
    SIPPNP_FIELD_PROVISIONING_URL = 3,
    SIPPNP_FIELD_NTP_SERVER = 4,
    /// Timezone in the vendor's notation (passed through).
    SIPPNP_FIELD_TIMEZONE = 5,
    /// Phone admin password (secret: never logged).
    SIPPNP_FIELD_ADMIN_PASSWORD = 6,
    /// MAC in any common spelling; needed only for standalone rendering.
    SIPPNP_FIELD_MAC = 7,
    /// `1` leaves SIP Plug-and-Play on after provisioning; `0` (the default) writes the
    /// vendor's "PnP off" key so a provisioned phone stops multicasting at boot.
    SIPPNP_FIELD_KEEP_PNP_ENABLED = 8,
}

/// Per-account fields for `sippnp_assignment_set_account`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sippnp_account_field {
    SIPPNP_ACCOUNT_LABEL = 1,
    SIPPNP_ACCOUNT_DISPLAY_NAME = 2,
    /// SIP user id (the extension).
    SIPPNP_ACCOUNT_USER_ID = 3,
    /// Authentication id; defaults to the user id.
    SIPPNP_ACCOUNT_AUTH_ID = 4,
    /// SIP password (secret: never logged).
    SIPPNP_ACCOUNT_PASSWORD = 5,
    /// Registrar host name or IP (IPv6 without brackets).
    SIPPNP_ACCOUNT_REGISTRAR_HOST = 6,
    /// Outbound proxy, `host` or `host:port`.
    SIPPNP_ACCOUNT_OUTBOUND_PROXY = 7,
}

/// Registration transports for `sippnp_assignment_set_account_transport`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sippnp_transport {
    SIPPNP_TRANSPORT_UDP = 0,
    SIPPNP_TRANSPORT_TCP = 1,
    SIPPNP_TRANSPORT_TLS = 2,
}

/// Most accounts an assignment holds (vendors hold fewer; rendering checks).
pub const SIPPNP_MAX_ACCOUNTS: u32 = 64;

/// The vendor-neutral assignment of one device. Under the hood, a `Box<Assignment>`.
pub struct sippnp_assignment {
    pub(crate) inner: Assignment,
}

use sippnp_result::{SIPPNP_ERR_INVALID_PARAMETER, SIPPNP_ERR_NULL_PARAMETER, SIPPNP_OK};

/// Borrows the assignment and the UTF-8 value of a setter call, or says what is wrong.
///
/// # Safety
/// `a` NULL or a live assignment not used elsewhere; `value` readable for `len` bytes.
unsafe fn target_and_text<'a>(
    a: *mut sippnp_assignment,
    value: *const c_char,
    len: usize,
) -> Result<(&'a mut Assignment, String), sippnp_result> {
    // SAFETY: forwarded contract.
    let a = unsafe { types::as_mut(a) }.ok_or(SIPPNP_ERR_NULL_PARAMETER)?;
    // SAFETY: forwarded contract.
    let text = unsafe { types::text(value, len) }?;
    Ok((&mut a.inner, text.to_owned()))
}

/// Picks one optional text field of an account.
type AccountSlot = fn(&mut Account) -> &mut Option<String>;

fn account_index(index: u32) -> Result<usize, sippnp_result> {
    if (1..=SIPPNP_MAX_ACCOUNTS).contains(&index) {
        Ok(index as usize)
    } else {
        Err(SIPPNP_ERR_INVALID_PARAMETER)
    }
}

/// Creates an empty assignment, for rendering a config without a context.
///
/// **Ownership**: on SIPPNP_OK `*out` is new; free it with `sippnp_assignment_free`.
/// Never free the assignment a lookup callback receives.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_assignment_new(out: *mut *mut sippnp_assignment) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        if out.is_null() {
            return SIPPNP_ERR_NULL_PARAMETER;
        }
        let a = types::into_raw(sippnp_assignment {
            inner: Assignment::default(),
        });
        // SAFETY: checked non-NULL.
        unsafe { types::write_out(out, a) };
        SIPPNP_OK
    })
}

/// Frees an assignment from `sippnp_assignment_new`. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_assignment_free(a: *mut sippnp_assignment) {
    ffi_boundary!((), {
        // SAFETY: NULL or from sippnp_assignment_new, freed once.
        unsafe { types::free_box(a) }
    })
}

/// Sets a device-wide field (a `sippnp_field` value) to `value` (`len` bytes of UTF-8, no
/// NUL needed). The text is copied. A later call replaces the earlier value.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for an unknown
/// field, non-UTF-8 text, a MAC that is not 12 hex digits, or a flag that is not `0`/`1`.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_assignment_set(
    a: *mut sippnp_assignment,
    field: u32,
    value: *const c_char,
    len: usize,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: documented contract of the arguments.
        done(unsafe { target_and_text(a, value, len) }.and_then(|(a, text)| {
            use sippnp_field::*;
            match field {
                f if f == SIPPNP_FIELD_VENDOR as u32 => a.vendor = Some(text.to_ascii_lowercase()),
                f if f == SIPPNP_FIELD_MODEL as u32 => a.model = Some(text),
                f if f == SIPPNP_FIELD_PROVISIONING_URL as u32 => a.provisioning_url = Some(text),
                f if f == SIPPNP_FIELD_NTP_SERVER as u32 => a.ntp_server = Some(text),
                f if f == SIPPNP_FIELD_TIMEZONE as u32 => a.timezone = Some(text),
                f if f == SIPPNP_FIELD_ADMIN_PASSWORD as u32 => a.admin_password = Some(text),
                f if f == SIPPNP_FIELD_MAC as u32 => {
                    a.mac = Some(Mac::from_uri_user(&text).ok_or(SIPPNP_ERR_INVALID_PARAMETER)?);
                }
                f if f == SIPPNP_FIELD_KEEP_PNP_ENABLED as u32 => {
                    a.keep_pnp_enabled = match text.as_str() {
                        "1" => true,
                        "0" => false,
                        _ => return Err(SIPPNP_ERR_INVALID_PARAMETER),
                    };
                }
                _ => return Err(SIPPNP_ERR_INVALID_PARAMETER),
            }
            Ok(())
        }))
    })
}

/// Sets a field (a `sippnp_account_field` value) of account `index` (1-based, at most
/// SIPPNP_MAX_ACCOUNTS). Accounts come into being when first set. The text is copied.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for an index out of
/// range, an unknown field or non-UTF-8 text.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_assignment_set_account(
    a: *mut sippnp_assignment,
    index: u32,
    field: u32,
    value: *const c_char,
    len: usize,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: documented contract of the arguments.
        done(unsafe { target_and_text(a, value, len) }.and_then(|(a, text)| {
            use sippnp_account_field::*;
            let slot: AccountSlot = match field {
                f if f == SIPPNP_ACCOUNT_LABEL as u32 => |acc| &mut acc.label,
                f if f == SIPPNP_ACCOUNT_DISPLAY_NAME as u32 => |acc| &mut acc.display_name,
                f if f == SIPPNP_ACCOUNT_USER_ID as u32 => |acc| &mut acc.user_id,
                f if f == SIPPNP_ACCOUNT_AUTH_ID as u32 => |acc| &mut acc.auth_id,
                f if f == SIPPNP_ACCOUNT_PASSWORD as u32 => |acc| &mut acc.password,
                f if f == SIPPNP_ACCOUNT_REGISTRAR_HOST as u32 => |acc| &mut acc.registrar_host,
                f if f == SIPPNP_ACCOUNT_OUTBOUND_PROXY as u32 => |acc| &mut acc.outbound_proxy,
                _ => return Err(SIPPNP_ERR_INVALID_PARAMETER),
            };
            let index = account_index(index)?;
            *slot(a.account_mut(index)) = Some(text);
            Ok(())
        }))
    })
}

/// Sets the registrar port of account `index` (1-based); 0 means the transport's default.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for a bad index.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_assignment_set_account_port(
    a: *mut sippnp_assignment,
    index: u32,
    port: u16,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live assignment not used elsewhere.
        let Some(a) = (unsafe { types::as_mut(a) }) else {
            return SIPPNP_ERR_NULL_PARAMETER;
        };
        done(account_index(index).map(|i| a.inner.account_mut(i).registrar_port = (port != 0).then_some(port)))
    })
}

/// Sets the transport (a `sippnp_transport` value) account `index` registers over.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for a bad index or
/// transport.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_assignment_set_account_transport(
    a: *mut sippnp_assignment,
    index: u32,
    transport: u32,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live assignment not used elsewhere.
        let Some(a) = (unsafe { types::as_mut(a) }) else {
            return SIPPNP_ERR_NULL_PARAMETER;
        };
        let transport = match transport {
            t if t == sippnp_transport::SIPPNP_TRANSPORT_UDP as u32 => Transport::Udp,
            t if t == sippnp_transport::SIPPNP_TRANSPORT_TCP as u32 => Transport::Tcp,
            t if t == sippnp_transport::SIPPNP_TRANSPORT_TLS as u32 => Transport::Tls,
            _ => return SIPPNP_ERR_INVALID_PARAMETER,
        };
        done(account_index(index).map(|i| a.inner.account_mut(i).transport = transport))
    })
}

/// Sets a raw vendor key (e.g. Grandstream `P1362`) to `value`; it wins over the key the
/// renderer would generate. Both texts are copied; setting a key again replaces its value.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for an empty key or
/// non-UTF-8 text. Keys the vendor format cannot hold fail later, at rendering.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_assignment_set_override(
    a: *mut sippnp_assignment,
    key: *const c_char,
    key_len: usize,
    value: *const c_char,
    value_len: usize,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: documented contract of the arguments.
        done(unsafe { target_and_text(a, value, value_len) }.and_then(|(a, value)| {
            // SAFETY: `key` readable for `key_len` bytes.
            let key = unsafe { types::text(key, key_len) }?;
            if key.is_empty() {
                return Err(SIPPNP_ERR_INVALID_PARAMETER);
            }
            a.set_override(key, &value);
            Ok(())
        }))
    })
}

/// Renders the config file for a standalone assignment. The vendor is the one set with
/// SIPPNP_FIELD_VENDOR, else the one the MAC's OUI names.
///
/// **Ownership**: on SIPPNP_OK `*out` is new; free it with `sippnp_rendered_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER, SIPPNP_ERR_RENDER_*.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_assignment_render(
    a: *const sippnp_assignment,
    out: *mut *mut sippnp_rendered,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live assignment.
        let Some(a) = (unsafe { types::as_ref(a) }) else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "assignment is NULL") };
        };
        if out.is_null() {
            // SAFETY: as above.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "out is NULL") };
        }
        let device = a.inner.mac.map(Device::from_mac).unwrap_or_default();
        match render_assignment(a.inner.clone(), &device) {
            Ok(file) => {
                // SAFETY: checked non-NULL.
                unsafe { types::write_out(out, types::into_raw(sippnp_rendered::new(file))) };
                SIPPNP_OK
            }
            // SAFETY: as above.
            Err(e) => unsafe { fail_with(out_err, &e) },
        }
    })
}
