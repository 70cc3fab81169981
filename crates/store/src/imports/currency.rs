//! Multi-currency amounts into the organisation's one currency.
//!
//! Salesforce keeps, per currency, how many units of it make one unit of the corporate currency
//! (`CurrencyType.ConversionRate`; the corporate currency's own rate is 1), and, with advanced
//! currency management, rates per date range (`DatedConversionRate`: `StartDate` up to the next
//! `NextStartDate`). An amount converts as `amount / rate`, the dated rate in force on the
//! record's date winning over the plain one. A rates file has the same columns (`IsoCode`,
//! `ConversionRate`, optional `StartDate`, optional `IsCorporate`) for exports without them.

use super::CrmImportError;
use super::conversion::invalid;
use super::text::{self, Decimal, VendorCsv};
use crate::bundle::Problem;
use crate::error::Result;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;

/// Conversion rates against the organisation's currency.
#[derive(Debug, Clone, Default)]
pub struct Rates {
    /// The organisation's currency, when a file marks it (`IsCorporate`).
    pub corporate: Option<String>,
    plain: HashMap<String, Decimal>,
    /// Per currency, (start, rate) sorted by start: each in force until the next one starts.
    dated: HashMap<String, Vec<(NaiveDate, Decimal)>>,
}

impl Rates {
    pub fn is_empty(&self) -> bool {
        self.plain.is_empty() && self.dated.is_empty()
    }

    /// The rates of `files`, read in turn (a later file's rate of a currency wins), or the
    /// problems of their rows.
    pub fn read_files(files: &[&Path]) -> std::result::Result<Rates, CrmImportError> {
        let mut rates = Rates::default();
        let mut problems = Vec::new();
        for path in files {
            problems.extend(rates.read(path)?);
        }
        if problems.is_empty() { Ok(rates) } else { Err(invalid(problems)) }
    }

    /// Adds the rates of a `CurrencyType`- or `DatedConversionRate`-shaped file (a row with a
    /// `StartDate` is a dated rate). Returns the problems of its rows.
    pub fn read(&mut self, path: &Path) -> Result<Vec<Problem>> {
        let mut csv = match VendorCsv::open(path)? {
            Ok(csv) => csv,
            Err(problem) => return Ok(vec![problem]),
        };
        let (code, rate, start, corporate, active) = (
            csv.column("IsoCode"),
            csv.column("ConversionRate"),
            csv.column("StartDate"),
            csv.column("IsCorporate"),
            csv.column("IsActive"),
        );
        let mut problems = Vec::new();
        for (name, column) in [("IsoCode", code), ("ConversionRate", rate)] {
            if column.is_none() {
                problems.push(csv.problem(1, None, format!("the column '{name}' is missing: add it to the header")));
            }
        }
        if !problems.is_empty() {
            return Ok(problems);
        }
        let mut record = csv::ByteRecord::new();
        loop {
            let line = match csv.next_record(&mut record) {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err((problem, fatal)) => {
                    problems.push(problem);
                    if fatal {
                        break;
                    }
                    continue;
                }
            };
            let iso = text::field(&record, code).to_ascii_uppercase();
            if iso.len() != 3 || !iso.bytes().all(|b| b.is_ascii_alphabetic()) {
                problems.push(csv.problem(line, code, format!("'{iso}' is not a 3-letter ISO 4217 currency code")));
                continue;
            }
            if text::parse_bool(&text::field(&record, active)) == Some(false) {
                continue;
            }
            let value = match Decimal::parse(&text::field(&record, rate)) {
                Ok(value) if value.mantissa > 0 => value,
                Ok(_) => {
                    problems.push(csv.problem(line, rate, "a conversion rate must be above 0".to_string()));
                    continue;
                }
                Err(message) => {
                    problems.push(csv.problem(line, rate, message));
                    continue;
                }
            };
            if text::parse_bool(&text::field(&record, corporate)) == Some(true) {
                self.corporate = Some(iso.clone());
            }
            match text::field(&record, start).as_ref() {
                "" => {
                    self.plain.insert(iso, value);
                }
                date => match text::parse_date(date) {
                    Ok(date) => self.dated.entry(iso).or_default().push((date, value)),
                    Err(message) => problems.push(csv.problem(line, start, message)),
                },
            }
        }
        for ranges in self.dated.values_mut() {
            ranges.sort_by_key(|(start, _)| *start);
        }
        Ok(problems)
    }

    /// The rate of `currency` on `on`: the dated rate in force then, else the plain one.
    fn rate(&self, currency: &str, on: NaiveDate) -> Option<Decimal> {
        let dated = self.dated.get(currency).and_then(|ranges| {
            let at = ranges.partition_point(|(start, _)| *start <= on);
            at.checked_sub(1).map(|i| ranges[i].1)
        });
        dated.or_else(|| self.plain.get(currency).copied())
    }

    /// `cents` of `currency` in the organisation's currency on `on`, rounded half away from zero
    /// to the cent. The organisation's own currency (or no currency) is taken as is.
    pub fn convert(&self, cents: i64, currency: &str, on: NaiveDate) -> std::result::Result<i64, String> {
        if currency.is_empty() || self.corporate.as_deref() == Some(currency) {
            return Ok(cents);
        }
        let Some(rate) = self.rate(currency, on) else {
            return Err(format!(
                "there is no conversion rate for {currency} on {on}: give a rates file with --rates (from Salesforce, export CurrencyType.csv or DatedConversionRate.csv)"
            ));
        };
        // cents / (mantissa / 10^scale) = cents · 10^scale / mantissa
        text::divide_rounded(i128::from(cents) * 10i128.pow(rate.scale), rate.mantissa)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates() -> Rates {
        let mut rates = Rates { corporate: Some("USD".to_string()), ..Rates::default() };
        rates.plain.insert("EUR".to_string(), Decimal::parse("0.9").unwrap_or_else(|e| panic!("{e:?}")));
        rates.dated.insert(
            "EUR".to_string(),
            vec![
                (
                    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_else(|| panic!("a date")),
                    Decimal::parse("0.8").unwrap_or_else(|e| panic!("{e:?}")),
                ),
                (
                    NaiveDate::from_ymd_opt(2024, 7, 1).unwrap_or_else(|| panic!("a date")),
                    Decimal::parse("0.92").unwrap_or_else(|e| panic!("{e:?}")),
                ),
            ],
        );
        rates
    }

    #[test]
    fn converts_at_the_rate_in_force_to_the_cent() {
        let rates = rates();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("a date"));
        // Before any dated rate: the plain 0.9. 1000.00 EUR / 0.9 = 1111.111… USD → 1111.11.
        assert_eq!(rates.convert(100_000, "EUR", day(2023, 6, 1)), Ok(111_111));
        // From 2024-01-01: 0.8. 1000.00 / 0.8 = 1250.00.
        assert_eq!(rates.convert(100_000, "EUR", day(2024, 6, 30)), Ok(125_000));
        // From 2024-07-01: 0.92. 1000.00 / 0.92 = 1086.956… → 1086.96.
        assert_eq!(rates.convert(100_000, "EUR", day(2024, 7, 1)), Ok(108_696));
        assert_eq!(rates.convert(100_000, "USD", day(2024, 7, 1)), Ok(100_000));
        assert!(rates.convert(100, "GBP", day(2024, 7, 1)).is_err());
    }
}
