//! The national portal as a front door: a dossier submitted there reaches the province's
//! portal through pushes that may fail and are retried, and both portals agree on it.

use crate::portal::{login_as, submit_form};
use dvcbench_e2e::http::{Reply, get, send, wait_for};
use dvcbench_e2e::sim::{self, form};
use serde_json::Value;
use std::time::Duration;

const PROVINCES: &str = "[[portal]]\nprovince = \"01\"\nprefix = \"/hn\"\n\
                         [[portal]]\nprovince = \"79\"\nprefix = \"/hcm\"\n";

async fn submit_national(base: &str, cookie: &str, province: Option<&str>) -> Reply {
    let mut f = form("1.900007");
    if let Some(p) = province {
        f["province"] = Value::from(p);
    }
    submit_form(base, cookie, &f, &[100]).await
}

async fn settled(base: &str, code: &str) -> Value {
    wait_for("the push settles", Duration::from_secs(10), || {
        let url = format!("{base}/api/dossiers/{code}");
        async move {
            let d = get(&url).await.json();
            matches!(d["status"].as_str(), Some("forwarded" | "push_failed")).then_some(d)
        }
    })
    .await
}

#[tokio::test]
async fn a_dossier_submitted_nationally_reaches_its_province_through_retried_pushes() {
    let sim = sim::start(&format!(
        "{PROVINCES}[national]\npush_delay = \"30ms\"\npush_failure = 0.5\npush_retry = \"30ms\"\n\
         push_attempts = 50\nseed = 7\n"
    ))
    .await;
    let national = format!("{}/quocgia", sim.url());
    let provinces = get(&format!("{national}/api/provinces")).await.json();
    assert_eq!(provinces["provinces"].as_array().map(Vec::len), Some(2));

    let anonymous = submit_national(&national, "", Some("79")).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text());
    let cookie = login_as(&national, "079201001234").await;
    let nowhere = submit_national(&national, &cookie, Some("48")).await;
    assert_eq!(nowhere.status, 422);
    assert!(
        nowhere.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("01, 79"))
    );
    let unaddressed = submit_national(&national, &cookie, None).await;
    assert_eq!(unaddressed.status, 422);

    let mut codes = Vec::new();
    for _ in 0..8 {
        let accepted = submit_national(&national, &cookie, Some("79")).await;
        assert_eq!(accepted.status, 202, "{}", accepted.text());
        let body = accepted.json();
        assert_eq!(body["status"], "forwarding");
        codes.push(body["national_code"].as_str().expect("code").to_owned());
    }
    let mut retried = 0;
    for code in &codes {
        let d = settled(&national, code).await;
        assert_eq!(d["status"], "forwarded", "{d}");
        let attempts = d["push_attempts"].as_u64().expect("attempts");
        retried += u64::from(attempts > 1);
        let province_code = d["province_code"].as_str().expect("province code");
        assert!(province_code.contains(".H79-"), "{province_code}");
        // The province knows it under its own code, as a dossier of the national channel.
        let url = format!(
            "{}{}",
            sim.url(),
            d["province_lookup_url"].as_str().expect("url")
        );
        let there = get(&url).await.json();
        assert_eq!(there["code"], province_code);
        assert_eq!(there["channel"], "national");
        assert_eq!(there["national_code"], code.as_str());
        assert_eq!(d["state_id"], there["state_id"]);
    }
    assert!(
        retried > 0,
        "half the pushes fail: some dossiers needed a retry"
    );
    let metrics = get(&format!("{}/metrics", sim.url())).await.text();
    assert!(
        metrics
            .contains("dvc_portal_national_pushes_total{province=\"79\",result=\"forwarded\"} 8"),
        "{metrics}"
    );
    assert!(
        metrics.contains("dvc_portal_national_waiting 0"),
        "{metrics}"
    );
    dvcbench_e2e::promtool_check_metrics(&metrics);

    // A dossier submitted at the province's own portal is of the portal channel, and a
    // province's portal refuses a dossier addressed to another province.
    let hn = format!("{}/hn", sim.url());
    let local = login_as(&hn, "001199004321").await;
    let wrong = submit_national(&hn, &local, Some("79")).await;
    assert_eq!(wrong.status, 422, "{}", wrong.text());
    let own = submit_national(&hn, &local, Some("01")).await;
    assert_eq!(own.status, 201, "{}", own.text());
    assert_eq!(own.json()["channel"], "portal");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_push_that_always_fails_leaves_the_dossier_marked_at_the_national_portal() {
    let sim = sim::start(&format!(
        "{PROVINCES}[national]\npush_delay = \"10ms\"\npush_failure = 1.0\npush_retry = \"10ms\"\n\
         push_attempts = 3\n"
    ))
    .await;
    let national = format!("{}/quocgia", sim.url());
    let cookie = login_as(&national, "001199004321").await;
    let code = submit_national(&national, &cookie, Some("01")).await.json()["national_code"]
        .as_str()
        .expect("code")
        .to_owned();
    let d = settled(&national, &code).await;
    assert_eq!(d["status"], "push_failed");
    assert_eq!(d["push_attempts"], 3);
    assert!(d["province_code"].is_null());
    let bearer = format!("Bearer {}", sim::ADMIN_TOKEN);
    let all = send(
        "GET",
        &format!("{}/hn/admin/dossiers", sim.url()),
        &[("authorization", &bearer)],
        vec![],
    )
    .await;
    assert_eq!(all.status, 200, "{}", all.text());
    assert_eq!(all.json()["total"], 0, "the province never received it");
    let metrics = get(&format!("{}/metrics", sim.url())).await.text();
    assert!(
        metrics.contains("dvc_portal_national_pushes_total{province=\"01\",result=\"failed\"} 3"),
        "{metrics}"
    );
    sim.shutdown().await;
}
