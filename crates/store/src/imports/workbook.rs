//! An XLSX workbook of a CRM export (HubSpot's default export format; Pipedrive offers it too),
//! read with `calamine`: each worksheet with a header row becomes a [`Sheet`] named
//! `file (sheet Name)`, its records on the worksheet's own row numbers, so that a problem names
//! the sheet, row and column as the spreadsheet shows them. Cells become the text a CSV export
//! would hold: numbers without a trailing `.0`, dates and times as `2024-03-15 14:22:05`.

use super::sheet::Sheet;
use crate::bundle::Problem;
use calamine::{Data, Reader, Xlsx};
use std::path::Path;

/// The worksheets of the workbook at `path` that have a header row; an unreadable workbook or
/// worksheet is a problem of its own.
pub fn read(path: &Path) -> Vec<Result<Sheet, Problem>> {
    let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let unreadable = |name: &str, error: &dyn std::fmt::Display| Problem {
        file: name.to_string(),
        line: 0,
        column: None,
        field: None,
        message: format!("cannot be read as an XLSX workbook ({error}): export it again, or as CSV"),
    };
    let mut workbook: Xlsx<_> = match calamine::open_workbook(path) {
        Ok(workbook) => workbook,
        Err(error) => return vec![Err(unreadable(&file, &error))],
    };
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let located = format!("{file} (sheet {name})");
        match workbook.worksheet_range(&name) {
            Ok(range) => sheets.extend(sheet_of(located, &range).map(Ok)),
            Err(error) => sheets.push(Err(unreadable(&located, &error))),
        }
    }
    sheets
}

/// A worksheet's cells as a sheet: its first non-empty row the header; `None` when it has none.
fn sheet_of(file: String, range: &calamine::Range<Data>) -> Option<Sheet> {
    let (first_row, first_column) = range.start()?;
    let mut rows = range.rows().enumerate().map(|(index, cells)| (u64::from(first_row) + index as u64 + 1, cells));
    // Columns left of the range's first are empty in every row: keep the spreadsheet's numbering.
    let lead = vec![String::new(); first_column as usize];
    let text_of = |cells: &[Data]| -> Vec<String> { lead.iter().cloned().chain(cells.iter().map(text)).collect() };
    let headers: Vec<String> =
        rows.by_ref().map(|(_, cells)| text_of(cells)).find(|cells| cells.iter().any(|c| !c.is_empty()))?;
    let headers = headers.into_iter().map(|h| h.trim().to_string()).collect();
    let records = rows
        .map(|(line, cells)| (line, text_of(cells)))
        .filter(|(_, values)| values.iter().any(|v| !v.trim().is_empty()))
        .collect();
    Some(Sheet::of_rows(file, headers, records))
}

/// A cell as the text a CSV export holds.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        // Whole numbers (ids, amounts without cents) read as integers; others as they print.
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => format!("{number:.0}"),
        Data::Float(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(serial) => match serial.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.format("%Y-%m-%d").to_string(),
            Some(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => serial.as_f64().to_string(),
        },
        Data::Error(error) => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn cells_read_as_a_csv_export_writes_them() {
        let when = |serial| Data::DateTime(ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false));
        assert_eq!(text(&Data::Float(12500.0)), "12500");
        assert_eq!(text(&Data::Float(4500.5)), "4500.5");
        assert_eq!(text(&Data::Int(7001)), "7001");
        // 45366 is 2024-03-15 in the 1900 date system; .5 is noon.
        assert_eq!(text(&when(45366.0)), "2024-03-15");
        assert_eq!(text(&when(45366.5)), "2024-03-15 12:00:00");
        assert_eq!(text(&Data::Empty), "");
    }
}
