//! The loop BENCHMARKS.md counts instructions on with callgrind. Not a cargo target of sippnp
//! (files under benches/peers/ are not discovered); build it as its own crate:
//!
//!     mkdir -p /tmp/cg/src && cp benches/peers/callgrind_loop.rs /tmp/cg/src/main.rs
//!     printf '[package]\nname = "cg"\nversion = "0.0.0"\nedition = "2024"\n[dependencies]\nsippnp = { path = "%s" }\n[profile.release]\ndebug = 1\n[workspace]\n' "$PWD" > /tmp/cg/Cargo.toml
//!     (cd /tmp/cg && SIPPNP_DIR=$OLDPWD cargo build --release)
//!     valgrind --tool=callgrind /tmp/cg/target/release/cg parse 1      # and 2001: the difference / 2000
//!
//! Modes: `parse`, `identify` (parse + identify), `answer` (`Responder::handle`).

use std::hint::black_box;
use std::net::SocketAddr;
use sippnp::assign::NoLookup;
use sippnp::ids::IdGen;
use sippnp::responder::{Config, Responder, UnknownPolicy};
use sippnp::sip::Subscribe;
use sippnp::template::UrlTemplate;

const GXP2110: &[u8] = include_bytes!(concat!(env!("SIPPNP_DIR"), "/tests/fixtures/seeds/gxp2110.sip"));

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap();
    let n: u64 = args.next().unwrap().parse().unwrap();
    let config = Config {
        server_host: "192.0.2.10".into(),
        server_port: 5060,
        url: UrlTemplate::new("http://192.0.2.10/prov/{mac}/").expect("valid template"),
        user_agent: Some("sippnp-bench".into()),
        unknown: UnknownPolicy::Answer,
    };
    let responder = Responder::with_ids(config, NoLookup, IdGen::with_secret(b"bench-secret-key")).expect("config");
    let source: SocketAddr = "172.18.32.197:5060".parse().unwrap();
    for _ in 0..n {
        match what.as_str() {
            "parse" => { black_box(Subscribe::parse(black_box(GXP2110)).map(|s| s.vias.len()).ok()); }
            "identify" => { black_box(sippnp::device::identify(&Subscribe::parse(black_box(GXP2110)).unwrap(), None)); }
            _ => { black_box(responder.handle(black_box(GXP2110), source).ok()); }
        }
    }
}
