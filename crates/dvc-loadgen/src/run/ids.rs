//! What identifies a run's plan and the load it asked for.

use crate::scenario::{Load, Scenario};

/// Identifies a run's plan: the scenario file and the load as run (so a segment run with
/// another `--rate` or `--scale` is told apart), as 16 bytes of SHA-256 in hex.
pub fn plan_id(scenario: &Scenario) -> String {
    let weights: Vec<f64> = scenario.journeys.iter().map(|j| j.weight).collect();
    hash_hex(&[
        scenario.source.as_bytes(),
        format!("\n{:?}{weights:?}", scenario.load).as_bytes(),
    ])
}

/// Identifies the load asked for (the stages after overrides, the journeys' names and
/// weights; not the seed), as 16 bytes of SHA-256 in hex.
pub fn load_id(scenario: &Scenario) -> String {
    let shape = match &scenario.load {
        Load::Open(o) => format!("open {} {} {:?}", o.poisson, o.start_rate, o.stages),
        Load::Closed(c) => format!("closed {:?}", c.users),
    };
    let weights: Vec<(&str, f64)> = scenario
        .journeys
        .iter()
        .map(|j| (j.name.as_str(), j.weight))
        .collect();
    hash_hex(&[format!("{shape} {weights:?}").as_bytes()])
}

fn hash_hex(parts: &[&[u8]]) -> String {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    for p in parts {
        hash.update(p);
    }
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
