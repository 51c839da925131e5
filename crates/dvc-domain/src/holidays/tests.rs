use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

#[test]
fn shipped_file_parses_and_every_entry_has_a_source() {
    let shipped = Holidays::shipped();
    assert!(shipped.days().len() > 30);
    assert!(shipped.days().iter().all(|d| !d.is_forecast()));
}

#[test]
fn announced_2025_schedule_is_used_as_is() {
    let table = DayTable::resolve(&Holidays::shipped());
    for day in [d(2025, 1, 27), d(2025, 4, 7), d(2025, 5, 2), d(2025, 9, 1)] {
        let special = table.get(day).expect("a day off");
        assert!(special.off && !special.is_forecast(), "{day}");
    }
    let make_up = table.get(d(2025, 4, 26)).expect("make-up day");
    assert!(!make_up.off);
    assert!(table.year(2025).iter().all(|d| !d.is_forecast()));
}

#[test]
fn unannounced_kinds_of_a_partly_announced_year_are_forecast() {
    // A province's file announces Tết 2027 alone; the rest of 2027 stays forecast.
    let user = Holidays::parse(
        "tet-2027.toml",
        "[[day_off]]\nkind = \"tet\"\nfrom = 2027-02-04\nto = 2027-02-10\nname = \"Tết\"\nsource = \"notice\"\n",
    )
    .expect("valid");
    let table = DayTable::resolve(&Holidays::shipped().overridden_by(user));
    let tet = table.get(d(2027, 2, 8)).expect("Tết 2027");
    assert!(!tet.is_forecast());
    // Hùng Kings 2027: lunar 10/3 Đinh Mùi is Friday 16 April.
    let hung = table.get(d(2027, 4, 16)).expect("Hùng Kings 2027");
    assert!(hung.is_forecast() && hung.kind == HolidayKind::HungKings);
    // 1 May 2027 is a Saturday, made up on Monday 3 May.
    let comp = table.get(d(2027, 5, 3)).expect("compensation");
    assert!(comp.is_forecast() && comp.name.starts_with("Nghỉ bù"));
    let culture = table.get(d(2027, 11, 24)).expect("Culture Day 2027");
    assert!(culture.is_forecast() && culture.kind == HolidayKind::CultureDay);
}

#[test]
fn culture_day_is_a_day_off_from_2026_and_not_made_up() {
    let table = DayTable::resolve(&Holidays::shipped());
    let announced = table
        .get(d(2026, 11, 24))
        .expect("Culture Day 2026, a Tuesday");
    assert!(announced.off && !announced.is_forecast());
    assert_eq!(announced.kind, HolidayKind::CultureDay);
    assert!(
        table.get(d(2025, 11, 24)).is_none(),
        "not a day off before 2026"
    );
    // 24 November 2029 is a Saturday: the resolution's day off is not made up on Monday.
    assert!(table.get(d(2029, 11, 24)).is_some_and(|s| s.is_forecast()));
    assert!(table.get(d(2029, 11, 26)).is_none());
}

#[test]
fn forecast_compensates_weekends_without_colliding() {
    // 2028: 30/4 is a Sunday and 1/5 a Monday, so 30/4 is compensated on Tuesday 2 May.
    let table = DayTable::resolve(&Holidays::default());
    assert!(
        table
            .get(d(2028, 5, 1))
            .is_some_and(|s| s.kind == HolidayKind::Labour)
    );
    let comp = table.get(d(2028, 5, 2)).expect("compensation");
    assert_eq!(comp.kind, HolidayKind::Reunification);
}

#[test]
fn user_entries_replace_a_year_and_kind_and_extend_others() {
    let user = Holidays::parse(
        "mine.toml",
        r#"
[[day_off]]
kind = "tet"
from = 2025-01-27
to = 2025-01-31
name = "Tết (local schedule)"
source = "provincial decision"

[[day_off]]
kind = "other"
date = 2025-03-10
name = "Province founding day"
source = "provincial decision"
"#,
    )
    .expect("valid");
    let merged = Holidays::shipped().overridden_by(user);
    let table = DayTable::resolve(&merged);
    assert!(
        table.get(d(2025, 1, 25)).is_none(),
        "shipped Tết range replaced"
    );
    assert!(table.get(d(2025, 1, 27)).is_some());
    assert!(
        table
            .get(d(2025, 3, 10))
            .is_some_and(|s| s.kind == HolidayKind::Other)
    );
    assert!(table.get(d(2025, 4, 7)).is_some(), "other kinds kept");
}

#[test]
fn every_problem_is_reported_with_line_and_column() {
    let err = Holidays::parse(
        "bad.toml",
        r#"[[day_off]]
kind = "tet"
from = 2025-02-02
to = 2025-01-25
name = "x"
source = "y"

[[working_day]]
kind = "labour"
date = 2025-04-26T08:00:00
name = "x"
source = ""
"#,
    )
    .expect_err("invalid");
    let Error::Config(problems) = err else {
        panic!("expected config errors")
    };
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "bad.toml:4:6: to (2025-01-25) is before from (2025-02-02)",
            "bad.toml:10:8: expected a date such as 2025-04-30; got 2025-04-26T08:00:00",
            "bad.toml:12:10: source must say where the day comes from",
        ]
    );
}

#[test]
fn unknown_keys_and_kinds_are_errors_with_a_location() {
    let err = Holidays::parse("k.toml", "[[day_off]]\nkind = \"xmas\"\n").expect_err("bad kind");
    assert!(
        err.to_string()
            .starts_with("k.toml:2:8: unknown variant `xmas`"),
        "{err}"
    );
    let err = Holidays::parse("u.toml", "[[holiday]]\n").expect_err("bad key");
    assert!(
        err.to_string()
            .starts_with("u.toml:1:3: unknown field `holiday`"),
        "{err}"
    );
}

/// The weekdays in `from..=to` that pass `keep`.
fn weekdays(from: NaiveDate, to: NaiveDate, keep: impl Fn(NaiveDate) -> bool) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !is_weekend(*d) && keep(*d))
        .collect()
}

#[test]
fn forecasts_give_the_schedules_announced_for_years_the_data_does_not_hold() {
    // Years before the shipped data are forecast: each must give the weekdays off the
    // government announced (weekends are off anyway).
    let table = DayTable::resolve(&Holidays::default());
    let off_weekdays = |from, to| weekdays(from, to, |d| table.get(d).is_some_and(|s| s.off));
    let all = |from, to| weekdays(from, to, |_| true);
    // Tết 2021 (12 February): Wednesday 10 to Tuesday 16 February.
    assert_eq!(
        off_weekdays(d(2021, 2, 8), d(2021, 2, 19)),
        all(d(2021, 2, 10), d(2021, 2, 16))
    );
    // Tết 2023 (22 January, a Sunday): Friday 20 to Thursday 26 January.
    assert_eq!(
        off_weekdays(d(2023, 1, 16), d(2023, 1, 31)),
        all(d(2023, 1, 20), d(2023, 1, 26))
    );
    // National Day 2022 (2 September, a Friday): Thursday 1 and Friday 2 September.
    assert_eq!(
        off_weekdays(d(2022, 8, 29), d(2022, 9, 9)),
        vec![d(2022, 9, 1), d(2022, 9, 2)]
    );
    // National Day 2021 (a Thursday): Thursday 2 and Friday 3 September.
    assert_eq!(
        off_weekdays(d(2021, 8, 30), d(2021, 9, 10)),
        vec![d(2021, 9, 2), d(2021, 9, 3)]
    );
}

/// What a holiday period changes for an office: the weekdays it takes off and the days it
/// makes worked.
fn effect<'a>(days: impl Iterator<Item = &'a SpecialDay>) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
    let (mut off, mut worked) = (BTreeSet::new(), BTreeSet::new());
    for day in days {
        if !day.off {
            worked.insert(day.date);
        } else if !is_weekend(day.date) {
            off.insert(day.date);
        }
    }
    (off.into_iter().collect(), worked.into_iter().collect())
}

#[test]
fn the_shipped_data_holds_every_holiday_of_2021_to_2026() {
    let shipped = Holidays::shipped();
    for year in 2021..=2026 {
        for kind in HolidayKind::statutory_in(year) {
            assert!(
                shipped
                    .days()
                    .iter()
                    .any(|d| d.year == year && d.kind == kind && d.off),
                "{year} {kind}"
            );
        }
    }
}

#[test]
fn the_forecast_rule_gives_every_announced_period_but_the_swaps() {
    // Every announced (year, kind) is forecast again as if it had not been announced. Only a
    // swap (a weekday off traded for a worked Saturday, decided case by case) may differ.
    let shipped = Holidays::shipped();
    let (mut periods, mut misses) = (0, Vec::new());
    for year in 2021..=2026 {
        let kinds: Vec<HolidayKind> = HolidayKind::statutory_in(year).collect();
        let forecast = forecast(year, &kinds, BTreeSet::new());
        for kind in kinds {
            let announced = effect(
                shipped
                    .days()
                    .iter()
                    .filter(|d| d.year == year && d.kind == kind),
            );
            if announced == (vec![], vec![]) {
                continue;
            }
            periods += 1;
            if effect(forecast.iter().filter(|d| d.kind == kind)) != announced {
                misses.push((year, kind));
            }
        }
    }
    println!(
        "forecast hit rate: {} of {periods} announced holiday periods, 2021-2026",
        periods - misses.len()
    );
    assert_eq!(
        periods, 37,
        "six kinds a year for 2021-2025, seven for 2026"
    );
    assert_eq!(
        misses,
        [
            (2024, HolidayKind::Reunification),
            (2025, HolidayKind::Labour),
            (2026, HolidayKind::NewYear),
            (2026, HolidayKind::NationalDay),
        ],
        "only the swapped weekdays (30/4 2024, 1/5 2025, 1/1 and 2/9 2026) are unforeseeable"
    );
}

#[test]
fn years_before_the_labour_code_2012_are_not_forecast() {
    let table = DayTable::resolve(&Holidays::shipped());
    assert!(table.is_modelled(2013) && table.is_modelled(2027));
    assert!(!table.is_modelled(2012) && !table.is_modelled(1998));
    assert!(table.year(2012).is_empty());
    // Under the Labour Code 2012 National Day is one day: 2/9/2020 (a Wednesday) alone.
    assert!(table.get(d(2020, 9, 2)).is_some_and(|s| s.is_forecast()));
    assert!(table.get(d(2020, 9, 1)).is_none() && table.get(d(2020, 9, 3)).is_none());
    assert_eq!(forecast_law(2020), Some("Labour Code 2012 art. 115"));
    // A user's file makes an older year known.
    let user = Holidays::parse(
        "old.toml",
        "[[day_off]]\nkind = \"tet\"\nfrom = 2012-01-21\nto = 2012-01-26\nname = \"Tết\"\nsource = \"notice\"\n",
    )
    .expect("valid");
    let table = DayTable::resolve(&Holidays::shipped().overridden_by(user));
    assert!(table.is_modelled(2012));
    assert!(table.get(d(2012, 1, 23)).is_some_and(|s| s.off));
}
