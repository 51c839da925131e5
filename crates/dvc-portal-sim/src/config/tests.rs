use super::*;

#[test]
fn an_empty_file_gives_one_default_portal() {
    let config = SimConfig::parse("portal.toml", "").expect("valid");
    assert_eq!(config.portals().len(), 1);
    assert_eq!(config.portals()[0].province, "01");
    assert_eq!(*config.time_scale.get_ref(), 1.0);
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let source =
        "time_scale = 0\n\n[[portal]]\nprovince = \"99\"\n[portal.back_office]\naccept = 0.5\n";
    let problems = SimConfig::parse("p.toml", source).expect_err("invalid");
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        shown[0].starts_with("p.toml:1:14: time_scale must be > 0"),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|s| s.starts_with("p.toml:3:1: province \"99\"")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|s| s.contains("accept + refuse + supplement must add up to 1"))
    );
}

#[test]
fn durations_read_as_everywhere_else_and_old_ms_keys_still_work() {
    let new = SimConfig::parse(
        "p.toml",
        "[[portal]]\n[portal.payment]\ncallback_delay = \"1.5s\"\n[portal.capacity]\n\
         service_time = { default = \"4ms\" }\n[portal.faults]\nstall_every = \"10s\"\nstall_for = \"1s\"\n",
    )
    .expect("valid");
    assert!(new.deprecated.is_empty());
    let old = SimConfig::parse(
        "p.toml",
        "[[portal]]\n[portal.payment]\ncallback_delay_ms = 1500\n[portal.capacity]\n\
         service_time_ms = { default = 4 }\n[portal.faults]\nstall_every_ms = 10000\nstall_for_ms = 1000\n",
    )
    .expect("still valid");
    assert_eq!(old.deprecated.len(), 4);
    let (a, b) = (&new.portals()[0], &old.portals()[0]);
    assert_eq!(a.payment.callback_delay, Millis::from_millis(1500));
    assert_eq!(a.payment.callback_delay, b.payment.callback_delay);
    assert_eq!(a.capacity.service_time, b.capacity.service_time);
    assert_eq!(a.faults, b.faults);
    let shown = SimConfig::parse(
        "p.toml",
        "[[portal]]\n[portal.faults]\nstall_every = \"1s\"\nstall_for = \"2s\"\n",
    )
    .expect_err("a stall longer than its period");
    assert!(
        shown[0]
            .to_string()
            .contains("faults.stall_every must be longer than stall_for"),
        "{}",
        shown[0]
    );
}

#[test]
fn unknown_keys_are_errors() {
    let problems = SimConfig::parse("p.toml", "[[portal]]\nprovince = \"01\"\nofficers = 3\n")
        .expect_err("unknown key");
    assert!(
        problems[0]
            .to_string()
            .starts_with("p.toml:3:1: unknown field `officers`"),
        "{}",
        problems[0]
    );
}

#[test]
fn an_agencys_own_officers_are_checked_against_the_catalogue() {
    let good = SimConfig::parse(
        "p.toml",
        "[[portal]]\n[portal.back_office]\nintake_work = \"fixed\"\n\
         [portal.back_office.agency.tuphap]\nofficers = 5\n",
    )
    .expect("valid");
    let back = &good.portals()[0].back_office;
    assert_eq!(back.intake_work, IntakeWork::Fixed);
    assert_eq!(back.agency["tuphap"].officers, 5);
    let problems = SimConfig::parse(
        "p.toml",
        "[[portal]]\n[portal.back_office.agency.tu_phap]\nofficers = 0\n",
    )
    .expect_err("unknown agency, no officers");
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        shown
            .iter()
            .any(|s| s.contains("no agency \"tu_phap\"") && s.contains("tuphap")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|s| s.contains("agency.tu_phap.officers must be at least 1")),
        "{shown:?}"
    );
}
