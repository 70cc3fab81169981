//! Reading what a person typed into typed values, refusing with coded [`Refusal`]s. Every
//! interface reads its text through these, so that the same bad input is refused the same way
//! whether it came from a form, the API or the command line.

use crate::refusal::{Code, Refusal};
use crate::{Lang, Money};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::str::FromStr;

/// One of an enumeration's keys (`cold_call`).
pub fn choice<T: FromStr>(field: &'static str, text: &str) -> Result<T, Refusal> {
    text.trim().parse().map_err(|_| Refusal::new(field, Code::Choice))
}

/// One of an enumeration's keys, or nothing for an empty text.
pub fn optional_choice<T: FromStr>(field: &'static str, text: &str) -> Result<Option<T>, Refusal> {
    if text.trim().is_empty() { Ok(None) } else { choice(field, text).map(Some) }
}

/// A record's id, or nothing for an empty text.
pub fn optional_id(field: &'static str, text: &str) -> Result<Option<i64>, Refusal> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| Refusal::new(field, Code::Reference)),
    }
}

/// A date as `YYYY-MM-DD`, or nothing for an empty text.
pub fn optional_date(field: &'static str, text: &str) -> Result<Option<NaiveDate>, Refusal> {
    match text.trim() {
        "" => Ok(None),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some).map_err(|_| Refusal::new(field, Code::Date)),
    }
}

/// A whole number from `min` to `max`.
pub fn whole_number(field: &'static str, text: &str, min: i64, max: i64) -> Result<i64, Refusal> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| Refusal::new(field, Code::NumberOutOfRange).count("min", min).count("max", max))
}

/// An amount, not negative, as `lang` writes it ([`Lang::parse_money`]); nothing for an empty text.
pub fn optional_amount(field: &'static str, text: &str, lang: Lang) -> Result<Option<Money>, Refusal> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match lang.parse_money(text) {
        Ok(money) if !money.is_negative() => Ok(Some(money)),
        _ => Err(Refusal::new(field, Code::Amount)),
    }
}

/// Free text as stored: at most `max` characters, and no control characters but tabs and line
/// breaks (such as NUL, which PostgreSQL cannot store).
pub fn free_text<'a>(field: &'static str, text: &'a str, max: usize) -> Result<&'a str, Refusal> {
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(Refusal::new(field, Code::ControlCharacter));
    }
    if text.chars().nth(max).is_some() {
        return Err(Refusal::new(field, Code::TooLong).count("max", i64::try_from(max).unwrap_or(i64::MAX)));
    }
    Ok(text)
}

/// A time as a form or a person writes it (`2026-03-09T14:30`, `2026-03-09 14:30:00`, RFC 3339),
/// taken as UTC unless it says otherwise.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|at| at.and_utc())
}

/// A time ([`parse_time`]).
pub fn time(field: &'static str, text: &str) -> Result<DateTime<Utc>, Refusal> {
    parse_time(text).ok_or_else(|| Refusal::new(field, Code::Time))
}

/// The fewest characters a password has.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A new password: at least [`MIN_PASSWORD_CHARS`] characters.
pub fn password<'t>(field: &'static str, text: &'t str) -> Result<&'t str, Refusal> {
    if text.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Refusal::new(field, Code::PasswordTooShort).count("min", MIN_PASSWORD_CHARS as i64));
    }
    Ok(text)
}

/// Every refusal of a command's fields, gathered so that all of them are shown at once.
#[derive(Debug, Default)]
pub struct Refusals(Vec<Refusal>);

impl Refusals {
    pub fn new() -> Refusals {
        Refusals::default()
    }

    /// The value, or `None` with its refusal kept.
    pub fn take<T>(&mut self, read: Result<T, Refusal>) -> Option<T> {
        read.map_err(|refusal| self.0.push(refusal)).ok()
    }

    pub fn push(&mut self, refusal: Refusal) {
        self.0.push(refusal);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was refused.
    pub fn finish(self) -> Result<(), Vec<Refusal>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }

    pub fn into_vec(self) -> Vec<Refusal> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ActivityType;

    #[test]
    fn each_reader_refuses_with_its_code() {
        assert_eq!(choice::<ActivityType>("type", "cold_call"), Ok(ActivityType::ColdCall));
        assert_eq!(choice::<ActivityType>("type", "coffee").map_err(|r| r.code), Err(Code::Choice));
        assert_eq!(optional_choice::<ActivityType>("type", " "), Ok(None));
        assert_eq!(optional_id("opportunity", "12"), Ok(Some(12)));
        assert_eq!(optional_id("opportunity", "x").map_err(|r| r.code), Err(Code::Reference));
        assert_eq!(whole_number("year", "2027", 2000, 2100), Ok(2027));
        let refused = whole_number("year", "1999", 2000, 2100).err();
        assert_eq!(refused.map(|r| (r.code, r.args.len())), Some((Code::NumberOutOfRange, 2)));
        assert_eq!(optional_amount("amount", "-5", Lang::ENGLISH).map_err(|r| r.code), Err(Code::Amount));
        assert_eq!(optional_amount("amount", "", Lang::ENGLISH), Ok(None));
        assert_eq!(time("at", "tomorrow").map_err(|r| r.code), Err(Code::Time));
        assert_eq!(free_text("name", "Ann\tLee", 7), Ok("Ann\tLee"));
        assert_eq!(free_text("name", "Ann\0", 7).map_err(|r| r.code), Err(Code::ControlCharacter));
        assert_eq!(
            free_text("name", "Annabel", 6).map_err(|r| (r.code, r.args)),
            Err((Code::TooLong, vec![("max", crate::refusal::Arg::Count(6))]))
        );
        assert_eq!(optional_date("due_on", "2027-01-31"), Ok(NaiveDate::from_ymd_opt(2027, 1, 31)));
        assert_eq!(optional_date("due_on", " "), Ok(None));
        assert_eq!(optional_date("due_on", "31.01.2027").map_err(|r| r.code), Err(Code::Date));
    }

    #[test]
    fn times_read_as_forms_and_machines_write_them() {
        let expected = parse_time("2026-03-09T14:30:00Z");
        assert!(expected.is_some());
        for text in ["2026-03-09T14:30", "2026-03-09 14:30", "2026-03-09T14:30:00", "2026-03-09T15:30:00+01:00"] {
            assert_eq!(parse_time(text), expected, "{text}");
        }
    }

    #[test]
    fn refusals_gather_every_field() {
        let mut refusals = Refusals::new();
        assert_eq!(refusals.take(choice::<ActivityType>("type", "coffee")), None);
        assert_eq!(refusals.take(optional_id("opportunity", "7")), Some(Some(7)));
        assert_eq!(refusals.take(time("at", "")), None);
        let codes: Vec<_> = refusals.into_vec().into_iter().map(|r| (r.field, r.code)).collect();
        assert_eq!(codes, [("type", Code::Choice), ("at", Code::Time)]);
    }
}
