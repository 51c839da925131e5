//! The comparison as one self-contained HTML page: the ranking first, then charts, then the
//! methodology with the weights.

use super::view::ComparisonView;
use crate::Lang;
use crate::escape::html as escape;
use crate::html::STYLE;
use crate::svg::{self, Line};
use dvc_compare::{Comparison, FigureId, Trend};
use std::fmt::Write;

/// The ranking table scrolls sideways on a narrow screen rather than spill.
const WIDE: &str =
    ".wide{overflow-x:auto}#ranking td,#ranking th{padding:.25rem .45rem;font-size:.85rem}";

/// The HTML comparison.
pub fn html(c: &Comparison, lang: Lang) -> String {
    let v = ComparisonView::new(c, lang);
    let l = v.l;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}{WIDE}</style></head><body><h1>{}</h1>",
        l.html_lang, l.title, l.title
    );
    let about = format!(
        "{}: {} · {}: {} · {}: {}",
        l.period,
        escape(&v.period),
        l.source,
        escape(&v.source),
        l.location,
        escape(&v.locations)
    );
    let _ = write!(out, "<p id=\"period\">{about}</p>");

    let _ = write!(
        out,
        "<h2>{}</h2><div class=\"wide\"><table id=\"ranking\"><tr><th>{}</th><th>{}</th><th>{}</th>",
        l.ranking, l.rank, l.province, l.score
    );
    for f in &v.figures {
        let _ = write!(out, "<th>{}</th>", l.figure(*f).0);
    }
    out.push_str("</tr>");
    for p in &v.provinces {
        let (rank, score) = match &p.placed {
            Ok((rank, score)) => (rank.to_string(), format!("<b>{score}</b>")),
            Err(why) => (
                "–".to_owned(),
                format!("<span class=\"bad\">{}</span>", escape(why)),
            ),
        };
        let _ = write!(
            out,
            "<tr data-province=\"{0}\"><td>{rank}</td><td>{0}</td><td>{score}</td>",
            escape(p.name)
        );
        for fig in &p.cells {
            let _ = write!(
                out,
                "<td data-figure=\"{}\">{}<br><span class=\"{}\">{} {}</span></td>",
                fig.id.id(),
                escape(&fig.value),
                if fig.too_few { "bad" } else { "same" },
                fig.samples,
                l.samples
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></div>");

    if !v.breakdown.rows.is_empty() {
        let _ = write!(
            out,
            "<h2>{}</h2><p>{}</p><div class=\"wide\"><table id=\"breakdown\"><tr><th>{}</th>",
            l.breakdown, l.breakdown_intro, l.province
        );
        for f in &v.breakdown.figures {
            let _ = write!(out, "<th>{}</th>", l.figure(*f).0);
        }
        let _ = write!(out, "<th>{}</th></tr>", l.lost_total);
        for (name, lost, total) in &v.breakdown.rows {
            let _ = write!(out, "<tr data-province=\"{0}\"><td>{0}</td>", escape(name));
            for (f, x) in v.breakdown.figures.iter().zip(lost) {
                let _ = write!(out, "<td data-figure=\"{}\">{x}</td>", f.id());
            }
            let _ = write!(out, "<td><b>{total}</b></td></tr>");
        }
        out.push_str("</table></div>");
    }

    let _ = write!(out, "<h2>{}</h2><div class=\"charts\">", l.charts);
    let figure = |out: &mut String, caption: &str, svg: String| {
        let _ = write!(
            out,
            "<figure><figcaption>{caption}</figcaption>{svg}</figure>"
        );
    };
    let ranked: Vec<(String, Vec<f64>)> = c
        .provinces
        .iter()
        .filter_map(|p| Some((p.name.clone(), vec![p.score?])))
        .collect();
    figure(
        &mut out,
        l.score_chart,
        svg::bar_chart("chart-score", &ranked, &[l.score], ""),
    );
    let pair = |p50: FigureId, p95: FigureId, scale: f64| -> Vec<(String, Vec<f64>)> {
        c.provinces
            .iter()
            .filter(|p| p.figure(p95).value.is_some())
            .map(|p| {
                let v = |f: FigureId| p.figure(f).value.unwrap_or(0.0) * scale;
                (p.name.clone(), vec![v(p50), v(p95)])
            })
            .collect()
    };
    figure(
        &mut out,
        l.page_chart,
        svg::bar_chart(
            "chart-page",
            &pair(FigureId::PageP50, FigureId::PageP95, 1000.0),
            &["p50", "p95"],
            "ms",
        ),
    );
    figure(
        &mut out,
        l.intake_chart,
        svg::bar_chart(
            "chart-intake",
            &pair(FigureId::IntakeP50, FigureId::IntakeP95, 1.0 / 3600.0),
            &["p50", "p95"],
            "h",
        ),
    );
    // The trends' time axis: minutes, hours or days since the start, by the period's length.
    let span = (c.to - c.from).num_seconds() as f64;
    let (per, since) = if span <= 3.0 * 3600.0 {
        (60.0, l.minutes_since_start)
    } else if span <= 3.0 * 86_400.0 {
        (3600.0, l.hours_since_start)
    } else {
        (86_400.0, l.days_since_start)
    };
    let axis = |t: &Trend| -> Vec<f64> {
        let start = c.from.timestamp() as f64;
        t.at.iter().map(|a| (a - start) / per).collect()
    };
    let lines = |t: &Trend, scale: f64| -> Vec<(String, Vec<Option<f64>>)> {
        t.series
            .iter()
            .map(|(p, v)| (p.clone(), v.iter().map(|x| x.map(|x| x * scale)).collect()))
            .collect()
    };
    for (id, caption, trend, scale, unit) in [
        (
            "chart-availability-trend",
            l.availability_trend,
            &c.availability_trend,
            100.0,
            "%",
        ),
        (
            "chart-page-trend",
            l.page_trend,
            &c.page_p95_trend,
            1000.0,
            "ms",
        ),
    ] {
        let named = lines(trend, scale);
        let series: Vec<Line<'_>> = named
            .iter()
            .map(|(name, values)| Line {
                name,
                values: values.clone(),
            })
            .collect();
        figure(
            &mut out,
            &format!("{caption} ({since})"),
            svg::line_chart(id, &axis(trend), &series, unit),
        );
    }
    out.push_str("</div>");

    let _ = write!(
        out,
        "<h2>{}</h2><p>{}</p><table id=\"methodology\"><tr><th>{}</th><th style=\"text-align:left\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th style=\"text-align:left\">{}</th></tr>",
        l.methodology,
        l.method_intro,
        l.figure,
        l.meaning,
        l.full_marks,
        l.zero_marks,
        l.weight,
        l.weight_used,
        l.index_scale
    );
    for m in &v.methodology {
        let _ = write!(
            out,
            "<tr data-figure=\"{}\"><td>{}</td><td style=\"text-align:left\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:left\">{}</td></tr>",
            m.id.id(),
            m.name,
            m.meaning,
            escape(&m.full_marks),
            escape(&m.zero_marks),
            m.weight,
            m.used,
            escape(&m.index)
        );
    }
    out.push_str("</table>");
    if !v.unscored.is_empty() {
        out.push_str("<ul id=\"not-scored\">");
        for line in &v.unscored {
            let _ = write!(out, "<li>{}</li>", escape(line));
        }
        out.push_str("</ul>");
    }
    let _ = write!(
        out,
        "<p>{} {}.</p><p class=\"note\">{}</p><p class=\"note\">{about}</p></body></html>",
        l.score_rule, c.min_samples, l.aggregation,
    );
    out
}
