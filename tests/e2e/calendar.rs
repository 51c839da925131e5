//! `dvcbench calendar` with user holiday files and office hours, end to end.

use dvcbench_e2e::{Scratch, dvcbench};

const LOCAL_DAYS: &str = r#"
# A province that announced its own Tết 2027 schedule and a founding-day holiday.
[[day_off]]
kind = "tet"
from = 2027-02-04
to = 2027-02-10
name = "Tết Nguyên Đán Đinh Mùi"
source = "provincial people's committee decision"

[[working_day]]
kind = "tet"
date = 2027-02-20
name = "Làm bù"
source = "provincial people's committee decision"

[[day_off]]
kind = "other"
date = 2027-03-15
name = "Province founding day"
source = "provincial people's committee decision"
"#;

#[test]
fn a_user_file_replaces_a_forecast_and_adds_local_days() {
    let dir = Scratch::new("holidays");
    let file = dir.write("local.toml", LOCAL_DAYS);
    let file = file.to_str().expect("utf-8 path");

    let out = dvcbench(&["calendar", "holidays", "2027", "--holidays", file]);
    assert_eq!(out.code, 0, "{:?}", out.error);
    let tet: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("\ttet\t"))
        .collect();
    assert_eq!(tet.len(), 8, "7 days off and 1 make-up day: {tet:#?}");
    assert!(tet.iter().all(|l| l.contains("\tannounced\t")));
    // Other kinds of 2027 are still forecast.
    assert!(
        out.stdout
            .contains("2027-04-30\toff\treunification\tforecast\t")
    );

    let out = dvcbench(&[
        "calendar",
        "is-working-day",
        "2027-02-20",
        "--holidays",
        file,
    ]);
    assert!(
        out.stdout
            .starts_with("yes\nmake-up working day: Làm bù (tet)"),
        "{}",
        out.stdout
    );
    let out = dvcbench(&[
        "calendar",
        "is-working-day",
        "2027-03-15",
        "--holidays",
        file,
    ]);
    assert!(
        out.stdout
            .starts_with("no\nday off: Province founding day (other)")
    );

    // Without the file Tết 2027 is forecast (5, 8-11 Feb off); with it, 4-5 and 8-10 Feb.
    let plain = dvcbench(&["calendar", "working-days", "2027-02-01", "2027-02-28"]);
    let local = dvcbench(&[
        "calendar",
        "working-days",
        "2027-02-01",
        "2027-02-28",
        "--holidays",
        file,
    ]);
    assert_eq!(
        plain.stdout, "15\n",
        "20 weekdays less the 5 forecast Tết weekdays off"
    );
    assert_eq!(
        local.stdout, "16\n",
        "20 weekdays less 5 announced days off, plus 1 make-up"
    );
}

#[test]
fn office_hours_change_deadlines_but_not_working_days() {
    let hours = "07:30-11:30,13:00-17:00";
    let out = dvcbench(&[
        "calendar",
        "due",
        "--from",
        "2025-04-01T11:00",
        "--working-hours",
        "1",
        "--office-hours",
        hours,
    ]);
    assert_eq!(out.code, 0, "{:?}", out.error);
    assert_eq!(out.stdout, "2025-04-01T13:30:00+07:00\n");
    let default = dvcbench(&[
        "calendar",
        "due",
        "--from",
        "2025-04-01T11:00",
        "--working-hours",
        "1",
    ]);
    assert_eq!(default.stdout, "2025-04-01T14:00:00+07:00\n");

    let out = dvcbench(&[
        "calendar",
        "due",
        "--from",
        "2025-04-01T09:00",
        "--working-days",
        "1",
        "--office-hours",
        "08:00-12:00",
    ]);
    assert_eq!(
        out.stdout, "2025-04-03T09:00:00+07:00\n",
        "a working day is 8 working hours, two of these 4-hour office days"
    );
}

#[test]
fn errors_in_a_user_file_are_all_reported_with_their_place() {
    let dir = Scratch::new("bad-holidays");
    let file = dir.write(
        "bad.toml",
        "[[day_off]]\nkind = \"tet\"\nfrom = 2027-02-10\nto = 2027-02-04\nname = \"x\"\nsource = \"y\"\n\n[[working_day]]\nkind = \"tet\"\ndate = 2027-02-20\nname = \"x\"\nsource = \" \"\n",
    );
    let path = file.to_str().expect("utf-8 path");
    let out = dvcbench(&["calendar", "tet", "2027", "--holidays", path]);
    assert_eq!(out.code, 2);
    let error = out.error.expect("an error");
    assert!(
        error.contains(&format!(
            "{path}:4:6: to (2027-02-04) is before from (2027-02-10)"
        )),
        "{error}"
    );
    assert!(
        error.contains(&format!("{path}:12:10: source must say")),
        "{error}"
    );
}
