//! `dvcbench import jmx`: a JMeter test plan as a scenario.
//!
//! Translated: thread groups (the closed model: threads, ramp-up, duration; each group a
//! journey), throughput timers (the open model), HTTP samplers (with HTTP Request Defaults and
//! header managers), CSV Data Sets (feeders), regular-expression and JSON extractors, response
//! assertions (status and text), constant and uniform random timers (think times), user-defined
//! variables, and simple controllers (their samplers in order). JMeter's `${name}` becomes
//! `{{name}}` for an extracted or CSV variable. A cookie manager needs nothing: every journey
//! keeps its cookies. Listeners are left out (dvcbench reports instead). Anything else is
//! listed with its element path (`Plan/Thread Group/JSR223 Sampler`), never dropped silently.

use roxmltree::Node;
use std::collections::BTreeMap;

/// Why a test plan cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}: not a JMeter test plan: {1}")]
    Xml(String, String),
    #[error("the test plan has no thread group with an HTTP request")]
    Empty,
}

/// A journey: one thread group's samplers.
#[derive(Default)]
pub(super) struct Group {
    pub(super) name: String,
    pub(super) threads: u64,
    pub(super) ramp: u64,
    pub(super) duration: u64,
    pub(super) steps: Vec<Step>,
}

#[derive(Default)]
pub(super) struct Step {
    pub(super) name: String,
    pub(super) method: String,
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) form: Vec<(String, String)>,
    pub(super) json: Option<serde_json::Value>,
    pub(super) status: Option<u16>,
    pub(super) contains: Option<String>,
    pub(super) extract: Vec<(String, String)>,
    pub(super) think: Option<String>,
}

/// What the plan holds around its samplers.
#[derive(Default)]
pub(super) struct Plan {
    pub(super) name: String,
    pub(super) origin: Option<String>,
    pub(super) defaults_path: String,
    pub(super) variables: BTreeMap<String, String>,
    pub(super) csv: Vec<(String, String, Vec<String>)>,
    /// Samples a minute, from a throughput timer.
    pub(super) throughput: Option<f64>,
    pub(super) groups: Vec<Group>,
    pub(super) untranslated: Vec<String>,
    pub(super) notes: Vec<String>,
}

/// A JMeter property of `el` by name (`stringProp`, `intProp`, `boolProp`, `longProp`).
pub(super) fn prop<'a>(el: Node<'a, 'a>, name: &str) -> Option<&'a str> {
    el.children()
        .find(|c| c.is_element() && c.attribute("name") == Some(name))
        .and_then(|c| c.text())
        .map(str::trim)
}

pub(super) fn num(el: Node, name: &str) -> Option<u64> {
    prop(el, name)
        .and_then(|v| v.parse::<f64>().ok())
        .map(|v| v.max(0.0) as u64)
}

/// The element's children paired with their `hashTree`s, as JMeter writes a tree.
pub(super) fn pairs<'a>(tree: Node<'a, 'a>) -> Vec<(Node<'a, 'a>, Option<Node<'a, 'a>>)> {
    let elements: Vec<Node> = tree.children().filter(Node::is_element).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < elements.len() {
        let el = elements[i];
        if el.tag_name().name() == "hashTree" {
            i += 1;
            continue;
        }
        let sub = elements
            .get(i + 1)
            .filter(|n| n.tag_name().name() == "hashTree")
            .copied();
        out.push((el, sub));
        i += if sub.is_some() { 2 } else { 1 };
    }
    out
}

pub(super) fn label(el: Node) -> String {
    let name = el.attribute("testname").unwrap_or("");
    if name.is_empty() {
        el.tag_name().name().to_owned()
    } else {
        name.to_owned()
    }
}

/// Imports a `.jmx` file's text as a scenario's TOML.
pub fn import(xml: &str, file_name: &str) -> Result<String, ImportError> {
    let doc = roxmltree::Document::parse(xml)
        .map_err(|e| ImportError::Xml(file_name.to_owned(), e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "jmeterTestPlan" {
        return Err(ImportError::Xml(
            file_name.to_owned(),
            format!(
                "its root is <{}>, not <jmeterTestPlan>",
                root.tag_name().name()
            ),
        ));
    }
    let mut plan = Plan::default();
    let top = root
        .children()
        .find(|c| c.tag_name().name() == "hashTree")
        .ok_or(ImportError::Empty)?;
    walk(top, "", &mut plan, None, &[]);
    if plan.groups.iter().all(|g| g.steps.is_empty()) {
        return Err(ImportError::Empty);
    }
    Ok(render(&plan))
}

/// Walks a tree, in `group` when inside a thread group, with the header managers in scope.
fn walk(
    tree: Node,
    path: &str,
    plan: &mut Plan,
    mut group: Option<&mut Group>,
    headers: &[(String, String)],
) {
    let items = pairs(tree);
    // Header managers and timers apply to everything in their scope.
    let mut scoped: Vec<(String, String)> = headers.to_vec();
    let mut think = None;
    for (el, _) in &items {
        match el.tag_name().name() {
            "HeaderManager" => scoped.extend(header_manager(*el)),
            "ConstantTimer" => {
                think =
                    num(*el, "ConstantTimer.delay").map(|ms| format!("{{ fixed = \"{ms}ms\" }}"));
            }
            "UniformRandomTimer" => {
                let delay = num(*el, "ConstantTimer.delay").unwrap_or(0);
                let range = num(*el, "RandomTimer.range").unwrap_or(0);
                think = Some(format!(
                    "{{ uniform = [\"{delay}ms\", \"{}ms\"] }}",
                    delay + range
                ));
            }
            _ => {}
        }
    }
    for (el, sub) in items {
        let tag = el.tag_name().name();
        let here = if path.is_empty() {
            label(el)
        } else {
            format!("{path}/{}", label(el))
        };
        match tag {
            "TestPlan" => {
                plan.name = label(el);
                for arg in el.descendants().filter(|n| n.has_tag_name("elementProp")) {
                    if let (Some(name), Some(value)) =
                        (prop(arg, "Argument.name"), prop(arg, "Argument.value"))
                    {
                        plan.variables.insert(name.to_owned(), value.to_owned());
                    }
                }
                if let Some(sub) = sub {
                    walk(sub, &here, plan, None, &scoped);
                }
            }
            "Arguments" => {
                for arg in el.descendants().filter(|n| n.has_tag_name("elementProp")) {
                    if let (Some(name), Some(value)) =
                        (prop(arg, "Argument.name"), prop(arg, "Argument.value"))
                    {
                        plan.variables.insert(name.to_owned(), value.to_owned());
                    }
                }
            }
            "ConfigTestElement" => {
                // HTTP Request Defaults.
                if let Some(domain) = prop(el, "HTTPSampler.domain").filter(|d| !d.is_empty()) {
                    plan.origin.get_or_insert(origin(el, domain));
                }
                if let Some(p) = prop(el, "HTTPSampler.path") {
                    plan.defaults_path = p.to_owned();
                }
            }
            "CSVDataSet" => {
                let file = prop(el, "filename").unwrap_or("").to_owned();
                let names: Vec<String> = prop(el, "variableNames")
                    .unwrap_or("")
                    .split(prop(el, "delimiter").unwrap_or(","))
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .collect();
                let feeder = format!("csv{}", plan.csv.len() + 1);
                if !names.is_empty() && prop(el, "ignoreFirstLine") != Some("true") {
                    plan.notes.push(format!(
                        "{here}: {file} must start with a line naming its columns ({}), as JMeter's variableNames did",
                        names.join(",")
                    ));
                }
                plan.csv.push((feeder, file, names));
            }
            "ThreadGroup" => {
                let mut g = Group {
                    name: journey_name(&label(el), plan.groups.len()),
                    threads: num(el, "ThreadGroup.num_threads").unwrap_or(1).max(1),
                    ramp: num(el, "ThreadGroup.ramp_time").unwrap_or(0),
                    duration: if prop(el, "ThreadGroup.scheduler") == Some("true") {
                        num(el, "ThreadGroup.duration").unwrap_or(0)
                    } else {
                        0
                    },
                    steps: Vec::new(),
                };
                if g.duration == 0 {
                    plan.notes.push(format!(
                        "{here}: runs a number of loops, not a duration; the scenario runs it for 60s (set --duration)"
                    ));
                    g.duration = 60;
                }
                if let Some(sub) = sub {
                    walk(sub, &here, plan, Some(&mut g), &scoped);
                }
                plan.groups.push(g);
            }
            "HTTPSamplerProxy" => {
                let Some(g) = group.as_deref_mut() else {
                    plan.untranslated
                        .push(format!("{here}: an HTTP request outside a thread group"));
                    continue;
                };
                let mut step = sampler(el, plan, &here);
                step.headers.extend(scoped.iter().cloned());
                step.think = think.clone();
                if let Some(sub) = sub {
                    for (child, _) in pairs(sub) {
                        child_of_sampler(
                            child,
                            &mut step,
                            plan,
                            &format!("{here}/{}", label(child)),
                        );
                    }
                }
                let mut n = 2;
                let base = step.name.clone();
                while g.steps.iter().any(|s| s.name == step.name) {
                    step.name = format!("{base}_{n}");
                    n += 1;
                }
                g.steps.push(step);
            }
            "ConstantThroughputTimer" | "PreciseThroughputTimer" => {
                let per_minute = prop(el, "throughput")
                    .or_else(|| prop(el, "calcMode"))
                    .and_then(|v| v.parse::<f64>().ok());
                match per_minute {
                    Some(t) if tag == "ConstantThroughputTimer" => plan.throughput = Some(t),
                    _ => plan.untranslated.push(format!(
                        "{here}: this throughput timer's settings are not read"
                    )),
                }
            }
            "GenericController" | "TransactionController" => {
                if tag == "TransactionController" {
                    plan.notes.push(format!(
                        "{here}: a transaction's requests are steps of their own"
                    ));
                }
                if let Some(sub) = sub {
                    walk(sub, &here, plan, group.as_deref_mut(), &scoped);
                }
            }
            "HeaderManager" | "ConstantTimer" | "UniformRandomTimer" => {}
            "CookieManager" => plan
                .notes
                .push(format!("{here}: every journey keeps its cookies already")),
            "ResultCollector" | "Summariser" | "BackendListener" => {
                plan.notes.push(format!(
                    "{here}: a listener; dvcbench's summary, run.json and reports take its place"
                ));
            }
            _ => plan.untranslated.push(format!("{here} ({tag})")),
        }
    }
}

pub(super) fn journey_name(label: &str, n: usize) -> String {
    let clean: String = crate::import::identifier(label);
    if clean.is_empty() {
        format!("group_{}", n + 1)
    } else {
        clean
    }
}

mod render;
mod sampler;
#[cfg(test)]
mod tests;

use render::render;
use sampler::{child_of_sampler, header_manager, origin, sampler};
