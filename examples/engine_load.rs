//! Load figures for the sans-IO engine, fed in-process (no sockets):
//!
//! - **flood**: 1,000,000 unique spoofed SUBSCRIBEs (unique Call-ID, MAC and source IP), every
//!   one answered (NOTIFY transactions kept running): peak RSS (VmHWM) and RSS along the way,
//!   exchanges tracked, timer heap size, CPU time.
//! - **overhead**: what the engine adds to `Responder::handle` per new exchange, measured in
//!   alternating rounds (the machine's load drifts).
//! - **storm**: 10,000 phones boot within 10 s and send their SUBSCRIBE 5 times one second
//!   apart (Grandstream); each phone answers our NOTIFY with a 200 OK at once. Exactly 10,000
//!   lookups and NOTIFYs are expected with the default `max_exchanges` (16,384); a run with
//!   4096 shows what an undersized table costs.
//!
//! ```text
//! cargo run --release --example engine_load [flood count, default 1000000]
//! ```

use std::cell::Cell;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::Instant;

use sippnp::assign::{Decision, Lookup, LookupError};
use sippnp::device::Device;
use sippnp::engine::{Engine, EngineConfig};
use sippnp::ids::IdGen;
use sippnp::responder::{Config, Responder, UnknownPolicy};
use sippnp::sip::scan::scan;
use sippnp::template::UrlTemplate;

const SEED: &str = include_str!("../tests/fixtures/seeds/gxp2110.sip");
const FLOOD: u32 = 1_000_000;
const PHONES: u32 = 10_000;
const COPIES: u32 = 5;

/// Counts lookups; every device is unknown and answered by the policy.
struct Counting(Rc<Cell<u64>>);

impl Lookup for Counting {
    fn lookup(&self, _device: &Device) -> Result<Decision, LookupError> {
        self.0.set(self.0.get() + 1);
        Ok(Decision::Unknown)
    }
}

fn engine(config: EngineConfig) -> (Engine<Counting>, Rc<Cell<u64>>) {
    let lookups = Rc::new(Cell::new(0));
    let responder = Responder::with_ids(
        Config {
            server_host: "192.0.2.10".into(),
            server_port: 5060,
            url: UrlTemplate::new("http://192.0.2.10/prov/{mac}/{token}/").expect("template"),
            user_agent: Some("sippnp-load".into()),
            unknown: UnknownPolicy::Answer,
        },
        Counting(lookups.clone()),
        IdGen::random(),
    )
    .expect("responder");
    (Engine::new(responder, config), lookups)
}

/// The seed SUBSCRIBE of phone `n`: its own MAC (000b82 + n) and Call-ID (`boot` tells boots
/// apart), Via and Contact at `ip`.
fn subscribe(n: u32, boot: &str, ip: IpAddr) -> String {
    let mac = format!("000B82{:06X}", n & 0xff_ffff);
    SEED.replace("000B82273B89", &mac)
        .replace("1278367207-5060-1@BHC.BI.DC.BJH", &format!("{boot}-{n}@load"))
        .replace("172.18.32.197", &ip.to_string())
}

fn source(n: u32) -> SocketAddr {
    SocketAddr::new(IpAddr::from((0x0a00_0000u32 + n).to_be_bytes()), 5060)
}

/// The phone's 200 OK to a NOTIFY: Via, From, To, Call-ID and CSeq copied.
fn ok_to(notify: &[u8]) -> Vec<u8> {
    let scanned = scan(notify).expect("our NOTIFY scans");
    let mut out = b"SIP/2.0 200 OK\r\n".to_vec();
    for h in &scanned.headers {
        if [&b"Via"[..], b"From", b"To", b"Call-ID", b"CSeq"].contains(&h.name) {
            out.extend_from_slice(h.name);
            out.extend_from_slice(b": ");
            out.extend_from_slice(h.value);
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    out
}

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a rusage into the buffer we own.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    assert_eq!(rc, 0, "getrusage");
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// A `/proc/self/status` field in KiB (VmHWM: peak RSS; VmRSS: current).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn flood(count: u32) {
    let (mut engine, lookups) = engine(EngineConfig::default());
    let (mut packets, mut events) = (0u64, 0u64);
    let baseline = status_kib("VmRSS");
    let cpu = cpu_seconds();
    let wall = Instant::now();
    let mut samples = Vec::new();
    for i in 0..count {
        let now = u64::from(i) / 100; // 100,000 SUBSCRIBEs per second of the engine's clock
        let msg = subscribe(i, "flood", source(i).ip());
        engine
            .handle_datagram(msg.as_bytes(), source(i), now)
            .expect("answered");
        if i % 1000 == 0 {
            engine.handle_timeout(now);
        }
        packets += std::iter::from_fn(|| engine.poll_transmit()).count() as u64;
        events += std::iter::from_fn(|| engine.poll_event()).count() as u64;
        if (i + 1) % 250_000 == 0 {
            samples.push(format!("{}k: {} KiB", (i + 1) / 1000, status_kib("VmRSS")));
        }
    }
    let cpu = cpu_seconds() - cpu;
    let stats = engine.stats();
    println!(
        "flood: {count} unique spoofed SUBSCRIBEs, {} lookups, {packets} packets, {events} events",
        lookups.get()
    );
    println!(
        "flood: exchanges tracked {} (cap {}), evicted {}, timers {}, sources {}",
        stats.exchanges,
        engine.config().max_exchanges,
        stats.exchanges_evicted,
        stats.timers,
        stats.sources
    );
    println!(
        "flood: RSS before {baseline} KiB; along the way {}; peak (VmHWM) {} KiB",
        samples.join(", "),
        status_kib("VmHWM")
    );
    println!(
        "flood: CPU {cpu:.2} s ({:.2} µs per SUBSCRIBE, incl. building it), wall {:.2} s",
        cpu * 1e6 / f64::from(count),
        wall.elapsed().as_secs_f64()
    );
}

fn storm(max_exchanges: usize) {
    let config = EngineConfig {
        max_exchanges,
        ..EngineConfig::default()
    };
    let (mut engine, lookups) = engine(config);
    // Phone p boots at p ms (10,000 phones within 10 s) and repeats every 1000 ms.
    let mut arrivals: Vec<(u64, u32)> = (0..PHONES)
        .flat_map(|p| (0..COPIES).map(move |c| (u64::from(p) + 1000 * u64::from(c), p)))
        .collect();
    arrivals.sort_unstable();
    let messages: Vec<(String, SocketAddr)> = (0..PHONES)
        .map(|p| (subscribe(p, "storm", source(p).ip()), source(p)))
        .collect();
    let (mut oks, mut notifies) = (0u64, 0u64);
    let cpu = cpu_seconds();
    for (now, p) in arrivals {
        if engine.next_timeout().is_some_and(|at| at <= now) {
            engine.handle_timeout(now);
        }
        let (msg, from) = &messages[p as usize];
        engine.handle_datagram(msg.as_bytes(), *from, now).expect("answered");
        while let Some(packet) = engine.poll_transmit() {
            if packet.bytes.starts_with(b"NOTIFY ") {
                notifies += 1;
                // The phone answers at once.
                let to: SocketAddr = (packet.host.parse::<IpAddr>().expect("IP"), packet.port).into();
                engine
                    .handle_datagram(&ok_to(&packet.bytes), to, now)
                    .expect("response");
            } else {
                oks += 1;
            }
        }
        while engine.poll_event().is_some() {}
    }
    let cpu = cpu_seconds() - cpu;
    let stats = engine.stats();
    println!(
        "storm (max_exchanges {max_exchanges}): {PHONES} phones x {COPIES} SUBSCRIBEs -> {oks} 200 OKs, {notifies} NOTIFYs, {} lookups; acked {}, retransmissions absorbed {}, evicted {}",
        lookups.get(),
        stats.notifies_acked,
        stats.retransmissions_absorbed,
        stats.exchanges_evicted
    );
    println!(
        "storm (max_exchanges {max_exchanges}): CPU {cpu:.3} s ({:.2} µs per datagram in, incl. the phones' 200 OKs)",
        cpu * 1e6 / f64::from(PHONES * COPIES + notifies as u32)
    );
}

/// The same kind of SUBSCRIBEs through `Responder::handle` alone and through a warm engine,
/// in alternating rounds (the machine's load drifts): what the engine adds per new exchange.
fn overhead(rounds: u32, per_round: u32) {
    let (mut engine, _) = engine(EngineConfig::default());
    let (mut plain, mut full) = (Vec::new(), Vec::new());
    let mut next = 0u32;
    for _ in 0..rounds {
        let cpu = cpu_seconds();
        for i in next..next + per_round {
            let msg = subscribe(i, "plain", source(i).ip());
            std::hint::black_box(engine.responder().handle(msg.as_bytes(), source(i)).expect("answered"));
        }
        plain.push((cpu_seconds() - cpu) * 1e6 / f64::from(per_round));
        let cpu = cpu_seconds();
        for i in next..next + per_round {
            let msg = subscribe(i, "engine", source(i).ip());
            engine
                .handle_datagram(msg.as_bytes(), source(i), u64::from(i) / 100)
                .expect("answered");
            while engine.poll_transmit().is_some() {}
            while engine.poll_event().is_some() {}
        }
        full.push((cpu_seconds() - cpu) * 1e6 / f64::from(per_round));
        next += per_round;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (p, f) = (median(&mut plain), median(&mut full));
    println!(
        "overhead: median of {rounds} alternating rounds of {per_round}: Responder::handle {p:.2} µs, Engine::handle_datagram {f:.2} µs per new SUBSCRIBE (incl. building it): the engine adds {:.2} µs",
        f - p
    );
}

fn main() {
    // `engine_load 100000` floods with fewer SUBSCRIBEs (profiling).
    let count = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(FLOOD);
    // The flood first, so that VmHWM is its peak alone.
    flood(count);
    storm(EngineConfig::default().max_exchanges);
    storm(4096);
    overhead(7, 20_000);
}
