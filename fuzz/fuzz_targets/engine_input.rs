//! A session of datagrams, timeouts and answers to our NOTIFYs, decoded from the input, driven
//! through the sans-IO `Engine` with a lookup that assigns every device.
//!
//! Input: one config byte (bit 0: tiny tables and a strict rate limit, to reach eviction and
//! refusal; bit 1: a `{token}` URL), then records until the input ends:
//!
//! - `op & 3 == 0 | 1`: datagram: `op, src, delta lo, delta hi, len lo, len hi, bytes[len]`
//!   (len is cut to what is left);
//! - `op & 3 == 2`: timeout: `op, src, delta lo, delta hi`;
//! - `op & 3 == 3`: a final response to the last NOTIFY sent, status picked by `src`:
//!   `op, src, delta lo, delta hi`.
//!
//! `op & 4` moves the clock back by `delta` instead of forward (the engine must treat it as
//! the latest time seen). `src` picks the source address (IPv6 when bit 7 is set).
//!
//! Invariants: every transmit has bytes, a host and a port; after `handle_timeout(now)` the
//! next timeout is later than the latest time seen; `stats` and the queues stay bounded.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use libfuzzer_sys::fuzz_target;
use sippnp::assign::{Assignment, Decision, Lookup, LookupError};
use sippnp::device::Device;
use sippnp::engine::{Engine, EngineConfig};
use sippnp::ids::IdGen;
use sippnp::responder::{Config, Responder, UnknownPolicy};
use sippnp::template::UrlTemplate;

const SECRET: &[u8] = b"sippnp-fuzz-engine-secret-0123456789";

/// Assigns every device (an empty assignment for its MAC).
struct AssignAll;

impl Lookup for AssignAll {
    fn lookup(&self, device: &Device) -> Result<Decision, LookupError> {
        Ok(Decision::Assign(Assignment {
            mac: device.mac,
            ..Assignment::default()
        }))
    }
}

fn source(src: u8) -> SocketAddr {
    let port = 5060 + u16::from((src >> 3) & 0x0f);
    let ip = if src & 0x80 != 0 {
        IpAddr::V6(Ipv6Addr::new(
            0x2001,
            0xdb8,
            0,
            u16::from(src & 0x40),
            0,
            0,
            0,
            u16::from(src & 7),
        ))
    } else {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, src & 7))
    };
    SocketAddr::new(ip, port)
}

/// A final response to `notify`: its Via, From, To, Call-ID and CSeq copied over.
fn response_to(notify: &[u8], status: u16) -> Vec<u8> {
    let mut out = format!("SIP/2.0 {status} Fuzz\r\n").into_bytes();
    let text = String::from_utf8_lossy(notify);
    for line in text.split("\r\n").take_while(|l| !l.is_empty()) {
        let lower = line.to_ascii_lowercase();
        if ["via:", "from:", "to:", "call-id:", "cseq:"]
            .iter()
            .any(|h| lower.starts_with(h))
        {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let config = if flags & 1 != 0 {
        EngineConfig {
            max_exchanges: 2,
            max_sources: 2,
            rate_per_source: 1,
            rate_burst: 1,
            t1_ms: 50,
            t2_ms: 200,
            timer_f_ms: 1000,
            linger_ms: 1500,
            token_ttl_ms: 2000,
            max_events: 4,
        }
    } else {
        EngineConfig::default()
    };
    let max_events = config.max_events;
    let url = if flags & 2 != 0 {
        "http://192.0.2.10/prov/{token}/{mac}?v={vendor}"
    } else {
        "http://192.0.2.10/prov/{mac}/"
    };
    let responder_config = Config {
        server_host: "192.0.2.10".into(),
        server_port: 5060,
        url: UrlTemplate::new(url).unwrap(),
        user_agent: Some("sippnp-fuzz".into()),
        unknown: UnknownPolicy::Answer,
    };
    let responder = Responder::with_ids(responder_config, AssignAll, IdGen::with_secret(SECRET)).unwrap();
    let mut engine = Engine::with_secret(responder, config, SECRET);

    let mut now: u64 = 1_000_000;
    // The latest time the engine was given (it counts an earlier one as this one).
    let mut latest = 0;
    let mut last_notify: Option<Vec<u8>> = None;
    while rest.len() >= 4 {
        let (op, src) = (rest[0], rest[1]);
        let delta = u64::from(u16::from_le_bytes([rest[2], rest[3]]));
        rest = &rest[4..];
        now = if op & 4 != 0 {
            now.saturating_sub(delta)
        } else {
            now + delta
        };
        match op & 3 {
            0 | 1 => {
                let len = match rest {
                    [lo, hi, tail @ ..] => {
                        rest = tail;
                        usize::from(u16::from_le_bytes([*lo, *hi]))
                    }
                    _ => std::mem::take(&mut rest).len(),
                };
                let (datagram, tail) = rest.split_at(len.min(rest.len()));
                rest = tail;
                latest = latest.max(now);
                let _ = engine.handle_datagram(datagram, source(src), now);
            }
            2 => {
                latest = latest.max(now);
                engine.handle_timeout(now);
                if let Some(next) = engine.next_timeout() {
                    assert!(next > latest, "next_timeout {next} not after now {latest}");
                }
            }
            _ => {
                if let Some(notify) = &last_notify {
                    let status = [100, 180, 200, 202, 302, 404, 481, 500, 603][usize::from(src) % 9];
                    latest = latest.max(now);
                    let _ = engine.handle_datagram(&response_to(notify, status), source(src), now);
                }
            }
        }
        let mut events = 0;
        while engine.poll_event().is_some() {
            events += 1;
        }
        assert!(events <= max_events, "{events} events queued, cap {max_events}");
        while let Some(packet) = engine.poll_transmit() {
            assert!(!packet.bytes.is_empty(), "empty transmit");
            assert!(!packet.host.is_empty(), "transmit without host");
            let notify = packet.bytes.starts_with(b"NOTIFY ");
            // fuzz/regressions/engine_input/notify-to-port-0 once sent a NOTIFY to port 0.
            assert!(packet.port != 0, "transmit to port 0");
            if notify {
                last_notify = Some(packet.bytes);
            }
        }
    }
    let _ = engine.stats();
});
