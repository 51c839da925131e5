//! The terminal report of a run.

use super::*;

impl RunSummary {
    /// The terminal report.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let verdict = match self.verdict() {
            Verdict::Passed => "PASSED",
            Verdict::Incomplete => "INCOMPLETE",
            Verdict::Failed => "FAILED",
        };
        out.push_str(&format!(
            "\n{verdict}  scenario {} against {} ({:.1}s{})\n\n",
            self.scenario,
            self.target,
            self.duration_seconds,
            self.stop_reason
                .as_deref()
                .map(|r| format!(", stopped: {r}"))
                .unwrap_or_default()
        ));
        if self.journeys_panicked > 0 {
            out.push_str(&format!(
                "{} journey(s) panicked: a bug in dvcbench (please report it); they are counted as failed, and the run fails\n\n",
                self.journeys_panicked
            ));
        }
        if let Some(seg) = self.segment.as_ref().filter(|s| s.count > 1) {
            out.push_str(&format!(
                "segment {}/{} of the plan on {}: its thresholds are judged on the merged result (dvcbench merge)\n\n",
                seg.index, seg.count, seg.host
            ));
        }
        if let Some(first) = self.segments.first() {
            let hosts: Vec<String> = self
                .segments
                .iter()
                .map(|s| format!("{} {}", s.index, s.host))
                .collect();
            out.push_str(&format!(
                "merged   {} of {} segments ({})\n\n",
                self.segments.len(),
                first.count,
                hosts.join(", ")
            ));
        }
        let a = &self.arrivals;
        match &self.goose {
            Some(g) => out.push_str(&format!(
                "closed model  up to {} virtual citizens  journeys started {}    requests {}\n\n",
                g.max_users, a.started, self.requests_total
            )),
            None => out.push_str(&format!(
                "arrivals  planned {}  started {}  late {}  dropped {}    requests {}\n\n",
                a.planned, a.started, a.late, a.dropped, self.requests_total
            )),
        }
        out.push_str(&format!(
            "{:<24} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
            "", "count", "errors", "p50", "p90", "p95", "p99", "max"
        ));
        let row = |kind: &str, s: &Stats| {
            let l = &s.latency_seconds;
            format!(
                "{:<24} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
                format!("{kind} {}", s.name),
                s.count,
                s.errors_total(),
                fmt_seconds(l.p50),
                fmt_seconds(l.p90),
                fmt_seconds(l.p95),
                fmt_seconds(l.p99),
                fmt_seconds(l.max)
            )
        };
        for s in &self.steps {
            out.push_str(&row("step", s));
        }
        for s in &self.journeys {
            out.push_str(&row("journey", s));
        }
        if self.goose.is_some() && self.duration_seconds > 0.0 {
            // What a closed run answers: how many journeys an hour the citizens got through.
            let per_hour: Vec<String> = self
                .journeys
                .iter()
                .map(|j| {
                    let ok = j.count - j.errors_total();
                    format!(
                        "{} {:.0}/h ({:.0}/h completed)",
                        j.name,
                        j.count as f64 * 3600.0 / self.duration_seconds,
                        ok as f64 * 3600.0 / self.duration_seconds
                    )
                })
                .collect();
            out.push_str(&format!(
                "
journeys per hour  {}
",
                per_hour.join("  ")
            ));
        }
        let errors: BTreeMap<&String, u64> = self.steps.iter().flat_map(|s| s.errors.iter()).fold(
            BTreeMap::new(),
            |mut m, (k, v)| {
                *m.entry(k).or_default() += v;
                m
            },
        );
        if !errors.is_empty() {
            let list: Vec<String> = errors.iter().map(|(k, v)| format!("{k} {v}")).collect();
            out.push_str(&format!("\nerrors    {}\n", list.join("  ")));
        }
        if self.steps.iter().any(|s| !s.failures.is_empty()) {
            out.push_str(
                "\nwhy steps failed (the first kinds of each step, most frequent first)\n",
            );
            for s in &self.steps {
                for f in &s.failures {
                    out.push_str(&format!(
                        "  {:<22} {:<14} {:>8}  {}\n",
                        s.name, f.outcome, f.count, f.reason
                    ));
                }
                if s.failures_unlisted > 0 {
                    out.push_str(&format!(
                        "  {:<22} {:<14} {:>8}  (of other kinds)\n",
                        s.name, "", s.failures_unlisted
                    ));
                }
            }
        }
        if let Some(g) = &self.goose {
            out.push_str(&format!(
                "\nGoose (per request; adjusted: {} coordinated-omission mitigation)\n",
                g.mitigation
            ));
            out.push_str(&format!(
                "{:<24} {:>8} {:>9} {:>9} {:>9} {:>8} {:>9} {:>9}\n",
                "", "requests", "p50", "p95", "p99", "adjusted", "adj. p95", "adj. p99"
            ));
            for st in &g.steps {
                let [n, p50, p95, p99, adjusted, a95, a99] = st.cells();
                out.push_str(&format!(
                    "{:<24} {n:>8} {p50:>9} {p95:>9} {p99:>9} {adjusted:>8} {a95:>9} {a99:>9}\n",
                    format!("step {}", st.name),
                ));
            }
        }
        if let Some(v) = &self.verify {
            out.push_str(&format!(
                "\nverify    {} {} looked up: {} missing, {} duplicated, {} could not be checked\n",
                v.checked, v.variable, v.missing, v.duplicated, v.unchecked
            ));
        }
        if !self.thresholds.is_empty() {
            out.push_str("\nthresholds\n");
            for t in &self.thresholds {
                let value = t.value_text().unwrap_or_else(|| "no data".to_owned());
                out.push_str(&format!(
                    "  {} {}  (value {value})\n",
                    if t.passed { "✓" } else { "✗" },
                    t.expression
                ));
            }
        }
        out
    }
}
