//! The engine over real UDP sockets on 127.0.0.1: a fake phone sends the seed SUBSCRIBE five
//! times (as Grandstream phones do, here 100 ms apart instead of 1 s) and ignores the first two
//! NOTIFYs; the engine, driven by a small socket loop like a PBX's, must answer every copy with
//! the same 200 OK, look the phone up once, retransmit the NOTIFY on Timer E and stop once the
//! phone answers the third.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::sip::{body, header, seed_subscribe};
use sippnp::assign::{Decision, Lookup, LookupError};
use sippnp::device::{Device, Mac};
use sippnp::engine::{Engine, EngineConfig, Event};
use sippnp::ids::IdGen;
use sippnp::responder::{Config, Responder, UnknownPolicy};
use sippnp::template::UrlTemplate;

/// Counts lookups; every device is unknown (answered by the policy).
struct Counting(Arc<AtomicUsize>);

impl Lookup for Counting {
    fn lookup(&self, _device: &Device) -> Result<Decision, LookupError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(Decision::Unknown)
    }
}

fn engine(server: SocketAddr, lookups: Arc<AtomicUsize>) -> Engine<Counting> {
    let config = Config {
        server_host: server.ip().to_string(),
        server_port: server.port(),
        url: UrlTemplate::new("http://127.0.0.1:8080/prov/{mac}/{token}/").unwrap(),
        user_agent: Some("sippnp-engine-test".into()),
        unknown: UnknownPolicy::Answer,
    };
    let responder = Responder::with_ids(config, Counting(lookups), IdGen::random()).unwrap();
    let timers = EngineConfig {
        t1_ms: 100,
        t2_ms: 400,
        timer_f_ms: 6400,
        linger_ms: 6400,
        ..EngineConfig::default()
    };
    Engine::new(responder, timers)
}

/// The PBX side: one socket, the engine, a clock in ms since `start`. Runs until `stop`.
fn serve(socket: UdpSocket, mut engine: Engine<Counting>, stop: Arc<AtomicBool>) -> (Engine<Counting>, Vec<Event>) {
    let start = Instant::now();
    let now = || start.elapsed().as_millis() as u64;
    let mut events = Vec::new();
    let mut buf = vec![0u8; 65_536];
    while !stop.load(Ordering::SeqCst) {
        let wait = engine
            .next_timeout()
            .map_or(50, |at| at.saturating_sub(now()).clamp(1, 50));
        socket.set_read_timeout(Some(Duration::from_millis(wait))).unwrap();
        match socket.recv_from(&mut buf) {
            Ok((n, from)) => {
                engine
                    .handle_datagram(&buf[..n], from, now())
                    .expect("a datagram the engine takes");
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("receive failed: {e}"),
        }
        engine.handle_timeout(now());
        while let Some(packet) = engine.poll_transmit() {
            assert_eq!(packet.host, "127.0.0.1", "the engine only ever sends to the phone here");
            assert_eq!(packet.transport, "UDP");
            socket.send_to(&packet.bytes, ("127.0.0.1", packet.port)).unwrap();
        }
        events.extend(std::iter::from_fn(|| engine.poll_event()));
    }
    (engine, events)
}

/// The phone's 200 OK to a NOTIFY: Via, From, To, Call-ID and CSeq copied.
fn ok_to(notify: &str) -> String {
    let mut out = String::from("SIP/2.0 200 OK\r\n");
    for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
        out.push_str(&format!("{name}: {}\r\n", header(notify, name).expect(name)));
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

#[test]
fn a_phone_retransmitting_and_ignoring_two_notifies_over_loopback() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let server_addr = server.local_addr().unwrap();
    let lookups = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let pbx = {
        let engine = engine(server_addr, lookups.clone());
        let stop = stop.clone();
        thread::spawn(move || serve(server, engine, stop))
    };

    let phone = UdpSocket::bind("127.0.0.1:0").unwrap();
    phone.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
    let phone_addr = phone.local_addr().unwrap();
    let subscribe = seed_subscribe(phone_addr);

    let start = Instant::now();
    let deadline = start + Duration::from_secs(10);
    let (mut oks, mut notifies) = (Vec::<String>::new(), Vec::<(Duration, String)>::new());
    let mut sent = 0;
    let mut answered_at = None;
    let mut buf = vec![0u8; 65_536];
    while Instant::now() < deadline {
        if sent < 5 && start.elapsed() >= Duration::from_millis(100 * sent) {
            phone.send_to(subscribe.as_bytes(), server_addr).unwrap();
            sent += 1;
        }
        match phone.recv_from(&mut buf) {
            Ok((n, from)) => {
                assert_eq!(from, server_addr);
                let text = String::from_utf8(buf[..n].to_vec()).unwrap();
                if text.starts_with("SIP/2.0 200 OK\r\n") {
                    oks.push(text);
                } else if text.starts_with("NOTIFY ") {
                    notifies.push((start.elapsed(), text.clone()));
                    // Ignore the first two NOTIFYs, as if they were lost; answer the third.
                    if notifies.len() == 3 {
                        phone.send_to(ok_to(&text).as_bytes(), server_addr).unwrap();
                        answered_at = Some(Instant::now());
                    }
                } else {
                    panic!("unexpected datagram: {}", text.lines().next().unwrap_or(""));
                }
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("receive failed: {e}"),
        }
        // After the answer, keep listening long enough for two more Timer E periods.
        if answered_at.is_some_and(|t| t.elapsed() > Duration::from_millis(900)) && sent == 5 {
            break;
        }
    }
    stop.store(true, Ordering::SeqCst);
    let (engine, events) = pbx.join().unwrap();

    assert_eq!(sent, 5);
    assert_eq!(oks.len(), 5, "every SUBSCRIBE copy gets its 200 OK");
    assert!(oks.iter().all(|ok| *ok == oks[0]), "the very same 200 OK bytes");
    assert_eq!(header(&oks[0], "CSeq"), Some("20000 SUBSCRIBE"));
    assert_eq!(lookups.load(Ordering::SeqCst), 1, "one lookup for five copies");
    // Retransmission stops with the answer; on a badly loaded machine one retransmission may
    // already be on its way when the answer arrives, never more.
    let crossing = notifies.len() - 3;
    assert!(crossing <= 1, "NOTIFYs after the phone answered: {notifies:?}");
    assert!(
        notifies.iter().all(|(_, n)| *n == notifies[0].1),
        "retransmissions are identical"
    );
    // Timer E (T1 = 100 ms here): the second copy 100 ms after the first, the third 200 ms
    // after that (timers never fire early; a little slack for delivery jitter).
    let since_first: Vec<u128> = notifies.iter().map(|(t, _)| (*t - notifies[0].0).as_millis()).collect();
    assert!(
        since_first[1] >= 80 && since_first[2] >= 280,
        "Timer E schedule {since_first:?}"
    );
    let notify = &notifies[0].1;
    assert!(notify.starts_with(&format!("NOTIFY sip:{phone_addr} SIP/2.0\r\n")));

    let url = body(notify);
    let token = url
        .strip_prefix("http://127.0.0.1:8080/prov/000b82273b89/")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected URL {url}"));
    let now = start.elapsed().as_millis() as u64;
    assert_eq!(
        engine.verify_token(token, phone_addr.ip(), now),
        Ok(Mac::parse("000b82273b89").unwrap())
    );

    let kinds: Vec<String> = events
        .iter()
        .map(|e| match e {
            Event::Notified { attempt, .. } => format!("notified {attempt}"),
            Event::Acknowledged { status, .. } => format!("acknowledged {status}"),
            other => format!("{other:?}").split([' ', '{']).next().unwrap().to_lowercase(),
        })
        .collect();
    let mut expected = vec!["discovered".to_owned(), "answered".to_owned()];
    expected.extend((1..=notifies.len()).map(|n| format!("notified {n}")));
    expected.push("acknowledged 200".to_owned());
    assert_eq!(kinds, expected);
    let stats = engine.stats();
    assert_eq!(
        (
            stats.retransmissions_absorbed,
            stats.notifies_sent,
            stats.notify_retransmissions,
            stats.notifies_acked,
            stats.notifies_failed
        ),
        (4, 1, notifies.len() as u64 - 1, 1, 0)
    );
    assert_eq!(stats.exchanges, 1, "remembered for linger_ms");
}
