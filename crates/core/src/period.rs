//! The period a KPI is computed for (`KPIS.md`): an ISO week, a month, a quarter, a year or any
//! date range, always half-open `[start, end)` in calendar dates.

use crate::QuotaPeriod;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::fmt;
use std::str::FromStr;

/// A half-open range of calendar dates `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
    kind: PeriodKind,
}

/// How a period was named, to print it back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
    Year,
    Range,
}

impl PeriodKind {
    /// The calendar periods a view may default to, shortest first.
    pub const CALENDAR: [PeriodKind; 4] = [PeriodKind::Week, PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year];

    pub fn key(self) -> &'static str {
        match self {
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
            PeriodKind::Range => "range",
        }
    }
}

/// `week`, `month`, `quarter` or `year` (a range is not a kind one asks for by name).
impl FromStr for PeriodKind {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        PeriodKind::CALENDAR.into_iter().find(|kind| kind.key() == text).ok_or(())
    }
}

/// The first day a period may start on and the day after the last it may end on: what a sales
/// organisation reports on, with room on either side. Dates far outside would make a report walk
/// millions of weeks (and chrono's arithmetic overflow at its limits).
pub const EARLIEST_START: NaiveDate = day(1900, 1, 1);
pub const LATEST_END: NaiveDate = day(2200, 1, 1);

/// The longest range a period may span: ten years (a report's cost grows with its weeks).
pub const MAX_RANGE_DAYS: i64 = 3_653;

const fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("not a date"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodParseError {
    #[error(
        "'{0}' is not a period: write 2026-W07 (ISO week), 2026-03 (month), 2026-Q1 (quarter), 2026 (year) \
         or 2026-01-15..2026-02-15 (from the first day up to, not including, the second)"
    )]
    Malformed(String),
    #[error("'{0}' lies outside the years 1900 to 2199: give a period within them")]
    OutOfRange(String),
    #[error("'{0}' spans {1} days, more than the 3,653 (ten years) a range may span: give a shorter range")]
    TooLong(String, i64),
}

impl PeriodParseError {
    /// The refusal of `field` for this mistake.
    pub fn refusal(&self, field: &'static str) -> crate::refusal::Refusal {
        use crate::refusal::{Code, Refusal};
        match self {
            PeriodParseError::Malformed(text) => Refusal::new(field, Code::PeriodMalformed).text("text", text.clone()),
            PeriodParseError::OutOfRange(text) => {
                Refusal::new(field, Code::PeriodOutOfRange).text("text", text.clone())
            }
            PeriodParseError::TooLong(text, days) => {
                Refusal::new(field, Code::PeriodTooLong).text("text", text.clone()).count("days", *days)
            }
        }
    }
}

impl Period {
    /// `[start, end)`; `None` when `end` is not after `start`.
    pub fn range(start: NaiveDate, end: NaiveDate) -> Option<Period> {
        (end > start).then_some(Period { start, end, kind: PeriodKind::Range })
    }

    /// The ISO week `week` of ISO year `year` (weeks start on Monday; week 1 holds the year's
    /// first Thursday, so some years have a week 53).
    pub fn iso_week(year: i32, week: u32) -> Option<Period> {
        let start = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
        Some(Period { start, end: start + Duration::days(7), kind: PeriodKind::Week })
    }

    /// The ISO week containing `date`.
    pub fn week_of(date: NaiveDate) -> Period {
        let start = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        Period { start, end: start + Duration::days(7), kind: PeriodKind::Week }
    }

    /// The week, month, quarter or year (by `kind`) containing `date`; a range kind gives the week.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Period {
        let quota = match kind {
            PeriodKind::Week | PeriodKind::Range => return Period::week_of(date),
            PeriodKind::Month => QuotaPeriod::month_of(date),
            PeriodKind::Quarter => QuotaPeriod::Quarter { year: date.year(), quarter: date.month0() / 3 + 1 },
            PeriodKind::Year => QuotaPeriod::Year { year: date.year() },
        };
        Period::from(quota)
    }

    /// The period of the same kind just before this one (a range: the same length before it).
    /// At the ends of the calendar it stops at the first day chrono knows.
    pub fn previous(self) -> Period {
        match self.kind {
            PeriodKind::Range => {
                let start = self.start.checked_sub_signed(Duration::days(self.days())).unwrap_or(NaiveDate::MIN);
                Period { start, end: self.start, ..self }
            }
            kind => Period::containing(kind, self.start.pred_opt().unwrap_or(self.start)),
        }
    }

    /// The period of the same kind just after this one; at the end of the calendar, its last day.
    pub fn next(self) -> Period {
        match self.kind {
            PeriodKind::Range => {
                let end = self.end.checked_add_signed(Duration::days(self.days())).unwrap_or(NaiveDate::MAX);
                Period { start: self.end, end, ..self }
            }
            kind => Period::containing(kind, self.end),
        }
    }

    pub fn start(self) -> NaiveDate {
        self.start
    }

    /// The day after the last day.
    pub fn end(self) -> NaiveDate {
        self.end
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    pub fn days(self) -> i64 {
        (self.end - self.start).num_days()
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    /// Days this period shares with `other`.
    pub fn overlap_days(self, other: Period) -> i64 {
        let (start, end) = (self.start.max(other.start), self.end.min(other.end));
        // Most pairs a card compares (a quota's month and a judged month) do not meet: comparing
        // the days is cheaper than counting them.
        if end <= start { 0 } else { (end - start).num_days() }
    }

    /// The ISO weeks that overlap this period, in order.
    pub fn weeks(self) -> impl Iterator<Item = Period> {
        let mut week = Period::week_of(self.start);
        let end = self.end;
        std::iter::from_fn(move || {
            if week.start >= end {
                return None;
            }
            let this = week;
            week = Period { start: week.end, end: week.end + Duration::days(7), kind: PeriodKind::Week };
            Some(this)
        })
    }
}

impl Period {
    /// The pieces of this period that fall in each calendar month it overlaps, in order: a quarter
    /// gives its three months, a week that straddles two months two ranges (a whole month is kept
    /// as a month).
    pub fn month_pieces(self) -> impl Iterator<Item = Period> {
        let mut start = self.start;
        let end = self.end;
        std::iter::from_fn(move || {
            if start >= end {
                return None;
            }
            let month = Period::from(QuotaPeriod::month_of(start));
            let piece = if month.start == start && month.end <= end {
                month
            } else {
                Period { start, end: month.end.min(end), kind: PeriodKind::Range }
            };
            start = piece.end;
            Some(piece)
        })
    }
}

impl From<QuotaPeriod> for Period {
    fn from(period: QuotaPeriod) -> Period {
        let kind = match period {
            QuotaPeriod::Week { .. } => PeriodKind::Week,
            QuotaPeriod::Month { .. } => PeriodKind::Month,
            QuotaPeriod::Quarter { .. } => PeriodKind::Quarter,
            QuotaPeriod::Year { .. } => PeriodKind::Year,
        };
        Period { start: period.start(), end: period.end(), kind }
    }
}

impl FromStr for Period {
    type Err = PeriodParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let period = parse(text).ok_or_else(|| PeriodParseError::Malformed(text.to_string()))?;
        if period.start < EARLIEST_START || period.end > LATEST_END {
            return Err(PeriodParseError::OutOfRange(text.to_string()));
        }
        if period.days() > MAX_RANGE_DAYS {
            return Err(PeriodParseError::TooLong(text.to_string(), period.days()));
        }
        Ok(period)
    }
}

/// A period as written, whatever its dates.
fn parse(text: &str) -> Option<Period> {
    if let Some((from, to)) = text.split_once("..") {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        return Period::range(date(from)?, date(to)?);
    }
    if let Some((year, week)) = text.split_once("-W") {
        let (year, week): (i32, u32) = (year.parse().ok()?, week.parse().ok()?);
        if year.to_string().len() != 4 || !(1..=53).contains(&week) {
            return None;
        }
        return Period::iso_week(year, week);
    }
    text.parse::<QuotaPeriod>().map(Period::from).ok()
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Week => {
                let week = self.start.iso_week();
                write!(f, "{:04}-W{:02}", week.year(), week.week())
            }
            PeriodKind::Month => write!(f, "{}", QuotaPeriod::month_of(self.start)),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", self.start.year(), self.start.month0() / 3 + 1),
            PeriodKind::Year => write!(f, "{:04}", self.start.year()),
            PeriodKind::Range => write!(f, "{}..{}", self.start, self.end),
        }
    }
}

/// The part of a quota that counts toward `period` (`KPIS.md`: a quota counts when its period lies
/// inside P; when P is shorter, the quota is prorated by days). Returns the target scaled by the
/// share of the quota's days that fall in `period`, as a fraction `(numerator, denominator)` so
/// that money stays exact until the caller rounds.
pub fn prorated(target: i64, quota: Period, period: Period) -> (i128, i128) {
    prorated_over(target, quota, quota.overlap_days(period))
}

/// Like [`prorated`], with the days the quota shares with the period already counted.
pub fn prorated_over(target: i64, quota: Period, shared: i64) -> (i128, i128) {
    (i128::from(target) * i128::from(shared), i128::from(quota.days()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn periods_step_to_their_neighbours() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let quarter = Period::containing(PeriodKind::Quarter, day);
        assert_eq!(quarter.to_string(), "2026-Q1");
        assert_eq!(quarter.previous().to_string(), "2025-Q4");
        assert_eq!(quarter.next().to_string(), "2026-Q2");
        // 2026-01-01 is a Thursday: its ISO week is 2026-W01, and the week before is 2025-W52.
        let week = Period::containing(PeriodKind::Week, day);
        assert_eq!(week.to_string(), "2026-W01");
        assert_eq!(week.previous().to_string(), "2025-W52");
        assert_eq!(Period::containing(PeriodKind::Month, day).previous().to_string(), "2025-12");
        assert_eq!(Period::containing(PeriodKind::Year, day).next().to_string(), "2027");
        let range: Period = "2026-01-10..2026-01-20".parse().expect("range");
        assert_eq!(range.previous().to_string(), "2025-12-31..2026-01-10");
    }

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    fn period(text: &str) -> Period {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn overlap_counts_the_days_both_periods_hold() {
        let q3 = period("2026-Q3");
        assert_eq!(q3.overlap_days(period("2026-08")), 31, "a month inside the quarter");
        assert_eq!(period("2026-08").overlap_days(q3), 31, "either way round");
        assert_eq!(q3.overlap_days(period("2026-09-20..2026-10-05")), 11, "30 Sep − 20 Sep + 1");
        assert_eq!(q3.overlap_days(period("2026-10")), 0, "the next month only touches the quarter's end");
        assert_eq!(q3.overlap_days(period("2026-04")), 0, "a month months before");
    }

    #[test]
    fn parses_every_kind_and_prints_it_back() {
        for text in ["2026-W07", "2026-03", "2026-Q3", "2026", "2026-01-15..2026-02-15"] {
            assert_eq!(period(text).to_string(), text);
        }
    }

    #[test]
    fn iso_week_53_exists_only_in_long_years() {
        // 2026 starts on a Thursday, so it has 53 ISO weeks; week 53 runs Mon 28 Dec – Sun 3 Jan.
        let w53 = period("2026-W53");
        assert_eq!((w53.start(), w53.end()), (date(2026, 12, 28), date(2027, 1, 4)));
        assert!("2025-W53".parse::<Period>().is_err(), "2025 has 52 ISO weeks");
        // ISO week 1 of 2027 starts on Monday 4 January.
        assert_eq!(period("2027-W01").start(), date(2027, 1, 4));
    }

    #[test]
    fn a_leap_february_has_29_days() {
        assert_eq!(period("2024-02").days(), 29);
        assert_eq!(period("2025-02").days(), 28);
        assert_eq!(period("2024").days(), 366);
    }

    /// A period far from now would make a report walk every week in between.
    #[test]
    fn periods_stay_within_the_years_reported_on() {
        for text in
            ["-130000-01-01..2026-12-31", "1899-12-31..1900-01-02", "2199-12-31..2200-01-02", "0001", "9999-W01"]
        {
            assert_eq!(text.parse::<Period>(), Err(PeriodParseError::OutOfRange(text.into())), "{text}");
        }
        assert_eq!(period("1900-01-01..1900-01-02").days(), 1);
        assert_eq!(period("2199").end(), date(2200, 1, 1));
        // 2000-01-01 to 2010-01-01 is 3,653 days (three leap years: 2000, 2004, 2008); a day more is too long.
        assert_eq!(period("2000-01-01..2010-01-01").days(), 3_653);
        assert_eq!(
            "2000-01-01..2010-01-02".parse::<Period>(),
            Err(PeriodParseError::TooLong("2000-01-01..2010-01-02".into(), 3_654))
        );
        assert!(matches!("2026-13".parse::<Period>(), Err(PeriodParseError::Malformed(_))));
    }

    /// The neighbours of a range at the ends of chrono's calendar do not overflow.
    #[test]
    fn neighbours_at_the_ends_of_the_calendar_do_not_overflow() {
        let first = Period::range(NaiveDate::MIN, NaiveDate::MIN + Duration::days(10)).expect("a range");
        assert_eq!(first.previous().start(), NaiveDate::MIN);
        let last = Period::range(NaiveDate::MAX - Duration::days(10), NaiveDate::MAX).expect("a range");
        assert_eq!(last.next().end(), NaiveDate::MAX);
    }

    #[test]
    fn periods_are_half_open() {
        let q1 = period("2026-Q1");
        assert!(q1.contains(date(2026, 3, 31)));
        assert!(!q1.contains(date(2026, 4, 1)));
        assert!("2026-02-01..2026-02-01".parse::<Period>().is_err(), "an empty range");
    }

    #[test]
    fn the_weeks_of_a_month_cover_it() {
        // March 2026 runs Sunday 1 – Tuesday 31: weeks starting 23 Feb, 2, 9, 16, 23 and 30 March.
        let weeks: Vec<NaiveDate> = period("2026-03").weeks().map(Period::start).collect();
        assert_eq!(weeks.len(), 6);
        assert_eq!((weeks[0], weeks[5]), (date(2026, 2, 23), date(2026, 3, 30)));
    }

    #[test]
    fn a_period_splits_into_its_months() {
        let pieces = |text: &str| period(text).month_pieces().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(pieces("2026-Q1"), ["2026-01", "2026-02", "2026-03"]);
        // 2026-W09 runs Monday 23 February – Sunday 1 March.
        assert_eq!(pieces("2026-W09"), ["2026-02-23..2026-03-01", "2026-03-01..2026-03-02"]);
        assert_eq!(pieces("2026-W11"), ["2026-03-09..2026-03-16"]);
        assert_eq!(pieces("2026-01-15..2026-03-01"), ["2026-01-15..2026-02-01", "2026-02"]);
    }

    #[test]
    fn quotas_are_prorated_by_days() {
        // A March quota of 31,000 over the first week of March 2026 (Sun 1 – Sat 7 within March
        // is 7 days of 31): 31,000 × 7 / 31 = 7,000.
        let (n, d) = prorated(31_000, period("2026-03"), period("2026-03-01..2026-03-08"));
        assert_eq!(n / d, 7_000);
        // A quota whose period lies inside P counts whole.
        assert_eq!(prorated(500, period("2026-02"), period("2026-Q1")), (500 * 28, 28));
        // No overlap, no quota.
        assert_eq!(prorated(500, period("2026-02"), period("2026-04")).0, 0);
    }
}
