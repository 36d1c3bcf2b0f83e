//! Builds `examples/c/pbx_module.c` against the cdylib with strict C flags and drives it over
//! loopback as a phone would, under valgrind when it is installed.
//!
//! Scheme (robust against slow valgrind start-up and free of retries that would skew the
//! datagram count): the program binds its socket *before* it prints `listening on …`, so the
//! test waits for that line and then sends every datagram exactly once. The program is run
//! with MAX_DATAGRAMS = 4 and the test sends exactly four:
//!
//! 1. a SUBSCRIBE for a MAC in the program's table: expect a 200 OK and a NOTIFY;
//! 2. the phone's 200 OK to that NOTIFY: the program must answer nothing (a SIP response);
//! 3. a garbage datagram: the program logs an error and keeps going;
//! 4. a SUBSCRIBE for an unknown MAC: the program logs `silent` and sends nothing, which also
//!    proves it survived the garbage.
//!
//! Each step waits for the program's log line for that datagram before the next one, so a
//! slow valgrind can never reorder or merge them. Then the program exits by itself, and the
//! test asserts exit status 0 (valgrind returns 99 on memory errors or definite/indirect
//! leaks) and that the userdata finalizer ran exactly once.
//!
//! Environment: skipped (passing, with a note) when `cc` is missing. Without valgrind on PATH
//! the program runs bare, unless `SIPPNP_REQUIRE_VALGRIND=1`, which makes that a failure.

mod common;

use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::process::{ChildGuard, build_library, forward_lines, free_udp_port, tool_version, wait_for_line};
use common::sip::{header, seed_subscribe};

/// A MAC in the C program's table, and the URL template the program is started with.
const KNOWN_MAC: &str = "000b82273b89";
const URL_TEMPLATE: &str = "http://127.0.0.1:8080/prov/{mac}/cfg{mac}.xml";
/// One of the passwords in the C program's table: it must never show up in its output.
const TABLE_PASSWORD: &str = "gxp-201-secret";
const MAX_DATAGRAMS: usize = 4;
/// How long to wait for anything the program does (valgrind makes it slow).
const SLOW: Duration = Duration::from_secs(20);
/// How long to listen for an answer that must not come.
const SILENCE: Duration = Duration::from_secs(1);

#[test]
fn c_example_answers_a_phone_under_valgrind() {
    let root = common::repo();
    if !tool_exists("cc") {
        println!("note: `cc` is not on PATH; skipping the C example test");
        return;
    }

    let lib = build_library();
    let lib_dir = lib.parent().expect("the library's directory");
    let binary = compile_example(root, lib_dir);
    let valgrind = tool_exists("valgrind");
    if !valgrind {
        assert!(
            std::env::var("SIPPNP_REQUIRE_VALGRIND").as_deref() != Ok("1"),
            "SIPPNP_REQUIRE_VALGRIND=1 but valgrind is not on PATH"
        );
        println!("note: valgrind is not on PATH; running the C example without it");
    }

    let program_port = free_udp_port();
    let program_addr: SocketAddr = ([127, 0, 0, 1], program_port).into();
    let mut run = Program::spawn(&binary, valgrind, program_port);
    run.expect_line("listening on", SLOW);

    let phone = UdpSocket::bind("127.0.0.1:0").expect("bind the phone socket");
    let phone_port = phone.local_addr().expect("phone address").port();
    let here = format!("127.0.0.1:{phone_port}");

    // 1. A known phone subscribes: 200 OK first, then the NOTIFY with its URL.
    let subscribe = seed_subscribe(&here);
    assert!(subscribe.contains("MAC%3A000B82273B89"), "the seed names {KNOWN_MAC}");
    phone
        .send_to(subscribe.as_bytes(), program_addr)
        .expect("send SUBSCRIBE");
    let ok = receive(&phone, program_addr, SLOW, "the 200 OK");
    check_ok(&ok, phone_port);
    let notify = receive(&phone, program_addr, SLOW, "the NOTIFY");
    check_notify(&notify, &here, header(&ok, "To").unwrap_or_default());
    run.expect_line("rendered cfg000b82273b89.xml", SLOW);

    // 2. The phone's 200 OK to the NOTIFY: a response, so nothing comes back.
    phone
        .send_to(phone_ok_for(&notify).as_bytes(), program_addr)
        .expect("send 200 OK");
    run.expect_line("ignored a SIP response", SLOW);
    expect_silence(&phone, "the phone's 200 OK");

    // 3. Garbage: logged as an error, nothing sent, the program goes on.
    phone
        .send_to(b"\x00\x01 not SIP at all", program_addr)
        .expect("send garbage");
    run.expect_line("error from 127.0.0.1", SLOW);
    expect_silence(&phone, "garbage");

    // 4. An unknown phone: silence (the program's policy is SIPPNP_UNKNOWN_SILENT).
    let unknown = subscribe
        .replace("000B82273B89", "000B82FFFFFE")
        .replace("1278367207-5060-1@", "1278367208-5060-1@");
    phone
        .send_to(unknown.as_bytes(), program_addr)
        .expect("send unknown SUBSCRIBE");
    run.expect_line("silent: unknown device", SLOW);
    expect_silence(&phone, "an unknown MAC");

    let (status, stdout, stderr) = run.finish(Duration::from_secs(60));
    println!("pbx_module stdout:\n{stdout}");
    for summary in stderr.lines().filter(|l| {
        ["ERROR SUMMARY", "in use at exit", "definitely lost", "indirectly lost"]
            .iter()
            .any(|k| l.contains(k))
    }) {
        println!("valgrind: {}", summary.trim());
    }
    assert!(
        status.success(),
        "pbx_module exited with {status} (99 = valgrind found errors)\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert_eq!(
        stdout.matches("userdata_free: inventory released").count(),
        1,
        "the userdata finalizer must run exactly once\nstdout:\n{stdout}"
    );
    assert!(
        stdout.contains(&format!("stopped after {MAX_DATAGRAMS} datagrams")),
        "stdout:\n{stdout}"
    );
    assert!(
        !stdout.contains(TABLE_PASSWORD) && !stderr.contains(TABLE_PASSWORD),
        "a password leaked into the output"
    );
    assert!(
        !stdout.contains("SIP/2.0"),
        "the program must not print packets\nstdout:\n{stdout}"
    );
}

/// Whether `tool --version` runs.
fn tool_exists(tool: &str) -> bool {
    tool_version(tool).is_ok()
}

/// Compiles the example with the strict flags into `<target>/c_example/`. The library's
/// SONAME is `libsippnp.so.<major>`, which cargo does not create, so the binary's rpath points
/// at that directory, where a link of that name leads to the freshly built library.
fn compile_example(root: &Path, lib_dir: &Path) -> PathBuf {
    let out_dir = lib_dir.parent().expect("target dir").join("c_example");
    std::fs::create_dir_all(&out_dir).expect("create the output directory");
    let header = std::fs::read_to_string(root.join("include/sippnp.h")).expect("read sippnp.h");
    let major = header
        .lines()
        .find_map(|l| l.strip_prefix("#define SIPPNP_VERSION_MAJOR "))
        .expect("SIPPNP_VERSION_MAJOR in sippnp.h")
        .trim();
    let soname_link = out_dir.join(format!("libsippnp.so.{major}"));
    let _ = std::fs::remove_file(&soname_link);
    match std::os::unix::fs::symlink(lib_dir.join("libsippnp.so"), &soname_link) {
        // Another run of this test made the same link a moment ago.
        Err(e) if e.kind() != ErrorKind::AlreadyExists => panic!("link {}: {e}", soname_link.display()),
        _ => {}
    }

    let binary = out_dir.join("pbx_module");
    let output = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g", "-I"])
        .arg(root.join("include"))
        .arg(root.join("examples/c/pbx_module.c"))
        .arg("-o")
        .arg(&binary)
        .arg(format!("-L{}", lib_dir.display()))
        .arg(format!("-Wl,-rpath,{}", out_dir.display()))
        .arg("-lsippnp")
        .output()
        .expect("run cc");
    assert!(
        output.status.success(),
        "pbx_module.c does not compile with the strict flags:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    binary
}

/// The running program: killed on drop unless it has been waited for.
struct Program {
    child: ChildGuard,
    lines: Receiver<String>,
    stdout: Vec<String>,
    stderr: Option<JoinHandle<String>>,
}

impl Program {
    fn spawn(binary: &Path, valgrind: bool, port: u16) -> Program {
        let mut command = if valgrind {
            let mut c = Command::new("valgrind");
            c.args([
                "--error-exitcode=99",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
            ])
            .arg(binary);
            c
        } else {
            Command::new(binary)
        };
        let port = port.to_string();
        command
            .args(["127.0.0.1", port.as_str(), URL_TEMPLATE, &MAX_DATAGRAMS.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = ChildGuard::new(command.spawn().expect("start pbx_module"));

        let stdout = child.child().stdout.take().expect("piped stdout");
        let (lines, _) = forward_lines(stdout);
        let mut stderr = child.child().stderr.take().expect("piped stderr");
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Program {
            child,
            lines,
            stdout: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// Waits for a stdout line containing `needle`, keeping every line seen.
    fn expect_line(&mut self, needle: &str, timeout: Duration) {
        match wait_for_line(&self.lines, &mut self.stdout, needle, timeout) {
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) => {
                panic!(
                    "no line with {needle:?} within {timeout:?}; stdout so far:\n{}",
                    self.stdout.join("\n")
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                let stderr = self.stderr.take().map(|h| h.join().unwrap_or_default());
                panic!(
                    "pbx_module closed stdout before printing {needle:?}\nstdout:\n{}\nstderr:\n{}",
                    self.stdout.join("\n"),
                    stderr.unwrap_or_default()
                )
            }
        }
    }

    /// Waits for the program to exit by itself; returns its status, stdout and stderr.
    fn finish(mut self, timeout: Duration) -> (ExitStatus, String, String) {
        let deadline = Instant::now() + timeout;
        let status = loop {
            match self.child.try_wait().expect("poll pbx_module") {
                Some(status) => break status,
                None if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
                None => {
                    // Dropping `self` on the way out kills and reaps the program.
                    panic!(
                        "pbx_module did not stop after {MAX_DATAGRAMS} datagrams; stdout:\n{}",
                        self.stdout.join("\n")
                    );
                }
            }
        };
        // The process is gone, so both pipes reach end of file.
        self.stdout.extend(self.lines.iter());
        let stderr = self
            .stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        (status, self.stdout.join("\n"), stderr)
    }
}

/// The phone's 200 OK to `notify`.
fn phone_ok_for(notify: &str) -> String {
    let mut ok = String::from("SIP/2.0 200 OK\r\n");
    for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
        let value = header(notify, name).unwrap_or_else(|| panic!("NOTIFY without {name}"));
        ok.push_str(&format!("{name}: {value}\r\n"));
    }
    ok.push_str("Content-Length: 0\r\n\r\n");
    ok
}

/// Receives one datagram from `from` as text.
fn receive(socket: &UdpSocket, from: SocketAddr, timeout: Duration, what: &str) -> String {
    socket.set_read_timeout(Some(timeout)).expect("set read timeout");
    let mut buf = vec![0u8; 65536];
    let (n, source) = socket
        .recv_from(&mut buf)
        .unwrap_or_else(|e| panic!("no {what} within {timeout:?}: {e}"));
    assert_eq!(source, from, "{what} came from elsewhere");
    String::from_utf8(buf[..n].to_vec()).unwrap_or_else(|_| panic!("{what} is not UTF-8"))
}

/// Asserts that nothing arrives for a while.
fn expect_silence(socket: &UdpSocket, after: &str) {
    socket.set_read_timeout(Some(SILENCE)).expect("set read timeout");
    let mut buf = [0u8; 2048];
    match socket.recv_from(&mut buf) {
        Ok((n, source)) => panic!(
            "expected silence after {after}, got {n} bytes from {source}:\n{}",
            String::from_utf8_lossy(&buf[..n])
        ),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "recv after {after}: {e}"
        ),
    }
}

fn check_ok(ok: &str, phone_port: u16) {
    assert!(ok.starts_with("SIP/2.0 200 OK\r\n"), "status line:\n{ok}");
    let to = header(ok, "To").expect("To");
    assert!(to.contains(";tag="), "To without our tag: {to}");
    assert_eq!(
        header(ok, "Call-ID"),
        Some("1278367207-5060-1@BHC.BI.DC.BJH"),
        "Call-ID echoed"
    );
    let via = header(ok, "Via").expect("Via");
    assert!(via.contains("received=127.0.0.1"), "Via: {via}");
    assert!(via.contains(&format!("rport={phone_port}")), "Via: {via}");
}

fn check_notify(notify: &str, here: &str, ok_to: &str) {
    assert!(
        notify.starts_with(&format!("NOTIFY sip:{here} SIP/2.0\r\n")),
        "request line must target our Contact:\n{notify}"
    );
    assert_eq!(header(notify, "Event"), Some("ua-profile"));
    assert_eq!(header(notify, "Subscription-State"), Some("terminated;reason=timeout"));
    assert_eq!(header(notify, "Content-Type"), Some("application/url"));
    assert_eq!(header(notify, "Call-ID"), Some("1278367207-5060-1@BHC.BI.DC.BJH"));
    let tag = |v: &str| v.split(";tag=").nth(1).map(str::to_owned);
    assert_eq!(
        header(notify, "From").and_then(tag),
        tag(ok_to),
        "the NOTIFY's From tag is the 200 OK's To tag"
    );
    let (_, body) = notify.split_once("\r\n\r\n").expect("NOTIFY has a body");
    let length: usize = header(notify, "Content-Length")
        .and_then(|v| v.parse().ok())
        .expect("Content-Length");
    assert_eq!(length, body.len(), "Content-Length matches the body");
    assert_eq!(body, URL_TEMPLATE.replace("{mac}", KNOWN_MAC));
}
