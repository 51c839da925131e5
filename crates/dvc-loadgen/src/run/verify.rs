//! `verify`: after the run, every value the verify variable took is looked up on the portal.

use super::*;

/// What one lookup of a created record found.
enum Lookup {
    Found,
    /// The portal answered, and not with the record.
    Missing,
    /// No usable answer (5xx, 429, a timeout, no connection), even after retries.
    Unchecked,
}

/// Looks up every value the verify variable took; counts records not found, values handed out
/// more than once, and values that could not be checked.
pub(super) async fn verify(
    rt: &Runtime,
    v: &crate::scenario::Verify,
    client: &HttpClient,
    base: &str,
    keep_hashes: bool,
) -> VerifyResult {
    let values = rt
        .verify_values
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let value_hashes = keep_hashes.then(|| crate::merge::encode_hashes(&values));
    let mut counts: HashMap<String, u64> = HashMap::new();
    for value in &values {
        *counts.entry(value.clone()).or_default() += 1;
    }
    let duplicated = values.len() as u64 - counts.len() as u64;
    let limit = Arc::new(tokio::sync::Semaphore::new(32));
    let deadline = Instant::now() + VERIFY_BUDGET;
    let mut lookups = tokio::task::JoinSet::new();
    let mut unchecked = 0;
    for value in counts.into_keys() {
        let mut vars = crate::engine::request::JourneyState::default();
        vars.set(v.variable.clone(), value);
        let Ok(path) = v.path.render(&vars) else {
            unchecked += 1;
            continue;
        };
        let url = format!("{base}{path}");
        let (client, limit, status) = (client.clone(), limit.clone(), v.status);
        lookups.spawn(async move {
            let _permit = limit.acquire_owned().await;
            tokio::time::timeout_at(deadline, look_up(&client, &url, status))
                .await
                .unwrap_or(Lookup::Unchecked)
        });
    }
    let (mut checked, mut missing) = (0, 0);
    while let Some(lookup) = lookups.join_next().await {
        match lookup.unwrap_or(Lookup::Unchecked) {
            Lookup::Found => checked += 1,
            Lookup::Missing => (checked, missing) = (checked + 1, missing + 1),
            Lookup::Unchecked => unchecked += 1,
        }
    }
    VerifyResult {
        variable: v.variable.clone(),
        checked,
        missing,
        duplicated,
        unchecked,
        value_hashes,
    }
}

/// One record looked up, asked again after 0.5 s and 1 s while the portal gives no usable
/// answer: an overloaded portal's 503 says nothing about whether the record exists.
async fn look_up(client: &HttpClient, url: &str, status: u16) -> Lookup {
    let mut pause = Duration::from_millis(500);
    for attempt in 0..3 {
        if attempt > 0 {
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        let request = dvc_http::Prepared::get(url);
        match crate::engine::request::send(client, request, Duration::from_secs(30)).await {
            Ok(r) if r.status == status => return Lookup::Found,
            Ok(r) if r.status < 500 && r.status != 429 => return Lookup::Missing,
            _ => {}
        }
    }
    Lookup::Unchecked
}
