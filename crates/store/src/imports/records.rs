//! Accounts, contacts and activities of the exports read whole (HubSpot, Pipedrive): a sheet's
//! columns found once by the names the CRM heads them with, then every row written as a bundle
//! row, counted, its unreadable cells located.

use super::VendorFile;
use super::bundle_out::NewRow;
use super::cells::{self, NumberStyle};
use super::conversion::{Conversion, Owners};
use super::sheet::{Row, Sheet};
use crate::error::Result;
use chrono::NaiveDateTime;

/// A bundle column (or a helper column the conversion reads) and the names the CRM heads its
/// column with.
pub struct Column(pub &'static str, pub &'static [&'static str]);

/// A sheet's columns; the first is the record's id, which the sheet must have.
pub type Spec = [Column];

/// A sheet's columns by bundle column, registered to place the bundle import's problems.
pub struct Fields {
    columns: Vec<(&'static str, Option<usize>)>,
    pub from: VendorFile,
}

impl Fields {
    /// The sheet's column for `field`, when it has one.
    pub fn of(&self, field: &str) -> Option<usize> {
        self.columns.iter().find(|(name, _)| *name == field).and_then(|(_, column)| *column)
    }

    /// The record's id column's value on `row`.
    pub fn record<'s>(&self, row: &Row<'s>) -> &'s str {
        row.get(self.columns.first().and_then(|(_, column)| *column))
    }
}

impl Conversion {
    /// The columns of `spec` in `sheet`, registered; `None` after a problem when the sheet lacks
    /// the first, the record's id.
    pub fn fields(&mut self, sheet: &Sheet, spec: &Spec) -> Option<Fields> {
        let Column(_, id_names) = spec.first()?;
        self.required(sheet, id_names)?;
        let columns: Vec<(&'static str, Option<usize>)> =
            spec.iter().map(|Column(field, names)| (*field, sheet.column(names))).collect();
        let from = self.vendor_file(sheet, &columns);
        Some(Fields { columns, from })
    }

    /// Converts every row of `sheet` with `each` (which says whether it wrote one) and counts
    /// what was read and converted.
    pub fn each_row(
        &mut self,
        sheet: &Sheet,
        mut each: impl FnMut(&mut Conversion, &Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        let mut converted = 0;
        for row in sheet.rows() {
            if each(self, &row)? {
                converted += 1;
            }
        }
        self.counted(sheet, converted);
        Ok(())
    }

    /// Sets `field` of `out` to the cell at `column` as `parse` reads it; an empty cell leaves it
    /// empty, an unreadable one is a problem at the cell.
    pub fn parsed(
        &mut self,
        out: &mut NewRow,
        row: &Row<'_>,
        column: Option<usize>,
        field: &str,
        parse: impl Fn(&str) -> std::result::Result<String, String>,
    ) {
        let text = row.get(column);
        if text.is_empty() {
            return;
        }
        match parse(text) {
            Ok(value) => {
                out.set(field, value);
            }
            Err(message) => self.problems.push(row.problem(column, message)),
        }
    }
}

/// Writes every row of `sheet` as an account (its `spec` names `account_id`, `name`, `industry`,
/// `city`, `country`, `employees`, `annual_revenue`, `owner_id` as the CRM has them): `id` makes
/// its id from the record's, `remember` is told each record id and name written.
pub fn accounts(
    conversion: &mut Conversion,
    sheet: &Sheet,
    spec: &Spec,
    owners: &mut Owners,
    id: impl Fn(&str) -> String,
    mut remember: impl FnMut(&str, &str),
) -> Result<()> {
    let Some(f) = conversion.fields(sheet, spec) else { return Ok(()) };
    conversion.each_row(sheet, |conversion, row| {
        let record = f.record(row);
        let name = [row.get(f.of("name")), record].into_iter().find(|t| !t.is_empty()).unwrap_or_default();
        let mut out = NewRow::of("accounts.csv");
        out.set("account_id", id(record)).set("name", name);
        for field in ["industry", "city", "country"] {
            out.set(field, row.get(f.of(field)));
        }
        if let Some(rep) = owners.rep(row.get(f.of("owner_id"))) {
            out.set("owner_id", rep);
        }
        conversion.parsed(&mut out, row, f.of("employees"), "employees", cells::parse_count);
        let amount = |text: &str| cells::parse_amount(text, NumberStyle::default());
        conversion.parsed(&mut out, row, f.of("annual_revenue"), "annual_revenue", amount);
        remember(record, name);
        conversion.emit(out, f.from, row.line)?;
        Ok(true)
    })
}

/// Writes every row of `sheet` whose account `account_of` finds as a contact (the others are left
/// out and counted); its `spec` names `contact_id`, `account_id`, `first_name`, `last_name`,
/// `full_name`, `title`, `email`, `phone`. The last name falls back on the full name, the e-mail,
/// the record id. `remember` is told each row written and its record id.
pub fn contacts(
    conversion: &mut Conversion,
    sheet: &Sheet,
    spec: &Spec,
    account_of: impl Fn(&Fields, &Row<'_>) -> Option<String>,
    id: impl Fn(&str) -> String,
    mut remember: impl FnMut(&Fields, &Row<'_>, &str),
) -> Result<()> {
    let Some(f) = conversion.fields(sheet, spec) else { return Ok(()) };
    conversion.each_row(sheet, |conversion, row| {
        let Some(account) = account_of(&f, row) else {
            conversion.skip(sheet, "no account in the export: a contact belongs to an account");
            return Ok(false);
        };
        let record = f.record(row);
        let last_name = ["last_name", "full_name", "email"]
            .into_iter()
            .map(|field| row.get(f.of(field)))
            .chain([record])
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        let mut out = NewRow::of("contacts.csv");
        out.set("contact_id", id(record)).set("account_id", account).set("last_name", last_name);
        for field in ["first_name", "title", "email", "phone"] {
            out.set(field, row.get(f.of(field)));
        }
        remember(&f, row, record);
        conversion.emit(out, f.from, row.line)?;
        Ok(true)
    })
}

/// An activity as converted, ready to be written.
pub struct Activity<'a> {
    pub id: String,
    pub rep: String,
    /// The bundle's activity type (`cold_call`, `appointment`, …).
    pub kind: &'a str,
    pub at: NaiveDateTime,
    pub account: Option<String>,
    pub contact: Option<String>,
    pub opportunity: Option<String>,
    pub outcome: Option<&'a str>,
}

/// Writes `activity`, converted from `line` of `from`.
pub fn write_activity(conversion: &mut Conversion, activity: Activity<'_>, from: VendorFile, line: u64) -> Result<()> {
    let mut out = NewRow::of("activities.csv");
    out.set("activity_id", activity.id).set("rep_id", activity.rep).set("type", activity.kind);
    out.set("occurred_at", cells::timestamp(activity.at));
    for (field, value) in
        [("account_id", activity.account), ("contact_id", activity.contact), ("opportunity_id", activity.opportunity)]
    {
        if let Some(value) = value {
            out.set(field, value);
        }
    }
    if let Some(outcome) = activity.outcome {
        out.set("outcome", outcome);
    }
    conversion.emit(out, from, line)
}
