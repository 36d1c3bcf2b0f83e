//! Eight bytes at a time in one `u64` (SIMD within a register): the classic tests for a zero
//! byte and for a byte below a bound, for values too short for a vector loop to pay off.
//!
//! Each test returns a mask with the high bit set in the bytes that pass. A borrow can only
//! carry upwards, so the lowest marked byte is always a true one: a mask is exact for "is there
//! any" and for "which is the first", though bytes above the first may be marked falsely.

/// `0x80` in every byte.
pub(crate) const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// A word with `byte` in every byte.
pub(crate) const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// The bytes of `word` below `n` (`n` at most 128; bytes from 0x80 up are never marked).
#[inline(always)]
pub(crate) const fn bytes_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(splat(n)) & !word & HIGHS
}

/// The bytes of `word` that are `byte`.
#[inline(always)]
pub(crate) const fn bytes_equal(word: u64, byte: u8) -> u64 {
    bytes_below(word ^ splat(byte), 1)
}

/// Whether `bytes` holds `byte`: text of 8 to 16 bytes (a host, a token) is looked at as two
/// words, the rest byte by byte.
#[inline]
pub(crate) fn contains_byte(bytes: &[u8], byte: u8) -> bool {
    match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        (Some(first), Some(last)) if bytes.len() <= 16 => {
            (bytes_equal(u64::from_ne_bytes(*first), byte) | bytes_equal(u64::from_ne_bytes(*last), byte)) != 0
        }
        _ => bytes.contains(&byte),
    }
}

/// `bytes` as text when every byte is ASCII, else `None`. For the short text we write
/// ourselves (ids, hex digits, addresses): checked a word at a time, where `str::from_utf8`
/// costs several times more on text this short.
#[inline]
pub(crate) fn ascii_str(bytes: &[u8]) -> Option<&str> {
    let mut words = bytes.chunks_exact(8);
    let mut seen = 0u64;
    for word in words.by_ref() {
        seen |= u64::from_ne_bytes(word.try_into().expect("chunks of eight"));
    }
    match bytes.last_chunk::<8>() {
        // The last eight bytes cover the ones left over.
        Some(last) => seen |= u64::from_ne_bytes(*last),
        None => words.remainder().iter().for_each(|&b| seen |= u64::from(b)),
    }
    if seen & HIGHS != 0 {
        return None;
    }
    // SAFETY: no byte has its high bit set (every byte went into `seen`), so `bytes` is
    // ASCII, which is valid UTF-8.
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_is_found_where_a_plain_search_finds_it() {
        for len in 0..24 {
            for at in 0..len {
                for (byte, other) in [(b':', b';'), (b':', b'9'), (0, 1), (0xff, 0x7f)] {
                    let mut bytes = vec![other; len];
                    assert!(!contains_byte(&bytes, byte), "{len} {byte}");
                    bytes[at] = byte;
                    assert!(contains_byte(&bytes, byte), "{len} {at} {byte}");
                }
            }
        }
    }

    #[test]
    fn ascii_text_is_what_from_utf8_gives_and_the_rest_is_refused() {
        let text: Vec<u8> = (0..40u8).map(|i| b'!' + i).collect();
        for len in 0..text.len() {
            let bytes = &text[..len];
            assert_eq!(ascii_str(bytes), std::str::from_utf8(bytes).ok(), "{len}");
            for at in 0..len {
                for high in [0x80u8, 0xc3, 0xff] {
                    let mut bytes = bytes.to_vec();
                    bytes[at] = high;
                    assert_eq!(ascii_str(&bytes), None, "{len} {at} {high}");
                }
            }
        }
        assert_eq!(ascii_str("caf\u{e9}".as_bytes()), None);
        assert_eq!(ascii_str(&[0, 0x7f]), Some("\0\u{7f}"));
    }

    #[test]
    fn the_first_marked_byte_is_the_first_true_one() {
        let samples: [[u8; 8]; 5] = [
            *b"abcdefgh",
            [0, 1, 2, 3, 0x7f, 0x80, 0xff, b' '],
            [b'a', 0x0d, 0x0c, 0x0e, 0, 0x81, b'\n', b'z'],
            [0xff, 0x80, 0x7f, 0x20, 0x1f, 0x01, 0x00, 0x0a],
            [0x20; 8],
        ];
        for bytes in samples {
            let word = u64::from_le_bytes(bytes);
            let first = |mask: u64| (mask != 0).then(|| mask.trailing_zeros() as usize / 8);
            for n in [1, 0x0e, 0x20, 0x80] {
                assert_eq!(
                    first(bytes_below(word, n)),
                    bytes.iter().position(|&b| b < n),
                    "{bytes:?} {n}"
                );
            }
            for byte in [0, b'\n', b'\r', 0x7f, b'"', 0x80, 0xff] {
                assert_eq!(
                    first(bytes_equal(word, byte)),
                    bytes.iter().position(|&b| b == byte),
                    "{bytes:?} {byte}"
                );
            }
        }
    }
}
