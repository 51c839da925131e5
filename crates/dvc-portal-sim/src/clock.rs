//! Simulated time: Vietnam local time that runs `time_scale` times faster than real time.
//!
//! The back office works in simulated time, so at `--time-scale 600` a working day of officers
//! (8 h) passes in 48 real seconds, and a working week in four minutes. Everything the portal
//! reports (submission times, deadlines, statistics) is in simulated time.

use chrono::{NaiveDateTime, TimeDelta};
use std::time::{Duration, Instant};

/// A clock that maps real elapsed time onto simulated Vietnam local time.
#[derive(Debug, Clone)]
pub struct SimClock {
    real_origin: Instant,
    sim_origin: NaiveDateTime,
    scale: f64,
}

impl SimClock {
    /// Simulated time starts at `sim_origin` now and runs `scale` times faster than real time.
    pub fn new(sim_origin: NaiveDateTime, scale: f64) -> Self {
        SimClock {
            real_origin: Instant::now(),
            sim_origin,
            scale,
        }
    }

    /// The simulated instant now.
    pub fn now(&self) -> NaiveDateTime {
        self.at(Instant::now())
    }

    /// The simulated instant at real instant `real`.
    pub fn at(&self, real: Instant) -> NaiveDateTime {
        self.sim_origin + self.to_sim(real.saturating_duration_since(self.real_origin))
    }

    /// Real elapsed time as simulated elapsed time.
    pub fn to_sim(&self, real: Duration) -> TimeDelta {
        TimeDelta::microseconds((real.as_secs_f64() * self.scale * 1e6) as i64)
    }

    /// How many times faster than real time the clock runs.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_time_runs_faster() {
        let origin = chrono::NaiveDate::from_ymd_opt(2025, 4, 1)
            .and_then(|d| d.and_hms_opt(7, 0, 0))
            .expect("valid");
        let clock = SimClock::new(origin, 3600.0);
        let later = clock.at(clock.real_origin + Duration::from_secs(2));
        assert_eq!(later - origin, TimeDelta::hours(2));
        assert_eq!(
            clock.to_sim(Duration::from_millis(500)),
            TimeDelta::minutes(30)
        );
    }
}
