//! `dvcbench calendar`: the working calendar from the command line, plain and script-friendly.

use crate::Failure;
use crate::cli::{CalendarArgs, CalendarCommand, DueArgs};
use anyhow::{Context, anyhow};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeDelta};
use dvc_domain::calendar::{self, WorkingCalendar};
use dvc_domain::deadline::{DeadlineRule, ProcessingTime};
use dvc_domain::holidays::{FIRST_MODELLED_YEAR, Holidays, forecast_law};
use dvc_domain::lunar;
use dvc_domain::office_hours::OfficeHours;
use std::io::Write;
use std::path::Path;

/// Runs a calendar subcommand.
pub fn run(args: CalendarArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let cal = build_calendar(args.holidays.as_deref(), args.office_hours.as_deref())
        .map_err(Failure::bad_input)?;
    match args.command {
        CalendarCommand::WorkingDays { from, to } => {
            let (from, to) = (parse_date(&from)?, parse_date(&to)?);
            if to < from {
                return Err(Failure::bad_input(anyhow!(
                    "TO ({to}) is before FROM ({from}); give the earlier date first"
                )));
            }
            for year in from.year()..=to.year() {
                check_modelled(&cal, year)?;
            }
            writeln!(out, "{}", cal.working_days(from, to))?;
        }
        CalendarCommand::IsWorkingDay { date } => {
            let date = parse_date(&date)?;
            check_modelled(&cal, date.year())?;
            let status = cal.day(date);
            let answer = if status.is_working() { "yes" } else { "no" };
            writeln!(out, "{answer}\n{status}")?;
        }
        CalendarCommand::Due(due) => {
            let (received, rule) = parse_due(&due)?;
            check_modelled(&cal, received.year())?;
            let at = calendar::from_local(cal.due(received, &rule));
            writeln!(out, "{}", at.to_rfc3339_opts(SecondsFormat::Secs, false))?;
        }
        CalendarCommand::Holidays { year } => {
            check_year(year)?;
            check_modelled(&cal, year)?;
            for day in cal.special_days(year) {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    day.date,
                    if day.off { "off" } else { "work" },
                    day.kind,
                    if day.is_forecast() {
                        "forecast"
                    } else {
                        "announced"
                    },
                    day.name,
                    day.source.clone().unwrap_or_else(|| format!(
                        "{} (forecast: no announcement in the data)",
                        forecast_law(day.year).unwrap_or("law")
                    )),
                )?;
            }
        }
        CalendarCommand::Alertmanager { years, name } => {
            for year in &years {
                check_year(*year)?;
                check_modelled(&cal, *year)?;
            }
            out.write_all(time_intervals(&cal, &years, &name).as_bytes())?;
        }
        CalendarCommand::Tet { year } => {
            check_year(year)?;
            let tet = lunar::tet(year)
                .ok_or_else(|| Failure::bad_input(anyhow!("no lunar calendar for {year}")))?;
            writeln!(out, "{tet}")?;
        }
    }
    Ok(())
}

/// Alertmanager `time_intervals` named `name`: for each month of `years`, its working days
/// as day-of-month ranges, within the office hours, in Vietnam's time zone.
pub fn time_intervals(cal: &WorkingCalendar, years: &[i32], name: &str) -> String {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let hours: Vec<String> = cal
        .office_hours()
        .intervals()
        .iter()
        .map(|(s, e)| format!("{}-{}", s.format("%H:%M"), e.format("%H:%M")))
        .collect();
    let shown: Vec<String> = years.iter().map(i32::to_string).collect();
    let mut out = format!(
        "# Office hours of the Vietnamese civil service in {} (Asia/Ho_Chi_Minh), from dvcbench's\n\
         # working calendar: working days only (weekends and days off out, make-up working days\n\
         # in), each {}. Written by `dvcbench calendar alertmanager {}`.\n",
        shown.join(", "),
        hours.join(", "),
        shown.join(" ")
    );
    let forecast: Vec<String> = years
        .iter()
        .flat_map(|y| cal.special_days(*y))
        .filter(|d| d.is_forecast())
        .map(|d| d.date.to_string())
        .collect();
    if !forecast.is_empty() {
        out.push_str(&format!(
            "# Forecast, no announcement in the data: {}. Write this again once they are announced.\n",
            forecast.join(", ")
        ));
    }
    out.push_str(&format!(
        "time_intervals:\n  - name: {name}\n    time_intervals:\n"
    ));
    for &year in years {
        for (m, month) in MONTHS.iter().enumerate() {
            let Some(first) = NaiveDate::from_ymd_opt(year, m as u32 + 1, 1) else {
                continue;
            };
            let mut ranges: Vec<(u32, u32)> = Vec::new();
            for day in first.iter_days().take_while(|d| d.month() == first.month()) {
                if !cal.is_working_day(day) {
                    continue;
                }
                match ranges.last_mut() {
                    Some((_, end)) if *end + 1 == day.day() => *end = day.day(),
                    _ => ranges.push((day.day(), day.day())),
                }
            }
            if ranges.is_empty() {
                continue;
            }
            let days: Vec<String> = ranges.iter().map(|(a, b)| format!("\"{a}:{b}\"")).collect();
            out.push_str(&format!(
                "      - years: [\"{year}\"]\n        months: [{month}]\n        days_of_month: [{}]\n        times:\n",
                days.join(", ")
            ));
            for (s, e) in cal.office_hours().intervals() {
                out.push_str(&format!(
                    "          - start_time: \"{}\"\n            end_time: \"{}\"\n",
                    s.format("%H:%M"),
                    e.format("%H:%M")
                ));
            }
            out.push_str("        location: Asia/Ho_Chi_Minh\n");
        }
    }
    out
}

/// The calendar with the user's holidays file and office hours, if given.
pub fn build_calendar(
    holidays: Option<&Path>,
    office_hours: Option<&str>,
) -> anyhow::Result<WorkingCalendar> {
    let office = match office_hours {
        Some(spec) => spec.parse::<OfficeHours>()?,
        None => OfficeHours::default(),
    };
    let Some(path) = holidays else {
        return Ok(WorkingCalendar::default().with_office_hours(office));
    };
    let source = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read holidays file {}", path.display()))?;
    let user = Holidays::parse(&path.display().to_string(), &source)?;
    Ok(WorkingCalendar::new(
        office,
        &Holidays::shipped().overridden_by(user),
    ))
}

fn check_year(year: i32) -> Result<(), Failure> {
    if lunar::SUPPORTED_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(Failure::bad_input(dvc_domain::Error::YearOutOfRange(year)))
    }
}

/// Refuses a year whose days off follow rules the calendar does not model and no holiday file
/// gives: its answers would silently treat old holidays as working days.
fn check_modelled(cal: &WorkingCalendar, year: i32) -> Result<(), Failure> {
    if cal.is_modelled(year) {
        return Ok(());
    }
    Err(Failure::bad_input(anyhow!(
        "the days off of {year} are not modelled: before {FIRST_MODELLED_YEAR} they followed the \
         Labour Code 1994 (four days of Tết, no Hùng Kings holiday before 2007, Saturdays worked \
         before October 1999); give that year's days in a --holidays file"
    )))
}

fn parse_date(input: &str) -> Result<NaiveDate, Failure> {
    let date = NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").map_err(|e| {
        Failure::bad_input(anyhow!(
            "invalid date {input:?} ({e}); expected YYYY-MM-DD, e.g. 2025-04-30"
        ))
    })?;
    check_year(chrono::Datelike::year(&date))?;
    Ok(date)
}

/// Parses an instant: RFC 3339 with an offset, or Vietnam local time without one.
pub fn parse_instant(input: &str) -> Result<NaiveDateTime, Failure> {
    let input_trim = input.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(input_trim) {
        return Ok(calendar::to_local(&at));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(input_trim, format) {
            check_year(chrono::Datelike::year(&local))?;
            return Ok(local);
        }
    }
    Err(Failure::bad_input(anyhow!(
        "invalid date and time {input:?}; expected RFC 3339 (2025-04-01T14:59:00+07:00) or \
         Vietnam local time (2025-04-01T14:59)"
    )))
}

fn parse_due(args: &DueArgs) -> Result<(NaiveDateTime, DeadlineRule), Failure> {
    let received = parse_instant(&args.from)?;
    let time = match (args.working_days, args.working_hours, args.calendar_days) {
        (Some(days), None, None) => ProcessingTime::WorkingDays(days),
        (None, Some(hours), None) => {
            if !(hours.is_finite() && (0.0..=100_000.0).contains(&hours)) {
                return Err(Failure::bad_input(anyhow!(
                    "--working-hours must be between 0 and 100000; got {hours}"
                )));
            }
            ProcessingTime::WorkingHours(TimeDelta::milliseconds(
                (hours * 3_600_000.0).round() as i64
            ))
        }
        (None, None, Some(days)) => ProcessingTime::CalendarDays(days),
        _ => {
            return Err(Failure::bad_input(anyhow!(
                "give exactly one of --working-days, --working-hours, --calendar-days"
            )));
        }
    };
    let mut rule = DeadlineRule::new(time);
    if let Some(cutoff) = &args.cutoff {
        let cutoff = NaiveTime::parse_from_str(cutoff.trim(), "%H:%M").map_err(|_| {
            Failure::bad_input(anyhow!(
                "invalid --cutoff {cutoff:?}; expected HH:MM, e.g. 15:00"
            ))
        })?;
        rule = rule.with_cutoff(cutoff);
    }
    Ok((received, rule))
}
