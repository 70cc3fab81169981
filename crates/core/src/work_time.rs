//! When logged sales work (an activity, a lead, an opportunity) may be recorded as having happened.
//! The log form, the CRM forms and the API all write through the store, which asks this one rule.

use crate::refusal::Code;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The earliest day work may be recorded for: older work belongs in an import of history, and a
/// year such as −9999 is a typing slip that would stretch every report to the start of time.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(day) => day,
    None => panic!("2000-01-01 is a date"),
};

/// How far ahead of now work may lie: a day, for the time zones ahead of UTC.
pub const AHEAD: Duration = Duration::days(1);

/// Why a time is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeRefusal {
    /// More than [`AHEAD`] after now.
    Future,
    /// Before [`EARLIEST`].
    TooOld,
}

impl TimeRefusal {
    /// The refusal's code.
    pub fn code(self) -> Code {
        match self {
            TimeRefusal::Future => Code::TimeInFuture,
            TimeRefusal::TooOld => Code::TimeTooOld,
        }
    }
}

/// Whether work may be recorded as having happened at `occurred_at`, `now` being now.
pub fn check(occurred_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), TimeRefusal> {
    if occurred_at.date_naive() < EARLIEST {
        Err(TimeRefusal::TooOld)
    } else if occurred_at > now + AHEAD {
        Err(TimeRefusal::Future)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{TimeRefusal, check};
    use chrono::{DateTime, Utc};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn a_day_ahead_is_the_limit() {
        let now = at("2026-12-04T12:00:00Z");
        assert_eq!(check(at("2026-12-05T12:00:00Z"), now), Ok(()));
        assert_eq!(check(at("2026-12-05T12:00:01Z"), now), Err(TimeRefusal::Future));
        assert_eq!(check(at("+9999-01-01T00:00:00Z"), now), Err(TimeRefusal::Future));
    }

    #[test]
    fn history_starts_in_2000() {
        let now = at("2026-12-04T12:00:00Z");
        assert_eq!(check(at("2000-01-01T00:00:00Z"), now), Ok(()));
        assert_eq!(check(at("1999-12-31T23:59:59Z"), now), Err(TimeRefusal::TooOld));
        assert_eq!(check(at("-9999-01-01T00:00:00Z"), now), Err(TimeRefusal::TooOld));
    }
}
