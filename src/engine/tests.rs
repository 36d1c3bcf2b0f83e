//! Engine behaviour on a fake clock: retransmissions, the NOTIFY client transaction, bounded
//! tables, rate limiting, tokens and check-sync.

use std::cell::Cell;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;

use super::*;
use crate::assign::{Decision, LookupError};
use crate::ids::IdGen;
use crate::responder::{Config, Silence, UnknownPolicy};
use crate::sip::ParseError;
use crate::template::UrlTemplate;

/// The SUBSCRIBE printed in the Grandstream GXP21xx PnP guide (seed 000).
const GXP2110: &str = include_str!("../../tests/fixtures/seeds/gxp2110.sip");
/// A snom SUBSCRIBE: no Via branch.
const SNOM: &str = include_str!("../../tests/fixtures/seeds/snom-oem.sip");
const SECRET: &[u8] = b"engine-test-secret-0123456789";

/// Answers unknown devices (policy Answer) and counts its calls; `000B82000001` is ignored.
#[derive(Clone, Default)]
struct Counting {
    calls: Rc<Cell<usize>>,
}

impl Lookup for Counting {
    fn lookup(&self, device: &Device) -> Result<Decision, LookupError> {
        self.calls.set(self.calls.get() + 1);
        match device.mac.map(|m| m.to_lower_hex()).as_deref() {
            Some("000b82000001") => Ok(Decision::Ignore),
            Some("000b82000002") => Err(LookupError("test lookup failure")),
            _ => Ok(Decision::Unknown),
        }
    }
}

fn responder(url: &str, lookup: Counting) -> Responder<Counting> {
    let config = Config {
        server_host: "192.0.2.10".into(),
        server_port: 5060,
        url: UrlTemplate::new(url).unwrap(),
        user_agent: Some("sippnp-test".into()),
        unknown: UnknownPolicy::Answer,
    };
    Responder::with_ids(config, lookup, IdGen::with_secret(SECRET)).unwrap()
}

fn engine_with(config: EngineConfig, url: &str) -> (Engine<Counting>, Rc<Cell<usize>>) {
    let lookup = Counting::default();
    let calls = lookup.calls.clone();
    (Engine::with_secret(responder(url, lookup), config, SECRET), calls)
}

fn engine() -> (Engine<Counting>, Rc<Cell<usize>>) {
    engine_with(EngineConfig::default(), "http://192.0.2.10/prov/{mac}/")
}

fn phone() -> SocketAddr {
    "172.18.32.197:5060".parse().unwrap()
}

fn drain(engine: &mut Engine<Counting>) -> Vec<Packet> {
    std::iter::from_fn(|| engine.poll_transmit()).collect()
}

fn events(engine: &mut Engine<Counting>) -> Vec<Event> {
    std::iter::from_fn(|| engine.poll_event()).collect()
}

fn is_notify(p: &Packet) -> bool {
    p.bytes.starts_with(b"NOTIFY ")
}

fn is_ok(p: &Packet) -> bool {
    p.bytes.starts_with(b"SIP/2.0 200 OK\r\n")
}

fn mac(text: &str) -> Option<Mac> {
    Mac::parse(text)
}

fn with_call_id(message: &str, call_id: &str) -> String {
    message.replacen(
        "Call-ID: 1278367207-5060-1@BHC.BI.DC.BJH",
        &format!("Call-ID: {call_id}"),
        1,
    )
}

/// The phone's final or provisional response to a request we sent: Via, From, To (with a tag
/// of its own added when absent), Call-ID and CSeq copied.
fn reply(request: &[u8], status: u16) -> Vec<u8> {
    let text = std::str::from_utf8(request).unwrap();
    let head = text.split("\r\n\r\n").next().unwrap();
    let mut out = format!("SIP/2.0 {status} Whatever\r\n");
    for line in head.split("\r\n").skip(1) {
        let name = line.split(':').next().unwrap();
        match name {
            "Via" | "From" | "Call-ID" | "CSeq" => out.push_str(&format!("{line}\r\n")),
            "To" if line.contains(";tag=") => out.push_str(&format!("{line}\r\n")),
            "To" => out.push_str(&format!("{line};tag=phone-tag\r\n")),
            _ => {}
        }
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out.into_bytes()
}

#[test]
fn a_retransmitted_subscribe_gets_the_same_ok_and_no_second_notify_or_lookup() {
    let (mut engine, calls) = engine();
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 0).unwrap();
    let first = drain(&mut engine);
    assert_eq!(first.len(), 2);
    assert!(is_ok(&first[0]) && is_notify(&first[1]));
    assert_eq!((first[0].host.as_str(), first[0].port), ("172.18.32.197", 5060));
    assert_eq!(
        events(&mut engine),
        [
            Event::Discovered {
                device: crate::device::identify(&Subscribe::parse(GXP2110.as_bytes()).unwrap(), Some(phone()))
            },
            Event::Answered {
                device: crate::device::identify(&Subscribe::parse(GXP2110.as_bytes()).unwrap(), Some(phone())),
                url: "http://192.0.2.10/prov/000b82273b89/".into()
            },
            Event::Notified {
                mac: mac("000b82273b89"),
                attempt: 1
            },
        ]
    );
    for t in [200, 400, 600, 800] {
        // Grandstream-like: retransmissions well inside Timer E's first interval.
        engine.handle_datagram(GXP2110.as_bytes(), phone(), t).unwrap();
        let again = drain(&mut engine);
        assert_eq!(
            again,
            std::slice::from_ref(&first[0]),
            "the same 200 OK bytes, nothing else"
        );
    }
    assert_eq!(calls.get(), 1, "one lookup");
    assert!(events(&mut engine).is_empty());
    let stats = engine.stats();
    assert_eq!((stats.retransmissions_absorbed, stats.notifies_sent), (4, 1));
    assert_eq!(stats.exchanges, 1);

    // A spoofed copy from another address is absorbed without answering anyone.
    engine
        .handle_datagram(GXP2110.as_bytes(), "198.51.100.9:5060".parse().unwrap(), 900)
        .unwrap();
    assert!(drain(&mut engine).iter().all(is_notify), "no 200 OK to a spoofer");

    // A new boot (new Call-ID) is a new exchange.
    engine
        .handle_datagram(with_call_id(GXP2110, "reboot-1").as_bytes(), phone(), 1000)
        .unwrap();
    let fresh = drain(&mut engine);
    assert_eq!(fresh.iter().filter(|p| is_notify(p)).count(), 1);
    assert!(fresh.iter().any(is_ok));
    assert_eq!((calls.get(), engine.stats().exchanges), (2, 2));
}

#[test]
fn snom_without_a_branch_is_recognised_too() {
    let (mut engine, calls) = engine();
    let source: SocketAddr = "192.168.10.67:1053".parse().unwrap();
    engine.handle_datagram(SNOM.as_bytes(), source, 0).unwrap();
    let first = drain(&mut engine);
    engine.handle_datagram(SNOM.as_bytes(), source, 300).unwrap();
    assert_eq!(drain(&mut engine), std::slice::from_ref(&first[0]));
    assert_eq!(calls.get(), 1);
}

#[test]
fn a_new_cseq_in_the_same_dialog_is_answered_again_and_an_older_one_is_ignored() {
    let (mut engine, calls) = engine();
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 0).unwrap();
    let first = drain(&mut engine);
    events(&mut engine);
    let next = GXP2110.replace("CSeq: 20000", "CSeq: 20001");
    engine.handle_datagram(next.as_bytes(), phone(), 100).unwrap();
    let second = drain(&mut engine);
    assert_eq!(second.len(), 2);
    assert_ne!(second[1].bytes, first[1].bytes, "a new NOTIFY transaction (new branch)");
    assert_eq!(calls.get(), 2);
    assert_eq!(engine.stats().exchanges, 1, "the dialog's exchange was replaced");
    // The old NOTIFY transaction is gone: only the new one is retransmitted.
    engine.handle_timeout(600);
    let retransmitted = drain(&mut engine);
    assert_eq!(retransmitted, std::slice::from_ref(&second[1]));
    // The first SUBSCRIBE arriving late is stale.
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 700).unwrap();
    assert!(drain(&mut engine).is_empty());
    assert_eq!(calls.get(), 2);
    // The same CSeq with another branch is a new request, not a retransmission.
    let rebranched = next.replace("branch=z9hG4bK458721093", "branch=z9hG4bKother");
    engine.handle_datagram(rebranched.as_bytes(), phone(), 800).unwrap();
    assert_eq!(drain(&mut engine).len(), 2);
    assert_eq!(calls.get(), 3);
}

/// Steps the fake clock from timer to timer, collecting when each NOTIFY went out.
fn notify_times(engine: &mut Engine<Counting>, until: u64) -> Vec<(u64, Vec<u8>)> {
    let mut sent = Vec::new();
    while let Some(at) = engine.next_timeout() {
        if at > until {
            break;
        }
        engine.handle_timeout(at);
        for p in drain(engine) {
            if is_notify(&p) {
                sent.push((at, p.bytes));
            }
        }
    }
    sent
}

#[test]
fn the_notify_is_retransmitted_at_timer_e_and_fails_at_timer_f() {
    let (mut engine, _) = engine();
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 0).unwrap();
    let notify = drain(&mut engine).pop().unwrap();
    assert_eq!(engine.next_timeout(), Some(500));
    events(&mut engine);
    let sent = notify_times(&mut engine, 40_000);
    let times: Vec<u64> = sent.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        times,
        [500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]
    );
    let mut intervals = vec![times[0]];
    intervals.extend(times.windows(2).map(|w| w[1] - w[0]));
    assert_eq!(intervals, [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
    assert!(
        sent.iter().all(|(_, b)| *b == notify.bytes),
        "retransmissions are identical"
    );
    let evs = events(&mut engine);
    let attempts: Vec<u32> = evs
        .iter()
        .filter_map(|e| match e {
            Event::Notified { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, (2..=11).collect::<Vec<_>>());
    assert_eq!(
        evs.last(),
        Some(&Event::Failed {
            mac: mac("000b82273b89"),
            reason: FailReason::Timeout
        })
    );
    let stats = engine.stats();
    assert_eq!((stats.notify_retransmissions, stats.notifies_failed), (10, 1));
    assert_eq!((stats.exchanges, engine.next_timeout()), (0, None), "forgotten at 32 s");
}

#[test]
fn a_provisional_response_holds_retransmissions_at_t2() {
    let (mut engine, _) = engine();
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 0).unwrap();
    let notify = drain(&mut engine).pop().unwrap();
    engine.handle_timeout(500);
    drain(&mut engine);
    engine
        .handle_datagram(&reply(&notify.bytes, 100), phone(), 600)
        .unwrap();
    let times: Vec<u64> = notify_times(&mut engine, 20_000).iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [1500, 5500, 9500, 13_500, 17_500]);
}

#[test]
fn a_2xx_acknowledges_and_stops_retransmissions() {
    let (mut engine, _) = engine();
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 0).unwrap();
    let notify = drain(&mut engine).pop().unwrap();
    events(&mut engine);
    engine
        .handle_datagram(&reply(&notify.bytes, 200), phone(), 120)
        .unwrap();
    assert_eq!(
        events(&mut engine),
        [Event::Acknowledged {
            mac: mac("000b82273b89"),
            status: 200
        }]
    );
    assert!(notify_times(&mut engine, 31_999).is_empty(), "nothing retransmitted");
    assert_eq!(engine.stats().exchanges, 1, "lingers to absorb retransmissions");
    // A retransmitted SUBSCRIBE is still absorbed, the duplicate 200 is a stray.
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 5000).unwrap();
    assert!(drain(&mut engine).iter().all(is_ok));
    engine
        .handle_datagram(&reply(&notify.bytes, 200), phone(), 5001)
        .unwrap();
    let stats = engine.stats();
    assert_eq!((stats.notifies_acked, stats.stray_responses), (1, 1));
    // Forgotten linger_ms after the last SUBSCRIBE.
    engine.handle_timeout(36_999);
    assert_eq!(engine.stats().exchanges, 1);
    engine.handle_timeout(37_000);
    assert_eq!((engine.stats().exchanges, engine.next_timeout()), (0, None));
}

#[test]
fn a_final_error_response_is_a_rejection() {
    let (mut engine, _) = engine();
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 0).unwrap();
    let notify = drain(&mut engine).pop().unwrap();
    events(&mut engine);
    // A response with another branch or CSeq is not ours.
    let other = String::from_utf8(reply(&notify.bytes, 486))
        .unwrap()
        .replacen("branch=z9hG4bK", "branch=z9hG4bKx", 1);
    engine.handle_datagram(other.as_bytes(), phone(), 10).unwrap();
    let other = String::from_utf8(reply(&notify.bytes, 486))
        .unwrap()
        .replacen("CSeq: 1 NOTIFY", "CSeq: 2 NOTIFY", 1);
    engine.handle_datagram(other.as_bytes(), phone(), 10).unwrap();
    assert!(events(&mut engine).is_empty());
    assert_eq!(engine.stats().stray_responses, 2);
    engine.handle_datagram(&reply(&notify.bytes, 486), phone(), 20).unwrap();
    assert_eq!(
        events(&mut engine),
        [Event::Failed {
            mac: mac("000b82273b89"),
            reason: FailReason::Rejected(486)
        }]
    );
    assert!(notify_times(&mut engine, 31_000).is_empty());
}

#[test]
fn over_tcp_only_timer_f_runs() {
    let (mut engine, _) = engine();
    let tcp = GXP2110.replace("Via: SIP/2.0/UDP", "Via: SIP/2.0/TCP");
    engine.handle_datagram(tcp.as_bytes(), phone(), 0).unwrap();
    let sent = drain(&mut engine);
    assert_eq!(sent[1].transport, "TCP");
    assert_eq!(engine.next_timeout(), Some(32_000));
    assert!(notify_times(&mut engine, 40_000).is_empty());
    assert!(events(&mut engine).contains(&Event::Failed {
        mac: mac("000b82273b89"),
        reason: FailReason::Timeout
    }));
}

#[test]
fn the_exchange_table_evicts_the_least_recently_used_at_its_cap() {
    let config = EngineConfig {
        max_exchanges: 3,
        ..EngineConfig::default()
    };
    let (mut engine, calls) = engine_with(config, "http://192.0.2.10/prov/{mac}/");
    for (i, t) in [(0, 0), (1, 10), (2, 20)] {
        engine
            .handle_datagram(with_call_id(GXP2110, &format!("c{i}")).as_bytes(), phone(), t)
            .unwrap();
    }
    // Touch c0 (a retransmission), so c1 is now the least recently used.
    engine
        .handle_datagram(with_call_id(GXP2110, "c0").as_bytes(), phone(), 30)
        .unwrap();
    events(&mut engine);
    engine
        .handle_datagram(with_call_id(GXP2110, "c3").as_bytes(), phone(), 40)
        .unwrap();
    assert!(events(&mut engine).contains(&Event::Failed {
        mac: mac("000b82273b89"),
        reason: FailReason::Evicted
    }));
    let stats = engine.stats();
    assert_eq!((stats.exchanges, stats.exchanges_evicted), (3, 1));
    assert_eq!(calls.get(), 4);
    // c0 survived: still a retransmission. c1 was forgotten: a new exchange.
    engine
        .handle_datagram(with_call_id(GXP2110, "c0").as_bytes(), phone(), 50)
        .unwrap();
    assert_eq!(calls.get(), 4);
    engine
        .handle_datagram(with_call_id(GXP2110, "c1").as_bytes(), phone(), 60)
        .unwrap();
    assert_eq!(calls.get(), 5);
}

#[test]
fn memory_stays_flat_under_a_flood_of_unique_subscribes() {
    let config = EngineConfig {
        max_exchanges: 16,
        max_sources: 8,
        max_events: 32,
        ..EngineConfig::default()
    };
    let (mut engine, _) = engine_with(config, "http://192.0.2.10/prov/{mac}/");
    for i in 0..5000u32 {
        let msg = with_call_id(GXP2110, &format!("flood-{i}"));
        let source = SocketAddr::new(IpAddr::from((0x0a00_0000 + i).to_be_bytes()), 5060);
        engine.handle_datagram(msg.as_bytes(), source, u64::from(i)).unwrap();
        if i % 7 == 0 {
            engine.handle_timeout(u64::from(i));
        }
        // A host that never polls: queues stay capped too.
    }
    let stats = engine.stats();
    assert_eq!((stats.exchanges, stats.sources), (16, 8));
    assert!(stats.timers <= 2 * 16 + 64, "{} timers", stats.timers);
    assert!(engine.transmits.len() <= 64 && engine.events.len() <= 32);
    assert!(stats.events_dropped > 0 && stats.transmits_dropped > 0);
    assert_eq!(engine.exchanges.slab_len(), 16);
}

#[test]
fn new_exchanges_are_rate_limited_per_source_but_retransmissions_are_not() {
    let config = EngineConfig {
        rate_per_source: 1,
        rate_burst: 2,
        max_sources: 2,
        ..EngineConfig::default()
    };
    let (mut engine, calls) = engine_with(config, "http://192.0.2.10/prov/{mac}/");
    // Each phone's Via and Contact name its own address.
    let send = |engine: &mut Engine<Counting>, call_id: &str, source: SocketAddr, t: u64| {
        let msg = with_call_id(GXP2110, call_id).replace("172.18.32.197:5060", &source.to_string());
        engine.handle_datagram(msg.as_bytes(), source, t).unwrap();
        drain(engine)
    };
    assert_eq!(send(&mut engine, "a", phone(), 0).len(), 2);
    assert_eq!(send(&mut engine, "b", phone(), 0).len(), 2);
    assert!(send(&mut engine, "c", phone(), 0).is_empty(), "burst used up");
    assert!(send(&mut engine, "d", phone(), 10).is_empty());
    let limited: Vec<Event> = events(&mut engine)
        .into_iter()
        .filter(|e| matches!(e, Event::RateLimited { .. }))
        .collect();
    assert_eq!(
        limited,
        [Event::RateLimited { source: phone().ip() }],
        "one event per burst"
    );
    assert_eq!(send(&mut engine, "a", phone(), 20).len(), 1, "a retransmission passes");
    assert_eq!(calls.get(), 2);
    assert!(send(&mut engine, "c", phone(), 900).is_empty());
    assert_eq!(send(&mut engine, "c", phone(), 1010).len(), 2, "refilled at 1/s");
    // Other sources have their own buckets; the table of sources is capped.
    for i in 0..5u8 {
        let other = SocketAddr::new(IpAddr::from([10, 0, 0, i]), 5060);
        assert_eq!(send(&mut engine, &format!("o{i}"), other, 1100).len(), 2);
    }
    let stats = engine.stats();
    assert_eq!((stats.rate_limited, stats.sources), (3, 2));

    // IPv6 sources share a bucket per /64.
    let v6 = |i: u16| SocketAddr::new(IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, i]), 5060);
    assert_eq!(send(&mut engine, "v6a", v6(1), 2000).len(), 2);
    assert_eq!(send(&mut engine, "v6b", v6(2), 2000).len(), 2);
    assert!(
        send(&mut engine, "v6c", v6(3), 2000).is_empty(),
        "same /64, burst used up"
    );

    // rate_per_source 0: no limit.
    let config = EngineConfig {
        rate_per_source: 0,
        rate_burst: 1,
        ..EngineConfig::default()
    };
    let (mut engine, _) = engine_with(config, "http://192.0.2.10/prov/{mac}/");
    for i in 0..50 {
        assert_eq!(send(&mut engine, &format!("n{i}"), phone(), 0).len(), 2);
    }
}

#[test]
fn silent_devices_are_remembered_without_answers() {
    let (mut engine, calls) = engine();
    let ignored = GXP2110.replace("000B82273B89", "000B82000001");
    engine.handle_datagram(ignored.as_bytes(), phone(), 0).unwrap();
    engine.handle_datagram(ignored.as_bytes(), phone(), 100).unwrap();
    assert!(drain(&mut engine).is_empty());
    assert_eq!(calls.get(), 1);
    let evs = events(&mut engine);
    assert!(matches!(evs[0], Event::Discovered { .. }));
    assert!(matches!(
        evs[1],
        Event::Silenced {
            reason: Silence::Ignored,
            ..
        }
    ));
    assert_eq!(evs.len(), 2);
    assert_eq!(engine.next_timeout(), Some(32_000));
}

#[test]
fn errors_are_reported_and_not_remembered() {
    let (mut engine, calls) = engine();
    let err = engine
        .handle_datagram(GXP2110.replace("SUBSCRIBE sip", "OPTIONS sip").as_bytes(), phone(), 0)
        .unwrap_err();
    assert!(matches!(err, Error::Parse(ParseError::NotSubscribe { .. })));
    assert_eq!(
        engine.handle_datagram(b"\r\n\r\n", phone(), 0).unwrap_err(),
        Error::Parse(ParseError::Empty)
    );
    let err = engine
        .handle_datagram(b"SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n", phone(), 0)
        .unwrap_err();
    assert_eq!(err, Error::Parse(ParseError::MissingHeader { name: "Via" }));
    let failing = GXP2110.replace("000B82273B89", "000B82000002");
    for t in [0, 100] {
        assert!(matches!(
            engine.handle_datagram(failing.as_bytes(), phone(), t),
            Err(Error::Lookup(_))
        ));
    }
    assert_eq!(calls.get(), 2, "a failed lookup is asked again");
    assert_eq!(engine.stats().exchanges, 0);
    assert!(drain(&mut engine).is_empty());
}

#[test]
fn the_clock_never_goes_backwards() {
    let (mut engine, _) = engine();
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 10_000).unwrap();
    drain(&mut engine);
    engine.handle_timeout(5);
    assert!(drain(&mut engine).is_empty());
    assert_eq!(engine.next_timeout(), Some(10_500));
    engine.handle_timeout(10_500);
    assert_eq!(drain(&mut engine).len(), 1);
}

#[test]
fn the_event_queue_is_capped() {
    let config = EngineConfig {
        max_events: 4,
        ..EngineConfig::default()
    };
    let (mut engine, _) = engine_with(config, "http://192.0.2.10/prov/{mac}/");
    for i in 0..3 {
        engine
            .handle_datagram(with_call_id(GXP2110, &format!("e{i}")).as_bytes(), phone(), 0)
            .unwrap();
    }
    let evs = events(&mut engine);
    assert_eq!(evs.len(), 4);
    assert_eq!(engine.stats().events_dropped, 5);
    assert!(
        matches!(evs.last(), Some(Event::Notified { .. })),
        "the newest are kept"
    );
}

#[test]
fn token_urls_verify_for_the_phone_only_until_they_expire() {
    let config = EngineConfig {
        token_ttl_ms: 60_000,
        ..EngineConfig::default()
    };
    let (mut engine, _) = engine_with(config, "http://192.0.2.10/prov/{token}/cfg{mac}.xml");
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 1000).unwrap();
    let notify = drain(&mut engine).pop().unwrap();
    let url = events(&mut engine)
        .into_iter()
        .find_map(|e| match e {
            Event::Answered { url, .. } => Some(url),
            _ => None,
        })
        .unwrap();
    let text = String::from_utf8(notify.bytes.clone()).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert_eq!(body, url, "the NOTIFY carries the signed URL");
    assert!(head.ends_with(&format!("\r\nContent-Length: {}", body.len())));
    let token = url
        .strip_prefix("http://192.0.2.10/prov/")
        .and_then(|rest| rest.strip_suffix("/cfg000b82273b89.xml"))
        .unwrap();
    assert_eq!(token.len(), TOKEN_LEN);
    let phone_ip = phone().ip();
    let mac = mac("000b82273b89").unwrap();
    assert_eq!(engine.verify_token(token, phone_ip, 1000), Ok(mac));
    assert_eq!(engine.verify_token(token, phone_ip, 61_000), Ok(mac));
    assert_eq!(engine.verify_token(token, phone_ip, 61_001), Err(TokenError::Expired));
    let elsewhere: IpAddr = "172.18.32.198".parse().unwrap();
    assert_eq!(engine.verify_token(token, elsewhere, 2000), Err(TokenError::Invalid));
    let mut forged = token.to_owned().into_bytes();
    forged[30] = if forged[30] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(engine.verify_token(&forged, phone_ip, 2000), Err(TokenError::Invalid));
    assert_eq!(
        engine.verify_token("not-a-token", phone_ip, 2000),
        Err(TokenError::Malformed)
    );
    // Another engine (another secret) does not accept it; one with the same secret does.
    let other = Engine::new(
        responder("http://x/{token}", Counting::default()),
        EngineConfig::default(),
    );
    assert_eq!(other.verify_token(token, phone_ip, 2000), Err(TokenError::Invalid));
    let (same, _) = engine_with(EngineConfig::default(), "http://x/{token}");
    assert_eq!(same.verify_token(token, phone_ip, 2000), Ok(mac));
    // The NOTIFY with the token still reads back and is acknowledged.
    engine
        .handle_datagram(&reply(&notify.bytes, 200), phone(), 1100)
        .unwrap();
    assert_eq!(engine.stats().notifies_acked, 1);
}

#[test]
fn without_token_placeholder_the_notify_is_the_responders() {
    let (mut engine, _) = engine();
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 0).unwrap();
    let sent = drain(&mut engine);
    let crate::responder::Outcome::Answer { response, notify, .. } =
        responder("http://192.0.2.10/prov/{mac}/", Counting::default())
            .handle(GXP2110.as_bytes(), phone())
            .unwrap()
    else {
        panic!("silent")
    };
    assert_eq!(sent, [response, notify]);
}

#[test]
fn check_sync_is_a_client_transaction() {
    let (mut engine, _) = engine();
    let target: SocketAddr = "[2001:db8::7]:5062".parse().unwrap();
    let the_mac = mac("000b82273b89").unwrap();
    engine.check_sync(the_mac, target, 0).unwrap();
    let packet = drain(&mut engine).pop().unwrap();
    assert_eq!(
        (packet.host.as_str(), packet.port, packet.transport.as_str()),
        ("2001:db8::7", 5062, "UDP")
    );
    let text = String::from_utf8(packet.bytes.clone()).unwrap();
    assert!(
        text.starts_with("NOTIFY sip:000b82273b89@[2001:db8::7]:5062 SIP/2.0\r\n"),
        "{text}"
    );
    assert!(text.contains("\r\nEvent: check-sync;reboot=false\r\n"));
    assert!(text.contains("\r\nSubscription-State: terminated\r\n"));
    assert!(text.contains("\r\nUser-Agent: sippnp-test\r\n"));
    assert!(text.ends_with("\r\nContent-Length: 0\r\n\r\n"));

    // Our parser reads it back.
    let ids = Incoming::parse(&packet.bytes).unwrap();
    assert!(ids.branch.unwrap().starts_with("z9hG4bK"));
    assert_eq!((ids.cseq, ids.cseq_method), (1, "NOTIFY"));
    assert!(ids.from_tag.is_some() && ids.to_tag.is_none());

    // rsip reads it too (an IPv4 target: rsip cannot read IPv6 URIs, deps-eval §1.4).
    engine
        .check_sync(the_mac, "192.0.2.77:5060".parse().unwrap(), 1)
        .unwrap();
    let v4 = drain(&mut engine).pop().unwrap();
    {
        use rsip::prelude::*;
        let parsed = rsip::SipMessage::try_from(v4.bytes.as_slice()).unwrap();
        let rsip::SipMessage::Request(request) = parsed else {
            panic!("not a request")
        };
        assert_eq!(request.method, rsip::Method::Notify);
        assert_eq!(request.uri.to_string(), "sip:000b82273b89@192.0.2.77:5060");
        assert_eq!(request.cseq_header().unwrap().typed().unwrap().seq, 1);
        let event = request
            .headers
            .iter()
            .find_map(|h| match h {
                rsip::Header::Event(e) => Some(e.value().to_owned()),
                _ => None,
            })
            .unwrap();
        assert_eq!(event, "check-sync;reboot=false");
        assert!(request.body.is_empty());
    }
    assert_ne!(packet.bytes, v4.bytes);

    // Retransmitted like the PnP NOTIFY, acknowledged by a 200 that adds the phone's To-tag.
    events(&mut engine);
    engine.handle_timeout(500);
    assert_eq!(drain(&mut engine), std::slice::from_ref(&packet));
    engine.handle_datagram(&reply(&packet.bytes, 200), target, 700).unwrap();
    let evs = events(&mut engine);
    assert_eq!(
        evs,
        [
            Event::Notified {
                mac: Some(the_mac),
                attempt: 2
            },
            Event::Acknowledged {
                mac: Some(the_mac),
                status: 200
            }
        ]
    );
    assert_eq!(engine.stats().exchanges, 1, "the IPv4 one still runs");
    let sent = notify_times(&mut engine, 40_000);
    assert!(sent.iter().all(|(_, b)| *b == v4.bytes));
    assert_eq!(engine.stats().exchanges, 0);
}

#[test]
fn configuration_is_normalised() {
    let zero = EngineConfig {
        max_exchanges: 0,
        max_sources: 0,
        rate_per_source: 5,
        rate_burst: 0,
        t1_ms: 0,
        t2_ms: 0,
        timer_f_ms: 0,
        linger_ms: 0,
        token_ttl_ms: 0,
        max_events: 0,
    };
    let (mut engine, _) = engine_with(zero, "http://192.0.2.10/prov/{mac}/");
    let c = engine.config().clone();
    assert_eq!(
        (
            c.max_exchanges,
            c.max_sources,
            c.rate_burst,
            c.t1_ms,
            c.t2_ms,
            c.timer_f_ms,
            c.max_events
        ),
        (1, 1, 1, 1, 1, 1, 1)
    );
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 0).unwrap();
    assert_eq!(drain(&mut engine).len(), 2);
    engine.handle_timeout(1);
    assert_eq!(engine.stats().exchanges, 0, "F fired at 1 ms, nothing lingers");
}

#[test]
fn the_engine_is_send_when_the_lookup_is() {
    fn send<T: Send>() {}
    send::<Engine<crate::assign::NoLookup>>();
}

#[test]
fn notify_targets_other_than_the_source_are_rate_limited_too() {
    let config = EngineConfig {
        rate_per_source: 1,
        rate_burst: 2,
        ..EngineConfig::default()
    };
    let (mut engine, _) = engine_with(config, "http://192.0.2.10/prov/{mac}/");
    // Spoofed SUBSCRIBEs from ever new sources, all naming the same victim as Contact.
    let aimed = GXP2110.replace("Contact: <sip:172.18.32.197:5060>", "Contact: <sip:203.0.113.9:5060>");
    let mut notifies = 0;
    for i in 0..5u8 {
        let source = SocketAddr::new(IpAddr::from([198, 51, 100, i]), 5060);
        engine
            .handle_datagram(with_call_id(&aimed, &format!("aim{i}")).as_bytes(), source, 0)
            .unwrap();
        notifies += drain(&mut engine).iter().filter(|p| is_notify(p)).count();
    }
    assert_eq!(notifies, 2, "the victim's bucket holds two");
    assert!(events(&mut engine).contains(&Event::RateLimited {
        source: "203.0.113.9".parse().unwrap()
    }));
    // The phone's own Contact (its source) is not charged twice: burst 2 = two exchanges.
    engine
        .handle_datagram(with_call_id(GXP2110, "own1").as_bytes(), phone(), 0)
        .unwrap();
    engine
        .handle_datagram(with_call_id(GXP2110, "own2").as_bytes(), phone(), 0)
        .unwrap();
    assert_eq!(drain(&mut engine).iter().filter(|p| is_notify(p)).count(), 2);
}

#[test]
fn our_own_notify_ids_are_read_without_a_full_parse() {
    let (mut engine, _) = engine();
    engine.handle_datagram(GXP2110.as_bytes(), phone(), 0).unwrap();
    let notify = drain(&mut engine).pop().unwrap();
    let ids = Incoming::parse(&notify.bytes).unwrap();
    assert_eq!(own_request_ids(&notify.bytes), Some((ids.branch.unwrap(), ids.cseq)));
    // A Contact transport parameter cannot smuggle a branch into our Via.
    let tricky = GXP2110.replace(
        "Contact: <sip:172.18.32.197:5060>",
        "Contact: <sip:172.18.32.197:5060;transport=\"udp;branch=z9hG4bKevil\">",
    );
    engine
        .handle_datagram(with_call_id(&tricky, "t").as_bytes(), phone(), 0)
        .unwrap();
    let notify = drain(&mut engine).pop().unwrap();
    // (The responder copies the odd transport into its Via, which then no parser reads.)
    let (branch, cseq) = own_request_ids(&notify.bytes).unwrap();
    assert!(branch.starts_with("z9hG4bK") && !branch.to_ascii_lowercase().contains("evil"));
    assert_eq!(cseq, 1);
    assert_eq!(
        own_request_ids(b"NOTIFY sip:x SIP/2.0\r\nMax-Forwards: 70\r\n\r\n"),
        None
    );
}
