//! `dvcbench calendar`: working days, deadlines, days off and Alertmanager's office hours.

use super::{dvcbench, stderr, stdout};

#[test]
fn working_days_prints_a_bare_count() {
    let out = dvcbench(&["calendar", "working-days", "2025-04-01", "2025-04-30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "21\n");
}

#[test]
fn is_working_day_answers_then_explains() {
    let out = dvcbench(&["calendar", "is-working-day", "2024-05-04"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("yes"));
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("make-up working day: ")),
        "{text}"
    );

    let out = dvcbench(&["calendar", "is-working-day", "2025-09-01"]);
    assert!(stdout(&out).starts_with("no\nday off: Quốc khánh 2/9 (national_day); source: "));

    let out = dvcbench(&["calendar", "is-working-day", "2025-03-16"]);
    assert_eq!(stdout(&out), "no\nweekend (Sunday)\n");

    let out = dvcbench(&["calendar", "is-working-day", "2031-01-01"]);
    assert!(stdout(&out).contains("forecast"), "{}", stdout(&out));
}

#[test]
fn due_prints_rfc3339_in_vietnam_time() {
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--from",
                "2025-04-01T14:59",
                "--working-days",
                "0",
                "--cutoff",
                "15:00",
            ],
            "2025-04-01T17:00:00+07:00",
        ),
        (
            &[
                "--from",
                "2025-04-01T15:00",
                "--working-days",
                "0",
                "--cutoff",
                "15:00",
            ],
            "2025-04-02T17:00:00+07:00",
        ),
        (
            &[
                "--from",
                "2025-04-01T15:01",
                "--working-days",
                "0",
                "--cutoff",
                "15:00",
            ],
            "2025-04-02T17:00:00+07:00",
        ),
        // 08:01 UTC is 15:01 in Vietnam: 1 h 59 min that day, 31 min the next.
        (
            &["--from", "2025-04-01T08:01:00Z", "--working-hours", "2.5"],
            "2025-04-02T07:31:00+07:00",
        ),
        (
            &["--from", "2025-04-25 09:00", "--calendar-days", "5"],
            "2025-05-05T09:00:00+07:00",
        ),
    ];
    for (args, expected) in cases {
        let out = dvcbench(&[&["calendar", "due"], args].concat());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), format!("{expected}\n"), "{args:?}");
    }
}

#[test]
fn holidays_lists_days_with_their_source_and_marks_forecasts() {
    let out = dvcbench(&["calendar", "holidays", "2025"]);
    let text = stdout(&out);
    assert!(
        text.contains("2025-04-26\twork\tlabour\tannounced\t"),
        "{text}"
    );
    assert!(
        text.contains("2025-01-29\toff\ttet\tannounced\tTết Nguyên Đán Ất Tỵ\t"),
        "{text}"
    );
    assert!(!text.contains("forecast"));
    for line in text.lines() {
        assert_eq!(line.split('\t').count(), 6, "{line}");
    }

    let out = dvcbench(&["calendar", "holidays", "2030"]);
    let text = stdout(&out);
    assert!(text.lines().all(|l| l.contains("\tforecast\t")), "{text}");
    // Tết 2030 in Vietnam is 2 February; the day before is off.
    assert!(text.contains("2030-02-01\toff\ttet\tforecast\t"), "{text}");
}

#[test]
fn tet_prints_the_vietnamese_date() {
    for (year, date) in [
        ("1985", "1985-01-21"),
        ("2007", "2007-02-17"),
        ("2026", "2026-02-17"),
    ] {
        let out = dvcbench(&["calendar", "tet", year]);
        assert_eq!(stdout(&out), format!("{date}\n"));
    }
}

#[test]
fn alertmanager_intervals_hold_working_days_only_make_up_saturdays_included() {
    let out = dvcbench(&["calendar", "alertmanager", "2024", "2025"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let days = |year: &str, month: &str| {
        let block =
            format!("- years: [\"{year}\"]\n        months: [{month}]\n        days_of_month: [");
        let start = text
            .find(&block)
            .unwrap_or_else(|| panic!("{month} {year}: {text}"))
            + block.len();
        text[start..]
            .split(']')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    // 2024: 30 April and 1 May off, Saturday 4 May worked instead.
    assert_eq!(
        days("2024", "may"),
        r#""2:4", "6:10", "13:17", "20:24", "27:31""#
    );
    // Tết 2025: Saturday 25 January to Sunday 2 February off.
    assert!(days("2025", "january").ends_with(r#""20:24""#), "{text}");
    assert!(days("2025", "february").starts_with(r#""3:7""#), "{text}");
    assert!(text.contains("- start_time: \"13:30\"\n            end_time: \"17:00\""));
    let hours = dvcbench(&[
        "calendar",
        "--office-hours",
        "08:00-12:00",
        "time-intervals",
        "2025",
    ]);
    assert!(
        stdout(&hours)
            .contains("- start_time: \"08:00\"\n            end_time: \"12:00\"\n        location")
    );
    assert_eq!(
        dvcbench(&["calendar", "alertmanager", "1800"])
            .status
            .code(),
        Some(2)
    );
    // Years whose rules are not modelled are refused, not answered as if they had no holidays.
    let old = dvcbench(&["calendar", "alertmanager", "2012"]);
    assert_eq!(old.status.code(), Some(2));
    assert!(
        stderr(&old).contains("the days off of 2012 are not modelled"),
        "{}",
        stderr(&old)
    );
}

#[test]
fn years_before_2013_are_refused_unless_a_holidays_file_gives_them() {
    for args in [
        &["calendar", "is-working-day", "2005-09-02"][..],
        &["calendar", "working-days", "2012-12-01", "2013-01-31"],
        &["calendar", "holidays", "1998"],
        &[
            "calendar",
            "due",
            "--from",
            "2010-01-04T08:00",
            "--working-days",
            "3",
        ],
    ] {
        let out = dvcbench(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("not modelled"), "{args:?}");
    }
    let dir = std::env::temp_dir().join(format!("dvcbench-old-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("2005.toml");
    std::fs::write(
        &file,
        "[[day_off]]\nkind = \"national_day\"\ndate = 2005-09-02\nname = \"Quốc khánh\"\nsource = \"Labour Code 1994 art. 73\"\n",
    )
    .expect("write");
    let out = dvcbench(&[
        "calendar",
        "--holidays",
        file.to_str().expect("UTF-8 path"),
        "is-working-day",
        "2005-09-02",
    ]);
    assert_eq!(stdout(&out).lines().next(), Some("no"), "{}", stderr(&out));
    // The old name of the subcommand still works.
    assert!(
        dvcbench(&["calendar", "time-intervals", "2025"])
            .status
            .success()
    );
    // Under the Labour Code 2012, National Day was one day.
    let out = dvcbench(&["calendar", "is-working-day", "2020-09-03"]);
    assert_eq!(stdout(&out), "yes\nweekday\n");
    let _ = std::fs::remove_dir_all(&dir);
}
