//! Kamailio integration: Kamailio (Debian packages `kamailio` and `kamailio-python3-modules`)
//! owns a UDP socket on 127.0.0.1; its Python routing script (examples/kamailio/sippnp_kemi.py
//! with examples/kamailio/kamailio.cfg, app_python3 KEMI) hands each `Event: ua-profile`
//! SUBSCRIBE, and each reply to our NOTIFYs, to libsippnp's engine through
//! examples/python/sippnp.py (`sippnp.Engine`, ctypes) and sends back the engine's bytes with
//! corex's `send_data`; an rtimer tick drives the engine's timers. The test plays the phone
//! from a loopback UDP socket with the seed SUBSCRIBE (tests/fixtures/seeds/gxp2110.sip),
//! sent again every 300 ms until answered: every copy gets the same 200 OK from Kamailio's
//! socket, the phone is discovered once and gets one NOTIFY with the URL. The phone ignores
//! that NOTIFY, so it must come again (a retransmission, byte for byte, with short timers for
//! the test: `SIPPNP_ENGINE=t1_ms=200,...`); the phone answers it and Kamailio's log says
//! `acknowledged`. A non-PnP request must still reach the script's other routing (a 404).
//!
//! Kamailio runs in the foreground (`-DD -E`, log on stderr) on a free high port with its own
//! runtime directory and pid file in a temp directory, in its own process group, and is
//! stopped with SIGTERM (then SIGKILL) to that group at the end.
//!
//! Skipped with a note when `kamailio` is not installed, unless `SIPPNP_REQUIRE_KAMAILIO=1`
//! (CI), which makes that a failure.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::process::{LoggedChild, build_library, free_udp_port, tool_runs_or_skip};
use common::repo;
use common::sip::{body, header, seed_subscribe};

const URL_TEMPLATE: &str = "http://127.0.0.1:8080/prov/{mac}/";
const EXPECTED_URL: &str = "http://127.0.0.1:8080/prov/000b82273b89/";

#[test]
fn kamailio_answers_pnp_through_libsippnp() {
    if !tool_runs_or_skip("kamailio", &["-v"], "SIPPNP_REQUIRE_KAMAILIO") {
        return;
    }
    let lib = build_library();
    let work = TempDir::new("kamailio");
    let port = free_udp_port();
    let kamailio_addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let script = repo().join("examples/kamailio/sippnp_kemi.py");

    let mut command = Command::new("kamailio");
    command
        .arg("-f")
        .arg(repo().join("examples/kamailio/kamailio.cfg"))
        .args(["-DD", "-E", "-A", &format!("SIPPNP_LISTEN=udp:{kamailio_addr}")])
        .args(["-m", "32", "-M", "8"])
        .arg("-A")
        .arg(format!("SIPPNP_KEMI_SCRIPT=\"{}\"", script.display()))
        .arg("-Y")
        .arg(&work.0)
        .arg("-P")
        .arg(work.0.join("kamailio.pid"))
        .arg("-w")
        .arg(&work.0)
        .env("SIPPNP_URL", URL_TEMPLATE)
        .env("SIPPNP_LIB", &lib)
        .env("SIPPNP_PYTHON", repo().join("examples/python"))
        // Short NOTIFY timers for the test (defaults: 500 ms, 4 s, 32 s).
        .env("SIPPNP_ENGINE", "t1_ms=200,t2_ms=800,timer_f_ms=5000")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(&work.0)
        // Its own process group: Kamailio forks workers, and the test stops them all.
        .process_group(0);
    let mut kamailio = Kamailio {
        child: LoggedChild::spawn(command),
        stopped: false,
    };

    let phone = UdpSocket::bind("127.0.0.1:0").expect("bind the phone socket");
    phone
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("read timeout");
    let me = phone.local_addr().expect("phone address");
    let subscribe = seed_subscribe(me);

    // Kamailio may still be starting: send the SUBSCRIBE every 300 ms until the 200 OK came
    // (the copies are retransmissions to the engine: the same 200 OK, no second NOTIFY). Then
    // wait for the NOTIFY and, unanswered, its retransmission.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (mut oks, mut notifies) = (Vec::<String>::new(), Vec::<String>::new());
    let mut sent = 0;
    let mut buf = vec![0u8; 65_536];
    while notifies.len() < 2 && Instant::now() < deadline {
        if let Some(status) = kamailio.child.guard.try_wait().expect("try_wait") {
            panic!("kamailio exited ({status}); log:\n{}", kamailio.log());
        }
        if oks.is_empty() {
            phone
                .send_to(subscribe.as_bytes(), kamailio_addr)
                .expect("send SUBSCRIBE");
            sent += 1;
        }
        while let Ok((len, from)) = phone.recv_from(&mut buf) {
            assert_eq!(from, kamailio_addr, "answers come from Kamailio's socket");
            let text = String::from_utf8(buf[..len].to_vec()).expect("UTF-8 SIP");
            if text.starts_with("SIP/2.0 200 OK\r\n") {
                oks.push(text);
            } else if text.starts_with("NOTIFY ") {
                notifies.push(text);
            }
        }
    }
    let ok = oks
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("no 200 OK from Kamailio; log:\n{}", kamailio.log()));
    assert!(
        notifies.len() == 2,
        "expected a NOTIFY and its retransmission, got {}; log:\n{}",
        notifies.len(),
        kamailio.log()
    );
    let notify = notifies[0].clone();
    assert_eq!(notifies[1], notify, "the retransmission is the same NOTIFY");
    assert!(
        oks.iter().all(|o| *o == ok),
        "every copy of the SUBSCRIBE gets the same 200 OK"
    );

    assert_eq!(header(&ok, "Call-ID"), Some("1278367207-5060-1@BHC.BI.DC.BJH"));
    assert_eq!(header(&ok, "CSeq"), Some("20000 SUBSCRIBE"));
    assert_eq!(header(&ok, "Contact"), Some(format!("<sip:{kamailio_addr}>").as_str()));
    let via = header(&ok, "Via").expect("Via");
    assert!(
        via.contains(&format!("rport={}", me.port())) && via.contains("received=127.0.0.1"),
        "{via}"
    );
    assert!(header(&ok, "To").is_some_and(|to| to.contains(";tag=")), "{ok}");

    assert!(notify.starts_with(&format!("NOTIFY sip:{me} SIP/2.0\r\n")), "{notify}");
    assert_eq!(body(&notify).trim_end(), EXPECTED_URL);
    assert_eq!(header(&notify, "Content-Type"), Some("application/url"));
    assert_eq!(header(&notify, "Event"), Some("ua-profile"));
    assert!(
        header(&notify, "Via").is_some_and(|v| v.contains(&kamailio_addr.to_string())),
        "{notify}"
    );

    // The phone answers the retransmitted NOTIFY: the engine logs `acknowledged`, and no
    // NOTIFY comes after that. An OPTIONS goes to the script's other routing.
    let answer = format!(
        "SIP/2.0 200 OK\r\nVia: {}\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {}\r\nContent-Length: 0\r\n\r\n",
        header(&notify, "Via").unwrap_or_default(),
        header(&notify, "From").unwrap_or_default(),
        header(&notify, "To").unwrap_or_default(),
        header(&notify, "Call-ID").unwrap_or_default(),
        header(&notify, "CSeq").unwrap_or_default(),
    );
    phone
        .send_to(answer.as_bytes(), kamailio_addr)
        .expect("answer the NOTIFY");
    kamailio.child.expect_line(
        "sippnp: acknowledged mac=000b82273b89 status=200",
        Duration::from_secs(10),
    );
    let options = format!(
        "OPTIONS sip:{kamailio_addr} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-opt-1\r\n\
         From: <sip:test@{me}>;tag=1\r\nTo: <sip:{kamailio_addr}>\r\nCall-ID: opt-1@{me}\r\n\
         CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    );
    phone.send_to(options.as_bytes(), kamailio_addr).expect("send OPTIONS");
    phone
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    let reply = loop {
        let (len, _) = phone.recv_from(&mut buf).expect("no answer to OPTIONS within 5 s");
        let text = String::from_utf8_lossy(&buf[..len]).into_owned();
        assert!(
            !text.starts_with("NOTIFY "),
            "a NOTIFY after the phone answered:\n{text}"
        );
        // Late 200 OKs (for the repeated SUBSCRIBEs) may still come.
        if header(&text, "Call-ID") == Some(format!("opt-1@{me}").as_str()) {
            break text;
        }
    };
    assert!(reply.starts_with("SIP/2.0 404 "), "{reply}");

    // One line per engine event: one discovery for all the copies, the retransmission, the
    // answer.
    std::thread::sleep(Duration::from_millis(500));
    let all = kamailio.log();
    let count = |needle: &str| all.lines().filter(|l| l.contains(needle)).count();
    let port = me.port();
    assert_eq!(
        count(&format!(
            "sippnp: discovered mac=000b82273b89 vendor=grandstream model=GXP2110 fw=1.0.1.108 ip=127.0.0.1:{port}"
        )),
        1,
        "{sent} SUBSCRIBEs sent:\n{all}"
    );
    assert_eq!(
        count(&format!("sippnp: answered mac=000b82273b89 url={EXPECTED_URL}")),
        1,
        "{all}"
    );
    assert_eq!(count("sippnp: notified mac=000b82273b89 attempt=1"), 1, "{all}");
    assert_eq!(count("sippnp: notified mac=000b82273b89 attempt=2"), 1, "{all}");
    assert_eq!(count("sippnp: notified mac=000b82273b89 attempt=3"), 0, "{all}");
    assert_eq!(count("sippnp: acknowledged mac=000b82273b89 status=200"), 1, "{all}");
    assert!(!all.contains("SUBSCRIBE sip:"), "the log shows a packet:\n{all}");
    assert!(
        !all.contains("Traceback") && !all.contains(" ERROR: "),
        "errors in the Kamailio log (the reply to the NOTIFY is handled too):\n{all}"
    );

    // Evidence, shown with --nocapture.
    let events: Vec<&str> = all.lines().filter(|l| l.contains("sippnp: ")).collect();
    eprintln!("-- Kamailio's sippnp lines:\n{}", events.join("\n"));
    kamailio.stop();
}

/// The running Kamailio, started with `process_group(0)`: its pid is its process group's id.
struct Kamailio {
    child: LoggedChild,
    stopped: bool,
}

impl Kamailio {
    /// Everything Kamailio logged so far (and within the next 200 ms).
    fn log(&mut self) -> String {
        self.child.drain(Duration::from_millis(200)).join("\n")
    }

    /// SIGTERM to the group (Kamailio stops its workers, reaps them and exits), then SIGKILL
    /// to whatever is left after 5 s.
    fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        let Ok(pid) = i32::try_from(self.child.guard.child().id()) else {
            return;
        };
        // SAFETY: kill(2) on the process group this test created; no memory is involved.
        unsafe { libc::kill(-pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.child.guard.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: as above; the main process has not exited, so the group is still ours.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        // A failed assertion must not leave workers behind (they hold the port).
        self.stop();
    }
}

/// A directory in the temp directory, removed with its content on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("sippnp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the temp directory");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
