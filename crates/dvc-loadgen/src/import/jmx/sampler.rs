//! An HTTP sampler and what hangs under it: headers, extractors, assertions, timers.

use super::*;
use crate::import::string;
use roxmltree::Node;

pub(super) fn origin(el: Node, domain: &str) -> String {
    let protocol = prop(el, "HTTPSampler.protocol")
        .filter(|p| !p.is_empty())
        .unwrap_or("http");
    match prop(el, "HTTPSampler.port").filter(|p| !p.is_empty()) {
        Some(port) => format!("{protocol}://{domain}:{port}"),
        None => format!("{protocol}://{domain}"),
    }
}

pub(super) fn header_manager(el: Node) -> Vec<(String, String)> {
    el.descendants()
        .filter(|n| n.has_tag_name("elementProp"))
        .filter_map(|h| {
            Some((
                prop(h, "Header.name")?.to_owned(),
                prop(h, "Header.value")?.to_owned(),
            ))
        })
        .filter(|(k, _)| !k.eq_ignore_ascii_case("cookie"))
        .collect()
}

pub(super) fn sampler(el: Node, plan: &mut Plan, here: &str) -> Step {
    if let Some(domain) = prop(el, "HTTPSampler.domain").filter(|d| !d.is_empty()) {
        let o = origin(el, domain);
        if plan.origin.as_deref().is_some_and(|p| p != o) {
            plan.untranslated.push(format!(
                "{here}: goes to {o}, another host than the plan's {}",
                plan.origin.as_deref().unwrap_or("")
            ));
        }
        plan.origin.get_or_insert(o);
    }
    let method = prop(el, "HTTPSampler.method")
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let raw = prop(el, "HTTPSampler.postBodyRaw") == Some("true");
    let mut args: Vec<(String, String)> = Vec::new();
    for arg in el.descendants().filter(|n| n.has_tag_name("elementProp")) {
        if let Some(value) = prop(arg, "Argument.value") {
            args.push((
                prop(arg, "Argument.name").unwrap_or("").to_owned(),
                value.to_owned(),
            ));
        }
    }
    let mut path = prop(el, "HTTPSampler.path").unwrap_or("").to_owned();
    if path.is_empty() {
        path = plan.defaults_path.clone();
    }
    let mut step = Step {
        name: journey_name(&label(el), 0),
        method: method.clone(),
        ..Step::default()
    };
    if let Some((p, q)) = path.split_once('?') {
        step.query = url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        path = p.to_owned();
    }
    step.path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    if raw {
        let body = args.first().map(|a| a.1.clone()).unwrap_or_default();
        match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(v) if v.is_object() || v.is_array() => step.json = Some(v),
            _ => plan
                .untranslated
                .push(format!("{here}: a raw body that is not JSON")),
        }
    } else if method == "GET" || method == "DELETE" {
        step.query.extend(args);
    } else {
        step.form = args;
    }
    step
}

pub(super) fn child_of_sampler(el: Node, step: &mut Step, plan: &mut Plan, here: &str) {
    match el.tag_name().name() {
        "HeaderManager" => step.headers.extend(header_manager(el)),
        "RegexExtractor" => {
            let (Some(var), Some(re)) = (
                prop(el, "RegexExtractor.refname"),
                prop(el, "RegexExtractor.regex"),
            ) else {
                return plan
                    .untranslated
                    .push(format!("{here}: an extractor without a name or expression"));
            };
            if prop(el, "RegexExtractor.useHeaders").is_some_and(|h| h != "false") {
                plan.untranslated.push(format!(
                    "{here}: extracts from headers (use extract = {{ header = … }})"
                ));
            }
            if prop(el, "RegexExtractor.template").is_some_and(|t| t != "$1$") {
                plan.notes.push(format!(
                    "{here}: takes the first group, not the template {}",
                    prop(el, "RegexExtractor.template").unwrap_or("")
                ));
            }
            step.extract
                .push((var.to_owned(), format!("regex = {}", string(re))));
        }
        "JSONPostProcessor" => {
            let names = prop(el, "JSONPostProcessor.referenceNames").unwrap_or("");
            let exprs = prop(el, "JSONPostProcessor.jsonPathExprs").unwrap_or("");
            for (var, path) in names.split(';').zip(exprs.split(';')) {
                let (var, path) = (var.trim(), path.trim());
                if crate::jsonpath::JsonPath::parse(path).is_ok()
                    && !path.contains('*')
                    && !path.contains("..")
                {
                    step.extract
                        .push((var.to_owned(), format!("json = {}", string(path))));
                } else {
                    plan.untranslated.push(format!(
                        "{here}: the JSON path {path} (only $.a.b[0].c paths are)"
                    ));
                }
            }
        }
        "ResponseAssertion" => {
            let field = prop(el, "Assertion.test_field").unwrap_or("");
            let strings: Vec<&str> = el
                .descendants()
                .filter(|n| {
                    n.has_tag_name("stringProp")
                        && n.parent().is_some_and(|p| p.has_tag_name("collectionProp"))
                })
                .filter_map(|n| n.text())
                .collect();
            match (field, strings.as_slice()) {
                ("Assertion.response_code", [code]) => step.status = code.trim().parse().ok(),
                ("Assertion.response_data", [text]) => step.contains = Some((*text).to_owned()),
                _ => plan.untranslated.push(format!(
                    "{here}: an assertion on {field} with {} strings",
                    strings.len()
                )),
            }
        }
        "ConstantTimer" => {
            step.think =
                num(el, "ConstantTimer.delay").map(|ms| format!("{{ fixed = \"{ms}ms\" }}"))
        }
        _ => plan
            .untranslated
            .push(format!("{here} ({})", el.tag_name().name())),
    }
}
