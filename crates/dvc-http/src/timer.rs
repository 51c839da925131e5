//! The timeout of a worker's requests.

use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The timeout of one worker's requests, one after another: a single timer entry kept armed
/// across requests instead of one entry added and removed per request. A request's deadline
/// only moves later than the previous one's, so the entry stays where it is while requests
/// answer in time; when it fires at an earlier request's deadline it is moved to the current
/// one's. A request that answers in time thus costs a comparison, not a timer-wheel insertion
/// and removal.
pub struct RequestTimer {
    sleep: Pin<Box<Sleep>>,
}

impl Default for RequestTimer {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestTimer {
    /// A timer not armed yet (its first waiting request arms it).
    pub fn new() -> Self {
        RequestTimer {
            sleep: Box::pin(tokio::time::sleep_until(far_future())),
        }
    }

    /// Runs `work` for at most `timeout`; None when the time ran out first.
    pub async fn within<F: Future>(
        &mut self,
        timeout: Duration,
        mut work: Pin<&mut F>,
    ) -> Option<F::Output> {
        let deadline = Instant::now() + timeout;
        std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = work.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            loop {
                // Armed later than this request's deadline, or fired at an earlier one's.
                if self.sleep.deadline() > deadline || self.sleep.is_elapsed() {
                    self.sleep.as_mut().reset(deadline);
                }
                match self.sleep.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(()) if self.sleep.deadline() >= deadline => {
                        return Poll::Ready(None);
                    }
                    // An earlier request's deadline passed since the check above (a driver
                    // on another thread fired it): on to this one's.
                    Poll::Ready(()) => {}
                }
            }
        })
        .await
    }
}

/// An instant no run reaches (about thirty years ahead), for a timer not armed yet.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400 * 365 * 30)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::pin;
    use tokio::time::sleep;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    /// Asserts that `elapsed` is `expected`, to the timer's millisecond.
    fn about(elapsed: Duration, expected: Duration) {
        assert!(
            elapsed >= expected && elapsed < expected + Duration::from_millis(5),
            "{elapsed:?} instead of {expected:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn each_request_is_timed_by_its_own_deadline() {
        let mut timer = RequestTimer::new();
        // Answers in time leave the timer armed at the first request's deadline (10 s).
        for _ in 0..3 {
            let work = pin!(async {
                sleep(secs(1)).await;
                "ok"
            });
            assert_eq!(timer.within(secs(10), work).await, Some("ok"));
        }
        // A slow request now runs to its own deadline, past the one the timer was armed at.
        let started = Instant::now();
        assert_eq!(timer.within(secs(10), pin!(sleep(secs(12)))).await, None);
        about(started.elapsed(), secs(10));
        // A shorter timeout than the one armed is kept too.
        assert_eq!(timer.within(secs(60), pin!(sleep(secs(1)))).await, Some(()));
        let started = Instant::now();
        assert_eq!(timer.within(secs(2), pin!(sleep(secs(5)))).await, None);
        about(started.elapsed(), secs(2));
        // An answer that comes just in time is an answer.
        let started = Instant::now();
        let work = pin!(sleep(Duration::from_millis(1990)));
        assert_eq!(timer.within(secs(2), work).await, Some(()));
        about(started.elapsed(), Duration::from_millis(1990));
    }
}
