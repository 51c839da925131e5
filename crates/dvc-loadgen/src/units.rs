//! The human units used in scenarios: parsing (from [`dvc_domain::units`], shared with the
//! probe and the portal) and formatting durations for people.

pub use dvc_domain::units::{UnitError, parse_duration, parse_rate, parse_size, parse_value};

/// A duration for people: `850µs`, `12.3ms`, `1.25s`, `2m05s`.
pub fn fmt_seconds(seconds: f64) -> String {
    if seconds < 0.001 {
        format!("{:.0}µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.1}ms", seconds * 1e3)
    } else if seconds < 60.0 {
        format!("{seconds:.2}s")
    } else {
        format!("{}m{:02.0}s", (seconds / 60.0).floor(), seconds % 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations_for_people() {
        assert_eq!(fmt_seconds(0.000_85), "850µs");
        assert_eq!(fmt_seconds(0.0123), "12.3ms");
        assert_eq!(fmt_seconds(125.0), "2m05s");
    }
}
