//! One step of a journey: its request (or the form it submits), the redirects it follows,
//! the answer judged, polled again while it must, and its variables taken.

use super::{JourneyRng, Runtime, Via, browser, closed, request};
use crate::recorder::Outcome;
use request::JourneyState;
use std::time::Duration;
use tokio::time::Instant;

impl Runtime {
    /// `req` if its host is one the run may reach (loopback, or listed in `allow_hosts` and
    /// confirmed with `--allow-remote`): a redirect or a form's action cannot take load
    /// elsewhere.
    fn may_go(&self, req: dvc_http::Prepared) -> Result<dvc_http::Prepared, request::Failure> {
        let t = &self.scenario.target;
        if self.any_host {
            return Ok(req);
        }
        match dvc_http::check_target(&req.url, &t.allow_hosts, t.allow_remote) {
            Ok(()) => Ok(req),
            Err(e) => Err(request::Failure {
                outcome: Outcome::CheckFailed,
                reason: format!("not sent to {}: {e}", req.url),
            }),
        }
    }

    /// One step: its request, repeated while polling. Returns the result and requests sent.
    pub(super) async fn run_step(
        &self,
        j: usize,
        s: usize,
        state: &mut JourneyState,
        rng: &mut JourneyRng,
        via: &mut Via<'_>,
    ) -> (Result<(), request::Failure>, u64) {
        let step = &self.scenario.journeys[j].steps[s];
        let started = step.poll.as_ref().map(|_| Instant::now());
        let mut requests = 0;
        loop {
            let built = match &step.submit_form {
                Some(selector) => {
                    browser::build_form(&self.scenario.target.headers, step, selector, state)
                        .and_then(|req| self.may_go(req))
                }
                None => request::build(
                    &self.base_url,
                    &self.scenario.target.headers,
                    step,
                    self.file_ids[j][s],
                    &self.files,
                    state,
                    rng,
                ),
            };
            let mut req = match built {
                Ok(req) => req,
                Err(f) => return (Err(f), requests),
            };
            let mut hops = 0;
            // Each redirect followed is a request of the step; the last answer is judged.
            let (response, url) = loop {
                let url = req.url.clone();
                let again = (step.follow_redirects > hops).then(|| req.clone());
                requests += 1;
                let sent = match via {
                    Via::Pool(timer) => {
                        request::send_timed(&self.client, req, step.timeout, timer).await
                    }
                    // Boxed: Goose's request future is large, and the open model's journeys
                    // would otherwise carry its size.
                    Via::Goose(user) => Box::pin(closed::send(user, req, step)).await,
                };
                let response = match sent {
                    Ok(r) => r,
                    Err(f) => return (Err(f), requests),
                };
                browser::store_cookies(state, &url, &response);
                let next =
                    again.and_then(|a| browser::redirect_target(&response, &url).map(|to| (a, to)));
                match next {
                    None => break (response, url),
                    Some((_, Err(f))) => return (Err(f), requests),
                    Some((previous, Ok(to))) => {
                        hops += 1;
                        let next = browser::follow(&previous, response.status, to, state);
                        req = match self.may_go(next) {
                            Ok(next) => next,
                            Err(f) => return (Err(f), requests),
                        };
                    }
                }
            };
            if self.keeps_pages {
                state.last_page = Some((url, response.body.clone()));
            }
            if let Err(f) = request::judge(&step.check, &response) {
                return (Err(f), requests);
            }
            if let Some(poll) = &step.poll
                && request::judge(&poll.until, &response).is_err()
            {
                if started.map_or(Duration::ZERO, |t| t.elapsed()) + poll.every > poll.timeout {
                    let reason = format!("poll condition not met within {:?}", poll.timeout);
                    return (
                        Err(request::Failure {
                            outcome: Outcome::Timeout,
                            reason,
                        }),
                        requests,
                    );
                }
                tokio::time::sleep(poll.every).await;
                continue;
            }
            return (request::extract(step, &response, state), requests);
        }
    }
}
