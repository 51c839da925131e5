//! The HTML report: verdict and thresholds first, then charts, tables, the scenario as run and
//! the machine. Everything inline: it opens from a file with no network.

use crate::Lang;
use crate::labels::Labels;
use crate::svg::{self, Line};
use crate::view::{Change, RunView, StatsRow};
use dvc_loadgen::summary::{RunSummary, Verdict};
use std::collections::BTreeSet;
use std::fmt::Write;

use crate::escape::html as escape;

pub(crate) const STYLE: &str = "body{font-family:system-ui,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}\
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}\
.verdict{display:inline-block;padding:.3rem .9rem;border-radius:4px;color:#fff;font-weight:bold}\
.passed{background:#1b7a3a}.failed{background:#b3261e}.incomplete{background:#a15c00}\
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .7rem;border-bottom:1px solid #e5e5e5;text-align:right}\
td:first-child,th:first-child,td.left{text-align:left}.ok{color:#1b7a3a}.bad{color:#b3261e}.same{color:#666}\
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:1rem}\
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}svg.chart{width:100%;height:auto;background:#fff}\
pre{background:#f6f6f6;padding:1rem;overflow:auto;font-size:.85rem}.note{color:#555;font-size:.9rem}";

fn ms(v: f64) -> Option<f64> {
    Some(v * 1000.0)
}

fn stats_table(out: &mut String, l: &Labels, rows: &[StatsRow<'_>]) {
    let _ = write!(
        out,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th></tr>",
        l.name, l.count, l.errors, l.error_rate
    );
    for s in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(s.name),
            s.count,
            s.errors,
            s.error_rate,
            s.p50,
            s.p90,
            s.p95,
            s.p99,
            s.max
        );
    }
    out.push_str("</table>");
}

/// Goose's figures beside ours (closed runs).
fn goose_table(out: &mut String, l: &Labels, rows: &[(&str, [String; 7])]) {
    let _ = write!(
        out,
        "<h2>{}</h2><p class=\"note\">{}</p><table id=\"goose\"><tr><th>{}</th><th>{}</th><th>p50</th><th>p95</th><th>p99</th><th>{} ({})</th><th>p95 ({})</th><th>p99 ({})</th></tr>",
        l.goose_figures,
        l.goose_note,
        l.name,
        l.requests,
        l.requests,
        l.adjusted,
        l.adjusted,
        l.adjusted
    );
    for (name, cells) in rows {
        let _ = write!(out, "<tr><td>{}</td>", escape(name));
        for cell in cells {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

/// The whole report.
pub fn html(run: &RunSummary, baseline: Option<&RunSummary>, lang: Lang) -> String {
    render(&RunView::new(run, baseline, lang))
}

fn render(v: &RunView<'_>) -> String {
    let (l, run) = (v.l, v.run);
    let mut out = String::new();
    let (class, word) = match v.verdict {
        Verdict::Passed => ("passed", l.passed),
        Verdict::Failed => ("failed", l.failed),
        Verdict::Incomplete => ("incomplete", l.incomplete),
    };
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{} — {}</title><style>{STYLE}</style></head><body>",
        l.html_lang,
        l.title,
        escape(&run.scenario)
    );
    let _ = write!(
        out,
        "<h1>{} — {}</h1><p><span id=\"verdict\" class=\"verdict {class}\">{word}</span></p>",
        l.title,
        escape(&run.scenario)
    );
    let _ = write!(
        out,
        "<table><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr>",
        l.scenario,
        escape(&v.scenario),
        l.target,
        escape(&run.target),
        l.started,
        escape(&run.started_at),
        l.duration,
        v.duration
    );
    if let Some(reason) = &run.stop_reason {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            l.stopped,
            escape(reason)
        );
    }
    out.push_str("</table>");

    // Thresholds first: the verdict's reasons.
    if !v.thresholds.is_empty() {
        let _ = write!(
            out,
            "<h2>{}</h2><table id=\"thresholds\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            l.thresholds, l.expression, l.value, l.result
        );
        for t in &v.thresholds {
            let (c, w) = if t.passed {
                ("ok", l.ok)
            } else {
                ("bad", l.not_ok)
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"{c}\">{w}</td></tr>",
                escape(t.expression),
                t.value
            );
        }
        out.push_str("</table>");
    }
    let _ = write!(
        out,
        "<p id=\"arrivals\">{}</p>",
        escape(&v.arrivals_line(" · "))
    );
    if let Some(line) = &v.segments {
        let _ = write!(out, "<p id=\"segments\">{}</p>", escape(line));
    }

    // Charts.
    let _ = write!(
        out,
        "<h2>{}</h2><p class=\"note\">{}</p><div class=\"charts\">",
        l.charts, v.latency_note
    );
    let x: Vec<f64> = run.timeline.iter().map(|p| p.t).collect();
    let figure = |out: &mut String, caption: &str, svg: String| {
        let _ = write!(
            out,
            "<figure><figcaption>{caption}</figcaption>{svg}</figure>"
        );
    };
    let started = Line {
        name: l.started_arrivals,
        values: run
            .timeline
            .iter()
            .map(|p| Some(p.arrivals_started as f64))
            .collect(),
    };
    let (caption, arrivals) = if run.goose.is_some() {
        (l.journey_starts, vec![started])
    } else {
        let planned = Line {
            name: l.planned,
            values: run.timeline.iter().map(|p| Some(p.planned_rate)).collect(),
        };
        (l.arrival_rate, vec![planned, started])
    };
    figure(
        &mut out,
        caption,
        svg::line_chart("chart-arrivals", &x, &arrivals, l.per_second),
    );
    figure(
        &mut out,
        l.request_rate,
        svg::line_chart(
            "chart-requests",
            &x,
            &[Line {
                name: l.requests,
                values: run
                    .timeline
                    .iter()
                    .map(|p| Some(p.requests as f64))
                    .collect(),
            }],
            l.per_second,
        ),
    );
    let mut in_flight = vec![Line {
        name: l.journeys_unit,
        values: run
            .timeline
            .iter()
            .map(|p| Some(p.in_flight as f64))
            .collect(),
    }];
    if run.goose.is_some() {
        in_flight.push(Line {
            name: l.planned_citizens,
            values: run.timeline.iter().map(|p| p.planned_users).collect(),
        });
        in_flight.push(Line {
            name: l.alive_citizens,
            values: run
                .timeline
                .iter()
                .map(|p| p.users.map(|u| u as f64))
                .collect(),
        });
    }
    figure(
        &mut out,
        l.in_flight,
        svg::line_chart("chart-in-flight", &x, &in_flight, l.journeys_unit),
    );
    figure(
        &mut out,
        l.latency_over_time,
        svg::line_chart(
            "chart-latency",
            &x,
            &[
                Line {
                    name: "p50",
                    values: run.timeline.iter().map(|p| p.p50.and_then(ms)).collect(),
                },
                Line {
                    name: "p95",
                    values: run.timeline.iter().map(|p| p.p95.and_then(ms)).collect(),
                },
                Line {
                    name: "p99",
                    values: run.timeline.iter().map(|p| p.p99.and_then(ms)).collect(),
                },
            ],
            "ms",
        ),
    );
    let outcomes: BTreeSet<&String> = run.timeline.iter().flat_map(|p| p.errors.keys()).collect();
    let error_series: Vec<Line<'_>> = if outcomes.is_empty() {
        vec![Line {
            name: l.errors,
            values: vec![Some(0.0); x.len()],
        }]
    } else {
        outcomes
            .iter()
            .map(|o| Line {
                name: o.as_str(),
                values: run
                    .timeline
                    .iter()
                    .map(|p| Some(p.errors.get(*o).copied().unwrap_or(0) as f64))
                    .collect(),
            })
            .collect()
    };
    figure(
        &mut out,
        l.errors_over_time,
        svg::line_chart("chart-errors", &x, &error_series, l.per_second),
    );
    let bars: Vec<(String, Vec<f64>)> = run
        .steps
        .iter()
        .map(|s| {
            let lat = &s.latency_seconds;
            (
                s.name.clone(),
                vec![lat.p50 * 1e3, lat.p95 * 1e3, lat.p99 * 1e3],
            )
        })
        .collect();
    figure(
        &mut out,
        l.latency_by_step,
        svg::bar_chart("chart-steps", &bars, &["p50", "p95", "p99"], "ms"),
    );
    out.push_str("</div>");

    let _ = write!(out, "<h2>{}</h2>", l.steps);
    stats_table(&mut out, l, &v.steps);
    let _ = write!(out, "<h2>{}</h2>", l.journeys);
    stats_table(&mut out, l, &v.journeys);
    if let Some(rows) = &v.goose {
        goose_table(&mut out, l, rows);
    }

    if let Some(b) = &v.baseline {
        let _ = write!(
            out,
            "<h2>{}</h2><p class=\"note\">{} · {}</p><table id=\"baseline\"><tr><th>{}</th><th>p95</th><th>p99</th><th>{}</th><th>{}</th></tr>",
            l.baseline,
            escape(b.scenario),
            escape(b.started_at),
            l.name,
            l.error_rate,
            l.throughput
        );
        for d in &b.rows {
            let _ = write!(out, "<tr><td>{}</td>", escape(&d.step));
            for m in &d.cells {
                let (c, w) = match m.change {
                    Change::Better => ("ok", l.better),
                    Change::Same => ("same", l.same),
                    Change::Worse => ("bad", l.worse),
                    Change::NotComparable => ("same", l.not_comparable),
                };
                let _ = write!(out, "<td class=\"{c}\">{} ← {} ({w})</td>", m.now, m.then);
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
        if let Some(note) = b.load_note {
            let _ = write!(out, "<p class=\"note\">{note}</p>");
        }
    }
    if !v.failures.is_empty() {
        let _ = write!(
            out,
            "<h2>{}</h2><p class=\"note\">{}</p><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            l.failures, l.failures_note, l.steps, l.outcome, l.count, l.reason
        );
        for f in &v.failures {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"left\">{}</td><td>{}</td><td class=\"left\">{}</td></tr>",
                escape(f.step),
                escape(f.outcome),
                f.count,
                escape(f.reason)
            );
        }
        out.push_str("</table>");
    }
    if let Some((variable, counts)) = &v.verify {
        let _ = write!(
            out,
            "<h2>{}</h2><p>{}: {}</p>",
            l.verify,
            escape(variable),
            counts.join(" · ")
        );
    }
    if let Some(source) = &run.scenario_source {
        let _ = write!(
            out,
            "<h2>{}</h2><pre>{}</pre>",
            l.scenario_as_run,
            escape(source)
        );
    }
    let _ = write!(out, "<h2>{}</h2><table>", l.machine);
    if let Some(m) = &run.machine {
        let _ = write!(
            out,
            "<tr><td>host</td><td>{}</td></tr><tr><td>OS</td><td>{} {}</td></tr><tr><td>CPU</td><td>{}</td></tr>",
            escape(&m.hostname),
            escape(&m.os),
            escape(&m.arch),
            m.cpus
        );
    }
    let _ = writeln!(
        out,
        "<tr><td>{}</td><td>{}</td></tr></table></body></html>",
        l.version,
        escape(&run.dvcbench_version)
    );
    out
}
