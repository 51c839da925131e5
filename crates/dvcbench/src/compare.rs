//! `dvcbench compare`: provinces' portals side by side, from Prometheus or a probe's store.

use crate::Failure;
use crate::cli::CompareArgs;
use crate::report::{lang, write, write_bytes};
use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use dvc_compare::Weights;
use dvc_report::compare;
use std::io::Write;

/// Parses `now`, `now-7d` (a duration as in scenarios), RFC 3339 or Vietnam local time.
/// An instant as Vietnam reads it: `2025-04-07 09:00:00 +07:00`.
fn vietnam(t: DateTime<Utc>) -> String {
    t.with_timezone(&dvc_domain::calendar::vietnam_offset())
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// A province's name as typed without diacritics, case or spacing, to find the name meant:
/// "ha noi" and "Hà Nội" read the same (đ counts as d).
fn plain(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c) && !c.is_whitespace())
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c.to_ascii_lowercase(),
        })
        .collect::<String>()
        .to_lowercase()
}

fn instant(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Failure> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("now") {
        if rest.is_empty() {
            return Ok(now);
        }
        let ago = rest
            .strip_prefix('-')
            .and_then(|span| dvc_loadgen::units::parse_duration(span).ok())
            .and_then(|d| chrono::Duration::from_std(d).ok());
        return ago.map(|d| now - d).ok_or_else(|| {
            Failure::bad_input(anyhow!(
                "invalid time {text:?}; expected now, now-7d, now-12h, now-30m or now-90s"
            ))
        });
    }
    let local = crate::calendar::parse_instant(t)?;
    Ok(dvc_domain::calendar::from_local(local).with_timezone(&Utc))
}

/// The comparison of `provinces` (all when empty) over `from..to`, from the source the flags
/// name.
fn fetch(
    args: &CompareArgs,
    provinces: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<dvc_compare::Comparison, Failure> {
    let weights = Weights::with(&args.weights).map_err(|e| Failure::bad_input(anyhow!(e)))?;
    let stores = (!args.probe_store.is_empty()).then_some(&args.probe_store);
    let comparison = match (&args.prometheus, stores) {
        (Some(url), _) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Failure::bad_input(anyhow!(
                    "--prometheus must be an http(s) URL; got {url:?}"
                )));
            }
            let bearer_token = match &args.prometheus_token_file {
                Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                    Failure::bad_input(anyhow!("cannot read {}: {e}", path.display()))
                })?),
                None => None,
            };
            let at = dvc_compare::prometheus::Prometheus { url, bearer_token };
            let query = dvc_compare::Query {
                from,
                to,
                provinces,
                weights,
                min_samples: args.min_samples,
            };
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Failure::failed(anyhow!(e)))?;
            runtime
                .block_on(dvc_compare::prometheus::compare(at, query))
                .map_err(|e| Failure::failed(anyhow!(e)))?
        }
        (None, Some(paths)) => {
            let calendar = crate::calendar::build_calendar(
                args.holidays.as_deref(),
                args.office_hours.as_deref(),
            )
            .map_err(Failure::bad_input)?;
            let query = dvc_compare::Query {
                from,
                to,
                provinces,
                weights,
                min_samples: args.min_samples,
            };
            dvc_compare::store::compare(paths, &calendar, query)
                .map_err(|e| Failure::bad_input(anyhow!(e)))?
        }
        (None, None) => {
            return Err(Failure::bad_input(anyhow!(
                "give --prometheus URL or --probe-store FILE"
            )));
        }
    };
    Ok(comparison)
}

/// `dvcbench compare`.
pub fn run(args: CompareArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let lang = lang(&args.lang)?;
    let now = Utc::now();
    let (from, to) = (instant(&args.from, now)?, instant(&args.to, now)?);
    if from >= to {
        return Err(Failure::bad_input(anyhow!(
            "--from ({}) must be before --to ({})",
            vietnam(from),
            vietnam(to)
        )));
    }
    // A report written to standard output is all that goes there; the ranking and the
    // "written to" lines go to stderr instead.
    let piped = [&args.md, &args.csv]
        .iter()
        .filter(|p| p.as_ref().is_some_and(|p| p.as_os_str() == "-"))
        .count();
    if args.xlsx.as_ref().is_some_and(|p| p.as_os_str() == "-") {
        return Err(Failure::bad_input(anyhow!(
            "--xlsx needs a file name: a spreadsheet is not written to standard output"
        )));
    }
    if piped > 1 {
        return Err(Failure::bad_input(anyhow!(
            "only one of --md and --csv can be - (standard output)"
        )));
    }
    let comparison = fetch(&args, &args.provinces, from, to)?;
    let missing: Vec<&String> = args
        .provinces
        .iter()
        .filter(|p| !comparison.provinces.iter().any(|c| &c.name == *p))
        .collect();
    if !missing.is_empty() {
        let all = fetch(&args, &[], from, to)?;
        let known: Vec<&str> = all.provinces.iter().map(|p| p.name.as_str()).collect();
        let asked: Vec<String> = missing.iter().map(|m| format!("{m:?}")).collect();
        let nearest: Vec<String> = missing
            .iter()
            .filter_map(|m| {
                known
                    .iter()
                    .find(|k| plain(k) == plain(m))
                    .map(|k| format!("{m:?} → {k:?}"))
            })
            .collect();
        return Err(Failure::bad_input(anyhow!(
            "no figures for province {} in this period; {}provinces with figures: {} (names match exactly, diacritics included)",
            asked.join(", "),
            if nearest.is_empty() {
                String::new()
            } else {
                format!("did you mean {}? ", nearest.join(", "))
            },
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )));
    }
    let mut notes = String::new();
    if comparison.provinces.is_empty() {
        notes.push_str(&format!(
            "no province has figures in this period ({} → {})\n",
            vietnam(comparison.from),
            vietnam(comparison.to)
        ));
    }
    notes.push_str(&compare::text::terminal(&comparison));
    if let Some(path) = &args.html {
        write(path, &compare::html::html(&comparison, lang))?;
        notes.push_str(&format!("HTML comparison written to {}\n", path.display()));
    }
    if let Some(path) = &args.xlsx {
        let bytes = compare::xlsx::xlsx(&comparison, lang)
            .context("cannot build the spreadsheet")
            .map_err(Failure::failed)?;
        write_bytes(path, &bytes)?;
        notes.push_str(&format!("spreadsheet written to {}\n", path.display()));
    }
    for (what, path, text) in [
        (
            "Markdown comparison",
            &args.md,
            args.md
                .as_ref()
                .map(|_| compare::text::markdown(&comparison, lang)),
        ),
        (
            "CSV figures",
            &args.csv,
            args.csv.as_ref().map(|_| compare::text::csv(&comparison)),
        ),
    ] {
        let (Some(path), Some(text)) = (path, text) else {
            continue;
        };
        if path.as_os_str() == "-" {
            out.write_all(text.as_bytes())?;
        } else {
            write(path, &text)?;
            notes.push_str(&format!("{what} written to {}\n", path.display()));
        }
    }
    if piped > 0 {
        eprint!("{notes}");
    } else {
        out.write_all(notes.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_relative_to_now_or_absolute() {
        let now = DateTime::parse_from_rfc3339("2025-04-08T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(instant("now", now).expect("now"), now);
        assert_eq!(
            instant("now-7d", now).expect("7d"),
            now - chrono::Duration::days(7)
        );
        assert_eq!(
            instant("now-90s", now).expect("90s"),
            now - chrono::Duration::seconds(90)
        );
        assert_eq!(
            instant("2025-04-01T07:00", now)
                .expect("local")
                .to_rfc3339(),
            "2025-04-01T00:00:00+00:00"
        );
        assert!(instant("now-7w", now).is_err());
        assert!(instant("yesterday", now).is_err());
    }
}
