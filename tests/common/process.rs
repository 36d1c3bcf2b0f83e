//! Building the cdylib and running child processes from the integration tests.

use std::io::{BufRead, BufReader, Read};
use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::repo;

/// Runs `tool --version` with its output discarded: `Err` when the tool cannot be started.
pub fn tool_version(tool: &str) -> std::io::Result<ExitStatus> {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
}

/// Whether the `openssl` CLI runs; a missing one fails the test instead when
/// `SIPPNP_REQUIRE_OPENSSL=1` (CI installs it).
pub fn openssl_available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("SIPPNP_REQUIRE_OPENSSL").as_deref() != Ok("1"),
            "openssl is required (SIPPNP_REQUIRE_OPENSSL=1) but could not be run"
        );
        eprintln!("note: openssl not found; skipping the openssl checks");
    }
    ok
}

/// `cargo build --lib` (dev profile) and the path of the cdylib it produced (`libsippnp.so`
/// on Linux), in `$CARGO_TARGET_DIR/debug` or the crate's `target/debug`.
pub fn build_library() -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args(["build", "--lib"])
        .current_dir(repo())
        .output()
        .expect("cannot run cargo");
    assert!(
        output.status.success(),
        "cargo build --lib failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => repo().join(dir), // an absolute CARGO_TARGET_DIR replaces repo()
        None => repo().join("target"),
    };
    let name = if cfg!(target_os = "macos") {
        "libsippnp.dylib"
    } else if cfg!(windows) {
        "sippnp.dll"
    } else {
        "libsippnp.so"
    };
    let lib = target.join("debug").join(name);
    assert!(lib.is_file(), "{} not found after cargo build --lib", lib.display());
    lib
}

/// A port that was free a moment ago (bound, then released).
pub fn free_udp_port() -> u16 {
    let probe = UdpSocket::bind("127.0.0.1:0").expect("bind a probe socket");
    probe.local_addr().expect("probe address").port()
}

/// Kills and reaps the child on drop unless it was waited for (a failed assertion must not
/// leave a process running).
pub struct ChildGuard(Option<Child>);

impl ChildGuard {
    pub fn new(child: Child) -> ChildGuard {
        ChildGuard(Some(child))
    }

    pub fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("child already reaped")
    }

    /// Polls the child; once it has exited it is reaped and the guard has nothing left to do.
    pub fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        let status = self.child().try_wait()?;
        if status.is_some() {
            self.0 = None;
        }
        Ok(status)
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Sends every line of `output` (a child's stdout, say) down a channel from a new thread,
/// which ends at end of file or when the receiver is gone.
pub fn forward_lines(output: impl Read + Send + 'static) -> (Receiver<String>, JoinHandle<()>) {
    let (tx, lines) = mpsc::channel();
    let reader = thread::spawn(move || {
        for line in BufReader::new(output).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (lines, reader)
}

/// Waits for a line containing `needle`, collecting every line into `seen`. `Err` says whether
/// time ran out or the sender went away first.
pub fn wait_for_line(
    lines: &Receiver<String>,
    seen: &mut Vec<String>,
    needle: &str,
    timeout: Duration,
) -> Result<(), RecvTimeoutError> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left)?;
        let found = line.contains(needle);
        seen.push(line);
        if found {
            return Ok(());
        }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound, then released).
pub fn free_tcp_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a probe listener");
    probe.local_addr().expect("probe address").port()
}

/// `cargo build --example NAME` (dev profile) and the path of the executable, as cargo reports
/// it, else in `$CARGO_TARGET_DIR/debug/examples` or the crate's `target/debug/examples`.
pub fn build_example(name: &str) -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args(["build", "--example", name, "--message-format=json-render-diagnostics"])
        .current_dir(repo())
        .stderr(Stdio::inherit())
        .output()
        .expect("cannot run cargo");
    assert!(output.status.success(), "cargo build --example {name} failed");
    let reported = String::from_utf8_lossy(&output.stdout).lines().find_map(|line| {
        let message: serde_json::Value = serde_json::from_str(line).ok()?;
        let target = &message["target"];
        let is_ours = message["reason"] == "compiler-artifact"
            && target["name"] == name
            && target["kind"].as_array()?.iter().any(|k| k == "example");
        is_ours.then(|| message["executable"].as_str().map(PathBuf::from))?
    });
    reported.unwrap_or_else(|| {
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => repo().join(dir),
            None => repo().join("target"),
        };
        target
            .join("debug/examples")
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
    })
}

/// Whether `tool` can be run as `tool ARGS` (exit status ignored). When it cannot, the test
/// fails if the environment variable `require` is `1` (CI sets it), else it prints why it skips.
pub fn tool_runs_or_skip(tool: &str, args: &[&str], require: &str) -> bool {
    let runs = Command::new(tool)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !runs {
        assert!(
            std::env::var(require).as_deref() != Ok("1"),
            "{require}=1 but `{tool}` could not be run"
        );
        println!("note: `{tool}` not found; skipping (set {require}=1 to make this a failure)");
    }
    runs
}

/// A running `sippnp serve` (or other child) whose stderr lines are collected as they come.
pub struct LoggedChild {
    pub guard: ChildGuard,
    lines: Receiver<String>,
    pub seen: Vec<String>,
}

impl LoggedChild {
    /// Spawns `command` with stderr piped into the line collector.
    pub fn spawn(mut command: Command) -> LoggedChild {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start the child");
        let stderr = child.stderr.take().expect("piped stderr");
        let (lines, _reader) = forward_lines(stderr);
        LoggedChild {
            guard: ChildGuard::new(child),
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `needle`; returns it. Panics with everything seen on timeout.
    pub fn expect_line(&mut self, needle: &str, timeout: Duration) -> String {
        match wait_for_line(&self.lines, &mut self.seen, needle, timeout) {
            Ok(()) => self.seen.last().cloned().unwrap_or_default(),
            Err(e) => panic!("no line with {needle:?} ({e:?}); log so far:\n{}", self.seen.join("\n")),
        }
    }

    /// Collects whatever lines arrive within `quiet`, and returns every line seen so far.
    pub fn drain(&mut self, quiet: Duration) -> &[String] {
        while let Ok(line) = self.lines.recv_timeout(quiet) {
            self.seen.push(line);
        }
        &self.seen
    }
}
