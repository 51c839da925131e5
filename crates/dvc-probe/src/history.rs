//! The history in the state file: every check run, and the figures the checks measured (an
//! accepted test dossier's intake time, a payment's confirmation time, the statistics' on-time
//! counts), for `dvcbench compare --probe-store` where no Prometheus keeps them. Kept only
//! with a state file, for `history_days`.

use crate::store::{Store, StoreError};
use rusqlite::params;

/// Figures of the `observations` table.
pub mod figure {
    /// Submission → acceptance of a test dossier, in working seconds.
    pub const INTAKE_WORKING_SECONDS: &str = "intake_working_seconds";
    /// 1 when that acceptance was late, else 0 (one row per accepted test dossier).
    pub const INTAKE_LATE: &str = "intake_late";
    /// Paid at the gateway → the portal shows the payment settled, in seconds.
    pub const PAYMENT_CONFIRMATION_SECONDS: &str = "payment_confirmation_seconds";
    /// From one run of a stats check, over all agencies: dossiers finished early or on time
    /// plus those open and still in time ...
    pub const STATS_ON_TIME: &str = "stats_on_time";
    /// ... and all dossiers finished or open (the national index's denominator).
    pub const STATS_COUNTED: &str = "stats_counted";
    /// A browser check's page load: first contentful paint, largest contentful paint and total
    /// blocking time, in seconds.
    pub const BROWSER_FCP_SECONDS: &str = "browser_fcp_seconds";
    pub const BROWSER_LCP_SECONDS: &str = "browser_lcp_seconds";
    pub const BROWSER_TBT_SECONDS: &str = "browser_tbt_seconds";
    /// The prefix of an index count from one run of a stats check, summed over agencies:
    /// `stats:dossiers_online`.
    pub const STATS_COUNT_PREFIX: &str = "stats:";

    /// The history's name of stats field `field` (an index count).
    pub fn stats_count(field: &str) -> String {
        format!("{STATS_COUNT_PREFIX}{field}")
    }
}

/// One check run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Unix seconds.
    pub at: f64,
    pub portal: String,
    pub province: String,
    pub check: String,
    pub kind: String,
    pub outcome: String,
    pub seconds: f64,
    /// Whether the target's office was open at `at`, by its own calendar (`None` in files
    /// written before the probe recorded it).
    pub office_open: Option<bool>,
}

/// One measured figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub at: f64,
    pub portal: String,
    pub province: String,
    pub figure: String,
    pub value: f64,
}

impl Store {
    /// Keeps a check run (no-op without a state file).
    pub fn record_run(&self, run: &Run) -> Result<(), StoreError> {
        if !self.history {
            return Ok(());
        }
        self.db()
            .execute(
                "INSERT INTO runs
                 (at, portal, province, check_name, kind, outcome, seconds, office_open)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    run.at,
                    run.portal,
                    run.province,
                    run.check,
                    run.kind,
                    run.outcome,
                    run.seconds,
                    run.office_open
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Keeps a figure (no-op without a state file).
    pub fn observe(&self, o: &Observation) -> Result<(), StoreError> {
        if !self.history {
            return Ok(());
        }
        self.db()
            .execute(
                "INSERT INTO observations (at, portal, province, figure, value)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![o.at, o.portal, o.province, o.figure, o.value],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Drops runs and figures older than `before` (Unix seconds); returns how many.
    pub fn prune(&self, before: f64) -> Result<usize, StoreError> {
        let db = self.db();
        let runs = db
            .execute("DELETE FROM runs WHERE at < ?1", params![before])
            .map_err(|e| self.err(e))?;
        let observations = db
            .execute("DELETE FROM observations WHERE at < ?1", params![before])
            .map_err(|e| self.err(e))?;
        Ok(runs + observations)
    }

    /// Check runs with `from <= at < to`, in time order.
    pub fn runs(&self, from: f64, to: f64) -> Result<Vec<Run>, StoreError> {
        let recorded =
            crate::store::has_column(&self.db(), "runs", "office_open").map_err(|e| self.err(e))?;
        let office = if recorded { "office_open" } else { "NULL" };
        self.select(
            &format!(
                "SELECT at, portal, province, check_name, kind, outcome, seconds, {office}
                 FROM runs WHERE at >= ?1 AND at < ?2 ORDER BY at"
            ),
            params![from, to],
            |r| {
                Ok(Run {
                    at: r.get(0)?,
                    portal: r.get(1)?,
                    province: r.get(2)?,
                    check: r.get(3)?,
                    kind: r.get(4)?,
                    outcome: r.get(5)?,
                    seconds: r.get(6)?,
                    office_open: r.get(7)?,
                })
            },
        )
    }

    /// Figures with `from <= at < to`, in time order.
    pub fn observations(&self, from: f64, to: f64) -> Result<Vec<Observation>, StoreError> {
        self.select(
            "SELECT at, portal, province, figure, value FROM observations
             WHERE at >= ?1 AND at < ?2 ORDER BY at",
            params![from, to],
            |r| {
                Ok(Observation {
                    at: r.get(0)?,
                    portal: r.get(1)?,
                    province: r.get(2)?,
                    figure: r.get(3)?,
                    value: r.get(4)?,
                })
            },
        )
    }

    /// Sets a value of the `meta` table (the probe's location).
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.db()
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// A value of the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        self.db()
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(at: f64, outcome: &str) -> Run {
        Run {
            at,
            portal: "hn".into(),
            province: "Hà Nội".into(),
            check: "home".into(),
            kind: "http".into(),
            outcome: outcome.into(),
            seconds: 0.1,
            office_open: Some(true),
        }
    }

    #[test]
    fn history_is_kept_with_a_state_file_read_by_period_and_pruned() {
        let dir = std::env::temp_dir().join(format!("dvc-probe-history-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("probe.db");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(Some(&path)).expect("open");
        for (at, outcome) in [(10.0, "ok"), (20.0, "timeout"), (30.0, "ok")] {
            store.record_run(&run(at, outcome)).expect("record");
        }
        store
            .observe(&Observation {
                at: 25.0,
                portal: "hn".into(),
                province: "Hà Nội".into(),
                figure: figure::INTAKE_LATE.into(),
                value: 1.0,
            })
            .expect("observe");
        store.set_meta("location", "Hà Nội DC").expect("meta");
        let reader = Store::open_read_only(&path).expect("read only");
        let runs = reader.runs(15.0, 31.0).expect("runs");
        assert_eq!(runs, vec![run(20.0, "timeout"), run(30.0, "ok")]);
        assert_eq!(reader.observations(0.0, 100.0).expect("obs").len(), 1);
        assert_eq!(
            reader.meta("location").expect("meta").as_deref(),
            Some("Hà Nội DC")
        );
        assert!(
            reader.record_run(&run(40.0, "ok")).is_ok(),
            "a reader keeps nothing"
        );
        assert_eq!(store.prune(25.0).expect("prune"), 2);
        assert_eq!(reader.runs(0.0, 100.0).expect("runs").len(), 1);

        let memory = Store::open(None).expect("memory");
        memory.record_run(&run(1.0, "ok")).expect("no-op");
        assert!(memory.runs(0.0, 10.0).expect("runs").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
