//! The crate map of ARCHITECTURE.md holds in the code: a fan, not a tower. Each crate depends
//! only on the crates its row allows (normal dependencies, read from `cargo metadata`). And no
//! source file grows past 500 lines without saying why.

use std::collections::{BTreeMap, BTreeSet};

/// Each workspace crate and the workspace crates it may depend on.
const ALLOWED: [(&str, &[&str]); 9] = [
    ("dvc-domain", &[]),
    ("dvc-http", &[]),
    ("dvc-portal-sim", &["dvc-domain", "dvc-http"]),
    ("dvc-loadgen", &["dvc-domain", "dvc-http"]),
    ("dvc-probe", &["dvc-domain", "dvc-http", "dvc-loadgen"]),
    ("dvc-compare", &["dvc-domain", "dvc-http", "dvc-probe"]),
    // Renderers only: no probe, no HTTP client (and the two below without their engines).
    ("dvc-report", &["dvc-compare", "dvc-domain", "dvc-loadgen"]),
    (
        "dvcbench",
        &[
            "dvc-compare",
            "dvc-domain",
            "dvc-http",
            "dvc-loadgen",
            "dvc-portal-sim",
            "dvc-probe",
            "dvc-report",
        ],
    ),
    (
        "dvcbench-e2e",
        &[
            "dvc-compare",
            "dvc-domain",
            "dvc-http",
            "dvc-loadgen",
            "dvc-portal-sim",
            "dvc-probe",
            "dvc-report",
            "dvcbench",
        ],
    ),
];

#[test]
fn crates_depend_only_on_what_the_crate_map_allows() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .args(["--manifest-path", manifest])
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let names: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    let edges: BTreeMap<&str, BTreeSet<&str>> = packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["kind"].is_null())
                .filter_map(|d| d["name"].as_str())
                .filter(|d| names.contains(d))
                .collect();
            (p["name"].as_str().unwrap_or_default(), deps)
        })
        .collect();
    let allowed: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(name, deps)| (*name, deps.iter().copied().collect()))
        .collect();
    assert_eq!(
        edges.keys().collect::<Vec<_>>(),
        allowed.keys().collect::<Vec<_>>(),
        "every crate has its row in the map"
    );
    for (name, deps) in &edges {
        let extra: Vec<&&str> = deps.difference(&allowed[name]).collect();
        assert!(
            extra.is_empty(),
            "{name} depends on {extra:?}, which the crate map does not allow"
        );
    }
    // The renderers take the run summary and the comparison alone: not loadgen's engine, not
    // compare's sources (which bring the probe), so a renderer compiles no Goose and no SQLite.
    let report = packages
        .iter()
        .find(|p| p["name"] == "dvc-report")
        .expect("dvc-report");
    for dep in report["dependencies"].as_array().into_iter().flatten() {
        let name = dep["name"].as_str().unwrap_or_default();
        if name == "dvc-loadgen" || name == "dvc-compare" {
            assert_eq!(
                dep["uses_default_features"], false,
                "dvc-report → {name}: {dep}"
            );
            assert_eq!(
                dep["features"],
                serde_json::json!([]),
                "dvc-report → {name}: {dep}"
            );
        }
    }
}

/// Longest a source file grows without a comment saying why ("Over 500 lines because …").
const MOST_LINES: usize = 500;

#[test]
fn long_source_files_say_why() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut long = Vec::new();
    let mut dirs = vec![root.join("crates"), root.join("tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("UTF-8 source");
                if text.lines().count() > MOST_LINES && !text.contains("Over 500 lines because") {
                    long.push(format!(
                        "{} ({} lines)",
                        path.display(),
                        text.lines().count()
                    ));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "over {MOST_LINES} lines with no comment saying why; split them or say why: {long:#?}"
    );
}
