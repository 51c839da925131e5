//! `dvcbench compare` as a script uses it: a report on standard output is all that is there,
//! the CSV opens in a spreadsheet with its Vietnamese names, and a province that matches
//! nothing is an error that lists the names that do.

use dvc_probe::history::Run;
use dvc_probe::store::Store;
use dvcbench_e2e::{Scratch, dvcbench};

/// A state file with an hour of http runs for two provinces, from 2025-04-07 09:00 (UTC+7).
fn state(scratch: &Scratch) -> String {
    let path = scratch.path.join("probe.db");
    let store = Store::open(Some(&path)).expect("state file");
    let start = 1_743_991_200.0; // 2025-04-07T09:00:00+07:00
    for (portal, province) in [("hn", "Hà Nội"), ("hcm", "Hồ Chí Minh")] {
        for i in 0..60 {
            store
                .record_run(&Run {
                    at: start + f64::from(i) * 60.0,
                    portal: portal.into(),
                    province: province.into(),
                    check: "home".into(),
                    kind: "http".into(),
                    outcome: "ok".into(),
                    seconds: 0.2,
                    office_open: Some(true),
                })
                .expect("recorded");
        }
    }
    path.display().to_string()
}

#[test]
fn a_report_on_standard_output_is_alone_there_and_a_misspelt_province_is_named() {
    let scratch = Scratch::new("compare-cli");
    let state = state(&scratch);
    let period = ["--from", "2025-04-07T08:00", "--to", "2025-04-07T11:00"];
    let args = |extra: &[&str]| -> Vec<String> {
        ["compare", "--probe-store", state.as_str()]
            .iter()
            .chain(period.iter())
            .chain(extra.iter())
            .map(|s| (*s).to_owned())
            .collect()
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        dvcbench(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let csv = run(&["--csv", "-"]);
    assert_eq!(csv.code, 0, "{:?}", csv.error);
    assert!(
        csv.stdout.starts_with("\u{feff}rank,province,score"),
        "{}",
        csv.stdout
    );
    assert!(csv.stdout.contains("\"Hà Nội\""));
    assert!(
        !csv.stdout.lines().any(|l| l.starts_with("rank  ")),
        "the terminal ranking went to stderr: {}",
        csv.stdout
    );
    let md = run(&["--md", "-"]);
    assert!(md.stdout.starts_with("## "), "{}", md.stdout);
    // Without a report on stdout, the ranking is there.
    let plain = run(&[]);
    assert!(
        plain.stdout.starts_with("rank  province"),
        "{}",
        plain.stdout
    );
    let both = run(&["--md", "-", "--csv", "-"]);
    assert_eq!(both.code, 2);
    let sheet_to_stdout = run(&["--xlsx", "-"]);
    assert_eq!(sheet_to_stdout.code, 2);
    assert!(
        sheet_to_stdout
            .error
            .is_some_and(|e| e.contains("--xlsx needs a file name"))
    );
    let misspelt = run(&["--province", "Ha Noi"]);
    assert_eq!(misspelt.code, 2);
    let error = misspelt.error.unwrap_or_default();
    assert!(
        error.contains("no figures for province \"Ha Noi\"")
            && error.contains("did you mean \"Ha Noi\" → \"Hà Nội\"?"),
        "{error}"
    );
    // Times in messages are Vietnam's.
    let reversed = dvcbench(&[
        "compare",
        "--probe-store",
        state.as_str(),
        "--from",
        "2025-04-07T11:00",
        "--to",
        "2025-04-07T08:00",
    ]);
    assert_eq!(reversed.code, 2);
    let error = reversed.error.unwrap_or_default();
    assert!(
        error.contains(
            "--from (2025-04-07 11:00:00 +07:00) must be before --to (2025-04-07 08:00:00 +07:00)"
        ),
        "{error}"
    );
    let one = run(&["--province", "Hà Nội"]);
    assert_eq!(one.code, 0, "{:?}", one.error);
}

#[test]
fn state_files_of_probes_in_two_places_are_pooled() {
    // A probe in Hà Nội saw Hồ Chí Minh City's home page fail half the time; one in the south
    // saw it always answer. Pooled, every run of both counts once.
    let scratch = Scratch::new("compare-pooled");
    let file = |name: &str, location: &str, outcome: &dyn Fn(i32) -> &'static str, seconds| {
        let path = scratch.path.join(name);
        let store = Store::open(Some(&path)).expect("state file");
        store.set_meta("location", location).expect("location");
        let start = 1_743_991_200.0; // 2025-04-07T09:00:00+07:00
        for i in 0..40 {
            store
                .record_run(&Run {
                    at: start + f64::from(i) * 60.0,
                    portal: "hcm".into(),
                    province: "Hồ Chí Minh".into(),
                    check: "home".into(),
                    kind: "http".into(),
                    outcome: outcome(i).into(),
                    seconds,
                    office_open: Some(true),
                })
                .expect("recorded");
        }
        path.display().to_string()
    };
    let north = file(
        "north.db",
        "hn-dc1",
        &|i| if i % 2 == 0 { "ok" } else { "timeout" },
        0.4,
    );
    let south = file("south.db", "hcm-dc1", &|_| "ok", 0.1);
    let pooled = |report: &str| {
        dvcbench(&[
            "compare",
            "--probe-store",
            &north,
            "--probe-store",
            &south,
            "--from",
            "2025-04-07T08:00",
            "--to",
            "2025-04-07T11:00",
            report,
            "-",
        ])
    };
    let out = pooled("--csv");
    assert_eq!(out.code, 0, "{:?}", out.error);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let header: Vec<&str> = lines[0].trim_start_matches('\u{feff}').split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    let value = |name: &str| row[header.iter().position(|h| *h == name).expect(name)];
    assert_eq!(value("availability_samples"), "80");
    assert_eq!(value("availability_ratio"), "0.75");
    let md = pooled("--md");
    assert!(
        md.stdout.contains("hn-dc1, hcm-dc1") && md.stdout.contains("north.db, "),
        "{}",
        md.stdout
    );
}
