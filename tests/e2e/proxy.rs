//! Proxies on every path: a run reaches its portal only through the proxy the environment or
//! the scenario names (the portal's address in the scenario is a port where nothing listens;
//! the test's proxy knows where the portal really is), `NO_PROXY` is honoured, `https://` goes
//! through a CONNECT tunnel with TLS (and HTTP/2) end to end, and proxy credentials stay secret.

use dvcbench_e2e::{Scratch, dvcbench_binary, free_port, proxy, sim, tls};
use std::collections::HashMap;
use std::process::Output;

/// Runs the dvcbench binary with `env` set, off the test's runtime.
async fn dvcbench_with(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(dvcbench_binary())
            .args(&args)
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .envs(env)
            .output()
            .expect("dvcbench runs")
    })
    .await
    .expect("joined")
}

fn scenario(target: &str, target_lines: &str, load: &str, check: &str) -> String {
    format!(
        "[target]\nurl = \"{target}\"\n{target_lines}\n{load}\n\
         [[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"get\"\npath = \"/\"\ncheck = {check}\n"
    )
}

const OPEN: &str = "[load]\nstages = [{ duration = \"1s\", rate = \"20/s\" }]";
const CLOSED: &str = "[load]\nmodel = \"closed\"\nstages = [{ duration = \"2s\", users = 2 }]";

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("run.json")).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_goes_through_the_environments_or_the_scenarios_proxy_and_nowhere_else() {
    let portal = sim::start("").await;
    let real = portal.portal_url().trim_start_matches("http://").to_owned();
    let nothing = format!("127.0.0.1:{}", free_port());
    let routes = HashMap::from([(nothing.clone(), real.parse().expect("address"))]);
    let open_proxy = proxy::start(routes.clone(), None).await;
    // dvc:s3cr3t-proxy
    let auth = "Basic ZHZjOnMzY3IzdC1wcm94eQ==".to_owned();
    let locked_proxy = proxy::start(routes, Some(auth)).await;
    let dir = Scratch::new("proxy-http");
    let target = format!("http://{nothing}");
    let ok = "{ status = 200, contains = \"Cổng dịch vụ công\" }";

    // HTTP_PROXY from the environment, open model.
    let file = dir.write("env.toml", &scenario(&target, "", OPEN, ok));
    let out = dir.path.join("env.json");
    let env_proxy = format!("http://{}", open_proxy.addr);
    let args = |file: &std::path::Path, out: &std::path::Path| {
        vec![
            "run".to_owned(),
            "-q".to_owned(),
            file.display().to_string(),
            "--out".to_owned(),
            out.display().to_string(),
        ]
    };
    let run = dvcbench_with(args(&file, &out), vec![("HTTP_PROXY", env_proxy.clone())]).await;
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert!(
        text(&run).contains(&format!("against {target} through the proxy {env_proxy}:")),
        "{}",
        text(&run)
    );
    let summary = json(&out);
    assert_eq!(summary["steps"][0]["count"], 20);
    assert!(
        summary["steps"][0]["errors"]
            .as_object()
            .is_some_and(|e| e.is_empty())
    );
    assert!(open_proxy.forwarded() >= 1);

    // NO_PROXY names the host: the run goes straight, to a port where nothing listens.
    let run = dvcbench_with(
        args(&file, &out),
        vec![
            ("HTTP_PROXY", env_proxy),
            ("NO_PROXY", "127.0.0.1".to_owned()),
        ],
    )
    .await;
    assert_eq!(run.status.code(), Some(4), "{}", text(&run));
    assert_eq!(json(&out)["steps"][0]["errors"]["connect_error"], 20);

    // The scenario's own proxy, with credentials from ${NAME}, in both models; the
    // environment's proxy (a wrong one) is not used.
    for (name, load) in [("open", OPEN), ("closed", CLOSED)] {
        let lines = format!(
            "proxy = \"http://dvc:${{DVC_PROXY_PASSWORD}}@{}\"",
            locked_proxy.addr
        );
        let file = dir.write(
            &format!("{name}.toml"),
            &scenario(&target, &lines, load, ok),
        );
        let out = dir.path.join(format!("{name}.json"));
        let run = dvcbench_with(
            args(&file, &out),
            vec![
                ("DVC_PROXY_PASSWORD", "s3cr3t-proxy".to_owned()),
                ("HTTP_PROXY", "http://127.0.0.1:9".to_owned()),
            ],
        )
        .await;
        assert_eq!(run.status.code(), Some(0), "{name}: {}", text(&run));
        let written = std::fs::read_to_string(&out).expect("run.json");
        let summary = json(&out);
        let step = &summary["steps"][0];
        assert!(
            step["count"].as_u64().is_some_and(|n| n > 0),
            "{name}: {step}"
        );
        assert!(
            step["errors"].as_object().is_some_and(|e| e.is_empty()),
            "{name}: {step}"
        );
        assert!(
            !written.contains("s3cr3t-proxy"),
            "{name}: the proxy password reached run.json"
        );
        assert!(
            !text(&run).contains("s3cr3t-proxy"),
            "{name}: … or the output"
        );
    }
    assert_eq!(locked_proxy.refused(), 0);
    assert!(locked_proxy.forwarded() >= 2);

    // Wrong credentials: the proxy's 407 is the step's failure, with its reason.
    let lines = format!("proxy = \"http://dvc:wrong@{}\"", locked_proxy.addr);
    let file = dir.write("wrong.toml", &scenario(&target, &lines, OPEN, ok));
    let run = dvcbench_with(args(&file, &out), vec![]).await;
    assert_eq!(run.status.code(), Some(0), "no thresholds: {}", text(&run));
    assert_eq!(
        json(&out)["steps"][0]["failures"][0]["reason"],
        "status 407"
    );
    assert!(locked_proxy.refused() >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_goes_through_a_connect_tunnel_with_tls_and_http2_end_to_end() {
    let server = tls::server().await;
    let nothing = free_port();
    let routes = HashMap::from([(format!("localhost:{nothing}"), server)]);
    let tunnel = proxy::start(routes, None).await;
    let dir = Scratch::new("proxy-https");
    let ca = format!("ca_file = {:?}", tls::ca_path().display().to_string());
    let target = format!("https://localhost:{nothing}");
    for (name, lines, version) in [
        ("h2", ca.clone(), "HTTP/2.0"),
        ("h1", format!("{ca}\nhttp2 = false"), "HTTP/1.1"),
    ] {
        let check = format!("{{ status = 200, contains = \"{version}\" }}");
        let file = dir.write(
            &format!("{name}.toml"),
            &scenario(&target, &lines, OPEN, &check),
        );
        let out = dir.path.join(format!("{name}.json"));
        let run = dvcbench_with(
            vec![
                "run".into(),
                "-q".into(),
                file.display().to_string(),
                "--out".into(),
                out.display().to_string(),
            ],
            vec![("HTTPS_PROXY", format!("http://{}", tunnel.addr))],
        )
        .await;
        assert_eq!(run.status.code(), Some(0), "{name}: {}", text(&run));
        let summary = json(&out);
        assert_eq!(summary["steps"][0]["count"], 20, "{name}");
        assert!(
            summary["steps"][0]["errors"]
                .as_object()
                .is_some_and(|e| e.is_empty()),
            "{name}: {}",
            summary["steps"][0]
        );
    }
    assert!(tunnel.tunnels() >= 2, "{}", tunnel.tunnels());
}

#[test]
fn a_proxy_that_cannot_work_is_refused_with_its_place() {
    let dir = Scratch::new("proxy-bad");
    let file = dir.write(
        "bad.toml",
        &scenario(
            "http://127.0.0.1:1",
            "proxy = \"socks5://u:pw@127.0.0.1:1080\"",
            OPEN,
            "{ status = 200 }",
        ),
    );
    let r = dvcbench_e2e::dvcbench(&["validate", file.to_str().expect("utf-8")]);
    assert_eq!(r.code, 2);
    let e = r.error.unwrap_or_default();
    assert!(
        e.contains("bad.toml:3:9") && e.contains("http://host:port"),
        "{e}"
    );
    assert!(!e.contains("pw"), "{e}");
}
