//! A one-page PDF (PDF 1.4) of text lines, for e-receipts, in Vietnamese.
//!
//! The standard PDF fonts have no Vietnamese letters, so the text is set in DejaVu Sans
//! (shipped in `data/fonts`, Bitstream Vera licence), embedded as a CID font subset to the
//! glyphs the page uses, with a ToUnicode map so the text can be copied and searched.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

static FONT: &[u8] = include_bytes!("../data/fonts/DejaVuSans.ttf");
const FONT_NAME: &str = "DVCSIM+DejaVuSans";

/// What the page needs to know of the font, read once.
struct Metrics {
    units_per_em: f64,
    ascent: i16,
    descent: i16,
    cap_height: i16,
    bbox: [i16; 4],
}

fn face() -> ttf_parser::Face<'static> {
    ttf_parser::Face::parse(FONT, 0).expect("invariant: the shipped font parses (tested)")
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let face = face();
        let b = face.global_bounding_box();
        Metrics {
            units_per_em: f64::from(face.units_per_em()),
            ascent: face.ascender(),
            descent: face.descender(),
            cap_height: face.capital_height().unwrap_or(face.ascender()),
            bbox: [b.x_min, b.y_min, b.x_max, b.y_max],
        }
    })
}

/// A one-page A4 PDF showing `lines`. Text is composed (NFC) first; a character the font
/// lacks is shown as `?`.
pub fn text_pdf(lines: &[String]) -> Vec<u8> {
    let face = face();
    let m = metrics();
    let question = face.glyph_index('?').map_or(0, |g| g.0);
    let mut remapper = subsetter::GlyphRemapper::new();
    remapper.remap(0);
    // Old glyph id → (its character, advance in 1/1000 em), for widths and ToUnicode.
    let mut used: BTreeMap<u16, (char, i64)> = BTreeMap::new();
    let mut content = String::from("BT /F1 12 Tf 56 780 Td 17 TL\n");
    for line in lines {
        content.push('<');
        for c in line.nfc() {
            let (c, gid) = match face.glyph_index(c) {
                Some(g) if !c.is_control() => (c, g.0),
                _ => ('?', question),
            };
            let advance = face
                .glyph_hor_advance(ttf_parser::GlyphId(gid))
                .unwrap_or(0);
            let width = (f64::from(advance) * 1000.0 / m.units_per_em).round() as i64;
            used.entry(gid).or_insert((c, width));
            content.push_str(&format!("{:04X}", remapper.remap(gid)));
        }
        content.push_str("> Tj T*\n");
    }
    content.push_str("ET\n");
    let font_file = subsetter::subset(FONT, 0, &remapper)
        .expect("invariant: the shipped font subsets (tested)");
    let mut widths = String::new();
    let mut to_unicode = Vec::new();
    for (&old, &(c, width)) in &used {
        let cid = remapper
            .get(old)
            .expect("invariant: every used glyph was remapped");
        widths.push_str(&format!("{cid} [{width}] "));
        let utf16: String = c
            .encode_utf16(&mut [0; 2])
            .iter()
            .map(|u| format!("{u:04X}"))
            .collect();
        to_unicode.push(format!("<{cid:04X}> <{utf16}>"));
    }
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in to_unicode.chunks(100) {
        cmap.push_str(&format!(
            "{} beginbfchar\n{}\nendbfchar\n",
            chunk.len(),
            chunk.join("\n")
        ));
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let [x0, y0, x1, y1] = m
        .bbox
        .map(|v| (f64::from(v) * 1000.0 / m.units_per_em).round());
    let scaled = |v: i16| (f64::from(v) * 1000.0 / m.units_per_em).round();
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        stream("", content.as_bytes()),
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{FONT_NAME} /Encoding /Identity-H \
             /DescendantFonts [6 0 R] /ToUnicode 8 0 R >>"
        )
        .into_bytes(),
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{FONT_NAME} \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor 7 0 R /DW 1000 /W [{widths}] /CIDToGIDMap /Identity >>"
        )
        .into_bytes(),
        format!(
            "<< /Type /FontDescriptor /FontName /{FONT_NAME} /Flags 32 \
             /FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle 0 /Ascent {} /Descent {} \
             /CapHeight {} /StemV 80 /FontFile2 9 0 R >>",
            scaled(m.ascent),
            scaled(m.descent),
            scaled(m.cap_height)
        )
        .into_bytes(),
        stream("", cmap.as_bytes()),
        stream(&format!(" /Length1 {}", font_file.len()), &font_file),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A stream object with `data`, its dictionary holding `/Length` and `extra` entries.
fn stream(extra: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< /Length {}{extra} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(pdf: &[u8]) -> String {
        let doc = lopdf::Document::load_mem(pdf).expect("a reader opens it");
        doc.extract_text(&[1]).expect("its text extracts")
    }

    #[test]
    fn vietnamese_text_reads_back_from_the_pdf() {
        let lines = vec![
            "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ".to_owned(),
            // Decomposed (NFD) input is composed before it is set.
            "Người nộp: Nguyễn Thị Ánh".nfd().collect::<String>(),
            "Số tiền: 200.000 đồng (hai trăm nghìn đồng)".to_owned(),
        ];
        let pdf = text_pdf(&lines);
        let text = text_of(&pdf);
        for want in [
            "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ",
            "Người nộp: Nguyễn Thị Ánh",
            "Số tiền: 200.000 đồng",
        ] {
            assert!(text.contains(want), "{want:?} not in {text:?}");
        }
        // The font is a subset: a few kilobytes, not the 740 KB of the whole face.
        assert!(pdf.len() < 60_000, "{} bytes", pdf.len());
    }

    #[test]
    fn a_character_the_font_lacks_is_a_question_mark() {
        let text = text_of(&text_pdf(&["Mã 𝄞 (clef) \u{7}".to_owned()]));
        assert!(text.contains("Mã ? (clef) ?"), "{text:?}");
    }

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let pdf = text_pdf(&["Biên lai (receipt)".into()]);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4") && text.ends_with("%%EOF\n"));
        let xref_at: usize = text
            .lines()
            .skip_while(|l| *l != "startxref")
            .nth(1)
            .and_then(|l| l.parse().ok())
            .expect("startxref");
        assert!(pdf[xref_at..].starts_with(b"xref"));
        let table = String::from_utf8_lossy(&pdf[xref_at..]).into_owned();
        for (i, line) in table.lines().skip(3).take(9).enumerate() {
            let offset: usize = line[..10].parse().expect("offset");
            assert!(
                pdf[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "{line}"
            );
        }
    }
}
