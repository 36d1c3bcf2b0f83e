//! Tests of the crypto front door: [`encrypt_file`], [`decrypt`], [`Cipher`], [`CryptoError`].

use super::*;

const GS_PASSWORD: &str = "Gs-Secret-Pw-1359";
const YEALINK_KEY: &str = "ljB7jiDIQQ7XD888";
const PANASONIC_KEY: &str = "PanaKey-0123456789abcdefghijklmn";

fn file(name: &str, len: usize) -> RenderedFile {
    RenderedFile {
        file_name: name.into(),
        content_type: "application/xml",
        content: (0..len).map(|i| b'A' + (i % 23) as u8).collect(),
    }
}

fn key_for(cipher: Cipher) -> &'static str {
    match cipher {
        Cipher::GrandstreamMd5 | Cipher::GrandstreamSha256 => GS_PASSWORD,
        Cipher::Yealink => YEALINK_KEY,
        Cipher::Panasonic => PANASONIC_KEY,
        Cipher::Fanvil => "0123456789ABCDEF0123456789ABCDEF",
    }
}

#[test]
fn cipher_names_round_trip() {
    for cipher in Cipher::ALL {
        assert_eq!(Cipher::parse(cipher.name()), Some(cipher));
    }
    assert_eq!(Cipher::parse("grandstream"), Some(Cipher::GrandstreamMd5));
    assert_eq!(Cipher::parse("grandstream-sha256"), Some(Cipher::GrandstreamSha256));
    for bad in ["", "Grandstream", "grandstream ", "aes", "snom", "grandstream-md5"] {
        assert_eq!(Cipher::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn vendor_defaults() {
    assert_eq!(Cipher::for_vendor("grandstream"), Some(Cipher::GrandstreamMd5));
    assert_eq!(Cipher::for_vendor("yealink"), Some(Cipher::Yealink));
    assert_eq!(Cipher::for_vendor("panasonic"), Some(Cipher::Panasonic));
    assert_eq!(Cipher::for_vendor("fanvil"), Some(Cipher::Fanvil));
    assert_eq!(Cipher::for_vendor("snom"), None);
    assert_eq!(Cipher::for_vendor(""), None);
}

#[test]
fn round_trips_through_the_front_door() {
    for cipher in [
        Cipher::GrandstreamMd5,
        Cipher::GrandstreamSha256,
        Cipher::Yealink,
        Cipher::Panasonic,
    ] {
        for len in [0, 1, 15, 16, 17, 102_400] {
            let input = file("cfg000b82273b89.xml", len);
            let out = encrypt_file(&input, cipher, key_for(cipher)).unwrap();
            assert_eq!(out.file.content_type, "application/octet-stream");
            let opened = decrypt(cipher, key_for(cipher), &out.file.content).unwrap();
            if cipher == Cipher::Yealink {
                assert_eq!(&opened[..len], &input.content[..]);
                assert!(opened[len..].iter().all(|&b| b == b' '));
            } else {
                assert_eq!(opened, input.content, "{cipher:?} {len}");
            }
        }
    }
}

#[test]
fn grandstream_keeps_the_name_and_uses_the_digest() {
    let input = file("cfg000b82273b89.xml", 100);
    let md5 = encrypt_file(&input, Cipher::GrandstreamMd5, GS_PASSWORD).unwrap();
    assert_eq!(md5.file.file_name, "cfg000b82273b89.xml");
    assert_eq!(md5.key_file, None);
    assert_eq!(&md5.file.content[..8], b"Salted__");
    assert_eq!(
        openssl::decrypt(&md5.file.content, GS_PASSWORD.as_bytes(), Digest::Md5).unwrap(),
        input.content
    );
    let sha = encrypt_file(&input, Cipher::GrandstreamSha256, GS_PASSWORD).unwrap();
    assert_eq!(
        openssl::decrypt(&sha.file.content, GS_PASSWORD.as_bytes(), Digest::Sha256).unwrap(),
        input.content
    );
}

#[test]
fn salts_are_fresh() {
    let input = file("cfg.xml", 10);
    let a = encrypt_file(&input, Cipher::GrandstreamMd5, GS_PASSWORD).unwrap();
    let b = encrypt_file(&input, Cipher::GrandstreamMd5, GS_PASSWORD).unwrap();
    assert_ne!(a.file.content[8..16], b.file.content[8..16]);
    assert_ne!(a.file.content, b.file.content);
}

#[test]
fn grandstream_password_rules() {
    let input = file("cfg.xml", 10);
    for bad in ["", "pass\nword", "pass\0word", "\t"] {
        assert!(matches!(
            encrypt_file(&input, Cipher::GrandstreamMd5, bad),
            Err(CryptoError::InvalidKey(_))
        ));
        assert!(matches!(
            decrypt(Cipher::GrandstreamSha256, bad, b""),
            Err(CryptoError::InvalidKey(_))
        ));
    }
    assert!(encrypt_file(&input, Cipher::GrandstreamMd5, "ü ok").is_ok());
}

#[test]
fn yealink_files_and_names() {
    let input = file("000b82273b89.cfg", 37);
    let out = encrypt_file(&input, Cipher::Yealink, YEALINK_KEY).unwrap();
    assert_eq!(out.file.file_name, "000b82273b89.cfg");
    let key_file = out.key_file.unwrap();
    assert_eq!(key_file.file_name, "000b82273b89_Security.enc");
    assert_eq!(key_file.content_type, "application/octet-stream");
    assert_eq!(key_file.content, hex_vector());
    assert_eq!(out.file.content.len(), 48);
}

fn hex_vector() -> Vec<u8> {
    let hex = "ac31d043a08b31ec3c0a88fc2de47156";
    (0..32)
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn yealink_empty_key_generates_one_carried_by_the_key_file() {
    let input = file("y000000000058.cfg", 100);
    let a = encrypt_file(&input, Cipher::Yealink, "").unwrap();
    let b = encrypt_file(&input, Cipher::Yealink, "").unwrap();
    let key_a = yealink::key_from_key_file(&a.key_file.as_ref().unwrap().content).unwrap();
    let key_b = yealink::key_from_key_file(&b.key_file.as_ref().unwrap().content).unwrap();
    assert_ne!(key_a, key_b);
    assert!(key_a.as_bytes().iter().all(u8::is_ascii_alphanumeric));
    assert_eq!(
        &decrypt(Cipher::Yealink, key_a.as_str(), &a.file.content).unwrap()[..100],
        &input.content[..]
    );
    assert_eq!(a.key_file.unwrap().file_name, "y000000000058_Security.enc");
}

#[test]
fn yealink_bad_keys() {
    let input = file("a.cfg", 1);
    for bad in ["short", "0123456789abcdef0", "0123456789abcde/"] {
        assert!(matches!(
            encrypt_file(&input, Cipher::Yealink, bad),
            Err(CryptoError::InvalidKey(_))
        ));
    }
    assert!(matches!(
        decrypt(Cipher::Yealink, "", &[0; 16]),
        Err(CryptoError::InvalidKey(_))
    ));
}

#[test]
fn panasonic_renames_to_enc() {
    let input = file("Config0080F0112233.cfg", 100);
    let out = encrypt_file(&input, Cipher::Panasonic, PANASONIC_KEY).unwrap();
    assert_eq!(out.file.file_name, "Config0080F0112233.enc");
    assert_eq!(out.key_file, None);
    assert!(out.file.content.starts_with(b"U2FsdGVkX1"));
    assert!(matches!(
        encrypt_file(&input, Cipher::Panasonic, "too short"),
        Err(CryptoError::InvalidKey(_))
    ));
}

#[test]
fn fanvil_is_unsupported() {
    let input = file("000b82273b89.cfg", 10);
    let err = encrypt_file(&input, Cipher::Fanvil, key_for(Cipher::Fanvil)).unwrap_err();
    assert_eq!(
        err,
        CryptoError::Unsupported("fanvil's config encryption is not public")
    );
    assert_eq!(decrypt(Cipher::Fanvil, "k", b"data"), Err(err.clone()));
    assert_eq!(
        err.to_string(),
        "unsupported encryption: fanvil's config encryption is not public"
    );
}

#[test]
fn stems() {
    assert_eq!(stem("000b82273b89.cfg"), "000b82273b89");
    assert_eq!(stem("a.b.cfg"), "a.b");
    assert_eq!(stem("noext"), "noext");
    assert_eq!(stem(".cfg"), ".cfg");
    assert_eq!(stem("dir.d/file"), "dir.d/file");
    assert_eq!(stem("dir.d/file.xml"), "dir.d/file");
    assert_eq!(stem(""), "");
}

#[test]
fn messages_are_one_lower_case_line_without_secrets() {
    let secret = "SuperSecretKey99";
    let mut errors = vec![
        CryptoError::Unsupported(FANVIL_UNSUPPORTED),
        CryptoError::BadHeader,
        CryptoError::BadPadding,
        CryptoError::Random,
    ];
    let sealed = encrypt_file(&file("c.xml", 50), Cipher::GrandstreamMd5, "another password").unwrap();
    errors.push(decrypt(Cipher::GrandstreamMd5, secret, &sealed.file.content).unwrap_err());
    errors.push(decrypt(Cipher::GrandstreamMd5, secret, b"plain text").unwrap_err());
    errors.push(decrypt(Cipher::Panasonic, secret, b"x").unwrap_err());
    errors.push(decrypt(Cipher::Yealink, &format!("{secret}!"), b"x").unwrap_err());
    errors.push(decrypt(Cipher::Yealink, secret, b"x").unwrap_err());
    errors.push(encrypt_file(&file("c.cfg", 1), Cipher::Yealink, "Secret/Key/12345").unwrap_err());
    errors.push(encrypt_file(&file("c.cfg", 1), Cipher::GrandstreamMd5, "Secret\nPassword").unwrap_err());
    for err in errors {
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(
                !text.contains("Secret") && !text.contains("Password") && !text.contains("password\""),
                "{text}"
            );
            assert!(!text.contains('\n'));
        }
        let text = err.to_string();
        assert!(text.starts_with(|c: char| c.is_ascii_lowercase()), "{text}");
    }
}

#[test]
fn encrypted_debug_hides_the_key_file() {
    let out = encrypt_file(&file("a.cfg", 1), Cipher::Yealink, YEALINK_KEY).unwrap();
    let text = format!("{out:?}");
    assert!(text.contains("a_Security.enc"));
    assert!(!text.contains("172")); // 0xac, the first key-file byte, in Debug's decimal form
    assert!(!text.contains(YEALINK_KEY));
}

#[test]
fn garbage_never_panics() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..2000 {
        let len = (next() % 200) as usize;
        let mut data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if round % 3 == 0 && data.len() >= 8 {
            data[..8].copy_from_slice(b"Salted__");
        }
        for cipher in Cipher::ALL {
            let _ = decrypt(cipher, key_for(cipher), &data);
        }
        let _ = yealink::key_from_key_file(&data);
    }
}
