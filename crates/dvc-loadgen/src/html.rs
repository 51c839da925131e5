//! Reading HTML pages (with `scraper`, html5ever's parser as browsers parse): CSS selectors for
//! `extract = { css = … }`, and the form a `submit_form` step posts, with its hidden fields.

/// A CSS selector checked when the scenario is read, with its text for messages.
#[derive(Clone)]
pub struct Selector {
    text: String,
    inner: scraper::Selector,
}

impl std::fmt::Debug for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Selector({:?})", self.text)
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Selector {
    pub(crate) fn inner(&self) -> &scraper::Selector {
        &self.inner
    }
}

/// Whether `host` is loopback (127.0.0.0/8, ::1, localhost).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    dvc_http::is_loopback(host)
}

/// Parses a CSS selector; an error says what is wrong with it.
pub fn selector(css: &str) -> Result<Selector, String> {
    scraper::Selector::parse(css)
        .map(|inner| Selector {
            text: css.to_owned(),
            inner,
        })
        .map_err(|e| format!("{css:?} is not a CSS selector: {e}"))
}

/// The first element `selector` finds in `body`: its `attr`, or its text (whitespace
/// collapsed). None when nothing matches or the attribute is absent.
pub fn select(body: &[u8], selector: &Selector, attr: Option<&str>) -> Option<String> {
    let page = scraper::Html::parse_document(&String::from_utf8_lossy(body));
    let element = page.select(&selector.inner).next()?;
    match attr {
        Some(name) => element.value().attr(name).map(str::to_owned),
        None => Some(
            element
                .text()
                .flat_map(str::split_whitespace)
                .collect::<Vec<_>>()
                .join(" "),
        ),
    }
}

/// A form as a browser would submit it.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// The `action` attribute as written (None: the page's own address).
    pub action: Option<String>,
    /// `GET` or `POST`.
    pub method: hyper::Method,
    /// The fields a browser sends before anyone types: inputs with a name and a value (hidden
    /// ones included; checkboxes and radios only when checked; no buttons or files), the
    /// selected option of each select, and textareas.
    pub fields: Vec<(String, String)>,
}

/// The first form `selector` finds in `body`.
pub fn form(body: &[u8], selector: &Selector) -> Option<Form> {
    let page = scraper::Html::parse_document(&String::from_utf8_lossy(body));
    let form = page.select(&selector.inner).next()?;
    if form.value().name() != "form" {
        return None;
    }
    let fields_selector =
        scraper::Selector::parse("input, select, textarea").expect("invariant: a valid selector");
    let option = scraper::Selector::parse("option").expect("invariant: a valid selector");
    let mut fields = Vec::new();
    for field in form.select(&fields_selector) {
        let el = field.value();
        let Some(name) = el.attr("name").filter(|n| !n.is_empty()) else {
            continue;
        };
        if el.attr("disabled").is_some() {
            continue;
        }
        let value = match el.name() {
            "input" => {
                let kind = el.attr("type").unwrap_or("text").to_ascii_lowercase();
                match kind.as_str() {
                    "submit" | "button" | "image" | "reset" | "file" => continue,
                    "checkbox" | "radio" if el.attr("checked").is_none() => continue,
                    "checkbox" | "radio" => el.attr("value").unwrap_or("on").to_owned(),
                    _ => el.attr("value").unwrap_or("").to_owned(),
                }
            }
            "select" => {
                let options: Vec<_> = field.select(&option).collect();
                let chosen = options
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or_else(|| options.first());
                match chosen {
                    Some(o) => o
                        .value()
                        .attr("value")
                        .map(str::to_owned)
                        .unwrap_or_else(|| o.text().collect::<String>().trim().to_owned()),
                    None => continue,
                }
            }
            _ => field.text().collect(),
        };
        fields.push((name.to_owned(), value));
    }
    let method = match form.value().attr("method").map(str::to_ascii_uppercase) {
        Some(m) if m == "POST" => hyper::Method::POST,
        _ => hyper::Method::GET,
    };
    Some(Form {
        action: form.value().attr("action").map(str::to_owned),
        method,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LOGIN: &str = r#"<html><body><form id="other"></form>
        <form id="login" method="post" action="/sso/login?session_code=abc">
        <input type="hidden" name="csrf_token" value="t0k3n">
        <input name="username"><input type="password" name="password">
        <input type="checkbox" name="remember" checked><input type="checkbox" name="spam">
        <select name="lang"><option value="en">English</option><option value="vi" selected>Tiếng Việt</option></select>
        <textarea name="note">xin chào</textarea>
        <input type="submit" name="go" value="Đăng nhập"><input name="off" value="x" disabled>
        </form></body></html>"#;

    #[test]
    fn a_login_forms_hidden_fields_action_and_method_are_found() {
        let form = form(LOGIN.as_bytes(), &selector("form#login").expect("css")).expect("form");
        assert_eq!(form.action.as_deref(), Some("/sso/login?session_code=abc"));
        assert_eq!(form.method, hyper::Method::POST);
        let fields: Vec<(&str, &str)> = form
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("csrf_token", "t0k3n"),
                ("username", ""),
                ("password", ""),
                ("remember", "on"),
                ("lang", "vi"),
                ("note", "xin chào"),
            ]
        );
        assert!(super::form(LOGIN.as_bytes(), &selector("input").expect("css")).is_none());
    }

    #[test]
    fn css_extraction_takes_an_attribute_or_the_text() {
        let csrf = selector("input[name=csrf_token]").expect("css");
        assert_eq!(
            select(LOGIN.as_bytes(), &csrf, Some("value")).as_deref(),
            Some("t0k3n")
        );
        assert_eq!(select(LOGIN.as_bytes(), &csrf, Some("nope")), None);
        let note = selector("textarea").expect("css");
        assert_eq!(
            select(LOGIN.as_bytes(), &note, None).as_deref(),
            Some("xin chào")
        );
        assert!(selector("form[").is_err());
    }

    proptest! {
        #[test]
        fn garbage_pages_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let css = selector("form, input[name=a]").expect("css");
            let _ = select(&bytes, &css, Some("value"));
            let _ = form(&bytes, &css);
        }
    }
}
