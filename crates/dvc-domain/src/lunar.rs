//! The Vietnamese lunisolar calendar (âm lịch), computed for UTC+7.
//!
//! Tết Nguyên Đán and the Hùng Kings' commemoration are lunar dates, so forecasting the days off
//! of a year that the government has not announced yet needs the lunar calendar. Vietnam computes
//! it for the meridian of UTC+7, China for UTC+8; a new moon that falls between 16:00 and 17:00
//! UTC therefore starts a month one day earlier in Vietnam, which is why Tết was on 1985-01-21 and
//! 2007-02-17 in Vietnam but 1985-02-20 and 2007-02-18 in China (and will be on 2030-02-02 in
//! Vietnam, 2030-02-03 in China).
//!
//! The method is the usual one for the East Asian lunisolar calendar:
//!
//! * a month starts on the local day of the astronomical new moon (Jean Meeus, *Astronomical
//!   Algorithms*, ch. 49, truncated series: accurate to minutes for 1800–2199);
//! * the month containing the winter solstice (sun's longitude 270°) is month 11;
//! * a lunar year (from one month 11 to the next) with 13 months gets a leap month: the first
//!   month, counted from month 11, that contains no principal solar term (no multiple of 30° of
//!   solar longitude starts inside it) repeats the number of the month before it.
//!
//! ```text
//!  month 11         month 12        month 1 (Tết)                      month 11
//!  |--solstice--|-------------|--------------| ... (12 or 13 months) ... |--solstice--|
//!  a11                                                                    b11
//! ```
//!
//! Days are Julian Day Numbers throughout; chrono converts them to and from Gregorian dates.

use chrono::{Datelike, NaiveDate};
use std::f64::consts::PI;

/// Hours east of UTC for which the Vietnamese lunar calendar is computed.
pub const VIETNAM_UTC_OFFSET_HOURS: f64 = 7.0;

/// Julian Day Number of 0001-01-01 (proleptic Gregorian) minus one: JDN = days_from_ce + this.
const JDN_OFFSET: i64 = 1_721_425;
/// Mean length of a synodic month, in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;
/// Julian day of the new moon of 1900-01-01 (k = 0 in Meeus' numbering as used below).
const NEW_MOON_EPOCH: f64 = 2_415_021.076_998_695;

/// The first and last Gregorian years the calendar is computed for.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// A date of the lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LunarDate {
    /// The lunar year, named by the Gregorian year in which its month 1 begins.
    pub year: i32,
    /// 1..=12.
    pub month: u32,
    /// 1..=30.
    pub day: u32,
    /// True for the repeated (leap, nhuận) month.
    pub leap: bool,
}

fn jdn(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + JDN_OFFSET
}

fn from_jdn(jdn: i64) -> Option<NaiveDate> {
    let days = i32::try_from(jdn - JDN_OFFSET).ok()?;
    NaiveDate::from_num_days_from_ce_opt(days)
}

/// Julian day (fractional, UT) of the k-th new moon after 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    // ΔT (terrestrial minus universal time), in days.
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// The local day (JDN) on which the k-th new moon falls at `tz` hours east of UTC.
fn new_moon_day(k: i64, tz: f64) -> i64 {
    (new_moon(k) + 0.5 + tz / 24.0).floor() as i64
}

/// Apparent solar longitude in radians, 0..2π, at Julian day `jd` (UT).
fn sun_longitude(jd: f64) -> f64 {
    let t = (jd - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - 2.0 * PI * (l / (2.0 * PI)).floor()
}

/// Which 30° sector (0..=11) the sun is in at the start of local day `day`.
fn sun_sector(day: i64, tz: f64) -> i64 {
    (sun_longitude(day as f64 - 0.5 - tz / 24.0) / PI * 6.0).floor() as i64
}

/// The first day (JDN) of lunar month 11 that contains the winter solstice of Gregorian `year`.
fn month_11_start(year: i32, tz: f64) -> i64 {
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).map_or(0, jdn);
    let k = ((dec31 - 2_415_021) as f64 / SYNODIC_MONTH).floor() as i64;
    let start = new_moon_day(k, tz);
    if sun_sector(start, tz) >= 9 {
        new_moon_day(k - 1, tz)
    } else {
        start
    }
}

/// Months after month 11 (starting at `a11`) at which the leap month falls, in a 13-month year.
fn leap_month_offset(a11: i64, tz: f64) -> i64 {
    let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i, tz), tz);
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i, tz), tz);
        if arc == last || i >= 14 {
            return i - 1;
        }
    }
}

/// Converts a Gregorian date to the lunar calendar computed at `tz` hours east of UTC.
pub fn to_lunar_at(date: NaiveDate, tz: f64) -> LunarDate {
    let day = jdn(date);
    let k = ((day as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    let mut month_start = new_moon_day(k + 1, tz);
    if month_start > day {
        month_start = new_moon_day(k, tz);
    }
    let year = date.year();
    let mut a11 = month_11_start(year, tz);
    let b11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = year;
        b11 = a11;
        a11 = month_11_start(year - 1, tz);
    } else {
        lunar_year = year + 1;
        b11 = month_11_start(year + 1, tz);
    }
    let lunar_day = (day - month_start + 1) as u32;
    let diff = (month_start - a11) / 29;
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11, tz);
        if diff >= leap_diff {
            month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    LunarDate {
        year: lunar_year,
        month: month as u32,
        day: lunar_day,
        leap,
    }
}

/// Converts a lunar date computed at `tz` hours east of UTC to the Gregorian calendar.
///
/// Returns `None` for a leap month that the year does not have, or a date out of range.
pub fn from_lunar_at(lunar: LunarDate, tz: f64) -> Option<NaiveDate> {
    if !(1..=12).contains(&lunar.month) || !(1..=30).contains(&lunar.day) {
        return None;
    }
    let month = i64::from(lunar.month);
    let (a11, b11) = if month < 11 {
        (
            month_11_start(lunar.year - 1, tz),
            month_11_start(lunar.year, tz),
        )
    } else {
        (
            month_11_start(lunar.year, tz),
            month_11_start(lunar.year + 1, tz),
        )
    };
    let k = (0.5 + (a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    let mut off = month - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11, tz);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if lunar.leap && month != leap_month {
            return None;
        }
        if lunar.leap || off >= leap_off {
            off += 1;
        }
    } else if lunar.leap {
        return None;
    }
    let month_start = new_moon_day(k + off, tz);
    from_jdn(month_start + i64::from(lunar.day) - 1)
}

/// Converts a Gregorian date to the Vietnamese lunar calendar (UTC+7).
pub fn to_lunar(date: NaiveDate) -> LunarDate {
    to_lunar_at(date, VIETNAM_UTC_OFFSET_HOURS)
}

/// Converts a Vietnamese lunar date (UTC+7) to the Gregorian calendar.
pub fn from_lunar(lunar: LunarDate) -> Option<NaiveDate> {
    from_lunar_at(lunar, VIETNAM_UTC_OFFSET_HOURS)
}

/// The Gregorian date of Tết Nguyên Đán (lunar 1/1) of `year` in Vietnam.
pub fn tet(year: i32) -> Option<NaiveDate> {
    if !SUPPORTED_YEARS.contains(&year) {
        return None;
    }
    from_lunar(LunarDate {
        year,
        month: 1,
        day: 1,
        leap: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    /// Tết in Vietnam, 1985–2035, as published in Vietnamese calendars.
    const VIETNAMESE_TET: [(i32, u32, u32); 51] = [
        (1985, 1, 21),
        (1986, 2, 9),
        (1987, 1, 29),
        (1988, 2, 17),
        (1989, 2, 6),
        (1990, 1, 27),
        (1991, 2, 15),
        (1992, 2, 4),
        (1993, 1, 23),
        (1994, 2, 10),
        (1995, 1, 31),
        (1996, 2, 19),
        (1997, 2, 7),
        (1998, 1, 28),
        (1999, 2, 16),
        (2000, 2, 5),
        (2001, 1, 24),
        (2002, 2, 12),
        (2003, 2, 1),
        (2004, 1, 22),
        (2005, 2, 9),
        (2006, 1, 29),
        (2007, 2, 17),
        (2008, 2, 7),
        (2009, 1, 26),
        (2010, 2, 14),
        (2011, 2, 3),
        (2012, 1, 23),
        (2013, 2, 10),
        (2014, 1, 31),
        (2015, 2, 19),
        (2016, 2, 8),
        (2017, 1, 28),
        (2018, 2, 16),
        (2019, 2, 5),
        (2020, 1, 25),
        (2021, 2, 12),
        (2022, 2, 1),
        (2023, 1, 22),
        (2024, 2, 10),
        (2025, 1, 29),
        (2026, 2, 17),
        (2027, 2, 6),
        (2028, 1, 26),
        (2029, 2, 13),
        (2030, 2, 2),
        (2031, 1, 23),
        (2032, 2, 11),
        (2033, 1, 31),
        (2034, 2, 19),
        (2035, 2, 8),
    ];

    #[test]
    fn tet_matches_published_vietnamese_dates_1985_to_2035() {
        for (year, month, day) in VIETNAMESE_TET {
            assert_eq!(tet(year), Some(d(year, month, day)), "Tết {year}");
        }
    }

    #[test]
    fn vietnam_and_china_differ_where_the_new_moon_falls_between_the_meridians() {
        assert_eq!(tet(1985), Some(d(1985, 1, 21)));
        assert_eq!(
            from_lunar_at(
                LunarDate {
                    year: 1985,
                    month: 1,
                    day: 1,
                    leap: false
                },
                8.0
            ),
            Some(d(1985, 2, 20))
        );
        assert_eq!(tet(2007), Some(d(2007, 2, 17)));
        assert_eq!(
            from_lunar_at(
                LunarDate {
                    year: 2007,
                    month: 1,
                    day: 1,
                    leap: false
                },
                8.0
            ),
            Some(d(2007, 2, 18))
        );
    }

    #[test]
    fn hung_kings_day_is_lunar_10_3() {
        // Announced days off: 2024-04-18, 2025-04-07.
        let hung = |year| {
            from_lunar(LunarDate {
                year,
                month: 3,
                day: 10,
                leap: false,
            })
        };
        assert_eq!(hung(2024), Some(d(2024, 4, 18)));
        assert_eq!(hung(2025), Some(d(2025, 4, 7)));
    }

    #[test]
    fn leap_month_2023_is_a_second_month_2() {
        // 2023 had a leap second month (tháng 2 nhuận) from 2023-03-22.
        let leap = LunarDate {
            year: 2023,
            month: 2,
            day: 1,
            leap: true,
        };
        assert_eq!(from_lunar(leap), Some(d(2023, 3, 22)));
        assert_eq!(to_lunar(d(2023, 3, 22)), leap);
        let not_leap = LunarDate { leap: true, ..leap };
        assert_eq!(
            from_lunar(LunarDate {
                month: 3,
                ..not_leap
            }),
            None
        );
    }

    #[test]
    fn round_trip_every_day_of_two_decades() {
        let mut day = d(2015, 1, 1);
        while day <= d(2035, 12, 31) {
            let lunar = to_lunar(day);
            assert_eq!(from_lunar(lunar), Some(day), "{day} -> {lunar:?}");
            day = day.succ_opt().expect("in range");
        }
    }

    #[test]
    fn out_of_range_years_have_no_tet() {
        assert_eq!(tet(1899), None);
        assert_eq!(tet(2200), None);
    }
}
