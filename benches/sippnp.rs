//! Benchmarks: parse, identify, answer (SUBSCRIBE → 200 OK + NOTIFY), render, encrypt, and
//! rsip's parser on the same message as a peer. `benches/run.sh` runs them next to
//! `openssl speed` and the C SIP parsers (`benches/peers/parse_peers.c`: libre, sofia-sip) and
//! writes the figures BENCHMARKS.md quotes.

#[path = "../tests/common/assignment.rs"]
mod assignment;

use std::hint::black_box;
use std::net::SocketAddr;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeEncrypt, KeyIvInit};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sippnp::assign::NoLookup;
use sippnp::crypto::{Digest, openssl};
use sippnp::device::identify;
use sippnp::ids::IdGen;
use sippnp::responder::{Config, Responder, UnknownPolicy};
use sippnp::sip::Subscribe;
use sippnp::template::UrlTemplate;

const GXP2110: &[u8] = include_bytes!("../tests/fixtures/seeds/gxp2110.sip");

fn sip(c: &mut Criterion) {
    let mut group = c.benchmark_group("sip");
    group.throughput(Throughput::Bytes(GXP2110.len() as u64));
    group.bench_function("parse_gxp2110", |b| {
        b.iter(|| Subscribe::parse(black_box(GXP2110)).map(|s| s.vias.len()))
    });
    group.bench_function("parse_identify_gxp2110", |b| {
        b.iter(|| identify(&Subscribe::parse(black_box(GXP2110)).expect("seed parses"), None))
    });
    let config = Config {
        server_host: "192.0.2.10".into(),
        server_port: 5060,
        url: UrlTemplate::new("http://192.0.2.10/prov/{mac}/").expect("valid template"),
        user_agent: Some("sippnp-bench".into()),
        unknown: UnknownPolicy::Answer,
    };
    let responder = Responder::with_ids(config, NoLookup, IdGen::with_secret(b"bench-secret-key")).expect("config");
    let source: SocketAddr = "172.18.32.197:5060".parse().expect("address");
    group.bench_function("answer_gxp2110", |b| {
        b.iter(|| responder.handle(black_box(GXP2110), source))
    });
    group.bench_function("rsip_parse_gxp2110", |b| {
        b.iter(|| rsip::SipMessage::try_from(black_box(GXP2110)).map(|m| m.body().len()))
    });
    group.finish();
}

fn render(c: &mut Criterion) {
    let assignment = assignment::two_accounts();
    for vendor in sippnp::render::supported_vendors() {
        c.bench_function(&format!("render/{vendor}_2_accounts"), |b| {
            b.iter(|| sippnp::render::render(vendor, black_box(&assignment)))
        });
    }
    c.bench_function("render/grandstream_binary_2_accounts", |b| {
        b.iter(|| sippnp::render::grandstream_binary::render(black_box(&assignment)))
    });
}

fn encrypt(c: &mut Criterion) {
    let config: Vec<u8> = (0..102_400u32).map(|i| b"P1234=value&"[i as usize % 12]).collect();
    let mut group = c.benchmark_group("encrypt");
    group.throughput(Throughput::Bytes(config.len() as u64));
    group.bench_function("aes256cbc_md5_100KiB", |b| {
        b.iter(|| openssl::encrypt(black_box(&config), b"password", Digest::Md5, [7; 8]))
    });
    // Peer: the same AES-256-CBC + PKCS#7 through `cbc::Encryptor` (what `encrypt` used before
    // its own CBC loop; see `src/crypto/aes_cbc.rs`), without the container header and KDF.
    group.bench_function("cbc_crate_aes256_100KiB", |b| {
        b.iter(|| {
            cbc::Encryptor::<aes::Aes256>::new(&[7; 32].into(), &[9; 16].into())
                .encrypt_padded_vec::<Pkcs7>(black_box(&config))
        })
    });
    group.finish();
}

criterion_group!(benches, sip, render, encrypt);
criterion_main!(benches);
