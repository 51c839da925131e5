//! The importer on small recordings and on garbage.
use super::*;
use proptest::prelude::*;

fn entry(method: &str, url: &str, status: u16, mime: &str, text: &str, post: Value) -> Value {
    serde_json::json!({
        "startedDateTime": "2026-12-01T08:00:00.000Z", "time": 10,
        "request": { "method": method, "url": url, "headers": [
            { "name": "Cookie", "value": "dvc_session=abc" },
            { "name": "Authorization", "value": "Bearer t0ken-from-login" } ],
            "postData": post },
        "response": { "status": status, "headers": [],
            "content": { "mimeType": mime, "text": text } },
    })
}
use serde_json::Value;

#[test]
fn a_token_an_answer_gave_is_correlated_and_cookies_never_copied() {
    let har = serde_json::json!({ "log": { "entries": [
            entry("POST", "http://127.0.0.1:8080/api/login", 200, "application/json",
                r#"{"token":"t0ken-from-login","user":{"id":"u-12345"}}"#,
                serde_json::json!({ "mimeType": "application/json",
                    "text": r#"{"citizen_id":"001199004321","password":"hunter22"}"# })),
            entry("GET", "http://127.0.0.1:8080/api/users/u-12345/dossiers?phone=0912345678", 200,
                "application/json", "[]", Value::Null),
        ] } });
    let toml = import(
        har.to_string().as_bytes(),
        &Options {
            name: "t".into(),
            host: None,
        },
    )
    .expect("imported");
    assert!(toml.contains(r#"token = { json = "$.token" }"#), "{toml}");
    assert!(toml.contains(r#"id = { json = "$.user.id" }"#), "{toml}");
    assert!(
        toml.contains(r#"path = "/api/users/{{id}}/dossiers""#),
        "{toml}"
    );
    assert!(
        toml.contains(r#"Authorization = "Bearer {{token}}""#),
        "{toml}"
    );
    assert!(
        toml.contains("post_api_login: its Authorization header came from no earlier answer"),
        "{toml}"
    );
    assert!(toml.contains(r#"phone = "{{citizen.phone}}""#), "{toml}");
    for private in [
        "001199004321",
        "hunter22",
        "0912345678",
        "dvc_session",
        "t0ken-from-login",
    ] {
        assert!(!toml.contains(private), "{private}:\n{toml}");
    }
    assert!(toml.contains("${DVC_PASSWORD}"));
    let parsed: toml::Table = toml::from_str(&toml).expect("valid TOML");
    assert_eq!(
        parsed["target"]["url"].as_str(),
        Some("http://127.0.0.1:8080")
    );
}

#[test]
fn nothing_to_import_is_said_so() {
    let only_assets = serde_json::json!({ "log": { "entries": [
            entry("GET", "http://127.0.0.1/app.js", 200, "application/javascript", "", Value::Null),
        ] } });
    assert!(import(only_assets.to_string().as_bytes(), &Options::default()).is_err());
    let empty = import(br#"{"log":{"entries":[]}}"#, &Options::default());
    assert!(matches!(empty, Err(ImportError::Empty)));
    let e = import(b"{\n\"log\": 3}", &Options::default()).expect_err("not HAR");
    assert!(e.to_string().starts_with("2:"), "{e}");
}

proptest! {
    #[test]
    fn garbage_never_panics_the_importer(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = import(&bytes, &Options::default());
    }

    #[test]
    fn odd_recordings_never_panic_the_importer(
        urls in proptest::collection::vec("(https?://[a-z.]{1,12}(:[0-9]{1,5})?)?/[ -~]{0,20}", 1..6),
        statuses in proptest::collection::vec(0i64..700, 1..6),
        bodies in proptest::collection::vec("[ -~]{0,40}", 1..6),
    ) {
        let entries: Vec<Value> = urls.iter().zip(statuses.iter().cycle()).zip(bodies.iter().cycle())
            .map(|((u, s), b)| serde_json::json!({
                "startedDateTime": "x", "time": -3,
                "request": { "method": "POST", "url": u,
                    "postData": { "mimeType": "application/x-www-form-urlencoded", "text": b } },
                "response": { "status": s, "redirectURL": b,
                    "content": { "mimeType": "text/html", "text": b } },
            }))
            .collect();
        let har = serde_json::json!({ "log": { "entries": entries } });
        if let Ok(toml) = import(har.to_string().as_bytes(), &Options { name: "p".into(), host: None }) {
            prop_assert!(toml::from_str::<toml::Table>(&toml).is_ok(), "{}", toml);
        }
    }
}
