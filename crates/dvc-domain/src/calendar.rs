//! The working calendar: which days are worked, and arithmetic in working time.
//!
//! All instants are Vietnam local wall-clock time (`NaiveDateTime`). Asia/Ho_Chi_Minh has been
//! UTC+7 with no daylight saving since 1975, so a fixed offset converts exactly; [`to_local`] and
//! [`from_local`] do it at the edges.
//!
//! Working time is measured along the office-hour intervals of working days:
//!
//! ```text
//!  Fri                         Sat  Sun   Mon
//!  07:00━━━━11:30   13:30━━━━17:00 ·    ·    07:00━━━━11:30   13:30━━━━17:00
//!            ▲ start 10:00                           ▲ start + 8 h = Mon 10:00
//! ```
//!
//! Intervals are closed for deadlines (a deadline may fall at 11:30 or 17:00) and half-open for
//! starting work (work that arrives at 17:00 starts at the next opening).

use crate::holidays::{DayTable, Holidays, SpecialDay};
use crate::office_hours::OfficeHours;
use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Weekday,
};
use std::fmt;
use std::sync::{Arc, OnceLock};

/// Seconds east of UTC of Asia/Ho_Chi_Minh.
pub const VIETNAM_OFFSET_SECONDS: i32 = 7 * 3600;

/// Longest run of days off the arithmetic walks through before it gives up looking for a
/// working day; only a calendar whose data marks a whole year off reaches it.
const MAX_DAYS_WITHOUT_WORK: u32 = 400;

/// The UTC+7 offset of Asia/Ho_Chi_Minh.
pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(VIETNAM_OFFSET_SECONDS).expect("invariant: +07:00 is a valid offset")
}

/// Vietnam local time of an instant given in any time zone.
pub fn to_local<Tz: TimeZone>(instant: &DateTime<Tz>) -> NaiveDateTime {
    instant.with_timezone(&vietnam_offset()).naive_local()
}

/// The instant of a Vietnam local time, with its +07:00 offset.
pub fn from_local(local: NaiveDateTime) -> DateTime<FixedOffset> {
    local
        .and_local_timezone(vietnam_offset())
        .single()
        .expect("invariant: a fixed offset maps every local time to one instant")
}

/// Why a day is or is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayStatus<'a> {
    /// Monday to Friday with nothing special: worked.
    Weekday,
    /// Saturday or Sunday: not worked.
    Weekend(Weekday),
    /// An official day off (announced or forecast).
    DayOff(&'a SpecialDay),
    /// A make-up working day, usually a Saturday swapped for a weekday next to a holiday.
    MakeUp(&'a SpecialDay),
}

impl DayStatus<'_> {
    /// True for a worked day.
    pub fn is_working(&self) -> bool {
        matches!(self, DayStatus::Weekday | DayStatus::MakeUp(_))
    }
}

impl fmt::Display for DayStatus<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let describe = |f: &mut fmt::Formatter<'_>, what: &str, day: &SpecialDay| {
            write!(f, "{what}: {} ({})", day.name, day.kind)?;
            match &day.source {
                Some(source) => write!(f, "; source: {source}"),
                None => write!(
                    f,
                    "; forecast from the {}, no announcement in the data",
                    crate::holidays::forecast_law(day.year).unwrap_or("law")
                ),
            }
        };
        match self {
            DayStatus::Weekday => f.write_str("weekday"),
            DayStatus::Weekend(Weekday::Sat) => f.write_str("weekend (Saturday)"),
            DayStatus::Weekend(_) => f.write_str("weekend (Sunday)"),
            DayStatus::DayOff(day) => describe(f, "day off", day),
            DayStatus::MakeUp(day) => describe(f, "make-up working day", day),
        }
    }
}

/// Working days and office hours of one installation.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    office: OfficeHours,
    days: Arc<DayTable>,
}

impl Default for WorkingCalendar {
    /// Default office hours and the shipped holidays (with forecasts).
    fn default() -> Self {
        static SHIPPED: OnceLock<Arc<DayTable>> = OnceLock::new();
        let days = SHIPPED.get_or_init(|| Arc::new(DayTable::resolve(&Holidays::shipped())));
        WorkingCalendar {
            office: OfficeHours::default(),
            days: Arc::clone(days),
        }
    }
}

impl WorkingCalendar {
    /// A calendar of `office` hours over `holidays` (forecast where they have no data).
    pub fn new(office: OfficeHours, holidays: &Holidays) -> Self {
        WorkingCalendar {
            office,
            days: Arc::new(DayTable::resolve(holidays)),
        }
    }

    /// The same days with other office hours.
    pub fn with_office_hours(mut self, office: OfficeHours) -> Self {
        self.office = office;
        self
    }

    /// The office hours.
    pub fn office_hours(&self) -> &OfficeHours {
        &self.office
    }

    /// One working day of deadline arithmetic (8 hours with default office hours).
    pub fn working_day_length(&self) -> TimeDelta {
        self.office.day_length()
    }

    /// True when `year`'s days off are known (see [`DayTable::is_modelled`]).
    pub fn is_modelled(&self, year: i32) -> bool {
        self.days.is_modelled(year)
    }

    /// The special days whose schedule year is `year` (announced or forecast), by date.
    pub fn special_days(&self, year: i32) -> Vec<&SpecialDay> {
        self.days.year(year)
    }

    /// Whether `date` is worked, and why.
    pub fn day(&self, date: NaiveDate) -> DayStatus<'_> {
        match self.days.get(date) {
            Some(special) if special.off => DayStatus::DayOff(special),
            Some(special) => DayStatus::MakeUp(special),
            None => match date.weekday() {
                day @ (Weekday::Sat | Weekday::Sun) => DayStatus::Weekend(day),
                _ => DayStatus::Weekday,
            },
        }
    }

    /// True when `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day(date).is_working()
    }

    /// True during office hours of a working day, at `at` (taken in Vietnam time).
    pub fn is_office_open<Tz: TimeZone>(&self, at: &DateTime<Tz>) -> bool {
        let local = to_local(at);
        self.is_working_day(local.date()) && self.office.contains(local.time())
    }

    /// The number of working days from `from` to `to`, both included (0 when `to < from`).
    pub fn working_days(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .fold(0, |n, _| n + 1)
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        for _ in 0..MAX_DAYS_WITHOUT_WORK {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                break;
            }
        }
        day
    }

    /// `date` itself when it is a working day, else the next working day.
    pub fn roll_forward(&self, date: NaiveDate) -> NaiveDate {
        if self.is_working_day(date) {
            date
        } else {
            self.next_working_day(date)
        }
    }

    /// The working day `n` working days after `date` (`n = 0`: `date` rolled forward).
    pub fn add_working_days_to_date(&self, date: NaiveDate, n: u32) -> NaiveDate {
        (0..n).fold(self.roll_forward(date), |d, _| self.next_working_day(d))
    }

    /// Close of office on `date`.
    pub fn closing_on(&self, date: NaiveDate) -> NaiveDateTime {
        date.and_time(self.office.closing())
    }

    /// Opening of office on `date`.
    pub fn opening_on(&self, date: NaiveDate) -> NaiveDateTime {
        date.and_time(self.office.opening())
    }

    /// Office intervals of `date` as instants, or none on a day off.
    fn intervals_on(
        &self,
        date: NaiveDate,
    ) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> + '_ {
        let working = self.is_working_day(date);
        self.office
            .intervals()
            .iter()
            .filter(move |_| working)
            .map(move |&(s, e)| (date.and_time(s), date.and_time(e)))
    }

    /// The first instant at or after `t` at which work can be done: `t` inside office hours,
    /// otherwise the next opening (work arriving at 17:00 starts next morning).
    pub fn next_opening(&self, t: NaiveDateTime) -> NaiveDateTime {
        let mut date = t.date();
        for _ in 0..MAX_DAYS_WITHOUT_WORK {
            if let Some((s, _)) = self.intervals_on(date).find(|&(_, e)| t < e) {
                return s.max(t);
            }
            date = self.next_working_day(date);
        }
        t
    }

    /// `start` plus `amount` of working time. A result may fall at the end of an interval
    /// (11:30, 17:00); zero (or negative) gives [`next_opening`](Self::next_opening).
    pub fn add_working_time(&self, start: NaiveDateTime, amount: TimeDelta) -> NaiveDateTime {
        if amount <= TimeDelta::zero() {
            return self.next_opening(start);
        }
        let mut remaining = amount;
        let mut date = start.date();
        for _ in 0..MAX_DAYS_WITHOUT_WORK * 1000 {
            for (s, e) in self.intervals_on(date) {
                if e <= start {
                    continue;
                }
                let from = s.max(start);
                let available = e - from;
                if remaining <= available {
                    return from + remaining;
                }
                remaining -= available;
            }
            date = self.next_working_day(date);
        }
        start + amount
    }

    /// Working time between `from` and `to` (zero when `to <= from`).
    pub fn working_time_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> TimeDelta {
        if to <= from {
            return TimeDelta::zero();
        }
        from.date()
            .iter_days()
            .take_while(|d| *d <= to.date())
            .flat_map(|d| self.intervals_on(d).collect::<Vec<_>>())
            .map(|(s, e)| (e.min(to) - s.max(from)).max(TimeDelta::zero()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
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
}
