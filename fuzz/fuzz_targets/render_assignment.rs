//! An assignment built from the input through the field table (`assign::fields`, as the C ABI
//! and the devices file set it) and raw overrides, rendered for every supported vendor, as the
//! shared file the first byte picks, and as Yealink's boot file.
//!
//! Input: byte 0 picks the shared file (`SHARED[b0 % len]`) and its vendor
//! (`b0 >> 4`); then records `scope, field, index, len, text[len]` until the input ends.
//! `scope % 4`: 0 device, 1 account, 2 key (field `field % count` of that scope, account
//! index `index % 8 + 1`, key index `index % 32 + 1`), 3 an override `key=value`. Text that is
//! not UTF-8 is converted lossily. The assignment starts with a MAC.
//!
//! On success: XML output parses with quick-xml to the end with balanced elements, and when
//! texts held CR or LF, the file has exactly as many line breaks as the one rendered from the
//! same texts with each CR and LF turned into a space (a value may be refused or escaped,
//! never add a line).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick_xml::Reader;
use quick_xml::events::Event;
use sippnp::assign::Assignment;
use sippnp::assign::fields::{self, Field, Scope};
use sippnp::device::Mac;
use sippnp::render::{self, RenderError, RenderedFile};

/// File names that phones ask for as shared (model or common) files, across vendors.
const SHARED: &[&str] = &[
    "cfg.xml",
    "cfggxp2170.xml",
    "cfgGRP2614.xml",
    "y000000000108.cfg",
    "y000000000028.cfg",
    "snomD785.htm",
    "snom370.htm",
    "ConfigCom.cfg",
    "Config1KX.cfg",
    "f0C00620000.cfg",
    "F0V00X200000.cfg",
    "cfg0010.xml",
    "cfgUC926.xml",
    "provisioning.xml",
    "x.cfg",
    "",
];

fn scope_fields(scope: Scope) -> Vec<&'static Field> {
    fields::all().iter().filter(|f| f.scope() == scope).collect()
}

/// Panics when `file` is broken: XML that does not parse to the end with balanced elements.
fn check_xml(vendor: &str, file: &RenderedFile) {
    // Fanvil's text format starts with `<<VOIP CONFIG FILE>>`: the content type tells.
    if !file.content_type.contains("xml") {
        return;
    }
    let mut reader = Reader::from_reader(file.content.as_slice());
    let mut buf = Vec::new();
    let mut depth: usize = 0;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => depth = depth.checked_sub(1).expect("more end tags than start tags"),
            Ok(_) => {}
            Err(e) => panic!("{vendor} {}: broken XML: {e}", file.file_name),
        }
        buf.clear();
    }
    assert_eq!(depth, 0, "{vendor} {}: unclosed elements", file.file_name);
}

/// Line breaks (CR and LF) in `file`.
fn breaks(file: &RenderedFile) -> usize {
    file.content.iter().filter(|&&b| b == b'\n' || b == b'\r').count()
}

/// The assignment the records of `data` describe. With `flatten`, every CR and LF of every text
/// is a space instead; the second value tells whether any text held one.
fn build(mut data: &[u8], flatten: bool) -> (Assignment, bool) {
    let device_fields = scope_fields(Scope::Device);
    let account_fields = scope_fields(Scope::Account);
    let key_fields = scope_fields(Scope::Key);
    let mut a = Assignment {
        mac: Some(Mac([0x00, 0x0b, 0x82, 0x27, 0x3b, 0x89])),
        ..Assignment::default()
    };
    let mut had_break = false;
    while data.len() >= 4 {
        let (scope, field, index, len) = (data[0], data[1], data[2], usize::from(data[3]));
        data = &data[4..];
        let (raw, tail) = data.split_at(len.min(data.len()));
        data = tail;
        let mut text = String::from_utf8_lossy(raw).into_owned();
        if text.contains(['\r', '\n']) {
            had_break = true;
            if flatten {
                text = text.replace(['\r', '\n'], " ");
            }
        }
        let _ = match scope % 4 {
            0 => device_fields[usize::from(field) % device_fields.len()].set(&mut a, 1, &text),
            1 => {
                account_fields[usize::from(field) % account_fields.len()].set(&mut a, usize::from(index % 8) + 1, &text)
            }
            2 => key_fields[usize::from(field) % key_fields.len()].set(&mut a, usize::from(index % 32) + 1, &text),
            _ => {
                let (key, value) = text.split_once('=').unwrap_or((&text, ""));
                a.set_override(key, value);
                Ok(())
            }
        };
    }
    (a, had_break)
}

/// Renders with `render` from `a`; on success checks the XML and, when texts held line breaks,
/// that the file has no more line breaks than the one rendered from the flattened texts: a
/// value may be refused or escaped, never add a line.
fn check(
    vendor: &str,
    a: &Assignment,
    flat: Option<&Assignment>,
    render: impl Fn(&Assignment) -> Result<RenderedFile, RenderError>,
) {
    let Ok(file) = render(a) else { return };
    assert!(!file.file_name.is_empty(), "{vendor}: empty file name");
    check_xml(vendor, &file);
    if let Some(Ok(flat_file)) = flat.map(&render) {
        assert_eq!(
            breaks(&file),
            breaks(&flat_file),
            "{vendor} {}: a value with a line break changed the file's lines",
            file.file_name
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, records)) = data.split_first() else {
        return;
    };
    let (a, had_break) = build(records, false);
    let flat = had_break.then(|| build(records, true).0);
    let flat = flat.as_ref();

    let vendors = render::supported_vendors();
    for &vendor in vendors {
        check(vendor, &a, flat, |a| render::render(vendor, a));
    }
    let vendor = vendors[usize::from(pick >> 4) % vendors.len()];
    let name = SHARED[usize::from(pick) % SHARED.len()];
    check(vendor, &a, flat, |a| render::render_shared(vendor, name, a));
    check("yealink", &a, flat, |a| render::render_boot("yealink", a));
});
