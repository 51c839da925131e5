//! Official days off and make-up working days: shipped data per year, user overrides, and a
//! forecast from the law for years not yet announced.
//!
//! Each year the government announces the exact days off for civil servants, often swapping a
//! weekday between a holiday and a weekend for a worked Saturday. Those announcements are data
//! (`data/holidays.toml`, embedded). For a year and holiday kind with no data, the days are
//! forecast from the law in force that year, as the government has applied it:
//!
//! - from 2021, the Labour Code 2019, art. 112: New Year 1/1; Tết, five days from two days before
//!   lunar New Year's Day to two after; the Hùng Kings on lunar 10/3; 30/4; 1/5; National Day 2/9
//!   with the adjacent day that joins the break to a weekend;
//! - 2013 to 2020, the Labour Code 2012, art. 115: the same, but National Day is 2/9 alone;
//! - before 2013 (four days of Tết under the Labour Code 1994, no Hùng Kings holiday before 2007,
//!   six-day weeks before October 1999) the rules are not modelled: nothing is forecast, and
//!   [`DayTable::is_modelled`] says so unless a holiday file gives that year's days.
//!
//! A holiday falling on a weekend is compensated on the next working day. A forecast is marked
//! so wherever it is shown, with the law it follows.

use crate::lunar::{self, LunarDate};
use crate::{Diagnostic, Error};
use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use toml::Spanned;
use toml::value::Datetime;

/// The shipped holiday data, embedded in the binary.
pub const SHIPPED_HOLIDAYS_TOML: &str = include_str!("../data/holidays.toml");

/// The statutory holidays (and `Other`, for local or ad-hoc days off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    NewYear,
    Tet,
    HungKings,
    Reunification,
    Labour,
    NationalDay,
    /// Vietnamese Culture Day, 24 November, a paid day off from 2026.
    CultureDay,
    Other,
}

impl HolidayKind {
    /// The kinds the law fixes, forecast when a year has no data for them.
    pub const STATUTORY: [HolidayKind; 7] = [
        HolidayKind::NewYear,
        HolidayKind::Tet,
        HolidayKind::HungKings,
        HolidayKind::Reunification,
        HolidayKind::Labour,
        HolidayKind::NationalDay,
        HolidayKind::CultureDay,
    ];

    /// The first year Vietnamese Culture Day is a day off (Resolution 28/2026/QH16, in force
    /// from 1 July 2026).
    pub const FIRST_CULTURE_DAY: i32 = 2026;

    /// The statutory kinds that exist in `year`.
    pub fn statutory_in(year: i32) -> impl Iterator<Item = HolidayKind> {
        Self::STATUTORY
            .into_iter()
            .filter(move |k| *k != HolidayKind::CultureDay || year >= Self::FIRST_CULTURE_DAY)
    }

    /// True when a day of this kind on a weekend is made up on the next working day: the
    /// holidays of Labour Code 2019 art. 112(1), to which art. 111(3) applies. Culture Day is
    /// given by a resolution outside that article, so it is not made up.
    fn compensated(self) -> bool {
        !matches!(self, HolidayKind::CultureDay | HolidayKind::Other)
    }

    /// The identifier used in `holidays.toml` and in script-friendly output.
    pub fn as_str(self) -> &'static str {
        match self {
            HolidayKind::NewYear => "new_year",
            HolidayKind::Tet => "tet",
            HolidayKind::HungKings => "hung_kings",
            HolidayKind::Reunification => "reunification",
            HolidayKind::Labour => "labour",
            HolidayKind::NationalDay => "national_day",
            HolidayKind::CultureDay => "culture_day",
            HolidayKind::Other => "other",
        }
    }

    /// The Vietnamese name used for forecast days.
    pub fn name_vi(self) -> &'static str {
        match self {
            HolidayKind::NewYear => "Tết Dương lịch",
            HolidayKind::Tet => "Tết Nguyên Đán",
            HolidayKind::HungKings => "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
            HolidayKind::Reunification => "Ngày Chiến thắng 30/4",
            HolidayKind::Labour => "Ngày Quốc tế Lao động 1/5",
            HolidayKind::NationalDay => "Quốc khánh 2/9",
            HolidayKind::CultureDay => "Ngày Văn hóa Việt Nam 24/11",
            HolidayKind::Other => "Ngày nghỉ khác",
        }
    }
}

impl fmt::Display for HolidayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One special day: a day off or a make-up working day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub date: NaiveDate,
    /// The year whose schedule the day belongs to.
    pub year: i32,
    pub kind: HolidayKind,
    /// True for a day off, false for a make-up working day.
    pub off: bool,
    pub name: String,
    /// Where the day comes from; `None` when forecast from the law.
    pub source: Option<String>,
}

impl SpecialDay {
    /// True when the day is forecast rather than announced.
    pub fn is_forecast(&self) -> bool {
        self.source.is_none()
    }
}

/// Announced days off and make-up working days, as read from holiday files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    days: Vec<SpecialDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFile {
    #[serde(default)]
    day_off: Vec<Spanned<DayOffConfig>>,
    #[serde(default)]
    working_day: Vec<Spanned<WorkingDayConfig>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DayOffConfig {
    kind: HolidayKind,
    /// The schedule year; by default the year of the last day.
    year: Option<i32>,
    date: Option<Spanned<Datetime>>,
    from: Option<Spanned<Datetime>>,
    to: Option<Spanned<Datetime>>,
    name: String,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkingDayConfig {
    kind: HolidayKind,
    year: Option<i32>,
    date: Spanned<Datetime>,
    name: String,
    source: Spanned<String>,
}

/// The first year whose days off are forecast; earlier years follow rules not modelled.
pub const FIRST_MODELLED_YEAR: i32 = 2013;

/// The law a forecast of `year`'s days off follows, or `None` when its rules are not modelled.
pub fn forecast_law(year: i32) -> Option<&'static str> {
    match year {
        2021.. => Some("Labour Code 2019 art. 112"),
        FIRST_MODELLED_YEAR..=2020 => Some("Labour Code 2012 art. 115"),
        _ => None,
    }
}

/// Longest range one `[[day_off]]` entry may span; longer is almost certainly a typo.
const MAX_RANGE_DAYS: i64 = 31;

impl Holidays {
    /// The shipped data (`data/holidays.toml`).
    pub fn shipped() -> Holidays {
        Holidays::parse("holidays.toml (built in)", SHIPPED_HOLIDAYS_TOML)
            .expect("invariant: the shipped holiday file is valid (checked by a test)")
    }

    /// Parses a holiday file; `path` only names it in diagnostics. Reports every problem found.
    pub fn parse(path: &str, source: &str) -> Result<Holidays, Error> {
        let file: HolidayFile = toml::from_str(source)
            .map_err(|e| Error::Config(vec![Diagnostic::from_toml(path, source, &e)]))?;
        let mut problems = Vec::new();
        let mut at = |offset: usize, message: String| {
            problems.push(Diagnostic::at(path, source, offset, message));
        };
        let mut days = Vec::new();
        for entry in &file.day_off {
            let start = entry.span().start;
            let e = entry.get_ref();
            if e.source.get_ref().trim().is_empty() {
                at(
                    e.source.span().start,
                    "source must say where the day comes from".into(),
                );
            }
            let (first, last) = match (&e.date, &e.from, &e.to) {
                (Some(date), None, None) => match local_date(date) {
                    Ok(d) => (d, d),
                    Err(m) => {
                        at(date.span().start, m);
                        continue;
                    }
                },
                (None, Some(from), Some(to)) => match (local_date(from), local_date(to)) {
                    (Ok(f), Ok(t)) if f <= t && (t - f).num_days() < MAX_RANGE_DAYS => (f, t),
                    (Ok(f), Ok(t)) if f > t => {
                        at(to.span().start, format!("to ({t}) is before from ({f})"));
                        continue;
                    }
                    (Ok(_), Ok(_)) => {
                        at(
                            to.span().start,
                            format!("a range spans at most {MAX_RANGE_DAYS} days"),
                        );
                        continue;
                    }
                    (Err(m), _) => {
                        at(from.span().start, m);
                        continue;
                    }
                    (_, Err(m)) => {
                        at(to.span().start, m);
                        continue;
                    }
                },
                _ => {
                    at(
                        start,
                        "a day_off needs either date = YYYY-MM-DD, or both from and to".into(),
                    );
                    continue;
                }
            };
            let year = e.year.unwrap_or(last.year());
            let mut day = first;
            while day <= last {
                days.push(SpecialDay {
                    date: day,
                    year,
                    kind: e.kind,
                    off: true,
                    name: e.name.clone(),
                    source: Some(e.source.get_ref().clone()),
                });
                day += TimeDelta::days(1);
            }
        }
        for entry in &file.working_day {
            let e = entry.get_ref();
            if e.source.get_ref().trim().is_empty() {
                at(
                    e.source.span().start,
                    "source must say where the day comes from".into(),
                );
            }
            match local_date(&e.date) {
                Ok(date) => days.push(SpecialDay {
                    date,
                    year: e.year.unwrap_or(date.year()),
                    kind: e.kind,
                    off: false,
                    name: e.name.clone(),
                    source: Some(e.source.get_ref().clone()),
                }),
                Err(m) => at(e.date.span().start, m),
            }
        }
        problems.sort_by_key(|d| (d.line, d.column));
        if problems.is_empty() {
            Ok(Holidays { days })
        } else {
            Err(Error::Config(problems))
        }
    }

    /// These holidays with `user`'s entries applied: for each (year, kind) that `user` has
    /// entries for, `user`'s entries replace ours; other years and kinds are added.
    pub fn overridden_by(self, user: Holidays) -> Holidays {
        let replaced: BTreeSet<(i32, HolidayKind)> =
            user.days.iter().map(|d| (d.year, d.kind)).collect();
        let mut days: Vec<SpecialDay> = self
            .days
            .into_iter()
            .filter(|d| !replaced.contains(&(d.year, d.kind)))
            .collect();
        days.extend(user.days);
        Holidays { days }
    }

    /// These holidays with `days` added (a portal's own days off): nothing is replaced.
    pub fn with_days(mut self, days: impl IntoIterator<Item = SpecialDay>) -> Holidays {
        self.days.extend(days);
        self
    }

    /// Every announced day, in file order.
    pub fn days(&self) -> &[SpecialDay] {
        &self.days
    }
}

fn local_date(value: &Spanned<Datetime>) -> Result<NaiveDate, String> {
    let dt = value.get_ref();
    match (dt.date, dt.time, dt.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(|| format!("{dt} is not a valid date"))
        }
        _ => Err(format!("expected a date such as 2025-04-30; got {dt}")),
    }
}

/// The resolved special days of every year: announced where there is data, forecast elsewhere.
#[derive(Debug, Clone, Default)]
pub struct DayTable {
    by_date: HashMap<NaiveDate, SpecialDay>,
    /// Years with at least one announced day (from the shipped data or a user's file).
    announced_years: BTreeSet<i32>,
}

impl DayTable {
    /// Resolves `holidays` over the years the lunar calendar supports.
    pub fn resolve(holidays: &Holidays) -> DayTable {
        let mut by_year: HashMap<i32, Vec<&SpecialDay>> = HashMap::new();
        for day in holidays.days() {
            by_year.entry(day.year).or_default().push(day);
        }
        let mut table = DayTable {
            announced_years: by_year.keys().copied().collect(),
            ..DayTable::default()
        };
        // Years outside the modelled range keep whatever data they have, with no forecast.
        for (year, days) in &by_year {
            if !lunar::SUPPORTED_YEARS.contains(year) || forecast_law(*year).is_none() {
                table.insert_all(days.iter().map(|d| (*d).clone()));
            }
        }
        for year in lunar::SUPPORTED_YEARS.filter(|y| forecast_law(*y).is_some()) {
            let announced = by_year.get(&year).map(Vec::as_slice).unwrap_or_default();
            let covered: BTreeSet<HolidayKind> = announced.iter().map(|d| d.kind).collect();
            let missing: Vec<HolidayKind> = HolidayKind::statutory_in(year)
                .filter(|k| !covered.contains(k))
                .collect();
            let taken: BTreeSet<NaiveDate> =
                announced.iter().filter(|d| d.off).map(|d| d.date).collect();
            table.insert_all(forecast(year, &missing, taken));
            table.insert_all(announced.iter().map(|d| (*d).clone()));
        }
        table
    }

    fn insert_all(&mut self, days: impl IntoIterator<Item = SpecialDay>) {
        // Days off first, so that a make-up working day on the same date wins.
        let mut days: Vec<SpecialDay> = days.into_iter().collect();
        days.sort_by_key(|d| !d.off);
        for day in days {
            self.by_date.insert(day.date, day);
        }
    }

    /// True when `year`'s days off are known: forecast by a modelled law, or given as data.
    pub fn is_modelled(&self, year: i32) -> bool {
        (forecast_law(year).is_some() && lunar::SUPPORTED_YEARS.contains(&year))
            || self.announced_years.contains(&year)
    }

    /// The special day at `date`, if any.
    pub fn get(&self, date: NaiveDate) -> Option<&SpecialDay> {
        self.by_date.get(&date)
    }

    /// The special days whose schedule year is `year`, by date.
    pub fn year(&self, year: i32) -> Vec<&SpecialDay> {
        let mut days: Vec<&SpecialDay> = self.by_date.values().filter(|d| d.year == year).collect();
        days.sort_by_key(|d| d.date);
        days
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The statutory days of `kind` in `year`, before compensation.
fn statutory_days(year: i32, kind: HolidayKind) -> Vec<NaiveDate> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let lunar = |month, day| {
        lunar::from_lunar(LunarDate {
            year,
            month,
            day,
            leap: false,
        })
    };
    let days = match kind {
        HolidayKind::NewYear => vec![ymd(1, 1)],
        // Five days, two before lunar New Year's Day and two after, as every schedule from
        // 2021 to 2026 gave them (the law's "last day of the year and four of the new one"
        // would be a day late in 2021, 2023, 2024 and 2025).
        HolidayKind::Tet => match lunar::tet(year) {
            Some(tet) => (-2..=2).map(|i| Some(tet + TimeDelta::days(i))).collect(),
            None => vec![],
        },
        HolidayKind::HungKings => vec![lunar(3, 10)],
        HolidayKind::Reunification => vec![ymd(4, 30)],
        HolidayKind::Labour => vec![ymd(5, 1)],
        // One day under the Labour Code 2012.
        HolidayKind::NationalDay if year < 2021 => vec![ymd(9, 2)],
        // 2/9 and the adjacent day the schedules chose: 1/9 when 2/9 is a Tuesday, a Wednesday,
        // a Friday or a Saturday (as in 2025, 2026, 2022 and 2023), otherwise 3/9 (as in 2024
        // and 2021).
        HolidayKind::NationalDay => {
            let adjacent = match ymd(9, 2).map(|d| d.weekday()) {
                Some(Weekday::Tue | Weekday::Wed | Weekday::Fri | Weekday::Sat) => ymd(9, 1),
                _ => ymd(9, 3),
            };
            vec![ymd(9, 2), adjacent]
        }
        HolidayKind::CultureDay if year >= HolidayKind::FIRST_CULTURE_DAY => vec![ymd(11, 24)],
        HolidayKind::CultureDay | HolidayKind::Other => vec![],
    };
    days.into_iter().flatten().collect()
}

/// Forecasts the days off of `kinds` in `year`, compensating weekend holidays on the next
/// weekday that is not already a day off (`taken` holds the announced days off).
fn forecast(year: i32, kinds: &[HolidayKind], mut taken: BTreeSet<NaiveDate>) -> Vec<SpecialDay> {
    let statutory: Vec<(HolidayKind, Vec<NaiveDate>)> = kinds
        .iter()
        .map(|&k| (k, statutory_days(year, k)))
        .collect();
    taken.extend(statutory.iter().flat_map(|(_, days)| days.iter().copied()));
    let mut out = Vec::new();
    for (kind, days) in statutory {
        for &date in &days {
            out.push(forecast_day(date, year, kind, kind.name_vi().to_owned()));
            if is_weekend(date) && kind.compensated() {
                let mut comp = date + TimeDelta::days(1);
                while is_weekend(comp) || taken.contains(&comp) {
                    comp += TimeDelta::days(1);
                }
                taken.insert(comp);
                let name = format!("Nghỉ bù {}", kind.name_vi());
                out.push(forecast_day(comp, year, kind, name));
            }
        }
    }
    out
}

fn forecast_day(date: NaiveDate, year: i32, kind: HolidayKind, name: String) -> SpecialDay {
    SpecialDay {
        date,
        year,
        kind,
        off: true,
        name,
        source: None,
    }
}

#[cfg(test)]
mod tests;
