//! The probe's state file (SQLite): intake dossiers being followed, and the history of check
//! runs and figures ([`crate::history`]) that `dvcbench compare --probe-store` reads. Every
//! change is committed before the probe acts on it, so a restart (even `kill -9`) resumes
//! following every pending dossier and never counts a decided one twice.

use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Mutex;

/// An intake dossier the probe submitted and follows until it is decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub portal: String,
    pub check: String,
    pub code: String,
    /// Submission instant as the portal reported it (RFC 3339).
    pub submitted_at: String,
    /// When the probe submitted it (Unix seconds), for the oldest-pending gauge.
    pub submitted_unix: f64,
    /// The acceptance deadline the portal announced (Unix seconds), if it did.
    pub acceptance_due_unix: Option<f64>,
}

/// How a followed dossier ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntakeEnd {
    Accepted,
    Refused,
    GivenUp,
}

impl IntakeEnd {
    fn id(self) -> &'static str {
        match self {
            IntakeEnd::Accepted => "accepted",
            IntakeEnd::Refused => "refused",
            IntakeEnd::GivenUp => "given_up",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("probe state {path}: {source}")]
pub struct StoreError {
    path: String,
    source: rusqlite::Error,
}

/// The state file.
pub struct Store {
    db: Mutex<Connection>,
    path: String,
    /// Whether runs and figures are kept (a state file; not in memory, where they would only
    /// grow).
    pub(crate) history: bool,
}

impl Store {
    /// Opens (or creates) the state file; `None` keeps the state in memory only.
    pub fn open(path: Option<&Path>) -> Result<Store, StoreError> {
        let shown = path.map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string());
        let wrap = |source| StoreError {
            path: shown.clone(),
            source,
        };
        let db = match path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(wrap)?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS intake (
                 portal TEXT NOT NULL,
                 check_name TEXT NOT NULL,
                 code TEXT NOT NULL,
                 submitted_at TEXT NOT NULL,
                 submitted_unix REAL NOT NULL,
                 acceptance_due_unix REAL,
                 decision TEXT,
                 decided_at TEXT,
                 PRIMARY KEY (portal, code)
             );
             CREATE TABLE IF NOT EXISTS runs (
                 at REAL NOT NULL,
                 portal TEXT NOT NULL,
                 province TEXT NOT NULL,
                 check_name TEXT NOT NULL,
                 kind TEXT NOT NULL,
                 outcome TEXT NOT NULL,
                 seconds REAL NOT NULL
             );
             CREATE INDEX IF NOT EXISTS runs_at ON runs (at);
             CREATE TABLE IF NOT EXISTS observations (
                 at REAL NOT NULL,
                 portal TEXT NOT NULL,
                 province TEXT NOT NULL,
                 figure TEXT NOT NULL,
                 value REAL NOT NULL
             );
             CREATE INDEX IF NOT EXISTS observations_at ON observations (at);
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )
        .map_err(wrap)?;
        Ok(Store {
            db: Mutex::new(db),
            path: shown,
            history: path.is_some(),
        })
    }

    /// Opens an existing state file for reading only (a running probe may keep writing it).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        let db = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError {
            path: shown.clone(),
            source,
        })?;
        Ok(Store {
            db: Mutex::new(db),
            path: shown,
            history: false,
        })
    }

    pub(crate) fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError {
            path: self.path.clone(),
            source,
        }
    }

    pub(crate) fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a newly submitted dossier.
    pub fn add(&self, p: &Pending) -> Result<(), StoreError> {
        self.db()
            .execute(
                "INSERT OR IGNORE INTO intake
                 (portal, check_name, code, submitted_at, submitted_unix, acceptance_due_unix)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    p.portal,
                    p.check,
                    p.code,
                    p.submitted_at,
                    p.submitted_unix,
                    p.acceptance_due_unix
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Marks a dossier decided. Returns false when it already was (or is unknown): the caller
    /// must then not count it again.
    pub fn decide(
        &self,
        portal: &str,
        code: &str,
        decision: IntakeEnd,
        at: &str,
    ) -> Result<bool, StoreError> {
        self.db()
            .execute(
                "UPDATE intake SET decision = ?3, decided_at = ?4
                 WHERE portal = ?1 AND code = ?2 AND decision IS NULL",
                params![portal, code, decision.id(), at],
            )
            .map(|n| n == 1)
            .map_err(|e| self.err(e))
    }

    /// Dossiers still pending for `portal` / `check`, oldest first.
    pub fn pending(&self, portal: &str, check: &str) -> Result<Vec<Pending>, StoreError> {
        self.select(
            "SELECT portal, check_name, code, submitted_at, submitted_unix, acceptance_due_unix
             FROM intake
             WHERE portal = ?1 AND check_name = ?2 AND decision IS NULL
             ORDER BY submitted_unix",
            params![portal, check],
            |r| {
                Ok(Pending {
                    portal: r.get(0)?,
                    check: r.get(1)?,
                    code: r.get(2)?,
                    submitted_at: r.get(3)?,
                    submitted_unix: r.get(4)?,
                    acceptance_due_unix: r.get(5)?,
                })
            },
        )
    }

    /// The rows `sql` selects with `params`, each read by `row`.
    pub(crate) fn select<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let db = self.db();
        let mut stmt = db.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params, row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// How `code` was decided, if it was.
    pub fn decision(&self, portal: &str, code: &str) -> Result<Option<String>, StoreError> {
        self.db()
            .query_row(
                "SELECT decision FROM intake WHERE portal = ?1 AND code = ?2",
                params![portal, code],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(code: &str, at: f64) -> Pending {
        Pending {
            portal: "hn".into(),
            check: "intake".into(),
            code: code.into(),
            submitted_at: "2025-04-01T09:00:00+07:00".into(),
            submitted_unix: at,
            acceptance_due_unix: Some(at + 86_400.0),
        }
    }

    #[test]
    fn pending_dossiers_survive_reopening_and_are_decided_once() {
        let dir = std::env::temp_dir().join(format!("dvc-probe-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("probe.db");
        let _ = std::fs::remove_file(&path);
        {
            let store = Store::open(Some(&path)).expect("open");
            store.add(&pending("B", 2.0)).expect("add");
            store.add(&pending("A", 1.0)).expect("add");
            store
                .add(&pending("A", 1.0))
                .expect("a second add is ignored");
        }
        let store = Store::open(Some(&path)).expect("reopen");
        let codes: Vec<String> = store
            .pending("hn", "intake")
            .expect("pending")
            .into_iter()
            .map(|p| p.code)
            .collect();
        assert_eq!(codes, ["A", "B"]);
        assert!(
            store
                .decide("hn", "A", IntakeEnd::Accepted, "t")
                .expect("decide")
        );
        assert!(
            !store
                .decide("hn", "A", IntakeEnd::Accepted, "t")
                .expect("again")
        );
        assert_eq!(
            store.decision("hn", "A").expect("q").as_deref(),
            Some("accepted")
        );
        assert_eq!(store.pending("hn", "intake").expect("pending").len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
