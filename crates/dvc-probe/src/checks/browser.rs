//! Browser checks: a page loaded in headless Chromium, driven over the DevTools protocol
//! (chromiumoxide), and timed by the browser's own performance entries: first contentful
//! paint, largest contentful paint, total blocking time (long tasks' time over 50 ms, from the
//! first contentful paint to the end of the watch), bytes transferred, script and resource
//! errors. Each run starts a fresh browser with an empty profile: a citizen's first visit.

use super::{CheckOutcome, Failed, Probe, failed};
use crate::config::{BrowserCheck, ProbeCheck, ProbeTarget};
use crate::history::figure;
use chromiumoxide::browser::{Browser, BrowserConfig};
use futures_util::StreamExt;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Watches the page from its first script on: largest contentful paints, long tasks, errors.
const WATCH: &str = r#"(() => {
  const d = window.__dvcbench = { lcp: null, tasks: [], errors: 0 };
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) d.lcp = e.renderTime || e.loadTime || e.startTime; })
      .observe({ type: 'largest-contentful-paint', buffered: true });
  } catch (_) {}
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) d.tasks.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
  } catch (_) {}
  window.addEventListener('error', () => { d.errors += 1; }, true);
  window.addEventListener('unhandledrejection', () => { d.errors += 1; });
})();"#;

/// Reads what the page saw, as JSON text.
const READ: &str = r#"(() => {
  const d = window.__dvcbench || { lcp: null, tasks: [], errors: 0 };
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const fcp = paint ? paint.startTime : null;
  const tbt = fcp === null ? 0 : d.tasks
    .filter((t) => t[0] + t[1] > fcp)
    .reduce((s, t) => s + Math.max(0, t[1] - 50), 0);
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const bytes = (nav ? nav.transferSize : 0) + resources.reduce((s, r) => s + (r.transferSize || 0), 0);
  const failed = resources.filter((r) => (r.responseStatus || 0) >= 400).length;
  return JSON.stringify({ fcp, lcp: d.lcp, tbt, bytes, errors: d.errors + failed,
    status: nav && nav.responseStatus ? nav.responseStatus : 0 });
})()"#;

/// What one page load measured, in milliseconds and bytes.
#[derive(Debug, Clone, Deserialize)]
pub struct PageLoad {
    pub fcp: Option<f64>,
    pub lcp: Option<f64>,
    pub tbt: f64,
    pub bytes: f64,
    pub errors: u64,
    pub status: u16,
}

/// The browser a check runs: its own `chromium`, else the first of the usual names on `PATH`.
fn executable(b: &BrowserCheck) -> Option<PathBuf> {
    if let Some(path) = &b.chromium {
        return Some(path.clone());
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// Loads `url` in a fresh headless browser and reads its performance entries.
pub async fn load(b: &BrowserCheck, url: &str) -> Result<PageLoad, Failed> {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let chromium = executable(b).ok_or_else(|| {
        failed(
            CheckOutcome::Internal,
            "no browser: install chromium (Debian: apt-get install chromium) or set the \
             check's chromium = \"/path/to/chromium\"",
        )
    })?;
    let profile = std::env::temp_dir().join(format!(
        "dvcbench-browser-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let config = BrowserConfig::builder()
        .chrome_executable(&chromium)
        .new_headless_mode()
        .no_sandbox()
        .user_data_dir(&profile)
        .args(["--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"])
        .build()
        .map_err(|e| failed(CheckOutcome::Internal, format!("browser setup: {e}")))?;
    // Removed however the run ends, a timeout dropping it midway included.
    let _profile = Profile(profile);
    run(config, url, b.settle).await
}

/// A run's browser profile directory, removed when the run ends.
struct Profile(PathBuf);

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn run(
    config: BrowserConfig,
    url: &str,
    settle: std::time::Duration,
) -> Result<PageLoad, Failed> {
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        failed(CheckOutcome::Internal, format!("browser {what}: {e}"))
    };
    let (mut browser, mut handler) = Browser::launch(config)
        .await
        .map_err(|e| internal("start", &e))?;
    let events = tokio::spawn(async move { while handler.next().await.is_some() {} });
    let measured = async {
        let page = browser
            .new_page("about:blank")
            .await
            .map_err(|e| internal("page", &e))?;
        page.evaluate_on_new_document(WATCH)
            .await
            .map_err(|e| internal("script", &e))?;
        page.goto(url).await.map_err(|e| {
            failed(
                CheckOutcome::ConnectError,
                format!("the page did not load: {e}"),
            )
        })?;
        tokio::time::sleep(settle).await;
        let text: String = page
            .evaluate(READ)
            .await
            .map_err(|e| internal("read", &e))?
            .into_value()
            .map_err(|e| internal("read", &e))?;
        serde_json::from_str::<PageLoad>(&text).map_err(|e| internal("read", &e))
    }
    .await;
    let _ = browser.close().await;
    let _ = browser.wait().await;
    events.abort();
    measured
}

impl Probe {
    /// One run of a browser check.
    pub async fn browser(
        &self,
        t: &ProbeTarget,
        c: &ProbeCheck,
        b: &BrowserCheck,
    ) -> Result<(), Failed> {
        let url = format!("{}{}", t.url, b.path);
        let page = load(b, &url).await?;
        let labels = [t.portal.as_str(), t.province.as_str(), c.name.as_str()];
        let m = &self.metrics;
        m.browser_bytes
            .with_label_values(&labels)
            .observe(page.bytes);
        m.browser_errors
            .with_label_values(&labels)
            .inc_by(page.errors);
        if page.status >= 400 {
            return Err(failed(
                CheckOutcome::HttpError,
                format!("the page answered {}", page.status),
            ));
        }
        let Some(fcp) = page.fcp else {
            return Err(failed(
                CheckOutcome::CheckFailed,
                "the page painted no content",
            ));
        };
        let seconds = |ms: f64| ms / 1000.0;
        m.browser_fcp
            .with_label_values(&labels)
            .observe(seconds(fcp));
        self.observe(t, figure::BROWSER_FCP_SECONDS, seconds(fcp));
        if let Some(lcp) = page.lcp {
            m.browser_lcp
                .with_label_values(&labels)
                .observe(seconds(lcp));
            self.observe(t, figure::BROWSER_LCP_SECONDS, seconds(lcp));
        }
        m.browser_tbt
            .with_label_values(&labels)
            .observe(seconds(page.tbt));
        self.observe(t, figure::BROWSER_TBT_SECONDS, seconds(page.tbt));
        Ok(())
    }
}
