//! The sans-IO PnP engine: datagrams and the current time in; datagrams to send, the next
//! timer and events out. It wraps a [`Responder`] (which parses, identifies, asks the lookup
//! and builds the 200 OK and NOTIFY) and adds what a real network needs:
//!
//! - **Retransmitted SUBSCRIBEs** (same Call-ID, From-tag and CSeq, and the same top Via
//!   branch when there is one; snom sends none) get the very same 200 OK bytes again, without
//!   a second lookup and without a second NOTIFY. A new boot (new Call-ID) is a new exchange.
//! - **A higher CSeq in the same dialog** (Call-ID + From-tag) is a new request: the phone
//!   polls again (`Expires: 0`), so it gets a fresh answer (rate-limited, looked up again, new
//!   200 OK, new NOTIFY) and the previous NOTIFY transaction, if still running, is dropped
//!   without an event. The same CSeq with a different branch counts as a new request too. A
//!   lower CSeq is stale and ignored.
//! - **The NOTIFY is an RFC 3261 §17.1.2 non-INVITE client transaction**: over UDP it is
//!   retransmitted at Timer E (T1, doubling up to T2; at T2 once a 1xx came), and abandoned at
//!   Timer F (64·T1) with [`Event::Failed`] [`FailReason::Timeout`]. A final response matched
//!   by top Via branch, Call-ID and CSeq (number and `NOTIFY`) ends it: 2xx →
//!   [`Event::Acknowledged`], ≥ 300 → [`Event::Failed`] [`FailReason::Rejected`]. Over TCP or
//!   TLS nothing is retransmitted (Timer F only).
//! - **Bounded state, O(1) per datagram**: exchanges live in a table keyed by a 128-bit keyed
//!   hash of (Call-ID, From-tag), capped at [`EngineConfig::max_exchanges`] with LRU eviction
//!   (an evicted exchange whose NOTIFY was still running reports [`FailReason::Evicted`]);
//!   timers are a binary heap with lazy deletion; new exchanges pass a per-source-IP token
//!   bucket (retransmissions bypass it; IPv6 sources share one per /64; a NOTIFY target that
//!   is not the source is charged as well), itself an LRU capped at
//!   [`EngineConfig::max_sources`]; the event and transmit queues are capped (oldest dropped
//!   and counted). An exchange keeps its 200 OK bytes, and its NOTIFY bytes only while the
//!   transaction runs.
//! - **Token URLs**: a `{token}` in the URL template becomes a signed, expiring token bound to
//!   the phone's MAC and IP ([`Engine::verify_token`] checks it when the phone fetches).
//! - **check-sync**: [`Engine::check_sync`] sends a `check-sync` NOTIFY as a client transaction.
//!
//! Time is `u64` milliseconds of any monotonic clock the host chooses; a value smaller than one
//! seen before counts as the one seen before. No clocks, sockets or threads inside.
//!
//! A finished exchange (acknowledged, failed, or silent) is remembered for
//! [`EngineConfig::linger_ms`] after its last SUBSCRIBE, so that retransmissions are absorbed.
//! Size `max_exchanges` for the phones that may boot within that window: once the table is
//! full, the oldest exchange is forgotten and its late retransmissions count as new.

mod config;
mod events;
mod lru;
mod token;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::net::{IpAddr, SocketAddr};

use crate::assign::Lookup;
use crate::device::{Device, Mac, ip_text};
use crate::error::Error;
use crate::net::{bracket_ipv6, join_host_port};
use crate::responder::{Outcome, Packet, Responder};
use crate::sip::check_sync::{CheckSyncParams, build_check_sync};
use crate::sip::incoming::{self, Incoming};
use crate::sip::{Subscribe, unfold};
use crate::text::Text;
use lru::Lru;

pub use config::EngineConfig;
pub use events::{EngineStats, Event, FailReason};
pub use token::{TOKEN_LEN, TokenError, hmac_sha256};

/// The NOTIFY client transaction of an exchange.
struct ClientTx {
    packet: Packet,
    /// Keyed hash of our Via branch.
    branch: u64,
    cseq: u32,
    attempt: u32,
    /// The interval after the next Timer E.
    interval: u64,
    /// Next retransmission (Timer E); `None` over reliable transports.
    e_at: Option<u64>,
    /// Timer F.
    f_at: u64,
    /// A 1xx came: retransmit at T2 from now on.
    proceeding: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Pnp,
    CheckSync,
}

/// One tracked exchange: a phone's SUBSCRIBE and our answer, or a check-sync NOTIFY.
struct Exchange {
    kind: Kind,
    mac: Option<Mac>,
    /// Where the SUBSCRIBE came from (and the 200 OK goes); the target of a check-sync.
    source: SocketAddr,
    sub_cseq: u32,
    /// Keyed hash of the SUBSCRIBE's top Via branch.
    sub_branch: Option<u64>,
    /// The cached 200 OK (none when silent).
    ok: Option<Box<[u8]>>,
    ok_transport: Cow<'static, str>,
    /// Time of the last SUBSCRIBE (or of the check-sync).
    last_seen: u64,
    tx: Option<Box<ClientTx>>,
    /// The heap entry that is this exchange's live timer (0: none), and when it fires.
    timer_id: u64,
    timer_at: u64,
}

/// A timer heap entry; valid while its exchange still names it (`timer_id`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    at: u64,
    id: u64,
    slot: u32,
}

/// Per-source token bucket, in thousandths of a token.
struct Bucket {
    milli: u64,
    last: u64,
    limited: bool,
}

/// Hasher for keys that already are keyed hashes.
#[derive(Default)]
struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, n: u128) {
        self.0 = (n as u64) ^ ((n >> 64) as u64);
    }
}

type ExchangeTable = Lru<u128, Exchange, BuildHasherDefault<FingerprintHasher>>;

/// The sans-IO PnP engine. `&mut self` throughout; `Send` when the lookup is.
pub struct Engine<L> {
    responder: Responder<L>,
    config: EngineConfig,
    token_key: [u8; 32],
    hasher: RandomState,
    exchanges: ExchangeTable,
    sources: Lru<IpAddr, Bucket, RandomState>,
    timers: BinaryHeap<Reverse<Timer>>,
    next_timer_id: u64,
    transmits: VecDeque<Packet>,
    max_transmits: usize,
    events: VecDeque<Event>,
    stats: EngineStats,
    now: u64,
    check_sync_seq: u64,
}

impl<L: Lookup> Engine<L> {
    /// An engine whose token key comes from the operating system's random source.
    ///
    /// # Panics
    /// When the OS random source fails (it does not on Linux once booted); use
    /// [`Engine::try_new`] to get an error instead.
    pub fn new(responder: Responder<L>, config: EngineConfig) -> Engine<L> {
        match Engine::try_new(responder, config) {
            Ok(engine) => engine,
            Err(e) => panic!("sippnp engine: {e}"),
        }
    }

    /// As [`Engine::new`], failing with [`Error::Crypto`] when the OS random source fails.
    pub fn try_new(responder: Responder<L>, config: EngineConfig) -> Result<Engine<L>, Error> {
        let mut key = [0u8; 32];
        crate::crypto::random::fill(&mut key)?;
        Ok(Engine::with_token_key(responder, config, key))
    }

    /// An engine whose token key is derived from `secret` (HMAC-SHA256 under a fixed label):
    /// engines with the same secret accept each other's tokens (several processes behind one
    /// provisioning server; deterministic tests). The secret should hold at least 16 random
    /// bytes.
    pub fn with_secret(responder: Responder<L>, config: EngineConfig, secret: &[u8]) -> Engine<L> {
        let key = hmac_sha256(secret, &[b"sippnp engine token key v1"]);
        Engine::with_token_key(responder, config, key)
    }

    fn with_token_key(responder: Responder<L>, config: EngineConfig, token_key: [u8; 32]) -> Engine<L> {
        let config = config.normalized();
        Engine {
            exchanges: Lru::new(config.max_exchanges, BuildHasherDefault::default()),
            sources: Lru::new(config.max_sources, RandomState::new()),
            max_transmits: config.max_exchanges.saturating_mul(2).max(64),
            responder,
            config,
            token_key,
            hasher: RandomState::new(),
            timers: BinaryHeap::new(),
            next_timer_id: 1,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            stats: EngineStats::default(),
            now: 0,
            check_sync_seq: 0,
        }
    }

    pub fn responder(&self) -> &Responder<L> {
        &self.responder
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Handles one received datagram: a SUBSCRIBE (answered, absorbed as a retransmission,
    /// or refused by the rate limiter) or a response to one of our NOTIFYs. Anything else is
    /// an error, as for [`Responder::handle`]; so is a lookup failure (nothing is remembered,
    /// so a retransmission asks again). Responses that match no transaction are ignored.
    pub fn handle_datagram(&mut self, datagram: &[u8], source: SocketAddr, now_ms: u64) -> Result<(), Error> {
        self.advance(now_ms);
        let result = if incoming::looks_like_response(datagram) {
            self.on_response(datagram)
        } else {
            self.on_subscribe(datagram, source)
        };
        self.tidy_timers();
        result
    }

    /// The next datagram to send, oldest first: 200 OKs, NOTIFYs and their retransmissions.
    pub fn poll_transmit(&mut self) -> Option<Packet> {
        self.transmits.pop_front()
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call [`Engine::handle_timeout`] next (absolute, on the clock of `now_ms`), or
    /// `None` when nothing is pending. It may be earlier than the next real deadline (a
    /// deadline that moved later is re-armed when it fires); it may also be in the past.
    pub fn next_timeout(&self) -> Option<u64> {
        self.timers.peek().map(|Reverse(t)| t.at)
    }

    /// Runs every timer due at `now_ms`: NOTIFY retransmissions, Timer F, forgetting
    /// finished exchanges.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        self.advance(now_ms);
        while let Some(&Reverse(timer)) = self.timers.peek() {
            if timer.at > self.now {
                break;
            }
            self.timers.pop();
            if self.timer_is_live(&timer) {
                self.on_timer(timer.slot);
            }
        }
        self.tidy_timers();
    }

    /// Checks a token taken from a URL the phone fetches, presented from `source` at `now_ms`;
    /// the MAC it was issued to on success.
    pub fn verify_token(&self, token: &str, source: IpAddr, now_ms: u64) -> Result<Mac, TokenError> {
        token::verify(&self.token_key, token, source, now_ms)
    }

    /// Sends a `check-sync` NOTIFY (`reboot=false`) to the phone with `mac` at `target` over
    /// UDP, as a client transaction like the PnP NOTIFY (events carry `mac`). Fails only when
    /// the message cannot be built.
    pub fn check_sync(&mut self, mac: Mac, target: SocketAddr, now_ms: u64) -> Result<(), Error> {
        self.advance(now_ms);
        self.check_sync_seq += 1;
        let ids = hmac_sha256(
            &self.token_key,
            &[
                b"check-sync",
                &self.check_sync_seq.to_be_bytes(),
                &mac.0,
                &self.now.to_be_bytes(),
            ],
        );
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let config = self.responder.config();
        let call_id = format!("{}@{}", hex(&ids[..12]), bracket_ipv6(&config.server_host));
        let from_tag = hex(&ids[12..20]);
        let branch = format!("z9hG4bK{}", hex(&ids[20..32]));
        let local = join_host_port(&config.server_host, Some(config.server_port));
        let target_text = join_host_port(&target.ip().to_string(), Some(target.port()));
        let bytes = build_check_sync(&CheckSyncParams {
            mac,
            target: &target_text,
            transport: "UDP",
            local: &local,
            branch: &branch,
            from_tag: &from_tag,
            call_id: &call_id,
            cseq: 1,
            reboot: false,
            user_agent: config.user_agent.as_deref(),
        })?;
        let packet = Packet {
            bytes,
            host: ip_text(target.ip()),
            port: target.port(),
            transport: Text::from("UDP"),
        };
        let key = self.fingerprint(&call_id, "");
        let tx = self.start_tx(packet, self.hash64(&branch), 1);
        let exchange = Exchange {
            kind: Kind::CheckSync,
            mac: Some(mac),
            source: target,
            sub_cseq: 0,
            sub_branch: None,
            ok: None,
            ok_transport: Cow::Borrowed("UDP"),
            last_seen: self.now,
            tx: Some(tx),
            timer_id: 0,
            timer_at: 0,
        };
        if let Some(slot) = self.exchanges.find(&key) {
            self.exchanges.remove(slot);
        }
        self.insert_exchange(key, exchange);
        self.notified(Some(mac), 1);
        self.tidy_timers();
        Ok(())
    }

    /// Counters and table sizes.
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            exchanges: self.exchanges.len(),
            sources: self.sources.len(),
            timers: self.timers.len(),
            ..self.stats
        }
    }

    // --- SUBSCRIBEs ------------------------------------------------------------------------

    fn on_subscribe(&mut self, datagram: &[u8], source: SocketAddr) -> Result<(), Error> {
        let sub = Subscribe::parse(datagram)?;
        let key = self.fingerprint(&unfold(sub.call_id), sub.from.tag.unwrap_or(""));
        let branch = sub.vias[0].branch.map(|b| self.hash64(b));
        let cseq = sub.cseq.seq;
        let mut replaces = None;
        if let Some(slot) = self.exchanges.find(&key) {
            let now = self.now;
            let exchange = self.exchanges.get_mut(slot).expect("found slots are occupied");
            let retransmission = cseq == exchange.sub_cseq && branch == exchange.sub_branch;
            if exchange.kind == Kind::Pnp && (retransmission || cseq < exchange.sub_cseq) {
                self.stats.retransmissions_absorbed += 1;
                if retransmission && exchange.source == source {
                    // Moves the linger deadline later; the armed timer re-arms when it fires.
                    exchange.last_seen = now;
                    let resend = exchange.ok.as_ref().map(|ok| Packet {
                        bytes: ok.to_vec(),
                        host: ip_text(source.ip()),
                        port: source.port(),
                        transport: Text::from(exchange.ok_transport.as_ref()),
                    });
                    self.exchanges.touch(slot);
                    if let Some(packet) = resend {
                        self.push_transmit(packet);
                    }
                }
                return Ok(());
            }
            replaces = Some(slot);
        }
        if !self.take_token(source.ip()) {
            return Ok(());
        }
        let outcome = self.responder.answer(&sub, source, |device| self.sign(device))?;
        let exchange = match outcome {
            Outcome::Answer {
                device,
                url,
                response,
                notify,
            } => {
                // A spoofed SUBSCRIBE can name anyone as its Contact: the NOTIFY and its
                // retransmissions would go there. Such a third party gets a bucket too.
                let target = notify.host.parse::<IpAddr>().ok();
                if target.is_some_and(|t| t.to_canonical() != source.ip().to_canonical() && !self.take_token(t)) {
                    return Ok(());
                }
                let (notify_branch, notify_cseq) = match own_request_ids(&notify.bytes) {
                    Some((branch, cseq)) => (self.hash64(branch), cseq),
                    None => {
                        let ids = Incoming::parse(&notify.bytes)?;
                        (self.hash64(ids.branch.unwrap_or("")), ids.cseq)
                    }
                };
                let mac = device.mac;
                self.push_event(Event::Discovered { device: device.clone() });
                self.push_event(Event::Answered { device, url });
                let ok_transport = intern_transport(&response.transport);
                let ok = response.bytes.clone().into_boxed_slice();
                self.push_transmit(response);
                let tx = self.start_tx(notify, notify_branch, notify_cseq);
                self.notified(mac, 1);
                Exchange {
                    kind: Kind::Pnp,
                    mac,
                    source,
                    sub_cseq: cseq,
                    sub_branch: branch,
                    ok: Some(ok),
                    ok_transport,
                    last_seen: self.now,
                    tx: Some(tx),
                    timer_id: 0,
                    timer_at: 0,
                }
            }
            Outcome::Silent { device, reason } => {
                let mac = device.mac;
                self.push_event(Event::Discovered { device: device.clone() });
                self.push_event(Event::Silenced { device, reason });
                Exchange {
                    kind: Kind::Pnp,
                    mac,
                    source,
                    sub_cseq: cseq,
                    sub_branch: branch,
                    ok: None,
                    ok_transport: Cow::Borrowed("UDP"),
                    last_seen: self.now,
                    tx: None,
                    timer_id: 0,
                    timer_at: 0,
                }
            }
        };
        if let Some(slot) = replaces {
            // Still the same dialog's slot: the lookup cannot have touched the table.
            self.exchanges.remove(slot);
        }
        self.insert_exchange(key, exchange);
        Ok(())
    }

    /// The signed `{token}` for `device` when the template asks for one and the device's MAC
    /// and address are known.
    fn sign(&self, device: &Device) -> Option<String> {
        let (mac, ip) = (device.mac?, device.ip?);
        let expiry = self.now.saturating_add(self.config.token_ttl_ms);
        self.responder
            .config()
            .url
            .has_token()
            .then(|| token::sign(&self.token_key, mac, ip, expiry))
    }

    /// One token from the bucket of `ip` (its /64 for IPv6: one host can use a whole /64);
    /// `false` (and an event on the first refusal of a burst) when it is empty.
    fn take_token(&mut self, ip: IpAddr) -> bool {
        let rate = u64::from(self.config.rate_per_source);
        if rate == 0 {
            return true;
        }
        let ip = ip.to_canonical();
        let key = match ip {
            IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
            v4 => v4,
        };
        let now = self.now;
        let full = u64::from(self.config.rate_burst) * 1000;
        let slot = match self.sources.find(&key) {
            Some(slot) => {
                self.sources.touch(slot);
                slot
            }
            None => {
                let bucket = Bucket {
                    milli: full,
                    last: now,
                    limited: false,
                };
                self.sources.insert(key, bucket).0
            }
        };
        let bucket = self.sources.get_mut(slot).expect("just found or inserted");
        let refill = now.saturating_sub(bucket.last).saturating_mul(rate);
        bucket.milli = bucket.milli.saturating_add(refill).min(full);
        bucket.last = now;
        if bucket.milli >= 1000 {
            bucket.milli -= 1000;
            bucket.limited = false;
            return true;
        }
        self.stats.rate_limited += 1;
        if !bucket.limited {
            bucket.limited = true;
            self.push_event(Event::RateLimited { source: ip });
        }
        false
    }

    // --- Responses and the client transaction ---------------------------------------------

    fn on_response(&mut self, datagram: &[u8]) -> Result<(), Error> {
        let m = Incoming::parse(datagram)?;
        let Some(status) = m.status() else {
            return Err(crate::sip::ParseError::NotSip.into());
        };
        let slot = if m.cseq_method.eq_ignore_ascii_case("NOTIFY") {
            let branch = self.hash64(m.branch.unwrap_or(""));
            let candidates = [m.to_tag.unwrap_or(""), ""];
            candidates.iter().find_map(|tag| {
                let slot = self.exchanges.find(&self.fingerprint(&m.call_id, tag))?;
                let tx = self.exchanges.get(slot)?.tx.as_ref()?;
                (tx.branch == branch && tx.cseq == m.cseq).then_some(slot)
            })
        } else {
            None
        };
        let Some(slot) = slot else {
            self.stats.stray_responses += 1;
            return Ok(());
        };
        self.exchanges.touch(slot);
        let exchange = self.exchanges.get_mut(slot).expect("found slots are occupied");
        let mac = exchange.mac;
        match status {
            100..=199 => {
                if let Some(tx) = exchange.tx.as_mut() {
                    tx.proceeding = true;
                }
            }
            200..=299 => {
                self.stats.notifies_acked += 1;
                self.push_event(Event::Acknowledged { mac, status });
                self.end_tx(slot);
            }
            _ => {
                self.stats.notifies_failed += 1;
                self.push_event(Event::Failed {
                    mac,
                    reason: FailReason::Rejected(status),
                });
                self.end_tx(slot);
            }
        }
        Ok(())
    }

    fn start_tx(&mut self, packet: Packet, branch: u64, cseq: u32) -> Box<ClientTx> {
        let reliable = !packet.transport.eq_ignore_ascii_case("UDP");
        let now = self.now;
        self.stats.notifies_sent += 1;
        self.push_transmit(packet.clone());
        Box::new(ClientTx {
            packet,
            branch,
            cseq,
            attempt: 1,
            interval: self.config.t1_ms,
            e_at: (!reliable).then(|| now.saturating_add(self.config.t1_ms)),
            f_at: now.saturating_add(self.config.timer_f_ms),
            proceeding: false,
        })
    }

    fn notified(&mut self, mac: Option<Mac>, attempt: u32) {
        self.push_event(Event::Notified { mac, attempt });
    }

    /// The transaction of `slot` is over: its NOTIFY bytes go; the exchange lingers (a
    /// check-sync has nothing to linger for).
    fn end_tx(&mut self, slot: u32) {
        let Some(exchange) = self.exchanges.get_mut(slot) else {
            return;
        };
        exchange.tx = None;
        if exchange.kind == Kind::CheckSync || self.now >= exchange.last_seen.saturating_add(self.config.linger_ms) {
            self.exchanges.remove(slot);
        } else {
            self.schedule(slot);
        }
    }

    fn on_timer(&mut self, slot: u32) {
        let now = self.now;
        let linger = self.config.linger_ms;
        let t2 = self.config.t2_ms;
        let Some(exchange) = self.exchanges.get_mut(slot) else {
            return;
        };
        exchange.timer_id = 0;
        let mac = exchange.mac;
        match exchange.tx.as_mut() {
            Some(tx) if now >= tx.f_at => {
                self.stats.notifies_failed += 1;
                self.push_event(Event::Failed {
                    mac,
                    reason: FailReason::Timeout,
                });
                self.end_tx(slot);
                return;
            }
            Some(tx) => {
                if let Some(e_at) = tx.e_at.filter(|&e| now >= e) {
                    tx.attempt += 1;
                    let attempt = tx.attempt;
                    let packet = tx.packet.clone();
                    tx.interval = if tx.proceeding {
                        t2
                    } else {
                        tx.interval.saturating_mul(2).min(t2)
                    };
                    let next = e_at.saturating_add(tx.interval);
                    tx.e_at = Some(if next <= now {
                        now.saturating_add(tx.interval)
                    } else {
                        next
                    });
                    self.stats.notify_retransmissions += 1;
                    self.push_transmit(packet);
                    self.notified(mac, attempt);
                }
            }
            None if now >= exchange.last_seen.saturating_add(linger) => {
                self.exchanges.remove(slot);
                return;
            }
            None => {}
        }
        self.schedule(slot);
    }

    // --- Tables, timers, queues -----------------------------------------------------------

    fn insert_exchange(&mut self, key: u128, exchange: Exchange) {
        let (slot, evicted) = self.exchanges.insert(key, exchange);
        if let Some((_, old)) = evicted {
            self.stats.exchanges_evicted += 1;
            if old.tx.is_some() {
                self.stats.notifies_failed += 1;
                self.push_event(Event::Failed {
                    mac: old.mac,
                    reason: FailReason::Evicted,
                });
            }
        }
        self.schedule(slot);
    }

    /// Arms the exchange's timer for its next deadline, unless an armed timer fires no later
    /// (it then re-arms itself when it fires: deadlines that move later cost no heap entry).
    fn schedule(&mut self, slot: u32) {
        let linger = self.config.linger_ms;
        let Some(exchange) = self.exchanges.get_mut(slot) else {
            return;
        };
        let deadline = match &exchange.tx {
            Some(tx) => tx.e_at.map_or(tx.f_at, |e| e.min(tx.f_at)),
            None => exchange.last_seen.saturating_add(linger),
        };
        if exchange.timer_id != 0 && exchange.timer_at <= deadline {
            return;
        }
        let id = self.next_timer_id;
        self.next_timer_id += 1;
        exchange.timer_id = id;
        exchange.timer_at = deadline;
        self.timers.push(Reverse(Timer { at: deadline, id, slot }));
    }

    fn timer_is_live(&self, timer: &Timer) -> bool {
        self.exchanges.get(timer.slot).is_some_and(|e| e.timer_id == timer.id)
    }

    /// Drops cancelled timers from the top of the heap (so that `next_timeout` names a live
    /// one) and, once cancelled entries outnumber live ones, from the whole heap.
    fn tidy_timers(&mut self) {
        while let Some(&Reverse(top)) = self.timers.peek() {
            if self.timer_is_live(&top) {
                break;
            }
            self.timers.pop();
        }
        if self.timers.len() > 2 * self.exchanges.len() + 64 {
            let exchanges = &self.exchanges;
            self.timers
                .retain(|Reverse(t)| exchanges.get(t.slot).is_some_and(|e| e.timer_id == t.id));
        }
    }

    fn push_transmit(&mut self, packet: Packet) {
        if self.transmits.len() >= self.max_transmits {
            self.transmits.pop_front();
            self.stats.transmits_dropped += 1;
        }
        self.transmits.push_back(packet);
    }

    fn push_event(&mut self, event: Event) {
        if self.events.len() >= self.config.max_events {
            self.events.pop_front();
            self.stats.events_dropped += 1;
        }
        self.events.push_back(event);
    }

    fn advance(&mut self, now_ms: u64) {
        self.now = self.now.max(now_ms);
    }

    /// 128-bit keyed hash of a dialog (Call-ID, From-tag): the exchange table's key.
    fn fingerprint(&self, call_id: &str, tag: &str) -> u128 {
        let lo = self.hasher.hash_one((0u8, call_id, tag));
        let hi = self.hasher.hash_one((1u8, call_id, tag));
        (u128::from(hi) << 64) | u128::from(lo)
    }

    fn hash64(&self, text: &str) -> u64 {
        self.hasher.hash_one((2u8, text))
    }
}

/// Transport names without an allocation for the usual ones.
fn intern_transport(transport: &str) -> Cow<'static, str> {
    for known in ["UDP", "TCP", "TLS", "SCTP", "WS", "WSS"] {
        if transport.eq_ignore_ascii_case(known) {
            return Cow::Borrowed(known);
        }
    }
    Cow::Owned(transport.to_owned())
}

/// Branch and CSeq number of a request we built (`build_notify`: the Via is the first header,
/// `SIP/2.0/<transport> <host:port>;branch=<branch>;rport`), found without a full parse;
/// `None` when the message is not laid out that way. Neither our host nor the branch can hold
/// a `;`, so the last `;branch=` of that line is ours.
fn own_request_ids(message: &[u8]) -> Option<(&str, u32)> {
    let text = std::str::from_utf8(message.get(..message.len().min(2048))?).ok()?;
    let (_, rest) = text.split_once("\r\n")?;
    let via = rest.strip_prefix("Via: ")?.split("\r\n").next()?;
    let (_, branch) = via.rsplit_once(";branch=")?;
    let branch = branch.split(';').next()?;
    let (_, cseq) = text.split_once("\r\nCSeq: ")?;
    let (number, method) = cseq.split("\r\n").next()?.split_once(' ')?;
    (method == "NOTIFY" && branch.starts_with("z9hG4bK")).then_some((branch, number.parse().ok()?))
}
