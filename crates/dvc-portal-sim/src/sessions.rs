//! Citizens' sessions of one portal: token → citizen ID, bounded (the oldest dropped first).

use std::collections::{HashMap, VecDeque};

#[derive(Debug, Default)]
pub struct Sessions {
    by_token: HashMap<String, String>,
    order: VecDeque<String>,
}

impl Sessions {
    /// Opens a session `token` for `citizen_id`, keeping at most `max` sessions.
    pub fn open(&mut self, token: String, citizen_id: &str, max: usize) {
        self.by_token.insert(token.clone(), citizen_id.to_owned());
        self.order.push_back(token);
        while self.by_token.len() > max.max(1) {
            match self.order.pop_front() {
                Some(old) => {
                    self.by_token.remove(&old);
                }
                None => break,
            }
        }
    }

    /// The citizen of a live session.
    pub fn get(&self, token: &str) -> Option<&str> {
        self.by_token.get(token).map(String::as_str)
    }

    /// Closes session `token`. The order forgets closed tokens once they are most of it, so a
    /// stream of logins and logouts keeps memory bounded by the live sessions (amortised: each
    /// sweep follows at least as many closes as it keeps).
    pub fn close(&mut self, token: &str) {
        self.by_token.remove(token);
        if self.order.len() > 2 * self.by_token.len() + 1024 {
            let live = &self.by_token;
            self.order.retain(|t| live.contains_key(t));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_session_goes_first_beyond_the_limit() {
        let mut s = Sessions::default();
        for (token, id) in [("a", "1"), ("b", "2"), ("c", "3")] {
            s.open(token.into(), id, 2);
        }
        assert_eq!(s.get("a"), None);
        assert_eq!(s.get("b"), Some("2"));
        s.close("b");
        assert_eq!(s.get("b"), None);
        assert_eq!(s.get("c"), Some("3"));
    }

    #[test]
    fn logins_and_logouts_keep_the_order_bounded_by_live_sessions() {
        let mut s = Sessions::default();
        s.open("kept".into(), "1", 1_000_000);
        for i in 0..100_000 {
            let token = format!("t{i}");
            s.open(token.clone(), "2", 1_000_000);
            s.close(&token);
        }
        assert!(
            s.order.len() <= 2 * s.by_token.len() + 1025,
            "{}",
            s.order.len()
        );
        assert_eq!(s.get("kept"), Some("1"), "a live session is never swept");
    }
}
