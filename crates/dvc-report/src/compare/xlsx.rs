//! The comparison as a spreadsheet (`.xlsx`): one sheet per view (the ranking with each
//! figure's value, the samples behind them, the points each province lost, the methodology),
//! headers in the report's language with units, numbers stored as numbers (ratios 0–1 shown
//! as percentages), so they sort and chart in a spreadsheet program.

use super::labels::Labels;
use crate::Lang;
use dvc_compare::{Comparison, FigureId, Unit};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// The workbook's bytes.
pub fn xlsx(c: &Comparison, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let l = Labels::of(lang);
    let vi = lang == Lang::Vi;
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.00%");
    let seconds = Format::new().set_num_format("0.000");
    let hours = Format::new().set_num_format("0.0");
    let points = Format::new().set_num_format("0.0");
    let format_of = |u: Unit| match u {
        Unit::Ratio => &percent,
        Unit::Seconds => &seconds,
        Unit::WorkingHours => &hours,
    };
    let unit_name = |u: Unit| match (u, vi) {
        (Unit::Ratio, _) => "%",
        (Unit::Seconds, true) => "giây",
        (Unit::Seconds, false) => "s",
        (Unit::WorkingHours, _) => l.working_hours,
    };
    let heading = |f: FigureId| format!("{} ({})", l.figure(f).0, unit_name(f.unit()));
    let mut book = Workbook::new();

    let sheet = book.add_worksheet().set_name(l.ranking)?;
    let mut head = vec![l.rank.to_owned(), l.province.to_owned(), l.score.to_owned()];
    head.extend(FigureId::ALL.iter().map(|f| heading(*f)));
    header(sheet, &head, &bold)?;
    for (i, p) in c.provinces.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match p.rank {
            Some(r) => sheet.write_number(row, 0, r as f64)?,
            None => sheet.write_string(row, 0, l.not_ranked)?,
        };
        sheet.write_string(row, 1, &p.name)?;
        if let Some(s) = p.score {
            sheet.write_number_with_format(row, 2, s, &points)?;
        }
        for (j, f) in FigureId::ALL.iter().enumerate() {
            if let Some(v) = p.figure(*f).value {
                let col = u16::try_from(j + 3).unwrap_or(u16::MAX);
                let unit = f.unit();
                sheet.write_number_with_format(row, col, unit.exported(v), format_of(unit))?;
            }
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    sheet.autofit();

    let sheet = book
        .add_worksheet()
        .set_name(if vi { "Số mẫu" } else { "Samples" })?;
    let mut head = vec![l.province.to_owned()];
    head.extend(
        FigureId::ALL
            .iter()
            .map(|f| format!("{} ({})", l.figure(*f).0, l.samples)),
    );
    header(sheet, &head, &bold)?;
    for (i, p) in c.provinces.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_string(row, 0, &p.name)?;
        for (j, f) in FigureId::ALL.iter().enumerate() {
            let col = u16::try_from(j + 1).unwrap_or(u16::MAX);
            sheet.write_number(row, col, p.figure(*f).samples as f64)?;
        }
    }
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofit();

    let scored: Vec<FigureId> = FigureId::ALL
        .into_iter()
        .filter(|f| c.used_weight(*f) > 0.0)
        .collect();
    let sheet = book.add_worksheet().set_name(l.breakdown)?;
    let mut head = vec![l.province.to_owned()];
    head.extend(scored.iter().map(|f| l.figure(*f).0.to_owned()));
    head.push(l.lost_total.to_owned());
    header(sheet, &head, &bold)?;
    let ranked = c.provinces.iter().filter(|p| p.score.is_some());
    for (i, p) in ranked.enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_string(row, 0, &p.name)?;
        let mut total = 0.0;
        for (j, f) in scored.iter().enumerate() {
            let lost = c.points_lost(p, *f).unwrap_or_default();
            total += lost;
            let col = u16::try_from(j + 1).unwrap_or(u16::MAX);
            sheet.write_number_with_format(row, col, lost, &points)?;
        }
        let col = u16::try_from(scored.len() + 1).unwrap_or(u16::MAX);
        sheet.write_number_with_format(row, col, total, &points)?;
    }
    sheet.autofit();

    let sheet = book.add_worksheet().set_name(l.methodology)?;
    let head = [
        l.figure,
        l.meaning,
        l.full_marks,
        l.zero_marks,
        l.weight,
        l.weight_used,
        l.not_scored,
        l.index_scale,
    ]
    .map(str::to_owned);
    header(sheet, &head, &bold)?;
    for (i, f) in FigureId::ALL.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (_, meaning) = l.figure(*f);
        let (full, zero) = f.anchors();
        let unit = f.unit();
        sheet.write_string(row, 0, heading(*f))?;
        sheet.write_string(row, 1, meaning)?;
        sheet.write_number_with_format(row, 2, unit.exported(full), format_of(unit))?;
        sheet.write_number_with_format(row, 3, unit.exported(zero), format_of(unit))?;
        sheet.write_number(row, 4, c.weights.get(*f))?;
        sheet.write_number(row, 5, c.used_weight(*f))?;
        if let Some(u) = c.unscored.iter().find(|u| u.figure == *f) {
            sheet.write_string(row, 6, l.lacking(u, c.provinces.len()))?;
        }
        sheet.write_string(row, 7, l.index_rule(*f))?;
    }
    sheet.set_column_width(1, 80)?;
    book.save_to_buffer()
}

fn header(sheet: &mut Worksheet, names: &[String], bold: &Format) -> Result<(), XlsxError> {
    for (j, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, u16::try_from(j).unwrap_or(u16::MAX), name, bold)?;
    }
    Ok(())
}
