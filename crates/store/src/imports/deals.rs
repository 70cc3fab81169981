//! A deal of an export read whole (HubSpot, Pipedrive) as an opportunity: its amount in the
//! organisation's currency with the original amount and currency kept, its outcome or open stage,
//! its milestones and stage changes, and its share of the first KPIs.

use super::VendorFile;
use super::bundle_out::NewRow;
use super::cells::{self, NumberStyle};
use super::conversion::Conversion;
use super::currency::Rates;
use super::milestones::Milestones;
use super::sheet::{Row, Sheet};
use super::stages::Resolved;
use crate::error::Result;
use chrono::{NaiveDate, NaiveDateTime};
use quotient_core::model::StageOutcome;
use std::collections::HashMap;

/// The columns a deal's money is read from.
#[derive(Debug, Clone, Copy, Default)]
pub struct MoneyColumns {
    /// The amount in the deal's currency.
    pub amount: Option<usize>,
    /// The amount in the organisation's currency, when the CRM converts it itself (HubSpot's
    /// "Amount in company currency").
    pub company_amount: Option<usize>,
    /// The deal's currency (an ISO 4217 code).
    pub currency: Option<usize>,
}

impl MoneyColumns {
    /// Bundle column ← vendor column, to place the bundle import's problems.
    pub fn sources(&self) -> [(&'static str, Option<usize>); 3] {
        [
            ("amount", self.company_amount.or(self.amount)),
            ("original_amount", self.amount),
            ("original_currency", self.currency),
        ]
    }
}

/// A deal's amount in the organisation's currency (`1234.50`), and its original amount and
/// currency when it was in another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount: String,
    pub original: Option<(String, String)>,
}

/// The deal's money on `row`: in the organisation's currency as it is; in another converted by the
/// export's own amount in the organisation's currency when it has one, else by `rates` on `on`.
/// An empty amount is 0 (counted). `None` after a located problem.
pub fn money(
    conversion: &mut Conversion,
    row: &Row<'_>,
    columns: &MoneyColumns,
    rates: &Rates,
    on: NaiveDate,
) -> Option<Money> {
    let mut read = |column: Option<usize>| match row.get(column) {
        "" => Some(None),
        text => match cells::parse_amount(text, NumberStyle::default()) {
            Ok(amount) => Some(Some(amount)),
            Err(message) => {
                conversion.problems.push(row.problem(column, message));
                None
            }
        },
    };
    let (amount, company) = (read(columns.amount)?, read(columns.company_amount)?);
    let Some(original) = amount.clone().or_else(|| company.clone()) else {
        conversion.skip(row.sheet, "no amount: imported with 0 (the deal itself is kept)");
        return Some(Money { amount: "0.00".to_string(), original: None });
    };
    let currency = row.get(columns.currency).to_uppercase();
    if currency.is_empty() || rates.corporate.as_deref() == Some(currency.as_str()) {
        return Some(Money { amount: original, original: None });
    }
    let Some(amount) = amount else {
        // Only the organisation's amount: there is no original to keep.
        return Some(Money { amount: original, original: None });
    };
    let converted = match company {
        Some(company) => company,
        None => match rates.convert(cents_of(&amount), &currency, on) {
            Ok(cents) => cents_text(cents),
            Err(message) => {
                conversion.problems.push(row.problem(columns.currency, message));
                return None;
            }
        },
    };
    Some(Money { amount: converted, original: Some((amount, currency)) })
}

/// The day a deal's amount is converted on, as for Salesforce: its close, else its expected
/// close, else its creation.
pub fn rate_day(
    closed: Option<(&Resolved, NaiveDateTime)>,
    expected: Option<NaiveDateTime>,
    created: NaiveDateTime,
) -> NaiveDate {
    closed.map(|(_, at)| at).or(expected).unwrap_or(created).date()
}

/// `rates` with the organisation's currency named: without a rates file, the one most deals of
/// `sheets` are in (their column `currency`), so that a deal in another is a located problem.
pub fn organisation_rates(rates: &Rates, sheets: &[Sheet], currency: &[&str]) -> Rates {
    let mut rates = rates.clone();
    if rates.corporate.is_none() && rates.is_empty() {
        rates.corporate = most_common_currency(sheets, currency);
    }
    rates
}

/// The currency most deals of `sheets` are in (the column `names`): the organisation's, when no
/// rates file says which it is.
fn most_common_currency(sheets: &[Sheet], names: &[&str]) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for sheet in sheets {
        let column = sheet.column(names);
        for row in sheet.rows().filter(|row| !row.get(column).is_empty()) {
            *counts.entry(row.get(column).to_uppercase()).or_default() += 1;
        }
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(currency, _)| currency)
}

/// A deal as converted, ready to be written.
pub struct Deal<'a> {
    /// The opportunity's external id.
    pub id: String,
    pub owner: String,
    pub name: &'a str,
    pub account: Option<String>,
    pub money: Money,
    pub created_at: NaiveDateTime,
    /// A closed deal's outcome stage and when it closed.
    pub closed: Option<(&'a Resolved, NaiveDateTime)>,
    /// An open deal's stage.
    pub stage: Option<&'a Resolved>,
    /// An open deal's expected close.
    pub expected: Option<NaiveDateTime>,
    pub lost_reason: &'a str,
    pub milestones: Milestones,
}

/// Writes `deal` as an opportunity and its stage changes, converted from `line` of `from`, and
/// counts it in the first KPIs and the date range.
pub fn write(conversion: &mut Conversion, deal: Deal<'_>, from: VendorFile, line: u64) -> Result<()> {
    let mut out = NewRow::of("opportunities.csv");
    out.set("opportunity_id", deal.id.clone()).set("owner_id", deal.owner).set("name", deal.name);
    out.set("amount", deal.money.amount.clone()).set("created_at", cells::timestamp(deal.created_at));
    if let Some((amount, currency)) = deal.money.original {
        out.set("original_amount", amount).set("original_currency", currency);
    }
    if let Some(account) = deal.account {
        out.set("account_id", account);
    }
    conversion.saw_day(deal.created_at.date());
    match deal.closed {
        Some((outcome, at)) => {
            let won = outcome.outcome == StageOutcome::Won;
            out.set("status", if won { "won" } else { "lost" });
            out.set("closed_at", cells::timestamp(at)).set("stage", outcome.stage.clone());
            if !won {
                out.set("lost_reason", deal.lost_reason);
            }
            conversion.saw_day(at.date());
            if won {
                conversion.kpis.won += 1;
                conversion.kpis.revenue_cents += cents_of(&deal.money.amount);
            } else {
                conversion.kpis.lost += 1;
            }
        }
        None => {
            out.set("status", "open");
            conversion.kpis.open += 1;
            if let Some(stage) = deal.stage {
                out.set("stage", stage.stage.clone());
            }
            if let Some(day) = deal.expected {
                out.set("expected_close_on", day.format("%Y-%m-%d").to_string());
            }
        }
    }
    let derived = &deal.milestones;
    for (field, at) in [
        ("first_appointment_at", derived.first_appointment_at),
        ("gateway_at", derived.gateway_at),
        ("proposal_at", derived.proposal_at),
    ] {
        if let Some(at) = at {
            out.set(field, cells::timestamp(at));
        }
    }
    if let Some(kind) = &derived.gateway_type {
        out.set("gateway_type", kind.clone());
    }
    conversion.emit(out, from, line)?;
    for (stage, at) in &derived.changes {
        let mut change = NewRow::of("stage_changes.csv");
        change
            .set("opportunity_id", deal.id.as_str())
            .set("stage", stage.clone())
            .set("changed_at", cells::timestamp(*at));
        conversion.emit(change, from, line)?;
    }
    Ok(())
}

/// `1234.50` → 123450 (an amount as [`cells::parse_amount`] writes it).
pub(super) fn cents_of(amount: &str) -> i64 {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, "0"));
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    whole.parse::<i64>().unwrap_or(0) * 100 + sign * fraction.parse::<i64>().unwrap_or(0)
}

/// 123450 → `1234.50`.
fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.unsigned_abs() / 100, cents.unsigned_abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_turn_into_cents_and_back() {
        for (text, cents) in [("1234.50", 123_450), ("0.05", 5), ("-12.30", -1_230), ("7.00", 700)] {
            assert_eq!(cents_of(text), cents, "{text}");
            assert_eq!(cents_text(cents), text);
        }
    }
}
