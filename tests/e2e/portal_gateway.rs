//! The simulated gateway's way back and the e-receipt: a signed return URL, a receipt that
//! fails after the money was taken and is issued again, and a receipt in Vietnamese.

use crate::portal::{login, login_as, submit};
use dvcbench_e2e::http::{Reply, get, send, wait_for};
use dvcbench_e2e::sim;
use std::time::Duration;

/// Submits a pay-first dossier of procedure 1.900011 (200,000 đồng) and pays it on the gateway
/// page with `outcome`; answers the payment id, the gateway's reply and the applicant's cookie.
async fn pay(base: &str, outcome: &str) -> (String, Reply, String) {
    let cookie = login(base).await;
    let d = submit(base, &cookie, "1.900011", 2, 1000).await.json();
    let code = d["code"].as_str().expect("code");
    let (id, reply) = crate::portal::pay(base, &cookie, code, outcome).await;
    (id, reply, cookie)
}

/// The receipt of payment `id` as the holder of `cookie` gets it.
async fn receipt(base: &str, id: &str, cookie: &str) -> Reply {
    let url = format!("{base}/api/payments/{id}/receipt");
    send("GET", &url, &[("cookie", cookie)], vec![]).await
}

async fn settled(base: &str, id: &str) -> serde_json::Value {
    wait_for("the payment settles", Duration::from_secs(10), || {
        let url = format!("{base}/api/payments/{id}");
        async move {
            let p = get(&url).await.json();
            (p["status"] == "succeeded").then_some(p)
        }
    })
    .await
}

#[tokio::test]
async fn the_return_url_is_signed_and_a_tampered_one_is_refused() {
    let sim = sim::start("[[portal]]\n[portal.payment]\ncallback_delay = \"10ms\"\n").await;
    let base = sim.portal_url().to_owned();
    let (id, paid, _) = pay(&base, "failed").await;
    assert_eq!(paid.status, 303);
    let location = paid.header("location").expect("a way back").to_owned();
    assert!(
        location.contains(&format!("payment_id={id}&amount=200000&result_code=24&"))
            && location.contains("&checksum="),
        "{location}"
    );
    let back = get(&format!("{}{location}", sim.url())).await;
    assert_eq!(back.status, 200, "{}", back.text());
    assert!(back.text().contains("Giao dịch không thành công"));

    // The citizen (or anyone) turns the failure into a success in the address bar.
    let forged = location.replace("result_code=24", "result_code=00");
    let refused = get(&format!("{}{forged}", sim.url())).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("checksum mismatch")),
        "{}",
        refused.text()
    );
    // Cancelling on the gateway's page comes back signed too: failed, without a transaction.
    let cookie = login(&base).await;
    let d = submit(&base, &cookie, "1.900011", 2, 1000).await.json();
    let code = d["code"].as_str().expect("code");
    let created = send(
        "POST",
        &format!("{base}/api/dossiers/{code}/payments"),
        &[("cookie", &cookie)],
        vec![],
    )
    .await
    .json();
    let other = created["payment_id"].as_str().expect("id");
    let cancel = send(
        "POST",
        &format!("{base}/gateway/pay/{other}"),
        &[("content-type", "application/x-www-form-urlencoded")],
        b"action=cancel".to_vec(),
    )
    .await;
    let back = cancel.header("location").expect("a way back").to_owned();
    assert!(
        back.contains("&result_code=24&transaction_id=&checksum="),
        "{back}"
    );
    let page = get(&format!("{}{back}", sim.url())).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Bạn đã hủy thanh toán"),
        "{}",
        page.text()
    );
    let unsigned = get(&format!("{base}/payment/return?payment_id={id}")).await;
    assert_eq!(unsigned.status, 400, "a return without a checksum");
    let p = get(&format!("{base}/api/payments/{id}")).await.json();
    assert_ne!(
        p["status"], "succeeded",
        "the return page never settles a payment"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_receipt_that_failed_after_payment_is_issued_again() {
    let sim = sim::start(
        "[[portal]]\n[portal.payment]\ncallback_delay = \"10ms\"\nreceipt_failure = 1.0\n\
         receipt_retry = \"700ms\"\n",
    )
    .await;
    let base = sim.portal_url().to_owned();
    let (id, _, cookie) = pay(&base, "success").await;
    let p = settled(&base, &id).await;
    assert_eq!(p["receipt"], "retrying", "{p}");
    let failed = receipt(&base, &id, &cookie).await;
    assert_eq!(failed.status, 503, "{}", failed.text());
    assert!(failed.header("retry-after").is_some());
    assert!(
        failed.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("the fee is paid"))
    );
    let code = p["dossier_code"].as_str().expect("code");
    let d = get(&format!("{base}/api/dossiers/{code}")).await.json();
    assert_eq!(
        d["payment_required"], false,
        "the money was taken: the dossier is paid"
    );

    let issued = wait_for(
        "the receipt is issued again",
        Duration::from_secs(10),
        || {
            let (base, id, cookie) = (base.clone(), id.clone(), cookie.clone());
            async move {
                let r = receipt(&base, &id, &cookie).await;
                (r.status == 200).then_some(r)
            }
        },
    )
    .await;
    assert_eq!(issued.header("content-type"), Some("application/pdf"));
    let p = get(&format!("{base}/api/payments/{id}")).await.json();
    assert_eq!(p["receipt"], "issued");
    let metrics = get(&format!("{}/metrics", sim.url())).await.text();
    assert!(
        metrics.contains("dvc_portal_receipt_failures_total{portal=\"sim-01\",province=\"01\"} 1"),
        "{metrics}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_receipt_reads_in_vietnamese() {
    let sim = sim::start("[[portal]]\n[portal.payment]\ncallback_delay = \"10ms\"\n").await;
    let base = sim.portal_url().to_owned();
    let (id, _, cookie) = pay(&base, "success").await;
    let p = settled(&base, &id).await;
    // The receipt names the payer: nobody but the applicant gets it.
    let anonymous = get(&format!("{base}/api/payments/{id}/receipt")).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text());
    let neighbour = login_as(&base, "001199004322").await;
    let other = receipt(&base, &id, &neighbour).await;
    assert_eq!(other.status, 403, "{}", other.text());
    assert!(other.json()["error"].is_string());
    let receipt = receipt(&base, &id, &cookie).await;
    assert_eq!(receipt.status, 200);
    let doc = lopdf::Document::load_mem(&receipt.body).expect("a PDF reader opens it");
    let text = doc.extract_text(&[1]).expect("its text extracts");
    let code = p["dossier_code"].as_str().expect("code");
    for want in [
        "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ",
        "Cổng Dịch vụ công Thành phố Hà Nội",
        "Người nộp: Nguyễn Thị Hồng Nhung",
        "Thủ tục: Cấp Phiếu lý lịch tư pháp số 1",
        "Số tiền: 200.000 đồng",
        code,
    ] {
        assert!(text.contains(want), "{want:?} not in {text:?}");
    }
    sim.shutdown().await;
}
