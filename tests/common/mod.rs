//! Helpers shared by the integration tests: fixture access here, child processes in
//! [`process`], SIP text in [`sip`].
#![allow(dead_code)]

pub mod assignment;
pub mod process;
pub mod sip;

use std::path::{Path, PathBuf};

/// The crate's directory (where `Cargo.toml` is).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    repo().join("tests").join("fixtures")
}

/// (relative path, bytes) of every fixture listed in expected.json, with its expectations.
pub fn fixtures() -> Vec<(String, Vec<u8>, serde_json::Value)> {
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures_dir().join("expected.json")).expect("expected.json"))
            .expect("expected.json is JSON");
    expected
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| {
            let file = e["file"].as_str().expect("file").to_owned();
            let bytes = std::fs::read(fixtures_dir().join(&file)).expect("fixture file");
            (file, bytes, e.clone())
        })
        .collect()
}

pub mod http;

pub mod cbuild;
