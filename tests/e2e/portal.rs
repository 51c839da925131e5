//! The portal simulator over real loopback sockets: the citizen's journey, payments, the back
//! office in simulated time, faults, bad input, multi-portal mode.
//!
//! Over 500 lines because each test walks a whole citizen or officer journey over real sockets.

use dvcbench_e2e::http::{self, Reply, get, multipart, post_json, send, wait_for};
use dvcbench_e2e::sim::{self, ADMIN_TOKEN, form};
use serde_json::{Value, json};
use std::time::Duration;

/// Logs in and returns the cookie header value.
pub async fn login(base: &str) -> String {
    login_as(base, "001199004321").await
}

/// Logs in as citizen `id` (any 12-digit number logs in with the demo password) and returns
/// the cookie header value.
pub async fn login_as(base: &str, id: &str) -> String {
    let reply = post_json(
        &format!("{base}/api/login"),
        &json!({ "citizen_id": id, "password": "dvc-demo" }),
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let cookie = reply.header("set-cookie").expect("a session cookie");
    cookie.split(';').next().expect("name=value").to_owned()
}

/// Submits a dossier for `procedure` with `files` attachments of `size` bytes.
pub async fn submit(base: &str, cookie: &str, procedure: &str, files: usize, size: usize) -> Reply {
    submit_form(base, cookie, &form(procedure), &vec![size; files]).await
}

/// Submits submission form `form` with attachments of the given sizes.
pub async fn submit_form(base: &str, cookie: &str, form: &Value, sizes: &[usize]) -> Reply {
    let (content_type, body) = multipart(form, sizes);
    send(
        "POST",
        &format!("{base}/api/dossiers"),
        &[("content-type", &content_type), ("cookie", cookie)],
        body,
    )
    .await
}

/// Creates the payment of dossier `code`'s fee and pays it on the gateway's page with the
/// sandbox `outcome`; answers the payment id and the gateway's reply.
pub async fn pay(base: &str, cookie: &str, code: &str, outcome: &str) -> (String, Reply) {
    let created = send(
        "POST",
        &format!("{base}/api/dossiers/{code}/payments"),
        &[("cookie", cookie)],
        vec![],
    )
    .await
    .json();
    let id = created["payment_id"]
        .as_str()
        .expect("a payment id")
        .to_owned();
    let paid = send(
        "POST",
        &format!("{base}/gateway/pay/{id}"),
        &[("content-type", "application/x-www-form-urlencoded")],
        format!("action=pay&outcome={outcome}").into_bytes(),
    )
    .await;
    (id, paid)
}

async fn put_faults(base: &str, faults: Value) -> Reply {
    send(
        "PUT",
        &format!("{base}/admin/faults"),
        &[
            ("content-type", "application/json"),
            ("authorization", &format!("Bearer {ADMIN_TOKEN}")),
        ],
        faults.to_string().into_bytes(),
    )
    .await
}

fn local(rfc3339: &Value) -> chrono::NaiveDateTime {
    let text = rfc3339.as_str().expect("a timestamp");
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| dvc_domain::calendar::to_local(&t))
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[tokio::test]
async fn a_citizen_submits_and_an_officer_accepts_in_office_hours() {
    // Monday 08:00; one simulated hour per real 0.1 s.
    let sim = sim::start(
        "time_scale = 36000\nstart = \"2025-03-17T08:00:00+07:00\"\n[[portal]]\n\
         [portal.back_office]\naccept = 1.0\nrefuse = 0.0\nsupplement = 0.0\nintake_minutes = 30\n",
    )
    .await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    let reply = submit(&base, &cookie, "1.900007", 1, 2048).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let dossier = reply.json();
    let code = dossier["code"].as_str().expect("code").to_owned();
    let re_code = code.split('-').collect::<Vec<_>>();
    assert_eq!(re_code[0], "000.20.01.H01");
    assert_eq!(re_code[1], "250317");
    assert_eq!(re_code[2], "0001");
    assert_eq!(dossier["state"], 1);
    assert_eq!(dossier["state_name"], "Mới đăng ký (chờ tiếp nhận)");
    let submitted = local(&dossier["submitted_at"]);
    assert_eq!(
        local(&dossier["acceptance_due"]) - submitted,
        chrono::TimeDelta::hours(24)
    );

    let accepted = wait_for("acceptance", Duration::from_secs(20), || {
        let url = format!("{base}/api/dossiers/{code}");
        async move {
            let d = get(&url).await.json();
            (d["state"].as_u64() != Some(1)).then_some(d)
        }
    })
    .await;
    let at = local(&accepted["accepted_at"]);
    let cal = dvc_domain::calendar::WorkingCalendar::default();
    assert!(
        cal.is_working_day(at.date()) && cal.office_hours().contains(at.time()),
        "{at}"
    );
    assert!(at > submitted);
    assert!(accepted["due_at"].is_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn pay_first_payment_with_signed_callback_receipt_and_idempotent_duplicates() {
    let sim = sim::start(
        "[[portal]]\n[portal.payment]\ncallback_delay_ms = 10\n[portal.faults]\nduplicate_callback = 1.0\n",
    )
    .await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    let d = submit(&base, &cookie, "1.900011", 2, 1000).await.json();
    let code = d["code"].as_str().expect("code").to_owned();
    assert_eq!(d["payment_required"], true);

    let created = send(
        "POST",
        &format!("{base}/api/dossiers/{code}/payments"),
        &[("cookie", &cookie)],
        vec![],
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let payment = created.json();
    assert_eq!(payment["amount"], 200000);
    let id = payment["payment_id"].as_str().expect("id").to_owned();
    let page = get(&format!(
        "{base}{}",
        payment["redirect_url"].as_str().expect("url")
    ))
    .await;
    assert!(page.text().contains("Cổng thanh toán"));

    let paid = send(
        "POST",
        &format!("{base}/gateway/pay/{id}"),
        &[("content-type", "application/x-www-form-urlencoded")],
        b"action=pay&outcome=success".to_vec(),
    )
    .await;
    assert_eq!(paid.status, 303);
    let settled = wait_for("two callbacks", Duration::from_secs(10), || {
        let url = format!("{base}/api/payments/{id}");
        async move {
            let p = get(&url).await.json();
            (p["callbacks"] == 2).then_some(p)
        }
    })
    .await;
    assert_eq!(settled["status"], "succeeded");
    assert_eq!(settled["confirmed_by"], "callback");

    let d = get(&format!("{base}/api/dossiers/{code}")).await.json();
    assert_eq!(d["payment_required"], false);
    assert_eq!(
        d["submitted_at"], d["paid_at"],
        "payment resets the intake clock"
    );
    let receipt = send(
        "GET",
        &format!("{base}/api/payments/{id}/receipt"),
        &[("cookie", &cookie)],
        vec![],
    )
    .await;
    assert_eq!(receipt.header("content-type"), Some("application/pdf"));
    assert!(receipt.body.starts_with(b"%PDF-1.4"));

    let metrics = get(&format!("{}/metrics", sim.url())).await.text();
    assert!(metrics.contains("dvc_portal_payment_callbacks_total{portal=\"sim-01\",province=\"01\",result=\"applied\"} 1"), "{metrics}");
    assert!(metrics.contains("result=\"duplicate\"} 1"));

    // A forged callback is refused.
    let forged = post_json(
        &format!("{base}/api/payments/ipn"),
        &json!({ "payment_id": id, "dossier_code": code, "amount": 1, "result_code": "00",
                 "transaction_id": "TXN1", "signature": "00" }),
        &[],
    )
    .await;
    assert_eq!(forged.status, 400);
    assert_eq!(forged.json()["error"], "signature mismatch");
    sim.shutdown().await;
}

#[tokio::test]
async fn reconciliation_settles_lost_callbacks_and_pending_transactions() {
    let sim = sim::start(
        "[[portal]]\n[portal.payment]\ncallback_delay_ms = 10\nreconcile_every_ms = 50\n\
         pending_resolves_after_ms = 200\n[portal.faults]\nlost_callback = 1.0\n",
    )
    .await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    for outcome in ["success", "pending"] {
        let d = submit(&base, &cookie, "1.900046", 1, 100).await.json();
        let code = d["code"].as_str().expect("code");
        let (id, _) = pay(&base, &cookie, code, outcome).await;
        let p = wait_for("reconciliation", Duration::from_secs(10), || {
            let url = format!("{base}/api/payments/{id}");
            async move {
                let p = get(&url).await.json();
                (p["status"] == "succeeded").then_some(p)
            }
        })
        .await;
        assert_eq!(p["confirmed_by"], "reconciliation", "{outcome}");
        assert_eq!(p["callbacks"], 0);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_4xx_with_a_json_reason() {
    let sim = sim::start("[limits]\nmax_file_bytes = 1000\n").await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    let url = format!("{base}/api/dossiers");
    let (ct, good) = multipart(&form("1.900007"), &[10]);
    let truncated = good[..good.len() - 30].to_vec();
    let (_, oversized) = multipart(&form("1.900007"), &[5000]);
    let (_, unknown) = multipart(&form("9.999999"), &[10]);
    let (_, missing) = multipart(&form("1.900011"), &[10]);
    let (_, no_files) = multipart(&json!({ "procedure_code": "1.900007" }), &[10]);
    let cases: [(&str, &str, Vec<u8>, u16); 7] = [
        ("truncated multipart", &ct, truncated, 400),
        ("oversized file", &ct, oversized, 413),
        ("unknown procedure", &ct, unknown, 422),
        ("missing attachments", &ct, missing, 422),
        ("form without applicant", &ct, no_files, 400),
        (
            "wrong content type",
            "application/json",
            b"{}".to_vec(),
            400,
        ),
        ("not logged in", &ct, good.clone(), 401),
    ];
    for (what, content_type, body, status) in cases {
        let session = if what == "not logged in" {
            ""
        } else {
            cookie.as_str()
        };
        let headers = [("content-type", content_type), ("cookie", session)];
        let reply = send("POST", &url, &headers, body).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.text());
        assert!(reply.json()["error"].is_string(), "{what}");
    }
    let more: [(&str, &str, &[u8], u16); 7] = [
        ("POST", "/api/login", b"{not json", 400),
        ("POST", "/api/login", b"{\"citizen_id\":\"1\"}", 422),
        ("GET", "/api/dossiers/000.00.12.H01-250101-9999", b"", 404),
        ("GET", "/api/procedures?per_page=1000", b"", 400),
        ("GET", "/api/stats?from=yesterday", b"", 400),
        ("POST", "/api/payments/ipn", b"{}", 422),
        ("GET", "/no/such/route", b"", 404),
    ];
    for (method, path, body, status) in more {
        let reply = send(
            method,
            &format!("{base}{path}"),
            &[("content-type", "application/json")],
            body.to_vec(),
        )
        .await;
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
        assert!(reply.json()["error"].is_string(), "{method} {path}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_from_the_admin_api_take_effect_and_need_the_token() {
    let sim = sim::start("").await;
    let base = sim.portal_url().to_owned();
    let url = format!("{base}/api/procedures");
    assert_eq!(get(&url).await.status, 200);
    let unauthorised = send(
        "PUT",
        &format!("{base}/admin/faults"),
        &[("content-type", "application/json")],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(unauthorised.status, 401);

    assert_eq!(
        put_faults(&base, json!({ "outage": true })).await.status,
        200
    );
    let down = get(&url).await;
    assert_eq!(down.status, 503);
    assert!(
        down.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("outage"))
    );
    assert_eq!(
        get(&format!("{}/healthz", sim.url())).await.status,
        200,
        "the process stays healthy"
    );

    put_faults(&base, json!({ "error_rate": 1.0 })).await;
    assert_eq!(get(&url).await.status, 500);

    put_faults(
        &base,
        json!({ "latency_ms": { "GET /api/procedures": 300 } }),
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(get(&url).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let invalid = put_faults(&base, json!({ "error_rate": 2.0 })).await;
    assert_eq!(invalid.status, 422);
    let faults = send(
        "GET",
        &format!("{base}/admin/faults"),
        &[("authorization", &format!("Bearer {ADMIN_TOKEN}"))],
        vec![],
    )
    .await;
    assert_eq!(
        faults.json()["latency_ms"]["GET /api/procedures"],
        300,
        "the invalid change was not applied"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_service_model_queues_then_sheds_load() {
    let sim = sim::start(
        "[[portal]]\n[portal.capacity]\nworkers = 2\nqueue = 4\nservice_time_ms = { default = 100 }\n",
    )
    .await;
    let url = format!("{}/api/procedures", sim.portal_url());
    let started = std::time::Instant::now();
    let replies: Vec<Reply> = futures_join(12, &url).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    let shed: Vec<&Reply> = replies.iter().filter(|r| r.status == 503).collect();
    assert_eq!(ok + shed.len(), 12);
    assert!(
        (6..=8).contains(&ok),
        "2 served and 4 queued, give or take arrival order: {ok}"
    );
    assert!(shed.iter().all(|r| r.header("retry-after") == Some("1")));
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "6 requests through 2 workers at 100 ms"
    );
    let metrics = get(&format!("{}/metrics", sim.url())).await.text();
    assert!(
        metrics.contains(&format!("reason=\"queue_full\"}} {}", shed.len())),
        "{metrics}"
    );
    sim.shutdown().await;
}

async fn futures_join(n: usize, url: &str) -> Vec<Reply> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let url = url.to_owned();
            tokio::spawn(async move { http::get(&url).await })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("request task"));
    }
    out
}

#[tokio::test]
async fn several_provinces_on_prefixes_and_their_own_ports() {
    let sim = sim::start(
        "[[portal]]\nprovince = \"01\"\nprefix = \"/hn\"\n\
         [[portal]]\nprovince = \"79\"\nprefix = \"/hcm\"\n[portal.faults]\noutage = true\n\
         [[portal]]\nprovince = \"48\"\nlisten = \"127.0.0.1:0\"\n",
    )
    .await;
    assert_eq!(sim.portals.len(), 3);
    let hn = get(&format!("{}/hn/api/provinces", sim.url())).await.json();
    assert_eq!(hn["this_portal"], "01");
    assert_eq!(
        get(&format!("{}/hcm/api/provinces", sim.url()))
            .await
            .status,
        503
    );
    let dn = &sim.portals[2].1;
    assert!(!dn.starts_with(&sim.url()), "its own port: {dn}");
    assert_eq!(
        get(&format!("{dn}/api/provinces")).await.json()["this_portal"],
        "48"
    );
    let slash = get(&format!("{}/hn/", sim.url())).await;
    assert_eq!((slash.status, slash.header("location")), (308, Some("/hn")));
    let home = get(&format!("{}/hn", sim.url())).await;
    assert!(home.text().contains("Thành phố Hà Nội") && home.text().contains("/hn/procedures/"));
    let cookie = login(&format!("{}/hn", sim.url())).await;
    let d = submit(&format!("{}/hn", sim.url()), &cookie, "1.900020", 1, 10)
        .await
        .json();
    assert!(
        d["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("000.00.08.H01-"))
    );
    sim.shutdown().await;
}

#[test]
fn the_example_portal_configs_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/portals");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("scenarios/portals exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let source = std::fs::read_to_string(&path).expect("readable");
            let parsed =
                dvc_portal_sim::config::SimConfig::parse(&path.display().to_string(), &source);
            assert!(parsed.is_ok(), "{}: {:?}", path.display(), parsed.err());
            checked += 1;
        }
    }
    assert!(checked >= 2);
}

#[tokio::test]
async fn outage_windows_follow_simulated_time() {
    let sim = sim::start(
        "start = \"2025-04-02T09:00:00+07:00\"\n\
         [[portal]]\nprefix = \"/down\"\n[portal.faults]\n\
         outage_windows = [{ from = \"2025-04-02T08:00:00+07:00\", to = \"2025-04-02T11:30:00+07:00\" }]\n\
         [[portal]]\nprovince = \"79\"\nprefix = \"/over\"\n[portal.faults]\n\
         outage_windows = [{ from = \"2025-04-01T08:00:00+07:00\", to = \"2025-04-01T11:30:00+07:00\" }]\n",
    )
    .await;
    assert_eq!(
        get(&format!("{}/down/api/provinces", sim.url()))
            .await
            .status,
        503
    );
    assert_eq!(
        get(&format!("{}/over/api/provinces", sim.url()))
            .await
            .status,
        200
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn periodic_stalls_hold_requests_until_the_stall_ends() {
    let sim =
        sim::start("[[portal]]\n[portal.faults]\nstall_every_ms = 600\nstall_for_ms = 300\n").await;
    let url = format!("{}/api/provinces", sim.portal_url());
    let mut took = Vec::new();
    for _ in 0..12 {
        let started = std::time::Instant::now();
        assert_eq!(get(&url).await.status, 200);
        took.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(70)).await;
    }
    assert!(
        took.iter().any(|t| *t >= Duration::from_millis(100)),
        "some requests stalled: {took:?}"
    );
    assert!(
        took.iter().any(|t| *t < Duration::from_millis(50)),
        "some did not: {took:?}"
    );
    assert!(
        took.iter().all(|t| *t < Duration::from_millis(450)),
        "none beyond a stall: {took:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_burst_on_one_agency_serialises_on_its_code_lock() {
    let sim = sim::start("[[portal]]\n[portal.capacity]\ncode_generation_ms = 30\n").await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (base, cookie) = (base.clone(), cookie.clone());
            tokio::spawn(async move { submit(&base, &cookie, "1.900007", 1, 10).await.status })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("task"), 201);
    }
    assert!(
        started.elapsed() >= Duration::from_millis(8 * 30),
        "{:?}",
        started.elapsed()
    );
    sim.shutdown().await;
}
