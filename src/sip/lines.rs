//! Finding line ends 64 bytes at a time: each block of the datagram is turned once into a bit
//! mask of its LF bytes (SSE2 on x86-64, a byte loop elsewhere), and each line end is then a
//! count of trailing zeros, with no search per line. (A header's colon is near the start of
//! its line, so one 16-byte look there finds it for less than a mask of every block.) The
//! same pass notes the first byte that is NUL or not ASCII, so the scanner knows which lines
//! are plain text without looking at them again.

/// Block size: one bit per byte in a `u64`.
const BLOCK: usize = 64;

/// Where a line ends, as [`LineFinder::line_end`] finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineEnd {
    /// The LF that ends the line.
    pub(crate) lf: usize,
    /// Every byte of the datagram before `lf` is ASCII other than NUL.
    pub(crate) plain: bool,
}

/// Line ends of one datagram, found in order (a search may also go back to an earlier line).
pub(crate) struct LineFinder<'a> {
    data: &'a [u8],
    /// Start of the block whose masks are loaded (a multiple of [`BLOCK`]).
    base: usize,
    /// Bit `i` set: `data[base + i]` is LF.
    lf: u64,
    /// The first byte that is NUL or 0x80 and above, among the blocks loaded so far.
    first_odd: usize,
}

impl<'a> LineFinder<'a> {
    pub(crate) fn new(data: &'a [u8]) -> LineFinder<'a> {
        let mut finder = LineFinder {
            data,
            base: 0,
            lf: 0,
            first_odd: usize::MAX,
        };
        finder.load(0);
        finder
    }

    /// The end of the line starting at `from`; `None` when no LF follows `from`.
    #[inline]
    pub(crate) fn line_end(&mut self, from: usize) -> Option<LineEnd> {
        if from < self.base {
            self.load(from - from % BLOCK);
        }
        let mut from = from;
        loop {
            let offset = from - self.base;
            if offset < BLOCK {
                let lf_bits = self.lf >> offset;
                if lf_bits != 0 {
                    let lf = from + lf_bits.trailing_zeros() as usize;
                    return Some(LineEnd {
                        lf,
                        plain: self.is_plain_before(lf),
                    });
                }
            }
            let next = self.base + BLOCK;
            if next >= self.data.len() {
                return None;
            }
            self.load(next);
            from = from.max(next);
        }
    }

    /// Whether every byte before `lf`, which [`LineFinder::line_end`] returned, is ASCII other
    /// than NUL (the `plain` it answered).
    #[inline]
    pub(crate) fn is_plain_before(&self, lf: usize) -> bool {
        lf <= self.first_odd
    }

    /// Loads the masks of the block at `base`: inline for a whole block, the scanner's
    /// usual step.
    #[inline]
    fn load(&mut self, base: usize) {
        let masks = match self.data.get(base..base + BLOCK) {
            Some(block) => masks(block.try_into().expect("a whole block")),
            None => self.short_block_masks(base),
        };
        self.base = base;
        self.lf = masks.lf;
        if masks.odd != 0 {
            self.note_odd(base + masks.odd.trailing_zeros() as usize);
        }
    }

    /// Notes an odd byte (NUL or not ASCII) at `at`.
    #[cold]
    fn note_odd(&mut self, at: usize) {
        self.first_odd = self.first_odd.min(at);
    }

    /// The masks of the last block, which the datagram does not fill.
    #[cold]
    #[inline(never)]
    fn short_block_masks(&self, base: usize) -> Masks {
        let len = self.data.len();
        if let Some(tail) = len.checked_sub(BLOCK).map(|start| &self.data[start..]) {
            // The short last block: the datagram's last 64 bytes, shifted so bit 0 is `base`.
            let masks = masks(tail.try_into().expect("a whole block"));
            let skip = base - (len - BLOCK);
            Masks {
                lf: masks.lf >> skip,
                odd: masks.odd >> skip,
            }
        } else {
            // A datagram shorter than a block, padded with spaces (neither LF nor odd).
            let mut padded = [b' '; BLOCK];
            padded[..len - base].copy_from_slice(&self.data[base..]);
            masks(&padded)
        }
    }
}

/// Bit masks of one block: bit `i` stands for byte `i`.
struct Masks {
    /// LF bytes.
    lf: u64,
    /// NUL bytes and bytes 0x80 and above.
    odd: u64,
}

/// The [`Masks`] of one block.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn masks(block: &[u8; BLOCK]) -> Masks {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    /// The 64 bits of four 16-bit movemasks, the first lowest.
    #[inline(always)]
    fn join(parts: [i32; 4]) -> u64 {
        parts
            .iter()
            .enumerate()
            .fold(0, |mask, (i, &part)| mask | u64::from(part as u32) << (16 * i))
    }
    // SAFETY: the target has SSE2 (checked by the `cfg` above); each load reads 16 of the
    // block's 64 bytes, and `_mm_loadu_si128` has no alignment requirement.
    let v: [__m128i; 4] = std::array::from_fn(|i| unsafe { _mm_loadu_si128(block[16 * i..].as_ptr().cast()) });
    // SAFETY: as above; the rest only computes on registers.
    unsafe {
        let lf = join(v.map(|v| _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)))));
        // As signed bytes, NUL and 0x80 and above are exactly those below 1.
        let odd = v.map(|v| _mm_cmplt_epi8(v, _mm_set1_epi8(1)));
        let any_odd = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(odd[0], odd[1]), _mm_or_si128(odd[2], odd[3])));
        // Plain text is the rule: the exact mask only when the block has an odd byte.
        let odd = if any_odd == 0 {
            0
        } else {
            join(odd.map(|v| _mm_movemask_epi8(v)))
        };
        Masks { lf, odd }
    }
}

/// The [`Masks`] of one block.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn masks(block: &[u8; BLOCK]) -> Masks {
    let mut masks = Masks { lf: 0, odd: 0 };
    for (i, &b) in block.iter().enumerate() {
        masks.lf |= u64::from(b == b'\n') << i;
        masks.odd |= u64::from(b == 0 || b >= 0x80) << i;
    }
    masks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `line_end` must answer, the slow way.
    fn plain_line_end(data: &[u8], from: usize) -> Option<LineEnd> {
        let lf = from + data[from..].iter().position(|&b| b == b'\n')?;
        Some(LineEnd {
            lf,
            plain: data[..lf].iter().all(|&b| b != 0 && b < 0x80),
        })
    }

    #[test]
    fn masks_match_a_byte_loop() {
        for seed in 0..9 {
            let block: [u8; BLOCK] =
                std::array::from_fn(|i| [b'\n', 0, 0x80, 0xff, b'a', b':', 0x7f, 1, b' '][(i * seed + i / 5) % 9]);
            let masks = masks(&block);
            for (i, &b) in block.iter().enumerate() {
                assert_eq!(masks.lf >> i & 1 == 1, b == b'\n', "{i}");
                assert_eq!(masks.odd >> i & 1 == 1, b == 0 || b >= 0x80, "{i}");
            }
        }
    }

    #[test]
    fn line_ends_match_a_plain_search_everywhere() {
        let mut data: Vec<u8> = Vec::new();
        for i in 0..300usize {
            data.extend_from_slice(&b"Via: x\r\n"[..(i % 8) + 1]);
            if i % 97 == 0 {
                data.push(0xc3);
            }
            if i % 131 == 0 {
                data.push(0);
            }
            if i % 23 == 0 {
                // A line longer than a block.
                data.extend_from_slice(&[b'a'; 70]);
            }
        }
        for len in [0, 1, 63, 64, 65, 127, 128, data.len()] {
            let data = &data[..len];
            for from in 0..data.len() {
                let mut finder = LineFinder::new(data);
                assert_eq!(
                    finder.line_end(from),
                    plain_line_end(data, from),
                    "len {len} from {from}"
                );
            }
            // In order, as the scanner walks, and back again.
            let mut finder = LineFinder::new(data);
            let mut from = 0;
            while let Some(end) = finder.line_end(from) {
                assert_eq!(Some(end), plain_line_end(data, from));
                from = end.lf + 1;
            }
            if len > 0 {
                assert_eq!(finder.line_end(0), plain_line_end(data, 0));
            }
        }
    }
}
