//! Tags and branches. They are derived from the SUBSCRIBE and a per-responder secret, so a
//! retransmitted SUBSCRIBE gets the same answer (same To-tag, same NOTIFY branch) without
//! the responder keeping any state, while outsiders cannot predict them.

use std::hash::{BuildHasher, DefaultHasher, Hasher, RandomState};

/// Secret-keyed generator of tags and branches.
#[derive(Clone)]
pub struct IdGen {
    key: [u64; 2],
}

impl IdGen {
    /// A generator keyed with `secret` (deterministic: same secret, same ids).
    pub fn with_secret(secret: &[u8]) -> IdGen {
        let mut key = [0u64; 2];
        for (i, chunk) in [0u8, 1].iter().enumerate() {
            let mut h = DefaultHasher::new();
            h.write_u8(*chunk);
            h.write(secret);
            key[i] = h.finish();
        }
        IdGen { key }
    }

    /// A generator keyed from the operating system's randomness (through std's `RandomState`).
    pub fn random() -> IdGen {
        let state = RandomState::new();
        IdGen {
            key: [state.hash_one(0u8), state.hash_one(1u8)],
        }
    }

    fn token(&self, parts: &[&[u8]]) -> u64 {
        let mut h = DefaultHasher::new();
        h.write_u64(self.key[0]);
        h.write_u64(self.key[1]);
        for part in parts {
            h.write(part);
            h.write_u8(0xff);
        }
        h.finish()
    }

    /// Our To-tag for the dialog of (Call-ID, From-tag).
    pub fn tag(&self, call_id: &str, from_tag: &str) -> String {
        self.tag_id(call_id, from_tag).as_str().to_owned()
    }

    /// As [`IdGen::tag`], without allocating.
    pub fn tag_id(&self, call_id: &str, from_tag: &str) -> Id {
        Id::hex("", self.token(&[b"tag", call_id.as_bytes(), from_tag.as_bytes()]))
    }

    /// The branch of the NOTIFY we send in that dialog for SUBSCRIBE sequence `cseq`.
    pub fn branch(&self, call_id: &str, from_tag: &str, cseq: u32) -> String {
        self.branch_id(call_id, from_tag, cseq).as_str().to_owned()
    }

    /// As [`IdGen::branch`], without allocating.
    pub fn branch_id(&self, call_id: &str, from_tag: &str, cseq: u32) -> Id {
        let token = self.token(&[b"notify", call_id.as_bytes(), from_tag.as_bytes(), &cseq.to_be_bytes()]);
        Id::hex("z9hG4bK", token)
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
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 23];
        let p = prefix.len().min(7);
        buf[..p].copy_from_slice(&prefix.as_bytes()[..p]);
        for i in 0..16 {
            buf[p + i] = DIGITS[((value >> (60 - 4 * i)) & 0xf) as usize];
        }
        Id {
            buf,
            len: (p + 16) as u8,
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written (the prefixes are constants of ours).
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }
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
        let token = ids.token(&[b"notify", b"c1", b"t", &7u32.to_be_bytes()]);
        assert_eq!(ids.branch("c1", "t", 7), format!("z9hG4bK{token:016x}"));
    }
}
