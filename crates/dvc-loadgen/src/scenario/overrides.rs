//! Changes to a validated scenario from the command line (`--target`, `--rate`, `--duration`,
//! `--scale`), held to the same rules as the scenario file.

use super::config::target_base;
use super::{Load, Scenario, Stage};
use crate::plan::Plan;
use crate::units::{UnitError, parse_duration, parse_rate};

/// Most arrivals one run plans: an hour at 250,000 a second, far past what one generator
/// starts; a larger plan is a typo in `--rate`, `--scale` or `--duration`.
pub const MAX_ARRIVALS: f64 = 1e9;

/// What the command line changes; `None` keeps the scenario's own.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `"embedded"` or a base URL, as `[target] url`.
    pub target: Option<String>,
    /// One constant rate (`"50/s"`) for the whole run (open model).
    pub rate: Option<String>,
    /// The run's length (`"10m"`): stages stretched or shrunk alike.
    pub duration: Option<String>,
    /// Every rate (open model) or number of citizens (closed model) multiplied.
    pub scale: Option<f64>,
}

/// A command-line change the scenario's rules refuse; the message names the flag.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverrideError {
    #[error("--target: {0}")]
    Target(String),
    #[error("--duration: {0}")]
    DurationUnit(UnitError),
    #[error("--duration must be longer than 0s, e.g. 30s")]
    ZeroDuration,
    #[error("--scale must be a positive number; got {0}")]
    Scale(f64),
    #[error("--rate: {0}")]
    RateUnit(UnitError),
    #[error("--rate applies to the open model; this scenario is closed (its stages count users)")]
    RateOnClosed,
    #[error("--rate must be more than 0/s, e.g. 50/s; got {0}")]
    ZeroRate(String),
    #[error("--rate {rate}/s is over the scenario's max_rate {max_rate}/s")]
    OverMaxRate { rate: f64, max_rate: f64 },
    #[error(
        "the load as given plans about {0:.3e} arrivals; one run takes at most {MAX_ARRIVALS:.0e} (check --rate, --scale and --duration)"
    )]
    TooManyArrivals(f64),
}

impl Scenario {
    /// Applies `o`; an error names the flag and what it takes.
    pub fn apply(&mut self, o: &Overrides) -> Result<(), OverrideError> {
        if let Some(target) = &o.target {
            self.target.base = target_base(target).map_err(OverrideError::Target)?;
        }
        let duration = o
            .duration
            .as_deref()
            .map(parse_duration)
            .transpose()
            .map_err(OverrideError::DurationUnit)?;
        if duration.is_some_and(|d| d.is_zero()) {
            return Err(OverrideError::ZeroDuration);
        }
        if let Some(scale) = o.scale
            && !(scale.is_finite() && scale > 0.0)
        {
            return Err(OverrideError::Scale(scale));
        }
        let total = self.load.duration();
        let load = match &mut self.load {
            Load::Closed(load) => {
                if o.rate.is_some() {
                    return Err(OverrideError::RateOnClosed);
                }
                for stage in &mut load.users {
                    if let Some(scale) = o.scale {
                        stage.users = (stage.users as f64 * scale).round() as u64;
                    }
                }
                if let Some(d) = duration {
                    let factor = d.as_secs_f64() / total.as_secs_f64().max(1e-9);
                    for stage in &mut load.users {
                        let secs = (stage.duration.as_secs_f64() * factor).round().max(1.0);
                        stage.duration = std::time::Duration::from_secs(secs as u64);
                    }
                }
                return Ok(());
            }
            Load::Open(load) => load,
        };
        if let Some(scale) = o.scale {
            load.start_rate *= scale;
            load.max_rate *= scale;
            for stage in &mut load.stages {
                stage.rate *= scale;
            }
        }
        if let Some(text) = o.rate.as_deref() {
            let rate = parse_rate(text).map_err(OverrideError::RateUnit)?;
            if !(rate.is_finite() && rate > 0.0) {
                return Err(OverrideError::ZeroRate(text.to_owned()));
            }
            if rate > load.max_rate {
                return Err(OverrideError::OverMaxRate {
                    rate,
                    max_rate: load.max_rate,
                });
            }
            let d = duration.unwrap_or(total);
            load.stages = vec![Stage { duration: d, rate }];
            load.start_rate = rate;
        } else if let Some(d) = duration {
            let factor = d.as_secs_f64() / total.as_secs_f64().max(1e-9);
            for stage in &mut load.stages {
                stage.duration = stage.duration.mul_f64(factor);
            }
        }
        refuse_absurd(&self.load)
    }
}

/// Refuses an open load that plans more than [`MAX_ARRIVALS`].
fn refuse_absurd(load: &Load) -> Result<(), OverrideError> {
    let n = Plan::new(load).expected_total();
    if n > MAX_ARRIVALS {
        return Err(OverrideError::TooManyArrivals(n));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::TargetBase;
    use std::path::Path;

    fn scenario(load: &str) -> Scenario {
        crate::scenario::validate(
            Path::new("s.toml"),
            &format!("[load]\n{load}\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n"),
        )
        .expect("valid")
    }

    #[test]
    fn overrides_meet_the_scenario_files_rules() {
        let open =
            || scenario("stages = [{ duration = \"10s\", rate = \"5/s\" }]\nmax_rate = \"100/s\"");
        let mut s = open();
        let o = Overrides {
            target: Some("http://127.0.0.1:8080/".into()),
            rate: Some("20/s".into()),
            duration: Some("1m".into()),
            scale: None,
        };
        s.apply(&o).expect("applied");
        assert_eq!(
            s.target.base,
            TargetBase::Url("http://127.0.0.1:8080".into())
        );
        let Load::Open(open_load) = &s.load else {
            panic!("an open load")
        };
        assert_eq!(open_load.stages.len(), 1);
        assert_eq!(
            (open_load.stages[0].rate, s.load.duration().as_secs()),
            (20.0, 60)
        );
        let refused = |o: Overrides| open().apply(&o).expect_err("refused").to_string();
        let e = refused(Overrides {
            target: Some("http://".into()),
            ..Overrides::default()
        });
        assert!(e.starts_with("--target: url must be"), "{e}");
        let e = refused(Overrides {
            rate: Some("500/s".into()),
            ..Overrides::default()
        });
        assert!(e.contains("over the scenario's max_rate"), "{e}");
        let e = refused(Overrides {
            scale: Some(1e12),
            ..Overrides::default()
        });
        assert!(e.contains("arrivals; one run takes at most"), "{e}");
        let mut closed =
            scenario("model = \"closed\"\nstages = [{ duration = \"10s\", users = 4 }]");
        assert!(
            closed
                .apply(&Overrides {
                    rate: Some("5/s".into()),
                    ..Overrides::default()
                })
                .is_err()
        );
        closed
            .apply(&Overrides {
                scale: Some(2.5),
                ..Overrides::default()
            })
            .expect("scaled");
        assert_eq!(closed.load.most_users(), 10);
    }
}
