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

#[cfg(test)]
mod tests {
    use super::*;

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
