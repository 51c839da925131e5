//! What a browser does between a journey's requests: keeps cookies by Domain, Path and
//! expiry, follows redirects, and submits a page's form with its hidden fields.

use super::request::{Failure, JourneyState, Response};
use crate::recorder::Outcome;
use crate::scenario::{Body, Step};
use dvc_http::{Prepared, encode_component_into, fail};
use hyper::body::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};

/// Puts the journey's cookies for `url` in a `Cookie` header (replacing any).
pub fn add_cookies(state: &JourneyState, url: &str, headers: &mut HeaderMap) {
    headers.remove(hyper::header::COOKIE);
    if state.cookies.iter_any().next().is_none() {
        return;
    }
    let Ok(url) = url::Url::parse(url) else {
        return;
    };
    let pairs: Vec<String> = state
        .cookies
        .get_request_values(&url)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !pairs.is_empty()
        && let Ok(v) = HeaderValue::from_str(&pairs.join("; "))
    {
        headers.insert(hyper::header::COOKIE, v);
    }
}

/// Keeps the cookies `response` (to a request for `url`) sets, as a browser would.
pub fn store_cookies(state: &mut JourneyState, url: &str, response: &Response) {
    let set = response.headers.get_all("set-cookie");
    if set.is_empty() {
        return;
    }
    let Ok(url) = url::Url::parse(url) else {
        return;
    };
    for cookie in set {
        if let Ok(text) = std::str::from_utf8(cookie) {
            // A cookie the store refuses (another domain's, malformed) is left out, as a
            // browser leaves it.
            let _ = state.cookies.parse(text, &url);
        }
    }
}

/// Where a redirect answer sends the client next, resolved against `url`; None when the
/// answer is not a redirect.
pub fn redirect_target(response: &Response, url: &str) -> Option<Result<String, Failure>> {
    if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = response.headers.get("location")?;
    Some(
        url::Url::parse(url)
            .and_then(|base| base.join(location.trim()))
            .map(String::from)
            .map_err(|e| {
                fail(
                    Outcome::CheckFailed,
                    format!("the redirect to {location:?} cannot be followed: {e}"),
                )
            }),
    )
}

/// The request a redirect of `status` leads to: 307 and 308 repeat the method and body; the
/// others become a GET without a body (RFC 9110 §15.4). A redirect to another origin leaves
/// `Authorization` behind.
pub fn follow(previous: &Prepared, status: u16, to: String, state: &JourneyState) -> Prepared {
    let mut next = previous.clone();
    let same_origin = origin_of(&previous.url) == origin_of(&to);
    if !matches!(status, 307 | 308) && previous.method != hyper::Method::HEAD {
        next.method = hyper::Method::GET;
        next.body = Bytes::new();
        next.headers.remove(hyper::header::CONTENT_TYPE);
        next.headers.remove(hyper::header::CONTENT_LENGTH);
    }
    if !same_origin {
        next.headers.remove(hyper::header::AUTHORIZATION);
    }
    add_cookies(state, &to, &mut next.headers);
    next.url = to;
    next
}

fn origin_of(url: &str) -> Option<url::Origin> {
    url::Url::parse(url).ok().map(|u| u.origin())
}

/// The request of a `submit_form` step: the form its selector finds in the journey's last
/// page, its fields with the step's `form` fields over them, to its action by its method.
pub fn build_form(
    default_headers: &[(HeaderName, crate::template::Template)],
    step: &Step,
    selector: &crate::html::Selector,
    state: &JourneyState,
) -> Result<Prepared, Failure> {
    let check_failed = |why: String| fail(Outcome::CheckFailed, why);
    let (page_url, page) = state.last_page.as_ref().ok_or_else(|| {
        check_failed(format!(
            "submit_form {selector:?} needs a page from the step before"
        ))
    })?;
    let form = crate::html::form(page, selector)
        .ok_or_else(|| check_failed(format!("no form {selector} in the page of {page_url}")))?;
    let page_url = url::Url::parse(page_url).map_err(|e| check_failed(e.to_string()))?;
    let mut action = match form.action.as_deref().map(str::trim) {
        Some(a) if !a.is_empty() => page_url
            .join(a)
            .map_err(|e| check_failed(format!("the form's action {a:?}: {e}")))?,
        _ => page_url.clone(),
    };
    let mut fields = form.fields;
    if let Body::Form(own) = &step.body {
        for (name, template) in own {
            let value = template
                .render(state)
                .map_err(|e| check_failed(e.to_string()))?;
            match fields.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = value,
                None => fields.push((name.clone(), value)),
            }
        }
    }
    let mut encoded = String::new();
    for (k, v) in &fields {
        if !encoded.is_empty() {
            encoded.push('&');
        }
        encode_component_into(k, &mut encoded);
        encoded.push('=');
        encode_component_into(v, &mut encoded);
    }
    let mut headers = HeaderMap::new();
    for (name, value) in default_headers.iter().chain(&step.headers) {
        let value = value
            .render(state)
            .map_err(|e| check_failed(e.to_string()))
            .and_then(|v| HeaderValue::from_str(&v).map_err(|e| check_failed(e.to_string())))?;
        headers.insert(name.clone(), value);
    }
    let body = if form.method == hyper::Method::POST {
        headers.insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        Bytes::from(encoded)
    } else {
        action.set_query(Some(&encoded));
        Bytes::new()
    };
    let url = String::from(action);
    add_cookies(state, &url, &mut headers);
    Ok(Prepared {
        method: form.method,
        url,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_cookies(cookies: &[&str]) -> Response {
        let mut map = hyper::HeaderMap::new();
        for c in cookies {
            map.append("set-cookie", HeaderValue::from_str(c).expect("header"));
        }
        Response {
            status: 302,
            headers: dvc_http::Headers::from_map(&map),
            body: Bytes::new(),
        }
    }

    fn sent(state: &JourneyState, url: &str) -> Option<String> {
        let mut headers = HeaderMap::new();
        add_cookies(state, url, &mut headers);
        headers
            .get(hyper::header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    #[test]
    fn cookies_go_back_by_path_domain_and_expiry_as_a_browser_sends_them() {
        let mut state = JourneyState::default();
        let portal = "http://127.0.0.1:8080";
        store_cookies(
            &mut state,
            &format!("{portal}/sso/authorize"),
            &set_cookies(&[
                "sso_csrf=c1; Path=/sso; HttpOnly",
                "theme=dark; Path=/",
                "gone=x; Path=/; Max-Age=0",
                "other=y; Domain=example.vn; Path=/",
            ]),
        );
        assert_eq!(
            sent(&state, &format!("{portal}/api/me")).as_deref(),
            Some("theme=dark")
        );
        let sso = sent(&state, &format!("{portal}/sso/login")).expect("cookies");
        assert!(
            sso.contains("sso_csrf=c1") && sso.contains("theme=dark"),
            "{sso}"
        );
        // Another host gets none of them.
        assert_eq!(sent(&state, "http://127.0.0.2:8080/sso/login"), None);
        // Max-Age=0 removes a cookie the portal set before.
        store_cookies(
            &mut state,
            &format!("{portal}/sso/login"),
            &set_cookies(&["sso_csrf=; Path=/sso; Max-Age=0"]),
        );
        assert_eq!(
            sent(&state, &format!("{portal}/sso/x")).as_deref(),
            Some("theme=dark")
        );
    }

    #[test]
    fn a_redirect_becomes_a_get_but_307_keeps_the_method_and_another_origin_loses_authorization() {
        let state = JourneyState::default();
        let mut headers = HeaderMap::new();
        headers.insert(
            hyper::header::AUTHORIZATION,
            HeaderValue::from_static("Bearer t"),
        );
        headers.insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let post = Prepared {
            method: hyper::Method::POST,
            url: "http://127.0.0.1:1/sso/login".into(),
            headers,
            body: Bytes::from_static(b"a=1"),
        };
        let to = redirect_target(
            &Response {
                status: 302,
                headers: dvc_http::Headers::from_map(&{
                    let mut m = hyper::HeaderMap::new();
                    m.insert("location", HeaderValue::from_static("../cb?code=1"));
                    m
                }),
                body: Bytes::new(),
            },
            &post.url,
        )
        .expect("a redirect")
        .expect("resolved");
        assert_eq!(to, "http://127.0.0.1:1/cb?code=1");
        let get = follow(&post, 302, to.clone(), &state);
        assert_eq!((get.method.as_str(), get.body.len()), ("GET", 0));
        assert!(get.headers.get(hyper::header::CONTENT_TYPE).is_none());
        assert!(
            get.headers.get(hyper::header::AUTHORIZATION).is_some(),
            "same origin"
        );
        let kept = follow(&post, 307, "http://127.0.0.2:1/x".into(), &state);
        assert_eq!(
            (kept.method.as_str(), &kept.body[..]),
            ("POST", &b"a=1"[..])
        );
        assert!(
            kept.headers.get(hyper::header::AUTHORIZATION).is_none(),
            "another origin"
        );
        assert!(
            redirect_target(&set_cookies(&[]), &post.url).is_none(),
            "no Location"
        );
    }
}
