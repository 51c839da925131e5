//! The single sign-on stand-in's memory: login attempts waiting for their form (with the CSRF
//! token the form carries) and authorization codes waiting for their exchange. Both expire
//! and both are bounded, so a login storm that never finishes cannot exhaust the simulator.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept at most in each table; the oldest go first.
const MAX_ENTRIES: usize = 100_000;

/// How long a login page's form stays valid.
pub const LOGIN_TTL: Duration = Duration::from_secs(600);

/// A login page served, waiting for its form.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub csrf: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
}

/// A code given to a client, waiting for its exchange.
#[derive(Debug, Clone)]
pub struct Grant {
    pub citizen: String,
    pub client_id: String,
    pub redirect_uri: String,
}

/// Entries that expire, in a table of bounded size.
struct Expiring<T> {
    map: HashMap<String, (Instant, T)>,
    order: VecDeque<String>,
}

impl<T> Expiring<T> {
    fn new() -> Self {
        Expiring {
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn insert(&mut self, key: String, value: T, ttl: Duration) {
        let now = Instant::now();
        while let Some(oldest) = self.order.front() {
            let gone = self.map.get(oldest).is_none_or(|(until, _)| *until <= now);
            if !gone && self.map.len() < MAX_ENTRIES {
                break;
            }
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        // Keys already taken stay queued until they reach the front; past twice the table's
        // bound they are dropped at once, so the queue stays bounded however fast logins end.
        if self.order.len() >= 2 * MAX_ENTRIES {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
        self.order.push_back(key.clone());
        self.map.insert(key, (now + ttl, value));
    }

    /// Takes the entry out: each is used once.
    fn take(&mut self, key: &str) -> Option<T> {
        let (until, value) = self.map.remove(key)?;
        (until > Instant::now()).then_some(value)
    }
}

/// The SSO's tables.
pub struct Sso {
    attempts: Mutex<Expiring<Attempt>>,
    grants: Mutex<Expiring<Grant>>,
}

impl Default for Sso {
    fn default() -> Self {
        Sso {
            attempts: Mutex::new(Expiring::new()),
            grants: Mutex::new(Expiring::new()),
        }
    }
}

/// A random token for a session code, CSRF token or authorization code.
pub fn token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

impl Sso {
    /// Remembers a login page's attempt; returns its session code.
    pub fn begin(&self, attempt: Attempt) -> String {
        let code = token();
        lock(&self.attempts).insert(code.clone(), attempt, LOGIN_TTL);
        code
    }

    /// The attempt of a login form, once.
    pub fn attempt(&self, session_code: &str) -> Option<Attempt> {
        lock(&self.attempts).take(session_code)
    }

    /// Gives a code for `grant`, valid for `ttl`.
    pub fn grant(&self, grant: Grant, ttl: Duration) -> String {
        let code = token();
        lock(&self.grants).insert(code.clone(), grant, ttl);
        code
    }

    /// Exchanges a code, once.
    pub fn exchange(&self, code: &str) -> Option<Grant> {
        lock(&self.grants).take(code)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> Grant {
        Grant {
            citizen: "001199004321".into(),
            client_id: "dvc-01".into(),
            redirect_uri: "/sso-callback".into(),
        }
    }

    #[test]
    fn a_code_is_exchanged_once_and_not_after_it_expires() {
        let sso = Sso::default();
        let code = sso.grant(grant(), Duration::from_secs(60));
        assert!(sso.exchange(&code).is_some());
        assert!(sso.exchange(&code).is_none(), "used once");
        let stale = sso.grant(grant(), Duration::ZERO);
        assert!(sso.exchange(&stale).is_none(), "expired");
        assert!(sso.exchange("made-up").is_none());
    }

    #[test]
    fn the_tables_stay_bounded() {
        let mut t = Expiring::new();
        for i in 0..MAX_ENTRIES + 10 {
            t.insert(i.to_string(), i, Duration::from_secs(60));
        }
        assert_eq!(t.map.len(), MAX_ENTRIES);
        assert!(t.take("0").is_none(), "the oldest went first");
        assert_eq!(
            t.take(&(MAX_ENTRIES + 9).to_string()),
            Some(MAX_ENTRIES + 9)
        );
        // Entries taken as fast as they come (logins that finish) leave no queue behind.
        let mut quick = Expiring::new();
        quick.insert("first".into(), 0, Duration::from_secs(600));
        for i in 0..3 * MAX_ENTRIES {
            quick.insert(i.to_string(), i, Duration::from_secs(600));
            quick.take(&i.to_string());
        }
        assert!(
            quick.order.len() <= 2 * MAX_ENTRIES,
            "{}",
            quick.order.len()
        );
    }
}
