//! Exact money: integer cents in the organisation's one currency.

use std::fmt;
use std::str::FromStr;

/// An amount of money in cents. Sums are exact; `f64` never touches money.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not an amount: write digits with at most 2 decimal places, e.g. 1234.50")]
    Malformed(String),
    #[error("'{0}' is too large an amount")]
    TooLarge(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_cents(cents: i64) -> Self {
        Money(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whole units (e.g. dollars), for amounts given without cents.
    pub const fn from_units(units: i64) -> Self {
        Money(units * 100)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Parses `-12`, `12.3`, `12.34` exactly. No thousands separators, no exponent, at most 2 decimals.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || MoneyError::Malformed(text.to_string());
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
            return Err(malformed());
        }
        if digits.ends_with('.') {
            return Err(malformed());
        }
        let too_large = || MoneyError::TooLarge(text.to_string());
        let units: i64 = whole.parse().map_err(|_| too_large())?;
        let mut cents: i64 = fraction.parse().unwrap_or(0);
        if fraction.len() == 1 {
            cents *= 10;
        }
        let total = units.checked_mul(100).and_then(|c| c.checked_add(cents)).ok_or_else(too_large)?;
        Ok(Money(if negative { -total } else { total }))
    }
}

impl fmt::Display for Money {
    /// Always two decimals, no separators: the bundle's canonical form (`1234.50`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        self.0 += other.0;
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(text: &str) -> i64 {
        text.parse::<Money>().map(Money::cents).unwrap_or(i64::MIN)
    }

    #[test]
    fn parses_whole_and_decimal_amounts_exactly() {
        assert_eq!(cents("0"), 0);
        assert_eq!(cents("12"), 1200);
        assert_eq!(cents("12.3"), 1230);
        assert_eq!(cents("12.34"), 1234);
        assert_eq!(cents("0.05"), 5);
        assert_eq!(cents("-7.5"), -750);
        assert_eq!(cents("+7"), 700);
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for bad in ["", "-", ".5", "5.", "1.234", "1,5", "1e3", "12 ", "abc", "--1", "99999999999999999999"] {
            assert!(bad.parse::<Money>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn displays_two_decimals() {
        assert_eq!(Money::from_cents(123_450).to_string(), "1234.50");
        assert_eq!(Money::from_cents(5).to_string(), "0.05");
        assert_eq!(Money::from_cents(-5).to_string(), "-0.05");
        assert_eq!(Money::from_units(3).to_string(), "3.00");
    }

    #[test]
    fn sums_are_exact_where_floats_are_not() {
        // 0.1 + 0.2 is 0.30000000000000004 in f64; in cents it is 30.
        let sum: Money = ["0.1", "0.2"].iter().filter_map(|t| t.parse().ok()).sum();
        assert_eq!(sum, Money::from_cents(30));
    }
}
