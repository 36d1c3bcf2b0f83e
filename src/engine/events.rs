//! What the engine reports: [`Event`]s for a device manager, why a NOTIFY failed, and the
//! [`EngineStats`] counters.

use std::net::IpAddr;

use crate::device::{Device, Mac};
use crate::responder::Silence;

/// Why a NOTIFY transaction failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailReason {
    /// Timer F: no final response within 64·T1.
    Timeout,
    /// The phone answered with this final status (≥ 300).
    Rejected(u16),
    /// The exchange was evicted from the full table before the phone answered.
    Evicted,
}

/// What happened, for the host's logs and device manager. Polled with
/// [`Engine::poll_event`](super::Engine::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A new exchange: a phone's first SUBSCRIBE (not a retransmission) was looked up.
    Discovered { device: Device },
    /// The phone was answered with this URL (the NOTIFY is on its way).
    Answered { device: Device, url: String },
    /// A NOTIFY (PnP or check-sync) was queued for sending: `attempt` 1 is the first
    /// transmission, 2 and more are retransmissions.
    Notified { mac: Option<Mac>, attempt: u32 },
    /// The phone accepted the NOTIFY with this 2xx status.
    Acknowledged { mac: Option<Mac>, status: u16 },
    /// The NOTIFY transaction ended without success.
    Failed { mac: Option<Mac>, reason: FailReason },
    /// The responder chose to stay silent about this device.
    Silenced { device: Device, reason: Silence },
    /// A source (or a third-party NOTIFY target) started to exceed its rate of new
    /// exchanges; reported once per burst (again only after it got a new exchange through).
    RateLimited { source: IpAddr },
}

/// Counters since the engine was created, and the current table sizes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Exchanges tracked now.
    pub exchanges: usize,
    /// Sources in the rate limiter now.
    pub sources: usize,
    /// Timer heap entries now (live ones plus not yet collected cancelled ones).
    pub timers: usize,
    /// Exchanges forgotten because the table was full.
    pub exchanges_evicted: u64,
    /// New exchanges refused by the rate limiter.
    pub rate_limited: u64,
    /// Retransmitted (or stale) SUBSCRIBEs absorbed without a lookup.
    pub retransmissions_absorbed: u64,
    /// NOTIFY transactions started (PnP and check-sync).
    pub notifies_sent: u64,
    /// NOTIFY retransmissions (Timer E).
    pub notify_retransmissions: u64,
    /// NOTIFY transactions ended by a 2xx.
    pub notifies_acked: u64,
    /// NOTIFY transactions ended by Timer F, a rejection or eviction.
    pub notifies_failed: u64,
    /// Responses that matched no running transaction (late duplicates, strays).
    pub stray_responses: u64,
    /// Events dropped because the queue was full.
    pub events_dropped: u64,
    /// Packets dropped because the host did not poll them (queue full).
    pub transmits_dropped: u64,
}
