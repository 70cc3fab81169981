//! Numbers, shares, money and dates written the way a language writes them, after its catalog's
//! `_format.*` keys.

use super::Lang;
use crate::Money;
use crate::money::MoneyError;
use chrono::{DateTime, NaiveDate, Utc};

impl Lang {
    /// A number with `decimals` places, grouped and pointed the language's way.
    pub fn number(self, value: f64, decimals: usize) -> String {
        // A whole number shown whole is a count: written without a float in between.
        if decimals == 0 && value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
            return self.count(value as i64);
        }
        let text = fixed(value.abs(), decimals);
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

    /// A whole number, exact however large (no `f64` in between), grouped the language's way.
    pub fn count(self, value: i64) -> String {
        if (0..1000).contains(&value) {
            return value.to_string();
        }
        let digits = value.unsigned_abs().to_string();
        let group = self.t("_format.group");
        let mut grouped = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push_str(group);
            }
            grouped.push(digit);
        }
        if value < 0 { format!("-{grouped}") } else { grouped }
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

    /// An amount as a person of this language types it: `1.250,50` in German, `1,250.50` in
    /// English, with or without grouping, a currency symbol or spaces; a plain `1250.50` is read in
    /// every language. The one money parser of every form.
    pub fn parse_money(self, text: &str) -> Result<Money, MoneyError> {
        let malformed = || MoneyError::Malformed(text.to_string());
        let decimal = self.t("_format.decimal");
        let group = self.t("_format.group");
        let cleaned: String =
            text.chars().filter(|c| !c.is_whitespace() && !matches!(c, '$' | '€' | '£' | '\u{202f}')).collect();
        let cleaned = cleaned.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let (sign, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", cleaned),
        };
        // The decimal mark is the language's; a lone `.` followed by one or two digits is read as one
        // too, since that is how machines and most people everywhere write cents.
        let (whole, fraction) = match digits.rsplit_once(decimal) {
            Some((whole, fraction)) if !fraction.contains(group) => (whole, Some(fraction)),
            _ => match digits.rsplit_once('.') {
                Some((whole, fraction))
                    if (1..=2).contains(&fraction.len()) && !whole.contains('.') && !whole.contains(group) =>
                {
                    (whole, Some(fraction))
                }
                _ => (digits, None),
            },
        };
        let mut groups = whole.split(group);
        let mut plain = groups.next().unwrap_or_default().to_string();
        for rest in groups {
            if rest.len() != 3 || plain.is_empty() {
                return Err(malformed());
            }
            plain.push_str(rest);
        }
        let canonical = match fraction {
            Some(fraction) => format!("{sign}{plain}.{fraction}"),
            None => format!("{sign}{plain}"),
        };
        canonical.parse::<Money>().map_err(|error| match error {
            MoneyError::TooLarge(_) => MoneyError::TooLarge(text.to_string()),
            MoneyError::Malformed(_) => malformed(),
        })
    }

    pub fn date(self, date: NaiveDate) -> String {
        date.format(self.t("_format.date")).to_string()
    }

    pub fn timestamp(self, at: DateTime<Utc>) -> String {
        at.format(self.t("_format.timestamp")).to_string()
    }
}

/// `value` (not negative) with `decimals` places, as `format!("{:.*}")` writes it. A scorecard
/// writes thousands of figures, most of them whole or to be rounded whole: those are written as
/// integers, which costs a fraction of formatting a float. A value halfway between two whole
/// numbers is left to the float formatting, which rounds it to the even one.
fn fixed(value: f64, decimals: usize) -> String {
    // Below 2^53 every whole number is exact.
    if (0.0..9_007_199_254_740_992.0).contains(&value) {
        let fraction = value.fract();
        if fraction == 0.0 {
            let whole = (value as u64).to_string();
            return if decimals == 0 { whole } else { format!("{whole}.{}", "0".repeat(decimals)) };
        }
        if decimals == 0 && fraction != 0.5 {
            return (value.round() as u64).to_string();
        }
    }
    format!("{:.*}", decimals, value)
}

#[cfg(test)]
mod figures {
    #[test]
    fn whole_and_rounded_figures_are_written_as_floats_are() {
        let mut values = vec![0.0, 0.5, 1.5, 2.5, 0.49999999999999994, 1e15 + 0.5, 4503599627370495.5, 1e20, 0.1];
        values.extend((0..20_000).map(|i| f64::from(i) * 0.0137));
        values.extend((0..2_000).map(|i| f64::from(i) / 8.0));
        for value in values {
            for decimals in 0..3 {
                assert_eq!(super::fixed(value, decimals), format!("{value:.decimals$}"), "{value} to {decimals}");
            }
        }
    }
}

#[cfg(test)]
mod counts {
    use crate::Lang;

    #[test]
    fn counts_are_exact_and_grouped() {
        let german = Lang::from_tag("de").unwrap_or_default();
        assert_eq!(Lang::ENGLISH.count(i64::MAX), "9,223,372,036,854,775,807");
        assert_eq!(Lang::ENGLISH.count(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(german.count(-1_234), "-1.234");
        assert_eq!(Lang::ENGLISH.count(999), "999");
        assert_eq!(Lang::ENGLISH.count(1_000), "1,000");
        assert_eq!(Lang::ENGLISH.count(0), "0");
    }

    #[test]
    fn whole_numbers_are_written_as_counts_are() {
        let german = Lang::from_tag("de").unwrap_or_default();
        for lang in [Lang::ENGLISH, german] {
            assert_eq!(lang.number(-0.0, 0), "0");
            assert_eq!(lang.number(0.4, 0), "0");
            assert_eq!(lang.number(-0.4, 0), "0");
            assert_eq!(lang.number(-7.0, 1), format!("-7{}0", lang.t("_format.decimal")));
            for value in [0_i64, 7, 999, 1_000, -1_000, 123_456_789, -98_765] {
                assert_eq!(lang.number(value as f64, 0), lang.count(value), "{value}");
            }
        }
        assert_eq!(german.number(1_234_567.0, 0), "1.234.567");
    }
}

#[cfg(test)]
mod money_input {
    use crate::{Lang, Money};

    fn cents(lang: &str, text: &str) -> Option<i64> {
        Lang::from_tag(lang).and_then(|lang| lang.parse_money(text).ok()).map(Money::cents)
    }

    #[test]
    fn each_language_reads_its_own_way_of_writing_amounts() {
        assert_eq!(cents("en", "1,250.50"), Some(125_050));
        assert_eq!(cents("en", "$1,250"), Some(125_000));
        assert_eq!(cents("de", "1.250,50"), Some(125_050));
        assert_eq!(cents("de", "1.250,50 €"), Some(125_050));
        assert_eq!(cents("de", "1.250"), Some(125_000));
        assert_eq!(cents("de", "1250,5"), Some(125_050));
        assert_eq!(cents("es", "2.000.000"), Some(200_000_000));
    }

    #[test]
    fn a_plain_amount_reads_the_same_in_every_language() {
        for lang in Lang::all() {
            assert_eq!(lang.parse_money("1250.50").map(Money::cents), Ok(125_050), "{}", lang.tag());
            assert_eq!(lang.parse_money("1250").map(Money::cents), Ok(125_000), "{}", lang.tag());
            assert_eq!(lang.parse_money("-12.5").map(Money::cents), Ok(-1_250), "{}", lang.tag());
        }
    }

    #[test]
    fn misplaced_separators_and_words_are_refused() {
        for text in ["", "12,34,5", "1.2.3,45", ",5", "12.345.6", "ten", "1e5", "12.345,678"] {
            assert_eq!(cents("de", text), None, "de {text:?}");
        }
        for text in ["1,25,0", "12.345", "1.234.567,8x", "--1"] {
            assert_eq!(cents("en", text), None, "en {text:?}");
        }
        assert!(Lang::ENGLISH.parse_money("99999999999999999999").is_err());
    }
}
