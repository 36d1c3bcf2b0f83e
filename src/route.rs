//! File-name routing: from the path a phone requests over HTTP/TFTP, tell which vendor and
//! device (or model, or common file) it is asking for — or that the request is not a
//! provisioning file sippnp knows.
//!
//! Names per config-formats.md §2: Grandstream `cfg<mac>.xml`, `cfg<mac>` (legacy binary),
//! `cfg<model>.xml`, `cfg.xml`; Htek `cfg<mac>.xml` (told apart by the OUI); Yealink
//! `<mac>.cfg`, `<mac>.boot`, `y0000000000XX.cfg`, `<name>_Security.enc`; Fanvil `<mac>.cfg`
//! (OUI) and `f0<hw>.cfg` (a 12-hex-digit `f0<letter>…` stem is a Fanvil common file unless its
//! OUI is a known vendor's: seed 004 spells C62's `f0C006200000.cfg`, wazo `f0C00620000.cfg`); snom `snom<model>-<MAC>.htm`, `snom<model>.htm`, `<MAC>.xml`;
//! Gigaset `<mac>.xml` (OUI; the Nx70 DECT bases); Panasonic `Config<MAC>.cfg`, `Config<MODEL>.cfg`, `ConfigCom.cfg`.

use crate::device::{Mac, oui};

/// What a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Canonical vendor id.
    pub vendor: &'static str,
    pub target: Target,
    pub kind: FileKind,
}

/// Whose file it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// One device's own file.
    Device(Mac),
    /// A file shared by one model (or hardware id), as named in the request.
    Model(String),
    /// A file shared by every device of the vendor.
    Common,
}

/// Which of the vendor's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// The vendor's main config format for that target.
    Config,
    /// Grandstream's legacy binary `cfg<mac>`.
    LegacyBinary,
    /// Yealink's `<mac>.boot` include list.
    Boot,
    /// Yealink's `<name>_Security.enc` key file.
    KeyFile,
}

/// Routes the last segment of `path` (any directories and a query string are ignored).
/// `None` means the file is not one sippnp renders.
pub fn route(path: &str) -> Option<Route> {
    let name = file_name(path);
    grandstream_or_htek(name)
        .or_else(|| yealink_or_fanvil(name))
        .or_else(|| snom_or_gigaset(name))
        .or_else(|| panasonic(name))
}

/// The last segment of `path`, without a query string or fragment.
pub fn file_name(path: &str) -> &str {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn found(vendor: &'static str, target: Target, kind: FileKind) -> Option<Route> {
    Some(Route { vendor, target, kind })
}

/// `mac` parsed only from exactly 12 hex digits (no separators in file names).
fn mac12(text: &str) -> Option<Mac> {
    (text.len() == 12 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| Mac::parse(text))
        .flatten()
}

/// The vendor the MAC's OUI names, if it is one of `candidates`, else `default`.
fn by_oui(mac: Mac, candidates: &[&'static str], default: &'static str) -> &'static str {
    oui::vendor_for(mac.oui())
        .filter(|v| candidates.contains(v))
        .unwrap_or(default)
}

/// A model name in a file name: a letter, then letters, digits or `-` (`grp2614`, `KX-HDV130`).
fn is_model_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn grandstream_or_htek(name: &str) -> Option<Route> {
    let rest = name.strip_prefix("cfg")?;
    if rest == ".xml" {
        return found("grandstream", Target::Common, FileKind::Config);
    }
    if let Some(mac) = mac12(rest) {
        // Htek phones also ask for `cfg<mac>` first (its XML without the extension);
        // for Grandstream it is the legacy binary.
        return match by_oui(mac, &["htek"], "grandstream") {
            "htek" => found("htek", Target::Device(mac), FileKind::Config),
            vendor => found(vendor, Target::Device(mac), FileKind::LegacyBinary),
        };
    }
    let stem = rest.strip_suffix(".xml")?;
    if let Some(mac) = mac12(stem) {
        return found(
            by_oui(mac, &["htek"], "grandstream"),
            Target::Device(mac),
            FileKind::Config,
        );
    }
    // Htek per-model common files are `cfg00NN.xml` (4 digits); Grandstream's `cfg<model>.xml`.
    if stem.len() == 4 && stem.bytes().all(|b| b.is_ascii_digit()) {
        return found("htek", Target::Model(stem.to_owned()), FileKind::Config);
    }
    let is_model = is_model_name(stem);
    if !is_model {
        return None;
    }
    found("grandstream", Target::Model(stem.to_owned()), FileKind::Config)
}

fn yealink_or_fanvil(name: &str) -> Option<Route> {
    if let Some(stem) = name.strip_suffix("_Security.enc") {
        let target = mac12(stem).map_or_else(|| Target::Model(stem.to_owned()), Target::Device);
        return found("yealink", target, FileKind::KeyFile);
    }
    if let Some(mac) = name.strip_suffix(".boot").and_then(mac12) {
        return found("yealink", Target::Device(mac), FileKind::Boot);
    }
    let stem = name.strip_suffix(".cfg")?;
    if let Some(mac) = mac12(stem) {
        // A 12-hex-digit stem is a device file, except a Fanvil hardware id (seed 004 §3.1
        // spells C62's common file `f0C006200000.cfg`) with an OUI no vendor is known by.
        match oui::vendor_for(mac.oui()) {
            Some("fanvil") => return found("fanvil", Target::Device(mac), FileKind::Config),
            None if is_fanvil_hardware_id(stem) => {}
            _ => return found("yealink", Target::Device(mac), FileKind::Config),
        }
    }
    // Yealink common files: `y0000000000XX.cfg` (12 digits after the `y`).
    if let Some(id) = stem
        .strip_prefix('y')
        .filter(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
    {
        return found("yealink", Target::Model(id.to_owned()), FileKind::Config);
    }
    // Fanvil per-hardware common files: `f0C00620000.cfg`, `F0V00X200000.cfg`, `f0X3shw1.100.cfg`.
    let fanvil = stem.len() > 2
        && stem.as_bytes()[..2].eq_ignore_ascii_case(b"f0")
        && stem.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.');
    if !fanvil {
        return None;
    }
    found("fanvil", Target::Model(stem.to_owned()), FileKind::Config)
}

/// A Fanvil hardware id as common files name it: `f0` (any case) and a series letter (`C`,
/// `V`, `X`, …), as in seed 004's `f0C006200000` and wazo's `f0C00620000`, `F0V0V6700000`.
fn is_fanvil_hardware_id(stem: &str) -> bool {
    let bytes = stem.as_bytes();
    bytes.len() > 3 && bytes[..2].eq_ignore_ascii_case(b"f0") && bytes[2].is_ascii_alphabetic()
}

fn snom_or_gigaset(name: &str) -> Option<Route> {
    if let Some(stem) = name.strip_suffix(".htm") {
        let model = stem.strip_prefix("snom")?;
        if let Some(mac) = model.rsplit_once('-').and_then(|(_, mac)| mac12(mac)) {
            return found("snom", Target::Device(mac), FileKind::Config);
        }
        if model.is_empty() || !model.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        return found("snom", Target::Model(format!("snom{model}")), FileKind::Config);
    }
    let mac = mac12(name.strip_suffix(".xml")?)?;
    found(by_oui(mac, &["gigaset"], "snom"), Target::Device(mac), FileKind::Config)
}

fn panasonic(name: &str) -> Option<Route> {
    let stem = name.strip_prefix("Config")?.strip_suffix(".cfg")?;
    if stem == "Com" {
        return found("panasonic", Target::Common, FileKind::Config);
    }
    if let Some(mac) = mac12(stem) {
        return found("panasonic", Target::Device(mac), FileKind::Config);
    }
    let is_model = is_model_name(stem);
    if !is_model {
        return None;
    }
    found("panasonic", Target::Model(stem.to_owned()), FileKind::Config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(vendor: &'static str, mac: &str, kind: FileKind) -> Option<Route> {
        Some(Route {
            vendor,
            target: Target::Device(Mac::parse(mac).unwrap()),
            kind,
        })
    }

    fn model(vendor: &'static str, name: &str) -> Option<Route> {
        Some(Route {
            vendor,
            target: Target::Model(name.into()),
            kind: FileKind::Config,
        })
    }

    #[test]
    fn every_vendor_file_name() {
        use FileKind::*;
        let cases = [
            ("cfg000b82273b89.xml", device("grandstream", "000b82273b89", Config)),
            (
                "/prov/cfg000B82273B89.xml?x=1",
                device("grandstream", "000b82273b89", Config),
            ),
            ("cfg000b82273b89", device("grandstream", "000b82273b89", LegacyBinary)),
            (
                "cfg.xml",
                Some(Route {
                    vendor: "grandstream",
                    target: Target::Common,
                    kind: Config,
                }),
            ),
            ("cfggrp2614.xml", model("grandstream", "grp2614")),
            ("cfg001fc1aabbcc.xml", device("htek", "001fc1aabbcc", Config)),
            ("cfg001fc1aabbcc", device("htek", "001fc1aabbcc", Config)),
            ("cfg0010.xml", model("htek", "0010")),
            ("000b82273b89.cfg", device("yealink", "000b82273b89", Config)),
            ("805ec0123456.cfg", device("yealink", "805ec0123456", Config)),
            ("0c383e112233.cfg", device("fanvil", "0c383e112233", Config)),
            ("805ec0123456.boot", device("yealink", "805ec0123456", Boot)),
            ("y000000000028.cfg", model("yealink", "000000000028")),
            ("805ec0123456_Security.enc", device("yealink", "805ec0123456", KeyFile)),
            ("f0C00620000.cfg", model("fanvil", "f0C00620000")),
            // Seed 004's 12-character spelling: hex, but not a known OUI, so a common file.
            ("f0C006200000.cfg", model("fanvil", "f0C006200000")),
            ("F0C005800000.cfg", model("fanvil", "F0C005800000")),
            ("f0V0V6700000.cfg", model("fanvil", "f0V0V6700000")),
            // A Fanvil-OUI MAC is a device file; an unknown OUI without a series letter is
            // Yealink's default, as is a known OUI that happens to look like a hardware id.
            ("0C383E12ABCD.cfg", device("fanvil", "0c383e12abcd", Config)),
            ("f00123456789.cfg", device("yealink", "f00123456789", Config)),
            ("001565f0c062.cfg", device("yealink", "001565f0c062", Config)),
            ("F0V00X200000.cfg", model("fanvil", "F0V00X200000")),
            ("snom370-000413AABBCC.htm", device("snom", "000413aabbcc", Config)),
            ("snomD785.htm", model("snom", "snomD785")),
            ("000413AABBCC.xml", device("snom", "000413aabbcc", Config)),
            ("7c2f8030d21e.xml", device("gigaset", "7c2f8030d21e", Config)),
            // The Nx70 asks in lower case; any case of a Gigaset OUI routes the same.
            ("/prov/7C2F80E0D605.xml", device("gigaset", "7c2f80e0d605", Config)),
            ("589ec6000001.xml", device("gigaset", "589ec6000001", Config)),
            ("snomD785.htm?x=1", model("snom", "snomD785")),
            ("Config0080F0112233.cfg", device("panasonic", "0080f0112233", Config)),
            ("ConfigKX-HDV130.cfg", model("panasonic", "KX-HDV130")),
            (
                "ConfigCom.cfg",
                Some(Route {
                    vendor: "panasonic",
                    target: Target::Common,
                    kind: Config,
                }),
            ),
        ];
        for (path, expected) in cases {
            assert_eq!(route(path), expected, "{path}");
        }
    }

    #[test]
    fn not_ours() {
        for path in [
            "",
            "/",
            "index.html",
            "cfg",
            "cfg000b82273b8.xml",
            "cfg000b82273b8g.xml",
            "000b82273b89.txt",
            "snom.htm",
            "../../etc/passwd",
            "cfg<script>.xml",
            "Config.cfg",
            "favicon.ico",
            "f0.cfg",
            "aéb.cfg",
            "f0é1.cfg",
            "f0C0062-0000.cfg",
        ] {
            assert_eq!(route(path), None, "{path}");
        }
    }
}
