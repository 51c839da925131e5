//! `dvcbench plan`: what a scenario will ask of a portal, before it runs.

use crate::Failure;
use crate::cli::PlanArgs;
use anyhow::Context;
use dvc_loadgen::preview::preview;
use dvc_loadgen::scenario::{Model, Overrides, Scenario};
use std::io::Write;

pub fn run(args: PlanArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let mut scenario = Scenario::load(&args.scenario).map_err(Failure::bad_input)?;
    scenario
        .apply(&Overrides {
            target: None,
            rate: args.rate.clone(),
            duration: args.duration.clone(),
            scale: args.scale,
        })
        .map_err(Failure::bad_input)?;
    let p = preview(&scenario);
    out.write_all(p.render_text().as_bytes())?;
    if let Some(path) = &args.plot {
        let x: Vec<f64> = p.rows.iter().map(|r| r.t).collect();

        let (name, unit) = match p.model {
            Model::Open => ("planned arrivals per second", "/s"),
            Model::Closed => ("virtual citizens", ""),
        };
        let chart = dvc_report::svg::line_chart(
            "plan",
            &x,
            &[dvc_report::svg::Line {
                name,
                values: p.rows.iter().map(|r| Some(r.level)).collect(),
            }],
            unit,
        );
        let svg = if chart.contains("xmlns=") {
            chart
        } else {
            chart.replacen("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"", 1)
        };
        std::fs::write(path, svg)
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::bad_input)?;
        writeln!(out, "\nchart written to {}", path.display())?;
    }
    Ok(())
}
