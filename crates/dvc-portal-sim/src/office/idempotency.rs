//! `Idempotency-Key` on submissions: a client that lost the answer (a crash, a timeout, a
//! proxy that gave up) sends the same key again and gets the dossier it already created.

use super::Office;
use std::collections::VecDeque;

/// Keys remembered per portal; the oldest are forgotten first.
pub const MAX_KEYS: usize = 100_000;

/// What the office knows of a submission's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// Seen with this dossier code.
    Known(String),
    /// A submission with this key is being handled now.
    InFlight,
    /// Never seen: it is now reserved for the caller.
    Reserved,
}

/// The office's memory of keys.
#[derive(Debug, Default)]
pub struct Keys {
    codes: std::collections::HashMap<String, String>,
    order: VecDeque<String>,
    in_flight: std::collections::HashSet<String>,
}

impl Office {
    /// Looks `key` up, reserving it when new.
    pub fn reserve_key(&mut self, key: &str) -> KeyState {
        let keys = &mut self.keys;
        if let Some(code) = keys.codes.get(key) {
            return KeyState::Known(code.clone());
        }
        if !keys.in_flight.insert(key.to_owned()) {
            return KeyState::InFlight;
        }
        KeyState::Reserved
    }

    /// The submission with `key` created `code`.
    pub fn remember_key(&mut self, key: &str, code: &str) {
        let keys = &mut self.keys;
        keys.in_flight.remove(key);
        if keys.codes.insert(key.to_owned(), code.to_owned()).is_none() {
            keys.order.push_back(key.to_owned());
        }
        while keys.order.len() > MAX_KEYS {
            if let Some(old) = keys.order.pop_front() {
                keys.codes.remove(&old);
            }
        }
    }

    /// The submission with `key` ended without a dossier: the key may be used again.
    pub fn release_key(&mut self, key: &str) {
        self.keys.in_flight.remove(key);
    }
}
