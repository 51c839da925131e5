//! The comparison from a probe's state file: exact percentiles of the runs and figures it kept.

use crate::{Comparison, Figure, FigureId, Province, Query, TREND_POINTS, Trend, quantile, rank};
use dvc_domain::calendar::WorkingCalendar;
use dvc_probe::history::{Observation, Run, figure};
use dvc_probe::store::{Store, StoreError};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Compares the provinces of the probe state files at `paths` (one probe's, or several probes'
/// in several places, pooled: runs and samples of all of them count, percentiles are taken
/// over the pooled samples). Office hours are those each run recorded by its portal's own
/// calendar; runs of files written before the probe recorded them are judged by `calendar`
/// (holidays included).
pub fn compare(
    paths: &[PathBuf],
    calendar: &WorkingCalendar,
    q: Query<'_>,
) -> Result<Comparison, StoreError> {
    let (from, to) = (q.from.timestamp() as f64, q.to.timestamp() as f64);
    let wanted =
        |province: &str| q.provinces.is_empty() || q.provinces.iter().any(|p| p == province);
    let mut runs: Vec<Run> = Vec::new();
    let mut observations: Vec<Observation> = Vec::new();
    let mut locations: Vec<String> = Vec::new();
    for path in paths {
        let store = Store::open_read_only(path)?;
        runs.extend(
            store
                .runs(from, to)?
                .into_iter()
                .filter(|r| wanted(&r.province)),
        );
        observations.extend(
            store
                .observations(from, to)?
                .into_iter()
                .filter(|o| wanted(&o.province)),
        );
        if let Some(location) = store.meta("location")?
            && !locations.contains(&location)
        {
            locations.push(location);
        }
    }
    runs.sort_by(|a, b| a.at.total_cmp(&b.at));
    observations.sort_by(|a, b| a.at.total_cmp(&b.at));
    let mut provinces: BTreeMap<String, Province> = BTreeMap::new();
    let mut by_province: BTreeMap<&str, Vec<&Run>> = BTreeMap::new();
    for r in &runs {
        by_province.entry(&r.province).or_default().push(r);
    }
    for (name, runs) in &by_province {
        let p = entry(&mut provinces, name);
        let available = |office: bool| {
            let counted: Vec<bool> = runs
                .iter()
                .filter(|r| r.kind == "http" || r.kind == "journey")
                .filter(|r| !office || r.office_open.unwrap_or_else(|| office_open(calendar, r.at)))
                .map(|r| r.outcome == "ok")
                .collect();
            ratio(counted.iter().filter(|ok| **ok).count(), counted.len())
        };
        p.figures
            .insert(FigureId::AvailabilityOffice, available(true));
        p.figures.insert(FigureId::Availability, available(false));
        for (kind, p50, p95) in [
            ("http", FigureId::PageP50, FigureId::PageP95),
            ("journey", FigureId::JourneyP50, FigureId::JourneyP95),
        ] {
            let mut seconds: Vec<f64> = runs
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.seconds)
                .collect();
            p.figures.insert(p50, percentile(&mut seconds, 0.5));
            p.figures.insert(p95, percentile(&mut seconds, 0.95));
        }
    }
    let mut values: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    // The statistics' latest counts, per portal.
    let mut stats: BTreeMap<(&str, &str), (f64, f64)> = BTreeMap::new();
    // The index counts' latest values, per portal and field.
    let mut counts: BTreeMap<(&str, &str, &str), f64> = BTreeMap::new();
    for o in &observations {
        match o.figure.as_str() {
            figure::STATS_ON_TIME => {
                stats.entry((&o.province, &o.portal)).or_default().0 = o.value;
            }
            figure::STATS_COUNTED => {
                stats.entry((&o.province, &o.portal)).or_default().1 = o.value;
            }
            name if name.starts_with(figure::STATS_COUNT_PREFIX) => {
                let field = &name[figure::STATS_COUNT_PREFIX.len()..];
                counts.insert((&o.province, &o.portal, field), o.value);
            }
            name => values.entry((&o.province, name)).or_default().push(o.value),
        }
    }
    for ((province, name), mut v) in values {
        let p = entry(&mut provinces, province);
        match name {
            figure::INTAKE_WORKING_SECONDS => {
                p.figures
                    .insert(FigureId::IntakeP50, percentile(&mut v, 0.5));
                p.figures
                    .insert(FigureId::IntakeP95, percentile(&mut v, 0.95));
            }
            figure::INTAKE_LATE => {
                let late = v.iter().filter(|x| **x > 0.0).count();
                p.figures
                    .insert(FigureId::LateAcceptance, ratio(late, v.len()));
            }
            figure::PAYMENT_CONFIRMATION_SECONDS => {
                p.figures
                    .insert(FigureId::PaymentP95, percentile(&mut v, 0.95));
            }
            figure::BROWSER_FCP_SECONDS => {
                p.figures.insert(FigureId::FcpP75, percentile(&mut v, 0.75));
            }
            figure::BROWSER_LCP_SECONDS => {
                p.figures.insert(FigureId::LcpP75, percentile(&mut v, 0.75));
            }
            figure::BROWSER_TBT_SECONDS => {
                p.figures.insert(FigureId::TbtP75, percentile(&mut v, 0.75));
            }
            _ => {}
        }
    }
    let mut on_time: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for ((province, _), (good, all)) in stats {
        let t = on_time.entry(province).or_default();
        t.0 += good;
        t.1 += all;
    }
    for (province, (good, all)) in on_time {
        let value = (all > 0.0).then(|| good / all);
        entry(&mut provinces, province).figures.insert(
            FigureId::OnTime,
            Figure {
                value,
                samples: all as u64,
            },
        );
    }
    // Per province, each field summed over its portals; each index figure their ratio.
    let mut summed: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for ((province, _, field), value) in counts {
        *summed.entry((province, field)).or_default() += value;
    }
    let with_counts: std::collections::BTreeSet<&str> = summed.keys().map(|(p, _)| *p).collect();
    for province in with_counts {
        for f in FigureId::ALL {
            let Some((num, den)) = f.counts() else {
                continue;
            };
            let (Some(n), Some(d)) = (summed.get(&(province, num)), summed.get(&(province, den)))
            else {
                continue;
            };
            entry(&mut provinces, province).figures.insert(
                f,
                Figure {
                    value: (*d > 0.0).then(|| n / d),
                    samples: d.max(0.0) as u64,
                },
            );
        }
    }
    let mut provinces: Vec<Province> = provinces.into_values().collect();
    let unscored = rank(&mut provinces, &q.weights, q.min_samples);
    let (availability_trend, page_p95_trend) = trends(&runs, from, to);
    Ok(Comparison {
        source: crate::Source::ProbeStore(paths.to_vec()),
        from: q.from,
        to: q.to,
        locations,
        provinces,
        weights: q.weights,
        unscored,
        min_samples: q.min_samples,
        availability_trend,
        page_p95_trend,
    })
}

fn entry<'a>(provinces: &'a mut BTreeMap<String, Province>, name: &str) -> &'a mut Province {
    provinces
        .entry(name.to_owned())
        .or_insert_with(|| Province {
            name: name.to_owned(),
            ..Province::default()
        })
}

fn ratio(good: usize, all: usize) -> Figure {
    Figure {
        value: (all > 0).then(|| good as f64 / all as f64),
        samples: all as u64,
    }
}

fn percentile(values: &mut [f64], q: f64) -> Figure {
    Figure {
        value: quantile(values, q),
        samples: values.len() as u64,
    }
}

fn office_open(calendar: &WorkingCalendar, at: f64) -> bool {
    chrono::DateTime::from_timestamp(at as i64, 0).is_some_and(|t| calendar.is_office_open(&t))
}

/// Availability and page p95 in [`TREND_POINTS`] equal slices of the period.
fn trends(runs: &[Run], from: f64, to: f64) -> (Trend, Trend) {
    let slice = (to - from) / TREND_POINTS as f64;
    let at: Vec<f64> = (0..TREND_POINTS)
        .map(|i| from + slice * (i as f64 + 1.0))
        .collect();
    let (mut availability, mut page) = (Trend::default(), Trend::default());
    availability.at.clone_from(&at);
    page.at = at;
    // Per province and slice: the availability runs' results, and the page checks' seconds.
    type Slice = (Vec<bool>, Vec<f64>);
    let mut slices: BTreeMap<&str, Vec<Slice>> = BTreeMap::new();
    for r in runs {
        let i = (((r.at - from) / slice) as usize).min(TREND_POINTS - 1);
        let s = slices
            .entry(&r.province)
            .or_insert_with(|| vec![(Vec::new(), Vec::new()); TREND_POINTS]);
        if r.kind == "http" || r.kind == "journey" {
            s[i].0.push(r.outcome == "ok");
        }
        if r.kind == "http" {
            s[i].1.push(r.seconds);
        }
    }
    for (province, s) in slices {
        availability.series.insert(
            province.to_owned(),
            s.iter()
                .map(|(ok, _)| ratio(ok.iter().filter(|o| **o).count(), ok.len()).value)
                .collect(),
        );
        page.series.insert(
            province.to_owned(),
            s.into_iter()
                .map(|(_, mut secs)| quantile(&mut secs, 0.95))
                .collect(),
        );
    }
    (availability, page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Weights;
    use dvc_probe::history::{Observation, Run};

    fn at(local: &str) -> f64 {
        chrono::DateTime::parse_from_rfc3339(&format!("{local}+07:00"))
            .expect("time")
            .timestamp() as f64
    }

    fn run(at: f64, province: &str, kind: &str, outcome: &str, seconds: f64) -> Run {
        Run {
            at,
            portal: province.to_lowercase(),
            province: province.into(),
            check: "c".into(),
            kind: kind.into(),
            outcome: outcome.into(),
            seconds,
            office_open: None,
        }
    }

    fn observation(at: f64, portal: &str, province: &str, figure: &str, value: f64) -> Observation {
        Observation {
            at,
            portal: portal.into(),
            province: province.into(),
            figure: figure.into(),
            value,
        }
    }

    #[test]
    fn office_hours_follow_the_calendar_and_statistics_add_up_over_portals() {
        let dir = std::env::temp_dir().join(format!("dvc-compare-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("probe.db");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(Some(&path)).expect("open");
        // Tuesday 8 April 2025 (Monday 7 was the Hùng Kings' day off): office hours 07:00–11:30 and 13:30–17:00.
        for (local, outcome) in [
            ("2025-04-08T09:00:00", "ok"),
            ("2025-04-08T10:00:00", "ok"),
            ("2025-04-08T14:00:00", "timeout"),
            ("2025-04-08T12:00:00", "http_error"), // lunch
            ("2025-04-08T20:00:00", "http_error"), // evening
            ("2025-04-06T10:00:00", "http_error"), // Sunday
        ] {
            store
                .record_run(&run(at(local), "A", "http", outcome, 0.2))
                .expect("run");
        }
        store
            .record_run(&run(
                at("2025-04-08T09:30:00"),
                "A",
                "payment",
                "timeout",
                9.0,
            ))
            .expect("run");
        let observe = |local: &str, portal: &str, figure: &str, value: f64| {
            store
                .observe(&observation(at(local), portal, "A", figure, value))
                .expect("obs");
        };
        for (portal, good, all) in [("a1", 8.0, 10.0), ("a2", 1.0, 10.0)] {
            // An earlier, superseded figure, then the latest.
            observe("2025-04-08T08:00:00", portal, figure::STATS_ON_TIME, 0.0);
            observe("2025-04-08T09:00:00", portal, figure::STATS_ON_TIME, good);
            observe("2025-04-08T09:00:00", portal, figure::STATS_COUNTED, all);
        }
        for (late, hours) in [(0.0, 1.0), (1.0, 9.0), (0.0, 2.0), (0.0, 3.0)] {
            observe("2025-04-08T16:00:00", "a1", figure::INTAKE_LATE, late);
            let seconds = hours * 3600.0;
            observe(
                "2025-04-08T16:00:00",
                "a1",
                figure::INTAKE_WORKING_SECONDS,
                seconds,
            );
        }
        store
            .record_run(&run(at("2025-04-08T09:00:00"), "B", "http", "ok", 0.1))
            .expect("run");
        let calendar = WorkingCalendar::default();
        let parse = |t: &str| {
            chrono::DateTime::parse_from_rfc3339(t)
                .expect("time")
                .with_timezone(&chrono::Utc)
        };
        // Sunday 6 to Tuesday 8 April, all provinces or only `provinces`.
        let compare_days = |provinces: &[String], min_samples| {
            compare(
                std::slice::from_ref(&path),
                &calendar,
                Query {
                    from: parse("2025-04-06T00:00:00+07:00"),
                    to: parse("2025-04-09T00:00:00+07:00"),
                    provinces,
                    weights: Weights::default(),
                    min_samples,
                },
            )
            .expect("compare")
        };
        let c = compare_days(&[], 2);
        let a = c.provinces.iter().find(|p| p.name == "A").expect("A");
        let f = |id| a.figure(id);
        assert_eq!(f(FigureId::AvailabilityOffice).samples, 3);
        assert_eq!(f(FigureId::AvailabilityOffice).value, Some(2.0 / 3.0));
        assert_eq!(
            f(FigureId::Availability).samples,
            6,
            "payments do not count"
        );
        assert_eq!(f(FigureId::Availability).value, Some(2.0 / 6.0));
        assert_eq!(f(FigureId::OnTime).value, Some(9.0 / 20.0));
        assert_eq!(f(FigureId::OnTime).samples, 20);
        assert_eq!(f(FigureId::LateAcceptance).value, Some(0.25));
        assert_eq!(f(FigureId::IntakeP50).value, Some(2.0 * 3600.0));
        assert_eq!(f(FigureId::IntakeP95).value, Some(9.0 * 3600.0));
        assert_eq!(f(FigureId::PageP95).value, Some(0.2));
        // B has one page check and nothing else: the figures it lacks are scored for nobody
        // and named; with one run behind its page figures it is listed, not ranked.
        let b = c.provinces.iter().find(|p| p.name == "B").expect("B");
        assert_eq!(b.rank, None);
        assert!(b.too_few.contains(&FigureId::Availability));
        let on_time = c.unscored.iter().find(|u| u.figure == FigureId::OnTime);
        assert_eq!(
            on_time.map(|u| u.missing_in.clone()),
            Some(vec!["B".to_owned()])
        );
        assert_eq!(a.rank, Some(1));
        assert_eq!(c.provinces[0].name, "A", "ranked first");
        let only_b = compare_days(&["B".to_owned()], 1);
        assert_eq!(only_b.provinces.len(), 1);
        assert_eq!(only_b.provinces[0].rank, Some(1));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn each_run_counts_in_office_hours_as_its_portal_recorded_them() {
        // Saturday 12 April 2025, 09:00: A's office is closed, B takes dossiers on Saturday
        // mornings; each run carries what the probe judged by that portal's own calendar.
        let dir = std::env::temp_dir().join(format!("dvc-compare-own-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("probe.db");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(Some(&path)).expect("open");
        for (province, minute, outcome, open) in [
            ("A", "00", "http_error", false),
            ("A", "10", "http_error", false),
            ("B", "00", "ok", true),
            ("B", "10", "timeout", true),
            ("B", "20", "ok", true),
        ] {
            let mut r = run(
                at(&format!("2025-04-12T09:{minute}:00")),
                province,
                "http",
                outcome,
                0.2,
            );
            r.office_open = Some(open);
            store.record_run(&r).expect("run");
        }
        let parse = |t: &str| {
            chrono::DateTime::parse_from_rfc3339(t)
                .expect("time")
                .with_timezone(&chrono::Utc)
        };
        let c = compare(
            std::slice::from_ref(&path),
            &WorkingCalendar::default(),
            Query {
                from: parse("2025-04-12T00:00:00+07:00"),
                to: parse("2025-04-13T00:00:00+07:00"),
                provinces: &[],
                weights: Weights::default(),
                min_samples: 1,
            },
        )
        .expect("compare");
        let office = |name: &str| {
            c.provinces
                .iter()
                .find(|p| p.name == name)
                .expect("province")
                .figure(FigureId::AvailabilityOffice)
        };
        assert_eq!(office("A").samples, 0, "A was closed: nothing counts");
        assert_eq!(office("B").samples, 3);
        assert_eq!(office("B").value, Some(2.0 / 3.0));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
