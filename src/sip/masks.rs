//! Bit masks of a few delimiter bytes in a short text, sixteen bytes per step (SSE2 on
//! x86-64, a byte loop elsewhere): a parser asks once where all its delimiters are and then
//! splits with bit operations instead of searching piece after piece. Texts of at most
//! [`MASKED_MAX`] bytes, so that every position and the one after it fit a `u64`'s shifts.

/// The lowest set bit's index.
#[inline]
pub(crate) fn first_bit(mask: u64) -> Option<usize> {
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

/// The highest set bit's index.
#[inline]
pub(crate) fn last_bit(mask: u64) -> Option<usize> {
    (mask != 0).then(|| 63 - mask.leading_zeros() as usize)
}

/// The bits from `i` up; `i` is at most [`MASKED_MAX`].
#[inline]
pub(crate) fn at_or_above(i: usize) -> u64 {
    debug_assert!(i <= MASKED_MAX);
    u64::MAX << i
}

/// The bits below `i`.
#[inline]
pub(crate) fn below(i: usize) -> u64 {
    !at_or_above(i)
}

/// `text[range]` without the checks for character boundaries: the parsers cut at the
/// delimiters their masks found, which are ASCII, so those checks cannot fail there (measured:
/// they were some 150 instructions of a SUBSCRIBE's parse). The bounds are still checked.
///
/// # Safety
///
/// Each end of `range` is 0, `text.len()`, the position of an ASCII byte of `text`, or the
/// position right after one: a character boundary.
#[inline(always)]
pub(crate) unsafe fn cut_at_ascii(text: &str, range: std::ops::Range<usize>) -> &str {
    debug_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
    // SAFETY: an ASCII byte is a whole character, so both ends are character boundaries
    // (the caller's promise) and the bytes between them are UTF-8.
    unsafe { std::str::from_utf8_unchecked(&text.as_bytes()[range]) }
}

/// The longest text [`range_masks`] reads: a position and the one after it both fit a
/// `u64` mask's shifts.
pub(crate) const MASKED_MAX: usize = 63;

/// Bit masks of some bytes in a short range of a text: bit `i` of mask `k` is set when
/// `text[start + i]` is one of `sets[k]`. A parser that asks where its few delimiters are
/// once, instead of searching piece after piece, reads the range once, sixteen bytes per
/// step (at most [`MASKED_MAX`] bytes). The steps may read the bytes of `text` around the
/// range, so a short range at the end of a longer text still takes one step.
#[inline(always)]
pub(crate) fn range_masks<const N: usize>(text: &[u8], start: usize, end: usize, sets: [&[u8]; N]) -> [u64; N] {
    assert!(start <= end && end <= text.len() && end - start <= MASKED_MAX);
    imp::of(text, start, end, sets)
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod imp {
    use super::below;
    use crate::sip::search::{hits_in, load};

    /// See [`super::range_masks`] (whose checks hold here).
    #[inline(always)]
    pub(super) fn of<const N: usize>(text: &[u8], start: usize, end: usize, sets: [&[u8]; N]) -> [u64; N] {
        let mut masks = [0u64; N];
        let Some(last) = text.len().checked_sub(16) else {
            // Too short for one step: a zero-padded copy, the padding's bits dropped.
            let mut padded = [0u8; 16];
            padded[..text.len()].copy_from_slice(text);
            for (mask, bits) in masks.iter_mut().zip(chunk(&padded, sets)) {
                *mask = u64::from(bits) >> start & below(end - start);
            }
            return masks;
        };
        // Steps at `start`, `start + 16`, …, each moved back to end within `text` (the bits
        // found twice are the same).
        let mut next = start;
        while next < end {
            let at = next.min(last);
            let bytes = text[at..at + 16].try_into().expect("sixteen bytes");
            for (mask, bits) in masks.iter_mut().zip(chunk(bytes, sets)) {
                let bits = u64::from(bits);
                *mask |= if at >= start {
                    bits << (at - start)
                } else {
                    bits >> (start - at)
                };
            }
            next = at + 16;
        }
        masks.map(|mask| mask & below(end - start))
    }

    /// For each set, the positions (bit i: byte i) where `bytes` holds one of its bytes.
    #[inline(always)]
    fn chunk<const N: usize>(bytes: &[u8; 16], sets: [&[u8]; N]) -> [u32; N] {
        let v = load(bytes);
        sets.map(|set| hits_in(v, set))
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
mod imp {
    /// See [`super::range_masks`] (whose checks hold here).
    pub(super) fn of<const N: usize>(text: &[u8], start: usize, end: usize, sets: [&[u8]; N]) -> [u64; N] {
        let mut masks = [0u64; N];
        for (i, b) in text[start..end].iter().enumerate() {
            for (mask, set) in masks.iter_mut().zip(sets) {
                *mask |= u64::from(set.contains(b)) << i;
            }
        }
        masks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_cuts_are_the_checked_slices() {
        for text in ["", ";", "é;x", "<é>;tag=ü", "a:b@é;c?d", "ü"] {
            // Every end the promise allows: 0, the length, at or right after an ASCII byte.
            let mut ends = vec![0, text.len()];
            for (i, b) in text.bytes().enumerate() {
                if b.is_ascii() {
                    ends.extend([i, i + 1]);
                }
            }
            for &from in &ends {
                for &to in ends.iter().filter(|&&to| to >= from) {
                    // SAFETY: both ends are ones the promise allows (listed above).
                    assert_eq!(unsafe { cut_at_ascii(text, from..to) }, &text[from..to], "{text:?}");
                }
            }
        }
    }

    #[test]
    fn masks_mark_what_a_byte_loop_finds() {
        let sets: [&[u8]; 3] = [b";", b":@", b"\"<>[]"];
        for text in crate::sip::uri::tests::sample_texts().iter().rev().step_by(7) {
            let bytes = text.as_bytes();
            for start in 0..=bytes.len() {
                for end in start..=bytes.len().min(start + MASKED_MAX) {
                    let masks = range_masks(bytes, start, end, sets);
                    for (mask, set) in masks.iter().zip(sets) {
                        let expected = (start..end)
                            .filter(|&i| set.contains(&bytes[i]))
                            .fold(0u64, |m, i| m | 1 << (i - start));
                        assert_eq!(*mask, expected, "{text:?} {start}..{end} {set:?}");
                    }
                }
            }
        }
    }
}
