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
use crate::portal_calendar::{CalendarSpec, Season};
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

/// One working day of deadline arithmetic unless a portal says otherwise: the portals' software
/// counts 8 hours whatever the length of the office day.
pub const DEFAULT_WORKING_DAY: TimeDelta = TimeDelta::hours(8);

/// Working days and office hours of one installation.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    office: OfficeHours,
    /// Office hours that replace `office` on some days of every year.
    seasons: Vec<Season>,
    /// Hours a desk takes dossiers on Saturdays that are not days off (not working time).
    saturday_intake: Option<OfficeHours>,
    day_length: TimeDelta,
    days: Arc<DayTable>,
    /// What `days` was resolved from, so a portal's own days off can be added.
    holidays: Arc<Holidays>,
}

impl Default for WorkingCalendar {
    /// Default office hours and the shipped holidays (with forecasts).
    fn default() -> Self {
        type Shipped = (Arc<Holidays>, Arc<DayTable>);
        static SHIPPED: OnceLock<Shipped> = OnceLock::new();
        let (holidays, days) = SHIPPED.get_or_init(|| {
            let holidays = Holidays::shipped();
            let days = DayTable::resolve(&holidays);
            (Arc::new(holidays), Arc::new(days))
        });
        WorkingCalendar {
            office: OfficeHours::default(),
            seasons: Vec::new(),
            saturday_intake: None,
            day_length: DEFAULT_WORKING_DAY,
            days: Arc::clone(days),
            holidays: Arc::clone(holidays),
        }
    }
}

impl WorkingCalendar {
    /// A calendar of `office` hours over `holidays` (forecast where they have no data).
    pub fn new(office: OfficeHours, holidays: &Holidays) -> Self {
        WorkingCalendar {
            office,
            seasons: Vec::new(),
            saturday_intake: None,
            day_length: DEFAULT_WORKING_DAY,
            days: Arc::new(DayTable::resolve(holidays)),
            holidays: Arc::new(holidays.clone()),
        }
    }

    /// The same days with other office hours (a working day still counts 8 hours).
    pub fn with_office_hours(mut self, office: OfficeHours) -> Self {
        self.office = office;
        self
    }

    /// This calendar with one portal's office laid over it: its hours, seasons, Saturday
    /// intake, working-day length and own days off; what `spec` leaves out is kept.
    pub fn with_spec(mut self, spec: &CalendarSpec) -> Self {
        if let Some(office) = &spec.office_hours {
            self.office = office.clone();
        }
        if !spec.seasons.is_empty() {
            self.seasons = spec.seasons.clone();
        }
        if let Some(saturday) = &spec.saturday_intake {
            self.saturday_intake = Some(saturday.clone());
        }
        if let Some(length) = spec.working_day {
            self.day_length = length;
        }
        if !spec.days_off.is_empty() {
            let holidays = (*self.holidays).clone().with_days(spec.days_off.clone());
            self.days = Arc::new(DayTable::resolve(&holidays));
            self.holidays = Arc::new(holidays);
        }
        self
    }

    /// The default office hours (a season may replace them on some days: [`Self::office_on`]).
    pub fn office_hours(&self) -> &OfficeHours {
        &self.office
    }

    /// The office hours on `date`: its season's, or the default.
    pub fn office_on(&self, date: NaiveDate) -> &OfficeHours {
        self.seasons
            .iter()
            .find(|s| s.contains(date))
            .map_or(&self.office, |s| &s.office_hours)
    }

    /// The hours a desk takes dossiers on Saturdays that are not days off, if it does.
    pub fn saturday_intake(&self) -> Option<&OfficeHours> {
        self.saturday_intake.as_ref()
    }

    /// One working day of deadline arithmetic: 8 hours unless the portal's calendar says.
    pub fn working_day_length(&self) -> TimeDelta {
        self.day_length
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

    /// True during office hours of a working day, or Saturday intake hours, at `at` (taken in
    /// Vietnam time).
    pub fn is_office_open<Tz: TimeZone>(&self, at: &DateTime<Tz>) -> bool {
        let local = to_local(at);
        let date = local.date();
        if self.is_working_day(date) {
            return self.office_on(date).contains(local.time());
        }
        matches!(self.day(date), DayStatus::Weekend(Weekday::Sat))
            && self
                .saturday_intake
                .as_ref()
                .is_some_and(|h| h.contains(local.time()))
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
        date.and_time(self.office_on(date).closing())
    }

    /// Opening of office on `date`.
    pub fn opening_on(&self, date: NaiveDate) -> NaiveDateTime {
        date.and_time(self.office_on(date).opening())
    }

    /// Office intervals of `date` as instants, or none on a day off.
    fn intervals_on(
        &self,
        date: NaiveDate,
    ) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> + '_ {
        let working = self.is_working_day(date);
        self.office_on(date)
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
mod tests;
