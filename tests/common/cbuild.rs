//! Compiling the C test programs in `tests/c/` with the strict flags, against the cdylib.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::repo;

/// The strict flags every C test program is built with.
pub const STRICT: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"];

/// The sanitizer flags of the ASan+UBSan builds.
pub const SANITIZE: &[&str] = &[
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=undefined",
    "-fno-omit-frame-pointer",
];

/// `<target>/<name>/`, with a `libsippnp.so.<major>` link to the library in `lib_dir` (the
/// SONAME cargo does not create), for binaries linked with an rpath to this directory. Give each
/// test binary its own `name`: they run in parallel.
pub fn out_dir(lib_dir: &Path, name: &str) -> PathBuf {
    let dir = lib_dir.parent().expect("target dir").join(name);
    std::fs::create_dir_all(&dir).expect("create the output directory");
    let header = std::fs::read_to_string(repo().join("include/sippnp.h")).expect("read sippnp.h");
    let major = header
        .lines()
        .find_map(|l| l.strip_prefix("#define SIPPNP_VERSION_MAJOR "))
        .expect("SIPPNP_VERSION_MAJOR in sippnp.h")
        .trim();
    let link = dir.join(format!("libsippnp.so.{major}"));
    let target = lib_dir.join("libsippnp.so");
    if std::fs::read_link(&link).ok().as_deref() != Some(target.as_path()) {
        let _ = std::fs::remove_file(&link);
        match std::os::unix::fs::symlink(&target, &link) {
            Err(e) if e.kind() != ErrorKind::AlreadyExists => panic!("link {}: {e}", link.display()),
            _ => {}
        }
    }
    dir
}

/// Compiles `tests/c/<source>` into `<dir>/<binary>` with [`STRICT`], `extra` flags before the
/// source and `libs` after it; `Err` holds the compiler's diagnostics.
pub fn compile(source: &str, dir: &Path, binary: &str, extra: &[String], libs: &[String]) -> Result<PathBuf, String> {
    let binary = dir.join(binary);
    let output = Command::new("cc")
        .args(STRICT)
        .args(extra)
        .arg("-I")
        .arg(repo().join("include"))
        .arg(repo().join("tests/c").join(source))
        .arg("-o")
        .arg(&binary)
        .args(libs)
        .output()
        .map_err(|e| format!("cannot run cc: {e}"))?;
    if output.status.success() {
        Ok(binary)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The linker arguments for `libsippnp` in `lib_dir`, found at run time through `dir`.
pub fn sippnp_libs(lib_dir: &Path, dir: &Path) -> Vec<String> {
    vec![
        format!("-L{}", lib_dir.display()),
        format!("-Wl,-rpath,{}", dir.display()),
        "-lsippnp".to_owned(),
    ]
}

/// Every function `include/sippnp.h` declares (comments and macros skipped), sorted.
pub fn header_functions() -> Vec<String> {
    let header = std::fs::read_to_string(repo().join("include/sippnp.h")).expect("read sippnp.h");
    let mut code = String::new();
    let mut in_block = false;
    for line in header.lines() {
        let mut rest = line;
        let mut kept = String::new();
        loop {
            if in_block {
                match rest.find("*/") {
                    Some(end) => {
                        rest = &rest[end + 2..];
                        in_block = false;
                    }
                    None => break,
                }
            } else {
                let block = rest.find("/*");
                let comment = rest.find("//");
                match (block, comment) {
                    (Some(b), c) if c.is_none_or(|c| b < c) => {
                        kept.push_str(&rest[..b]);
                        rest = &rest[b + 2..];
                        in_block = true;
                    }
                    (_, Some(c)) => {
                        kept.push_str(&rest[..c]);
                        break;
                    }
                    _ => {
                        kept.push_str(rest);
                        break;
                    }
                }
            }
        }
        if !kept.trim_start().starts_with('#') {
            code.push_str(&kept);
            code.push('\n');
        }
    }
    let mut names: Vec<String> = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while let Some(at) = code[i..].find("sippnp_") {
        let start = i + at;
        let boundary = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        // A declaration: the name directly followed by `(` (function pointer typedefs are
        // `(*name)(`, which this skips).
        if boundary && bytes.get(end) == Some(&b'(') {
            names.push(code[start..end].to_owned());
        }
        i = end;
    }
    names.sort();
    names.dedup();
    names
}

/// Whether valgrind runs; a missing one fails the test when `SIPPNP_REQUIRE_VALGRIND=1`.
pub fn valgrind_available() -> bool {
    let ok = Command::new("valgrind").arg("--version").output().is_ok();
    if !ok {
        assert!(
            std::env::var("SIPPNP_REQUIRE_VALGRIND").as_deref() != Ok("1"),
            "SIPPNP_REQUIRE_VALGRIND=1 but valgrind is not on PATH"
        );
        println!("note: valgrind is not on PATH; running without it");
    }
    ok
}

/// `pkg-config --cflags --libs <package>` split into arguments; `None` when pkg-config or the
/// package is missing.
pub fn pkg_config(package: &str) -> Option<Vec<String>> {
    let output = Command::new("pkg-config")
        .args(["--cflags", "--libs", package])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    )
}
