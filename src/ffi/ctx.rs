//! `sippnp_ctx_config` and `sippnp_ctx`: the responder's configuration and the immutable
//! context built from it, which answers datagrams and renders configs.

use std::ffi::{c_char, c_void};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use super::answer::sippnp_answer;
use super::boundary::ffi_boundary;
use super::callbacks::{CallbackLookup, sippnp_lookup_fn, sippnp_userdata_free_fn};
use super::rendered::sippnp_rendered;
use super::result::{datagram_problem, done, fail, fail_with, sippnp_error, sippnp_result};
use super::types;
use crate::device::Mac;
use crate::ids::IdGen;
use crate::responder::{Config, Responder, UnknownPolicy};
use crate::template::UrlTemplate;

use sippnp_result::{SIPPNP_ERR_INVALID_PARAMETER, SIPPNP_ERR_NULL_PARAMETER, SIPPNP_OK};

/// What to do with devices the lookup does not know.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sippnp_unknown_policy {
    /// Stay silent (the default): another server may own the phone.
    SIPPNP_UNKNOWN_SILENT = 0,
    /// Answer with the URL template as for an assigned device.
    SIPPNP_UNKNOWN_ANSWER = 1,
}

/// Settings for a context. Under the hood, a `Box`; the lookup inside is an `Arc` shared with
/// every context built from it.
pub struct sippnp_ctx_config {
    server_host: Option<String>,
    server_port: u16,
    url: Option<UrlTemplate>,
    user_agent: Option<String>,
    unknown: UnknownPolicy,
    lookup: Arc<CallbackLookup>,
    secret: Option<Vec<u8>>,
}

/// The responder. Immutable once built; every `const sippnp_ctx *` function may run
/// concurrently from several threads. Under the hood, a `Box<Responder>`.
pub struct sippnp_ctx {
    responder: Responder<Arc<CallbackLookup>>,
}

/// Borrows a configuration for a setter.
///
/// # Safety
/// `cfg` NULL or a live configuration not used elsewhere during the call.
unsafe fn config<'a>(cfg: *mut sippnp_ctx_config) -> Result<&'a mut sippnp_ctx_config, sippnp_result> {
    // SAFETY: forwarded contract.
    unsafe { types::as_mut(cfg) }.ok_or(SIPPNP_ERR_NULL_PARAMETER)
}

/// Creates a configuration with the defaults: port 5060, User-Agent `sippnp/<version>`,
/// unknown devices silent, no lookup (every device unknown). The server host and URL
/// template must be set before `sippnp_ctx_new`.
///
/// **Ownership**: on SIPPNP_OK `*out` is new; free it with `sippnp_ctx_config_free`.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_config_new(out: *mut *mut sippnp_ctx_config) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        if out.is_null() {
            return SIPPNP_ERR_NULL_PARAMETER;
        }
        let cfg = sippnp_ctx_config {
            server_host: None,
            server_port: 5060,
            url: None,
            user_agent: Some(concat!("sippnp/", env!("CARGO_PKG_VERSION")).to_owned()),
            unknown: UnknownPolicy::Silent,
            lookup: Arc::new(CallbackLookup::new(None, std::ptr::null_mut(), None)),
            secret: None,
        };
        // SAFETY: checked non-NULL.
        unsafe { types::write_out(out, types::into_raw(cfg)) };
        SIPPNP_OK
    })
}

/// Frees a configuration. Contexts built from it stay valid. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_ctx_config_free(cfg: *mut sippnp_ctx_config) {
    ffi_boundary!((), {
        // SAFETY: NULL or from sippnp_ctx_config_new, freed once.
        unsafe { types::free_box(cfg) }
    })
}

/// Sets our own address, written into Via and Contact: `host` (an IP literal, IPv6 without
/// brackets, or a host name; `host_len` bytes) and `port` (non-zero).
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for an empty host,
/// a host with spaces, control or URI-breaking characters, or port 0.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_config_set_server(
    cfg: *mut sippnp_ctx_config,
    host: *const c_char,
    host_len: usize,
    port: u16,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        done((|| {
            // SAFETY: documented argument contract.
            let cfg = unsafe { config(cfg) }?;
            // SAFETY: documented argument contract.
            let host = crate::net::unbracket(unsafe { types::text(host, host_len) }?);
            let valid = !host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic() && !b"<>;,\"@/?".contains(&b));
            if !valid || port == 0 {
                return Err(SIPPNP_ERR_INVALID_PARAMETER);
            }
            cfg.server_host = Some(host.to_owned());
            cfg.server_port = port;
            Ok(())
        })())
    })
}

/// Sets the provisioning URL template the NOTIFY carries. `{mac}`, `{MAC}`, `{vendor}`,
/// `{model}`, `{firmware}` and `{ip}` are expanded per device; other brace text is kept.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for non-UTF-8;
/// SIPPNP_ERR_INVALID_TEMPLATE for an empty template or one with whitespace or control
/// characters.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_config_set_url_template(
    cfg: *mut sippnp_ctx_config,
    template: *const c_char,
    template_len: usize,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        done((|| {
            // SAFETY: documented argument contract.
            let cfg = unsafe { config(cfg) }?;
            // SAFETY: documented argument contract.
            let text = unsafe { types::text(template, template_len) }?;
            cfg.url = Some(UrlTemplate::new(text).map_err(|_| sippnp_result::SIPPNP_ERR_INVALID_TEMPLATE)?);
            Ok(())
        })())
    })
}

/// Sets the product name sent as `Server` (200 OK) and `User-Agent` (NOTIFY). An empty
/// string sends neither header.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for non-UTF-8 or
/// control characters.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_config_set_user_agent(
    cfg: *mut sippnp_ctx_config,
    user_agent: *const c_char,
    user_agent_len: usize,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        done((|| {
            // SAFETY: documented argument contract.
            let cfg = unsafe { config(cfg) }?;
            // SAFETY: documented argument contract.
            let text = unsafe { types::text(user_agent, user_agent_len) }?;
            if text.chars().any(char::is_control) {
                return Err(SIPPNP_ERR_INVALID_PARAMETER);
            }
            cfg.user_agent = (!text.is_empty()).then(|| text.to_owned());
            Ok(())
        })())
    })
}

/// Sets what happens to devices the lookup calls unknown (a `sippnp_unknown_policy`).
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for another value.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_config_set_unknown_policy(cfg: *mut sippnp_ctx_config, policy: u32) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        done((|| {
            // SAFETY: documented argument contract.
            let cfg = unsafe { config(cfg) }?;
            cfg.unknown = match policy {
                p if p == sippnp_unknown_policy::SIPPNP_UNKNOWN_SILENT as u32 => UnknownPolicy::Silent,
                p if p == sippnp_unknown_policy::SIPPNP_UNKNOWN_ANSWER as u32 => UnknownPolicy::Answer,
                _ => return Err(SIPPNP_ERR_INVALID_PARAMETER),
            };
            Ok(())
        })())
    })
}

/// Sets the lookup callback (see `sippnp_lookup_fn`) with its `userdata`, and an optional
/// `userdata_free` that runs exactly once, when the configuration and every context built
/// from it are freed (also when this call replaces an earlier lookup). `callback` may be NULL
/// (every device unknown). When this call fails, nothing is kept and `userdata_free` is
/// not called.
///
/// **Callbacks**: synchronous, on the calling thread, only inside `sippnp_ctx_handle` and
/// `sippnp_ctx_render`. If a context is used from several threads at once, the callback may
/// run concurrently and `userdata` must be thread-safe.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER for a NULL `cfg`.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_config_set_lookup(
    cfg: *mut sippnp_ctx_config,
    callback: sippnp_lookup_fn,
    userdata: *mut c_void,
    userdata_free: sippnp_userdata_free_fn,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        done((|| {
            // SAFETY: documented argument contract.
            let cfg = unsafe { config(cfg) }?;
            cfg.lookup = Arc::new(CallbackLookup::new(callback, userdata, userdata_free));
            Ok(())
        })())
    })
}

/// Sets the secret that To-tags and branches are derived from (`secret_len` bytes, at least
/// 16). Without it each context draws a random one. Contexts with the same secret answer a
/// SUBSCRIBE identically (tests; several PBX processes behind one address).
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER when shorter than 16.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_config_set_secret(
    cfg: *mut sippnp_ctx_config,
    secret: *const u8,
    secret_len: usize,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        done((|| {
            // SAFETY: documented argument contract.
            let cfg = unsafe { config(cfg) }?;
            // SAFETY: documented argument contract.
            let secret = unsafe { types::slice(secret, secret_len) }.ok_or(SIPPNP_ERR_NULL_PARAMETER)?;
            if secret.len() < 16 {
                return Err(SIPPNP_ERR_INVALID_PARAMETER);
            }
            cfg.secret = Some(secret.to_vec());
            Ok(())
        })())
    })
}

/// Builds a context from `cfg` (which is only read: it may be freed or reused afterwards).
///
/// **Ownership**: on SIPPNP_OK `*out_ctx` is new; free it with `sippnp_ctx_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_CONFIG when the server host or
/// the URL template is not set.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_new(
    cfg: *const sippnp_ctx_config,
    out_ctx: *mut *mut sippnp_ctx,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live configuration.
        let Some(cfg) = (unsafe { types::as_ref(cfg) }) else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "cfg is NULL") };
        };
        if out_ctx.is_null() {
            // SAFETY: as above.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "out_ctx is NULL") };
        }
        match cfg.build_responder() {
            Ok(responder) => {
                // SAFETY: checked non-NULL.
                unsafe { types::write_out(out_ctx, types::into_raw(sippnp_ctx { responder })) };
                SIPPNP_OK
            }
            // SAFETY: as above.
            Err((code, message)) => unsafe { fail(out_err, code, &message) },
        }
    })
}

impl sippnp_ctx_config {
    /// The responder this configuration describes: the build step of `sippnp_ctx_new`, shared
    /// with `sippnp_engine_new`. `Err` carries the result code and a one-line message.
    pub(crate) fn build_responder(&self) -> Result<Responder<Arc<CallbackLookup>>, (sippnp_result, String)> {
        let (Some(server_host), Some(url)) = (self.server_host.clone(), self.url.clone()) else {
            let message = "server address and URL template must be set";
            return Err((sippnp_result::SIPPNP_ERR_INVALID_CONFIG, message.to_owned()));
        };
        let config = Config {
            server_host,
            server_port: self.server_port,
            url,
            user_agent: self.user_agent.clone(),
            unknown: self.unknown,
        };
        let ids = self.secret.as_deref().map_or_else(IdGen::random, IdGen::with_secret);
        Responder::with_ids(config, self.lookup.clone(), ids).map_err(|e| ((&e).into(), e.to_string()))
    }

    /// The secret set with `sippnp_ctx_config_set_secret`, if any.
    pub(crate) fn secret(&self) -> Option<&[u8]> {
        self.secret.as_deref()
    }
}

/// Frees a context. Call it only when no other thread uses the context. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_ctx_free(ctx: *mut sippnp_ctx) {
    ffi_boundary!((), {
        // SAFETY: NULL or from sippnp_ctx_new, freed once.
        unsafe { types::free_box(ctx) }
    })
}

/// Handles one received datagram: parses the SUBSCRIBE, asks the lookup, and yields what to
/// send. `source_ip` is the sender's address as text (`192.0.2.7`, `2001:db8::7`, brackets
/// allowed; `source_ip_len` bytes) and `source_port` its port.
///
/// **Ownership**: on SIPPNP_OK `*out_answer` is new (send it or stay silent, see
/// `sippnp_answer_action`); free it with `sippnp_answer_free`. On failure it is untouched and
/// `*out_err` (if `out_err` is not NULL) receives the details; free with `sippnp_error_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for a bad source
/// address; SIPPNP_ERR_SIP_* when the datagram is not a ua-profile SUBSCRIBE (answer
/// nothing); SIPPNP_ERR_LOOKUP_FAILED; SIPPNP_ERR_SIP_UNSAFE_VALUE.
/// **Thread safety**: may run concurrently on one context.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_handle(
    ctx: *const sippnp_ctx,
    datagram: *const u8,
    datagram_len: usize,
    source_ip: *const c_char,
    source_ip_len: usize,
    source_port: u16,
    out_answer: *mut *mut sippnp_answer,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live context.
        let ctx = unsafe { types::as_ref(ctx) };
        let (Some(ctx), false) = (ctx, out_answer.is_null()) else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "ctx or out_answer is NULL") };
        };
        // SAFETY: the caller passes `datagram_len` readable bytes.
        let bytes = match unsafe { types::datagram(datagram, datagram_len) } {
            Ok(bytes) => bytes,
            // SAFETY: as above.
            Err(code) => return unsafe { fail(out_err, code, datagram_problem(code)) },
        };
        // SAFETY: the caller passes `source_ip_len` readable bytes.
        let ip = unsafe { types::text(source_ip, source_ip_len) }
            .ok()
            .and_then(|text| crate::net::unbracket(text).parse::<IpAddr>().ok());
        let Some(ip) = ip else {
            // SAFETY: as above.
            return unsafe { fail(out_err, SIPPNP_ERR_INVALID_PARAMETER, "source_ip is not an IP address") };
        };
        match ctx.responder.handle(bytes, SocketAddr::new(ip, source_port)) {
            Ok(outcome) => {
                // SAFETY: checked non-NULL.
                unsafe { types::write_out(out_answer, types::into_raw(sippnp_answer::new(outcome))) };
                SIPPNP_OK
            }
            // SAFETY: as above.
            Err(e) => unsafe { fail_with(out_err, &e) },
        }
    })
}

/// Renders the config file of the device with MAC `mac` (any common spelling, `mac_len`
/// bytes) as the lookup assigns it — what to serve when the phone fetches its URL. The lookup
/// then receives a device that carries only the MAC (`mac_source` "host") and the vendor its
/// OUI names; the assignment's SIPPNP_FIELD_VENDOR, if set, chooses the format.
///
/// **Ownership**: on SIPPNP_OK `*out` is new; free it with `sippnp_rendered_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for a bad MAC;
/// SIPPNP_ERR_NOT_ASSIGNED when the lookup does not answer SIPPNP_LOOKUP_ASSIGN;
/// SIPPNP_ERR_LOOKUP_FAILED; SIPPNP_ERR_RENDER_*.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_render(
    ctx: *const sippnp_ctx,
    mac: *const c_char,
    mac_len: usize,
    out: *mut *mut sippnp_rendered,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live context.
        let (Some(ctx), false) = (unsafe { types::as_ref(ctx) }, out.is_null()) else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "ctx or out is NULL") };
        };
        // SAFETY: the caller passes `mac_len` readable bytes.
        let Some(mac) = unsafe { types::text(mac, mac_len) }.ok().and_then(Mac::from_uri_user) else {
            // SAFETY: as above.
            return unsafe { fail(out_err, SIPPNP_ERR_INVALID_PARAMETER, "mac is not 12 hex digits") };
        };
        // SAFETY: `out` checked non-NULL; `out_err` NULL or writable.
        unsafe { deliver_rendered(ctx.responder.render(mac), out, out_err) }
    })
}

/// Renders the file a phone requested by `path` (`path_len` bytes: the HTTP request path or
/// TFTP file name, e.g. `/prov/cfg000b82273b89.xml` or `000b82273b89.cfg`). The file name tells
/// the vendor and the device; the lookup (which receives a device carrying only the MAC and
/// that vendor) says what the device gets. Serve the result with its content type; answer 404
/// on SIPPNP_ERR_RENDER_UNKNOWN_PATH, SIPPNP_ERR_RENDER_UNSUPPORTED_FILE and
/// SIPPNP_ERR_NOT_ASSIGNED.
///
/// **Ownership**: on SIPPNP_OK `*out` is new; free it with `sippnp_rendered_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for non-UTF-8;
/// SIPPNP_ERR_RENDER_UNKNOWN_PATH; SIPPNP_ERR_RENDER_UNSUPPORTED_FILE; SIPPNP_ERR_NOT_ASSIGNED;
/// SIPPNP_ERR_LOOKUP_FAILED; SIPPNP_ERR_RENDER_*.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_ctx_render_path(
    ctx: *const sippnp_ctx,
    path: *const c_char,
    path_len: usize,
    out: *mut *mut sippnp_rendered,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live context.
        let (Some(ctx), false) = (unsafe { types::as_ref(ctx) }, out.is_null()) else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "ctx or out is NULL") };
        };
        // SAFETY: the caller passes `path_len` readable bytes.
        let path = match unsafe { types::text(path, path_len) } {
            Ok(path) => path,
            // SAFETY: as above.
            Err(code) => return unsafe { fail(out_err, code, "path is NULL or not UTF-8") },
        };
        // SAFETY: `out` checked non-NULL; `out_err` NULL or writable.
        unsafe { deliver_rendered(ctx.responder.render_path(path), out, out_err) }
    })
}

/// Writes a rendered file to `*out` (SIPPNP_OK), or the error to `*out_err`.
///
/// # Safety
/// `out` is non-NULL and writable; `out_err` is NULL or writable.
unsafe fn deliver_rendered(
    rendered: Result<crate::render::RenderedFile, crate::Error>,
    out: *mut *mut sippnp_rendered,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    match rendered {
        Ok(file) => {
            // SAFETY: the caller's contract.
            unsafe { types::write_out(out, types::into_raw(sippnp_rendered::new(file))) };
            SIPPNP_OK
        }
        // SAFETY: the caller's contract.
        Err(e) => unsafe { fail_with(out_err, &e) },
    }
}
