//! Every fixture (the seeds' SUBSCRIBEs and each vendor variant) identifies as its
//! expectations say: MAC and where it was found, vendor, model, firmware, Contact.

mod common;

use sippnp::device::identify;
use sippnp::sip::Subscribe;

#[test]
fn every_fixture_identifies_as_expected() {
    let mut failures = Vec::new();
    for (file, bytes, want) in common::fixtures() {
        let sub = match Subscribe::parse(&bytes) {
            Ok(sub) => sub,
            Err(e) => {
                failures.push(format!("{file}: parse error: {e}"));
                continue;
            }
        };
        let device = identify(&sub, None);
        let got = [
            ("mac", device.mac.map(|m| m.to_string())),
            ("mac_source", device.mac_source.map(|s| s.as_str().to_owned())),
            ("vendor", device.vendor.as_deref().map(str::to_owned)),
            ("model", device.model.as_deref().map(str::to_owned)),
            ("firmware", device.firmware.as_deref().map(str::to_owned)),
            ("profile_type", device.profile_type.as_deref().map(str::to_owned)),
            ("contact", device.contact()),
            ("transport", Some(device.transport.to_string())),
            ("call_id", Some(device.call_id.to_string())),
        ];
        for (field, value) in got {
            let expected = want[field].as_str().map(str::to_owned);
            if value != expected {
                failures.push(format!("{file}: {field}: expected {expected:?}, got {value:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_seed_samples_are_all_there() {
    let files: Vec<String> = common::fixtures().into_iter().map(|(f, _, _)| f).collect();
    for seed in ["seeds/gxp2110.sip", "seeds/grp2614.sip", "seeds/snom-oem.sip"] {
        assert!(files.iter().any(|f| f == seed), "{seed} missing from expected.json");
    }
}

/// Port 0 in a Contact (or a Via, without a source address) is no port: the NOTIFY goes to the
/// default port, never to port 0 (found by fuzzing: fuzz/regressions/engine_input/).
#[test]
fn port_zero_counts_as_absent() {
    let seed = std::fs::read_to_string("tests/fixtures/seeds/gxp2110.sip").expect("seed");
    let zero = seed.replace("Contact: <sip:172.18.32.197:5060>", "Contact: <sip:172.18.32.197:0>");
    assert_ne!(zero, seed, "the seed's Contact changed: update this test");
    let sub = Subscribe::parse(zero.as_bytes()).expect("parses");
    for source in [None, Some("172.18.32.197:5080".parse().expect("addr"))] {
        assert_eq!(identify(&sub, source).contact_port, 5060, "{source:?}");
    }
}
