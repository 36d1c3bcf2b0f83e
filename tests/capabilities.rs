//! The capability table (`sippnp::capabilities`) against the docs and the code: the committed
//! `docs/VENDORS.md` is its output byte for byte, every rendered family's account limit, files,
//! PnP-off key and cipher agree with what the renderers and `crypto` actually do, and model
//! lookups fall back instead of failing.

use std::path::Path;
use std::process::Command;

use sippnp::assign::Assignment;
use sippnp::capabilities::{self, Accounts, Encryption, FAMILIES, Family, RENDERERS};
use sippnp::crypto::{self, Cipher, CryptoError};
use sippnp::device::Mac;
use sippnp::render::{self, RenderError, grandstream_binary};
use sippnp::route;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const DOCS: &str = "docs/VENDORS.md";
const MAC: Mac = Mac([0x00, 0x0b, 0x82, 0x27, 0x3b, 0x89]);

fn rendered() -> impl Iterator<Item = &'static Family> {
    FAMILIES.iter().filter(|f| f.rendered_by_sippnp)
}

/// An assignment for `f` with `accounts` accounts 1..=N, each with a user id and password, and
/// a registrar on account 1 (some formats, like Htek's accounts 5–6, carry identities but no
/// per-account server); the model is the family's first model without wildcards, if any.
fn assignment(f: &Family, accounts: usize) -> Assignment {
    let mut a = Assignment {
        mac: Some(MAC),
        vendor: Some(f.vendor.to_owned()),
        model: f
            .models
            .iter()
            .map(|m| m.pattern)
            .find(|p| !p.contains(['x', '*']))
            .map(str::to_owned),
        ..Assignment::default()
    };
    for index in 1..=accounts {
        let account = a.account_mut(index);
        account.user_id = Some(format!("{}", 100 + index));
        account.password = Some(format!("pw-{index}"));
        if index == 1 {
            account.registrar_host = Some("pbx.example".into());
        }
    }
    a
}

fn regenerate_hint() -> String {
    format!(
        "{DOCS} is not the output of src/capabilities.rs: regenerate it with `{}`",
        capabilities::GENERATOR_COMMAND
    )
}

/// The first line where `a` and `b` differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    let line = a.lines().zip(b.lines()).position(|(x, y)| x != y);
    match line {
        Some(i) => format!(
            "line {}:\n  committed: {:?}\n  generated: {:?}",
            i + 1,
            a.lines().nth(i).unwrap_or_default(),
            b.lines().nth(i).unwrap_or_default()
        ),
        None => format!("lengths differ: {} vs {} bytes", a.len(), b.len()),
    }
}

// ---- docs ---------------------------------------------------------------------------------

#[test]
fn docs_are_the_generated_table() {
    let committed = std::fs::read_to_string(Path::new(MANIFEST_DIR).join(DOCS))
        .unwrap_or_else(|e| panic!("cannot read {DOCS} ({e}); {}", regenerate_hint()));
    let generated = capabilities::markdown_table();
    assert!(
        committed == generated,
        "{}\n{}",
        regenerate_hint(),
        first_difference(&committed, &generated)
    );
    let first_line = generated.lines().next().unwrap_or_default();
    assert!(first_line.starts_with("<!-- ") && first_line.contains(capabilities::GENERATOR_COMMAND));
}

#[test]
fn the_documented_command_prints_the_table() {
    let output = Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "--example",
            "sippnp",
            "--",
            "capabilities",
            "--markdown",
        ])
        .current_dir(MANIFEST_DIR)
        .output()
        .expect("cannot run cargo");
    assert!(
        output.status.success(),
        "sippnp capabilities failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stdout == capabilities::markdown_table().as_bytes(),
        "`sippnp capabilities` does not print capabilities::markdown_table()"
    );
}

#[test]
fn table_cells_fit_markdown() {
    for f in FAMILIES {
        // Written inside code spans or bold: no backticks.
        let mut plain = vec![f.vendor, f.name];
        plain.extend(f.files);
        plain.extend(f.pnp_off_key);
        plain.extend(f.models.iter().map(|m| m.pattern));
        plain.extend(f.models.iter().filter_map(|m| m.common_file));
        for text in plain.iter().chain([&f.dialect, &f.source]) {
            assert!(
                !text.is_empty() && !text.contains(['|', '\n', '\r']),
                "{}: {text:?}",
                f.name
            );
        }
        for text in plain {
            assert!(!text.contains('`'), "{}: {text:?}", f.name);
        }
    }
    let table = capabilities::markdown_table();
    let rows = table.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(rows, FAMILIES.len() + RENDERERS.len());
}

// ---- the renderers ------------------------------------------------------------------------

#[test]
fn account_limits_agree_with_the_renderers() {
    for f in rendered() {
        let r = capabilities::renderer(f.vendor).unwrap_or_else(|| panic!("{}: no renderer", f.vendor));
        let with_model = assignment(f, 0);
        let exact = capabilities::family(f.vendor, with_model.model.as_deref())
            .is_some_and(|m| m.exact && std::ptr::eq(m.family, f));
        // A model of the table takes its family's count (never more than the format); a
        // model the table does not know, or none, takes the format's limit.
        let model_limit = match f.max_accounts {
            Accounts::Models(n) if exact => n.min(r.max_accounts),
            _ => r.max_accounts,
        };
        let mut without_model = assignment(f, 0);
        without_model.model = None;
        for (a, limit, what) in [
            (
                with_model,
                model_limit,
                format!("{} {} model {:?}", f.vendor, f.name, assignment(f, 0).model),
            ),
            (
                without_model,
                r.max_accounts,
                format!("{} {} without a model", f.vendor, f.name),
            ),
        ] {
            let accounts = |n| {
                let mut a = a.clone();
                a.accounts = assignment(f, n).accounts;
                a
            };
            let too_many = Err(RenderError::TooManyAccounts {
                max: limit,
                got: limit + 1,
            });
            assert!(
                render::render(f.vendor, &accounts(limit)).is_ok(),
                "{what}: {limit} accounts"
            );
            assert_eq!(
                render::render(f.vendor, &accounts(limit + 1)).map(|_| ()),
                too_many,
                "{what}"
            );
            if f.vendor == "grandstream" {
                assert!(grandstream_binary::render(&accounts(limit)).is_ok(), "{what}: binary");
                assert_eq!(
                    grandstream_binary::render(&accounts(limit + 1)).map(|_| ()),
                    too_many,
                    "{what}: binary"
                );
            }
        }
        if let Some(max) = f.max_accounts.max() {
            assert!(
                max <= r.max_accounts,
                "{} {}: {max} accounts, renderer {}",
                f.vendor,
                f.name,
                r.max_accounts
            );
        }
    }
    // Each renderer's limit is the largest count the table gives for its vendor (renderers are
    // sized for the vendor's largest model), unless the table gives none (Fanvil).
    for r in RENDERERS {
        let largest = rendered()
            .filter(|f| f.vendor == r.vendor)
            .filter_map(|f| f.max_accounts.max())
            .max();
        if let Some(largest) = largest {
            assert_eq!(largest, r.max_accounts, "{}: table vs renderer", r.vendor);
        }
    }
}

#[test]
fn every_renderer_vendor_has_a_rendered_family() {
    let supported = render::supported_vendors();
    let renderers: Vec<&str> = RENDERERS.iter().map(|r| r.vendor).collect();
    assert_eq!(renderers, supported, "RENDERERS vs render::supported_vendors()");
    for vendor in supported {
        assert!(
            rendered().any(|f| f.vendor == *vendor),
            "{vendor}: no family with rendered_by_sippnp"
        );
    }
    for f in rendered() {
        assert!(supported.contains(&f.vendor), "{}: rendered but no renderer", f.vendor);
    }
}

#[test]
fn rendered_files_are_files_the_phone_requests() {
    for f in rendered() {
        let r = capabilities::renderer(f.vendor).expect("renderer");
        for file in r.files {
            assert!(f.files.contains(file), "{} {}: {file} not requested", f.vendor, f.name);
        }
        let mut a = assignment(f, 1);
        a.model = None;
        let name = render::render(f.vendor, &a).expect("renders").file_name;
        let expanded: Vec<String> = r
            .files
            .iter()
            .map(|p| {
                p.replace("<mac>", &MAC.to_lower_hex())
                    .replace("<MAC>", &MAC.to_upper_hex())
            })
            .collect();
        assert!(
            expanded.contains(&name),
            "{} {}: renders {name}, table {expanded:?}",
            f.vendor,
            f.name
        );
    }
    let mut snom = Assignment {
        mac: Some(MAC),
        model: Some("D785".into()),
        ..Assignment::default()
    };
    snom.account_mut(1).user_id = Some("101".into());
    let name = render::render("snom", &snom).expect("renders").file_name;
    assert_eq!(name, format!("snomD785-{}.htm", MAC.to_upper_hex()));
    assert!(
        capabilities::renderer("snom")
            .unwrap()
            .files
            .contains(&"snom<model>-<MAC>.htm")
    );
}

#[test]
fn pnp_off_keys_are_what_the_renderers_write() {
    for f in rendered().filter(|f| f.pnp_off_key.is_some()) {
        let off = render::render(f.vendor, &assignment(f, 1)).expect("renders");
        let mut keep = assignment(f, 1);
        keep.keep_pnp_enabled = true;
        let kept = render::render(f.vendor, &keep).expect("renders");
        let off = String::from_utf8(off.content).expect("text");
        let kept = String::from_utf8(kept.content).expect("text");
        for setting in f.pnp_off_key.unwrap().split(", ") {
            let (key, value) = setting.split_once(" = ").expect("`key = value`");
            let written = off
                .lines()
                .any(|line| line.split_once(key).is_some_and(|(_, rest)| rest.contains(value)));
            assert!(written, "{} {}: {key} = {value} not written:\n{off}", f.vendor, f.name);
            assert!(
                !kept.contains(key),
                "{} {}: {key} written with PnP kept on",
                f.vendor,
                f.name
            );
        }
    }
}

#[test]
fn encryption_agrees_with_crypto() {
    for f in FAMILIES {
        if let Some(name) = f.encryption.cipher() {
            assert!(Cipher::parse(name).is_some(), "{}: no cipher {name}", f.name);
        }
    }
    for f in rendered() {
        let default = Cipher::for_vendor(f.vendor).map(Cipher::name);
        assert_eq!(f.encryption.cipher(), default, "{} {}", f.vendor, f.name);
        let file = render::render(f.vendor, &assignment(f, 1)).expect("renders");
        match f.encryption {
            Encryption::NotPublic(name) => {
                let cipher = Cipher::parse(name).expect("cipher");
                let refused = crypto::encrypt_file(&file, cipher, "0123456789abcdef");
                assert!(matches!(refused, Err(CryptoError::Unsupported(_))), "{}", f.name);
            }
            Encryption::Cipher(name) => {
                let cipher = Cipher::parse(name).expect("cipher");
                let key = "0123456789abcdef";
                let encrypted = crypto::encrypt_file(&file, cipher, key).expect("encrypts");
                let plain = crypto::decrypt(cipher, key, &encrypted.file.content).expect("decrypts");
                // Yealink's ECB blocks come back with their space padding.
                let (content, padding) = plain.split_at(file.content.len().min(plain.len()));
                assert_eq!(content, file.content, "{}", f.name);
                assert!(padding.iter().all(|&b| b == b' '), "{}", f.name);
            }
            Encryption::None | Encryption::Unknown => {}
        }
    }
}

// ---- lookups ------------------------------------------------------------------------------

#[test]
fn known_models_match_exactly() {
    let t46u = capabilities::family("yealink", Some("T46U")).expect("yealink is known");
    assert!(t46u.exact);
    assert_eq!(t46u.family.max_accounts, Accounts::Models(16));
    assert_eq!(t46u.model.and_then(|m| m.common_file), Some("y000000000108.cfg"));
    assert_eq!(t46u.warning(), None);

    let cases = [
        ("yealink", "SIP-T46U", "T46U / T48U / T5x"),
        ("Yealink", "t41s", "T41 / T27G"),
        ("yealink", "T19P_E2", "T2x / T40 / T4xG / T4xS / T44W"),
        ("snom", "snomD785", "desk phones (3xx, 7xx, 8xx, D1xx–D8xx)"),
        ("snom", "snom370", "desk phones (3xx, 7xx, 8xx, D1xx–D8xx)"),
        (
            "grandstream",
            "GXP2110",
            "GXP2110 / GXP2124 / GXP2135 / GXP2140 / GXP1780 / GXP1782",
        ),
        ("grandstream", "GXP2170", "GXP21xx / GXP14xx / GXP17xx / GXP16xx"),
        ("grandstream", "GRP2612W", "GRP26xx"),
        ("htek", "UC926", "UC9xx"),
        ("panasonic", "KX-HDV130", "KX-HDV / KX-UT"),
        ("fanvil", "X4U", "X-series (X1–X7, X210, XU, XU-Pro)"),
        ("audiocodes", "420HD", "3xxHD / 4xxHD"),
    ];
    for (vendor, model, family) in cases {
        let found = capabilities::family(vendor, Some(model)).expect("vendor is known");
        assert!(found.exact, "{vendor} {model}");
        assert_eq!(found.family.name, family, "{vendor} {model}");
    }
}

#[test]
fn unknown_models_fall_back_with_a_warning() {
    let fallback = capabilities::family("yealink", Some("T99X")).expect("yealink is known");
    assert!(!fallback.exact);
    assert!(fallback.family.vendor_default && fallback.family.vendor == "yealink");
    assert_eq!(fallback.model, None);
    let warning = fallback.warning().expect("a warning");
    assert!(!warning.contains("T99X") && !warning.contains('\n'), "{warning}");

    for model in [None, Some(""), Some("  "), Some("snomM700"), Some("snom")] {
        let found = capabilities::family("snom", model).expect("snom is known");
        assert!(!found.exact, "{model:?}");
        assert!(found.family.vendor_default, "{model:?}");
    }
    assert_eq!(capabilities::family("nokia", Some("T46U")), None);
    assert_eq!(capabilities::family("", None), None);
}

#[test]
fn the_table_is_well_formed() {
    let vendors: Vec<&str> = FAMILIES.iter().map(|f| f.vendor).collect();
    let mut seen: Vec<&str> = Vec::new();
    for pair in vendors.windows(2) {
        if pair[0] != pair[1] {
            seen.push(pair[0]);
            assert!(!seen.contains(&pair[1]), "{}: families not together", pair[1]);
        }
    }
    for vendor in &vendors {
        let defaults = FAMILIES
            .iter()
            .filter(|f| f.vendor == *vendor && f.vendor_default)
            .count();
        assert_eq!(defaults, 1, "{vendor}: default families");
    }
    for f in FAMILIES {
        assert!(!f.models.is_empty(), "{}: no models", f.name);
        assert!(f.pnp || f.pnp_off_key.is_none(), "{}: no PnP but an off key", f.name);
        for m in f.models {
            let body = m.pattern.strip_suffix('*').unwrap_or(m.pattern);
            let valid = !body.is_empty()
                && body
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'x');
            assert!(valid, "{}: bad pattern {:?}", f.name, m.pattern);
            // Every model a pattern names without wildcards finds its own family.
            if !m.pattern.contains(['x', '*']) {
                let found = capabilities::family(f.vendor, Some(m.pattern)).expect("vendor");
                assert!(
                    found.exact && std::ptr::eq(found.family, f),
                    "{}: {}",
                    f.name,
                    m.pattern
                );
                let same = FAMILIES
                    .iter()
                    .filter(|g| g.vendor == f.vendor)
                    .flat_map(|g| g.models)
                    .filter(|n| n.pattern == m.pattern)
                    .count();
                assert_eq!(same, 1, "{}: {} listed twice", f.vendor, m.pattern);
            }
        }
    }
}

#[test]
fn common_files_route_to_their_vendor() {
    for f in FAMILIES.iter().filter(|f| f.rendered_by_sippnp) {
        for m in f.models {
            if let Some(file) = m.common_file {
                let found = route::route(file).unwrap_or_else(|| panic!("{file}: not routed"));
                assert_eq!(found.vendor, f.vendor, "{file}");
                assert_eq!(found.target, route::Target::Model(file_id(file)), "{file}");
            }
        }
    }
}

/// The model id `route` reads from a common file name.
fn file_id(file: &str) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let stem = stem.strip_prefix("cfg").unwrap_or(stem);
    stem.strip_prefix('y')
        .filter(|id| id.len() == 12)
        .unwrap_or(stem)
        .to_owned()
}
