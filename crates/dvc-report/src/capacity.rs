//! The report of a capacity search (`run --find-capacity`): the answer first, then the
//! latency and the journeys completed against the rate asked (the knee), then every step.

use crate::Lang;
use crate::escape::html as escape;
use crate::svg::{Line, line_chart};
use dvc_loadgen::capacity::Capacity;
use dvc_loadgen::units::fmt_seconds;
use std::fmt::Write;

/// One self-contained HTML page.
pub fn html(c: &Capacity, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let w = |vi_text: &'static str, en: &'static str| if vi { vi_text } else { en };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} — {}</title><style>{}</style></head><body><h1>{} — {}</h1><p>{}: {} · {}: {}</p>",
        w("vi", "en"),
        w("Năng lực chịu tải", "Capacity"),
        escape(&c.scenario),
        crate::html::STYLE,
        w("Năng lực chịu tải", "Capacity"),
        escape(&c.scenario),
        w("Hệ thống được kiểm thử", "Target"),
        escape(&c.target),
        w("Bắt đầu", "Started"),
        escape(&c.started_at)
    );
    match c.best() {
        Some(best) => {
            let _ = write!(
                out,
                "<p><span class=\"verdict passed\">{} {:.1}/s</span> {}: p50 {} · p95 {} · p99 {} · {:.1} {}</p>",
                w("Chịu được", "Held"),
                best.rate,
                w("mức cao nhất giữ được", "the highest rate held"),
                fmt_seconds(best.p50),
                fmt_seconds(best.p95),
                fmt_seconds(best.p99),
                best.completed_per_second,
                w(
                    "hành trình hoàn tất mỗi giây",
                    "journeys completed a second"
                )
            );
        }
        None => {
            let _ = write!(
                out,
                "<p><span class=\"verdict failed\">{}</span></p>",
                w("Không giữ được bước nào", "No step was held")
            );
        }
    }
    if let (Some(knee), Some(best)) = (c.knee_step(), c.best())
        && knee.rate < best.rate
    {
        let _ = write!(
            out,
            "<p>{} {:.1}/s: p95 {} · {} {:.1}/s: p95 {}</p>",
            w("Điểm gãy độ trễ", "Latency knee"),
            knee.rate,
            fmt_seconds(knee.p95),
            w("so với", "against"),
            best.rate,
            fmt_seconds(best.p95)
        );
    }
    let _ = write!(
        out,
        "<p class=\"note\">{}: {} · {}</p>",
        w("Kết thúc", "Ended"),
        escape(&c.ended),
        w(
            "Mỗi bước là một lần chạy riêng với tốc độ đến cố định; một bước được giữ khi mọi ngưỡng của kịch bản đạt, tỷ lệ lỗi không quá giới hạn và không lượt đến nào bị bỏ.",
            "Each step is a run of its own at a fixed arrival rate; a step is held when every threshold of the scenario passes, errors stay within the limit and no arrival is dropped."
        )
    );
    let mut by_rate: Vec<_> = c.steps.iter().collect();
    by_rate.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    let x: Vec<f64> = by_rate.iter().map(|s| s.rate).collect();
    let ms = |f: fn(&dvc_loadgen::capacity::Step) -> f64| {
        by_rate
            .iter()
            .map(|s| Some(f(s) * 1000.0))
            .collect::<Vec<_>>()
    };
    let _ = write!(
        out,
        "<h2>{}</h2><div class=\"charts\"><figure><figcaption>{}</figcaption>{}</figure><figure><figcaption>{}</figcaption>{}</figure></div>",
        w("Điểm gãy", "The knee"),
        w(
            "Độ trễ hành trình theo tốc độ đến (/s)",
            "Journey latency against the arrival rate (/s)"
        ),
        line_chart(
            "capacity-latency",
            &x,
            &[
                Line {
                    name: "p50",
                    values: ms(|s| s.p50)
                },
                Line {
                    name: "p95",
                    values: ms(|s| s.p95)
                },
                Line {
                    name: "p99",
                    values: ms(|s| s.p99)
                },
            ],
            "ms"
        ),
        w(
            "Hành trình hoàn tất mỗi giây theo tốc độ đến (/s)",
            "Journeys completed a second against the arrival rate (/s)"
        ),
        line_chart(
            "capacity-throughput",
            &x,
            &[
                Line {
                    name: w("hoàn tất/s", "completed/s"),
                    values: by_rate
                        .iter()
                        .map(|s| Some(s.completed_per_second))
                        .collect()
                },
                Line {
                    name: w("yêu cầu đến/s", "asked/s"),
                    values: by_rate.iter().map(|s| Some(s.rate)).collect()
                },
            ],
            "/s"
        )
    );
    let _ = write!(
        out,
        "<h2>{}</h2><table><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>p50</th><th>p95</th><th>p99</th><th>{}</th><th>{}</th></tr>",
        w("Các bước", "Steps"),
        w("Tốc độ đến", "Rate"),
        w("Giữ được", "Held"),
        w("Hoàn tất/s", "Completed/s"),
        w("Lỗi", "Errors"),
        w("Lý do", "Why not held")
    );
    for (i, s) in c.steps.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{:.2}/s</td><td class=\"{}\">{}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}%</td><td class=\"left\">{}</td></tr>",
            i + 1,
            s.rate,
            if s.held { "ok" } else { "bad" },
            if s.held { "✓" } else { "✗" },
            s.completed_per_second,
            fmt_seconds(s.p50),
            fmt_seconds(s.p95),
            fmt_seconds(s.p99),
            s.error_rate * 100.0,
            escape(s.why.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</table></body></html>");
    out
}
