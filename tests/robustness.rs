//! Mutated and truncated fixtures never panic the parser, the identity code or the responder:
//! each input either parses or returns an error, and whatever is answered still frames
//! correctly (Content-Length matches, no bare CR or LF inside a header line).

mod common;

use std::net::SocketAddr;

use sippnp::assign::NoLookup;
use sippnp::device::identify;
use sippnp::ids::IdGen;
use sippnp::responder::{Config, Outcome, Responder, UnknownPolicy};
use sippnp::sip::Subscribe;
use sippnp::template::UrlTemplate;

/// xorshift64*: a fixed-seed generator, so every run tests the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const DICTIONARY: &[&[u8]] = &[
    b"\r\n",
    b"\n",
    b"\r\n ",
    b";",
    b":",
    b",",
    b"<",
    b">",
    b"\"",
    b"[::1]",
    b"@",
    b"%3A",
    b"MAC:",
    b";rport",
    b";branch=",
    b"\0",
    b"\xff",
    b"=",
    b":99999999",
    b"v: ",
    b"Content-Length: 9\r\n",
    b"\r\n\r\n",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = rng.next() as u8;
            }
            1 if at < data.len() => {
                let end = (at + 1 + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            2 => {
                let word = DICTIONARY[rng.below(DICTIONARY.len())];
                data.splice(at..at, word.iter().copied());
            }
            3 => data.truncate(at),
            4 if at < data.len() => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                let chunk = data[at..end].to_vec();
                data.splice(at..at, chunk);
            }
            _ => data.insert(at.min(data.len()), rng.next() as u8),
        }
    }
    data
}

fn assert_framed(bytes: &[u8]) {
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("blank line") + 4;
    let head = std::str::from_utf8(&bytes[..split]).expect("UTF-8 head");
    for line in head[..head.len() - 4].split("\r\n") {
        assert!(!line.contains(['\r', '\n', '\0']), "bad line {line:?}");
    }
    let length: usize = head
        .split("\r\n")
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .expect("Content-Length")
        .parse()
        .expect("number");
    assert_eq!(length, bytes.len() - split);
}

#[test]
fn mutated_fixtures_never_panic_and_answers_stay_framed() {
    let config = Config {
        server_host: "192.0.2.10".into(),
        server_port: 5060,
        url: UrlTemplate::new("http://192.0.2.10/{vendor}/{model}/{firmware}/{mac}").unwrap(),
        user_agent: Some("robustness".into()),
        unknown: UnknownPolicy::Answer,
    };
    let responder = Responder::with_ids(config, NoLookup, IdGen::with_secret(b"robustness-secret")).unwrap();
    let source: SocketAddr = "192.0.2.77:5060".parse().unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_beef);
    let (mut parsed, mut answered, mut total) = (0, 0, 0);
    for (_, bytes, _) in common::fixtures() {
        for _ in 0..3000 {
            let input = mutate(&mut rng, &bytes);
            total += 1;
            if let Ok(sub) = Subscribe::parse(&input) {
                parsed += 1;
                let _ = identify(&sub, Some(source));
            }
            if let Ok(Outcome::Answer { response, notify, .. }) = responder.handle(&input, source) {
                answered += 1;
                assert_framed(&response.bytes);
                assert_framed(&notify.bytes);
            }
        }
    }
    eprintln!("{total} mutated inputs: {parsed} parsed, {answered} answered");
    assert!(
        parsed > total / 10 && parsed < total,
        "the mutations should hit both paths"
    );
}

#[test]
fn every_prefix_of_a_fixture_is_handled() {
    for (file, bytes, _) in common::fixtures() {
        for end in 0..bytes.len() {
            // Cut anywhere: an error or (after the last header line) a message, never a panic.
            let _ = Subscribe::parse(&bytes[..end]).map_err(|e| assert!(e.to_string().len() < 120, "{file}: {e}"));
        }
    }
}
