//! Tags and branches. They are derived from the SUBSCRIBE and a per-responder secret, so a
//! retransmitted SUBSCRIBE gets the same answer (same To-tag, same NOTIFY branch) without
//! the responder keeping any state, while outsiders cannot predict them.

use crate::sip::writer::Clean;
use crate::swar::ascii_str;
use std::hash::{BuildHasher, DefaultHasher, Hasher, RandomState};

/// Secret-keyed generator of tags and branches.
#[derive(Clone)]
pub struct IdGen {
    /// The hash state after absorbing the two key words, which every token starts with.
    keyed: Sip13,
}

impl IdGen {
    /// A generator keyed with `secret` (deterministic: same secret, same ids).
    pub fn with_secret(secret: &[u8]) -> IdGen {
        IdGen::with_key(key_of_secret(secret))
    }

    /// A generator keyed from the operating system's randomness (through std's `RandomState`).
    pub fn random() -> IdGen {
        let state = RandomState::new();
        IdGen::with_key([state.hash_one(0u8), state.hash_one(1u8)])
    }

    /// A generator whose tokens hash `key` ahead of their parts.
    fn with_key(key: [u64; 2]) -> IdGen {
        let mut keyed = Sip13::new();
        for word in key {
            keyed.write(&word.to_ne_bytes());
        }
        IdGen { keyed }
    }

    /// The keyed hash of `parts`, each followed by `0xff`: what a [`DefaultHasher`] gives for
    /// `write_u64(key[0])`, `write_u64(key[1])`, then `write(part)` and `write_u8(0xff)` per
    /// part, without hashing the key again for every token.
    fn token(&self, parts: &[&[u8]]) -> u64 {
        let mut h = self.keyed;
        let joined_len: usize = parts.iter().map(|part| part.len() + 1).sum();
        if joined_len <= JOINED_ROOM {
            // The usual case: joined on the stack first, the parts are absorbed in whole
            // words rather than shifted into place one word at a time.
            let mut joined = [0u8; JOINED_ROOM];
            let mut len = 0;
            for part in parts {
                joined[len..len + part.len()].copy_from_slice(part);
                joined[len + part.len()] = 0xff;
                len += part.len() + 1;
            }
            h.write(&joined[..len]);
        } else {
            for part in parts {
                h.write(part);
                h.write_byte(0xff);
            }
        }
        h.finish()
    }

    /// Our To-tag for the dialog of (Call-ID, From-tag).
    pub fn tag(&self, call_id: &str, from_tag: &str) -> String {
        self.tag_id(call_id, from_tag).as_str().to_owned()
    }

    /// As [`IdGen::tag`], without allocating.
    pub fn tag_id(&self, call_id: &str, from_tag: &str) -> Id {
        Id::hex("", self.dialog_token(call_id, from_tag))
    }

    /// The branch of the NOTIFY we send in that dialog for SUBSCRIBE sequence `cseq`.
    pub fn branch(&self, call_id: &str, from_tag: &str, cseq: u32) -> String {
        self.branch_id(call_id, from_tag, cseq).as_str().to_owned()
    }

    /// As [`IdGen::branch`], without allocating.
    pub fn branch_id(&self, call_id: &str, from_tag: &str, cseq: u32) -> Id {
        self.dialog_ids(call_id, from_tag, cseq).branch
    }

    /// The tag and the NOTIFY branch of one dialog and `cseq` together (what
    /// [`IdGen::tag_id`] and [`IdGen::branch_id`] give), hashing the dialog once.
    pub fn dialog_ids(&self, call_id: &str, from_tag: &str, cseq: u32) -> DialogIds {
        let dialog = self.dialog_token(call_id, from_tag);
        DialogIds {
            tag: Id::hex("", dialog),
            branch: Id::hex("z9hG4bK", self.branch_token(dialog, cseq)),
        }
    }

    /// The keyed hash of the dialog (Call-ID, From-tag); the To-tag shows it.
    fn dialog_token(&self, call_id: &str, from_tag: &str) -> u64 {
        self.token(&[b"tag", call_id.as_bytes(), from_tag.as_bytes()])
    }

    /// The keyed hash of a dialog's token and `cseq`: a short input, so this second SipHash
    /// costs little, and without the secret the branch stays unpredictable even to someone
    /// who saw the tag.
    fn branch_token(&self, dialog: u64, cseq: u32) -> u64 {
        // What `self.token(&[b"notify", &dialog.to_le_bytes(), &cseq.to_be_bytes()])` hashes,
        // 21 bytes of known layout, put straight into two words and five pending bytes.
        const NOTIFY: u64 = u64::from_le_bytes(*b"notify\xff\0");
        let mut h = self.keyed;
        debug_assert_eq!(h.pending, 0, "the key words fill whole words");
        h.absorb(NOTIFY | dialog << 56);
        h.absorb(dialog >> 8 | 0xff << 56);
        h.tail = u64::from(cseq.swap_bytes()) | 0xff << 32;
        h.pending = 5;
        h.length += 21;
        h.finish()
    }
}

/// The two key words a secret stands for.
fn key_of_secret(secret: &[u8]) -> [u64; 2] {
    [0u8, 1].map(|word| {
        let mut h = DefaultHasher::new();
        h.write_u8(word);
        h.write(secret);
        h.finish()
    })
}

/// Most bytes a token's parts (with their separators) take to be joined on the stack before
/// hashing; longer ones are hashed part by part.
const JOINED_ROOM: usize = 128;

/// A dialog's To-tag and NOTIFY branch ([`IdGen::dialog_ids`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DialogIds {
    pub tag: Id,
    pub branch: Id,
}

/// SipHash-1-3 with the zero key: what std's [`DefaultHasher`] computes today (the tokens were
/// first defined with it; `tokens_are_what_std_siphash_gives` holds the two together).
/// Absorbs whole eight-byte words straight from the input rather than through std's
/// byte-buffered path, and is copied after the key words instead of hashing them again.
#[derive(Clone, Copy)]
struct Sip13 {
    v: [u64; 4],
    /// Bytes not yet absorbed, little-endian in the low `pending` bytes.
    tail: u64,
    pending: usize,
    length: usize,
}

impl Sip13 {
    fn new() -> Sip13 {
        Sip13 {
            v: [
                0x736f_6d65_7073_6575,
                0x646f_7261_6e64_6f6d,
                0x6c79_6765_6e65_7261,
                0x7465_6462_7974_6573,
            ],
            tail: 0,
            pending: 0,
            length: 0,
        }
    }

    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) {
        self.length += bytes.len();
        let mut words = bytes.chunks_exact(8);
        let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().expect("chunks of eight"));
        if self.pending == 0 {
            // Word-aligned with what came before: nothing to shift in.
            words.by_ref().for_each(|bytes| self.absorb(word(bytes)));
        } else {
            words.by_ref().for_each(|bytes| self.push(word(bytes), 8));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let word = rest.iter().rev().fold(0u64, |word, &b| word << 8 | u64::from(b));
            self.push(word, rest.len());
        }
    }

    #[inline(always)]
    fn write_byte(&mut self, byte: u8) {
        self.length += 1;
        self.push(u64::from(byte), 1);
    }

    /// Appends the `n` (1 to 8) low bytes of `word` to the pending ones, absorbing a word
    /// when eight are there.
    #[inline(always)]
    fn push(&mut self, word: u64, n: usize) {
        let shift = 8 * self.pending as u32;
        let joined = self.tail | word << shift;
        let pending = self.pending + n;
        if pending < 8 {
            self.tail = joined;
            self.pending = pending;
        } else {
            self.absorb(joined);
            // The bytes of `word` that did not fit (none when nothing was pending).
            self.tail = word.checked_shr(64 - shift).unwrap_or(0);
            self.pending = pending - 8;
        }
    }

    #[inline(always)]
    fn absorb(&mut self, m: u64) {
        self.v[3] ^= m;
        self.round();
        self.v[0] ^= m;
    }

    #[inline(always)]
    fn round(&mut self) {
        let [mut v0, mut v1, mut v2, mut v3] = self.v;
        v0 = v0.wrapping_add(v1);
        v1 = v1.rotate_left(13) ^ v0;
        v0 = v0.rotate_left(32);
        v2 = v2.wrapping_add(v3);
        v3 = v3.rotate_left(16) ^ v2;
        v0 = v0.wrapping_add(v3);
        v3 = v3.rotate_left(21) ^ v0;
        v2 = v2.wrapping_add(v1);
        v1 = v1.rotate_left(17) ^ v2;
        v2 = v2.rotate_left(32);
        self.v = [v0, v1, v2, v3];
    }

    fn finish(mut self) -> u64 {
        self.absorb((self.length as u64 & 0xff) << 56 | self.tail);
        self.v[2] ^= 0xff;
        for _ in 0..3 {
            self.round();
        }
        self.v.iter().fold(0, |h, v| h ^ v)
    }
}

/// A tag or branch held on the stack: an ASCII prefix of at most 7 bytes and 16 hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id {
    buf: [u8; 23],
    len: u8,
}

impl Id {
    fn hex(prefix: &str, value: u64) -> Id {
        let mut buf = [0u8; 23];
        let p = prefix.len().min(7);
        buf[..p].copy_from_slice(&prefix.as_bytes()[..p]);
        buf[p..p + 8].copy_from_slice(&hex_digits((value >> 32) as u32));
        buf[p + 8..p + 16].copy_from_slice(&hex_digits(value as u32));
        Id {
            buf,
            len: (p + 16) as u8,
        }
    }

    /// The id as text known to hold no CR, LF or NUL (hex digits behind a constant prefix).
    pub fn as_clean(&self) -> Clean<'_> {
        Clean::known(self.as_str())
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written (the prefixes are constants of ours).
        ascii_str(&self.buf[..usize::from(self.len)]).unwrap_or("")
    }
}

/// The eight lower-case hex digits of `value`, most significant first, computed for all
/// eight at once in one `u64` (one nibble per byte, then a digit per byte).
pub(crate) fn hex_digits(value: u32) -> [u8; 8] {
    const LOW_NIBBLES: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Spread the nibbles over the bytes, least significant nibble in the lowest byte.
    let mut n = u64::from(value);
    n = (n | n << 16) & 0x0000_ffff_0000_ffff;
    n = (n | n << 8) & 0x00ff_00ff_00ff_00ff;
    n = (n | n << 4) & LOW_NIBBLES;
    // Bytes of 10 or more carry into bit 4 when 6 is added: those get `a` - `0` - 10 more.
    let letters = ((n + 6 * ONES) >> 4) & ONES;
    let digits = n + u64::from(b'0') * ONES + letters * u64::from(b'a' - b'0' - 10);
    digits.to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_per_dialog_distinct_across() {
        let ids = IdGen::with_secret(b"k");
        assert_eq!(ids.tag("c1", "t"), ids.tag("c1", "t"));
        assert_ne!(ids.tag("c1", "t"), ids.tag("c2", "t"));
        assert_ne!(ids.tag("c1", "t"), IdGen::with_secret(b"other").tag("c1", "t"));
        assert_ne!(ids.branch("c1", "t", 1), ids.branch("c1", "t", 2));
        assert!(ids.branch("c1", "t", 1).starts_with("z9hG4bK"));
        assert_ne!(IdGen::random().tag("c", "t"), IdGen::random().tag("c", "t"));
        let token = ids.token(&[b"tag", b"c1", b"t"]);
        assert_eq!(ids.tag("c1", "t"), format!("{token:016x}"));
        let token = ids.token(&[b"notify", &token.to_le_bytes(), &7u32.to_be_bytes()]);
        assert_eq!(ids.branch("c1", "t", 7), format!("z9hG4bK{token:016x}"));
        let both = ids.dialog_ids("c1", "t", 7);
        assert_eq!(
            (both.tag.as_str(), both.branch.as_str()),
            (&*ids.tag("c1", "t"), &*ids.branch("c1", "t", 7))
        );
        assert_ne!(ids.branch("c1", "t", 1), ids.branch("c2", "t", 1));
        assert_ne!(
            ids.branch("c1", "t", 1),
            IdGen::with_secret(b"other").branch("c1", "t", 1)
        );
    }

    #[test]
    fn branch_tokens_are_the_general_tokens() {
        let ids = IdGen::with_secret(b"k");
        for dialog in [0, 1, 0xff, 0x0123_4567_89ab_cdef, u64::MAX] {
            for cseq in [0, 1, 7, 0x0102_0304, u32::MAX] {
                let general = ids.token(&[b"notify", &dialog.to_le_bytes(), &cseq.to_be_bytes()]);
                assert_eq!(ids.branch_token(dialog, cseq), general, "{dialog} {cseq}");
            }
        }
    }

    #[test]
    fn ids_read_back_as_their_text() {
        for value in [0, 1, 0x0123_4567_89ab_cdef, u64::MAX] {
            assert_eq!(Id::hex("", value).as_str(), format!("{value:016x}"));
            assert_eq!(Id::hex("z9hG4bK", value).as_str(), format!("z9hG4bK{value:016x}"));
        }
        assert_eq!(Id::hex("toolongprefix", 0xab).as_str(), "toolong00000000000000ab");
    }

    #[test]
    fn hex_digits_are_what_format_writes() {
        for value in [
            0,
            1,
            9,
            10,
            15,
            16,
            0x0123_4567,
            0x89ab_cdef,
            0xffff_ffff,
            0xa0b1_c2d3,
            0x9f9f_9f9f,
        ] {
            assert_eq!(
                hex_digits(value),
                *format!("{value:08x}").as_bytes().first_chunk().unwrap()
            );
        }
        for shift in 0..32 {
            let value = 0xdead_beef_u32.rotate_left(shift);
            assert_eq!(
                hex_digits(value),
                *format!("{value:08x}").as_bytes().first_chunk().unwrap()
            );
        }
    }

    /// The token as it was first computed, with std's hasher over the key and every part.
    fn std_token(key: [u64; 2], parts: &[&[u8]]) -> u64 {
        let mut h = DefaultHasher::new();
        h.write_u64(key[0]);
        h.write_u64(key[1]);
        for part in parts {
            h.write(part);
            h.write_u8(0xff);
        }
        h.finish()
    }

    #[test]
    fn tokens_are_what_std_siphash_gives() {
        let text: Vec<u8> = (0..200u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
        let key = [0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210];
        let ids = IdGen::with_key(key);
        for a in 0..text.len() {
            for b in [0, 1, 7, 8, 9, 15, 16, 17, 23, 120, 130] {
                let parts: [&[u8]; 3] = [b"tag", &text[..a], &text[a..(a + b).min(text.len())]];
                assert_eq!(ids.token(&parts), std_token(key, &parts), "{a} {b}");
            }
        }
        let ids = IdGen::with_secret(b"k");
        assert_eq!(ids.token(&[]), std_token(key_of_secret(b"k"), &[]));
        assert_eq!(
            ids.tag("c1", "t"),
            format!("{:016x}", std_token(key_of_secret(b"k"), &[b"tag", b"c1", b"t"]))
        );
    }
}
