//! The Python side: builds the cdylib, runs the ctypes binding's unittest suite
//! (tests/python/test_sippnp.py), then runs examples/python/responder.py and plays a phone
//! against it over UDP on 127.0.0.1. Skipped (with a note) only when python3 is missing.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::process::{ChildGuard, build_library, forward_lines, free_udp_port, tool_version, wait_for_line};
use common::repo;
use common::sip::{body, header, seed_subscribe};

const URL_TEMPLATE: &str = "http://127.0.0.1:8080/prov/{mac}/";
const EXPECTED_URL: &str = "http://127.0.0.1:8080/prov/000b82273b89/";
/// Datagrams the responder handles before it exits: our SUBSCRIBE plus up to ~10 s of retries
/// every 200 ms, then keep-alives until the count is used up.
const RESPONDER_COUNT: u32 = 60;

fn python3_available() -> bool {
    tool_version("python3").is_ok_and(|s| s.success())
}

#[test]
fn python_binding_and_responder() {
    if !python3_available() {
        println!("note: python3 not found; skipping the Python binding tests");
        return;
    }
    let lib = build_library();
    run_unittests(&lib);
    run_responder(&lib);
}

fn run_unittests(lib: &Path) {
    let output = Command::new("python3")
        .args(["tests/python/test_sippnp.py", "-v"])
        .current_dir(repo())
        .env("SIPPNP_LIB", lib)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("cannot run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "tests/python/test_sippnp.py failed ({}):\n{stdout}{stderr}",
        output.status
    );
}

fn run_responder(lib: &Path) {
    let port = free_udp_port();
    let listen = format!("127.0.0.1:{port}");
    let count = RESPONDER_COUNT.to_string();
    let child = Command::new("python3")
        .args([
            "-u",
            "examples/python/responder.py",
            "--listen",
            &listen,
            "--url",
            URL_TEMPLATE,
        ])
        .args(["--count", &count])
        .arg("--lib")
        .arg(lib)
        .current_dir(repo())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cannot start the responder");
    let mut guard = ChildGuard::new(child);
    let stdout = guard.child().stdout.take().expect("piped stdout");
    let (lines, reader) = forward_lines(stdout);
    let mut seen = Vec::new();
    assert!(
        wait_for_line(&lines, &mut seen, "listening on", Duration::from_secs(10)).is_ok(),
        "the responder did not start: {seen:?}"
    );

    let phone = UdpSocket::bind("127.0.0.1:0").expect("bind the phone socket");
    phone
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("read timeout");
    let phone_addr = phone.local_addr().expect("phone address");
    let responder: SocketAddr = listen.parse().expect("listen address");
    let subscribe = seed_subscribe(phone_addr);

    // Send the SUBSCRIBE every 200 ms until both the 200 OK and the NOTIFY arrived (~10 s).
    let deadline = Instant::now() + Duration::from_secs(10);
    let (mut ok, mut notify) = (None::<String>, None::<String>);
    let mut sent = 0u32;
    let mut last_send: Option<Instant> = None;
    let mut buf = vec![0u8; 65536];
    while (ok.is_none() || notify.is_none()) && Instant::now() < deadline {
        if ok.is_none() && last_send.is_none_or(|t| t.elapsed() >= Duration::from_millis(200)) {
            assert!(
                sent < RESPONDER_COUNT,
                "no answer after {sent} SUBSCRIBEs; output: {seen:?}"
            );
            phone.send_to(subscribe.as_bytes(), responder).expect("send SUBSCRIBE");
            sent += 1;
            last_send = Some(Instant::now());
        }
        match phone.recv_from(&mut buf) {
            Ok((n, from)) => {
                assert_eq!(from, responder, "datagram from an unexpected address");
                let text = String::from_utf8(buf[..n].to_vec()).expect("UTF-8 SIP message");
                if text.starts_with("SIP/2.0 200 OK\r\n") {
                    ok.get_or_insert(text);
                } else if text.starts_with("NOTIFY ") {
                    notify.get_or_insert(text);
                } else {
                    panic!("unexpected datagram: {}", text.lines().next().unwrap_or(""));
                }
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("receive failed: {e}"),
        }
    }
    while let Ok(line) = lines.try_recv() {
        seen.push(line);
    }
    let ok = ok.unwrap_or_else(|| panic!("no 200 OK within 10 s; responder output: {seen:?}"));
    let notify = notify.unwrap_or_else(|| panic!("no NOTIFY within 10 s; responder output: {seen:?}"));

    assert_eq!(header(&ok, "Call-ID"), Some("1278367207-5060-1@BHC.BI.DC.BJH"));
    assert_eq!(header(&ok, "CSeq"), Some("20000 SUBSCRIBE"));
    assert!(
        notify.starts_with(&format!("NOTIFY sip:{phone_addr} SIP/2.0\r\n")),
        "{notify}"
    );
    assert_eq!(body(&notify), EXPECTED_URL, "NOTIFY body");
    let length: usize = header(&notify, "Content-Length")
        .expect("NOTIFY Content-Length")
        .parse()
        .expect("numeric Content-Length");
    assert_eq!(length, body(&notify).len(), "Content-Length matches the body");
    assert_eq!(header(&notify, "Event"), Some("ua-profile"));
    assert_eq!(header(&notify, "Content-Type"), Some("application/url"));
    assert_eq!(header(&notify, "Call-ID"), Some("1278367207-5060-1@BHC.BI.DC.BJH"));

    // Use up the responder's --count with keep-alives and check it exits cleanly. Every
    // datagram sent so far was one of the count; resend slowly should any go missing.
    for _ in sent..RESPONDER_COUNT {
        phone.send_to(b"\r\n\r\n", responder).expect("send keep-alive");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut next_resend = Instant::now() + Duration::from_secs(3);
    let status = loop {
        if let Some(status) = guard.try_wait().expect("cannot poll the responder") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the responder did not exit; output: {seen:?}"
        );
        if Instant::now() >= next_resend {
            phone.send_to(b"\r\n\r\n", responder).expect("send keep-alive");
            next_resend = Instant::now() + Duration::from_millis(200);
        }
        thread::sleep(Duration::from_millis(20));
    };
    reader.join().expect("stdout reader");
    seen.extend(lines.try_iter());
    let output = seen.join("\n");
    let keep_alives = seen.iter().filter(|l| l.contains("SIPPNP_ERR_SIP_EMPTY")).count();
    let events: Vec<&str> = seen
        .iter()
        .filter(|l| !l.contains("SIPPNP_ERR_SIP_EMPTY"))
        .map(String::as_str)
        .collect();
    println!(
        "responder output ({keep_alives} keep-alive lines left out):\n{}",
        events.join("\n")
    );
    assert!(status.success(), "responder exited with {status}:\n{output}");
    assert!(output.contains("200 OK sent"), "{output}");
    assert!(output.contains(&format!("url={EXPECTED_URL}")), "{output}");
    assert!(output.contains("SIPPNP_ERR_SIP_EMPTY"), "{output}");
    assert!(
        output.contains(&format!("done after {RESPONDER_COUNT} datagrams")),
        "{output}"
    );
    let answered = output.lines().filter(|l| l.contains("200 OK sent")).count();
    assert!(
        answered >= 1 && answered <= sent as usize,
        "{answered} answers to {sent} SUBSCRIBEs"
    );
    // One line per event: never a packet, never a password.
    assert!(!output.contains("not-logged"), "a password leaked:\n{output}");
    assert!(
        !output.contains("SIP/2.0") && !output.contains("Call-ID"),
        "a packet leaked:\n{output}"
    );
}
