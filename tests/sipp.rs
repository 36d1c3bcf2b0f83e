//! SIPp acceptance: SIPp (Debian package `sip-tester`) plays five phones against
//! `sippnp serve --listen 127.0.0.1:PORT --http 127.0.0.1:PORT2`, each from its own loopback
//! address (127.0.0.11 … 15; the whole 127/8 is loopback on Linux), all at once:
//!
//! | scenario (tests/sipp/) | shape | what must happen |
//! |---|---|---|
//! | `grandstream.xml` | fixed port 5080, the same SUBSCRIBE 5× one second apart | a 200 to each, exactly one NOTIFY (answered) |
//! | `snom.xml` | no Via branch, `rport`, ephemeral source port ≠ Via port | 200 with `received`/`rport` to the source port, NOTIFY |
//! | `yealink.xml` | bare `MAC001565…` in the R-URI, MAC user part in Contact | NOTIFY to that Contact URI |
//! | `late.xml` | ignores the first two NOTIFYs | retransmissions, then `acknowledged` |
//! | `silent.xml` | never answers the NOTIFY | `failed … reason=timeout` after Timer F |
//!
//! The server runs with SHORT timers for the test (`--t1-ms 100 --t2-ms 400 --timer-f-ms
//! 2000`, instead of RFC 3261's 500 ms, 4 s and 32 s), so the retransmissions and Timer F
//! happen within seconds. SIPp runs with `-nr`: its own UDP retransmission logic would send
//! the scenario's SUBSCRIBEs again and swallow the server's identical NOTIFY retransmissions.
//! Any NOTIFY a scenario does not expect aborts its call, so "exactly one NOTIFY" is SIPp's
//! verdict. Evidence: SIPp's exit status and its `-trace_err`, `-trace_msg` and `-trace_logs`
//! files (printed when a scenario fails), and the server's log.
//!
//! Then HTTP: the URL each NOTIFY carried (`http://127.0.0.1:PORT2/prov/TOKEN/`) plus the
//! vendor's file name returns the rendered config (200, the vendor's content type) when
//! fetched from the phone's address; a wrong token, the right token from another address
//! (127.0.0.2), another phone's token, and a path that is not ours are refused.
//!
//! Skipped with a note when `sipp` is not installed, unless `SIPPNP_REQUIRE_SIPP=1` (CI),
//! which makes that a failure. Linux only (127.0.0.x source addresses).

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::http::{self, target_of};
use common::process::{LoggedChild, build_example, free_tcp_port, tool_runs_or_skip};
use common::repo;

/// One SIPp phone: scenario, loopback address, port, MAC as the phone writes it, the file it
/// fetches afterwards (`{mac}`/`{MAC}`: its MAC in lower/upper case), that file's content type
/// and the SIP password its config must carry.
struct Phone {
    scenario: &'static str,
    ip: Ipv4Addr,
    /// 0: any free port.
    port: u16,
    mac: &'static str,
    file: Option<(&'static str, &'static str, &'static str)>,
}

const PHONES: [Phone; 5] = [
    Phone {
        scenario: "grandstream",
        ip: Ipv4Addr::new(127, 0, 0, 11),
        port: 5080,
        mac: "000B82AABB01",
        file: Some(("cfg{mac}.xml", "application/xml", "gs-Secret-101")),
    },
    Phone {
        scenario: "snom",
        ip: Ipv4Addr::new(127, 0, 0, 12),
        port: 0,
        mac: "000413AABB02",
        file: Some(("{MAC}.xml", "application/xml", "snom-Secret-102")),
    },
    Phone {
        scenario: "yealink",
        ip: Ipv4Addr::new(127, 0, 0, 13),
        port: 5059,
        mac: "001565aabb03",
        file: Some(("{mac}.cfg", "text/plain", "yea-Secret-103")),
    },
    Phone {
        scenario: "late",
        ip: Ipv4Addr::new(127, 0, 0, 14),
        port: 0,
        mac: "000B82AABB04",
        file: None,
    },
    Phone {
        scenario: "silent",
        ip: Ipv4Addr::new(127, 0, 0, 15),
        port: 0,
        mac: "000B82AABB05",
        file: None,
    },
];

/// The devices file: every phone assigned (passwords must never reach the log).
const DEVICES: &str = r#"
[[device]]
mac = "000B82AABB01"
[[device.account]]
user_id = "101"
password = "gs-Secret-101"
registrar = "127.0.0.1"

[[device]]
mac = "000413AABB02"
model = "snom370"
[[device.account]]
user_id = "102"
password = "snom-Secret-102"
registrar = "127.0.0.1"

[[device]]
mac = "001565AABB03"
[[device.account]]
user_id = "103"
password = "yea-Secret-103"
registrar = "127.0.0.1"

[[device]]
mac = "000B82AABB04"

[[device]]
mac = "000B82AABB05"
"#;

/// How long anything may take before the test gives up.
const SLOW: Duration = Duration::from_secs(30);

#[test]
fn sipp_phones_against_sippnp_serve() {
    if !tool_runs_or_skip("sipp", &["-v"], "SIPPNP_REQUIRE_SIPP") {
        return;
    }
    let work = TempDir::new("sipp");
    let devices = work.0.join("devices.toml");
    std::fs::write(&devices, DEVICES).expect("write the devices file");

    let http_port = free_tcp_port();
    let url = format!("http://127.0.0.1:{http_port}/prov/{{token}}/");
    let mut serve = Command::new(build_example("sippnp"));
    serve
        .args(["serve", "--listen", "127.0.0.1:0", "--url", &url])
        .arg("--devices")
        .arg(&devices)
        .args(["--http", &format!("127.0.0.1:{http_port}")])
        // Short timers for the test (RFC 3261: 500 ms, 4 s, 32 s).
        .args(["--t1-ms", "100", "--t2-ms", "400", "--timer-f-ms", "2000"])
        .args(["--duration-ms", "120000"])
        .current_dir(repo());
    let mut server = LoggedChild::spawn(serve);
    let listening = server.expect_line("listening on udp", SLOW);
    let sip: SocketAddr = listening
        .split_whitespace()
        .skip_while(|w| *w != "udp")
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {listening:?}"));
    server.expect_line("http on", SLOW);
    let http_addr: SocketAddr = ([127, 0, 0, 1], http_port).into();

    // All five phones at once; each SIPp run is one thread.
    let started = Instant::now();
    let runs: Vec<_> = PHONES
        .iter()
        .map(|phone| {
            let dir = work.0.join(phone.scenario);
            thread::spawn(move || run_sipp(phone, sip, &dir))
        })
        .collect();
    let results: Vec<SippRun> = runs.into_iter().map(|r| r.join().expect("sipp thread")).collect();
    let failed: Vec<String> = results.iter().filter(|r| !r.ok()).map(SippRun::report).collect();
    assert!(
        failed.is_empty(),
        "SIPp scenarios failed:\n{}\nserver log:\n{}",
        failed.join("\n"),
        server.drain(Duration::from_millis(200)).join("\n")
    );
    eprintln!("SIPp: 5 scenarios passed in {:?}", started.elapsed());

    // The silent phone's NOTIFY times out at Timer F (2 s after its SUBSCRIBE).
    server.expect_line("failed mac=000b82aabb05 reason=timeout", SLOW);
    let log = server.drain(Duration::from_millis(300)).to_vec();
    check_log(&log);

    // SIPp's own evidence: what each phone logged.
    let late = &results[3].logs;
    assert_eq!(late.matches("ignored").count(), 2, "late phone: {late}");
    let silent = &results[4].logs;
    assert!(
        silent.matches("notify not answered").count() >= 3,
        "silent phone: {silent}"
    );
    let snom = &results[1];
    assert!(
        snom.logs
            .contains(&format!("rport {} local_port {}", snom.port, snom.port)),
        "the 200 OK's Via must carry rport=<source port>: {}",
        snom.logs
    );

    // HTTP: each phone fetches its config with the URL its NOTIFY carried.
    let mut tokens = Vec::new();
    for (phone, run) in PHONES.iter().zip(&results) {
        let Some((file, content_type, password)) = phone.file else {
            continue;
        };
        let notify_url = run.notify_url();
        assert!(
            notify_url.starts_with(&format!("http://127.0.0.1:{http_port}/prov/")) && notify_url.ends_with('/'),
            "{}: {notify_url}",
            phone.scenario
        );
        let token = notify_url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .expect("token")
            .to_owned();
        assert!(
            token.len() >= 16 && token != "{token}",
            "{}: token {token:?}",
            phone.scenario
        );
        let lower = phone.mac.to_ascii_lowercase();
        let file = file
            .replace("{mac}", &lower)
            .replace("{MAC}", &phone.mac.to_ascii_uppercase());
        let target = format!("{}{file}", target_of(&notify_url));
        let from = Some(IpAddr::V4(phone.ip));

        let ok = http::get(http_addr, &target, from);
        assert_eq!(ok.status, 200, "{}: GET {target}: {ok:?}", phone.scenario);
        assert_eq!(ok.content_type.as_deref(), Some(content_type), "{}", phone.scenario);
        let body = String::from_utf8_lossy(&ok.body);
        assert!(body.contains(password), "{}: not its config:\n{body}", phone.scenario);

        let mut wrong = token.clone().into_bytes();
        wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
        let wrong_target = target.replace(&token, &String::from_utf8(wrong).expect("ASCII token"));
        let refused = http::get(http_addr, &wrong_target, from);
        assert_eq!(refused.status, 403, "{}: wrong token", phone.scenario);
        let elsewhere = http::get(http_addr, &target, Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))));
        assert_eq!(elsewhere.status, 403, "{}: right token from 127.0.0.2", phone.scenario);
        assert!(
            !String::from_utf8_lossy(&refused.body).contains("Secret"),
            "{}: a refusal leaked the config",
            phone.scenario
        );
        tokens.push((token, target));
    }
    // One phone's token does not open another phone's file, even from that phone's address.
    let (gs_token, _) = &tokens[0];
    let (snom_token, snom_target) = &tokens[1];
    let swapped = snom_target.replace(snom_token.as_str(), gs_token);
    assert_eq!(
        http::get(http_addr, &swapped, Some(IpAddr::V4(PHONES[1].ip))).status,
        403
    );
    assert_eq!(
        http::get(http_addr, &swapped, Some(IpAddr::V4(PHONES[0].ip))).status,
        403
    );
    // Not ours: 404.
    assert_eq!(http::get(http_addr, "/etc/passwd", None).status, 404);
    assert_eq!(
        http::get(
            http_addr,
            &format!("/prov/{gs_token}/cfg.xml"),
            Some(IpAddr::V4(PHONES[0].ip))
        )
        .status,
        404,
        "a common file sippnp does not render"
    );

    let log = server.drain(Duration::from_millis(300)).to_vec();
    let text = log.join("\n");
    for secret in ["gs-Secret-101", "snom-Secret-102", "yea-Secret-103", gs_token.as_str()] {
        assert!(!text.contains(secret), "the log shows a secret ({secret}):\n{text}");
    }
    assert!(!text.contains("SUBSCRIBE sip:"), "the log shows a packet:\n{text}");
    assert!(
        log.iter()
            .any(|l| l.starts_with("http GET /prov/***/cfg000b82aabb01.xml from 127.0.0.11 status=200")),
        "{text}"
    );
    // Evidence, shown with --nocapture.
    for run in &results {
        eprintln!("-- SIPp {} (exit 0), its log:\n{}", run.scenario, run.logs.trim_end());
    }
    eprintln!("-- sippnp serve log:\n{text}");
}

/// Per-MAC checks on the server's log.
fn check_log(log: &[String]) {
    let text = log.join("\n");
    let count = |needle: &str| log.iter().filter(|l| l.contains(needle)).count();
    for phone in &PHONES {
        let mac = phone.mac.to_ascii_lowercase();
        let ip = phone.ip;
        assert_eq!(
            count(&format!("discovered mac={mac} ")),
            1,
            "{}: one discovery (retransmissions are not new):\n{text}",
            phone.scenario
        );
        assert!(
            log.iter()
                .any(|l| l.starts_with(&format!("discovered mac={mac} ")) && l.contains(&format!(" ip={ip}:"))),
            "{}: discovered with the source address:\n{text}",
            phone.scenario
        );
        assert_eq!(
            count(&format!("answered mac={mac} url=http://127.0.0.1:")),
            1,
            "{}:\n{text}",
            phone.scenario
        );
        assert_eq!(
            count(&format!("notified mac={mac} attempt=1")),
            1,
            "{}:\n{text}",
            phone.scenario
        );
    }
    for mac in ["000b82aabb01", "000413aabb02", "001565aabb03"] {
        assert_eq!(
            count(&format!("notified mac={mac} attempt=2")),
            0,
            "{mac}: retransmitted:\n{text}"
        );
        assert_eq!(
            count(&format!("acknowledged mac={mac} status=200")),
            1,
            "{mac}:\n{text}"
        );
    }
    // The late phone: attempts 1, 2, 3, then acknowledged.
    assert_eq!(count("notified mac=000b82aabb04 attempt=3"), 1, "{text}");
    assert_eq!(count("notified mac=000b82aabb04 attempt=4"), 0, "{text}");
    assert_eq!(count("acknowledged mac=000b82aabb04 status=200"), 1, "{text}");
    // The silent phone: several attempts, no acknowledgement, one failure.
    assert!(count("notified mac=000b82aabb05 attempt=3") == 1, "{text}");
    assert_eq!(count("acknowledged mac=000b82aabb05"), 0, "{text}");
    assert_eq!(count("failed mac=000b82aabb05 reason=timeout"), 1, "{text}");
    assert_eq!(count("rate-limited"), 0, "{text}");
}

/// What one SIPp run left behind.
struct SippRun {
    scenario: &'static str,
    port: u16,
    output: Output,
    /// The `-trace_logs` file (the scenario's `<log>` lines).
    logs: String,
    /// The `-trace_err` file: unexpected messages, failed checks.
    errors: String,
    /// The `-trace_msg` file: every message sent and received.
    messages: String,
}

impl SippRun {
    fn ok(&self) -> bool {
        self.output.status.success()
    }

    fn report(&self) -> String {
        format!(
            "== {} (exit {:?})\n-- errors:\n{}\n-- logs:\n{}\n-- messages:\n{}\n-- stdout (tail):\n{}",
            self.scenario,
            self.output.status.code(),
            self.errors,
            self.logs,
            self.messages,
            tail(&String::from_utf8_lossy(&self.output.stdout), 30)
        )
    }

    /// The URL the scenario captured from the NOTIFY body (`notify-url URL ...`).
    fn notify_url(&self) -> String {
        self.logs
            .lines()
            .find_map(|l| l.strip_prefix("notify-url "))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("{}: no notify-url in the SIPp log:\n{}", self.scenario, self.logs))
            .to_owned()
    }
}

/// Runs `phone`'s scenario once against `server`, in `dir`.
fn run_sipp(phone: &'static Phone, server: SocketAddr, dir: &Path) -> SippRun {
    std::fs::create_dir_all(dir).expect("create the SIPp directory");
    // A fixed port (a Grandstream sends from 5080) unless another run holds it right now.
    let port = match phone.port {
        0 => free_udp_port_on(phone.ip),
        fixed if UdpSocket::bind((phone.ip, fixed)).is_ok() => fixed,
        fixed => {
            eprintln!(
                "note: {}:{fixed} is busy; {} uses another port",
                phone.ip, phone.scenario
            );
            free_udp_port_on(phone.ip)
        }
    };
    let file = |name: &str| -> PathBuf { dir.join(name) };
    let scenario = repo().join("tests/sipp").join(format!("{}.xml", phone.scenario));
    let output = Command::new("sipp")
        .arg(server.to_string())
        .arg("-sf")
        .arg(&scenario)
        .args(["-i", &phone.ip.to_string(), "-p", &port.to_string()])
        .args(["-key", "mac", phone.mac])
        // One call, no SIPp retransmissions, no keyboard, a global time limit that fails.
        .args(["-m", "1", "-nr", "-nostdin", "-timeout", "30s", "-timeout_error"])
        .args(["-trace_err", "-trace_msg", "-trace_logs"])
        .arg("-error_file")
        .arg(file("errors.log"))
        .arg("-message_file")
        .arg(file("messages.log"))
        .arg("-log_file")
        .arg(file("logs.log"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("cannot run sipp");
    let read = |name: &str| std::fs::read_to_string(file(name)).unwrap_or_default();
    SippRun {
        scenario: phone.scenario,
        port,
        output,
        logs: read("logs.log"),
        errors: read("errors.log"),
        messages: read("messages.log"),
    }
}

fn free_udp_port_on(ip: Ipv4Addr) -> u16 {
    let probe = UdpSocket::bind((ip, 0)).expect("bind a probe socket");
    probe.local_addr().expect("probe address").port()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
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
