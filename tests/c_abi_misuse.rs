//! `tests/c/abi_misuse.c` calls every function `include/sippnp.h` declares with NULL in each
//! pointer argument, empty and huge lengths, out-of-range enum values, and lookup callbacks that
//! return garbage codes, set invalid fields or call back into their engine. Every call must
//! return a result code (or the documented NULL/0/absent) and leave its outputs untouched when
//! it fails; the program prints `case <function>` per call and `FAIL …` per broken expectation.
//!
//! This test builds it with the strict flags, checks that the functions it called are exactly
//! the ones the header declares, and runs it under valgrind (0 errors, nothing leaked) and as an
//! ASan+UBSan build (no report, LeakSanitizer on). Only the C side is instrumented by ASan.
//!
//! Known deviations from the header, printed as `deviation …` and listed in [`KNOWN_DEVIATIONS`]
//! (a new one fails the test; a fixed one is reported so the list can shrink). None today: a
//! datagram length above `PTRDIFF_MAX` used to be SIPPNP_ERR_NULL_PARAMETER; every length above
//! 65,535 is now SIPPNP_ERR_SIP_TOO_LARGE, decided before any slice is made.
//!
//! Environment: skipped (passing, with a note) when `cc` is missing. Without valgrind the
//! program runs bare, unless `SIPPNP_REQUIRE_VALGRIND=1`, which makes that a failure.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use common::cbuild;
use common::process::build_library;

/// (function, count) of the deviations the program reports today.
const KNOWN_DEVIATIONS: &[(&str, usize)] = &[];

struct Run {
    stdout: String,
    stderr: String,
    success: bool,
}

fn run(mut command: Command) -> Run {
    let output = command.output().expect("run abi_misuse");
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        success: output.status.success(),
    }
}

/// Checks one run's own verdict and returns the cases per function.
fn verdict(name: &str, run: &Run) -> BTreeMap<String, usize> {
    let failures: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failures.is_empty() && run.success,
        "{name}: {} broken expectations:\n{}\nstderr:\n{}",
        failures.len(),
        failures.join("\n"),
        run.stderr
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("done ") && l.contains(" failures=0 ")),
        "{name} did not finish:\n{}",
        run.stdout
    );
    let mut deviations: BTreeMap<&str, usize> = BTreeMap::new();
    for line in run.stdout.lines().filter(|l| l.starts_with("deviation ")) {
        let function = line.split_whitespace().nth(3).unwrap_or_default().trim_end_matches(':');
        *deviations.entry(function).or_default() += 1;
        println!("{name}: {line}");
    }
    let known: BTreeMap<&str, usize> = KNOWN_DEVIATIONS.iter().copied().collect();
    assert!(
        deviations.iter().all(|(f, n)| known.get(f).is_some_and(|k| n <= k)),
        "{name}: new deviations from the header: {deviations:?} (known: {known:?})"
    );
    if deviations != known {
        println!("note: {name}: fewer deviations than known ({deviations:?}); shrink KNOWN_DEVIATIONS");
    }
    let mut cases: BTreeMap<String, usize> = BTreeMap::new();
    for line in run.stdout.lines() {
        if let Some(function) = line.strip_prefix("case ") {
            *cases.entry(function.trim().to_owned()).or_default() += 1;
        }
    }
    cases
}

#[test]
fn every_exported_function_survives_misuse_from_c() {
    if Command::new("cc").arg("--version").output().is_err() {
        println!("note: `cc` is not on PATH; skipping the ABI misuse test");
        return;
    }
    let lib = build_library();
    let lib_dir = lib.parent().expect("the library's directory");
    let dir = cbuild::out_dir(lib_dir, "c_abi_misuse");
    let libs = cbuild::sippnp_libs(lib_dir, &dir);
    let binary = cbuild::compile("abi_misuse.c", &dir, "abi_misuse", &[], &libs)
        .unwrap_or_else(|e| panic!("abi_misuse.c does not compile with the strict flags:\n{e}"));

    // Under valgrind, or bare without it.
    let valgrind = cbuild::valgrind_available();
    let command = if valgrind {
        let mut c = Command::new("valgrind");
        c.args([
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
        ])
        .arg(&binary);
        c
    } else {
        Command::new(&binary)
    };
    let plain = run(command);
    let cases = verdict("abi_misuse", &plain);
    if valgrind {
        let summary: Vec<&str> = plain
            .stderr
            .lines()
            .filter(|l| l.contains("ERROR SUMMARY") || l.contains("in use at exit"))
            .collect();
        println!("valgrind: {}", summary.join(" | "));
        assert!(
            plain.stderr.contains("ERROR SUMMARY: 0 errors"),
            "valgrind reports errors:\n{}",
            plain.stderr
        );
        assert!(
            plain.stderr.contains("in use at exit: 0 bytes") || plain.stderr.contains("definitely lost: 0 bytes"),
            "valgrind reports memory left over:\n{}",
            plain.stderr
        );
    }

    // Every declared function was called, and nothing the header does not declare.
    let declared: BTreeSet<String> = cbuild::header_functions().into_iter().collect();
    assert!(
        declared.len() >= 80,
        "only {} functions parsed from sippnp.h",
        declared.len()
    );
    let called: BTreeSet<String> = cases.keys().cloned().collect();
    let missing: Vec<&String> = declared.difference(&called).collect();
    let unknown: Vec<&String> = called.difference(&declared).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "abi_misuse.c misses {missing:?}; calls undeclared {unknown:?}"
    );
    let total: usize = cases.values().sum();
    println!(
        "abi_misuse: {} functions, {total} cases; fewest: {:?}",
        cases.len(),
        cases.iter().min_by_key(|(_, n)| **n)
    );
    for (function, n) in &cases {
        println!("  {function}: {n}");
    }

    // The same program with AddressSanitizer and UBSan.
    let sanitize: Vec<String> = cbuild::SANITIZE.iter().map(|s| (*s).to_owned()).collect();
    let asan_binary = match cbuild::compile("abi_misuse.c", &dir, "abi_misuse_asan", &sanitize, &libs) {
        Ok(binary) => binary,
        Err(e) => {
            let first = e.lines().find(|l| !l.trim().is_empty()).unwrap_or("no diagnostics");
            println!(
                "note: cannot build abi_misuse.c with -fsanitize=address,undefined ({first}); skipping the ASan run"
            );
            return;
        }
    };
    let mut command = Command::new(&asan_binary);
    command
        .env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        .env_remove("LSAN_OPTIONS");
    let sanitized = run(command);
    let asan_cases = verdict("abi_misuse_asan", &sanitized);
    assert!(
        !sanitized.stderr.contains("Sanitizer")
            && !sanitized.stderr.contains("runtime error")
            && !sanitized.stderr.contains("SUMMARY:"),
        "a sanitizer reported:\n{}",
        sanitized.stderr
    );
    assert_eq!(asan_cases, cases, "the ASan build made other calls");
    println!("abi_misuse_asan: no sanitizer report");
}
