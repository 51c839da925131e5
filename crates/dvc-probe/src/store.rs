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
#[error("probe state {path}: {problem}")]
pub struct StoreError {
    path: String,
    problem: StoreProblem,
}

/// What is wrong with a state file.
#[derive(Debug, thiserror::Error)]
pub enum StoreProblem {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the file is damaged ({0}); restore it from a backup, or move it away to start afresh (the test dossiers it follows would then be left unfollowed)"
    )]
    Damaged(String),
    #[error(
        "table {table} has columns ({found}) where a probe state file has ({expected}): this is not a dvcbench probe state file"
    )]
    Foreign {
        table: String,
        found: String,
        expected: String,
    },
    #[error("written by a newer dvcbench (schema {0}); this one reads schema {SCHEMA} and older")]
    Newer(i64),
    #[error("already exists: a backup never overwrites a file")]
    Exists,
    #[error("the path is not UTF-8")]
    NotUtf8,
}

/// The state file's schema version (`PRAGMA user_version`); 0 is a file from before versions,
/// whose tables are checked and then marked as this version.
pub const SCHEMA: i64 = 3;

/// The tables of the schema and their columns, in order.
const TABLES: [(&str, &[&str]); 5] = [
    (
        "intake",
        &[
            "portal",
            "check_name",
            "code",
            "submitted_at",
            "submitted_unix",
            "acceptance_due_unix",
            "decision",
            "decided_at",
        ],
    ),
    (
        "runs",
        &[
            "at",
            "portal",
            "province",
            "check_name",
            "kind",
            "outcome",
            "seconds",
            "office_open",
        ],
    ),
    (
        "observations",
        &["at", "portal", "province", "figure", "value"],
    ),
    ("meta", &["key", "value"]),
    (
        "submissions",
        &["portal", "check_name", "key", "created_unix"],
    ),
];

/// True when `table` has `column` (a file of an older schema may not).
pub(crate) fn has_column(db: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    db.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
        .exists([table, column])
}

/// Refuses a file that is damaged, written by a newer dvcbench, or holds tables of another
/// schema under the probe's names; marks an unversioned file of the right shape.
fn check_schema(db: &Connection) -> Result<(), StoreProblem> {
    let verdict: String = db.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(StoreProblem::Damaged(verdict));
    }
    let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA {
        return Err(StoreProblem::Newer(version));
    }
    for (table, expected) in TABLES {
        let mut columns = db.prepare("SELECT name FROM pragma_table_info(?1)")?;
        let found: Vec<String> = columns
            .query_map([table], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if found.is_empty() {
            continue;
        }
        // Schema 1 had no office_open in runs; opening adds it.
        let schema_1 = table == "runs" && found.len() + 1 == expected.len();
        if found
            .iter()
            .map(String::as_str)
            .ne(expected.iter().copied().take(found.len()))
            || !(schema_1 || found.len() == expected.len())
        {
            return Err(StoreProblem::Foreign {
                table: table.to_owned(),
                found: found.join(", "),
                expected: expected.join(", "),
            });
        }
    }
    Ok(())
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
        let wrap = |problem: StoreProblem| StoreError {
            path: shown.clone(),
            problem,
        };
        let db = match path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(|e| wrap(e.into()))?;
        check_schema(&db).map_err(wrap)?;
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
                 seconds REAL NOT NULL,
                 office_open INTEGER
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
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS submissions (
                 portal TEXT NOT NULL,
                 check_name TEXT NOT NULL,
                 key TEXT NOT NULL,
                 created_unix REAL NOT NULL,
                 PRIMARY KEY (portal, check_name)
             );",
        )
        .map_err(|e| wrap(e.into()))?;
        if !has_column(&db, "runs", "office_open").map_err(|e| wrap(e.into()))? {
            db.execute_batch("ALTER TABLE runs ADD COLUMN office_open INTEGER")
                .map_err(|e| wrap(e.into()))?;
        }
        db.pragma_update(None, "user_version", SCHEMA)
            .map_err(|e| wrap(e.into()))?;
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
            problem: source.into(),
        })?;
        Ok(Store {
            db: Mutex::new(db),
            path: shown,
            history: false,
        })
    }

    /// Writes a consistent copy of the state file to `to` (which must not exist), safe while a
    /// probe writes the file: what its write-ahead log holds is in the copy.
    pub fn backup(&self, to: &Path) -> Result<(), StoreError> {
        let shown = to.display().to_string();
        if to.exists() {
            return Err(StoreError {
                path: shown,
                problem: StoreProblem::Exists,
            });
        }
        let target = to.to_str().ok_or_else(|| StoreError {
            path: shown.clone(),
            problem: StoreProblem::NotUtf8,
        })?;
        self.db()
            .execute("VACUUM INTO ?1", params![target])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub(crate) fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError {
            path: self.path.clone(),
            problem: source.into(),
        }
    }

    pub(crate) fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a newly submitted dossier, and forgets the check's submission key in the same
    /// transaction: a crash leaves either the key (the submission is sent again with it) or the
    /// dossier, never neither.
    pub fn add(&self, p: &Pending) -> Result<(), StoreError> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        tx.execute(
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
        .map_err(|e| self.err(e))?;
        tx.execute(
            "DELETE FROM submissions WHERE portal = ?1 AND check_name = ?2",
            params![p.portal, p.check],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// The submission key of `check` on `portal`: the one a submission whose answer never came
    /// was sent with, or a new one, kept before anything is sent. Returns it and whether it is
    /// left over from such a submission.
    pub fn submission_key(&self, portal: &str, check: &str) -> Result<(String, bool), StoreError> {
        let db = self.db();
        let left: Option<String> = db
            .query_row(
                "SELECT key FROM submissions WHERE portal = ?1 AND check_name = ?2",
                params![portal, check],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some(key) = left {
            return Ok((key, true));
        }
        let key = format!("dvc-probe-{:032x}", rand::random::<u128>());
        db.execute(
            "INSERT INTO submissions (portal, check_name, key, created_unix) VALUES (?1, ?2, ?3, ?4)",
            params![portal, check, key, crate::checks::unix_now()],
        )
        .map_err(|e| self.err(e))?;
        Ok((key, false))
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
mod tests;
