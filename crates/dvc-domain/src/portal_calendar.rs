//! One portal's own calendar: how its one-stop office works, over the national days off.
//!
//! Provinces differ: 07:00–11:30/13:30–17:00, 07:30–11:30/13:00–17:00, summer and winter hours,
//! a desk open on Saturday mornings, a province's own founding day off. The portals' software
//! counts a working day as a fixed 8 hours whatever the office day's length. A
//! [`CalendarSpec`] says all of that for one target, one scenario or one simulated province, and
//! [`WorkingCalendar::with_spec`](crate::calendar::WorkingCalendar::with_spec) lays it over the
//! national calendar:
//!
//! ```toml
//! office_hours = "07:30-11:30,13:00-17:00"
//! saturday_intake = "07:30-11:30"   # dossiers received; not working time for deadlines
//! working_day_hours = 8             # one working day of a deadline (the default)
//!
//! [[season]]                        # summer hours; from > to wraps the year end
//! from = "05-01"
//! to = "09-30"
//! office_hours = "07:00-11:00,13:30-17:30"
//!
//! [[day_off]]                       # the province's own days off, added to the national ones
//! date = 2026-10-12                 # or from = … and to = …
//! name = "Ngày giải phóng Thủ đô"
//! source = "Quyết định của UBND tỉnh"
//! ```

use crate::holidays::{HolidayKind, SpecialDay};
use crate::office_hours::OfficeHours;
use chrono::{Datelike, NaiveDate, TimeDelta};
use serde::Deserialize;
use toml::value::Datetime;

/// Longest working day a deadline may count, in hours.
const MAX_WORKING_DAY_HOURS: f64 = 24.0;
/// Longest range of one local `[[day_off]]`.
const MAX_LOCAL_RANGE_DAYS: i64 = 31;

/// A portal's office, validated (see the module docs for the TOML).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "SpecFile")]
pub struct CalendarSpec {
    /// Office hours of a working day, when not the calendar's default.
    pub office_hours: Option<OfficeHours>,
    /// Hours a reception desk takes dossiers on Saturdays that are not days off. They are not
    /// working time: deadlines count working days only.
    pub saturday_intake: Option<OfficeHours>,
    /// One working day of deadline arithmetic, when not 8 hours.
    pub working_day: Option<TimeDelta>,
    /// Office hours that replace the default between two days of every year.
    pub seasons: Vec<Season>,
    /// The portal's own days off, added to the national ones (kind `other`).
    pub days_off: Vec<SpecialDay>,
}

/// Office hours of part of every year, `from` to `to` inclusive as (month, day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Season {
    pub from: (u32, u32),
    pub to: (u32, u32),
    pub office_hours: OfficeHours,
}

impl Season {
    /// True when `date` falls in the season (a season with `from` after `to` wraps the year).
    pub fn contains(&self, date: NaiveDate) -> bool {
        let day = (date.month(), date.day());
        if self.from <= self.to {
            self.from <= day && day <= self.to
        } else {
            day >= self.from || day <= self.to
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    office_hours: Option<String>,
    saturday_intake: Option<String>,
    working_day_hours: Option<f64>,
    #[serde(default)]
    season: Vec<SeasonFile>,
    #[serde(default)]
    day_off: Vec<DayOffFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeasonFile {
    from: String,
    to: String,
    office_hours: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DayOffFile {
    date: Option<Datetime>,
    from: Option<Datetime>,
    to: Option<Datetime>,
    name: String,
    source: String,
}

impl TryFrom<SpecFile> for CalendarSpec {
    type Error = String;

    fn try_from(file: SpecFile) -> Result<Self, String> {
        let hours = |what: &str, text: &str| {
            text.parse::<OfficeHours>()
                .map_err(|e| format!("{what}: {e}"))
        };
        let office_hours = file
            .office_hours
            .as_deref()
            .map(|t| hours("office_hours", t))
            .transpose()?;
        let saturday_intake = file
            .saturday_intake
            .as_deref()
            .map(|t| hours("saturday_intake", t))
            .transpose()?;
        let working_day = match file.working_day_hours {
            None => None,
            Some(h) if h.is_finite() && h > 0.0 && h <= MAX_WORKING_DAY_HOURS => {
                Some(TimeDelta::milliseconds((h * 3_600_000.0).round() as i64))
            }
            Some(h) => {
                return Err(format!(
                    "working_day_hours must be more than 0 and at most {MAX_WORKING_DAY_HOURS}; got {h}"
                ));
            }
        };
        let mut seasons = Vec::new();
        for s in &file.season {
            seasons.push(Season {
                from: month_day("season from", &s.from)?,
                to: month_day("season to", &s.to)?,
                office_hours: hours("season office_hours", &s.office_hours)?,
            });
        }
        for (i, a) in seasons.iter().enumerate() {
            for b in &seasons[i + 1..] {
                if overlaps(a, b) {
                    return Err(format!(
                        "seasons {:02}-{:02}..{:02}-{:02} and {:02}-{:02}..{:02}-{:02} overlap",
                        a.from.0, a.from.1, a.to.0, a.to.1, b.from.0, b.from.1, b.to.0, b.to.1
                    ));
                }
            }
        }
        let mut days_off = Vec::new();
        for d in &file.day_off {
            if d.source.trim().is_empty() {
                return Err(format!(
                    "day_off {:?}: source must say where the day comes from",
                    d.name
                ));
            }
            let (first, last) = match (&d.date, &d.from, &d.to) {
                (Some(date), None, None) => {
                    let day = date_of(date)?;
                    (day, day)
                }
                (None, Some(from), Some(to)) => (date_of(from)?, date_of(to)?),
                _ => {
                    return Err(format!(
                        "day_off {:?} needs either date = YYYY-MM-DD, or both from and to",
                        d.name
                    ));
                }
            };
            if last < first || (last - first).num_days() >= MAX_LOCAL_RANGE_DAYS {
                return Err(format!(
                    "day_off {:?}: from {first} to {last} is not a range of 1 to {MAX_LOCAL_RANGE_DAYS} days",
                    d.name
                ));
            }
            for date in first.iter_days().take_while(|day| *day <= last) {
                days_off.push(SpecialDay {
                    date,
                    year: last.year(),
                    kind: HolidayKind::Other,
                    off: true,
                    name: d.name.clone(),
                    source: Some(d.source.clone()),
                });
            }
        }
        Ok(CalendarSpec {
            office_hours,
            saturday_intake,
            working_day,
            seasons,
            days_off,
        })
    }
}

/// True when two seasons share a day (checked on a leap year, day by day).
fn overlaps(a: &Season, b: &Season) -> bool {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .into_iter()
        .flat_map(|d| d.iter_days().take(366))
        .any(|d| a.contains(d) && b.contains(d))
}

fn month_day(what: &str, text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{what} must be a day of the year MM-DD, e.g. \"05-01\"; got {text:?}");
    let (m, d) = text.trim().split_once('-').ok_or_else(bad)?;
    let (m, d): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    // 2024 is a leap year, so 02-29 is a valid season bound.
    NaiveDate::from_ymd_opt(2024, m, d).ok_or_else(bad)?;
    Ok((m, d))
}

fn date_of(value: &Datetime) -> Result<NaiveDate, String> {
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(|| format!("{value} is not a valid date"))
        }
        _ => Err(format!("expected a date such as 2026-10-12; got {value}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingCalendar;
    use chrono::NaiveDateTime;

    fn spec(text: &str) -> Result<CalendarSpec, String> {
        toml::from_str(text).map_err(|e| e.message().to_owned())
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("test time")
    }

    #[test]
    fn a_provinces_office_hours_change_a_due_date() {
        // Received Monday 9 March 2026 at 07:10. National hours (07:00–11:30, 13:30–17:00):
        // 4 h 20 min in the morning, 3 h 30 min in the afternoon, the last 10 minutes on Tuesday.
        let national = WorkingCalendar::default();
        let received = at("2026-03-09 07:10");
        assert_eq!(national.acceptance_due(received), at("2026-03-10 07:10"));
        // A province open 07:00–11:30 and 13:00–17:00 (8.5 h a day) still counts 8 h a day:
        // the afternoon's 3 h 40 min end at 16:40.
        let province = national
            .clone()
            .with_spec(&spec("office_hours = \"07:00-11:30,13:00-17:00\"").expect("valid"));
        assert_eq!(province.acceptance_due(received), at("2026-03-09 16:40"));
        // Counting its whole office day instead moves the deadline to Tuesday.
        let long_day = national.with_spec(
            &spec("office_hours = \"07:00-11:30,13:00-17:00\"\nworking_day_hours = 8.5")
                .expect("valid"),
        );
        assert_eq!(long_day.acceptance_due(received), at("2026-03-10 07:10"));
    }

    #[test]
    fn seasons_replace_the_hours_between_their_days_and_may_wrap_the_year() {
        let cal = WorkingCalendar::default().with_spec(
            &spec(
                "[[season]]\nfrom = \"05-01\"\nto = \"09-30\"\noffice_hours = \"07:00-11:00,13:30-17:30\"\n\
                 [[season]]\nfrom = \"11-01\"\nto = \"02-28\"\noffice_hours = \"07:30-11:30,13:00-17:00\"\n",
            )
            .expect("valid"),
        );
        let open = |t: &str| cal.is_office_open(&crate::calendar::from_local(at(t)));
        assert!(open("2026-06-02 17:15"), "summer afternoon runs to 17:30");
        assert!(!open("2026-06-02 11:15"), "summer morning ends at 11:00");
        assert!(open("2026-04-07 11:15"), "default hours in April");
        assert!(!open("2026-12-01 07:10"), "winter opens at 07:30");
        assert!(
            !open("2027-01-05 07:10"),
            "the winter season wraps the year"
        );
        assert!(open("2027-01-05 07:40"));
    }

    #[test]
    fn saturday_intake_opens_the_desk_but_deadlines_count_working_days_only() {
        let cal = WorkingCalendar::default()
            .with_spec(&spec("saturday_intake = \"07:30-11:30\"").expect("valid"));
        let open = |t: &str| cal.is_office_open(&crate::calendar::from_local(at(t)));
        assert!(open("2026-03-14 08:00"), "a Saturday morning");
        assert!(!open("2026-03-14 14:00"), "not the afternoon");
        assert!(!open("2026-02-14 08:00"), "not a Saturday of Tết");
        // A dossier received Saturday morning: its working day starts at Monday's opening.
        assert_eq!(
            cal.acceptance_due(at("2026-03-14 08:00")),
            at("2026-03-16 17:00")
        );
    }

    #[test]
    fn local_days_off_add_to_the_national_ones() {
        let cal = WorkingCalendar::default().with_spec(
            &spec("[[day_off]]\ndate = 2026-10-13\nname = \"Ngày nghỉ của tỉnh\"\nsource = \"UBND tỉnh\"\n")
                .expect("valid"),
        );
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        assert!(!cal.is_working_day(day(10, 13)), "the province's day off");
        assert!(cal.is_working_day(day(10, 12)) && cal.is_working_day(day(10, 14)));
        assert!(!cal.is_working_day(day(2, 17)), "Tết stays off");
        assert!(WorkingCalendar::default().is_working_day(day(10, 13)));
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (text, reason) in [
            ("office_hours = \"8-17\"", "office_hours"),
            ("working_day_hours = 0", "working_day_hours"),
            ("working_day_hours = 30", "working_day_hours"),
            (
                "[[season]]\nfrom = \"13-01\"\nto = \"01-01\"\noffice_hours = \"07:00-11:00\"",
                "MM-DD",
            ),
            (
                "[[season]]\nfrom = \"05-01\"\nto = \"09-30\"\noffice_hours = \"07:00-11:00\"\n\
                 [[season]]\nfrom = \"09-01\"\nto = \"10-30\"\noffice_hours = \"07:00-11:00\"",
                "overlap",
            ),
            (
                "[[day_off]]\ndate = 2026-10-10\nname = \"x\"\nsource = \" \"",
                "source",
            ),
            ("[[day_off]]\nname = \"x\"\nsource = \"y\"", "either date"),
            (
                "[[day_off]]\nfrom = 2026-10-10\nto = 2026-10-01\nname = \"x\"\nsource = \"y\"",
                "range",
            ),
            ("sunday = true", "unknown field"),
        ] {
            let err = spec(text).expect_err(text);
            assert!(err.contains(reason), "{text}: {err}");
        }
    }
}
