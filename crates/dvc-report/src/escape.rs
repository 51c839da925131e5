//! Escaping text for the formats the renderers write: one place for each, so every renderer
//! escapes alike.

/// Text safe inside HTML and SVG elements and quoted attributes: `&`, `<`, `>`, `"` and `'`
/// as entities.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text safe inside a Markdown table cell: `|` escaped, line breaks as spaces.
pub fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_become_entities_and_cells_stay_one_line() {
        assert_eq!(
            html(r#"<a href="x" title='Hà Nội'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;Hà Nội&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(markdown_cell("a|b\r\nc"), "a\\|b  c");
    }
}
