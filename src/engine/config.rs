//! [`EngineConfig`]: the engine's limits and timers.

/// Limits and timers of an [`Engine`](super::Engine). [`EngineConfig::default`] has the
/// values below; [`Engine::new`](super::Engine::new) raises zero or inconsistent values to the
/// smallest usable ones (caps and `rate_burst` at least 1, `t1_ms` at least 1, `t2_ms` and
/// `timer_f_ms` at least `t1_ms`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    /// Hard cap on tracked exchanges; the least recently used goes first (default 16,384:
    /// enough for 10,000 phones booting within `linger_ms`, at most about 32 MB).
    pub max_exchanges: usize,
    /// Cap on rate-limiter entries (source IPs), LRU (default 4096).
    pub max_sources: usize,
    /// New exchanges per second per source (an IPv4 address or an IPv6 /64; default 10);
    /// 0 turns rate limiting off. A NOTIFY target other than the source (a Contact naming a
    /// third party) is charged too, so that spoofed SUBSCRIBEs cannot aim NOTIFY
    /// retransmissions at a victim faster than this.
    pub rate_per_source: u32,
    /// Token bucket size: new exchanges a source may start at once (default 20).
    pub rate_burst: u32,
    /// RFC 3261 T1, the round-trip estimate: first NOTIFY retransmission (default 500).
    pub t1_ms: u64,
    /// RFC 3261 T2, the longest retransmission interval (default 4000).
    pub t2_ms: u64,
    /// RFC 3261 Timer F, 64·T1: when an unanswered NOTIFY is abandoned (default 32000).
    pub timer_f_ms: u64,
    /// How long a finished exchange is remembered after its last SUBSCRIBE, to absorb
    /// retransmissions (default 32000).
    pub linger_ms: u64,
    /// Lifetime of `{token}` URLs (default 300_000: five minutes).
    pub token_ttl_ms: u64,
    /// Event queue cap; beyond it the oldest event is dropped and counted (default 1024).
    pub max_events: usize,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            max_exchanges: 16_384,
            max_sources: 4096,
            rate_per_source: 10,
            rate_burst: 20,
            t1_ms: 500,
            t2_ms: 4000,
            timer_f_ms: 32_000,
            linger_ms: 32_000,
            token_ttl_ms: 300_000,
            max_events: 1024,
        }
    }
}

impl EngineConfig {
    pub(super) fn normalized(mut self) -> EngineConfig {
        self.max_exchanges = self.max_exchanges.max(1);
        self.max_sources = self.max_sources.max(1);
        self.rate_burst = self.rate_burst.max(1);
        self.t1_ms = self.t1_ms.max(1);
        self.t2_ms = self.t2_ms.max(self.t1_ms);
        self.timer_f_ms = self.timer_f_ms.max(self.t1_ms);
        self.max_events = self.max_events.max(1);
        self
    }
}
