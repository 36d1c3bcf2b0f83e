//! `sippnp_assignment`: what one device gets, filled in by the host through setters (inside
//! the lookup callback, or standalone to render a config file directly).

use std::ffi::c_char;

use super::boundary::ffi_boundary;
use super::rendered::sippnp_rendered;
use super::result::{done, fail, fail_with, sippnp_error, sippnp_result};
use super::types;
use crate::assign::fields::Scope;
use crate::assign::{Assignment, Transport};
use crate::device::Device;
use crate::responder::render_assignment;

/// Device-wide fields for `sippnp_assignment_set`. Values are text: an empty text clears
/// the field (the phone keeps its default); numbers are decimal; flags `1`/`0`/`true`/`false`;
/// lists comma-separated. Numbers are never reused.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code, reason = "C reads the numbers; a test checks them against assign::fields")]
pub enum sippnp_field {
    /// Canonical vendor id (`grandstream`, …); selects the config format.
    SIPPNP_FIELD_VENDOR = 1,
    SIPPNP_FIELD_MODEL = 2,
    /// Where the phone fetches its config later (`https://host:port/path/`).
    SIPPNP_FIELD_PROVISIONING_URL = 3,
    /// NTP servers, comma-separated, in order of preference.
    SIPPNP_FIELD_NTP_SERVERS = 4,
    /// IANA time zone name (`Europe/Berlin`); each renderer writes its vendor's notation.
    SIPPNP_FIELD_TIMEZONE = 5,
    /// Phone admin password (secret: never logged).
    SIPPNP_FIELD_ADMIN_PASSWORD = 6,
    /// MAC in any common spelling; needed only for standalone rendering.
    SIPPNP_FIELD_MAC = 7,
    /// `1` leaves SIP Plug-and-Play on after provisioning; `0` (the default) writes the
    /// vendor's "PnP off" key so a provisioned phone stops multicasting at boot.
    SIPPNP_FIELD_KEEP_PNP_ENABLED = 8,
    /// Phone end-user password (secret: never logged).
    SIPPNP_FIELD_USER_PASSWORD = 9,
    /// ISO 639-1 language (`en`, `de`, …) for the phone's menus.
    SIPPNP_FIELD_LANGUAGE = 10,
    /// Minutes between the phone's config checks (1–525600).
    SIPPNP_FIELD_RESYNC_INTERVAL_MIN = 11,
    /// Where the phone fetches firmware (directory or file URL, vendor dependent).
    SIPPNP_FIELD_FIRMWARE_URL = 12,
    /// Voice VLAN id (1–4094).
    SIPPNP_FIELD_VLAN_ID = 13,
    /// 802.1p priority of the voice VLAN (0–7).
    SIPPNP_FIELD_VLAN_PRIORITY = 14,
    /// Remote syslog server host.
    SIPPNP_FIELD_SYSLOG_HOST = 15,
    SIPPNP_FIELD_SYSLOG_PORT = 16,
    /// Syslog severity the phone sends from (0–7).
    SIPPNP_FIELD_SYSLOG_LEVEL = 17,
    /// HTTP user for the config fetch.
    SIPPNP_FIELD_PROVISIONING_USER = 18,
    /// HTTP password for the config fetch (secret: never logged).
    SIPPNP_FIELD_PROVISIONING_PASSWORD = 19,
    /// The key the phone opens encrypted configs with, written where the vendor reads it
    /// (Grandstream P1359; Yealink `aes_key` settings); vendors without such a setting refuse
    /// it (SIPPNP_ERR_RENDER_UNSUPPORTED_VALUE). Secret: never logged.
    SIPPNP_FIELD_CONFIG_KEY = 20,
}

/// Per-account fields for `sippnp_assignment_set_account`, same text rules as `sippnp_field`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code, reason = "C reads the numbers; a test checks them against assign::fields")]
pub enum sippnp_account_field {
    SIPPNP_ACCOUNT_LABEL = 1,
    SIPPNP_ACCOUNT_DISPLAY_NAME = 2,
    /// SIP user id (the extension).
    SIPPNP_ACCOUNT_USER_ID = 3,
    /// Authentication id; defaults to the user id.
    SIPPNP_ACCOUNT_AUTH_ID = 4,
    /// SIP password (secret: never logged).
    SIPPNP_ACCOUNT_PASSWORD = 5,
    /// Registrar host name or IP (IPv6 with or without brackets).
    SIPPNP_ACCOUNT_REGISTRAR_HOST = 6,
    /// Outbound proxy, `host` or `host:port`.
    SIPPNP_ACCOUNT_OUTBOUND_PROXY = 7,
    /// Registrar port (1–65535); empty means the transport's default.
    SIPPNP_ACCOUNT_REGISTRAR_PORT = 8,
    /// `udp` (default), `tcp` or `tls`.
    SIPPNP_ACCOUNT_TRANSPORT = 9,
    /// Backup (failover) registrar host.
    SIPPNP_ACCOUNT_BACKUP_REGISTRAR_HOST = 10,
    SIPPNP_ACCOUNT_BACKUP_REGISTRAR_PORT = 11,
    /// Registration expiry in seconds (30–86400).
    SIPPNP_ACCOUNT_REGISTER_EXPIRES = 12,
    /// Number the voicemail key dials.
    SIPPNP_ACCOUNT_VOICEMAIL_NUMBER = 13,
    /// `1` subscribes for message-waiting indication, `0` does not.
    SIPPNP_ACCOUNT_MWI = 14,
    /// Codecs in order, comma-separated: PCMU, PCMA, G722, G729, G726-32, iLBC, opus, G723.
    SIPPNP_ACCOUNT_CODECS = 15,
    /// `rfc2833`, `sip-info` or `inband`.
    SIPPNP_ACCOUNT_DTMF = 16,
    /// `disabled`, `optional` or `required`.
    SIPPNP_ACCOUNT_SRTP = 17,
}

/// Per-key fields for `sippnp_assignment_set_key`, same text rules as `sippnp_field`. Keys
/// are numbered 1, 2, … in the host's order; a new key starts as an unused programmable key
/// at the position of its number, on account 1.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code, reason = "C reads the numbers; a test checks them against assign::fields")]
pub enum sippnp_key_field {
    /// `line`, `programmable` (default) or `expansion1`, `expansion2`, …
    SIPPNP_KEY_BANK = 1,
    /// 1-based position inside the bank.
    SIPPNP_KEY_POSITION = 2,
    /// `unused`, `line`, `blf`, `speed-dial`, `park` or `dnd`.
    SIPPNP_KEY_KIND = 3,
    /// 1-based account the key uses.
    SIPPNP_KEY_ACCOUNT = 4,
    /// What the key dials or watches (extension, number).
    SIPPNP_KEY_VALUE = 5,
    /// Text shown next to the key.
    SIPPNP_KEY_LABEL = 6,
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
#[allow(dead_code, reason = "for C; a test checks it against assign::fields")]
pub const SIPPNP_MAX_ACCOUNTS: u32 = 64;

/// Most keys an assignment holds.
#[allow(dead_code, reason = "for C")]
pub const SIPPNP_MAX_KEYS: u32 = 1024;

/// The vendor-neutral assignment of one device. Under the hood, a `Box<Assignment>`.
pub struct sippnp_assignment {
    pub(crate) inner: Assignment,
}

use sippnp_result::{SIPPNP_ERR_INVALID_PARAMETER, SIPPNP_ERR_NULL_PARAMETER, SIPPNP_OK};

/// Sets field `id` of `scope` (account or key `index`) from the UTF-8 text at `value`.
///
/// # Safety
/// `a` NULL or a live assignment not used elsewhere; `value` readable for `len` bytes.
unsafe fn set_field(
    a: *mut sippnp_assignment,
    scope: Scope,
    id: u32,
    index: u32,
    value: *const c_char,
    len: usize,
) -> Result<(), sippnp_result> {
    // SAFETY: forwarded contract.
    let a = unsafe { types::as_mut(a) }.ok_or(SIPPNP_ERR_NULL_PARAMETER)?;
    // SAFETY: forwarded contract.
    let text = unsafe { types::text(value, len) }?;
    let index = usize::try_from(index).unwrap_or(usize::MAX);
    a.inner
        .set_field(scope, id, index, text)
        .map_err(|_| SIPPNP_ERR_INVALID_PARAMETER)
}

/// Sets field `field` of account `index` from `text` through the model's field table (the
/// same index and value checks as `sippnp_assignment_set_account`).
fn set_account_text(a: &mut sippnp_assignment, index: u32, field: sippnp_account_field, text: &str) -> sippnp_result {
    let index = usize::try_from(index).unwrap_or(usize::MAX);
    done(
        a.inner
            .set_field(Scope::Account, field as u32, index, text)
            .map_err(|_| SIPPNP_ERR_INVALID_PARAMETER),
    )
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
/// NUL needed). The text is copied. A later call replaces the earlier value; an empty text
/// clears the field.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for an unknown field,
/// non-UTF-8 text or a value the field does not accept (a MAC that is not 12 hex digits, a
/// time zone that is not an IANA name, a flag that is not `1`/`0`/`true`/`false`, …). On error
/// the assignment is unchanged.
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
        done(unsafe { set_field(a, Scope::Device, field, 0, value, len) })
    })
}

/// Sets a field (a `sippnp_account_field` value) of account `index` (1-based, at most
/// SIPPNP_MAX_ACCOUNTS). Accounts come into being when first set. The text is copied.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for an index out of
/// range, an unknown field, non-UTF-8 text or a value the field does not accept (the
/// assignment is then unchanged).
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
        done(unsafe { set_field(a, Scope::Account, field, index, value, len) })
    })
}

/// Sets a field (a `sippnp_key_field` value) of key `index` (1-based, at most SIPPNP_MAX_KEYS).
/// Keys come into being when first set (with any gap before them as unused keys). The text is
/// copied.
///
/// **Errors**: as `sippnp_assignment_set_account`.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_assignment_set_key(
    a: *mut sippnp_assignment,
    index: u32,
    field: u32,
    value: *const c_char,
    len: usize,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: documented contract of the arguments.
        done(unsafe { set_field(a, Scope::Key, field, index, value, len) })
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
        // 0 is the empty text: the transport's default.
        let text = if port == 0 { String::new() } else { port.to_string() };
        set_account_text(a, index, sippnp_account_field::SIPPNP_ACCOUNT_REGISTRAR_PORT, &text)
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
        set_account_text(
            a,
            index,
            sippnp_account_field::SIPPNP_ACCOUNT_TRANSPORT,
            transport.as_str(),
        )
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
        // SAFETY: NULL or a live assignment not used elsewhere.
        let Some(a) = (unsafe { types::as_mut(a) }) else {
            return SIPPNP_ERR_NULL_PARAMETER;
        };
        // SAFETY: both texts readable for their lengths.
        done(unsafe { types::text(key, key_len) }.and_then(|key| {
            // SAFETY: as above.
            let value = unsafe { types::text(value, value_len) }?;
            if key.is_empty() {
                return Err(SIPPNP_ERR_INVALID_PARAMETER);
            }
            a.inner.set_override(key, value);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::fields;

    /// Every C field constant names the model's field with the same number, and every model
    /// field has its C constant.
    #[test]
    fn c_field_numbers_match_the_model() {
        use sippnp_account_field::*;
        use sippnp_field::*;
        use sippnp_key_field::*;
        let c: &[(Scope, u32, &str)] = &[
            (Scope::Device, SIPPNP_FIELD_VENDOR as u32, "SIPPNP_FIELD_VENDOR"),
            (Scope::Device, SIPPNP_FIELD_MODEL as u32, "SIPPNP_FIELD_MODEL"),
            (
                Scope::Device,
                SIPPNP_FIELD_PROVISIONING_URL as u32,
                "SIPPNP_FIELD_PROVISIONING_URL",
            ),
            (
                Scope::Device,
                SIPPNP_FIELD_NTP_SERVERS as u32,
                "SIPPNP_FIELD_NTP_SERVERS",
            ),
            (Scope::Device, SIPPNP_FIELD_TIMEZONE as u32, "SIPPNP_FIELD_TIMEZONE"),
            (
                Scope::Device,
                SIPPNP_FIELD_ADMIN_PASSWORD as u32,
                "SIPPNP_FIELD_ADMIN_PASSWORD",
            ),
            (Scope::Device, SIPPNP_FIELD_MAC as u32, "SIPPNP_FIELD_MAC"),
            (
                Scope::Device,
                SIPPNP_FIELD_KEEP_PNP_ENABLED as u32,
                "SIPPNP_FIELD_KEEP_PNP_ENABLED",
            ),
            (
                Scope::Device,
                SIPPNP_FIELD_USER_PASSWORD as u32,
                "SIPPNP_FIELD_USER_PASSWORD",
            ),
            (Scope::Device, SIPPNP_FIELD_LANGUAGE as u32, "SIPPNP_FIELD_LANGUAGE"),
            (
                Scope::Device,
                SIPPNP_FIELD_RESYNC_INTERVAL_MIN as u32,
                "SIPPNP_FIELD_RESYNC_INTERVAL_MIN",
            ),
            (
                Scope::Device,
                SIPPNP_FIELD_FIRMWARE_URL as u32,
                "SIPPNP_FIELD_FIRMWARE_URL",
            ),
            (Scope::Device, SIPPNP_FIELD_VLAN_ID as u32, "SIPPNP_FIELD_VLAN_ID"),
            (
                Scope::Device,
                SIPPNP_FIELD_VLAN_PRIORITY as u32,
                "SIPPNP_FIELD_VLAN_PRIORITY",
            ),
            (
                Scope::Device,
                SIPPNP_FIELD_SYSLOG_HOST as u32,
                "SIPPNP_FIELD_SYSLOG_HOST",
            ),
            (
                Scope::Device,
                SIPPNP_FIELD_SYSLOG_PORT as u32,
                "SIPPNP_FIELD_SYSLOG_PORT",
            ),
            (
                Scope::Device,
                SIPPNP_FIELD_SYSLOG_LEVEL as u32,
                "SIPPNP_FIELD_SYSLOG_LEVEL",
            ),
            (
                Scope::Device,
                SIPPNP_FIELD_PROVISIONING_USER as u32,
                "SIPPNP_FIELD_PROVISIONING_USER",
            ),
            (
                Scope::Device,
                SIPPNP_FIELD_PROVISIONING_PASSWORD as u32,
                "SIPPNP_FIELD_PROVISIONING_PASSWORD",
            ),
            (Scope::Device, SIPPNP_FIELD_CONFIG_KEY as u32, "SIPPNP_FIELD_CONFIG_KEY"),
            (Scope::Account, SIPPNP_ACCOUNT_LABEL as u32, "SIPPNP_ACCOUNT_LABEL"),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_DISPLAY_NAME as u32,
                "SIPPNP_ACCOUNT_DISPLAY_NAME",
            ),
            (Scope::Account, SIPPNP_ACCOUNT_USER_ID as u32, "SIPPNP_ACCOUNT_USER_ID"),
            (Scope::Account, SIPPNP_ACCOUNT_AUTH_ID as u32, "SIPPNP_ACCOUNT_AUTH_ID"),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_PASSWORD as u32,
                "SIPPNP_ACCOUNT_PASSWORD",
            ),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_REGISTRAR_HOST as u32,
                "SIPPNP_ACCOUNT_REGISTRAR_HOST",
            ),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_OUTBOUND_PROXY as u32,
                "SIPPNP_ACCOUNT_OUTBOUND_PROXY",
            ),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_REGISTRAR_PORT as u32,
                "SIPPNP_ACCOUNT_REGISTRAR_PORT",
            ),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_TRANSPORT as u32,
                "SIPPNP_ACCOUNT_TRANSPORT",
            ),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_BACKUP_REGISTRAR_HOST as u32,
                "SIPPNP_ACCOUNT_BACKUP_REGISTRAR_HOST",
            ),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_BACKUP_REGISTRAR_PORT as u32,
                "SIPPNP_ACCOUNT_BACKUP_REGISTRAR_PORT",
            ),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_REGISTER_EXPIRES as u32,
                "SIPPNP_ACCOUNT_REGISTER_EXPIRES",
            ),
            (
                Scope::Account,
                SIPPNP_ACCOUNT_VOICEMAIL_NUMBER as u32,
                "SIPPNP_ACCOUNT_VOICEMAIL_NUMBER",
            ),
            (Scope::Account, SIPPNP_ACCOUNT_MWI as u32, "SIPPNP_ACCOUNT_MWI"),
            (Scope::Account, SIPPNP_ACCOUNT_CODECS as u32, "SIPPNP_ACCOUNT_CODECS"),
            (Scope::Account, SIPPNP_ACCOUNT_DTMF as u32, "SIPPNP_ACCOUNT_DTMF"),
            (Scope::Account, SIPPNP_ACCOUNT_SRTP as u32, "SIPPNP_ACCOUNT_SRTP"),
            (Scope::Key, SIPPNP_KEY_BANK as u32, "SIPPNP_KEY_BANK"),
            (Scope::Key, SIPPNP_KEY_POSITION as u32, "SIPPNP_KEY_POSITION"),
            (Scope::Key, SIPPNP_KEY_KIND as u32, "SIPPNP_KEY_KIND"),
            (Scope::Key, SIPPNP_KEY_ACCOUNT as u32, "SIPPNP_KEY_ACCOUNT"),
            (Scope::Key, SIPPNP_KEY_VALUE as u32, "SIPPNP_KEY_VALUE"),
            (Scope::Key, SIPPNP_KEY_LABEL as u32, "SIPPNP_KEY_LABEL"),
        ];
        for &(scope, id, c_name) in c {
            let field = fields::by_id(scope, id).unwrap_or_else(|| panic!("{c_name}: no field {id}"));
            let prefix = match scope {
                Scope::Device => "SIPPNP_FIELD_",
                Scope::Account => "SIPPNP_ACCOUNT_",
                Scope::Key => "SIPPNP_KEY_",
            };
            assert_eq!(
                c_name.strip_prefix(prefix).unwrap().to_ascii_lowercase(),
                field.name,
                "{c_name}"
            );
        }
        assert_eq!(c.len(), fields::all().len(), "a model field has no C constant");
        assert_eq!(SIPPNP_MAX_ACCOUNTS as usize, fields::MAX_ACCOUNTS);
        assert_eq!(SIPPNP_MAX_KEYS as usize, fields::MAX_KEYS);
    }
}
