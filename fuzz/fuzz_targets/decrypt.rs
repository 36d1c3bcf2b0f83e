//! Arbitrary bytes → `crypto::decrypt` for every cipher with a fixed key, then the input as
//! plaintext through `encrypt_file` → `decrypt`, which must give it back (Yealink: with its
//! space padding).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sippnp::crypto::{self, Cipher};
use sippnp::render::RenderedFile;

/// Valid for every cipher: 16 characters a Yealink key allows, printable for Panasonic.
const KEY: &str = "0123456789abcdef";

const CIPHERS: [Cipher; 5] = [
    Cipher::GrandstreamMd5,
    Cipher::GrandstreamSha256,
    Cipher::Yealink,
    Cipher::Panasonic,
    Cipher::Fanvil,
];

fuzz_target!(|data: &[u8]| {
    for cipher in CIPHERS {
        let _ = crypto::decrypt(cipher, KEY, data);
    }
    let file = RenderedFile {
        file_name: "cfg000b82273b89.xml".into(),
        content_type: "application/xml",
        content: data.to_vec(),
    };
    for cipher in CIPHERS {
        match crypto::encrypt_file(&file, cipher, KEY) {
            Ok(encrypted) => {
                let plain = crypto::decrypt(cipher, KEY, &encrypted.file.content)
                    .unwrap_or_else(|e| panic!("{}: own ciphertext does not decrypt: {e}", cipher.name()));
                // Yealink pads with spaces to whole blocks and cannot tell them from the text.
                let mut expected = data.to_vec();
                if cipher == Cipher::Yealink {
                    expected.resize(data.len().next_multiple_of(16), b' ');
                }
                assert_eq!(plain, expected, "{}: round trip changed the plaintext", cipher.name());
            }
            Err(e) => assert_eq!(cipher, Cipher::Fanvil, "{}: encrypt failed: {e}", cipher.name()),
        }
    }
});
