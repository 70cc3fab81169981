//! Quota periods as the bundle writes them: `YYYY-Www` (an ISO week, for activity goals), `YYYY-MM`,
//! `YYYY-Qn` or `YYYY`.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// A calendar month, quarter or year that a quota is set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QuotaPeriod {
    /// An ISO week (Monday to Sunday), as activity goals are set per week.
    Week {
        year: i32,
        week: u32,
    },
    Month {
        year: i32,
        month: u32,
    },
    Quarter {
        year: i32,
        quarter: u32,
    },
    Year {
        year: i32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a quota period: write YYYY-Www (2026-W05), YYYY-MM (2026-03), YYYY-Qn (2026-Q1) or YYYY (2026)")]
pub struct PeriodError(pub String);

impl QuotaPeriod {
    /// First day of the period.
    pub fn start(self) -> NaiveDate {
        let (year, month) = match self {
            QuotaPeriod::Week { year, week } => return monday_of(year, week),
            QuotaPeriod::Month { year, month } => (year, month),
            QuotaPeriod::Quarter { year, quarter } => (year, 3 * quarter - 2),
            QuotaPeriod::Year { year } => (year, 1),
        };
        first_of_month(year, month)
    }

    /// The day after the last day: periods are half-open, `[start, end)`.
    pub fn end(self) -> NaiveDate {
        let (year, month) = match self {
            QuotaPeriod::Week { .. } => return self.start() + chrono::Duration::days(7),
            QuotaPeriod::Month { year, month } => (year, month + 1),
            QuotaPeriod::Quarter { year, quarter } => (year, 3 * quarter + 1),
            QuotaPeriod::Year { year } => (year + 1, 1),
        };
        if month > 12 { first_of_month(year + 1, month - 12) } else { first_of_month(year, month) }
    }

    /// The month containing `date`.
    pub fn month_of(date: NaiveDate) -> Self {
        QuotaPeriod::Month { year: date.year(), month: date.month() }
    }
}

/// The Monday of ISO week `week` of `year` (the parser admits only weeks the year has).
fn monday_of(year: i32, week: u32) -> NaiveDate {
    NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).unwrap_or(NaiveDate::MIN)
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    // Every caller passes a month in 1..=12 and a year chrono supports, so the date exists.
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

impl FromStr for QuotaPeriod {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || PeriodError(text.to_string());
        let year_of = |s: &str| -> Result<i32, PeriodError> {
            if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        match text.split_once('-') {
            None => Ok(QuotaPeriod::Year { year: year_of(text)? }),
            Some((year, rest)) => {
                let year = year_of(year)?;
                if let Some(w) = rest.strip_prefix('W') {
                    let week: u32 = if two_digits(w) { w.parse().map_err(|_| bad())? } else { return Err(bad()) };
                    match NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon) {
                        Some(_) => Ok(QuotaPeriod::Week { year, week }),
                        None => Err(bad()),
                    }
                } else if let Some(q) = rest.strip_prefix('Q') {
                    match q {
                        "1" | "2" | "3" | "4" => {
                            Ok(QuotaPeriod::Quarter { year, quarter: q.parse().map_err(|_| bad())? })
                        }
                        _ => Err(bad()),
                    }
                } else if two_digits(rest) {
                    let month: u32 = rest.parse().map_err(|_| bad())?;
                    if (1..=12).contains(&month) { Ok(QuotaPeriod::Month { year, month }) } else { Err(bad()) }
                } else {
                    Err(bad())
                }
            }
        }
    }
}

impl fmt::Display for QuotaPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuotaPeriod::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            QuotaPeriod::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            QuotaPeriod::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            QuotaPeriod::Year { year } => write!(f, "{year:04}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn parses_and_prints_the_three_forms() {
        for text in ["2026-03", "2026-Q4", "2026", "2024-12", "2026-W05", "2026-W53"] {
            let period: QuotaPeriod = text.parse().unwrap_or(QuotaPeriod::Year { year: 0 });
            assert_eq!(period.to_string(), text);
        }
    }

    #[test]
    fn rejects_malformed_periods() {
        for bad in [
            "2026-W00",
            "2027-W53",
            "2026-W5",
            "2026-w05",
            "",
            "26",
            "2026-3",
            "2026-13",
            "2026-00",
            "2026-Q5",
            "2026-Q0",
            "2026-q1",
            "2026-03-01",
            "abcd",
        ] {
            assert!(bad.parse::<QuotaPeriod>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn periods_are_half_open_ranges() {
        let feb_2024 = QuotaPeriod::Month { year: 2024, month: 2 };
        assert_eq!((feb_2024.start(), feb_2024.end()), (date(2024, 2, 1), date(2024, 3, 1)));
        let q4 = QuotaPeriod::Quarter { year: 2026, quarter: 4 };
        assert_eq!((q4.start(), q4.end()), (date(2026, 10, 1), date(2027, 1, 1)));
        let dec = QuotaPeriod::Month { year: 2026, month: 12 };
        assert_eq!(dec.end(), date(2027, 1, 1));
        // 2026-W05 runs from Monday 26 January to Sunday 1 February.
        let week: QuotaPeriod = "2026-W05".parse().unwrap_or(QuotaPeriod::Year { year: 0 });
        assert_eq!((week.start(), week.end()), (date(2026, 1, 26), date(2026, 2, 2)));
        let year = QuotaPeriod::Year { year: 2025 };
        assert_eq!((year.start(), year.end()), (date(2025, 1, 1), date(2026, 1, 1)));
    }
}
