//! Numbers, shares, money and dates written the way a language writes them, after its catalog's
//! `_format.*` keys.

use super::Lang;
use crate::Money;
use chrono::{DateTime, NaiveDate, Utc};

impl Lang {
    /// A number with `decimals` places, grouped and pointed the language's way.
    pub fn number(self, value: f64, decimals: usize) -> String {
        let text = format!("{:.*}", decimals, value.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let group = self.t("_format.group");
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push_str(group);
            }
            grouped.push(digit);
        }
        let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
        if fraction.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{}{fraction}", self.t("_format.decimal"))
        }
    }

    pub fn count(self, value: i64) -> String {
        self.number(value as f64, 0)
    }

    /// A share (0.62) as a percentage ("62 %" or "62%", per language); "–" when undefined.
    pub fn percent(self, share: Option<f64>) -> String {
        match share {
            Some(share) => self.tf("_format.percent", &[("value", &self.number(share * 100.0, 0))]),
            None => "–".to_string(),
        }
    }

    /// An amount of money, in whole units when `whole`, with the currency where the language puts it.
    pub fn money(self, money: Money, currency: &str, whole: bool) -> String {
        let amount = self.number(money.cents() as f64 / 100.0, if whole { 0 } else { 2 });
        let symbol = match currency {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            other => other,
        };
        self.tf("_format.money", &[("amount", &amount), ("currency", symbol)])
    }

    pub fn date(self, date: NaiveDate) -> String {
        date.format(self.t("_format.date")).to_string()
    }

    pub fn timestamp(self, at: DateTime<Utc>) -> String {
        at.format(self.t("_format.timestamp")).to_string()
    }
}
