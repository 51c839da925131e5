//! How a request ended.

/// How a request (or a journey) ended. Every failure has exactly one outcome:
/// - `connect_error`: no response began: the connection could not be opened, or closed (or
///   failed) before a byte of a response arrived;
/// - `protocol_error`: a response began but could not be read as HTTP: a malformed or oversized
///   head, conflicting lengths, a bad chunk, a body cut short;
/// - `body_too_large`: the body was longer than the limit;
/// - `timeout`: no whole response within the step's timeout;
/// - `http_4xx` / `http_5xx`: an error status the step did not expect;
/// - `check_failed`: a response that did not meet the step's checks, or a request the step
///   could not build (a variable held a line break).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Ok,
    CheckFailed,
    Http4xx,
    Http5xx,
    Timeout,
    ConnectError,
    ProtocolError,
    BodyTooLarge,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::Ok,
        Outcome::CheckFailed,
        Outcome::Http4xx,
        Outcome::Http5xx,
        Outcome::Timeout,
        Outcome::ConnectError,
        Outcome::ProtocolError,
        Outcome::BodyTooLarge,
    ];

    /// The outcome an [`Outcome::id`] names.
    pub fn from_id(id: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.id() == id)
    }

    /// The outcome's name in summaries and metric labels.
    pub fn id(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::CheckFailed => "check_failed",
            Outcome::Http4xx => "http_4xx",
            Outcome::Http5xx => "http_5xx",
            Outcome::Timeout => "timeout",
            Outcome::ConnectError => "connect_error",
            Outcome::ProtocolError => "protocol_error",
            Outcome::BodyTooLarge => "body_too_large",
        }
    }

    /// Its place in [`Outcome::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}
