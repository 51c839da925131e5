//! The intake queue against queueing theory: with known officers and work, the backlog grows,
//! holds overnight and drains exactly as the D/D/c calculation says, and waits match Erlang C
//! for the M/M/c queue.
//!
//! Arrivals are placed in working time (offsets from an opening, through the calendar), so the
//! queue seen in working time is the textbook one: officers and citizens both stop at closing.

use super::*;
use crate::config::{AgencyStaff, IntakeWork};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The procedure the tests submit: "Xác nhận tình trạng hôn nhân", agency `ubndxa`, no fee.
const PROCEDURE: &str = "1.900007";

fn staffed(officers: u32, minutes: f64, work: IntakeWork) -> (Office, Catalogue) {
    office(|c| {
        c.back_office.officers = 9;
        c.back_office
            .agency
            .insert("ubndxa".into(), AgencyStaff { officers });
        c.back_office.intake_minutes = minutes;
        c.back_office.intake_work = work;
    })
}

/// Monday 17 March 2025, 07:00: an opening.
fn origin() -> NaiveDateTime {
    at(2025, 3, 17, 7, 0)
}

#[test]
fn an_agencys_own_officers_set_its_capacity() {
    let (office, _) = staffed(2, 30.0, IntakeWork::Fixed);
    assert_eq!(office.officers_of("ubndxa"), 2);
    assert_eq!(office.officers_of("giaoduc"), 9, "the portal's default");
}

#[test]
fn a_backlog_builds_holds_overnight_and_drains_at_capacity() {
    // Two officers, 30 working minutes each dossier: 4 dossiers per working hour. Eight per
    // working hour arrive for one working day (8 h): the backlog grows by 8 − 4 = 4 an hour.
    let (mut office, cat) = staffed(2, 30.0, IntakeWork::Fixed);
    let cal = office.calendar().clone();
    let wt = |seconds: i64| cal.add_working_time(origin(), TimeDelta::seconds(seconds));
    let arrivals = 64;
    let gap = 450; // seconds: 8 an hour
    let mut backlog_at_hour = Vec::new();
    for k in 0..arrivals {
        let now = wt(k * gap);
        office.advance(now);
        if k > 0 && k % 8 == 0 {
            backlog_at_hour.push(office.backlog("ubndxa"));
        }
        submit(&mut office, &cat, PROCEDURE, now);
    }
    // D/D/c: officer A starts at 0, 30, 60 … min; officer B at 7.5, 37.5 … (the second arrival).
    // At hour h, before that hour's first arrival is submitted, 8h have arrived, A has begun
    // 2h + 1 dossiers (one at that very instant) and B 2h: 4h − 1 wait.
    let expected: Vec<usize> = (1..8).map(|h| 4 * h - 1).collect();
    assert_eq!(backlog_at_hour, expected, "grows by λ − cμ = 4 an hour");

    // Closing time of day one and the night: nobody takes a dossier, nothing is lost.
    let end_of_day = wt(8 * 3600);
    office.advance(end_of_day);
    let evening = office.backlog("ubndxa");
    assert_eq!(
        evening,
        64 - 2 * 16,
        "32 taken in 8 h by 2 officers at 2 an hour each"
    );
    office.advance(at(2025, 3, 17, 23, 0));
    assert_eq!(office.backlog("ubndxa"), evening, "holds overnight");

    // Day two: no new arrivals, the backlog drains at 4 an hour. The last dossier is taken by
    // officer B at 16 × 30 min + 7.5 min of working time: 7 h 67.5 min after the first opening.
    let last_start = wt(31 * 1800 + 450);
    office.advance(last_start - TimeDelta::seconds(1));
    assert_eq!(office.backlog("ubndxa"), 1);
    office.advance(last_start);
    assert_eq!(office.backlog("ubndxa"), 0, "drained at {last_start}");
    let per_hour: Vec<usize> = (9..16)
        .map(|h| {
            let mut o = office_replay(&cat, arrivals, gap);
            o.advance(wt(h * 3600));
            o.backlog("ubndxa")
        })
        .collect();
    // At working hour h of day two, A has begun 2h + 1 and B 2h of the 64.
    let drain: Vec<usize> = (9..16).map(|h| 64 - (4 * h as usize + 1)).collect();
    assert_eq!(per_hour, drain, "drains at cμ = 4 an hour");
    assert_eq!(
        last_start.date(),
        at(2025, 3, 18, 0, 0).date(),
        "on day two"
    );
}

/// The same arrivals into a fresh office, for looking at it at another instant.
fn office_replay(cat: &Catalogue, arrivals: i64, gap: i64) -> Office {
    let (mut office, _) = staffed(2, 30.0, IntakeWork::Fixed);
    let cal = office.calendar().clone();
    for k in 0..arrivals {
        let now = cal.add_working_time(origin(), TimeDelta::seconds(k * gap));
        office.advance(now);
        submit(&mut office, cat, PROCEDURE, now);
    }
    office
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue with offered load `a`.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut below = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        below += term;
    }
    let top = term * a / f64::from(c) * f64::from(c) / (f64::from(c) - a);
    top / (below + top)
}

#[test]
fn waits_match_erlang_c() {
    // Three officers, exponential work of mean 20 min (μ = 3 an hour each), Poisson arrivals of
    // 7.2 an hour: utilisation 0.8, offered load 2.4.
    let (c, mean_minutes, lambda) = (3, 20.0, 7.2);
    let (mut office, cat) = staffed(c, mean_minutes, IntakeWork::Exponential);
    let cal = office.calendar().clone();
    let mut rng = StdRng::seed_from_u64(20_251_202);
    let mut now = origin();
    let n = 100_000;
    for _ in 0..n {
        let u: f64 = rng.random_range(f64::EPSILON..1.0);
        let gap = TimeDelta::milliseconds((-u.ln() / lambda * 3_600_000.0) as i64);
        now = cal.add_working_time(now, gap);
        office.advance(now);
        submit(&mut office, &cat, PROCEDURE, now);
    }
    office.advance(cal.add_working_time(now, TimeDelta::hours(100)));
    let warm_up = 1_000;
    let waits: Vec<f64> = office.dossiers()[warm_up..]
        .iter()
        .map(|d| {
            let started = d.intake_started_at.expect("every dossier was taken");
            cal.working_time_between(d.submitted_at, started)
                .as_seconds_f64()
                / 3600.0
        })
        .collect();
    let mu = 60.0 / mean_minutes;
    let a = lambda / mu;
    let p_wait = erlang_c(c, a);
    let wq = p_wait / (f64::from(c) * mu - lambda);
    let mean_wait = waits.iter().sum::<f64>() / waits.len() as f64;
    let waited = waits.iter().filter(|w| **w > 0.0).count() as f64 / waits.len() as f64;
    eprintln!(
        "M/M/{c}, ρ = {:.2}: mean wait {:.1} min (Erlang C {:.1} min); waited {:.3} (Erlang C {:.3})",
        a / f64::from(c),
        mean_wait * 60.0,
        wq * 60.0,
        waited,
        p_wait
    );
    assert!(
        (p_wait - 0.647).abs() < 0.001,
        "the formula itself: {p_wait}"
    );
    assert!(
        (mean_wait / wq - 1.0).abs() < 0.10,
        "mean wait {:.1} min vs Erlang C {:.1} min",
        mean_wait * 60.0,
        wq * 60.0
    );
    assert!(
        (waited - p_wait).abs() < 0.03,
        "waited {waited} vs {p_wait}"
    );
}
