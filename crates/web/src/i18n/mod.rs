//! The languages of the interface: one JSON catalog per language in this folder (`en.json` is the
//! reference), chosen by the user's setting, else the browser's `Accept-Language`. A catalog also
//! says how its language writes numbers, money and dates (the `_format.*` keys).

use chrono::NaiveDate;
use quotient_core::{Lang, Money};
use std::collections::HashMap;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

/// One language's messages.
#[derive(Debug)]
pub struct Catalog {
    pub tag: &'static str,
    messages: HashMap<String, String>,
}

/// Every catalog, English first.
pub fn catalogs() -> &'static [Catalog] {
    static ALL: OnceLock<Vec<Catalog>> = OnceLock::new();
    ALL.get_or_init(|| {
        CATALOGS
            .iter()
            .map(|(tag, json)| Catalog {
                tag,
                // A catalog that does not parse is a build defect the catalog test catches.
                messages: serde_json::from_str(json).unwrap_or_default(),
            })
            .collect()
    })
}

/// The language a page is rendered in: a catalog and, for the KPI engine's texts, the nearest
/// [`Lang`].
#[derive(Debug, Clone, Copy)]
pub struct Locale {
    catalog: &'static Catalog,
}

impl Default for Locale {
    fn default() -> Self {
        Locale { catalog: &catalogs()[0] }
    }
}

impl Locale {
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        catalogs().iter().find(|c| c.tag == primary).map(|catalog| Locale { catalog })
    }

    /// The best match of an `Accept-Language` header (quality values respected), else English.
    pub fn negotiate(accept_language: Option<&str>) -> Locale {
        let mut offers: Vec<(f32, &str)> = accept_language
            .unwrap_or_default()
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let quality =
                    pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
                Some((quality, tag))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0));
        offers.into_iter().find_map(|(_, tag)| Locale::from_tag(tag)).unwrap_or_default()
    }

    pub fn tag(self) -> &'static str {
        self.catalog.tag
    }

    /// The language of the KPI engine's texts (causes, prescriptions, standards).
    pub fn lang(self) -> Lang {
        Lang::from_tag(self.catalog.tag).unwrap_or_default()
    }

    /// The message of `key`; English when this language lacks it, the key itself when none has it.
    pub fn t(self, key: &str) -> &'static str {
        self.catalog.messages.get(key).or_else(|| catalogs()[0].messages.get(key)).map(String::as_str).unwrap_or_else(
            || {
                tracing::warn!(key, "missing message");
                // Leaking is bounded: keys are literals of the code, a finite set.
                Box::leak(key.to_string().into_boxed_str())
            },
        )
    }

    /// The message of `key` with `{name}` placeholders filled.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

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

    pub fn timestamp(self, at: chrono::DateTime<chrono::Utc>) -> String {
        at.format(self.t("_format.timestamp")).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_parses_and_has_every_key_of_english() {
        let english = &catalogs()[0];
        assert_eq!(english.tag, "en");
        assert!(english.messages.len() > 100, "English has {} messages", english.messages.len());
        for (tag, json) in CATALOGS {
            let messages: HashMap<String, String> =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{tag}.json does not parse: {e}"));
            let missing: Vec<&String> = english.messages.keys().filter(|k| !messages.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{tag}.json lacks {missing:?}");
            let extra: Vec<&String> = messages.keys().filter(|k| !english.messages.contains_key(*k)).collect();
            assert!(extra.is_empty(), "{tag}.json has keys English lacks: {extra:?}");
        }
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(Locale::negotiate(Some("de-AT,de;q=0.9,en;q=0.8")).tag(), "de");
        assert_eq!(Locale::negotiate(Some("fr-FR,es;q=0.5,en;q=0.4")).tag(), "es");
        assert_eq!(Locale::negotiate(Some("en;q=0.2, es;q=0.9")).tag(), "es");
        assert_eq!(Locale::negotiate(Some("fr")).tag(), "en");
        assert_eq!(Locale::negotiate(None).tag(), "en");
    }

    #[test]
    fn numbers_money_and_dates_follow_the_language() {
        let (en, de, es) =
            (Locale::default(), Locale::from_tag("de").expect("de"), Locale::from_tag("es").expect("es"));
        assert_eq!(en.number(1234567.891, 2), "1,234,567.89");
        assert_eq!(de.number(1234567.891, 2), "1.234.567,89");
        assert_eq!(es.number(-1234.5, 1), "-1.234,5");
        assert_eq!(en.number(-0.001, 2), "0.00");
        assert_eq!(en.percent(Some(0.625)), "62%");
        assert_eq!(de.percent(Some(0.625)), "62 %");
        assert_eq!(en.percent(None), "–");
        let money = Money::from_cents(12_345_678);
        assert_eq!(en.money(money, "USD", false), "$123,456.78");
        assert_eq!(de.money(money, "EUR", true), "123.457 €");
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).expect("date");
        assert_eq!(en.date(day), "Mar 9, 2026");
        assert_eq!(de.date(day), "09.03.2026");
        assert_eq!(es.date(day), "09/03/2026");
    }
}
