//! The forecast page's figures, kept with what they were computed from (migration 0025): every
//! person's data forecast of a period as of a day — its interval's inputs, their forecasts of the
//! earlier periods the band learns from, the period's weeks so far and their open deals' parts —
//! and every call of the periods before it, judged. A kept kind is marked with the organisation's
//! pipeline and directory revisions and, for the calls, the calls of its periods; a read at other
//! marks computes it again (`crate::ops::forecast_model::forecast_figures`).

use super::expected::Revisions;
use crate::db::{Db, Row, Value};
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use chrono::NaiveDate;
use quotient_core::forecast::band::PastForecast;
use quotient_core::forecast::model::{Chance, DataForecast, DealForecast, Expected, RateSource, Spread, Step};
use quotient_core::{Money, Period};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

quotient_core::keyed_enum! {
    /// What a kept row holds.
    Kind {
        Forecast => "forecast",
        Accuracy => "accuracy",
    }
}

/// What kept figures were computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marks {
    pub revisions: Revisions,
    /// The calls read, as [`calls_mark`] gives them; empty for figures that read none.
    pub calls: String,
}

/// The calls of `periods` as they stand: their count and last id. Calls are only ever added, with
/// ever larger ids, so a call submitted for one of them changes it.
pub fn calls_mark(db: &mut Db, org: OrgId, periods: &[Period]) -> Result<String> {
    if periods.is_empty() {
        return Ok(String::new());
    }
    let marks = vec!["?"; periods.len()].join(", ");
    let mut params = vec![org.value()];
    params.extend(periods.iter().map(|p| Value::owned(p.to_string())));
    let mark = db.query_opt(
        &format!("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM forecast_calls WHERE org_id = ? AND period IN ({marks})"),
        &params,
        |row| Ok(format!("{}:{}", row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default())),
    )?;
    Ok(mark.unwrap_or_default())
}

/// The marks of the kept figures of a kind, period and day, if any are kept.
pub fn marks(db: &mut Db, org: OrgId, kind: Kind, period: Period, day: NaiveDate) -> Result<Option<Marks>> {
    db.query_opt(
        "SELECT pipeline_revision, directory_revision, calls FROM forecast_figures
         WHERE org_id = ? AND kind = ? AND period = ? AND day = ?",
        &[org.value(), Value::text(kind.key()), Value::owned(period.to_string()), Value::Date(day)],
        |row| {
            Ok(Marks {
                revisions: Revisions {
                    pipeline: row.int(0)?.unwrap_or_default(),
                    directory: row.int(1)?.unwrap_or_default(),
                },
                calls: row.text(2)?.unwrap_or_default().to_string(),
            })
        },
    )
}

/// One person's kept data forecast of the period as of the day (the interval without the band).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonFigures {
    pub forecast: DataForecast,
    pub spread: Spread,
    /// Their forecasts of the earlier periods the band learns from, the nearest first.
    pub past: Vec<PastForecast>,
    /// The period's weeks so far: expected and won by each week's end.
    pub weeks: Vec<Expected>,
}

/// An open deal's part, with the deal's id and name.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptDeal {
    pub opportunity_id: i64,
    pub name: String,
    pub forecast: DealForecast,
}

/// A call of a past period, judged: the commit called and what the data forecast expected of the
/// same people on the same day, against what they won.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JudgedCall {
    pub submitter: i64,
    /// The person the call was for.
    pub subject: i64,
    pub weeks_before_end: i64,
    pub called: Money,
    pub expected: Money,
    pub actual: Money,
}

#[derive(Serialize, Deserialize)]
struct PersonRow {
    /// won, open deals, open pipeline, expected, low, high, weighted pipeline, last period's actual.
    f: [i64; 8],
    /// live deals, their amounts, and the mean and variance as the bits of the numbers.
    s: (usize, i64, u64, u64),
    p: Vec<[i64; 3]>,
    w: Vec<[i64; 2]>,
}

/// id, name, step, age, chance won, chance of, source, amount, expected.
#[derive(Serialize, Deserialize)]
struct DealRow(i64, String, String, i64, i64, i64, String, i64, i64);

fn bad(what: &str) -> StoreError {
    StoreError::Decode(format!("kept forecast figures: {what}"))
}

fn encode_person(person: &PersonFigures) -> Result<String> {
    let f = &person.forecast;
    let row = PersonRow {
        f: [
            f.won.cents(),
            f.open_deals,
            f.open_pipeline.cents(),
            f.expected.cents(),
            f.low.cents(),
            f.high.cents(),
            f.weighted_pipeline.cents(),
            f.last_period_actual.cents(),
        ],
        s: (person.spread.live, person.spread.total, person.spread.mean.to_bits(), person.spread.variance.to_bits()),
        p: person.past.iter().map(|p| [p.expected.cents(), p.won.cents(), p.actual.cents()]).collect(),
        w: person.weeks.iter().map(|w| [w.expected.cents(), w.won.cents()]).collect(),
    };
    serde_json::to_string(&row).map_err(|e| bad(&e.to_string()))
}

fn decode_person(text: &str) -> Result<PersonFigures> {
    let row: PersonRow = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let m = Money::from_cents;
    let [won, open_deals, open_pipeline, expected, low, high, weighted, last] = row.f;
    Ok(PersonFigures {
        forecast: DataForecast {
            won: m(won),
            open_deals,
            open_pipeline: m(open_pipeline),
            expected: m(expected),
            low: m(low),
            high: m(high),
            weighted_pipeline: m(weighted),
            last_period_actual: m(last),
        },
        spread: Spread {
            live: row.s.0,
            total: row.s.1,
            mean: f64::from_bits(row.s.2),
            variance: f64::from_bits(row.s.3),
        },
        past: row.p.iter().map(|[e, w, a]| PastForecast { expected: m(*e), won: m(*w), actual: m(*a) }).collect(),
        weeks: row.w.iter().map(|[e, w]| Expected { expected: m(*e), won: m(*w) }).collect(),
    })
}

fn encode_deals(deals: &[KeptDeal]) -> Result<String> {
    let rows: Vec<DealRow> = deals
        .iter()
        .map(|d| {
            let f = &d.forecast;
            DealRow(
                d.opportunity_id,
                d.name.clone(),
                f.step.key().to_string(),
                f.age_days,
                f.chance.won,
                f.chance.of,
                f.source.key().to_string(),
                f.amount.cents(),
                f.expected.cents(),
            )
        })
        .collect();
    serde_json::to_string(&rows).map_err(|e| bad(&e.to_string()))
}

fn decode_deals(text: &str) -> Result<Vec<KeptDeal>> {
    let rows: Vec<DealRow> = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    rows.into_iter()
        .map(|DealRow(id, name, step, age_days, won, of, source, amount, expected)| {
            Ok(KeptDeal {
                opportunity_id: id,
                name,
                forecast: DealForecast {
                    step: Step::of_key(&step).ok_or_else(|| bad(&step))?,
                    age_days,
                    chance: Chance { won, of },
                    source: RateSource::of_key(&source).ok_or_else(|| bad(&source))?,
                    amount: Money::from_cents(amount),
                    expected: Money::from_cents(expected),
                },
            })
        })
        .collect()
}

fn key_params(org: OrgId, period: Period, day: NaiveDate) -> [Value<'static>; 3] {
    [org.value(), Value::owned(period.to_string()), Value::Date(day)]
}

/// The kept figures of the period as of the day of `people` (everyone's when none), by person.
pub fn people(
    db: &mut Db,
    org: OrgId,
    period: Period,
    day: NaiveDate,
    people: Option<&[i64]>,
) -> Result<HashMap<i64, PersonFigures>> {
    let mut out = HashMap::new();
    let mut read = |db: &mut Db, sql: &str, params: &[Value]| {
        db.query_each(sql, params, |row: &Row| {
            out.insert(row.int(0)?.unwrap_or_default(), decode_person(row.text(1)?.unwrap_or_default())?);
            Ok(())
        })
    };
    let all = "SELECT person_id, figures FROM forecast_figure_people WHERE org_id = ? AND period = ? AND day = ?";
    match people {
        None => read(db, all, &key_params(org, period, day))?,
        Some(people) => {
            for chunk in people.chunks(500) {
                let mut params = key_params(org, period, day).to_vec();
                params.extend(chunk.iter().map(|p| Value::Int(*p)));
                let marks = vec!["?"; chunk.len()].join(", ");
                read(db, &format!("{all} AND person_id IN ({marks})"), &params)?;
            }
        }
    }
    Ok(out)
}

/// The kept open deals of `people` (in the order they were kept), by person.
pub fn deals_of(
    db: &mut Db,
    org: OrgId,
    period: Period,
    day: NaiveDate,
    people: &[i64],
) -> Result<HashMap<i64, Vec<KeptDeal>>> {
    let mut out = HashMap::new();
    for chunk in people.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut params = key_params(org, period, day).to_vec();
        params.extend(chunk.iter().map(|p| Value::Int(*p)));
        db.query_each(
            &format!(
                "SELECT person_id, deals FROM forecast_figure_people
                 WHERE org_id = ? AND period = ? AND day = ? AND person_id IN ({marks})"
            ),
            &params,
            |row: &Row| {
                out.insert(row.int(0)?.unwrap_or_default(), decode_deals(row.text(1)?.unwrap_or_default())?);
                Ok(())
            },
        )?;
    }
    Ok(out)
}

/// The kept judged calls of the periods before `period`, as of the day, in the order judged.
pub fn judged_calls(db: &mut Db, org: OrgId, period: Period, day: NaiveDate) -> Result<Vec<JudgedCall>> {
    let text = db.query_opt(
        "SELECT figures FROM forecast_figures WHERE org_id = ? AND kind = ? AND period = ? AND day = ?",
        &[org.value(), Value::text(Kind::Accuracy.key()), Value::owned(period.to_string()), Value::Date(day)],
        |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
    )?;
    let rows: Vec<[i64; 6]> = match text {
        Some(text) => serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))?,
        None => Vec::new(),
    };
    Ok(rows
        .into_iter()
        .map(|[submitter, subject, weeks_before_end, called, expected, actual]| JudgedCall {
            submitter,
            subject,
            weeks_before_end,
            called: Money::from_cents(called),
            expected: Money::from_cents(expected),
            actual: Money::from_cents(actual),
        })
        .collect())
}

/// Replaces the marks of a kind's figures, and drops the organisation's figures of other days (a
/// day's are not asked again once it has passed). In a transaction.
fn mark(
    db: &mut Db,
    org: OrgId,
    kind: Kind,
    period: Period,
    day: NaiveDate,
    marks: &Marks,
    figures: &str,
) -> Result<()> {
    db.execute("DELETE FROM forecast_figures WHERE org_id = ? AND day <> ?", &[org.value(), Value::Date(day)])?;
    db.execute("DELETE FROM forecast_figure_people WHERE org_id = ? AND day <> ?", &[org.value(), Value::Date(day)])?;
    db.execute(
        "INSERT INTO forecast_figures (org_id, kind, period, day, pipeline_revision, directory_revision, calls, figures)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (org_id, kind, period, day) DO UPDATE SET pipeline_revision = excluded.pipeline_revision,
             directory_revision = excluded.directory_revision, calls = excluded.calls, figures = excluded.figures",
        &[
            org.value(),
            Value::text(kind.key()),
            Value::owned(period.to_string()),
            Value::Date(day),
            Value::Int(marks.revisions.pipeline),
            Value::Int(marks.revisions.directory),
            Value::text(&marks.calls),
            Value::text(figures),
        ],
    )?;
    Ok(())
}

/// Keeps every person's figures and open deals of the period as of the day, computed at `marks`,
/// in place of those kept before. In a transaction.
pub fn write_people(
    db: &mut Db,
    org: OrgId,
    period: Period,
    day: NaiveDate,
    marks: &Marks,
    people: &[(i64, PersonFigures, Vec<KeptDeal>)],
) -> Result<()> {
    mark(db, org, Kind::Forecast, period, day, marks, "")?;
    db.execute(
        "DELETE FROM forecast_figure_people WHERE org_id = ? AND period = ? AND day = ?",
        &key_params(org, period, day),
    )?;
    let mut loader =
        db.loader("forecast_figure_people", &["org_id", "period", "day", "person_id", "figures", "deals"], false)?;
    for (person, figures, deals) in people {
        let [org_value, period_value, day_value] = key_params(org, period, day);
        loader.push(&[
            org_value,
            period_value,
            day_value,
            Value::Int(*person),
            Value::owned(encode_person(figures)?),
            Value::owned(encode_deals(deals)?),
        ])?;
    }
    loader.finish()?;
    Ok(())
}

/// Keeps the judged calls of the periods before `period` as of the day, computed at `marks`. In a
/// transaction.
pub fn write_judged_calls(
    db: &mut Db,
    org: OrgId,
    period: Period,
    day: NaiveDate,
    marks: &Marks,
    calls: &[JudgedCall],
) -> Result<()> {
    let rows: Vec<[i64; 6]> = calls
        .iter()
        .map(|c| [c.submitter, c.subject, c.weeks_before_end, c.called.cents(), c.expected.cents(), c.actual.cents()])
        .collect();
    let text = serde_json::to_string(&rows).map_err(|e| bad(&e.to_string()))?;
    mark(db, org, Kind::Accuracy, period, day, marks, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persons_figures_and_deals_read_back_as_written() {
        let m = Money::from_cents;
        let person = PersonFigures {
            forecast: DataForecast {
                won: m(1),
                open_deals: 2,
                open_pipeline: m(3),
                expected: m(4),
                low: m(5),
                high: m(6),
                weighted_pipeline: m(7),
                last_period_actual: m(8),
            },
            spread: Spread { live: 2, total: 3, mean: 0.1 + 0.2, variance: 1.0 / 3.0 },
            past: vec![PastForecast { expected: m(9), won: m(-10), actual: m(11) }],
            weeks: vec![Expected { expected: m(12), won: m(13) }],
        };
        let read = encode_person(&person).and_then(|text| decode_person(&text));
        assert_eq!(read.ok(), Some(person));
        let deal = KeptDeal {
            opportunity_id: 42,
            name: "Acme, \"big\" deal".into(),
            forecast: DealForecast {
                step: Step::Gateway,
                age_days: 21,
                chance: Chance { won: 1, of: 3 },
                source: RateSource::Team,
                amount: m(300),
                expected: m(100),
            },
        };
        let read = encode_deals(std::slice::from_ref(&deal)).and_then(|text| decode_deals(&text));
        assert_eq!(read.ok(), Some(vec![deal]));
        assert!(decode_deals(r#"[[1,"x","nowhere",0,0,1,"own",0,0]]"#).is_err());
    }
}
