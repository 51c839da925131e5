//! The probe's Kubernetes manifests as `kubectl kustomize` renders them: each overlay in its own
//! namespace under the "restricted" Pod Security Standard, a tagged image, a configuration
//! whose change rolls the pod; and, for kube-prometheus-stack, the rules and dashboards kept
//! equal to `dashboards/` (`DVCBENCH_BLESS=1 cargo test k8s` rewrites them).

use crate::distributed::{assert_restricted, kustomize, of_kind};
use dvcbench_e2e::repo;
use serde_norway::{Mapping, Value};
use std::path::Path;

#[test]
fn each_probe_overlay_renders_a_restricted_probe_in_its_own_namespace() {
    for (dir, namespace) in [
        ("docker/k8s/base", "dvc-probe"),
        ("docker/k8s/regions/hanoi", "dvc-probe-hanoi"),
        ("docker/k8s/regions/hochiminh", "dvc-probe-hochiminh"),
    ] {
        let docs = kustomize(dir);
        let ns = of_kind(&docs, "Namespace");
        assert_eq!(ns.len(), 1, "{dir}");
        assert_eq!(ns[0]["metadata"]["name"], namespace, "{dir}");
        assert_eq!(
            ns[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], "restricted",
            "{dir}"
        );
        for d in docs.iter().filter(|d| d["kind"] != "Namespace") {
            assert_eq!(
                d["metadata"]["namespace"], namespace,
                "{dir}: {:?}",
                d["kind"]
            );
        }
        let deployment = of_kind(&docs, "Deployment")[0];
        let pod = &deployment["spec"]["template"]["spec"];
        assert_restricted(dir, pod);
        let image = pod["containers"][0]["image"].as_str().expect("image");
        let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or_default();
        assert!(!tag.is_empty() && tag != "latest", "{dir}: image {image}");
        // The configuration has a hashed name, is the one mounted, and is a valid probe file.
        let cm = of_kind(&docs, "ConfigMap")
            .into_iter()
            .find(|c| c["data"]["probe.toml"].is_string())
            .expect("the probe's ConfigMap");
        let name = cm["metadata"]["name"].as_str().expect("name");
        let hash = name.rsplit('-').next().unwrap_or_default();
        assert!(
            hash.len() == 10 && name.starts_with("dvc-probe-config"),
            "{dir}: {name}"
        );
        let mounted = pod["volumes"]
            .as_sequence()
            .expect("volumes")
            .iter()
            .find_map(|v| v["configMap"]["name"].as_str());
        assert_eq!(mounted, Some(name), "{dir}");
        let toml = cm["data"]["probe.toml"].as_str().expect("text");
        dvc_probe::config::ProbeConfig::from_source("probe.toml", toml, None)
            .unwrap_or_else(|e| panic!("{dir}: {e:?}"));
    }
}

/// Compares `actual` with `path`, or writes it when blessing.
fn in_sync(path: &Path, actual: &str) {
    if std::env::var_os("DVCBENCH_BLESS").is_some() {
        std::fs::write(path, actual).expect("written");
        return;
    }
    let shipped = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}; DVCBENCH_BLESS=1 writes it", path.display()));
    assert!(
        shipped == actual,
        "{} differs from dashboards/ (DVCBENCH_BLESS=1 cargo test k8s rewrites it)",
        path.display()
    );
}

fn yaml(value: &Value) -> String {
    serde_norway::to_string(value).expect("YAML")
}

fn document(
    api: &str,
    kind: &str,
    name: &str,
    labels: &[(&str, &str)],
    body: (&str, Value),
) -> Value {
    let mut metadata = Mapping::new();
    metadata.insert("name".into(), name.into());
    if !labels.is_empty() {
        let mut l = Mapping::new();
        for (k, v) in labels {
            l.insert((*k).into(), (*v).into());
        }
        metadata.insert("labels".into(), Value::Mapping(l));
    }
    let mut doc = Mapping::new();
    doc.insert("apiVersion".into(), api.into());
    doc.insert("kind".into(), kind.into());
    doc.insert("metadata".into(), Value::Mapping(metadata));
    doc.insert(body.0.into(), body.1);
    Value::Mapping(doc)
}

#[test]
fn kube_prometheus_stack_gets_the_same_rules_and_dashboards_and_scrapes_every_probe() {
    let monitoring = repo().join("docker/k8s/monitoring");
    // The rules: both files' groups, as one PrometheusRule.
    let mut groups = Vec::new();
    for file in ["dvc-recording.yml", "dvc-alerts.yml"] {
        let text = std::fs::read_to_string(repo().join("dashboards/prometheus/rules").join(file))
            .expect("rules");
        let rules: Value = serde_norway::from_str(&text).expect("YAML");
        groups.extend(
            rules["groups"]
                .as_sequence()
                .expect("groups")
                .iter()
                .cloned(),
        );
    }
    let mut spec = Mapping::new();
    spec.insert("groups".into(), Value::Sequence(groups));
    let rule = document(
        "monitoring.coreos.com/v1",
        "PrometheusRule",
        "dvc-rules",
        &[],
        ("spec", Value::Mapping(spec)),
    );
    in_sync(
        &monitoring.join("prometheusrule.yaml"),
        &format!(
            "# Written from dashboards/prometheus/rules/ (DVCBENCH_BLESS=1 cargo test k8s).\n{}",
            yaml(&rule)
        ),
    );
    // The dashboards: one ConfigMap each.
    let mut maps = Vec::new();
    for name in [
        "load-test-run",
        "portal-overview",
        "province-comparison",
        "slo",
    ] {
        let json = std::fs::read_to_string(repo().join(format!("dashboards/grafana/{name}.json")))
            .expect("dashboard");
        let mut data = Mapping::new();
        data.insert(format!("{name}.json").into(), json.into());
        maps.push(yaml(&document(
            "v1",
            "ConfigMap",
            &format!("dvc-dashboard-{name}"),
            &[("grafana_dashboard", "1")],
            ("data", Value::Mapping(data)),
        )));
    }
    in_sync(
        &monitoring.join("dashboards.yaml"),
        &format!(
            "# Written from dashboards/grafana/ (DVCBENCH_BLESS=1 cargo test k8s).\n{}",
            maps.join("---\n")
        ),
    );
    // Rendered: the ServiceMonitor selects the probe's Service by its labels and port.
    let docs = kustomize("docker/k8s/monitoring");
    let monitor = of_kind(&docs, "ServiceMonitor")[0];
    let probe = kustomize("docker/k8s/regions/hanoi");
    let service = of_kind(&probe, "Service")[0];
    for (k, v) in monitor["spec"]["selector"]["matchLabels"]
        .as_mapping()
        .expect("selector")
    {
        assert_eq!(&service["metadata"]["labels"][k.as_str().expect("key")], v);
    }
    assert_eq!(
        monitor["spec"]["endpoints"][0]["port"],
        service["spec"]["ports"][0]["name"]
    );
    assert_eq!(monitor["spec"]["namespaceSelector"]["any"], true);
    assert_eq!(of_kind(&docs, "ConfigMap").len(), 4);
    let rules = of_kind(&docs, "PrometheusRule")[0]["spec"]["groups"]
        .as_sequence()
        .map_or(0, Vec::len);
    assert!(rules >= 6, "{rules} rule groups");
}

#[test]
fn the_image_build_sends_no_build_output_caches_dependencies_and_strips_the_binary() {
    let ignore = std::fs::read_to_string(repo().join(".dockerignore")).expect(".dockerignore");
    let ignored: Vec<&str> = ignore.lines().filter(|l| !l.starts_with('#')).collect();
    for path in ["target", ".git"] {
        assert!(ignored.contains(&path), ".dockerignore lacks {path}");
    }
    let dockerfile = std::fs::read_to_string(repo().join("docker/Dockerfile")).expect("Dockerfile");
    assert!(dockerfile.contains("--mount=type=cache,target=/usr/local/cargo/registry"));
    assert!(dockerfile.contains("--mount=type=cache,target=/src/target"));
    assert!(dockerfile.contains("CARGO_PROFILE_RELEASE_STRIP=symbols"));
    // The image runs as the numeric user the manifests' runAsUser names.
    assert!(dockerfile.contains("USER 10001:10001"));
}
