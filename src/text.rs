//! [`Text`]: an owned string that keeps short values inline, so identifying a phone and
//! addressing its packets allocate nothing for the vendor, model, Call-ID or host names a
//! phone sends (all well under [`Text::INLINE`] bytes); longer values go to the heap.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// An owned, immutable string; inline up to [`Text::INLINE`] bytes.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; Text::INLINE] },
    Heap(Box<str>),
}

impl Text {
    /// Longest text kept without a heap allocation.
    pub const INLINE: usize = 62;

    /// The text as a `str`.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let bytes = &bytes[..usize::from(*len)];
                debug_assert!(std::str::from_utf8(bytes).is_ok());
                // SAFETY: `bytes` is a copy of a whole `str` (`From<&str>`), so it is UTF-8.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Repr::Heap(text) => text,
        }
    }
}

impl Text {
    /// `text` in ASCII upper case (a transport name: `udp` → `UDP`).
    pub fn upper_case(text: &str) -> Text {
        let mut text = Text::from(text);
        match &mut text.0 {
            Repr::Inline { len, bytes } => bytes[..usize::from(*len)].make_ascii_uppercase(),
            Repr::Heap(heap) => heap.make_ascii_uppercase(),
        }
        text
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        if text.len() > Text::INLINE {
            return Text(Repr::Heap(text.into()));
        }
        let mut bytes = [0; Text::INLINE];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Text(Repr::Inline {
            len: text.len() as u8,
            bytes,
        })
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        if text.len() > Text::INLINE {
            Text(Repr::Heap(text.into_boxed_str()))
        } else {
            Text::from(text.as_str())
        }
    }
}

impl From<std::borrow::Cow<'_, str>> for Text {
    fn from(text: std::borrow::Cow<'_, str>) -> Text {
        match text {
            std::borrow::Cow::Borrowed(text) => Text::from(text),
            std::borrow::Cow::Owned(text) => Text::from(text),
        }
    }
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        text.as_str().to_owned()
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from("")
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_texts_read_back() {
        for text in [
            "",
            "snom",
            &"x".repeat(Text::INLINE),
            &"y".repeat(Text::INLINE + 1),
            "Grüße",
        ] {
            let t = Text::from(text);
            assert_eq!(t.as_str(), text);
            assert_eq!(Text::from(text.to_owned()), t);
            assert_eq!(format!("{t:?}"), format!("{text:?}"));
            assert_eq!(String::from(t.clone()), text);
        }
        assert!(matches!(Text::from("a".repeat(Text::INLINE)).0, Repr::Inline { .. }));
        assert!(matches!(Text::from("a".repeat(Text::INLINE + 1)).0, Repr::Heap(_)));
    }
}
