//! The visitor's personal data, replaced by the generated citizen's; passwords by `${DVC_PASSWORD}`.

use super::*;

/// What a personal value becomes: `field` is its name, when it has one.
fn personal(field: Option<&str>, value: &str, notes: &mut Notes) -> Option<String> {
    if value.contains("{{") || value.contains("${") || value.is_empty() {
        return None;
    }
    let field = field.unwrap_or("").to_ascii_lowercase().replace('-', "_");
    let named = |words: &[&str]| words.iter().any(|w| field.contains(w));
    if named(&["password", "passwd", "mat_khau", "matkhau", "pwd", "otp"]) {
        notes.passwords += 1;
        return Some("${DVC_PASSWORD}".to_owned());
    }
    let digits = value.bytes().all(|b| b.is_ascii_digit());
    let replacement = if digits && value.len() == 12 {
        "{{citizen.id}}"
    } else if (digits && value.len() == 10 && value.starts_with('0'))
        || (value.starts_with("+84")
            && value.len() == 12
            && value[1..].bytes().all(|b| b.is_ascii_digit()))
    {
        "{{citizen.phone}}"
    } else if named(&["full_name", "fullname", "ho_ten", "hoten", "ho_va_ten"])
        || (field == "name" && value.contains(' '))
    {
        "{{citizen.full_name}}"
    } else if named(&["address", "dia_chi", "diachi"]) {
        "{{citizen.address}}"
    } else if named(&["birth", "ngay_sinh", "ngaysinh", "dob"]) {
        "{{citizen.birth_date}}"
    } else if value.contains('@') && value.contains('.') && !value.contains(' ') {
        "{{citizen.id}}@example.vn"
    } else {
        return None;
    };
    notes.personal += 1;
    Some(replacement.to_owned())
}

/// Personal values in a JSON value, replaced in place.
fn anonymize_json(v: &mut serde_json::Value, field: Option<&str>, notes: &mut Notes) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                anonymize_json(item, Some(k), notes);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                anonymize_json(item, field, notes);
            }
        }
        serde_json::Value::String(s) => {
            if let Some(r) = personal(field, s, notes) {
                *s = r;
            }
        }
        serde_json::Value::Number(n) => {
            if let Some(r) = personal(field, &n.to_string(), notes) {
                *v = serde_json::Value::String(r);
            }
        }
        _ => {}
    }
}

fn anonymize_pairs(pairs: &mut [(String, String)], notes: &mut Notes) {
    for (k, v) in pairs {
        if let Ok(mut json) = serde_json::from_str::<serde_json::Value>(v)
            && json.is_object()
        {
            anonymize_json(&mut json, None, notes);
            *v = json.to_string();
        } else if let Some(r) = personal(Some(k), v, notes) {
            *v = r;
        }
    }
}

pub(super) fn anonymize(step: &mut StepOut, notes: &mut Notes) {
    anonymize_pairs(&mut step.query, notes);
    let segments: Vec<String> = step
        .path
        .split('/')
        .map(|seg| personal(None, seg, notes).unwrap_or_else(|| seg.to_owned()))
        .collect();
    step.path = segments.join("/");
    match &mut step.body {
        Body::Json(v) => anonymize_json(v, None, notes),
        Body::Form(pairs) | Body::Multipart { fields: pairs, .. } => anonymize_pairs(pairs, notes),
        Body::None => {}
    }
}
