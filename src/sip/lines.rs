//! Finding line ends 64 bytes at a time: each block of the datagram is turned once into a bit
//! mask of its LF bytes (SSE2 on x86-64, a byte loop elsewhere), and each line end is then a
//! count of trailing zeros. The same pass notes the first byte that is NUL or not ASCII, so
//! the scanner knows which lines are plain text without looking at them again.

/// Block size: one bit per byte in a `u64`.
const BLOCK: usize = 64;

/// Line ends of one datagram, found in order (a search may also go back to an earlier line).
pub(crate) struct LineFinder<'a> {
    data: &'a [u8],
    /// Start of the block whose mask is loaded (a multiple of [`BLOCK`]).
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

    /// The LF that ends the line starting at `from`, and whether every byte of the datagram
    /// before it is ASCII other than NUL (so the line is plain text). `None` when no LF
    /// follows `from`.
    #[inline]
    pub(crate) fn line_end(&mut self, from: usize) -> Option<(usize, bool)> {
        if from < self.base {
            self.load(from - from % BLOCK);
        }
        let mut from = from;
        loop {
            if from - self.base < BLOCK {
                let rest = self.lf >> (from - self.base);
                if rest != 0 {
                    let lf = from + rest.trailing_zeros() as usize;
                    return Some((lf, lf <= self.first_odd));
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

    fn load(&mut self, base: usize) {
        let len = self.data.len();
        let (lf, odd) = if let Some(block) = self.data.get(base..base + BLOCK) {
            masks(block.try_into().expect("a whole block"))
        } else if let Some(tail) = len.checked_sub(BLOCK).map(|start| &self.data[start..]) {
            // The short last block: the datagram's last 64 bytes, shifted so bit 0 is `base`.
            let (lf, odd) = masks(tail.try_into().expect("a whole block"));
            let skip = base - (len - BLOCK);
            (lf >> skip, odd >> skip)
        } else {
            // A datagram shorter than a block, padded with spaces (neither LF nor odd).
            let mut padded = [b' '; BLOCK];
            padded[..len - base].copy_from_slice(&self.data[base..]);
            masks(&padded)
        };
        self.base = base;
        self.lf = lf;
        if odd != 0 {
            self.first_odd = self.first_odd.min(base + odd.trailing_zeros() as usize);
        }
    }
}

/// Bit masks of one block: which bytes are LF, and which are NUL or 0x80 and above.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn masks(block: &[u8; BLOCK]) -> (u64, u64) {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128,
    };
    let mut lf = 0u64;
    let mut odd = 0u64;
    for (i, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: the target has SSE2 (checked by the `cfg` above); `part` is 16 readable
        // bytes and `_mm_loadu_si128` has no alignment requirement.
        let (is_lf, is_odd) = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast());
            (
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))) as u16,
                // The high bit of each byte: set for 0x80 and above, and for NUL once the
                // NUL comparison (all ones) is or-ed in.
                _mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, _mm_setzero_si128()))) as u16,
            )
        };
        lf |= u64::from(is_lf) << (16 * i);
        odd |= u64::from(is_odd) << (16 * i);
    }
    (lf, odd)
}

/// Bit masks of one block: which bytes are LF, and which are NUL or 0x80 and above.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn masks(block: &[u8; BLOCK]) -> (u64, u64) {
    let mut lf = 0u64;
    let mut odd = 0u64;
    for (i, &b) in block.iter().enumerate() {
        lf |= u64::from(b == b'\n') << i;
        odd |= u64::from(b == 0 || b >= 0x80) << i;
    }
    (lf, odd)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `line_end` must answer, the slow way.
    fn plain_line_end(data: &[u8], from: usize) -> Option<(usize, bool)> {
        let lf = from + data[from..].iter().position(|&b| b == b'\n')?;
        Some((lf, data[..lf].iter().all(|&b| b != 0 && b < 0x80)))
    }

    #[test]
    fn masks_match_a_byte_loop() {
        let block: [u8; BLOCK] = std::array::from_fn(|i| [b'\n', 0, 0x80, 0xff, b'a', b':', 0x7f][i % 7]);
        let (lf, odd) = masks(&block);
        for (i, &b) in block.iter().enumerate() {
            assert_eq!(lf >> i & 1 == 1, b == b'\n', "{i}");
            assert_eq!(odd >> i & 1 == 1, b == 0 || b >= 0x80, "{i}");
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
            while let Some((lf, plain)) = finder.line_end(from) {
                assert_eq!(Some((lf, plain)), plain_line_end(data, from));
                from = lf + 1;
            }
            if len > 0 {
                assert_eq!(finder.line_end(0), plain_line_end(data, 0));
            }
        }
    }
}
