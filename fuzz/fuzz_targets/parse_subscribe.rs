//! Arbitrary bytes → `Subscribe::parse` and, when it parses, `device::identify` (with and
//! without a source address). Nothing may panic; an identified MAC must print back as 12 hex
//! digits.
#![no_main]

use std::net::SocketAddr;

use libfuzzer_sys::fuzz_target;
use sippnp::device;
use sippnp::sip::Subscribe;

fuzz_target!(|data: &[u8]| {
    let Ok(sub) = Subscribe::parse(data) else { return };
    let source: SocketAddr = "192.0.2.77:5060".parse().unwrap();
    for source in [None, Some(source)] {
        let dev = device::identify(&sub, source);
        if let Some(mac) = dev.mac {
            let hex = mac.to_lower_hex();
            assert_eq!(hex.len(), 12);
            assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }
});
