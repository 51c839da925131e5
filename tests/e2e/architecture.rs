//! The crate map of ARCHITECTURE.md holds in the code: a fan, not a tower. Each crate depends
//! only on the crates its row allows (normal dependencies, read from `cargo metadata`).

use std::collections::{BTreeMap, BTreeSet};

/// Each workspace crate and the workspace crates it may depend on.
const ALLOWED: [(&str, &[&str]); 9] = [
    ("dvc-domain", &[]),
    ("dvc-http", &[]),
    ("dvc-portal-sim", &["dvc-domain"]),
    ("dvc-loadgen", &["dvc-domain", "dvc-http"]),
    ("dvc-probe", &["dvc-domain", "dvc-http", "dvc-loadgen"]),
    ("dvc-compare", &["dvc-domain", "dvc-http", "dvc-probe"]),
    // Renderers only: no probe, no HTTP client.
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
}
