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
