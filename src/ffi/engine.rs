//! `sippnp_engine`: the sans-IO PnP engine for C. The PBX feeds it every datagram and the
//! current time; it hands back datagrams to send (`sippnp_transmit`), when to call it again,
//! and events (`sippnp_event`). It absorbs retransmitted SUBSCRIBEs, retransmits the NOTIFY
//! until the phone answers (RFC 3261 Timer E/F), rate-limits new exchanges per source IP and
//! keeps its memory bounded. See `crate::engine` for the behaviour.

use std::cell::Cell;
use std::ffi::{CString, c_char};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};

use super::answer::{sippnp_packet, sippnp_silence};
use super::boundary::ffi_boundary;
use super::callbacks::CallbackLookup;
use super::ctx::sippnp_ctx_config;
use super::device::{self, sippnp_device};
use super::result::{fail, fail_with, sippnp_error, sippnp_result};
use super::types::{self, c_string, sippnp_str};
use crate::device::Mac;
use crate::engine::{Engine, EngineConfig, Event, FailReason, TokenError};
use crate::responder::{Packet, Silence};

use sippnp_result::{SIPPNP_ERR_INVALID_PARAMETER, SIPPNP_ERR_NULL_PARAMETER, SIPPNP_ERR_REENTRANT, SIPPNP_OK};

/// `sippnp_event_kind`: a new exchange (a phone's first SUBSCRIBE) was looked up.
pub const SIPPNP_EVENT_DISCOVERED: u32 = 1;
/// `sippnp_event_kind`: the phone was answered; `sippnp_event_url` is what the NOTIFY carries.
pub const SIPPNP_EVENT_ANSWERED: u32 = 2;
/// `sippnp_event_kind`: a NOTIFY (PnP or check-sync) was queued; `sippnp_event_attempt` is 1
/// for the first transmission, more for retransmissions.
pub const SIPPNP_EVENT_NOTIFIED: u32 = 3;
/// `sippnp_event_kind`: the phone accepted the NOTIFY (`sippnp_event_status`, a 2xx).
pub const SIPPNP_EVENT_ACKNOWLEDGED: u32 = 4;
/// `sippnp_event_kind`: the NOTIFY transaction failed (`sippnp_event_reason`, a SIPPNP_FAIL_*).
pub const SIPPNP_EVENT_FAILED: u32 = 5;
/// `sippnp_event_kind`: the engine stays silent about the device (`sippnp_event_reason`, a
/// `sippnp_silence`).
pub const SIPPNP_EVENT_SILENCED: u32 = 6;
/// `sippnp_event_kind`: a source IP (`sippnp_event_ip`) exceeds its rate of new exchanges;
/// reported once per burst.
pub const SIPPNP_EVENT_RATE_LIMITED: u32 = 7;

/// `sippnp_event_reason` of events that are not SIPPNP_EVENT_FAILED or SIPPNP_EVENT_SILENCED.
pub const SIPPNP_FAIL_NONE: u32 = 0;
/// Timer F: no final response within 64·T1 (32 s by default).
pub const SIPPNP_FAIL_TIMEOUT: u32 = 1;
/// The phone answered with a status ≥ 300 (`sippnp_event_status`).
pub const SIPPNP_FAIL_REJECTED: u32 = 2;
/// The exchange was evicted from the full table before the phone answered.
pub const SIPPNP_FAIL_EVICTED: u32 = 3;

/// Size of the buffer `sippnp_engine_verify_token` writes the MAC into: 12 lower-case hex
/// digits and a NUL.
pub const SIPPNP_MAC_BUFFER_LEN: usize = 13;

/// Limits and timers of an engine; start from `sippnp_engine_options_default()` and change
/// what you need. Times are milliseconds.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct sippnp_engine_options {
    /// Hard cap on tracked exchanges, least recently used evicted first (16384, at most
    /// about 32 MB). Size it for the phones that may boot within `linger_ms`.
    pub max_exchanges: usize,
    /// Cap on rate-limiter entries, one per source IP, LRU (4096).
    pub max_sources: usize,
    /// New exchanges per second per source IP (10); 0 turns rate limiting off.
    pub rate_per_source: u32,
    /// Token bucket size: new exchanges a source may start at once (20).
    pub rate_burst: u32,
    /// RFC 3261 T1 (500).
    pub t1_ms: u64,
    /// RFC 3261 T2 (4000).
    pub t2_ms: u64,
    /// RFC 3261 Timer F, when an unanswered NOTIFY is abandoned (32000).
    pub timer_f_ms: u64,
    /// How long a finished exchange is remembered after its last SUBSCRIBE (32000).
    pub linger_ms: u64,
    /// Lifetime of `{token}` URLs (300000).
    pub token_ttl_ms: u64,
    /// Event queue cap; the oldest event is dropped beyond it (1024).
    pub max_events: usize,
}

impl From<EngineConfig> for sippnp_engine_options {
    fn from(c: EngineConfig) -> sippnp_engine_options {
        sippnp_engine_options {
            max_exchanges: c.max_exchanges,
            max_sources: c.max_sources,
            rate_per_source: c.rate_per_source,
            rate_burst: c.rate_burst,
            t1_ms: c.t1_ms,
            t2_ms: c.t2_ms,
            timer_f_ms: c.timer_f_ms,
            linger_ms: c.linger_ms,
            token_ttl_ms: c.token_ttl_ms,
            max_events: c.max_events,
        }
    }
}

impl sippnp_engine_options {
    /// The engine configuration, or the name of the first unusable field.
    fn config(&self) -> Result<EngineConfig, &'static str> {
        let checks: [(bool, &'static str); 8] = [
            (
                self.max_exchanges >= 1 && self.max_exchanges < u32::MAX as usize,
                "max_exchanges",
            ),
            (
                self.max_sources >= 1 && self.max_sources < u32::MAX as usize,
                "max_sources",
            ),
            (self.rate_burst >= 1 || self.rate_per_source == 0, "rate_burst"),
            (self.t1_ms >= 1, "t1_ms"),
            (self.t2_ms >= self.t1_ms, "t2_ms"),
            (self.timer_f_ms >= self.t1_ms, "timer_f_ms"),
            (self.max_events >= 1, "max_events"),
            (self.token_ttl_ms >= 1, "token_ttl_ms"),
        ];
        if let Some((_, field)) = checks.iter().find(|(ok, _)| !ok) {
            return Err(field);
        }
        Ok(EngineConfig {
            max_exchanges: self.max_exchanges,
            max_sources: self.max_sources,
            rate_per_source: self.rate_per_source,
            rate_burst: self.rate_burst,
            t1_ms: self.t1_ms,
            t2_ms: self.t2_ms,
            timer_f_ms: self.timer_f_ms,
            linger_ms: self.linger_ms,
            token_ttl_ms: self.token_ttl_ms,
            max_events: self.max_events,
        })
    }
}

/// Counters since the engine was created, and current table sizes (`sippnp_engine_stats`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct sippnp_engine_counters {
    /// Exchanges tracked now.
    pub exchanges: u64,
    /// Source IPs in the rate limiter now.
    pub sources: u64,
    /// Timer heap entries now.
    pub timers: u64,
    /// Exchanges forgotten because the table was full.
    pub exchanges_evicted: u64,
    /// New exchanges refused by the rate limiter.
    pub rate_limited: u64,
    /// Retransmitted (or stale) SUBSCRIBEs absorbed without a lookup.
    pub retransmissions_absorbed: u64,
    /// NOTIFY transactions started (PnP and check-sync).
    pub notifies_sent: u64,
    /// NOTIFY retransmissions.
    pub notify_retransmissions: u64,
    /// NOTIFY transactions acknowledged with a 2xx.
    pub notifies_acked: u64,
    /// NOTIFY transactions failed (timeout, rejection, eviction).
    pub notifies_failed: u64,
    /// Responses that matched no running transaction.
    pub stray_responses: u64,
    /// Events dropped because the queue was full.
    pub events_dropped: u64,
    /// Packets dropped because they were not polled (queue full).
    pub transmits_dropped: u64,
}

/// The engine. Under the hood, a `Box` holding a `Mutex` around the Rust `Engine`: every
/// `sippnp_engine_*` function may be called from several threads at once (calls are
/// serialised). The lookup callback runs while the engine is locked: from inside it, any call
/// on the same engine returns SIPPNP_ERR_REENTRANT instead of deadlocking.
pub struct sippnp_engine {
    inner: Mutex<Engine<Arc<CallbackLookup>>>,
}

/// One datagram to send. Under the hood, a `Box` owning the bytes and destination.
pub struct sippnp_transmit {
    bytes: Vec<u8>,
    host: CString,
    port: u16,
    transport: CString,
}

/// One event. Under the hood, a `Box` owning copies of everything it reports.
pub struct sippnp_event {
    kind: u32,
    device: Option<sippnp_device>,
    mac: Option<CString>,
    ip: Option<CString>,
    url: Option<CString>,
    status: u32,
    reason: u32,
    attempt: u32,
}

impl sippnp_event {
    fn new(event: Event) -> sippnp_event {
        let mut out = sippnp_event {
            kind: 0,
            device: None,
            mac: None,
            ip: None,
            url: None,
            status: 0,
            reason: SIPPNP_FAIL_NONE,
            attempt: 0,
        };
        let mac_text = |mac: Option<Mac>| mac.map(|m| c_string(&m.to_lower_hex()));
        match event {
            Event::Discovered { device } => {
                out.kind = SIPPNP_EVENT_DISCOVERED;
                out.device = Some(sippnp_device::new(device));
            }
            Event::Answered { device, url } => {
                out.kind = SIPPNP_EVENT_ANSWERED;
                out.device = Some(sippnp_device::new(device));
                out.url = Some(c_string(&url));
            }
            Event::Notified { mac, attempt } => {
                out.kind = SIPPNP_EVENT_NOTIFIED;
                out.mac = mac_text(mac);
                out.attempt = attempt;
            }
            Event::Acknowledged { mac, status } => {
                out.kind = SIPPNP_EVENT_ACKNOWLEDGED;
                out.mac = mac_text(mac);
                out.status = u32::from(status);
            }
            Event::Failed { mac, reason } => {
                out.kind = SIPPNP_EVENT_FAILED;
                out.mac = mac_text(mac);
                out.reason = match reason {
                    FailReason::Timeout => SIPPNP_FAIL_TIMEOUT,
                    FailReason::Rejected(status) => {
                        out.status = u32::from(status);
                        SIPPNP_FAIL_REJECTED
                    }
                    FailReason::Evicted => SIPPNP_FAIL_EVICTED,
                };
            }
            Event::Silenced { device, reason } => {
                out.kind = SIPPNP_EVENT_SILENCED;
                out.device = Some(sippnp_device::new(device));
                out.reason = match reason {
                    Silence::Ignored => sippnp_silence::SIPPNP_SILENCE_IGNORED as u32,
                    Silence::UnknownDevice => sippnp_silence::SIPPNP_SILENCE_UNKNOWN_DEVICE as u32,
                };
            }
            Event::RateLimited { source } => {
                out.kind = SIPPNP_EVENT_RATE_LIMITED;
                out.ip = Some(c_string(&source.to_string()));
            }
        }
        out
    }
}

const MAX_NESTED: usize = 8;

thread_local! {
    /// Addresses of the engines this thread holds locked, innermost last (a lookup may call
    /// into another engine). Const-initialised plain data: no TLS destructor.
    static HELD: Cell<[usize; MAX_NESTED]> = const { Cell::new([0; MAX_NESTED]) };
}

/// This thread's mark on an engine it holds; removed on drop (also when unwinding).
struct Held {
    index: usize,
}

impl Drop for Held {
    fn drop(&mut self) {
        HELD.with(|h| {
            let mut held = h.get();
            held[self.index] = 0;
            h.set(held);
        });
    }
}

fn held_by_this_thread(engine: &sippnp_engine) -> bool {
    let addr = engine as *const sippnp_engine as usize;
    HELD.with(|h| h.get().contains(&addr))
}

/// The engine, locked.
type Locked<'a> = MutexGuard<'a, Engine<Arc<CallbackLookup>>>;

/// Locks `engine` for this thread; SIPPNP_ERR_REENTRANT when this thread already holds it
/// (a call from its own lookup) or holds too many engines at once.
fn lock(engine: &sippnp_engine) -> Result<(Locked<'_>, Held), sippnp_result> {
    let addr = engine as *const sippnp_engine as usize;
    let index = HELD.with(|h| {
        let mut held = h.get();
        if held.contains(&addr) {
            return Err(SIPPNP_ERR_REENTRANT);
        }
        let free = held.iter().position(|&a| a == 0).ok_or(SIPPNP_ERR_REENTRANT)?;
        held[free] = addr;
        h.set(held);
        Ok(free)
    })?;
    let mark = Held { index };
    // A panic caught inside an earlier call poisons the lock; the engine's state is still
    // memory-safe, so keep serving.
    let guard = engine.inner.lock().unwrap_or_else(|poisoned| {
        engine.inner.clear_poison();
        poisoned.into_inner()
    });
    Ok((guard, mark))
}

/// The engine behind a pointer; SIPPNP_ERR_NULL_PARAMETER for NULL.
///
/// # Safety
/// `engine` NULL or a live engine from `sippnp_engine_new`.
unsafe fn engine_ref<'a>(engine: *const sippnp_engine) -> Result<&'a sippnp_engine, sippnp_result> {
    // SAFETY: forwarded contract; the engine is only ever shared (its Mutex serialises use).
    unsafe { types::as_ref(engine) }.ok_or(SIPPNP_ERR_NULL_PARAMETER)
}

/// An IP address from text (`192.0.2.7`, `2001:db8::7`, brackets allowed).
///
/// # Safety
/// As for `types::text`.
unsafe fn ip_arg(ip: *const c_char, ip_len: usize) -> Option<IpAddr> {
    // SAFETY: forwarded contract.
    let text = unsafe { types::text(ip, ip_len) }.ok()?;
    crate::net::unbracket(text).parse().ok()
}

/// The default options (the values documented on each field of `sippnp_engine_options`).
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_engine_options_default() -> sippnp_engine_options {
    let defaults = sippnp_engine_options::from(EngineConfig::default());
    ffi_boundary!(defaults, { sippnp_engine_options::from(EngineConfig::default()) })
}

/// Creates an engine from a context configuration (the same one `sippnp_ctx_new` takes:
/// server address, URL template, lookup, unknown-device policy, secret) and `options` (NULL
/// for the defaults). Both are only read: they may be freed or reused afterwards; the lookup
/// and its userdata are shared with the configuration (see `sippnp_ctx_config_set_lookup`).
///
/// A `{token}` in the URL template becomes a signed token bound to the phone's MAC and IP,
/// valid for `token_ttl_ms` (check it with `sippnp_engine_verify_token`). Its key is derived
/// from the configuration's secret when one is set (engines with the same secret accept each
/// other's tokens), else drawn from the OS random source.
///
/// **Ownership**: on SIPPNP_OK `*out_engine` is new; free it with `sippnp_engine_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_CONFIG when the server host or
/// URL template is not set; SIPPNP_ERR_INVALID_PARAMETER for an unusable option (a zero cap,
/// `t1_ms` 0, `t2_ms` or `timer_f_ms` below `t1_ms`, `rate_burst` 0 with a rate, …; the
/// message names it); SIPPNP_ERR_CRYPTO_RANDOM.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_engine_new(
    cfg: *const sippnp_ctx_config,
    options: *const sippnp_engine_options,
    out_engine: *mut *mut sippnp_engine,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live configuration.
        let (Some(cfg), false) = (unsafe { types::as_ref(cfg) }, out_engine.is_null()) else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "cfg or out_engine is NULL") };
        };
        // SAFETY: NULL or a readable sippnp_engine_options.
        let options = unsafe { types::as_ref(options) }
            .copied()
            .unwrap_or_else(|| EngineConfig::default().into());
        let config = match options.config() {
            Ok(config) => config,
            Err(field) => {
                let message = format!("engine option {field} is out of range");
                // SAFETY: as above.
                return unsafe { fail(out_err, SIPPNP_ERR_INVALID_PARAMETER, &message) };
            }
        };
        let responder = match cfg.build_responder() {
            Ok(responder) => responder,
            // SAFETY: as above.
            Err((code, message)) => return unsafe { fail(out_err, code, &message) },
        };
        let engine = match cfg.secret() {
            Some(secret) => Engine::with_secret(responder, config, secret),
            None => match Engine::try_new(responder, config) {
                Ok(engine) => engine,
                // SAFETY: as above.
                Err(e) => return unsafe { fail_with(out_err, &e) },
            },
        };
        let engine = sippnp_engine {
            inner: Mutex::new(engine),
        };
        // SAFETY: checked non-NULL.
        unsafe { types::write_out(out_engine, types::into_raw(engine)) };
        SIPPNP_OK
    })
}

/// Frees an engine, with its queued packets and events. Call it only when no other thread
/// uses the engine; from inside the engine's own lookup it does nothing. NULL is a no-op.
/// Transmits and events already polled stay valid.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_engine_free(engine: *mut sippnp_engine) {
    ffi_boundary!((), {
        // SAFETY: NULL or a live engine from sippnp_engine_new.
        if let Some(e) = unsafe { types::as_ref(engine.cast_const()) }
            && held_by_this_thread(e)
        {
            return;
        }
        // SAFETY: NULL or from sippnp_engine_new, freed once, not in use (documented).
        unsafe { types::free_box(engine) }
    })
}

/// Handles one received datagram from `source_ip` (text, `source_ip_len` bytes; brackets
/// allowed) port `source_port`, at `now_ms` (milliseconds of any monotonic clock; use the same
/// clock for every call; a value below an earlier one counts as the earlier one).
///
/// A ua-profile SUBSCRIBE is answered (the lookup runs, then poll the 200 OK and the NOTIFY
/// with `sippnp_engine_poll_transmit`), absorbed as a retransmission (its 200 OK is queued
/// again; no lookup, no second NOTIFY), or refused by the rate limiter (an event says so). A
/// response to one of our NOTIFYs ends or advances its transaction. Both return SIPPNP_OK;
/// responses matching nothing are ignored. Afterwards, drain the transmits and events and
/// re-arm your timer with `sippnp_engine_next_timeout`.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for a bad source
/// address; SIPPNP_ERR_SIP_* for anything that is not a ua-profile SUBSCRIBE or a well-formed
/// response (send nothing); SIPPNP_ERR_LOOKUP_FAILED (nothing is remembered: a retransmission
/// asks again); SIPPNP_ERR_SIP_UNSAFE_VALUE; SIPPNP_ERR_REENTRANT. `*out_err` (if `out_err` is
/// not NULL) receives the details on failure; free with `sippnp_error_free`.
/// **Callbacks**: the lookup runs inside this call, on this thread, with the engine locked.
/// **Thread safety**: may be called from several threads; calls are serialised.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_engine_handle_datagram(
    engine: *mut sippnp_engine,
    datagram: *const u8,
    datagram_len: usize,
    source_ip: *const c_char,
    source_ip_len: usize,
    source_port: u16,
    now_ms: u64,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live engine.
        let engine = unsafe { engine_ref(engine) };
        let Ok(engine) = engine else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "engine is NULL") };
        };
        // SAFETY: the caller passes `datagram_len` readable bytes.
        let bytes = match unsafe { types::datagram(datagram, datagram_len) } {
            Ok(bytes) => bytes,
            // SAFETY: as above.
            Err(code) => return unsafe { fail(out_err, code, super::result::datagram_problem(code)) },
        };
        // SAFETY: the caller passes `source_ip_len` readable bytes.
        let Some(ip) = (unsafe { ip_arg(source_ip, source_ip_len) }) else {
            // SAFETY: as above.
            return unsafe { fail(out_err, SIPPNP_ERR_INVALID_PARAMETER, "source_ip is not an IP address") };
        };
        let (mut inner, _held) = match lock(engine) {
            Ok(locked) => locked,
            // SAFETY: as above.
            Err(code) => return unsafe { fail(out_err, code, "called from the engine's own lookup callback") },
        };
        match inner.handle_datagram(bytes, SocketAddr::new(ip, source_port), now_ms) {
            Ok(()) => SIPPNP_OK,
            // SAFETY: as above.
            Err(e) => unsafe { fail_with(out_err, &e) },
        }
    })
}

/// Takes the next datagram to send (oldest first: 200 OKs, NOTIFYs, retransmissions).
///
/// **Ownership**: on SIPPNP_OK `*out` is new: read it with `sippnp_transmit_packet`, send it,
/// then free it with `sippnp_transmit_free` (it does not depend on the engine, which may be
/// used or freed meanwhile).
/// **Errors**: SIPPNP_EMPTY (not an error) when nothing is queued; SIPPNP_ERR_NULL_PARAMETER;
/// SIPPNP_ERR_REENTRANT.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_engine_poll_transmit(
    engine: *mut sippnp_engine,
    out: *mut *mut sippnp_transmit,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live engine.
        let engine = match unsafe { engine_ref(engine) } {
            Ok(engine) if !out.is_null() => engine,
            _ => return SIPPNP_ERR_NULL_PARAMETER,
        };
        let packet = match lock(engine) {
            Ok((mut inner, _held)) => inner.poll_transmit(),
            Err(code) => return code,
        };
        let Some(Packet {
            bytes,
            host,
            port,
            transport,
        }) = packet
        else {
            return sippnp_result::SIPPNP_EMPTY;
        };
        let transmit = sippnp_transmit {
            bytes,
            host: c_string(&host),
            port,
            transport: c_string(&transport),
        };
        // SAFETY: checked non-NULL.
        unsafe { types::write_out(out, types::into_raw(transmit)) };
        SIPPNP_OK
    })
}

/// The datagram: its bytes, destination host (an IP literal, IPv6 without brackets, or a host
/// name to resolve when the phone's Contact names one), port and transport (`UDP`, `TCP`, …).
/// Send only to the address given; a retransmission is an identical datagram.
///
/// **Borrowed outputs**: `*out` points into `transmit`; valid until `sippnp_transmit_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_transmit_packet(transmit: *const sippnp_transmit, out: *mut sippnp_packet) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live transmit from this library.
        let (Some(t), false) = (unsafe { types::as_ref(transmit) }, out.is_null()) else {
            return SIPPNP_ERR_NULL_PARAMETER;
        };
        let view = sippnp_packet {
            data: t.bytes.as_ptr(),
            len: t.bytes.len(),
            host: sippnp_str::of(&t.host),
            port: t.port,
            transport: sippnp_str::of(&t.transport),
        };
        // SAFETY: checked non-NULL; the caller owns the sippnp_packet storage.
        unsafe { types::write_out(out, view) };
        SIPPNP_OK
    })
}

/// Frees a transmit. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_transmit_free(transmit: *mut sippnp_transmit) {
    ffi_boundary!((), {
        // SAFETY: NULL or from sippnp_engine_poll_transmit, freed once.
        unsafe { types::free_box(transmit) }
    })
}

/// Takes the next event (oldest first). The queue holds at most `max_events`; older events
/// are dropped (and counted) when it overflows.
///
/// **Ownership**: on SIPPNP_OK `*out` is new; free it with `sippnp_event_free`.
/// **Errors**: SIPPNP_EMPTY (not an error) when there is none; SIPPNP_ERR_NULL_PARAMETER;
/// SIPPNP_ERR_REENTRANT.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_engine_poll_event(engine: *mut sippnp_engine, out: *mut *mut sippnp_event) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live engine.
        let engine = match unsafe { engine_ref(engine) } {
            Ok(engine) if !out.is_null() => engine,
            _ => return SIPPNP_ERR_NULL_PARAMETER,
        };
        let event = match lock(engine) {
            Ok((mut inner, _held)) => inner.poll_event(),
            Err(code) => return code,
        };
        let Some(event) = event else {
            return sippnp_result::SIPPNP_EMPTY;
        };
        // SAFETY: checked non-NULL.
        unsafe { types::write_out(out, types::into_raw(sippnp_event::new(event))) };
        SIPPNP_OK
    })
}

/// When to call `sippnp_engine_handle_timeout` next: an absolute time on the clock of
/// `now_ms` (it may be in the past: call it at once). It may come earlier than needed; an
/// early call is cheap. Ask again after every other call on the engine.
///
/// **Errors**: SIPPNP_NO_TIMER (not an error: `*out_ms` untouched) when nothing is pending;
/// SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_REENTRANT.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_engine_next_timeout(engine: *const sippnp_engine, out_ms: *mut u64) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live engine.
        let engine = match unsafe { engine_ref(engine) } {
            Ok(engine) if !out_ms.is_null() => engine,
            _ => return SIPPNP_ERR_NULL_PARAMETER,
        };
        let next = match lock(engine) {
            Ok((inner, _held)) => inner.next_timeout(),
            Err(code) => return code,
        };
        match next {
            Some(at) => {
                // SAFETY: checked non-NULL.
                unsafe { types::write_out(out_ms, at) };
                SIPPNP_OK
            }
            None => sippnp_result::SIPPNP_NO_TIMER,
        }
    })
}

/// Runs the timers due at `now_ms`: NOTIFY retransmissions (then poll them), Timer F
/// failures, forgetting finished exchanges.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_REENTRANT.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_engine_handle_timeout(engine: *mut sippnp_engine, now_ms: u64) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live engine.
        let engine = match unsafe { engine_ref(engine) } {
            Ok(engine) => engine,
            Err(code) => return code,
        };
        match lock(engine) {
            Ok((mut inner, _held)) => {
                inner.handle_timeout(now_ms);
                SIPPNP_OK
            }
            Err(code) => code,
        }
    })
}

/// Checks a `{token}` taken from a URL a phone fetches (`token_len` bytes), presented from
/// `ip` (text, `ip_len` bytes: the HTTP client's address) at `now_ms`. On success, writes the
/// MAC the token was issued to into `out_mac` as 12 lower-case hex digits and a NUL.
///
/// **Outputs**: `out_mac` must point to SIPPNP_MAC_BUFFER_LEN (13) writable bytes; written
/// only on SIPPNP_OK.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for a bad `ip`;
/// SIPPNP_ERR_TOKEN_MALFORMED (also for non-UTF-8); SIPPNP_ERR_TOKEN_INVALID (forged, another
/// engine's, or another IP than the phone's); SIPPNP_ERR_TOKEN_EXPIRED; SIPPNP_ERR_REENTRANT.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_engine_verify_token(
    engine: *const sippnp_engine,
    token: *const c_char,
    token_len: usize,
    ip: *const c_char,
    ip_len: usize,
    now_ms: u64,
    out_mac: *mut c_char,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live engine.
        let engine = match unsafe { engine_ref(engine) } {
            Ok(engine) if !out_mac.is_null() => engine,
            _ => return SIPPNP_ERR_NULL_PARAMETER,
        };
        // SAFETY: the caller passes `token_len` readable bytes.
        let token = match unsafe { types::text(token, token_len) } {
            Ok(token) => token,
            Err(SIPPNP_ERR_NULL_PARAMETER) => return SIPPNP_ERR_NULL_PARAMETER,
            Err(_) => return sippnp_result::SIPPNP_ERR_TOKEN_MALFORMED,
        };
        // SAFETY: the caller passes `ip_len` readable bytes.
        let Some(ip) = (unsafe { ip_arg(ip, ip_len) }) else {
            return SIPPNP_ERR_INVALID_PARAMETER;
        };
        let verdict = match lock(engine) {
            Ok((inner, _held)) => inner.verify_token(token, ip, now_ms),
            Err(code) => return code,
        };
        match verdict {
            Ok(mac) => {
                let mut text = [0u8; SIPPNP_MAC_BUFFER_LEN];
                text[..12].copy_from_slice(mac.to_lower_hex().as_bytes());
                // SAFETY: the caller provides SIPPNP_MAC_BUFFER_LEN writable bytes.
                unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), out_mac.cast::<u8>(), text.len()) };
                SIPPNP_OK
            }
            Err(TokenError::Malformed) => sippnp_result::SIPPNP_ERR_TOKEN_MALFORMED,
            Err(TokenError::Invalid) => sippnp_result::SIPPNP_ERR_TOKEN_INVALID,
            Err(TokenError::Expired) => sippnp_result::SIPPNP_ERR_TOKEN_EXPIRED,
        }
    })
}

/// Queues a `check-sync` NOTIFY (`Event: check-sync;reboot=false`, no body) asking the phone
/// with MAC `mac` (any common spelling, `mac_len` bytes) at `target_ip` (text) port
/// `target_port` to fetch its config again. It runs over UDP as a client transaction like the
/// PnP NOTIFY (retransmitted; SIPPNP_EVENT_NOTIFIED, then SIPPNP_EVENT_ACKNOWLEDGED or
/// SIPPNP_EVENT_FAILED carry the MAC). Poll the packet with `sippnp_engine_poll_transmit`.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_INVALID_PARAMETER for a bad MAC, address
/// or port 0; SIPPNP_ERR_SIP_UNSAFE_VALUE; SIPPNP_ERR_REENTRANT; details in `*out_err` (may be
/// NULL).
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_engine_check_sync(
    engine: *mut sippnp_engine,
    mac: *const c_char,
    mac_len: usize,
    target_ip: *const c_char,
    target_ip_len: usize,
    target_port: u16,
    now_ms: u64,
    out_err: *mut *mut sippnp_error,
) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live engine.
        let Ok(engine) = (unsafe { engine_ref(engine) }) else {
            // SAFETY: out_err NULL or writable.
            return unsafe { fail(out_err, SIPPNP_ERR_NULL_PARAMETER, "engine is NULL") };
        };
        // SAFETY: the caller passes `mac_len` readable bytes.
        let Some(mac) = unsafe { types::text(mac, mac_len) }.ok().and_then(Mac::from_uri_user) else {
            // SAFETY: as above.
            return unsafe { fail(out_err, SIPPNP_ERR_INVALID_PARAMETER, "mac is not 12 hex digits") };
        };
        // SAFETY: the caller passes `target_ip_len` readable bytes.
        let (Some(ip), true) = (unsafe { ip_arg(target_ip, target_ip_len) }, target_port != 0) else {
            let message = "target is not an IP address and a non-zero port";
            // SAFETY: as above.
            return unsafe { fail(out_err, SIPPNP_ERR_INVALID_PARAMETER, message) };
        };
        let (mut inner, _held) = match lock(engine) {
            Ok(locked) => locked,
            // SAFETY: as above.
            Err(code) => return unsafe { fail(out_err, code, "called from the engine's own lookup callback") },
        };
        match inner.check_sync(mac, SocketAddr::new(ip, target_port), now_ms) {
            Ok(()) => SIPPNP_OK,
            // SAFETY: as above.
            Err(e) => unsafe { fail_with(out_err, &e) },
        }
    })
}

/// Writes the engine's counters and table sizes into `*out`.
///
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_REENTRANT.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_engine_stats(engine: *const sippnp_engine, out: *mut sippnp_engine_counters) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, {
        // SAFETY: NULL or a live engine.
        let engine = match unsafe { engine_ref(engine) } {
            Ok(engine) if !out.is_null() => engine,
            _ => return SIPPNP_ERR_NULL_PARAMETER,
        };
        let s = match lock(engine) {
            Ok((inner, _held)) => inner.stats(),
            Err(code) => return code,
        };
        let stats = sippnp_engine_counters {
            exchanges: s.exchanges as u64,
            sources: s.sources as u64,
            timers: s.timers as u64,
            exchanges_evicted: s.exchanges_evicted,
            rate_limited: s.rate_limited,
            retransmissions_absorbed: s.retransmissions_absorbed,
            notifies_sent: s.notifies_sent,
            notify_retransmissions: s.notify_retransmissions,
            notifies_acked: s.notifies_acked,
            notifies_failed: s.notifies_failed,
            stray_responses: s.stray_responses,
            events_dropped: s.events_dropped,
            transmits_dropped: s.transmits_dropped,
        };
        // SAFETY: checked non-NULL.
        unsafe { types::write_out(out, stats) };
        SIPPNP_OK
    })
}

/// What the event reports: a SIPPNP_EVENT_* value; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_kind(event: *const sippnp_event) -> u32 {
    ffi_boundary!(0, {
        // SAFETY: NULL or a live event from this library.
        unsafe { types::as_ref(event) }.map_or(0, |e| e.kind)
    })
}

/// The device of a DISCOVERED, ANSWERED or SILENCED event (all `sippnp_device_*` getters
/// apply).
///
/// Borrowed from `event`: valid until `sippnp_event_free(event)`; never free it. NULL for
/// other events and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_device(event: *const sippnp_event) -> *const sippnp_device {
    ffi_boundary!(std::ptr::null(), {
        // SAFETY: NULL or a live event from this library.
        unsafe { types::as_ref(event) }
            .and_then(|e| e.device.as_ref())
            .map_or(std::ptr::null(), |d| d as *const sippnp_device)
    })
}

fn event_str(event: *const sippnp_event, pick: fn(&sippnp_event) -> sippnp_str) -> sippnp_str {
    // SAFETY: NULL or a live event from this library.
    unsafe { types::as_ref(event) }.map_or(sippnp_str::ABSENT, pick)
}

fn device_str(e: &sippnp_event, getter: extern "C" fn(*const sippnp_device) -> sippnp_str) -> sippnp_str {
    e.device.as_ref().map_or(sippnp_str::ABSENT, |d| getter(d))
}

/// The MAC (12 lower-case hex digits) the event is about, when known.
///
/// Borrowed from `event`; `{NULL, 0}` when unknown (RATE_LIMITED, a device without MAC) and
/// for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_mac(event: *const sippnp_event) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        event_str(event, |e| match &e.mac {
            Some(mac) => sippnp_str::of(mac),
            None => device_str(e, device::sippnp_device_mac),
        })
    })
}

/// The device's vendor (DISCOVERED, ANSWERED, SILENCED). Borrowed from `event`; `{NULL, 0}`
/// otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_vendor(event: *const sippnp_event) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        event_str(event, |e| device_str(e, device::sippnp_device_vendor))
    })
}

/// The device's model (DISCOVERED, ANSWERED, SILENCED). Borrowed from `event`; `{NULL, 0}`
/// otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_model(event: *const sippnp_event) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        event_str(event, |e| device_str(e, device::sippnp_device_model))
    })
}

/// The device's firmware (DISCOVERED, ANSWERED, SILENCED). Borrowed from `event`; `{NULL, 0}`
/// otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_firmware(event: *const sippnp_event) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        event_str(event, |e| device_str(e, device::sippnp_device_firmware))
    })
}

/// The device's IP address (DISCOVERED, ANSWERED, SILENCED) or the limited source
/// (RATE_LIMITED). Borrowed from `event`; `{NULL, 0}` otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_ip(event: *const sippnp_event) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        event_str(event, |e| match &e.ip {
            Some(ip) => sippnp_str::of(ip),
            None => device_str(e, device::sippnp_device_ip),
        })
    })
}

/// The port the device takes requests on (its Contact; DISCOVERED, ANSWERED, SILENCED); 0
/// otherwise and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_port(event: *const sippnp_event) -> u16 {
    ffi_boundary!(0, {
        // SAFETY: NULL or a live event from this library.
        unsafe { types::as_ref(event) }
            .and_then(|e| e.device.as_ref())
            .map_or(0, |d| device::sippnp_device_contact_port(d))
    })
}

/// The URL the NOTIFY carries (ANSWERED; with its token when the template has `{token}`).
/// Borrowed from `event`; `{NULL, 0}` otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_url(event: *const sippnp_event) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, { event_str(event, |e| sippnp_str::of_opt(&e.url)) })
}

/// The SIP status of the phone's response (ACKNOWLEDGED; FAILED with SIPPNP_FAIL_REJECTED);
/// 0 otherwise and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_status(event: *const sippnp_event) -> u32 {
    ffi_boundary!(0, {
        // SAFETY: NULL or a live event from this library.
        unsafe { types::as_ref(event) }.map_or(0, |e| e.status)
    })
}

/// Why: a SIPPNP_FAIL_* value for FAILED, a `sippnp_silence` value for SILENCED; 0 otherwise
/// and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_reason(event: *const sippnp_event) -> u32 {
    ffi_boundary!(0, {
        // SAFETY: NULL or a live event from this library.
        unsafe { types::as_ref(event) }.map_or(0, |e| e.reason)
    })
}

/// The transmission count of a NOTIFIED event (1 = first, 2+ = retransmissions); 0 otherwise
/// and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_attempt(event: *const sippnp_event) -> u32 {
    ffi_boundary!(0, {
        // SAFETY: NULL or a live event from this library.
        unsafe { types::as_ref(event) }.map_or(0, |e| e.attempt)
    })
}

/// Frees an event and everything borrowed from it. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_event_free(event: *mut sippnp_event) {
    ffi_boundary!((), {
        // SAFETY: NULL or from sippnp_engine_poll_event, freed once.
        unsafe { types::free_box(event) }
    })
}
