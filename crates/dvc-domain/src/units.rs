//! The human units every configuration file of dvcbench speaks: durations (`"250ms"`,
//! `"2m"`), rates (`"50/s"`, `"3000/m"`), sizes (`"200KB"`, `"1.5MB"`) and threshold values
//! (`"800ms"`, `"1%"`).
//!
//! ```
//! use dvc_domain::units::{parse_duration, parse_rate};
//! use std::time::Duration;
//!
//! assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
//! assert_eq!(parse_rate("3000/m").unwrap(), 50.0);
//! assert_eq!(
//!     parse_duration("10").unwrap_err().to_string(),
//!     "expected a duration such as \"250ms\", \"30s\", \"2m\"; got \"10\""
//! );
//! ```

use std::time::Duration;

/// `n` with its thousands separated by `sep`: `group_thousands(1200000, '.')` is `1.200.000`
/// (Vietnamese amounts), with `','` it is `1,200,000`.
pub fn group_thousands(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A value that is not in the unit it should be; the message shows an example and the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error("expected a duration such as \"250ms\", \"30s\", \"2m\"; got {0:?}")]
    Duration(String),
    #[error("expected a rate such as \"50/s\" or \"3000/m\"; got {0:?}")]
    Rate(String),
    #[error("expected a size such as \"200KB\" or \"1MB\"; got {0:?}")]
    Size(String),
    #[error("expected a percentage such as \"1%\"; got {0:?}")]
    Percentage(String),
}

fn split_number(input: &str) -> Option<(f64, &str)> {
    let input = input.trim();
    let end = input
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(input.len(), |(i, _)| i);
    let number: f64 = input[..end].parse().ok()?;
    number.is_finite().then_some((number, input[end..].trim()))
}

/// `"250ms"`, `"1.5s"`, `"2m"`, `"1h"`, `"7d"`, `"500us"`.
pub fn parse_duration(input: &str) -> Result<Duration, UnitError> {
    let fail = || UnitError::Duration(input.to_owned());
    let (n, unit) = split_number(input).ok_or_else(fail)?;
    let seconds = match unit {
        "us" | "µs" => n / 1e6,
        "ms" => n / 1e3,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        _ => return Err(fail()),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| fail())
}

/// `"50/s"`, `"3000/m"`, `"100/h"` → arrivals per second.
pub fn parse_rate(input: &str) -> Result<f64, UnitError> {
    let fail = || UnitError::Rate(input.to_owned());
    let (n, unit) = split_number(input).ok_or_else(fail)?;
    match unit {
        "/s" => Ok(n),
        "/m" => Ok(n / 60.0),
        "/h" => Ok(n / 3600.0),
        _ => Err(fail()),
    }
}

/// `"512B"`, `"200KB"`, `"1.5MB"` (1 KB = 1024 bytes).
pub fn parse_size(input: &str) -> Result<usize, UnitError> {
    let fail = || UnitError::Size(input.to_owned());
    let (n, unit) = split_number(input).ok_or_else(fail)?;
    let bytes = match unit.to_ascii_uppercase().as_str() {
        "B" | "" => n,
        "KB" | "KIB" => n * 1024.0,
        "MB" | "MIB" => n * 1024.0 * 1024.0,
        "GB" | "GIB" => n * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(fail()),
    };
    Ok(bytes as usize)
}

/// A threshold value in base units: durations in seconds, percentages as ratios, rates per
/// second, plain numbers as they are.
pub fn parse_value(input: &str) -> Result<f64, UnitError> {
    let trimmed = input.trim();
    if let Some(p) = trimmed.strip_suffix('%') {
        return p
            .trim()
            .parse::<f64>()
            .map(|v| v / 100.0)
            .map_err(|_| UnitError::Percentage(input.to_owned()));
    }
    if trimmed.contains('/') {
        return parse_rate(trimmed);
    }
    if let Ok(n) = trimmed.parse::<f64>() {
        return Ok(n);
    }
    parse_duration(trimmed).map(|d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0, '.'), "0");
        assert_eq!(group_thousands(999, '.'), "999");
        assert_eq!(group_thousands(200_000, '.'), "200.000");
        assert_eq!(group_thousands(1_234_567, ','), "1,234,567");
    }

    #[test]
    fn parses_units_and_rejects_garbage() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_rate("3000/m"), Ok(50.0));
        assert_eq!(parse_size("200KB"), Ok(204_800));
        assert_eq!(parse_value("1%"), Ok(0.01));
        assert_eq!(parse_value("800ms"), Ok(0.8));
        assert_eq!(parse_value("0"), Ok(0.0));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("10").is_err());
        assert!(parse_rate("50").is_err());
        assert_eq!(parse_size("2GB"), Ok(2 << 30));
        assert!(parse_size("2TB").is_err());
        assert_eq!(
            parse_value("x%").expect_err("not a percentage"),
            UnitError::Percentage("x%".into())
        );
    }
}
