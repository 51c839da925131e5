//! The dossier lifecycle over HTTP: a citizen withdraws only their own dossier, papers asked
//! for during processing pause its clock, and random codes leave nothing to guess.

use crate::portal::{login, login_as, submit};
use dvcbench_e2e::http::{get, multipart, send, wait_for};
use dvcbench_e2e::sim;
use serde_json::json;
use std::time::Duration;

async fn withdraw(base: &str, code: &str, cookie: Option<&str>) -> dvcbench_e2e::http::Reply {
    let headers: Vec<(&str, &str)> = cookie.map(|c| vec![("cookie", c)]).unwrap_or_default();
    send(
        "POST",
        &format!("{base}/api/dossiers/{code}/withdraw"),
        &headers,
        Vec::new(),
    )
    .await
}

#[tokio::test]
async fn only_the_applicant_withdraws_and_only_while_it_can() {
    let sim = sim::start("[[portal]]\n[portal.back_office]\nofficers = 1\n").await;
    let base = sim.portal_url().to_owned();
    let owner = login(&base).await;
    let reply = submit(&base, &owner, "1.900007", 1, 64).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let code = reply.json()["code"].as_str().expect("code").to_owned();

    let anonymous = withdraw(&base, &code, None).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text());
    let stranger = login_as(&base, "079203001234").await;
    let other = withdraw(&base, &code, Some(&stranger)).await;
    assert_eq!(other.status, 403, "{}", other.text());
    assert!(other.json()["error"].is_string(), "a JSON reason");
    assert_eq!(
        get(&format!("{base}/api/dossiers/{code}")).await.json()["state"],
        1
    );

    let done = withdraw(&base, &code, Some(&owner)).await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["state_id"], "withdrawal_requested");
    assert_eq!(done.json()["state"], 7);
    let again = withdraw(&base, &code, Some(&owner)).await;
    assert_eq!(again.status, 409, "{}", again.text());
    let missing = withdraw(&base, "000.00.00.H01-000000-0000", Some(&owner)).await;
    assert_eq!(missing.status, 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn papers_asked_for_during_processing_move_the_due_date_by_the_wait() {
    // Monday 08:00, a simulated hour per real 0.1 s; every dossier is asked for papers once
    // processing starts.
    let sim = sim::start(
        "time_scale = 36000\nstart = \"2025-03-17T08:00:00+07:00\"\n[[portal]]\n\
         [portal.back_office]\naccept = 1.0\nrefuse = 0.0\nsupplement = 0.0\nintake_minutes = 10\n\
         late_probability = 0.0\nprocessing_supplement = 1.0\n",
    )
    .await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    let reply = submit(&base, &cookie, "1.900007", 1, 64).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let code = reply.json()["code"].as_str().expect("code").to_owned();
    let url = format!("{base}/api/dossiers/{code}");
    let asked = wait_for("the request for papers", Duration::from_secs(30), || {
        let url = url.clone();
        async move {
            let d = get(&url).await.json();
            (d["state_id"] == "supplement_requested").then_some(d)
        }
    })
    .await;
    assert_eq!(asked["processing_supplements"], 1);
    let due_before = asked["due_at"].as_str().expect("due").to_owned();
    // Some simulated working time passes while the citizen gathers the papers.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (content_type, body) = multipart(&sim::form("1.900007"), &[128]);
    let back = send(
        "POST",
        &format!("{url}/supplement"),
        &[("content-type", &content_type), ("cookie", &cookie)],
        body,
    )
    .await;
    assert_eq!(back.status, 200, "{}", back.text());
    let d = back.json();
    assert_eq!(d["state_id"], "processing");
    let parse = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().expect("time")).expect("RFC 3339")
    };
    let history = d["history"].as_array().expect("history");
    let asked_at = parse(&history[history.len() - 2]["at"]);
    let resumed_at = parse(&history[history.len() - 1]["at"]);
    let cal = dvc_domain::calendar::WorkingCalendar::default();
    let local = |t: chrono::DateTime<chrono::FixedOffset>| dvc_domain::calendar::to_local(&t);
    let waited = cal.working_time_between(local(asked_at), local(resumed_at));
    assert!(
        waited > chrono::TimeDelta::zero(),
        "{asked_at} → {resumed_at}"
    );
    assert_eq!(
        local(parse(&d["due_at"])),
        cal.add_working_time(local(parse(&json!(due_before))), waited),
        "the due date moved by exactly the working time waited"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_fee_is_paid_by_its_applicant_through_one_payment_however_often_it_is_asked() {
    let sim = sim::start("[[portal]]\n").await;
    let base = sim.portal_url().to_owned();
    let owner = login(&base).await;
    // 1.900011 (criminal record extract): paid before intake, by a logged-in applicant.
    let reply = submit(&base, &owner, "1.900011", 2, 64).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let code = reply.json()["code"].as_str().expect("code").to_owned();
    let url = format!("{base}/api/dossiers/{code}/payments");

    let stranger = login_as(&base, "079203001234").await;
    let other = send("POST", &url, &[("cookie", &stranger)], Vec::new()).await;
    assert_eq!(other.status, 403, "{}", other.text());

    // Twenty requests at once (a double click, retries, a second tab): one payment.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (url, owner) = (url.clone(), owner.clone());
        set.spawn(async move { send("POST", &url, &[("cookie", &owner)], Vec::new()).await });
    }
    let answers = set.join_all().await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(created, 1, "exactly one payment created");
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 201));
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|a| a.json()["payment_id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_submission_sent_again_with_its_key_gets_the_same_dossier() {
    let sim = sim::start("[[portal]]\n").await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    let send_with = |key: String| {
        let (base, cookie) = (base.clone(), cookie.clone());
        async move {
            let (content_type, body) = multipart(&sim::form("1.900007"), &[64]);
            send(
                "POST",
                &format!("{base}/api/dossiers"),
                &[
                    ("content-type", &content_type),
                    ("cookie", &cookie),
                    ("idempotency-key", &key),
                ],
                body,
            )
            .await
        }
    };
    let first = send_with("retry-1".into()).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let again = send_with("retry-1".into()).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(first.json()["code"], again.json()["code"]);
    let other = send_with("retry-2".into()).await;
    assert_eq!(other.status, 201);
    assert_ne!(other.json()["code"], first.json()["code"]);
    let long = send_with("k".repeat(256)).await;
    assert_eq!(long.status, 400, "{}", long.text());
    assert!(
        long.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("255"))
    );
    assert_eq!(sim::dossiers(&base).await.len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn random_codes_cannot_be_guessed_from_a_neighbours() {
    let sim = sim::start("[[portal]]\ncodes = \"random\"\n").await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    let mut codes = Vec::new();
    for _ in 0..20 {
        let d = submit(&base, &cookie, "1.900007", 1, 10).await;
        assert_eq!(d.status, 201, "{}", d.text());
        codes.push(d.json()["code"].as_str().expect("code").to_owned());
    }
    for code in &codes {
        let (prefix, suffix) = code.rsplit_once('-').expect("agency-date-suffix");
        assert!(prefix.starts_with("000.20.01.H01-"), "{code}");
        assert_eq!(suffix.len(), 8, "{code}");
        assert!(
            suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"ILOU".contains(&b))),
            "{code}"
        );
        let found = get(&format!("{base}/api/dossiers/{code}")).await;
        assert_eq!(found.status, 200);
    }
    let distinct: std::collections::BTreeSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), codes.len());
    // The sequential neighbour of the first code does not exist.
    let date = codes[0].rsplit_once('-').expect("parts").0;
    let guessed = get(&format!("{base}/api/dossiers/{date}-0002")).await;
    assert_eq!(guessed.status, 404);
    sim.shutdown().await;
}
