fn utc(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .with_timezone(&chrono::Utc)
}

#[test]
fn offices_are_open_in_office_hours_of_working_days() {
    let cal = WorkingCalendar::default();
    assert!(
        cal.is_office_open(&utc("2025-04-14T09:00:00+07:00")),
        "a Monday morning"
    );
    assert!(
        !cal.is_office_open(&utc("2025-04-14T12:00:00+07:00")),
        "lunch break"
    );
    assert!(
        !cal.is_office_open(&utc("2025-04-14T18:00:00+07:00")),
        "evening"
    );
    assert!(
        !cal.is_office_open(&utc("2025-04-12T09:00:00+07:00")),
        "a Saturday"
    );
    assert!(
        !cal.is_office_open(&utc("2025-04-07T09:00:00+07:00")),
        "Hùng Kings' day"
    );
    assert!(
        cal.is_office_open(&utc("2025-04-14T02:00:00Z")),
        "09:00 in Vietnam"
    );
}

use super::*;
use chrono::NaiveTime;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
    d(y, m, day)
        .and_hms_opt(h, min, 0)
        .expect("valid test time")
}

#[test]
fn april_2025_has_21_working_days() {
    // 22 weekdays, less Hùng Kings (Mon 7) and 30/4 (Wed), plus make-up Saturday 26.
    let cal = WorkingCalendar::default();
    assert_eq!(cal.working_days(d(2025, 4, 1), d(2025, 4, 30)), 21);
}

#[test]
fn make_up_saturdays_are_working_days() {
    let cal = WorkingCalendar::default();
    for day in [d(2024, 5, 4), d(2025, 4, 26)] {
        assert!(matches!(cal.day(day), DayStatus::MakeUp(_)), "{day}");
        assert!(cal.is_working_day(day));
    }
    // and the weekdays they were swapped for are days off
    assert!(!cal.is_working_day(d(2024, 4, 29)));
    assert!(!cal.is_working_day(d(2025, 5, 2)));
}

#[test]
fn friday_afternoon_plus_a_working_day_is_monday_afternoon() {
    let cal = WorkingCalendar::default();
    let due = cal.add_working_time(at(2025, 3, 14, 16, 0), TimeDelta::hours(8));
    assert_eq!(due, at(2025, 3, 17, 16, 0));
}

#[test]
fn arrivals_outside_hours_start_at_the_next_opening() {
    let cal = WorkingCalendar::default();
    assert_eq!(
        cal.next_opening(at(2025, 3, 14, 12, 0)),
        at(2025, 3, 14, 13, 30)
    );
    assert_eq!(
        cal.next_opening(at(2025, 3, 14, 17, 0)),
        at(2025, 3, 17, 7, 0)
    );
    assert_eq!(
        cal.next_opening(at(2025, 3, 14, 9, 15)),
        at(2025, 3, 14, 9, 15)
    );
    // Before Tết 2025: the next opening after Fri 24 Jan is Mon 3 Feb.
    assert_eq!(
        cal.next_opening(at(2025, 1, 24, 17, 5)),
        at(2025, 2, 3, 7, 0)
    );
    // A deadline may land on the end of a session.
    let due = cal.add_working_time(at(2025, 3, 14, 10, 30), TimeDelta::hours(1));
    assert_eq!(due, at(2025, 3, 14, 11, 30));
}

#[test]
fn working_time_across_a_holiday_counts_only_office_hours() {
    let cal = WorkingCalendar::default();
    // Tue 29 Apr 2025 16:00 → Mon 5 May 2025 08:00: 1 h + 1 h (30/4 – 4/5 off).
    let worked = cal.working_time_between(at(2025, 4, 29, 16, 0), at(2025, 5, 5, 8, 0));
    assert_eq!(worked, TimeDelta::hours(2));
}

/// Counts working minutes one by one: slow, obviously right.
fn naive_working_minutes(cal: &WorkingCalendar, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    let mut t = from;
    let mut minutes = 0;
    while t < to {
        let in_office = cal.office_hours().intervals().iter().any(|&(s, e)| {
            let time = t.time();
            s <= time && time < e
        });
        if in_office && cal.is_working_day(t.date()) {
            minutes += 1;
        }
        t += TimeDelta::minutes(1);
    }
    minutes
}

fn instant() -> impl Strategy<Value = NaiveDateTime> {
    // Any minute from 2023 to 2027, days off and nights included.
    (0i64..5 * 366 * 24 * 60).prop_map(|m| at(2023, 1, 1, 0, 0) + TimeDelta::minutes(m))
}

proptest! {
    #[test]
    fn adding_n_working_minutes_then_measuring_gives_n(
        start in instant(), minutes in 0i64..20 * 8 * 60,
    ) {
        let cal = WorkingCalendar::default();
        let amount = TimeDelta::minutes(minutes);
        let end = cal.add_working_time(start, amount);
        prop_assert_eq!(cal.working_time_between(start, end), amount);
    }

    #[test]
    fn results_are_monotonic_in_n(start in instant(), a in 0i64..5000, b in 0i64..5000) {
        let cal = WorkingCalendar::default();
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(
            cal.add_working_time(start, TimeDelta::minutes(lo))
                <= cal.add_working_time(start, TimeDelta::minutes(hi))
        );
    }

    #[test]
    fn results_never_fall_on_a_day_off_or_outside_office_hours(
        start in instant(), minutes in 0i64..30 * 8 * 60,
    ) {
        let cal = WorkingCalendar::default();
        let end = cal.add_working_time(start, TimeDelta::minutes(minutes));
        prop_assert!(cal.is_working_day(end.date()), "{}", end);
        prop_assert!(cal.office_hours().contains(end.time()), "{}", end);
    }

    #[test]
    fn working_time_adds_up(a in instant(), b in instant(), c in instant()) {
        let mut v = [a, b, c];
        v.sort();
        let cal = WorkingCalendar::default();
        prop_assert_eq!(
            cal.working_time_between(v[0], v[1]) + cal.working_time_between(v[1], v[2]),
            cal.working_time_between(v[0], v[2])
        );
    }

    #[test]
    fn working_time_equals_a_minute_by_minute_count(
        from in instant(), span in 0i64..4 * 24 * 60,
        odd_hours in proptest::bool::ANY,
    ) {
        let mut cal = WorkingCalendar::default();
        if odd_hours {
            let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid");
            let office = OfficeHours::new(vec![(t(7, 30), t(11, 45)), (t(13, 0), t(16, 15))])
                .expect("valid");
            cal = cal.with_office_hours(office);
        }
        let to = from + TimeDelta::minutes(span);
        prop_assert_eq!(
            cal.working_time_between(from, to).num_minutes(),
            naive_working_minutes(&cal, from, to)
        );
    }
}
