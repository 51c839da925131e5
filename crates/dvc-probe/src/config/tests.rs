use super::*;

fn errors(source: &str) -> Vec<String> {
    ProbeConfig::from_source("probe.toml", source, None)
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_full_configuration_is_read() {
    let c = ProbeConfig::from_source(
        "probe.toml",
        r#"
[probe]
location = "hn-dc1"
history_days = 90
[[target]]
portal = "hn"
province = "Hà Nội"
url = "http://127.0.0.1:8080/hn/"
  [target.active]
  test_procedure = "1.900001"
  consent = "Sở KH&CN Hà Nội, công văn 12/2026"
  [[target.check]]
  name = "home"
  kind = "http"
  interval = "15s"
  jitter = "1s"
  status = [200]
  body_regex = "Cổng"
  json = { "$.ok" = true }
  [[target.check]]
  name = "intake"
  kind = "intake"
  procedure = "1.900001"
  citizen_id = "001199004321"
  password = "dvc-demo"
  [[target.check]]
  name = "stats"
  kind = "stats"
  items = "$.agencies"
  agency = "$.agency"
  fields = { received = "$.received", resolved_late = "$.resolved_late" }
"#,
        None,
    )
    .expect("valid");
    assert_eq!(c.history_days, 90);
    let t = &c.targets[0];
    assert_eq!(t.url, "http://127.0.0.1:8080/hn");
    assert_eq!(t.checks.len(), 3);
    assert_eq!(t.checks[0].interval, Duration::from_secs(15));
    assert!(matches!(&t.checks[1].kind, CheckKind::Intake(i) if i.login.is_some()));
    assert!(matches!(&t.checks[2].kind, CheckKind::Stats(s) if s.fields.len() == 2));
    assert!(!c.redacted.contains("dvc-demo"), "{}", c.redacted);
}

#[test]
fn every_problem_is_located() {
    let e = errors(
        "[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"ftp://x\"\n\
         [[target.check]]\nname = \"a\"\nkind = \"ping\"\n\
         [[target.check]]\nname = \"b\"\nkind = \"http\"\ninterval = \"soon\"\n\
         [[target.check]]\nname = \"c\"\nkind = \"intake\"\n",
    );
    assert_eq!(
        e,
        [
            "probe.toml:4:7: url must start with http:// or https://",
            "probe.toml:7:8: unknown check kind \"ping\"; known: http, browser, journey, intake, payment, stats",
            "probe.toml:11:12: expected a duration such as \"250ms\", \"30s\", \"2m\"; got \"soon\"",
            "probe.toml:14:8: an intake check needs procedure = \"<code>\"",
        ]
        .map(String::from)
    );
    let e =
        errors("[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\nbogus = 1\n");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("probe.toml:5:1: unknown field `bogus`"),
        "{e:?}"
    );
}

#[test]
fn keys_of_another_kind_of_check_are_errors() {
    let e = errors(
        "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\n[[target.check]]\n\
         name = \"home\"\nkind = \"http\"\nprocedure = \"1.900001\"\n",
    );
    assert_eq!(
        e,
        ["probe.toml:8:13: procedure does not apply to http checks".to_owned()]
    );
}

#[test]
fn passwords_come_from_the_environment_and_missing_ones_are_reported() {
    let e = errors(
        "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\n[[target.check]]\n\
         name = \"i\"\nkind = \"intake\"\nprocedure = \"1\"\ncitizen_id = \"001\"\n\
         password = \"${DVC_PROBE_SURELY_UNSET}\"\n\
         [target.active]\ntest_procedure = \"1\"\nconsent = \"c\"\n",
    );
    assert_eq!(
        e,
        ["probe.toml:10:12: environment variable DVC_PROBE_SURELY_UNSET is not set".to_owned()]
    );
}

#[test]
fn history_days_must_be_positive() {
    let found = errors(
        "[probe]\nhistory_days = 0\n[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"http://127.0.0.1:8080\"\n",
    );
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("probe.toml:2:16: history_days must be at least 1")),
        "{found:?}"
    );
}

#[test]
fn a_key_no_kind_takes_is_refused_where_it_stands() {
    let e = errors(
        "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\n[[target.check]]\n\
         name = \"home\"\nkind = \"http\"\nstatuss = [200]\n",
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "probe.toml:8:1: unknown field `statuss`, expected one of `path`, `status`"
        ),
        "{e:?}"
    );
    let e = errors(
        "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\n[[target.check]]\n\
         name = \"pay\"\nkind = \"payment\"\n",
    );
    assert_eq!(
        e,
        ["probe.toml:7:8: a payment check needs procedure = \"<code>\"".to_owned()]
    );
}

#[test]
fn durations_that_schedule_requests_cannot_busy_loop() {
    let e = errors(
        "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\n[[target.check]]\n\
         name = \"i\"\nkind = \"intake\"\nprocedure = \"1\"\ninterval = \"0s\"\nfollow_every = \"0s\"\n\
         [[target.check]]\nname = \"p\"\nkind = \"payment\"\nprocedure = \"1\"\npoll_every = \"1ms\"\n\
         [target.active]\ntest_procedure = \"1\"\nconsent = \"c\"\n",
    );
    assert_eq!(
        e,
        [
            "probe.toml:9:12: interval must be at least 100ms: it sets how often requests go to the portal; got \"0s\"",
            "probe.toml:10:16: follow_every must be at least 100ms: it sets how often requests go to the portal; got \"0s\"",
            "probe.toml:15:14: poll_every must be at least 50ms: it sets how often requests go to the portal; got \"1ms\"",
        ]
        .map(String::from)
    );
}

#[test]
fn a_url_with_credentials_is_refused_without_echoing_them() {
    let e = errors(
        "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"https://admin:hunter2@portal.example.vn/\"\n",
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("probe.toml:4:7: url must not carry credentials"),
        "{e:?}"
    );
    assert!(!e[0].contains("hunter2"));
    assert!(errors("[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"https://portal.example.vn/a@b\"\n").is_empty());
}

#[test]
fn a_target_has_its_own_calendar_and_a_bad_one_is_located() {
    let c = ProbeConfig::from_source(
        "probe.toml",
        r#"
[[target]]
portal = "hn"
province = "Hà Nội"
url = "http://127.0.0.1:8080/hn/"
  [target.calendar]
  office_hours = "08:00-12:00,13:00-17:00"
  saturday_intake = "08:00-11:30"
  [[target.check]]
  name = "home"
  kind = "http"
[[target]]
portal = "hcm"
province = "Hồ Chí Minh"
url = "http://127.0.0.1:8080/hcm/"
  [[target.check]]
  name = "home"
  kind = "http"
"#,
        None,
    )
    .expect("valid");
    let probe = crate::checks::Probe::new(
        crate::metrics::Metrics::new(),
        std::sync::Arc::new(crate::store::Store::open(None).expect("memory")),
        dvc_domain::calendar::WorkingCalendar::default(),
    )
    .expect("probe");
    let open = |t: &ProbeTarget, local: &str| {
        let at = chrono::DateTime::parse_from_rfc3339(&format!("{local}+07:00")).expect("time");
        probe.calendar_for(t).is_office_open(&at)
    };
    let (hn, hcm) = (&c.targets[0], &c.targets[1]);
    // Tuesday 7:30: Hồ Chí Minh City's national hours are open, Hà Nội's opens at 8:00.
    assert!(!open(hn, "2026-03-10T07:30:00") && open(hcm, "2026-03-10T07:30:00"));
    // Tuesday 13:15: Hà Nội's lunch ended at 13:00, the national one ends at 13:30.
    assert!(open(hn, "2026-03-10T13:15:00") && !open(hcm, "2026-03-10T13:15:00"));
    assert!(open(hn, "2026-03-10T16:55:00"));
    // Saturday morning: only Hà Nội's desk takes dossiers.
    assert!(open(hn, "2026-03-14T09:00:00") && !open(hcm, "2026-03-14T09:00:00"));

    let shown = errors(
        r#"
[[target]]
portal = "hn"
province = "Hà Nội"
url = "http://127.0.0.1:8080/hn/"
  [target.calendar]
  office_hours = "8-17"
  [[target.check]]
  name = "home"
  kind = "http"
"#,
    );
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].starts_with("probe.toml:6:") && shown[0].contains("office_hours"),
        "{shown:?}"
    );
}

#[test]
fn active_checks_need_the_portals_consent_and_its_test_procedure() {
    let target = "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\n";
    let intake = "[[target.check]]\nname = \"i\"\nkind = \"intake\"\nprocedure = \"1.900001\"\n";
    // Without [target.active]: refused where the check stands, saying why.
    let e = errors(&format!("{target}{intake}"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("probe.toml:5:1: target \"hn\": check \"i\" is active"),
        "{e:?}"
    );
    assert!(e[0].contains("official figures"), "{e:?}");
    // Consent without a test procedure, or a blank consent: refused.
    let e = errors(&format!(
        "{target}[target.active]\nconsent = \"yes\"\n{intake}"
    ));
    assert!(
        e.iter().any(|m| m.contains("needs test_procedure")),
        "{e:?}"
    );
    let e = errors(&format!(
        "{target}[target.active]\ntest_procedure = \"1.900001\"\nconsent = \" \"\n{intake}"
    ));
    assert!(e.iter().any(|m| m.contains("needs consent")), "{e:?}");
    // Another procedure than the one set aside: refused.
    let e = errors(&format!(
        "{target}[target.active]\ntest_procedure = \"1.900099\"\nconsent = \"ok\"\n{intake}"
    ));
    assert!(
        e.iter().any(|m| m.contains("set aside only 1.900099")),
        "{e:?}"
    );
    // With both: accepted, and passive checks never needed any.
    assert!(
        errors(&format!(
            "{target}[target.active]\ntest_procedure = [\"1.900001\"]\nconsent = \"ok\"\n{intake}"
        ))
        .is_empty()
    );
    assert!(errors(&format!(
        "{target}[[target.check]]\nname = \"h\"\nkind = \"http\"\n[[target.check]]\nname = \"s\"\nkind = \"stats\"\npath = \"/api/stats\"\nfields = {{ received = \"$.received\" }}\n"
    ))
    .is_empty());
}

#[test]
fn templates_give_many_targets_the_same_checks_and_a_target_may_replace_one() {
    let c = ProbeConfig::from_source(
        "probe.toml",
        r#"
[[template]]
name = "province"
  [[template.check]]
  name = "home"
  kind = "http"
  interval = "1m"
  [[template.check]]
  name = "stats"
  kind = "stats"
  path = "/api/stats"
  fields = { received = "$.received" }

[[target]]
portal = "hn"
province = "Hà Nội"
url = "http://127.0.0.1:8080/hn"
templates = ["province"]
  [[target.check]]
  name = "home"
  kind = "http"
  interval = "15s"

[[target]]
portal = "hcm"
province = "Hồ Chí Minh"
url = "http://127.0.0.1:8080/hcm"
templates = ["province"]
"#,
        None,
    )
    .expect("valid");
    let names = |i: usize| -> Vec<(String, u64)> {
        c.targets[i]
            .checks
            .iter()
            .map(|k| (k.name.clone(), k.interval.as_secs()))
            .collect()
    };
    assert_eq!(
        names(0),
        [("stats".to_owned(), 300), ("home".to_owned(), 15)]
    );
    assert_eq!(
        names(1),
        [("home".to_owned(), 60), ("stats".to_owned(), 300)]
    );

    // An unknown template is named where it is used; an active template check needs each
    // target's consent, and says which target lacks it.
    let e = errors(
        "[[template]]\nname = \"t\"\n[[template.check]]\nname = \"i\"\nkind = \"intake\"\nprocedure = \"1\"\n\
         [[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\ntemplates = [\"t\", \"nope\"]\n",
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("probe.toml:11:19: no [[template]] named \"nope\"; defined: t")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("probe.toml:3:1: target \"hn\": check \"i\" is active")),
        "{e:?}"
    );
}

#[test]
fn a_browser_check_is_passive_and_its_keys_are_checked() {
    let target = "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\n";
    let c = ProbeConfig::from_source(
        "probe.toml",
        &format!(
            "{target}[[target.check]]\nname = \"b\"\nkind = \"browser\"\npath = \"/tra-cuu\"\n"
        ),
        None,
    )
    .expect("valid");
    let check = &c.targets[0].checks[0];
    assert!(
        matches!(&check.kind, CheckKind::Browser(b) if b.path == "/tra-cuu" && b.settle == std::time::Duration::from_secs(1))
    );
    assert_eq!(check.kind.class(), CheckClass::Passive, "no consent needed");
    assert_eq!(check.timeout, std::time::Duration::from_secs(60));
    let e = errors(&format!(
        "{target}[[target.check]]\nname = \"b\"\nkind = \"browser\"\npath = \"home\"\nsettle = \"2m\"\nstatus = [200]\n"
    ));
    assert!(
        e.iter()
            .any(|m| m.contains("status does not apply to browser checks")),
        "{e:?}"
    );
    let e = errors(&format!(
        "{target}[[target.check]]\nname = \"b\"\nkind = \"browser\"\npath = \"home\"\nsettle = \"2m\"\n"
    ));
    assert!(
        e.iter().any(|m| m.contains("path must start with /")),
        "{e:?}"
    );
    assert!(
        e.iter().any(|m| m.contains("settle must be at most 60s")),
        "{e:?}"
    );
}

#[test]
fn a_stats_check_selects_its_row_only_from_a_list() {
    let target = "[[target]]\nportal = \"dn\"\nprovince = \"x\"\nurl = \"http://a\"\n";
    let c = ProbeConfig::from_source(
        "probe.toml",
        &format!(
            "{target}[[target.check]]\nname = \"s\"\nkind = \"stats\"\npath = \"https://dichvucong.example/scoreboard\"\n\
             items = \"$.provinces\"\nselect = {{ \"$.code\" = \"48\" }}\nfields = {{ dossiers_total = \"$.dossiers.total\" }}\n"
        ),
        None,
    )
    .expect("valid");
    assert!(matches!(&c.targets[0].checks[0].kind, CheckKind::Stats(s) if s.select.len() == 1));
    let e = errors(&format!(
        "{target}[[target.check]]\nname = \"s\"\nkind = \"stats\"\nselect = {{ \"$.code\" = \"48\" }}\nfields = {{ dossiers_total = \"$.a\" }}\n"
    ));
    assert!(
        e.iter().any(|m| m.contains("select picks items of a list")),
        "{e:?}"
    );
}
