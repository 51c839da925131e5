//! Sending a request within a timeout, and what came of it: a [`Response`] or a [`Failure`]
//! with its [`Outcome`].

use crate::client::{HttpClient, Prepared, SendError};
use crate::h1::Headers;
use crate::outcome::Outcome;
use crate::timer::RequestTimer;
use hyper::body::Bytes;
use std::time::Duration;

/// A whole response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Headers,
    pub body: Bytes,
}

/// Why a request produced no usable response.
#[derive(Debug)]
pub struct Failure {
    pub outcome: Outcome,
    pub reason: String,
}

/// A failure with its outcome and reason.
pub fn fail(outcome: Outcome, reason: impl Into<String>) -> Failure {
    Failure {
        outcome,
        reason: reason.into(),
    }
}

/// Sends a request and reads the whole response within `timeout`.
pub async fn send(
    client: &HttpClient,
    request: Prepared,
    timeout: Duration,
) -> Result<Response, Failure> {
    send_timed(client, request, timeout, &mut RequestTimer::new()).await
}

/// [`send`] with the caller's timer, which a worker keeps from one request to the next.
pub async fn send_timed(
    client: &HttpClient,
    request: Prepared,
    timeout: Duration,
    timer: &mut RequestTimer,
) -> Result<Response, Failure> {
    let work = std::pin::pin!(client.send(request));
    match timer.within(timeout, work).await {
        Some(Ok(a)) => Ok(Response {
            status: a.status,
            headers: a.headers,
            body: a.body,
        }),
        Some(Err(e)) => Err(fail(e.outcome(), e.to_string())),
        None => Err(fail(
            Outcome::Timeout,
            format!("no complete answer within {timeout:?}"),
        )),
    }
}

impl SendError {
    /// The outcome a request that ended in this error is counted under.
    pub fn outcome(&self) -> Outcome {
        match self {
            SendError::Connect(_) => Outcome::ConnectError,
            SendError::Protocol(_) => Outcome::ProtocolError,
            SendError::TooLarge(_) => Outcome::BodyTooLarge,
            SendError::Request(_) => Outcome::CheckFailed,
        }
    }
}
