//! Interoperability with the `openssl` command line: what we encrypt, `openssl enc` opens, and
//! what `openssl enc` encrypts, we open. Phones implement the formats "the same as OpenSSL", so
//! this is the closest check short of a real phone.
//!
//! Without an `openssl` binary the tests print a note and pass, unless `SIPPNP_REQUIRE_OPENSSL=1`.

mod common;

use common::process::openssl_available;
use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sippnp::crypto::yealink::{self, YealinkKey};
use sippnp::crypto::{Cipher, Digest, encrypt_file, openssl, panasonic};
use sippnp::render::RenderedFile;

const SIZES: [usize; 6] = [0, 1, 15, 16, 17, 102_400];
const PASSWORD: &str = "p@ss word-1359";
const YEALINK_KEY: &str = "ljB7jiDIQQ7XD888";
const YEALINK_BUILTIN: &str = "EKs35XacP6eybA25";
const PANASONIC_KEYS: [(&str, &str); 3] = [
    ("0123456789abcdef", "aes-128-cbc"),
    ("0123456789abcdefGHIJKLMN", "aes-192-cbc"),
    ("0123456789abcdefGHIJKLMNopqrstuv", "aes-256-cbc"),
];

/// `openssl enc` arguments that open a Panasonic file made with `key` (cipher `aes`).
fn panasonic_open_args(aes: &str, key: &str) -> Vec<String> {
    [
        "-d",
        &format!("-{aes}"),
        "-a",
        "-md",
        "md5",
        "-pass",
        &format!("pass:{key}"),
    ]
    .map(String::from)
    .to_vec()
}

/// A temporary file under `std::env::temp_dir()`, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str) -> TempFile {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        TempFile(std::env::temp_dir().join(format!("sippnp-interop-{}-{n}-{tag}", std::process::id())))
    }

    fn with(tag: &str, content: &[u8]) -> TempFile {
        let file = TempFile::new(tag);
        fs::write(&file.0, content).unwrap();
        file
    }

    fn read(&self) -> Vec<u8> {
        fs::read(&self.0).unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Runs `openssl enc ARGS -in INPUT -out OUTPUT` and returns the output file's content.
fn openssl_enc<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S], input: &[u8]) -> Vec<u8> {
    let src = TempFile::with("in", input);
    let dst = TempFile::new("out");
    let out = Command::new("openssl")
        .arg("enc")
        .args(args)
        .arg("-in")
        .arg(&src.0)
        .arg("-out")
        .arg(&dst.0)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl enc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dst.read()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every byte value, in a pattern that does not repeat with the block size.
fn plain(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 7) as u8).collect()
}

fn digest_name(digest: Digest) -> &'static str {
    match digest {
        Digest::Md5 => "md5",
        Digest::Sha256 => "sha256",
    }
}

#[test]
fn openssl_opens_our_containers() {
    if !openssl_available() {
        return;
    }
    for (i, digest) in [Digest::Md5, Digest::Sha256].into_iter().enumerate() {
        for len in SIZES {
            let data = plain(len);
            let salt = [i as u8, len as u8, 0xa5, 3, 4, 5, 6, 7];
            let ours = openssl::encrypt(&data, PASSWORD.as_bytes(), digest, salt);
            let md = digest_name(digest);
            let opened = openssl_enc(
                &["-d", "-aes-256-cbc", "-md", md, "-pass", &format!("pass:{PASSWORD}")],
                &ours,
            );
            assert_eq!(opened, data, "{md} {len}");
        }
    }
}

#[test]
fn openssl_opens_encrypt_file_output_with_random_salt() {
    if !openssl_available() {
        return;
    }
    for (cipher, md) in [(Cipher::GrandstreamMd5, "md5"), (Cipher::GrandstreamSha256, "sha256")] {
        let file = RenderedFile {
            file_name: "cfg000b82273b89.xml".into(),
            content_type: "application/xml",
            content: plain(5000),
        };
        let out = encrypt_file(&file, cipher, PASSWORD).unwrap();
        let opened = openssl_enc(&["-d", "-aes-256-cbc", "-md", md, "-k", PASSWORD], &out.file.content);
        assert_eq!(opened, file.content, "{cipher:?}");
    }
}

#[test]
fn we_open_openssl_containers() {
    if !openssl_available() {
        return;
    }
    for digest in [Digest::Md5, Digest::Sha256] {
        for len in SIZES {
            let data = plain(len);
            let md = digest_name(digest);
            let theirs = openssl_enc(&["-e", "-aes-256-cbc", "-md", md, "-k", PASSWORD], &data);
            assert_eq!(&theirs[..8], b"Salted__");
            assert_eq!(
                openssl::decrypt(&theirs, PASSWORD.as_bytes(), digest).unwrap(),
                data,
                "{md} {len}"
            );
        }
    }
}

#[test]
fn yealink_config_matches_openssl_ecb() {
    if !openssl_available() {
        return;
    }
    let key = YealinkKey::new(YEALINK_KEY).unwrap();
    let key_hex = hex(key.as_bytes());
    for len in SIZES {
        let data = plain(len);
        let mut padded = data.clone();
        padded.resize(len.next_multiple_of(16), b' ');
        let ours = yealink::encrypt_config(&data, &key);
        let opened = openssl_enc(&["-d", "-aes-128-ecb", "-nopad", "-K", &key_hex], &ours);
        assert_eq!(opened, padded, "{len}");
        let theirs = openssl_enc(&["-e", "-aes-128-ecb", "-nopad", "-K", &key_hex], &padded);
        assert_eq!(theirs, ours, "{len}");
        assert_eq!(yealink::decrypt_config(&theirs, &key).unwrap(), padded);
    }
}

#[test]
fn yealink_key_file_matches_openssl_ecb() {
    if !openssl_available() {
        return;
    }
    let builtin_hex = hex(YEALINK_BUILTIN.as_bytes());
    let mut keys = vec![
        YealinkKey::new(YEALINK_KEY).unwrap(),
        YealinkKey::new("#$%*+,-.:=?@[]^_").unwrap(),
    ];
    keys.push(YealinkKey::random().unwrap());
    for key in keys {
        let theirs = openssl_enc(&["-e", "-aes-128-ecb", "-nopad", "-K", &builtin_hex], key.as_bytes());
        assert_eq!(theirs, yealink::key_file(&key));
        assert_eq!(yealink::key_from_key_file(&theirs).unwrap(), key);
    }
}

#[test]
fn openssl_opens_our_panasonic_files() {
    if !openssl_available() {
        return;
    }
    for (key, aes) in PANASONIC_KEYS {
        for len in SIZES {
            let data = plain(len);
            let ours = panasonic::encrypt(&data, key, Digest::Md5, *b"pan-salt").unwrap();
            let opened = openssl_enc(&panasonic_open_args(aes, key), &ours);
            assert_eq!(opened, data, "{aes} {len}");
        }
    }
    // Through the front door, with a random salt.
    let (key, aes) = PANASONIC_KEYS[2];
    let file = RenderedFile {
        file_name: "Config0080F0112233.cfg".into(),
        content_type: "text/plain",
        content: plain(999),
    };
    let out = encrypt_file(&file, Cipher::Panasonic, key).unwrap();
    let opened = openssl_enc(&panasonic_open_args(aes, key), &out.file.content);
    assert_eq!(opened, file.content);
}

#[test]
fn we_open_openssl_panasonic_files() {
    if !openssl_available() {
        return;
    }
    for (key, aes) in PANASONIC_KEYS {
        for len in SIZES {
            let data = plain(len);
            let pass = format!("pass:{key}");
            let theirs = openssl_enc(
                &["-e", &format!("-{aes}"), "-a", "-salt", "-md", "md5", "-pass", &pass],
                &data,
            );
            assert_eq!(
                panasonic::decrypt(&theirs, key, Digest::Md5).unwrap(),
                data,
                "{aes} {len}"
            );
            if aes == "aes-256-cbc" {
                assert_eq!(sippnp::crypto::decrypt(Cipher::Panasonic, key, &theirs).unwrap(), data);
            }
        }
    }
}
