//! Templates: text with `{{name}}` placeholders filled from a journey's variables.
//!
//! Names are journey variables (set by `extract`), data (`citizen.full_name`, `accounts.password`
//! for a CSV feeder named `accounts`) and built-ins (`journey.id`, `journey.name`, `run.id`).
//! A template is parsed once, when the scenario is validated, so unknown names and unclosed
//! braces are reported with their place before any request is sent.
//!
//! In a path or a query value a variable's value is percent-encoded (RFC 3986), so a value
//! holding `/`, `?`, `#`, `&`, a space or a line break stays one segment or one value;
//! `{{name | raw}}` puts the value as it is (a whole path or query taken from a response).
//!
//! `${NAME}` and `${NAME:-default}` take a value from the environment, once, when the scenario
//! is validated ([`Template::resolve_env`]); such a value is a secret: it is sent, and shown
//! nowhere (a template displays as `${NAME}`).

use dvc_http::{encode_component_into, encode_segment_into};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// A variable; `raw` values are not percent-encoded in paths and queries.
    Var {
        name: String,
        raw: bool,
    },
    /// An environment variable, with its default and, once resolved, its value.
    Env {
        name: String,
        default: Option<String>,
        value: Option<String>,
    },
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

/// A template that cannot be read, or filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unclosed ${{ in {0:?}")]
    UnclosedEnv(String),
    #[error(
        "bad environment variable name {name:?} in {source_text:?} (write ${{NAME}} or ${{NAME:-default}})"
    )]
    EnvName { name: String, source_text: String },
    #[error("unclosed {{{{ in template {0:?}")]
    UnclosedVar(String),
    #[error("unknown filter {filter:?} in template {source_text:?} (only \"raw\" exists)")]
    Filter { filter: String, source_text: String },
    #[error("bad variable name {name:?} in template {source_text:?}")]
    VarName { name: String, source_text: String },
    #[error("environment variable {0} is not set (write ${{{0}:-default}} for a default)")]
    EnvUnset(String),
    #[error("environment variable {0} was not resolved")]
    EnvUnresolved(String),
    #[error("variable {0:?} is not set")]
    VarUnset(String),
    #[error("{0} is not a JSON number")]
    NotJsonNumber(String),
    #[error("url cannot use {{{{variables}}}}; ${{NAME}} takes it from the environment")]
    VarsInUrl,
}

/// Something that resolves variable names.
pub trait Vars {
    fn get(&self, name: &str) -> Option<&str>;
}

impl Template {
    /// Parses `source`; an unclosed or empty `{{` is an error.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let mut segments = Vec::new();
        let mut rest = source;
        while let Some(env) = rest.find("${") {
            let (before, after) = rest.split_at(env);
            segments.extend(Template::parse_vars(before, source)?.segments);
            let close = after
                .find('}')
                .ok_or_else(|| TemplateError::UnclosedEnv(source.to_owned()))?;
            let inside = &after[2..close];
            let (name, default) = match inside.split_once(":-") {
                Some((name, default)) => (name, Some(default.to_owned())),
                None => (inside, None),
            };
            let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(TemplateError::EnvName {
                    name: name.to_owned(),
                    source_text: source.to_owned(),
                });
            }
            segments.push(Segment::Env {
                name: name.to_owned(),
                default,
                value: None,
            });
            rest = &after[close + 1..];
        }
        segments.extend(Template::parse_vars(rest, source)?.segments);
        Ok(Template { segments })
    }

    /// Parses the `{{…}}` placeholders of `text`, a part of `source`.
    fn parse_vars(text: &str, source: &str) -> Result<Template, TemplateError> {
        let mut segments = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                segments.push(Segment::Literal(rest[..open].to_owned()));
            }
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| TemplateError::UnclosedVar(source.to_owned()))?;
            let inside = &after[..close];
            let (name, raw) = match inside.split_once('|') {
                Some((name, filter)) if filter.trim() == "raw" => (name.trim(), true),
                Some((_, filter)) => {
                    return Err(TemplateError::Filter {
                        filter: filter.trim().to_owned(),
                        source_text: source.to_owned(),
                    });
                }
                None => (inside.trim(), false),
            };
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
            if !valid {
                return Err(TemplateError::VarName {
                    name: name.to_owned(),
                    source_text: source.to_owned(),
                });
            }
            segments.push(Segment::Var {
                name: name.to_owned(),
                raw,
            });
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_owned()));
        }
        Ok(Template { segments })
    }

    /// A template without placeholders.
    pub fn literal(text: &str) -> Template {
        Template {
            segments: vec![Segment::Literal(text.to_owned())],
        }
    }

    /// Takes each `${NAME}` from `env` (its default when unset or empty); the values taken
    /// from the environment are returned, to be kept out of every output. An unset variable
    /// without a default is the error.
    pub fn resolve_env(
        &mut self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Vec<String>, TemplateError> {
        let mut secrets = Vec::new();
        for segment in &mut self.segments {
            if let Segment::Env {
                name,
                default,
                value,
            } = segment
            {
                match (env(name).filter(|v| !v.is_empty()), default) {
                    (Some(v), _) => {
                        secrets.push(v.clone());
                        *value = Some(v);
                    }
                    (None, Some(d)) => *value = Some(d.clone()),
                    (None, None) => {
                        return Err(TemplateError::EnvUnset(name.clone()));
                    }
                }
            }
        }
        Ok(secrets)
    }

    /// The literal text of the template, values of environment variables included.
    pub fn literal_text(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Literal(text) => Some(text.as_str()),
            Segment::Env { value, .. } => value.as_deref(),
            Segment::Var { .. } => None,
        })
    }

    /// Whether the template begins with a variable that is not raw.
    pub fn starts_with_encoded_var(&self) -> bool {
        matches!(self.segments.first(), Some(Segment::Var { raw: false, .. }))
    }

    /// The variable names used, in order.
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Var { name, .. } => Some(name.as_str()),
            Segment::Literal(_) | Segment::Env { .. } => None,
        })
    }

    /// Fills the placeholders; the name of the first unset variable is the error.
    pub fn render(&self, vars: &dyn Vars) -> Result<String, TemplateError> {
        let mut out = String::new();
        self.render_into(vars, &mut out)?;
        Ok(out)
    }

    /// [`render`](Self::render), appending to `out`.
    pub fn render_into(&self, vars: &dyn Vars, out: &mut String) -> Result<(), TemplateError> {
        self.render_encoded(
            vars,
            out,
            |text, out| out.push_str(text),
            |v, out| out.push_str(v),
        )
    }

    /// Renders a path: literal text as written, each variable's value percent-encoded as
    /// one path segment (`/`, `?`, `#`, `%` and anything outside `pchar` encoded) unless raw.
    pub fn render_path_into(&self, vars: &dyn Vars, out: &mut String) -> Result<(), TemplateError> {
        self.render_encoded(
            vars,
            out,
            |text, out| out.push_str(text),
            encode_segment_into,
        )
    }

    /// Renders a query or form value: everything percent-encoded but unreserved characters,
    /// except the values of raw variables.
    pub fn render_component_into(
        &self,
        vars: &dyn Vars,
        out: &mut String,
    ) -> Result<(), TemplateError> {
        self.render_encoded(vars, out, encode_component_into, encode_component_into)
    }

    fn render_encoded(
        &self,
        vars: &dyn Vars,
        out: &mut String,
        literal: impl Fn(&str, &mut String),
        value: impl Fn(&str, &mut String),
    ) -> Result<(), TemplateError> {
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => literal(text, out),
                Segment::Env { name, value, .. } => literal(
                    value
                        .as_deref()
                        .ok_or_else(|| TemplateError::EnvUnresolved(name.clone()))?,
                    out,
                ),
                Segment::Var { name, raw } => {
                    let v = vars
                        .get(name)
                        .ok_or_else(|| TemplateError::VarUnset(name.clone()))?;
                    if *raw {
                        out.push_str(v);
                    } else {
                        value(v, out);
                    }
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => f.write_str(text)?,
                Segment::Var { name, raw: false } => write!(f, "{{{{{name}}}}}")?,
                Segment::Var { name, raw: true } => write!(f, "{{{{{name} | raw}}}}")?,
                Segment::Env { name, .. } => write!(f, "${{{name}}}")?,
            }
        }
        Ok(())
    }
}

/// A JSON value whose strings are templates.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonTemplate {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Template),
    Array(Vec<JsonTemplate>),
    Object(Vec<(String, JsonTemplate)>),
}

impl JsonTemplate {
    /// Parses every string of a TOML value as a template.
    pub fn from_toml(value: &toml::Value) -> Result<JsonTemplate, TemplateError> {
        Ok(match value {
            toml::Value::String(s) => JsonTemplate::String(Template::parse(s)?),
            toml::Value::Integer(i) => JsonTemplate::Number((*i).into()),
            toml::Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(JsonTemplate::Number)
                .ok_or_else(|| TemplateError::NotJsonNumber(f.to_string()))?,
            toml::Value::Boolean(b) => JsonTemplate::Bool(*b),
            toml::Value::Datetime(d) => JsonTemplate::String(Template::literal(&d.to_string())),
            toml::Value::Array(items) => JsonTemplate::Array(
                items
                    .iter()
                    .map(JsonTemplate::from_toml)
                    .collect::<Result<_, _>>()?,
            ),
            toml::Value::Table(table) => JsonTemplate::Object(
                table
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), JsonTemplate::from_toml(v)?)))
                    .collect::<Result<_, TemplateError>>()?,
            ),
        })
    }

    /// Calls `f` on every string template with the key of the field holding it (an array's
    /// items take the array's key).
    pub fn visit_mut(&mut self, key: Option<&str>, f: &mut dyn FnMut(Option<&str>, &mut Template)) {
        match self {
            JsonTemplate::String(t) => f(key, t),
            JsonTemplate::Array(items) => items.iter_mut().for_each(|i| i.visit_mut(key, f)),
            JsonTemplate::Object(fields) => fields
                .iter_mut()
                .for_each(|(k, v)| v.visit_mut(Some(k.as_str()), f)),
            _ => {}
        }
    }

    /// Every variable name used.
    pub fn vars(&self) -> Vec<&str> {
        match self {
            JsonTemplate::String(t) => t.vars().collect(),
            JsonTemplate::Array(items) => items.iter().flat_map(JsonTemplate::vars).collect(),
            JsonTemplate::Object(fields) => fields.iter().flat_map(|(_, v)| v.vars()).collect(),
            _ => Vec::new(),
        }
    }

    /// The JSON value with placeholders filled.
    pub fn render(&self, vars: &dyn Vars) -> Result<serde_json::Value, TemplateError> {
        Ok(match self {
            JsonTemplate::Null => serde_json::Value::Null,
            JsonTemplate::Bool(b) => serde_json::Value::Bool(*b),
            JsonTemplate::Number(n) => serde_json::Value::Number(n.clone()),
            JsonTemplate::String(t) => serde_json::Value::String(t.render(vars)?),
            JsonTemplate::Array(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(|i| i.render(vars))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTemplate::Object(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), v.render(vars)?)))
                    .collect::<Result<_, TemplateError>>()?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);
    impl Vars for Map {
        fn get(&self, name: &str) -> Option<&str> {
            self.0.get(name).copied()
        }
    }

    #[test]
    fn fills_placeholders_and_reports_unset_ones() {
        let t =
            Template::parse("/api/dossiers/{{ dossier_code }}?x={{citizen.id}}").expect("valid");
        assert_eq!(t.vars().collect::<Vec<_>>(), ["dossier_code", "citizen.id"]);
        let vars = Map(HashMap::from([
            ("dossier_code", "A-1"),
            ("citizen.id", "001"),
        ]));
        assert_eq!(
            t.render(&vars).expect("rendered"),
            "/api/dossiers/A-1?x=001"
        );
        let err = t.render(&Map(HashMap::new())).expect_err("unset");
        assert_eq!(err.to_string(), "variable \"dossier_code\" is not set");
        assert_eq!(
            t.to_string(),
            "/api/dossiers/{{dossier_code}}?x={{citizen.id}}"
        );
    }

    #[test]
    fn rejects_unclosed_and_empty_placeholders() {
        assert!(Template::parse("/a/{{code").is_err());
        assert!(Template::parse("/a/{{}}").is_err());
        assert!(Template::parse("/a/{{a b}}").is_err());
        assert!(Template::parse("plain } text {").is_ok());
        let e = Template::parse("/a/{{code | upper}}").expect_err("no such filter");
        assert!(e.to_string().contains("unknown filter \"upper\""), "{e}");
    }

    #[test]
    fn environment_values_are_taken_once_and_never_displayed() {
        let env = |name: &str| (name == "TOKEN").then(|| "s3cr3t".to_owned());
        let mut t = Template::parse("Bearer ${TOKEN} ${LANG:-vi} {{citizen.id}}").expect("parsed");
        assert_eq!(t.resolve_env(&env), Ok(vec!["s3cr3t".to_owned()]));
        let vars = Map(HashMap::from([("citizen.id", "001")]));
        assert_eq!(t.render(&vars).as_deref(), Ok("Bearer s3cr3t vi 001"));
        assert_eq!(t.to_string(), "Bearer ${TOKEN} ${LANG} {{citizen.id}}");
        let mut unset = Template::parse("${NOPE}").expect("parsed");
        assert!(
            unset
                .resolve_env(&env)
                .is_err_and(|e| e.to_string().contains("NOPE is not set"))
        );
        for bad in ["${}", "${1A}", "${A-B}", "${A"] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_and_queries_encode_values_unless_raw() {
        let vars = Map(HashMap::from([
            ("code", "000.00.12.H01/241201 #1?x=%"),
            ("next", "/api/dossiers?page=2&size=20"),
            ("crlf", "a\r\nHost: evil"),
        ]));
        let path = |source: &str| {
            let mut out = String::new();
            Template::parse(source)
                .expect("template")
                .render_path_into(&vars, &mut out)
                .map(|()| out)
        };
        assert_eq!(
            path("/api/dossiers/{{code}}/x y").expect("rendered"),
            "/api/dossiers/000.00.12.H01%2F241201%20%231%3Fx=%25/x y"
        );
        assert_eq!(
            path("{{next | raw}}").expect("rendered"),
            "/api/dossiers?page=2&size=20"
        );
        assert_eq!(path("/{{crlf}}").expect("rendered"), "/a%0D%0AHost:%20evil");
        assert_eq!(
            Template::parse("{{next | raw}}")
                .expect("parsed")
                .to_string(),
            "{{next | raw}}"
        );
        let mut query = String::new();
        Template::parse("Tết {{code}}")
            .expect("template")
            .render_component_into(&vars, &mut query)
            .expect("rendered");
        assert_eq!(
            query,
            "T%E1%BA%BFt%20000.00.12.H01%2F241201%20%231%3Fx%3D%25"
        );
    }

    #[test]
    fn json_templates_render_nested_strings() {
        let value: toml::Value = toml::from_str(
            "applicant = { full_name = \"{{name}}\", age = 30 }\ntags = [\"{{name}}\", true]",
        )
        .expect("toml");
        let t = JsonTemplate::from_toml(&value).expect("template");
        assert_eq!(t.vars(), ["name", "name"]);
        let json = t
            .render(&Map(HashMap::from([("name", "Lê Văn Tám")])))
            .expect("rendered");
        assert_eq!(json["applicant"]["full_name"], "Lê Văn Tám");
        assert_eq!(json["applicant"]["age"], 30);
        assert_eq!(json["tags"][1], true);
    }
}
