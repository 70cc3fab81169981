//! A form's values: what a record holds as its form shows it, what a new one starts with, the
//! records a reference field offers, and reading what was typed into the columns to write,
//! refusing every field that cannot be written at once.

use super::browse::{self, Listing};
use super::forms::{Form, Input, Target};
use crate::access::Viewer;
use crate::db::{Db, Row, Value};
use crate::error::{Code, Refusal, Result, StoreError};
use chrono::{NaiveDate, Utc};
use quotient_core::input::{self, Refusals};
use quotient_core::{Lang, Money, work_time};
use std::collections::BTreeMap;

pub use quotient_core::input::parse_time;

/// A form's values as the browser or an API client sends them: field key → text.
pub type Values = BTreeMap<String, String>;

/// Columns to write with their values.
pub(crate) type Columns = Vec<(&'static str, Value<'static>)>;

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M";

pub(crate) fn listing_of(form: &Form) -> &'static Listing {
    browse::listing(form.table).expect("every form has a listing")
}

/// Whether `id` is a live row of `listing` within the viewer's reach.
pub(crate) fn reachable_live(db: &mut Db, viewer: &Viewer, listing: &Listing, id: i64) -> Result<bool> {
    Ok(browse::detail(db, viewer, listing, id)?.is_some_and(|record| !record.deleted))
}

/// A live record's current values as the form shows them; `None` when it is out of reach.
pub fn current(db: &mut Db, viewer: &Viewer, form: &Form, id: i64) -> Result<Option<Values>> {
    if !reachable_live(db, viewer, listing_of(form), id)? {
        return Ok(None);
    }
    let columns: Vec<&str> = form.fields.iter().map(|f| f.column).collect();
    let sql = format!("SELECT {} FROM {} WHERE org_id = ? AND id = ?", columns.join(", "), form.table);
    db.query_opt(&sql, &[viewer.org.value(), Value::Int(id)], |row| {
        let mut values = Values::new();
        for (i, field) in form.fields.iter().enumerate() {
            if let Some(text) = shown(row, i, field.input)? {
                values.insert(field.key.to_string(), text);
            }
        }
        Ok(values)
    })
}

/// A column as its field shows it; amounts plainly (`1250.50`), which reads in every language.
fn shown(row: &Row, i: usize, input: Input) -> Result<Option<String>> {
    Ok(match input {
        Input::Text { .. } | Input::Choice(_) => row.text(i)?.map(str::to_string),
        Input::Int { .. } | Input::Reference(_) => row.int(i)?.map(|n| n.to_string()),
        Input::Money => row.int(i)?.map(|c| Money::from_cents(c).to_string()),
        Input::Date => row.date(i)?.map(|d| d.to_string()),
        Input::Time => row.timestamp(i)?.map(|t| t.format(TIME_FORMAT).to_string()),
    })
}

/// The values a new record's form starts with: now for its times, the viewer as its owner, the
/// first choice of required choices.
pub fn defaults(viewer: &Viewer, form: &Form) -> Values {
    let now = Utc::now().format(TIME_FORMAT).to_string();
    let mut values = Values::new();
    for field in form.fields {
        let value = match field.input {
            Input::Time if field.required => Some(now.clone()),
            Input::Reference(Target::Rep) => viewer.rep_id.map(|id| id.to_string()),
            Input::Choice(choices) if field.required => choices.keys().first().map(|k| k.to_string()),
            _ => None,
        };
        if let Some(value) = value {
            values.insert(field.key.to_string(), value);
        }
    }
    values
}

/// Reads and checks every field, numbers as `lang` writes them: the columns to write, or
/// [`StoreError::Refused`] with every refused field.
pub(crate) fn checked(db: &mut Db, viewer: &Viewer, form: &Form, values: &Values, lang: Lang) -> Result<Columns> {
    let mut columns = Vec::with_capacity(form.fields.len());
    let mut refusals = Refusals::new();
    for field in form.fields {
        let mut text = values.get(field.key).map_or("", |t| t.trim());
        let own = viewer.rep_id.map(|id| id.to_string());
        if text.is_empty() && form.owner == Some(field.key) && !viewer.reaches_everyone() {
            text = own.as_deref().unwrap_or("");
        }
        match read(db, viewer, field.key, field.input, text, lang)? {
            Ok(Value::Null) if field.required => refusals.push(Refusal::new(field.key, Code::Required)),
            Ok(value) => columns.push((field.column, value)),
            Err(refusal) => refusals.push(refusal),
        }
    }
    refusals.finish().map_err(StoreError::Refused)?;
    Ok(columns)
}

/// One field's text as the value to store (`Null` when empty), or why it is refused.
fn read(
    db: &mut Db,
    viewer: &Viewer,
    field: &'static str,
    input: Input,
    text: &str,
    lang: Lang,
) -> Result<std::result::Result<Value<'static>, Refusal>> {
    if text.is_empty() {
        return Ok(Ok(Value::Null));
    }
    let refused = |code| Refusal::new(field, code);
    Ok(match input {
        Input::Text { max } => input::free_text(field, text, max).map(|text| Value::owned(text.to_string())),
        Input::Int { min, max } => input::whole_number(field, text, min, max).map(Value::Int),
        Input::Money => input::optional_amount(field, text, lang).map(|money| money.map_or(Value::Null, cents)),
        Input::Date => text.parse::<NaiveDate>().map(Value::Date).map_err(|_| refused(Code::Date)),
        Input::Time => input::time(field, text).and_then(|time| {
            work_time::check(time, Utc::now()).map(|()| Value::Timestamp(time)).map_err(|t| refused(t.code()))
        }),
        Input::Choice(choices) => match choices.keys().into_iter().find(|k| *k == text) {
            Some(key) => Ok(Value::text(key)),
            None => Err(refused(Code::Choice)),
        },
        Input::Reference(target) => match text.parse::<i64>() {
            Ok(id) if references(db, viewer, target, id)? => Ok(Value::Int(id)),
            _ => Err(refused(Code::Reference)),
        },
    })
}

fn cents(money: Money) -> Value<'static> {
    Value::Int(money.cents())
}

/// Whether a referenced record exists, is live and is within the viewer's reach.
fn references(db: &mut Db, viewer: &Viewer, target: Target, id: i64) -> Result<bool> {
    let listing = |table| browse::listing(table).expect("listed");
    match target {
        Target::Rep => Ok(viewer.reaches(id)
            && db.query_i64(
                "SELECT COUNT(*) FROM reps WHERE org_id = ? AND id = ?",
                &[viewer.org.value(), Value::Int(id)],
            )? == 1),
        Target::Account => reachable_live(db, viewer, listing("accounts"), id),
        Target::Contact => reachable_live(db, viewer, listing("contacts"), id),
        Target::Opportunity => reachable_live(db, viewer, listing("opportunities"), id),
        Target::ProductLine | Target::Territory => {
            let table = if target == Target::ProductLine { "product_lines" } else { "territories" };
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE org_id = ? AND id = ?");
            Ok(db.query_i64(&sql, &[viewer.org.value(), Value::Int(id)])? == 1)
        }
    }
}

/// The records a reference field offers, by name, within the viewer's reach (at most `limit`).
pub fn options(db: &mut Db, viewer: &Viewer, target: Target, limit: i64) -> Result<Vec<(i64, String)>> {
    let (sql, rep) = match target {
        Target::Rep => ("SELECT t.id, t.name FROM reps t WHERE t.org_id = ? AND {scope} ORDER BY t.name", "t.id"),
        Target::Account => (
            "SELECT t.id, t.name FROM accounts t WHERE t.org_id = ? AND t.deleted_at IS NULL AND {scope} ORDER BY t.name",
            "t.owner_id",
        ),
        Target::Contact => (
            "SELECT t.id, COALESCE(t.first_name || ' ', '') || t.last_name FROM contacts t
             JOIN accounts a ON a.org_id = t.org_id AND a.id = t.account_id
             WHERE t.org_id = ? AND t.deleted_at IS NULL AND {scope} ORDER BY t.last_name, t.first_name",
            "a.owner_id",
        ),
        Target::Opportunity => (
            "SELECT t.id, COALESCE(t.name, t.external_id) FROM opportunities t
             WHERE t.org_id = ? AND t.deleted_at IS NULL AND {scope} ORDER BY t.status = 'open' DESC, t.created_at DESC",
            "t.owner_id",
        ),
        Target::ProductLine => ("SELECT t.id, t.name FROM product_lines t WHERE t.org_id = ? AND {scope} ORDER BY t.name", ""),
        Target::Territory => ("SELECT t.id, t.name FROM territories t WHERE t.org_id = ? AND {scope} ORDER BY t.name", ""),
    };
    let (scope, mut params) = if rep.is_empty() { ("1 = 1".to_string(), vec![]) } else { viewer.condition(rep) };
    params.insert(0, viewer.org.value());
    params.push(Value::Int(limit));
    let sql = format!("{} LIMIT ?", sql.replace("{scope}", &scope));
    db.query_map(&sql, &params, |row| {
        Ok((row.int(0)?.unwrap_or_default(), row.text(1)?.unwrap_or_default().to_string()))
    })
}
