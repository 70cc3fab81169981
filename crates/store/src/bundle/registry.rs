//! External id → internal id, for the bundle files others refer to.
//!
//! Most of what an import holds in memory is these maps (millions of opportunity, contact and lead
//! ids at 10,000 reps), so each id costs as little as a hash map allows: its text in one shared
//! buffer, where it ends in 4 bytes, its defining line in 4 more, and 4-byte buckets of a hash table
//! that holds only the id's number. The internal id needs no room: the ids already stored come
//! first, each with its id, and every id after them takes the next internal id in turn.

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use std::hash::{BuildHasher, RandomState};

/// `ends` holds each end modulo 2^STEP_BITS; `steps` counts the multiples passed. A bundle needs
/// over 4 GiB of one entity's ids to pass one; the tests take small steps to pass many.
#[cfg(not(test))]
const STEP_BITS: u32 = 32;
#[cfg(test)]
const STEP_BITS: u32 = 4;
const STEP_MASK: usize = (1 << STEP_BITS) - 1;

pub(super) struct Registry {
    /// The ids' text, one after another, in the order they came.
    text: String,
    /// Where each id's text ends in `text`, modulo 2^STEP_BITS; it starts where the previous one's
    /// ends.
    ends: Vec<u32>,
    /// For each multiple of 2^STEP_BITS that `text` reached, the index of the first id ending at or
    /// past it.
    steps: Vec<u32>,
    /// The line of the bundle row that defines each id: 0 until its file is read.
    lines: Vec<u32>,
    /// The internal ids of the ids already stored, which come first, in increasing order.
    stored: Vec<i64>,
    /// The internal id of the first id not stored; the others follow it one by one.
    first_new_id: i64,
    table: HashTable<u32>,
    hasher: RandomState,
}

/// What [`Registry::define`] found.
pub(super) enum Definition {
    /// The row defines the id: its internal id.
    First(i64),
    /// An earlier row defined it already, on this line.
    Repeated(u64),
}

impl Registry {
    /// An empty registry whose first new id is `first_new_id`, above every stored one.
    pub fn new(first_new_id: i64) -> Self {
        Registry {
            text: String::new(),
            ends: Vec::new(),
            steps: Vec::new(),
            lines: Vec::new(),
            stored: Vec::new(),
            first_new_id,
            table: HashTable::new(),
            hasher: RandomState::new(),
        }
    }

    /// Adds an id already stored; all of them come before any new one, in increasing `id` order,
    /// every one below `first_new_id`.
    pub fn add_stored(&mut self, key: &str, id: i64) {
        debug_assert!(self.stored.len() == self.ends.len() && self.stored.last().is_none_or(|&last| last < id));
        debug_assert!(id < self.first_new_id);
        if let (_, true) = self.index_or_insert(key) {
            self.stored.push(id);
        }
    }

    /// Makes room for `ids` more ids, so that the table and the vectors are sized once rather than
    /// grown (and copied) step by step; the text still grows as it comes.
    pub fn reserve(&mut self, ids: usize) {
        let (text, ends, steps, hasher) = (&self.text, &self.ends, &self.steps, &self.hasher);
        self.table.reserve(ids, |&index| hasher.hash_one(key_at(text, ends, steps, index)));
        self.ends.reserve(ids);
        self.lines.reserve(ids);
    }

    /// The internal id of `key`, if registered.
    pub fn get(&self, key: &str) -> Option<i64> {
        let hash = self.hasher.hash_one(key);
        let index = self.table.find(hash, |&index| self.key(index) == key)?;
        Some(self.id_at(*index))
    }

    /// The internal id of `key`, registered with the next new id when it is new.
    pub fn register(&mut self, key: &str) -> i64 {
        let (index, _) = self.index_or_insert(key);
        self.id_at(index)
    }

    /// Registers the row on `line` as the one defining `key`, unless an earlier row did.
    pub fn define(&mut self, key: &str, line: u32) -> Definition {
        let (index, _) = self.index_or_insert(key);
        match self.lines[index as usize] {
            0 => {
                self.lines[index as usize] = line;
                Definition::First(self.id_at(index))
            }
            first => Definition::Repeated(u64::from(first)),
        }
    }

    /// The line that defines the id whose internal id is `id`, if a row of the bundle does.
    pub fn line_of(&self, id: i64) -> Option<u64> {
        let index = match id.checked_sub(self.first_new_id) {
            Some(new) if new >= 0 => self.stored.len().checked_add(usize::try_from(new).ok()?)?,
            _ => self.stored.binary_search(&id).ok()?,
        };
        self.lines.get(index).filter(|&&line| line != 0).map(|&line| u64::from(line))
    }

    /// The internal id the next new id would take.
    pub fn next_id(&self) -> i64 {
        self.first_new_id + (self.lines.len() - self.stored.len()) as i64
    }

    /// Frees the memory of the ids once no later file refers to them; [`next_id`] stays.
    ///
    /// [`next_id`]: Registry::next_id
    pub fn release(&mut self) {
        let next_id = self.next_id();
        *self = Registry::new(next_id);
    }

    fn key(&self, index: u32) -> &str {
        key_at(&self.text, &self.ends, &self.steps, index)
    }

    fn id_at(&self, index: u32) -> i64 {
        let index = index as usize;
        match self.stored.get(index) {
            Some(&id) => id,
            None => self.first_new_id + (index - self.stored.len()) as i64,
        }
    }

    /// The index of `key`, added when it is new (then `true`): one look-up.
    fn index_or_insert(&mut self, key: &str) -> (u32, bool) {
        let hash = self.hasher.hash_one(key);
        let (text, ends, steps, hasher) = (&self.text, &self.ends, &self.steps, &self.hasher);
        let found = self.table.entry(
            hash,
            |&index| key_at(text, ends, steps, index) == key,
            |&index| hasher.hash_one(key_at(text, ends, steps, index)),
        );
        match found {
            Entry::Occupied(occupied) => (*occupied.get(), false),
            Entry::Vacant(vacant) => {
                // Four billion ids would take a hundred gigabytes before this.
                let index = u32::try_from(self.lines.len()).expect("fewer than 2^32 ids");
                self.text.push_str(key);
                let end = self.text.len();
                while (self.steps.len() + 1) << STEP_BITS <= end {
                    self.steps.push(index);
                }
                self.ends.push((end & STEP_MASK) as u32);
                self.lines.push(0);
                vacant.insert(index);
                (index, true)
            }
        }
    }
}

/// The text of the `index`th id.
fn key_at<'a>(text: &'a str, ends: &[u32], steps: &[u32], index: u32) -> &'a str {
    let end =
        |index: u32| (steps.partition_point(|&first| first <= index) << STEP_BITS) | ends[index as usize] as usize;
    let start = if index == 0 { 0 } else { end(index - 1) };
    &text[start..end(index)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids of 0 to 40 bytes, so that the text passes many steps of 16 bytes, some ids more than one.
    fn keys() -> Vec<String> {
        (0..500).map(|n| format!("{n}-{}", "x".repeat(n % 38))).collect()
    }

    #[test]
    fn every_key_is_found_across_the_steps_of_its_text() {
        let mut registry = Registry::new(100);
        let keys = keys();
        for key in &keys {
            registry.register(key);
        }
        assert!(registry.steps.len() > 500, "the test passes many steps");
        for (n, key) in keys.iter().enumerate() {
            assert_eq!(registry.get(key), Some(100 + n as i64), "{key}");
            assert_eq!(registry.key(n as u32), key);
        }
        assert_eq!(registry.get("500-"), None);
        assert_eq!(registry.get(""), None);
        assert_eq!(registry.next_id(), 600);
    }

    #[test]
    fn stored_ids_come_first_and_new_ones_follow_the_first_new_id() {
        let mut registry = Registry::new(50);
        registry.add_stored("A", 3);
        registry.add_stored("B", 17);
        assert_eq!(registry.register("C"), 50);
        assert_eq!(registry.register("A"), 3);
        assert_eq!(registry.register("D"), 51);
        assert_eq!((registry.get("B"), registry.get("C"), registry.get("D")), (Some(17), Some(50), Some(51)));
        assert_eq!(registry.next_id(), 52);
    }

    #[test]
    fn a_repeated_definition_gives_the_first_line() {
        let mut registry = Registry::new(1);
        registry.add_stored("S", -4);
        registry.register("B");
        assert!(matches!(registry.define("A", 2), Definition::First(2)));
        assert!(matches!(registry.define("B", 3), Definition::First(1)));
        assert!(matches!(registry.define("S", 4), Definition::First(-4)));
        assert!(matches!(registry.define("A", 9), Definition::Repeated(2)));
        assert_eq!(registry.line_of(2), Some(2));
        assert_eq!(registry.line_of(1), Some(3));
        assert_eq!(registry.line_of(-4), Some(4));
        assert_eq!(registry.line_of(3), None, "no such id");
        assert_eq!(registry.line_of(0), None, "no such id");
    }

    #[test]
    fn a_released_registry_keeps_its_next_id() {
        let mut registry = Registry::new(10);
        registry.reserve(3);
        registry.register("A");
        registry.register("B");
        registry.release();
        assert_eq!(registry.get("A"), None);
        assert_eq!(registry.next_id(), 12);
        assert_eq!(registry.register("C"), 12);
    }
}
