//! Errors as HTTP responses: a status code and a JSON reason the client may see.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A 4xx or 5xx answer with `{"error": reason}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub reason: String,
}

impl ApiError {
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        ApiError {
            status,
            reason: reason.into(),
        }
    }

    pub fn bad_request(reason: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, reason)
    }

    pub fn not_found(reason: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, reason)
    }

    pub fn unprocessable(reason: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, reason)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(status = %self.status, reason = %self.reason, "server error");
        }
        (
            self.status,
            Json(serde_json::json!({ "error": self.reason })),
        )
            .into_response()
    }
}

impl From<crate::office::OfficeError> for ApiError {
    fn from(err: crate::office::OfficeError) -> Self {
        use crate::office::OfficeError::*;
        let status = match err {
            UnknownDossier(_) | UnknownPayment(_) => StatusCode::NOT_FOUND,
            NoFeeOwed(_)
            | NotAwaitingSupplement { .. }
            | NotPaidOnGateway(_)
            | CannotWithdraw { .. } => StatusCode::CONFLICT,
        };
        ApiError::new(status, err.to_string())
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        ApiError::new(r.status(), r.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::new(r.status(), r.body_text())
    }
}

impl From<axum::extract::rejection::FormRejection> for ApiError {
    fn from(r: axum::extract::rejection::FormRejection) -> Self {
        ApiError::new(r.status(), r.body_text())
    }
}

impl From<axum::extract::multipart::MultipartRejection> for ApiError {
    fn from(r: axum::extract::multipart::MultipartRejection) -> Self {
        ApiError::new(r.status(), r.body_text())
    }
}

impl From<axum::extract::multipart::MultipartError> for ApiError {
    fn from(e: axum::extract::multipart::MultipartError) -> Self {
        ApiError::new(
            e.status(),
            format!("malformed multipart body: {}", e.body_text()),
        )
    }
}
