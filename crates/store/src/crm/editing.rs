//! Creating and editing the CRM records from forms: one declarative form per resource (its fields,
//! how each is read and checked, whose row it is), and the create and update they drive. Every
//! write is scoped by the [`Viewer`], audited, and moves the KPI rollups in its transaction.

use super::browse::{self, Listing};
use super::{new_ids, row_json, write_returning};
use crate::access::Viewer;
use crate::audit::{self, Change};
use crate::db::{Db, Row, Value};
use crate::error::{Code, Refusal, Result};
use crate::kpi::{self, Fact};
use chrono::{NaiveDate, Utc};
use quotient_core::Money;
use quotient_core::access::Resource;
use quotient_core::model::{ActivityOutcome, ActivityType, BuyingRole, EstimateStatus, LeadSource, LeadStatus};
use quotient_core::work_time::{self, TimeRefusal};
use std::collections::BTreeMap;

/// A form's values as the browser or an API client sends them: field key → text.
pub type Values = BTreeMap<String, String>;

/// What a form field holds and how its text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Free text of at most `max` characters.
    Text {
        max: usize,
    },
    Int {
        min: i64,
        max: i64,
    },
    Money,
    Date,
    /// `YYYY-MM-DDTHH:MM` in UTC, as a `datetime-local` input sends it.
    Time,
    /// One key of an enumeration.
    Choice(Enumeration),
    /// The id of another record, which must be within the viewer's reach.
    Reference(Target),
}

/// The enumerations a choice field offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enumeration {
    ActivityType,
    ActivityOutcome,
    BuyingRole,
    LeadSource,
    LeadStatus,
    EstimateStatus,
}

impl Enumeration {
    pub fn keys(self) -> Vec<&'static str> {
        fn all<T: Copy>(values: &[T], key: fn(T) -> &'static str) -> Vec<&'static str> {
            values.iter().map(|v| key(*v)).collect()
        }
        match self {
            Enumeration::ActivityType => all(ActivityType::ALL, ActivityType::key),
            Enumeration::ActivityOutcome => all(ActivityOutcome::ALL, ActivityOutcome::key),
            Enumeration::BuyingRole => all(BuyingRole::ALL, BuyingRole::key),
            Enumeration::LeadSource => all(LeadSource::ALL, LeadSource::key),
            Enumeration::LeadStatus => all(LeadStatus::ALL, LeadStatus::key),
            Enumeration::EstimateStatus => all(EstimateStatus::ALL, EstimateStatus::key),
        }
    }
}

/// What a reference field points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Rep,
    Account,
    Contact,
    Opportunity,
    ProductLine,
    Territory,
}

#[derive(Debug)]
pub struct Field {
    pub key: &'static str,
    pub column: &'static str,
    pub input: Input,
    pub required: bool,
}

/// One resource as the create and edit forms write it.
#[derive(Debug)]
pub struct Form {
    pub resource: Resource,
    pub table: &'static str,
    pub fields: &'static [Field],
    /// The reference field naming the rep whose row it is; left empty, it is the viewer's own. `None`
    /// when the row belongs to whoever owns a referenced record (a contact is its account's).
    pub owner: Option<&'static str>,
}

const fn field(key: &'static str, column: &'static str, input: Input, required: bool) -> Field {
    Field { key, column, input, required }
}

/// The longest free texts, in characters: room for any real name, address or note, while no form
/// or API call can fill the disk, the pages or an export with one field.
pub mod text_limits {
    pub const NAME: usize = 200;
    /// RFC 5321's limit of a forward path.
    pub const EMAIL: usize = 254;
    pub const PHONE: usize = 50;
    pub const ADDRESS: usize = 1_000;
}

/// A name, a title, a company, a city: one line.
pub const NAME: Input = Input::Text { max: text_limits::NAME };
const EMAIL: Input = Input::Text { max: text_limits::EMAIL };
const PHONE: Input = Input::Text { max: text_limits::PHONE };
const ADDRESS: Input = Input::Text { max: text_limits::ADDRESS };
const REP: Input = Input::Reference(Target::Rep);
const ACCOUNT: Input = Input::Reference(Target::Account);
const OPPORTUNITY: Input = Input::Reference(Target::Opportunity);
const PRODUCT_LINE: Input = Input::Reference(Target::ProductLine);

pub static FORMS: [Form; 6] = [
    Form {
        resource: Resource::Accounts,
        table: "accounts",
        fields: &[
            field("name", "name", NAME, true),
            field("industry", "industry", NAME, false),
            field("owner", "owner_id", REP, false),
            field("territory", "territory_id", Input::Reference(Target::Territory), false),
            field("employees", "employees", Input::Int { min: 0, max: 10_000_000 }, false),
            field("annual_revenue", "annual_revenue_cents", Input::Money, false),
            field("city", "city", NAME, false),
            field("country", "country", NAME, false),
        ],
        owner: Some("owner"),
    },
    Form {
        resource: Resource::Contacts,
        table: "contacts",
        fields: &[
            field("account", "account_id", ACCOUNT, true),
            field("first_name", "first_name", NAME, false),
            field("last_name", "last_name", NAME, true),
            field("title", "title", NAME, false),
            field("buying_role", "buying_role", Input::Choice(Enumeration::BuyingRole), false),
            field("authority_level", "authority_level", Input::Int { min: 1, max: 5 }, false),
            field("email", "email", EMAIL, false),
            field("phone", "phone", PHONE, false),
            field("address", "address", ADDRESS, false),
        ],
        owner: None,
    },
    Form {
        resource: Resource::Leads,
        table: "leads",
        fields: &[
            field("company", "company", NAME, true),
            field("contact_name", "contact_name", NAME, false),
            field("email", "email", EMAIL, false),
            field("source", "source", Input::Choice(Enumeration::LeadSource), true),
            field("status", "status", Input::Choice(Enumeration::LeadStatus), true),
            field("owner", "owner_id", REP, false),
            field("created_at", "created_at", Input::Time, true),
            field("first_touch_at", "first_touch_at", Input::Time, false),
        ],
        owner: Some("owner"),
    },
    Form {
        resource: Resource::Opportunities,
        table: "opportunities",
        fields: &[
            field("name", "name", NAME, true),
            field("account", "account_id", ACCOUNT, false),
            field("owner", "owner_id", REP, true),
            field("product_line", "product_line_id", PRODUCT_LINE, false),
            field("amount", "amount_cents", Input::Money, true),
            field("margin", "margin_cents", Input::Money, false),
            field("created_at", "created_at", Input::Time, true),
            field("expected_close_on", "expected_close_on", Input::Date, false),
        ],
        owner: Some("owner"),
    },
    Form {
        resource: Resource::Activities,
        table: "activities",
        fields: &[
            field("type", "type", Input::Choice(Enumeration::ActivityType), true),
            field("outcome", "outcome", Input::Choice(Enumeration::ActivityOutcome), false),
            field("occurred_at", "occurred_at", Input::Time, true),
            field("rep", "rep_id", REP, true),
            field("account", "account_id", ACCOUNT, false),
            field("contact", "contact_id", Input::Reference(Target::Contact), false),
            field("opportunity", "opportunity_id", OPPORTUNITY, false),
        ],
        owner: Some("rep"),
    },
    Form {
        resource: Resource::Estimates,
        table: "estimates",
        fields: &[
            field("issued_on", "issued_on", Input::Date, true),
            field("product_line", "product_line_id", PRODUCT_LINE, true),
            field("amount", "amount_cents", Input::Money, false),
            field("status", "status", Input::Choice(Enumeration::EstimateStatus), false),
            field("rep", "rep_id", REP, true),
            field("opportunity", "opportunity_id", OPPORTUNITY, false),
        ],
        owner: Some("rep"),
    },
];

/// The form of a resource path (`accounts`, …).
pub fn form(table: &str) -> Option<&'static Form> {
    FORMS.iter().find(|f| f.table == table)
}

/// Why a field's value is refused; the interface words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Required,
    /// Not a whole number, or outside `min..=max`.
    Number {
        min: i64,
        max: i64,
    },
    /// Not an amount such as `1250` or `1250.50`, or negative.
    Amount,
    Date,
    Time,
    /// A time [`work_time::check`] refuses.
    WorkTime(TimeRefusal),
    Choice,
    /// No such record within the viewer's reach.
    Reference,
    /// Text longer than `max` characters.
    TooLong {
        max: usize,
    },
    /// Text with a control character other than a tab or a line break (such as NUL, which
    /// PostgreSQL cannot store).
    ControlCharacter,
}

impl Problem {
    /// The refusal of `field` for this problem.
    pub fn refusal(self, field: &'static str) -> Refusal {
        let refusal = |code| Refusal::new(field, code);
        match self {
            Problem::Required => refusal(Code::Required),
            Problem::Number { min, max } => refusal(Code::NumberOutOfRange).count("min", min).count("max", max),
            Problem::Amount => refusal(Code::Amount),
            Problem::Date => refusal(Code::Date),
            Problem::Time => refusal(Code::Time),
            Problem::WorkTime(time) => refusal(time.code()),
            Problem::Choice => refusal(Code::Choice),
            Problem::Reference => refusal(Code::Reference),
            Problem::TooLong { max } => refusal(Code::TooLong).count("max", i64::try_from(max).unwrap_or(i64::MAX)),
            Problem::ControlCharacter => refusal(Code::ControlCharacter),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Invalid {
    pub field: &'static str,
    pub problem: Problem,
}

impl Invalid {
    pub fn refusal(&self) -> Refusal {
        self.problem.refusal(self.field)
    }
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The record's id.
    Done(i64),
    /// Nothing was written: these fields are refused.
    Refused(Vec<Invalid>),
    /// No such live record within the viewer's reach.
    NotFound,
}

fn listing_of(form: &Form) -> &'static Listing {
    browse::listing(form.table).expect("every form has a listing")
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

fn shown(row: &Row, i: usize, input: Input) -> Result<Option<String>> {
    Ok(match input {
        Input::Text { .. } | Input::Choice(_) => row.text(i)?.map(str::to_string),
        Input::Int { .. } | Input::Reference(_) => row.int(i)?.map(|n| n.to_string()),
        Input::Money => row.int(i)?.map(|c| Money::from_cents(c).to_string()),
        Input::Date => row.date(i)?.map(|d| d.to_string()),
        Input::Time => row.timestamp(i)?.map(|t| t.format(TIME_FORMAT).to_string()),
    })
}

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M";

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

/// Creates a record from `values`.
pub fn create(db: &mut Db, viewer: &Viewer, form: &Form, values: &Values) -> Result<Saved> {
    db.transaction(|db| insert(db, viewer, form, values))
}

/// Changes a live record to `values` (every field of the form; an empty one is cleared).
pub fn update(db: &mut Db, viewer: &Viewer, form: &Form, id: i64, values: &Values) -> Result<Saved> {
    db.transaction(|db| {
        if !reachable_live(db, viewer, listing_of(form), id)? {
            return Ok(Saved::NotFound);
        }
        let columns = match checked(db, viewer, form, values)? {
            Ok(columns) => columns,
            Err(refused) => return Ok(Saved::Refused(refused)),
        };
        let audited = audited_columns(form);
        let before = row_json(db, viewer.org, form.table, &audited, id)?;
        let linked = linked_facts(&columns);
        let sets: Vec<String> = columns.iter().map(|(column, _)| format!("{column} = ?")).collect();
        let mut params: Vec<Value> = columns.into_iter().map(|(_, value)| value).collect();
        params.extend([viewer.org.value(), Value::Int(id)]);
        let sql = format!("UPDATE {} SET {} WHERE org_id = ? AND id = ?", form.table, sets.join(", "));
        let write = |db: &mut Db| write_returning(db, &sql, &params, &audited);
        let after = match Fact::of_table(form.table, id) {
            Some(fact) => kpi::with_delta(db, viewer.org, &[&[fact], linked.as_slice()].concat(), write)?,
            None => write(db)?,
        };
        let change = Change {
            user: Some(viewer.user),
            action: "update",
            entity: form.table,
            entity_id: Some(id),
            before,
            after,
        };
        audit::record(db, viewer.org, change)?;
        Ok(Saved::Done(id))
    })
}

/// Creates a record inside the caller's transaction.
pub(super) fn insert(db: &mut Db, viewer: &Viewer, form: &Form, values: &Values) -> Result<Saved> {
    let mut columns = match checked(db, viewer, form, values)? {
        Ok(columns) => columns,
        Err(refused) => return Ok(Saved::Refused(refused)),
    };
    let (id, external_id) = new_ids(db, viewer.org, form.table)?;
    let opening_stage = if form.resource == Resource::Opportunities {
        let stage = super::opportunities::opening_stage(db, viewer.org)?;
        columns.push(("status", Value::text("open")));
        columns.push(("stage", Value::owned(stage.clone())));
        Some(stage)
    } else {
        None
    };
    let linked = linked_facts(&columns);
    let names: Vec<&str> = columns.iter().map(|(column, _)| *column).collect();
    let marks = vec!["?"; names.len() + 3].join(", ");
    let sql = format!("INSERT INTO {} (org_id, id, external_id, {}) VALUES ({marks})", form.table, names.join(", "));
    let mut params = vec![viewer.org.value(), Value::Int(id), Value::owned(external_id)];
    let created_at = columns.iter().find(|(c, _)| *c == "created_at").map(|(_, v)| v.clone());
    params.extend(columns.into_iter().map(|(_, value)| value));
    let audited = audited_columns(form);
    let write = |db: &mut Db| {
        let after = write_returning(db, &sql, &params, &audited)?;
        if let (Some(stage), Some(Value::Timestamp(at))) = (&opening_stage, created_at) {
            super::opportunities::record_stage_change(db, viewer.org, id, stage, at)?;
        }
        Ok(after)
    };
    let after = match Fact::of_table(form.table, id) {
        Some(fact) => kpi::with_delta_creating(db, viewer.org, fact, &linked, write)?,
        None => write(db)?,
    };
    let change = Change {
        user: Some(viewer.user),
        action: "create",
        entity: form.table,
        entity_id: Some(id),
        before: None,
        after,
    };
    audit::record(db, viewer.org, change)?;
    Ok(Saved::Done(id))
}

/// The facts a row's columns link it to, whose contributions may change with it: an appointment
/// can be its opportunity's first, with the contact it was with.
fn linked_facts(columns: &Columns) -> Vec<Fact> {
    columns
        .iter()
        .filter_map(|(column, value)| match (*column, value) {
            ("opportunity_id", Value::Int(id)) => Some(Fact::Opportunity(*id)),
            _ => None,
        })
        .collect()
}

fn audited_columns(form: &Form) -> Vec<&'static str> {
    let mut columns: Vec<&'static str> = form.fields.iter().map(|f| f.column).collect();
    if form.resource == Resource::Opportunities {
        columns.extend(["status", "stage"]);
    }
    columns.push("deleted_at");
    columns
}

/// Whether `id` is a live row of `listing` within the viewer's reach.
pub(super) fn reachable_live(db: &mut Db, viewer: &Viewer, listing: &Listing, id: i64) -> Result<bool> {
    Ok(browse::detail(db, viewer, listing, id)?.is_some_and(|record| !record.deleted))
}

/// Columns to write with their values.
type Columns = Vec<(&'static str, Value<'static>)>;

/// Reads and checks every field: the columns to write, or every refused field.
fn checked(db: &mut Db, viewer: &Viewer, form: &Form, values: &Values) -> Result<Result<Columns, Vec<Invalid>>> {
    let mut columns = Vec::with_capacity(form.fields.len());
    let mut refused = Vec::new();
    for field in form.fields {
        let mut text = values.get(field.key).map_or("", |t| t.trim());
        let own = viewer.rep_id.map(|id| id.to_string());
        if text.is_empty() && form.owner == Some(field.key) && !viewer.reaches_everyone() {
            text = own.as_deref().unwrap_or("");
        }
        match read(db, viewer, field.input, text)? {
            Ok(Value::Null) if field.required => refused.push(Invalid { field: field.key, problem: Problem::Required }),
            Ok(value) => columns.push((field.column, value)),
            Err(problem) => refused.push(Invalid { field: field.key, problem }),
        }
    }
    Ok(if refused.is_empty() { Ok(columns) } else { Err(refused) })
}

/// One field's text as the value to store (`Null` when empty).
fn read(
    db: &mut Db,
    viewer: &Viewer,
    input: Input,
    text: &str,
) -> Result<std::result::Result<Value<'static>, Problem>> {
    if text.is_empty() {
        return Ok(Ok(Value::Null));
    }
    Ok(match input {
        Input::Text { max } => free_text(text, max).map(|text| Value::owned(text.to_string())),
        Input::Int { min, max } => match text.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Value::Int(n)),
            _ => Err(Problem::Number { min, max }),
        },
        Input::Money => match text.parse::<Money>() {
            Ok(money) if !money.is_negative() => Ok(Value::Int(money.cents())),
            _ => Err(Problem::Amount),
        },
        Input::Date => text.parse::<NaiveDate>().map(Value::Date).map_err(|_| Problem::Date),
        Input::Time => match parse_time(text) {
            Some(time) => {
                work_time::check(time, Utc::now()).map(|()| Value::Timestamp(time)).map_err(Problem::WorkTime)
            }
            None => Err(Problem::Time),
        },
        Input::Choice(choices) => match choices.keys().into_iter().find(|k| *k == text) {
            Some(key) => Ok(Value::text(key)),
            None => Err(Problem::Choice),
        },
        Input::Reference(target) => match text.parse::<i64>() {
            Ok(id) if references(db, viewer, target, id)? => Ok(Value::Int(id)),
            _ => Err(Problem::Reference),
        },
    })
}

/// Free text as stored: at most `max` characters, and no control characters but tabs and line
/// breaks.
pub fn free_text(text: &str, max: usize) -> std::result::Result<&str, Problem> {
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(Problem::ControlCharacter);
    }
    if text.chars().nth(max).is_some() {
        return Err(Problem::TooLong { max });
    }
    Ok(text)
}

pub use quotient_core::input::parse_time;

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
