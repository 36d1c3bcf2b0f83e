//! Byte searches for the delimiters inside header values (`@`, `;`, `>`, …), sixteen bytes
//! per step (SSE2 on x86-64, a plain loop elsewhere). Values are short, so the cost that
//! matters is the number of steps, not the setup.

/// The first byte of `hay` that is one of `wanted` (repeat one to fill the array).
#[inline]
pub(crate) fn find_any<const N: usize>(hay: &[u8], wanted: [u8; N]) -> Option<usize> {
    imp::find_any(hay, wanted)
}

/// The first `byte` in `hay`.
#[inline]
pub(crate) fn find_byte(hay: &[u8], byte: u8) -> Option<usize> {
    imp::find_any(hay, [byte])
}

/// The first `byte` in `data[start..end]`, as a position in `data`. Made for a byte expected
/// near `start` (a header's colon): one look at the sixteen bytes from `start`, which may
/// reach past `end` when `data` has them, answers most searches.
#[inline]
pub(crate) fn find_byte_between(data: &[u8], start: usize, end: usize, byte: u8) -> Option<usize> {
    imp::find_byte_between(data, start, end, byte)
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(crate) use imp::{hits_in, load};

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod imp {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128,
    };

    /// Positions (bit i: byte i) of the `wanted` bytes in the 16 bytes at `chunk`.
    #[inline]
    fn hits(chunk: &[u8], wanted: &[u8]) -> u32 {
        hits_in(load(chunk), wanted)
    }

    /// The first sixteen bytes of `chunk`.
    #[inline(always)]
    pub(crate) fn load(chunk: &[u8]) -> __m128i {
        assert!(chunk.len() >= 16);
        // SAFETY: the target has SSE2 (the module's `cfg`); `chunk` has at least 16 readable
        // bytes (asserted) and `_mm_loadu_si128` has no alignment requirement.
        unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) }
    }

    /// Positions (bit i: byte i) of the `wanted` bytes in `v`, sixteen loaded bytes.
    #[inline(always)]
    pub(crate) fn hits_in(v: __m128i, wanted: &[u8]) -> u32 {
        // SAFETY: the target has SSE2 (the module's `cfg`); these intrinsics only compute on
        // registers.
        unsafe {
            let mut any = _mm_setzero_si128();
            for &byte in wanted {
                any = _mm_or_si128(any, _mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8)));
            }
            _mm_movemask_epi8(any) as u32
        }
    }

    #[inline]
    pub(super) fn find_any<const N: usize>(hay: &[u8], wanted: [u8; N]) -> Option<usize> {
        if hay.len() < 16 {
            return hay.iter().position(|b| wanted.contains(b));
        }
        let mut at = 0;
        while at + 16 <= hay.len() {
            let found = hits(&hay[at..], &wanted);
            if found != 0 {
                return Some(at + found.trailing_zeros() as usize);
            }
            at += 16;
        }
        if at == hay.len() {
            return None;
        }
        // The last, overlapping sixteen bytes; the ones already searched are masked off.
        let last = hay.len() - 16;
        let found = hits(&hay[last..], &wanted) >> (at - last);
        (found != 0).then(|| at + found.trailing_zeros() as usize)
    }

    #[inline(always)]
    pub(super) fn find_byte_between(data: &[u8], start: usize, end: usize, byte: u8) -> Option<usize> {
        // Two length checks, where `start..start + 16` would also check the addition.
        let Some(window) = data.get(start..).and_then(|rest| rest.get(..16)) else {
            return find_any(&data[start..end], [byte]).map(|at| start + at);
        };
        let found = hits(window, &[byte]);
        if found != 0 {
            // The first one in the window: in the range, or past its end (and so is any other).
            let at = start + found.trailing_zeros() as usize;
            return (at < end).then_some(at);
        }
        let rest = start + 16;
        if end <= rest {
            return None;
        }
        find_any(&data[rest..end], [byte]).map(|at| rest + at)
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
mod imp {
    #[inline]
    pub(super) fn find_any<const N: usize>(hay: &[u8], wanted: [u8; N]) -> Option<usize> {
        hay.iter().position(|b| wanted.contains(b))
    }

    #[inline]
    pub(super) fn find_byte_between(data: &[u8], start: usize, end: usize, byte: u8) -> Option<usize> {
        data[start..end].iter().position(|&b| b == byte).map(|at| start + at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_byte_between_as_a_plain_search_does() {
        let data: Vec<u8> = (0..70u8)
            .map(|i| if i % 13 == 5 { b':' } else { b'a' + i % 7 })
            .collect();
        for len in [0, 15, 16, 17, 31, 32, 33, data.len()] {
            let data = &data[..len];
            for start in 0..=len {
                for end in start..=len {
                    let plain = data[start..end].iter().position(|&b| b == b':').map(|at| start + at);
                    assert_eq!(find_byte_between(data, start, end, b':'), plain, "{len} {start}..{end}");
                }
            }
        }
    }

    #[test]
    fn finds_what_a_plain_search_finds() {
        let text: Vec<u8> = (0..80u8)
            .map(|i| b"ab;c@d>e"[usize::from(i) % 8].wrapping_add(i / 8))
            .collect();
        for start in 0..text.len() {
            for end in start..=text.len() {
                let hay = &text[start..end];
                for wanted in [
                    [b';', b'@', b'?', b'?'],
                    [b'>'; 4],
                    [b'a', b'z', b'\0', b'b'],
                    [b'j', b'k', b'l', b'm'],
                ] {
                    let six = [wanted[0], wanted[1], wanted[2], wanted[3], b'e', b'f'];
                    assert_eq!(find_any(hay, six), hay.iter().position(|b| six.contains(b)));
                    assert_eq!(
                        find_any(hay, wanted),
                        hay.iter().position(|b| wanted.contains(b)),
                        "{start}..{end} {wanted:?}"
                    );
                }
            }
        }
    }
}
