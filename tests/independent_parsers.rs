//! Independent SIP stacks read what we put on the wire: for every fixture SUBSCRIBE (seeds and
//! variants) the 200 OK and the NOTIFY our Responder builds are written to files, then parsed by
//! sofia-sip (`tests/c/sofia_parse.c`: `msg_make` with `sip_default_mclass()`, no
//! `msg_has_error`, no `sip_error`) and by libre (`tests/c/libre_parse.c`: `sip_msg_decode`).
//! Each parser must accept every message, and what it reads (status or method, Call-ID, From
//! tag, To tag, CSeq number and method, Content-Length, body) must be what we meant to write:
//! the SUBSCRIBE's Call-ID, tags and CSeq, our To-tag, and the NOTIFY's URL.
//!
//! One known refusal, libre's and not ours: libre's `sip_msg_decode` fails (ENOENT) on a Via
//! without a `branch` parameter. Phones that speak RFC 2543 Vias (the snom fixtures: no branch)
//! get their Via copied into the 200 OK unchanged, as RFC 3261 §8.2.6.2 requires, so libre
//! refuses exactly those 200 OKs; the test checks that the refused set is exactly the 200 OKs to
//! branchless SUBSCRIBEs, that libre reads each of them correctly once `;branch=…` is appended
//! to the top Via (nothing else changed), and sofia-sip must parse them as they are.
//!
//! Environment: the C libraries come from `libsofia-sip-ua-dev` and `libre-dev`, found with
//! pkg-config. A missing one skips its half with a note, unless `SIPPNP_REQUIRE_SOFIA=1` or
//! `SIPPNP_REQUIRE_LIBRE=1`, which make that a failure (CI sets both).

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::cbuild;
use sippnp::assign::NoLookup;
use sippnp::ids::IdGen;
use sippnp::responder::{Config, Outcome, Responder, UnknownPolicy};
use sippnp::sip::addr::NameAddr;
use sippnp::sip::scan::scan;
use sippnp::sip::{Subscribe, unfold};
use sippnp::template::UrlTemplate;

const URL: &str = "https://pbx.example/prov/{vendor}/{mac}/cfg{mac}.xml?model={model}";

/// What a parser must read from one message.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    file: String,
    fields: BTreeMap<&'static str, String>,
}

fn responder() -> Responder<NoLookup> {
    let config = Config {
        server_host: "192.0.2.10".into(),
        server_port: 5060,
        url: UrlTemplate::new(URL).unwrap(),
        user_agent: Some("sippnp-interop".into()),
        unknown: UnknownPolicy::Answer,
    };
    Responder::with_ids(config, NoLookup, IdGen::with_secret(b"independent-parsers")).unwrap()
}

/// The To-tag we wrote into a 200 OK, read back with our own scanner.
fn our_to_tag(ok: &[u8]) -> String {
    let s = scan(ok).expect("our scanner reads our own output");
    let to = s
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(b"To") || h.name.eq_ignore_ascii_case(b"t"))
        .expect("a To header");
    let to = unfold(to.text().unwrap()).into_owned();
    NameAddr::parse(&to).unwrap().tag.expect("our To-tag").to_owned()
}

/// Writes every 200 OK and NOTIFY into `dir`; returns what each must parse to, and the 200 OKs
/// that echo a Via without a branch (which libre refuses), and, for libre, copies of those with a
/// branch added to the top Via (everything else as we wrote it).
fn corpus(dir: &Path) -> (Vec<Expected>, Vec<String>, Vec<Expected>) {
    let r = responder();
    let mut expected = Vec::new();
    let mut branchless = Vec::new();
    let mut patched = Vec::new();
    for (i, (file, bytes, _)) in common::fixtures().into_iter().enumerate() {
        let sub = Subscribe::parse(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let via = &sub.vias[0];
        let ip = via.host.parse().unwrap_or_else(|_| "198.51.100.7".parse().unwrap());
        let source = SocketAddr::new(ip, via.port.unwrap_or(5060));
        let Outcome::Answer {
            url, response, notify, ..
        } = r.handle(&bytes, source).unwrap_or_else(|e| panic!("{file}: {e}"))
        else {
            panic!("{file}: silent")
        };
        let stem = file.trim_end_matches(".sip").replace('/', "-");
        let call_id = unfold(sub.call_id).into_owned();
        let their_tag = sub.from.tag.unwrap_or_default().to_owned();
        let our_tag = our_to_tag(&response.bytes);
        for (kind, bytes, fields) in [
            (
                "ok",
                &response.bytes,
                [
                    ("start", "200".to_owned()),
                    ("call-id", call_id.clone()),
                    ("from-tag", their_tag.clone()),
                    ("to-tag", our_tag.clone()),
                    ("cseq", format!("{} SUBSCRIBE", sub.cseq.seq)),
                    ("content-length", "0".to_owned()),
                    ("body", String::new()),
                ],
            ),
            (
                "notify",
                &notify.bytes,
                [
                    ("start", "NOTIFY".to_owned()),
                    ("call-id", call_id.clone()),
                    ("from-tag", our_tag.clone()),
                    ("to-tag", their_tag.clone()),
                    ("cseq", "1 NOTIFY".to_owned()),
                    ("content-length", url.len().to_string()),
                    ("body", url.clone()),
                ],
            ),
        ] {
            let path = dir.join(format!("{i:02}-{stem}.{kind}.sip"));
            std::fs::write(&path, bytes).expect("write a message");
            let fields: BTreeMap<&'static str, String> = fields.into_iter().collect();
            if kind == "ok" && via.branch.is_none() {
                branchless.push(path.display().to_string());
                let with_branch = dir.join(format!("{i:02}-{stem}.ok-with-branch.sip"));
                std::fs::write(&with_branch, add_branch(bytes)).expect("write a message");
                patched.push(Expected {
                    file: with_branch.display().to_string(),
                    fields: fields.clone(),
                });
            }
            expected.push(Expected {
                file: path.display().to_string(),
                fields,
            });
        }
    }
    (expected, branchless, patched)
}

/// `message` with `;branch=z9hG4bKlibre` appended to its first Via line.
fn add_branch(message: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(message).expect("our output is UTF-8");
    let mut done = false;
    let mut out = String::new();
    for line in text.split_inclusive("\r\n") {
        let name = line.split(':').next().unwrap_or_default().trim();
        if !done && (name.eq_ignore_ascii_case("Via") || name.eq_ignore_ascii_case("v")) {
            out.push_str(line.trim_end_matches("\r\n"));
            out.push_str(";branch=z9hG4bKlibre\r\n");
            done = true;
        } else {
            out.push_str(line);
        }
    }
    assert!(done, "no Via in\n{text}");
    out.into_bytes()
}

/// The blocks a parser program printed, by file; `error …` lines go to the second list.
fn read_blocks(stdout: &str) -> (Vec<Expected>, Vec<String>) {
    let mut blocks = Vec::new();
    let mut errors = Vec::new();
    let mut current: Option<Expected> = None;
    for line in stdout.lines() {
        if line.starts_with("error ") {
            errors.push(line.to_owned());
        } else if let Some(file) = line.strip_prefix("file=") {
            current = Some(Expected {
                file: file.to_owned(),
                fields: BTreeMap::new(),
            });
        } else if line == "end" {
            blocks.extend(current.take());
        } else if let (Some(block), Some((key, value))) = (current.as_mut(), line.split_once('=')) {
            let key = [
                "start",
                "call-id",
                "from-tag",
                "to-tag",
                "cseq",
                "content-length",
                "body",
            ]
            .into_iter()
            .find(|k| *k == key)
            .unwrap_or_else(|| panic!("unexpected line {line:?}"));
            block.fields.insert(key, value.to_owned());
        }
    }
    (blocks, errors)
}

/// Builds `source` against `package` and has it parse the corpus, of which it must refuse exactly
/// `refused`; returns how many messages it parsed, `None` when skipped.
fn parse_with(package: &str, require: &str, source: &str, files: &[Expected], refused: &[String]) -> Option<usize> {
    let required = std::env::var(require).as_deref() == Ok("1");
    let skip = |why: String| {
        assert!(!required, "{require}=1 but {why}");
        println!("note: {why}; skipping {source} (set {require}=1 to make this a failure)");
    };
    let Some(flags) = cbuild::pkg_config(package) else {
        skip(format!("pkg-config does not know {package} (install its -dev package)"));
        return None;
    };
    // The libraries' own headers are not ours to hold to -pedantic: -isystem, not -I.
    let (includes, libs): (Vec<String>, Vec<String>) = flags.into_iter().partition(|f| f.starts_with("-I"));
    let includes: Vec<String> = includes
        .iter()
        .flat_map(|f| ["-isystem".to_owned(), f[2..].to_owned()])
        .collect();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("independent_parsers");
    std::fs::create_dir_all(&out).expect("create the build directory");
    let binary = match cbuild::compile(source, &out, source.trim_end_matches(".c"), &includes, &libs) {
        Ok(binary) => binary,
        Err(e) => {
            skip(format!("{source} does not build against {package}:\n{e}"));
            return None;
        }
    };
    let output = Command::new(&binary)
        .args(files.iter().map(|e| &e.file))
        .output()
        .expect("run the parser");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (blocks, errors) = read_blocks(&stdout);
    let refused_now: Vec<&str> = errors
        .iter()
        .map(|e| e.split_whitespace().nth(1).unwrap_or_default())
        .collect();
    assert!(
        refused_now == refused.iter().map(String::as_str).collect::<Vec<_>>()
            && output.status.success() == refused.is_empty(),
        "{package} refused other messages than expected ({}; expected {refused:?}):\n{}\nstderr:\n{}",
        output.status,
        errors.join("\n"),
        String::from_utf8_lossy(&output.stderr)
    );
    for line in &errors {
        println!("note: {package} (known): {line}");
    }
    let wanted: Vec<&Expected> = files.iter().filter(|e| !refused.contains(&e.file)).collect();
    assert_eq!(blocks.len(), wanted.len(), "{package}: one block per message\n{stdout}");
    for (got, want) in blocks.iter().zip(wanted) {
        assert_eq!(got, want, "{package} reads {} differently", want.file);
    }
    Some(blocks.len())
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn sofia_sip_and_libre_parse_every_answer() {
    if Command::new("cc").arg("--version").output().is_err() {
        assert!(
            std::env::var("SIPPNP_REQUIRE_SOFIA").as_deref() != Ok("1")
                && std::env::var("SIPPNP_REQUIRE_LIBRE").as_deref() != Ok("1"),
            "the independent parsers are required but `cc` is not on PATH"
        );
        println!("note: `cc` is not on PATH; skipping the independent parser test");
        return;
    }
    let dir = TempDir(Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("parsers-corpus-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).expect("create the corpus directory");
    let (files, branchless, patched) = corpus(&dir.0);
    assert!(files.len() >= 40, "only {} messages in the corpus", files.len());
    if let Some(n) = parse_with("sofia-sip-ua", "SIPPNP_REQUIRE_SOFIA", "sofia_parse.c", &files, &[]) {
        println!("sofia-sip parsed all {n} messages without error, every field as written");
    }
    let mut for_libre = files;
    for_libre.extend(patched);
    if let Some(n) = parse_with(
        "libre",
        "SIPPNP_REQUIRE_LIBRE",
        "libre_parse.c",
        &for_libre,
        &branchless,
    ) {
        println!(
            "libre parsed {n} of {} messages, every field as written; it refuses the {} 200 OKs echoing a Via \
             without branch, and reads them once a branch is added",
            for_libre.len(),
            branchless.len()
        );
    }
}
