//! HTML pages a browser loads: the home page and a procedure's page.

use crate::error::ApiError;
use crate::portal::SharedPortal;
use axum::extract::{Path, State};
use axum::response::Html;

/// Escapes text for HTML.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A whole page with a title and body (body is trusted HTML).
pub fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;\
         padding:0 1rem}}li{{margin:.3rem 0}}</style></head><body>{body}</body></html>",
        esc(title)
    ))
}

/// `GET /`: the portal's home page with the catalogue.
pub async fn home(State(portal): State<SharedPortal>) -> Html<String> {
    let prefix = &portal.config.prefix;
    let items: String = portal
        .catalogue
        .procedures
        .iter()
        .map(|p| {
            format!(
                "<li><a href=\"{prefix}/procedures/{code}\">{name}</a> ({online})</li>",
                code = esc(&p.code),
                name = esc(&p.name),
                online = p.online_vi()
            )
        })
        .collect();
    page(
        &format!("Cổng dịch vụ công - {}", portal.province.name),
        &format!(
            "<h1>Cổng dịch vụ công {}</h1>\
             <form action=\"{prefix}/api/procedures\"><input name=\"q\" placeholder=\"Tìm thủ tục\">\
             <button>Tìm kiếm</button></form><h2>Thủ tục hành chính</h2><ul>{items}</ul>",
            esc(portal.province.name)
        ),
    )
}

/// `GET /procedures/{code}`: one procedure's page.
pub async fn procedure(
    State(portal): State<SharedPortal>,
    Path(code): Path<String>,
) -> Result<Html<String>, ApiError> {
    let p = portal
        .catalogue
        .procedure(&code)
        .ok_or_else(|| ApiError::not_found(format!("no procedure with code {code:?}")))?;
    let agency = portal
        .catalogue
        .agency(&p.agency)
        .map_or("", |a| a.name.as_str());
    let attachments: String = p
        .attachments
        .iter()
        .map(|a| format!("<li>{}</li>", esc(a)))
        .collect();
    let cutoff = p
        .same_day_cutoff
        .as_deref()
        .map(|c| format!("<p>Nhận trước {c}: trả kết quả trong ngày.</p>"))
        .unwrap_or_default();
    Ok(page(
        &p.name,
        &format!(
            "<h1>{name}</h1><p>Mã thủ tục: {code}</p><p>Cơ quan: {agency}</p>\
             <p>Dịch vụ công trực tuyến: {online}</p><p>Lệ phí: {fee} VND{pay_first}</p>{cutoff}\
             <h2>Thành phần hồ sơ</h2><ul>{attachments}</ul>",
            name = esc(&p.name),
            code = esc(&p.code),
            agency = esc(agency),
            online = p.online_vi(),
            fee = p.fee,
            pay_first = if p.pay_first {
                " (nộp trước khi tiếp nhận)"
            } else {
                ""
            },
        ),
    ))
}

/// `GET /favicon.ico` at each listener's root (where browsers ask, whatever the portal's
/// prefix): no icon (204), so a browser's automatic request for one is not an error.
pub async fn favicon() -> axum::http::StatusCode {
    axum::http::StatusCode::NO_CONTENT
}
