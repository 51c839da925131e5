//! Logins real portals use: the simulator's single sign-on (OpenID Connect, modelled on
//! VNeID) run end to end by scenarios that follow redirects, keep cookies as a browser does,
//! and submit the SSO's login form with its hidden CSRF token, in both models; every request of
//! the flow is counted; redirects stop at their limit and never leave the allowed hosts.

use dvc_loadgen::live::Progress;
use dvc_loadgen::scenario::Scenario;
use dvc_loadgen::summary::RunSummary;
use dvc_loadgen::{RunOptions, run};
use dvcbench_e2e::fixtures::serve;
use dvcbench_e2e::sim;
use std::path::Path;
use std::sync::Arc;

/// Log in through the SSO, then ask the portal who we are.
const LOGIN: &str = r#"
[[journey]]
name = "log_in"
  [[journey.step]]
  name = "open_login"
  path = "/dang-nhap"
  follow_redirects = true
  check = { status = 200, contains = "kc-form-login" }
  extract = { csrf = { css = "form#kc-form-login input[name=csrf_token]", attr = "value" } }
  [[journey.step]]
  name = "sso_login"
  submit_form = "form#kc-form-login"
  form = { username = "{{citizen.id}}", password = "PASSWORD" }
  follow_redirects = FOLLOW
  check = { status = 200, contains = "Cổng dịch vụ công" }
  [[journey.step]]
  name = "me"
  path = "/api/me"
  check = { status = 200, exists = ["$.citizen_id"] }
"#;

async fn run_against(base: &str, load: &str, password: &str, follow: &str) -> RunSummary {
    let source = format!(
        "{load}\n{}",
        LOGIN
            .replace("PASSWORD", password)
            .replace("FOLLOW", follow)
    );
    let scenario = Scenario::from_source(Path::new("sso.toml"), &source)
        .unwrap_or_else(|e| panic!("invalid scenario: {e}"));
    let client = dvc_http::HttpClient::new(&scenario.target.client_options()).expect("client");
    let (_keep, interrupt) = tokio::sync::watch::channel(false);
    run(
        Arc::new(scenario),
        client,
        RunOptions {
            base_url: base.to_owned(),
            target_label: base.to_owned(),
            live: None,
            progress: Progress::Off,
            interrupt,
            segment: dvc_loadgen::segment::Segment::WHOLE,
            start_at: None,
        },
    )
    .await
}

fn step<'a>(s: &'a RunSummary, name: &str) -> &'a dvc_loadgen::summary::Stats {
    s.steps
        .iter()
        .find(|st| st.name == name)
        .unwrap_or_else(|| panic!("no step {name}"))
}

const OPEN: &str = "[load]\nstages = [{ duration = \"2s\", rate = \"10/s\" }]";
const CLOSED: &str = "[load]\nmodel = \"closed\"\nstages = [{ duration = \"2s\", users = 3 }]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sso_login_runs_end_to_end_in_both_models_with_every_request_counted() {
    let portal =
        sim::start("[[portal]]\nprefix = \"/hn\"\n[portal.sso]\nlatency = \"20ms\"\n").await;
    let base = portal.portal_url().to_owned();
    assert!(base.ends_with("/hn"), "{base}");
    for (model, load) in [("open", OPEN), ("closed", CLOSED)] {
        let s = run_against(&base, load, "dvc-demo", "true").await;
        for name in ["open_login", "sso_login", "me"] {
            let st = step(&s, name);
            assert!(st.count > 0, "{model}: {name} ran");
            assert!(
                st.errors.is_empty(),
                "{model}: {name}: {:?} {:?}",
                st.errors,
                st.failures
            );
        }
        // /dang-nhap → /sso/authorize; /sso/login → /sso-callback → /; /api/me: six requests
        // a journey, each counted once.
        let journeys = s.journeys[0].count;
        assert_eq!(s.requests_total, 6 * journeys, "{model}");
        // The SSO's 20 ms are in the step that waits for them (the page, then the form and
        // the back-channel exchange).
        assert!(
            step(&s, "sso_login").latency_seconds.p50 >= 0.040,
            "{model}"
        );
    }

    // A wrong password shows the login page again: the step says so, nothing logs in.
    let s = run_against(&base, OPEN, "wrong", "true").await;
    let failed = step(&s, "sso_login");
    assert_eq!(failed.errors.get("check_failed"), Some(&failed.count));
    assert!(
        failed.failures[0].reason.contains("Cổng dịch vụ công"),
        "{:?}",
        failed.failures
    );
    assert_eq!(step(&s, "me").count, 0);

    // One redirect followed of the two: the step ends on the callback's redirect.
    let s = run_against(&base, OPEN, "dvc-demo", "1").await;
    let cut = step(&s, "sso_login");
    assert_eq!(cut.failures[0].reason, "status 302", "{:?}", cut.failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_never_takes_load_to_a_host_the_run_may_not_reach() {
    let app = axum::Router::new()
        .route(
            "/away",
            axum::routing::get(|| async {
                (
                    axum::http::StatusCode::FOUND,
                    [("location", "http://dichvucong.example.vn/")],
                )
            }),
        )
        .route(
            "/loop",
            axum::routing::get(|| async {
                (axum::http::StatusCode::FOUND, [("location", "/loop")])
            }),
        );
    let base = format!("http://{}", serve(app).await);
    let scenario = |path: &str| {
        format!(
            "{OPEN}\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"go\"\npath = \"{path}\"\nfollow_redirects = 3\ncheck = {{ status = 200 }}\n"
        )
    };
    let run_one = |source: String| {
        let base = base.clone();
        async move {
            let scenario = Scenario::from_source(Path::new("r.toml"), &source).expect("valid");
            let (_keep, interrupt) = tokio::sync::watch::channel(false);
            run(
                Arc::new(scenario),
                dvc_http::build(false, &[]).expect("client"),
                RunOptions {
                    base_url: base.clone(),
                    target_label: base,
                    live: None,
                    progress: Progress::Off,
                    interrupt,
                    segment: dvc_loadgen::segment::Segment::WHOLE,
                    start_at: None,
                },
            )
            .await
        }
    };
    let away = run_one(scenario("/away")).await;
    let st = &away.steps[0];
    assert_eq!(st.errors.get("check_failed"), Some(&20));
    assert!(
        st.failures[0]
            .reason
            .contains("not sent to http://dichvucong.example.vn/"),
        "{:?}",
        st.failures
    );
    assert_eq!(away.requests_total, 20, "the remote host got nothing");
    // A loop stops at the limit: the first request and three redirects, then the 302 judged.
    let looped = run_one(scenario("/loop")).await;
    assert_eq!(looped.requests_total, 20 * 4);
    assert_eq!(looped.steps[0].failures[0].reason, "status 302");
}
