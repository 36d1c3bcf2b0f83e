//! A bounded map with least-recently-used eviction, O(1) per operation: a `HashMap` from key
//! to slot, and the entries in a `Vec` slab threaded on a doubly linked list by index (most
//! recent at the head). Freed slots are reused through a free list, so the slab never grows
//! beyond the capacity and memory stays flat however many keys pass through.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

/// "No slot" in the links.
const NIL: u32 = u32::MAX;

struct Slot<K, V> {
    entry: Option<(K, V)>,
    prev: u32,
    next: u32,
}

pub(crate) struct Lru<K, V, S> {
    map: HashMap<K, u32, S>,
    slots: Vec<Slot<K, V>>,
    /// Most recently used.
    head: u32,
    /// Least recently used: the next to go.
    tail: u32,
    /// First free slot; free slots are chained through `next`.
    free: u32,
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V, S: BuildHasher> Lru<K, V, S> {
    /// An empty map holding at most `capacity` entries (1 ..= u32::MAX - 1; clamped).
    pub(crate) fn new(capacity: usize, hasher: S) -> Lru<K, V, S> {
        Lru {
            map: HashMap::with_hasher(hasher),
            slots: Vec::new(),
            head: NIL,
            tail: NIL,
            free: NIL,
            capacity: capacity.clamp(1, NIL as usize - 1),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// The slot holding `key`, without touching it.
    pub(crate) fn find(&self, key: &K) -> Option<u32> {
        self.map.get(key).copied()
    }

    pub(crate) fn get(&self, slot: u32) -> Option<&V> {
        self.slots.get(slot as usize)?.entry.as_ref().map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, slot: u32) -> Option<&mut V> {
        self.slots.get_mut(slot as usize)?.entry.as_mut().map(|(_, v)| v)
    }

    /// Marks `slot` as the most recently used.
    pub(crate) fn touch(&mut self, slot: u32) {
        if self.head != slot && self.get(slot).is_some() {
            self.unlink(slot);
            self.link_front(slot);
        }
    }

    /// Inserts `key` (which must not be present) as the most recently used entry. When the
    /// map is full, the least recently used entry is evicted first and returned.
    pub(crate) fn insert(&mut self, key: K, value: V) -> (u32, Option<(K, V)>) {
        debug_assert!(!self.map.contains_key(&key), "insert of a present key");
        let evicted = if self.map.len() >= self.capacity {
            let tail = self.tail;
            self.remove(tail)
        } else {
            None
        };
        let slot = match self.free {
            NIL => {
                self.slots.push(Slot {
                    entry: None,
                    prev: NIL,
                    next: NIL,
                });
                (self.slots.len() - 1) as u32
            }
            free => {
                self.free = self.slots[free as usize].next;
                free
            }
        };
        self.slots[slot as usize].entry = Some((key.clone(), value));
        self.map.insert(key, slot);
        self.link_front(slot);
        (slot, evicted)
    }

    /// Removes the entry in `slot`, if any.
    pub(crate) fn remove(&mut self, slot: u32) -> Option<(K, V)> {
        let (key, value) = self.slots.get_mut(slot as usize)?.entry.take()?;
        self.map.remove(&key);
        self.unlink(slot);
        let s = &mut self.slots[slot as usize];
        s.prev = NIL;
        s.next = self.free;
        self.free = slot;
        Some((key, value))
    }

    fn unlink(&mut self, slot: u32) {
        let (prev, next) = {
            let s = &self.slots[slot as usize];
            (s.prev, s.next)
        };
        match prev {
            NIL => self.head = next,
            p => self.slots[p as usize].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.slots[n as usize].prev = prev,
        }
    }

    fn link_front(&mut self, slot: u32) {
        let old_head = self.head;
        {
            let s = &mut self.slots[slot as usize];
            s.prev = NIL;
            s.next = old_head;
        }
        match old_head {
            NIL => self.tail = slot,
            h => self.slots[h as usize].prev = slot,
        }
        self.head = slot;
    }

    /// Keys from most to least recently used (tests).
    #[cfg(test)]
    pub(crate) fn keys_by_recency(&self) -> Vec<K> {
        let mut out = Vec::new();
        let mut at = self.head;
        while at != NIL {
            let s = &self.slots[at as usize];
            out.push(s.entry.as_ref().expect("linked slots are occupied").0.clone());
            at = s.next;
        }
        out
    }

    /// Slots allocated so far (tests: never more than the capacity).
    #[cfg(test)]
    pub(crate) fn slab_len(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::RandomState;

    #[test]
    fn evicts_the_least_recently_used_and_reuses_slots() {
        let mut lru: Lru<u32, &str, RandomState> = Lru::new(3, RandomState::new());
        for (k, v) in [(1, "a"), (2, "b"), (3, "c")] {
            assert!(lru.insert(k, v).1.is_none());
        }
        assert_eq!(lru.keys_by_recency(), [3, 2, 1]);
        lru.touch(lru.find(&1).unwrap());
        assert_eq!(lru.keys_by_recency(), [1, 3, 2]);
        let (_, evicted) = lru.insert(4, "d");
        assert_eq!(evicted, Some((2, "b")));
        assert_eq!(lru.keys_by_recency(), [4, 1, 3]);
        let three = lru.find(&3).unwrap();
        assert_eq!(lru.remove(three), Some((3, "c")));
        assert_eq!(lru.remove(three), None);
        assert_eq!(lru.len(), 2);
        assert!(lru.insert(5, "e").1.is_none());
        assert_eq!(lru.keys_by_recency(), [5, 4, 1]);
        assert_eq!(lru.get(lru.find(&5).unwrap()), Some(&"e"));
        *lru.get_mut(lru.find(&5).unwrap()).unwrap() = "E";
        assert_eq!(lru.get(lru.find(&5).unwrap()), Some(&"E"));
        for k in 10..1000 {
            lru.insert(k, "x");
        }
        assert_eq!(lru.len(), 3);
        assert_eq!(lru.slab_len(), 3, "slots are reused, never grown past the capacity");
        assert_eq!(lru.keys_by_recency(), [999, 998, 997]);
    }

    #[test]
    fn a_capacity_of_one() {
        let mut lru: Lru<u8, u8, RandomState> = Lru::new(0, RandomState::new());
        assert!(lru.insert(1, 1).1.is_none());
        assert_eq!(lru.insert(2, 2).1, Some((1, 1)));
        let slot = lru.find(&2).unwrap();
        lru.touch(slot);
        assert_eq!(lru.remove(slot), Some((2, 2)));
        assert_eq!(lru.keys_by_recency(), Vec::<u8>::new());
        assert!(lru.insert(3, 3).1.is_none());
    }
}
