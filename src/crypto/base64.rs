//! Standard-alphabet base64 (RFC 4648 §4) with `=` padding, as `openssl enc -a` writes it.

/// The standard alphabet.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Marks a byte that is not in [`ALPHABET`] in [`DECODE`].
const INVALID: u8 = 0xff;

/// Byte → 6-bit value, or [`INVALID`].
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Encodes `data` with padding, breaking the output into lines of `line_len` characters, each
/// ended by `\n` (the last one too, unless the output is empty). `line_len == 0` means one line
/// without a final `\n`.
pub(crate) fn encode_lines(data: &[u8], line_len: usize) -> String {
    let flat = encode(data);
    if line_len == 0 || flat.is_empty() {
        return flat;
    }
    let mut out = String::with_capacity(flat.len() + flat.len() / line_len + 1);
    // `flat` is ASCII, so splitting its bytes at any index stays on char boundaries.
    for line in flat.as_bytes().chunks(line_len) {
        out.extend(line.iter().map(|&b| char::from(b)));
        out.push('\n');
    }
    out
}

/// Encodes `data` as one padded line.
pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// Decodes padded base64, skipping ASCII whitespace (line breaks anywhere). `None` when a byte
/// is outside the alphabet, the length is not a multiple of 4, or `=` appears other than as the
/// last one or two characters.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let quads = clean.len() / 4;
    for (i, quad) in clean.chunks_exact(4).enumerate() {
        let pad = match (quad[2], quad[3]) {
            (b'=', b'=') => 2,
            (_, b'=') => 1,
            _ => 0,
        };
        if pad > 0 && i + 1 != quads {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            let v = DECODE[usize::from(c)];
            if v == INVALID {
                return None;
            }
            n = (n << 6) | u32::from(v);
        }
        n <<= 6 * pad as u32;
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10 test vectors.
    const VECTORS: [(&str, &str); 7] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn rfc4648_vectors() {
        for (plain, coded) in VECTORS {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded.as_bytes()).as_deref(), Some(plain.as_bytes()));
        }
    }

    #[test]
    fn all_byte_values_round_trip() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        for len in 0..data.len() {
            assert_eq!(decode(encode(&data[..len]).as_bytes()).as_deref(), Some(&data[..len]));
        }
        assert_eq!(&encode(&[0xfb, 0xff, 0xbf]), "+/+/");
    }

    #[test]
    fn wraps_like_openssl() {
        let data = [0u8; 100];
        let text = encode_lines(&data, 64);
        let lines: Vec<&str> = text.split_terminator('\n').collect();
        assert_eq!(lines.iter().map(|l| l.len()).collect::<Vec<_>>(), [64, 64, 8]);
        assert!(text.ends_with('\n'));
        assert_eq!(encode_lines(&[], 64), "");
        assert_eq!(encode_lines(b"foo", 64), "Zm9v\n");
        assert_eq!(encode_lines(b"foo", 0), "Zm9v");
        assert_eq!(decode(text.as_bytes()).as_deref(), Some(&data[..]));
    }

    #[test]
    fn tolerates_whitespace() {
        assert_eq!(decode(b"Zm9v\r\nYmFy\n").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(decode(b" Zm 9v\tYg==\n\n").as_deref(), Some(&b"foob"[..]));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            &b"Zm9"[..],
            b"Zm9v!",
            b"Zg==Zg==",
            b"Z===",
            b"====",
            b"Zm-v",
            b"Zm9v\0",
            b"Zg=a",
        ] {
            assert_eq!(decode(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
