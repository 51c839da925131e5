use super::*;

fn problems(source: &str) -> Vec<String> {
    validate(Path::new("s.toml"), source)
        .expect_err("invalid")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn unknown_keys_are_errors_with_their_place() {
    let found =
        problems("[load]\nstages = []\nmax_inflight = 3\n[[journey]]\nname = \"a\"\nstep = []\n");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("s.toml:3:1: unknown field `max_inflight`"),
        "{found:?}"
    );
}

#[test]
fn every_semantic_problem_is_reported_at_once() {
    let found = problems(
        r#"[load]
stages = [{ duration = "1m", rate = "5000/s" }, { duration = "soon", rate = "1/s" }]

[[journey]]
name = "j"
  [[journey.step]]
  name = "lookup"
  path = "/api/dossiers/{{dossier_code}}"
  extract = { code = { json = "$.code[" } }
  [[journey.step]]
  name = "pay"
  method = "POST"
  path = "api/pay"
  think = { fixed = "1s", exponential = "2s" }

[thresholds]
"step.lookup.p95" = "< 800ms"
"step.lookup.p42" = "< 1s"
"#,
    );
    let expect = [
        "s.toml:2:11: rate 5000/s is over max_rate 1000/s",
        "s.toml:2:49: expected a duration such as",
        "s.toml:6:3: step \"lookup\" uses {{dossier_code}}, which no earlier step extracts",
        "s.toml:9:22: bad JSON path \"$.code[\"",
        "s.toml:13:10: path must start with /",
        "s.toml:14:11: think needs exactly one of",
        "s.toml:18:21: unknown statistic \"p42\"",
    ];
    for e in expect {
        assert!(
            found.iter().any(|f| f.starts_with(e)),
            "missing {e:?} in {found:#?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
}

#[test]
fn a_path_with_a_line_break_is_refused_at_its_place() {
    let found = problems(
        "[load]\nstages = [{ duration = \"1s\", rate = \"1/s\" }]\n[[journey]]\nname = \"j\"\n  [[journey.step]]\n  name = \"s\"\n  path = \"/a\\r\\nHost: evil\"\n",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("s.toml:7:10: path may not hold control characters"),
        "{found:#?}"
    );
}

#[test]
fn a_path_led_by_an_encoded_variable_asks_for_a_slash_or_raw() {
    let scenario = |path: &str| {
        format!(
            "[load]\nstages = [{{ duration = \"1s\", rate = \"1/s\" }}]\n[[journey]]\nname = \"j\"\n  [[journey.step]]\n  name = \"a\"\n  path = \"/\"\n  extract = {{ next = {{ json = \"$.next\" }} }}\n  [[journey.step]]\n  name = \"s\"\n  path = \"{path}\"\n"
        )
    };
    let found = problems(&scenario("{{next}}"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("s.toml:11:10: path starts with a variable")
            && found[0].contains("\" | raw\""),
        "{found:#?}"
    );
    for ok in ["{{next | raw}}", "/r/{{next}}"] {
        assert!(validate(Path::new("s.toml"), &scenario(ok)).is_ok(), "{ok}");
    }
}

#[test]
fn closed_model_stages_count_users_in_whole_seconds() {
    let ok = validate(
        Path::new("s.toml"),
        "[load]\nmodel = \"closed\"\nstages = [{ duration = \"30s\", users = 50 }, { duration = \"1m\", users = 50 }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
    )
    .expect("valid");
    assert_eq!(ok.load.model(), Model::Closed);
    assert_eq!(ok.load.duration(), Duration::from_secs(90));
    assert_eq!(ok.load.users_at(15.0), 25.0);
    assert_eq!(ok.load.users_at(60.0), 50.0);
    assert_eq!(ok.load.users_at(95.0), 0.0);
    let found = problems(
        r#"[load]
model = "closed"
arrivals = "poisson"
max_rate = "10/s"
stages = [{ duration = "1500ms", users = 5 }, { duration = "1m", rate = "2/s" }]

[[journey]]
name = "j"
  [[journey.step]]
  name = "s"
  path = "/"
"#,
    );
    let expect = [
        "s.toml:3:12: arrivals applies to the open model only",
        "s.toml:4:12: max_rate applies to the open model only",
        "s.toml:5:11: a closed-model stage lasts a whole number of seconds",
        "s.toml:5:47: rate is an open-model stage key",
        "s.toml:5:47: a closed-model stage needs users",
    ];
    for e in expect {
        assert!(
            found.iter().any(|f| f.starts_with(e)),
            "missing {e:?} in {found:#?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    let open = problems(
        "[load]\nstages = [{ duration = \"1s\", users = 5 }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
    );
    assert!(
        open[0].starts_with("s.toml:2:11: users is a closed-model stage key"),
        "{open:?}"
    );
    let capped = problems(
        "[load]\nmodel = \"closed\"\nmax_users = 100\nstages = [{ duration = \"1s\", users = 2000 }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
    );
    assert!(
        capped[0].starts_with("s.toml:4:11: 2000 users is over max_users 100"),
        "{capped:?}"
    );
    let model = problems(
        "[load]\nmodel = \"shut\"\nstages = [{ duration = \"1s\", rate = \"1/s\" }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
    );
    assert!(
        model[0].starts_with("s.toml:2:9: model must be \"open\" or \"closed\""),
        "{model:?}"
    );
}

#[test]
fn an_unreadable_ca_file_is_reported_at_its_key() {
    let found = problems(
        "[target]\nurl = \"https://localhost:8443\"\nca_file = \"no-such-ca.pem\"\n[load]\nstages = [{ duration = \"1s\", rate = \"1/s\" }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("s.toml:3:11: cannot read ca_file no-such-ca.pem"),
        "{found:?}"
    );
}

#[test]
fn variables_extracted_earlier_and_data_are_known() {
    let ok = validate(
        Path::new("s.toml"),
        r#"[load]
stages = [{ duration = "1s", rate = "1/s" }]
[[journey]]
name = "j"
  [[journey.step]]
  name = "submit"
  method = "POST"
  path = "/api/x"
  json = { name = "{{citizen.full_name}}", id = "{{journey.id}}" }
  extract = { code = { json = "$.code" } }
  [[journey.step]]
  name = "lookup"
  path = "/api/x/{{code}}"
"#,
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
}

/// Files held in memory, by path.
struct InMemory(Vec<(&'static str, &'static [u8])>);

impl Files for InMemory {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.0
            .iter()
            .find(|(p, _)| Path::new(p) == path)
            .map(|(_, bytes)| bytes.to_vec())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

#[test]
fn validation_reads_only_what_it_is_given() {
    let source = "[[data.csv]]\nname = \"accounts\"\npath = \"accounts.csv\"\n\
                  [load]\nstages = [{ duration = \"1s\", rate = \"1/s\" }]\n\
                  [[journey]]\nname = \"j\"\n  [[journey.step]]\n  name = \"s\"\n  method = \"POST\"\n  path = \"/{{accounts.id}}\"\n  \
                  headers = { \"X-Token\" = \"${TOKEN}\" }\n  \
                  multipart = { fields = { note = \"x\" }, files = [{ path = \"scan.pdf\", field = \"files\" }] }\n";
    let files = InMemory(vec![
        ("dir/accounts.csv", b"id,password\n0123,a\n0456,b\n"),
        ("dir/scan.pdf", b"%PDF-1.4 test"),
    ]);
    let env = |name: &str| (name == "TOKEN").then(|| "t0ken-value".to_owned());
    let scenario =
        validate_with(Path::new("dir/s.toml"), source, &env, &files).expect("valid from memory");
    let row = |k: u64| scenario.feeders[0].row(k).collect::<Vec<_>>();
    assert_eq!(row(1), row(3), "two rows, handed out in turn");
    assert_ne!(row(0), row(1));
    assert_eq!(scenario.secrets.redact("t0ken-value"), "[redacted]");
    // What it is not given is a problem at its place, not a read of the disk.
    let none = InMemory(Vec::new());
    let found: Vec<String> = validate_with(Path::new("dir/s.toml"), source, &env, &none)
        .expect_err("no files")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("dir/s.toml:1:1: cannot read CSV dir/accounts.csv")),
        "{found:#?}"
    );
}
