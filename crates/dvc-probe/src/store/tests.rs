use super::*;

/// A fresh path for a state file in this test's own directory.
fn fresh(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dvc-probe-schema-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir.join("probe.db")
}

fn refused(path: &Path) -> String {
    match Store::open(Some(path)) {
        Ok(_) => panic!("{} was accepted", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_new_state_file_is_versioned_and_reopens() {
    let path = fresh("new");
    drop(Store::open(Some(&path)).expect("created"));
    let db = Connection::open(&path).expect("sqlite");
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA);
    drop(db);
    drop(Store::open(Some(&path)).expect("reopened"));
}

#[test]
fn a_schema_1_file_is_read_as_it_is_and_gains_office_hours_when_opened() {
    let path = fresh("v1");
    let db = Connection::open(&path).expect("sqlite");
    db.execute_batch(
        "CREATE TABLE runs (at REAL NOT NULL, portal TEXT NOT NULL, province TEXT NOT NULL,
             check_name TEXT NOT NULL, kind TEXT NOT NULL, outcome TEXT NOT NULL,
             seconds REAL NOT NULL);
         INSERT INTO runs VALUES (10.0, 'hn', 'Hà Nội', 'home', 'http', 'ok', 0.2);
         PRAGMA user_version = 1;",
    )
    .expect("schema 1");
    drop(db);
    let old = Store::open_read_only(&path).expect("read-only");
    let runs = old.runs(0.0, 100.0).expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].office_open, None, "not recorded then");
    drop(old);
    let store = Store::open(Some(&path)).expect("migrated");
    let mut run = runs[0].clone();
    run.at = 20.0;
    run.office_open = Some(true);
    store.record_run(&run).expect("recorded");
    let runs = store.runs(0.0, 100.0).expect("runs");
    assert_eq!(
        runs.iter().map(|r| r.office_open).collect::<Vec<_>>(),
        [None, Some(true)]
    );
}

#[test]
fn a_file_of_another_schema_or_a_newer_version_is_refused_untouched() {
    let path = fresh("foreign");
    let db = Connection::open(&path).expect("sqlite");
    db.execute_batch("CREATE TABLE intake (id INTEGER PRIMARY KEY, note TEXT);")
        .expect("foreign table");
    drop(db);
    let e = refused(&path);
    assert!(
        e.contains(
            "table intake has columns (id, note) where a probe state file has (portal, check_name,"
        ),
        "{e}"
    );
    let db = Connection::open(&path).expect("sqlite");
    let tables: i64 = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(tables, 1, "nothing was created in it");
    drop(db);

    let path = fresh("newer");
    drop(Store::open(Some(&path)).expect("created"));
    Connection::open(&path)
        .expect("sqlite")
        .pragma_update(None, "user_version", 7)
        .expect("version");
    let e = refused(&path);
    assert!(e.contains("written by a newer dvcbench (schema 7)"), "{e}");
}

#[test]
fn a_damaged_file_is_refused_with_what_to_do() {
    let path = fresh("damaged");
    let store = Store::open(Some(&path)).expect("created");
    for i in 0..2_000 {
        store
            .add(&pending(
                &format!("000.00.12.H01-250401-{i:04}"),
                f64::from(i),
            ))
            .expect("added");
    }
    drop(store);
    // Checkpoint the WAL into the file, then flip bytes in the middle of it.
    let db = Connection::open(&path).expect("sqlite");
    db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    drop(db);
    let mut bytes = std::fs::read(&path).expect("read");
    assert!(bytes.len() > 64 * 1024, "{} bytes", bytes.len());
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 4096] {
        *b = !*b;
    }
    std::fs::write(&path, &bytes).expect("write");
    let e = refused(&path);
    assert!(e.starts_with("probe state "), "{e}");
    assert!(
        e.contains("damaged") || e.contains("malformed") || e.contains("not a database"),
        "{e}"
    );
}

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
