//! Browsing the CRM records: one declarative listing per resource (its columns, what is searched,
//! whose rows they are), and the list, detail and timeline queries they drive. Every query takes
//! the [`Viewer`] and returns only the rows within their reach.

use crate::access::Viewer;
use crate::db::{Db, Row, Value};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::Money;
use quotient_core::access::Resource;

/// How a column's value is read and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Text,
    /// A key of an enumeration (translated by the interface).
    Key,
    Int,
    Money,
    Date,
    Time,
}

#[derive(Debug)]
pub struct Column {
    pub key: &'static str,
    pub sql: &'static str,
    pub shown: Shown,
}

/// One resource as the CRM screens and the API list it.
#[derive(Debug)]
pub struct Listing {
    pub resource: Resource,
    pub table: &'static str,
    /// The rep whose row it is (an SQL expression over `t`), for scoping.
    pub rep: &'static str,
    pub columns: &'static [Column],
    /// The columns a search looks in.
    pub search: &'static [&'static str],
    /// The activity column that links an activity to a row of this resource, for the timeline.
    pub timeline: Option<&'static str>,
    pub default_sort: &'static str,
}

const fn col(key: &'static str, sql: &'static str, shown: Shown) -> Column {
    Column { key, sql, shown }
}

const REP_NAME: &str = "(SELECT r.name FROM reps r WHERE r.org_id = t.org_id AND r.id = t.rep_id)";
const OWNER_NAME: &str = "(SELECT r.name FROM reps r WHERE r.org_id = t.org_id AND r.id = t.owner_id)";

/// The amount as the CRM it was imported from recorded it, in its currency (`1000.00 EUR`), when
/// that was not the organisation's: the same text on both databases.
const ORIGINAL_AMOUNT: &str = "CASE WHEN t.original_currency IS NULL THEN NULL ELSE \
     (t.original_amount_cents / 100) || '.' || CASE WHEN t.original_amount_cents % 100 < 10 THEN '0' ELSE '' END \
     || (t.original_amount_cents % 100) || ' ' || t.original_currency END";
const ACCOUNT_NAME: &str = "(SELECT a.name FROM accounts a WHERE a.org_id = t.org_id AND a.id = t.account_id)";
const OPPORTUNITY_NAME: &str = "(SELECT COALESCE(o.name, o.external_id) FROM opportunities o WHERE o.org_id = t.org_id AND o.id = t.opportunity_id)";

pub static LISTINGS: [Listing; 6] = [
    Listing {
        resource: Resource::Accounts,
        table: "accounts",
        rep: "t.owner_id",
        columns: &[
            col("name", "t.name", Shown::Text),
            col("industry", "t.industry", Shown::Text),
            col("city", "t.city", Shown::Text),
            col("country", "t.country", Shown::Text),
            col("owner", OWNER_NAME, Shown::Text),
            col("employees", "t.employees", Shown::Int),
            col("annual_revenue", "t.annual_revenue_cents", Shown::Money),
        ],
        search: &["t.name", "t.city"],
        timeline: Some("account_id"),
        default_sort: "name",
    },
    Listing {
        resource: Resource::Contacts,
        table: "contacts",
        rep: "(SELECT a.owner_id FROM accounts a WHERE a.org_id = t.org_id AND a.id = t.account_id)",
        columns: &[
            col("last_name", "t.last_name", Shown::Text),
            col("first_name", "t.first_name", Shown::Text),
            col("title", "t.title", Shown::Text),
            col("account", ACCOUNT_NAME, Shown::Text),
            col("buying_role", "t.buying_role", Shown::Key),
            col("authority_level", "t.authority_level", Shown::Int),
            col("email", "t.email", Shown::Text),
            col("phone", "t.phone", Shown::Text),
            col("address", "t.address", Shown::Text),
        ],
        search: &["t.last_name", "t.first_name", "t.email"],
        timeline: Some("contact_id"),
        default_sort: "last_name",
    },
    Listing {
        resource: Resource::Leads,
        table: "leads",
        rep: "t.owner_id",
        columns: &[
            col("company", "t.company", Shown::Text),
            col("contact_name", "t.contact_name", Shown::Text),
            col("email", "t.email", Shown::Text),
            col("source", "t.source", Shown::Key),
            col("status", "t.status", Shown::Key),
            col("owner", OWNER_NAME, Shown::Text),
            col("created_at", "t.created_at", Shown::Time),
            col("first_touch_at", "t.first_touch_at", Shown::Time),
        ],
        search: &["t.company", "t.contact_name", "t.email"],
        timeline: None,
        default_sort: "created_at",
    },
    Listing {
        resource: Resource::Opportunities,
        table: "opportunities",
        rep: "t.owner_id",
        columns: &[
            col("name", "COALESCE(t.name, t.external_id)", Shown::Text),
            col("account", ACCOUNT_NAME, Shown::Text),
            col("owner", OWNER_NAME, Shown::Text),
            col("stage", "t.stage", Shown::Key),
            col("status", "t.status", Shown::Key),
            col("amount", "t.amount_cents", Shown::Money),
            col("expected_close_on", "t.expected_close_on", Shown::Date),
            col("created_at", "t.created_at", Shown::Time),
            col("first_appointment_at", "t.first_appointment_at", Shown::Time),
            col("gateway_type", "t.gateway_type", Shown::Key),
            col("proposal_at", "t.proposal_at", Shown::Time),
            col("closed_at", "t.closed_at", Shown::Time),
            col("original_amount", ORIGINAL_AMOUNT, Shown::Text),
        ],
        search: &["t.name", "t.external_id"],
        timeline: Some("opportunity_id"),
        default_sort: "created_at",
    },
    Listing {
        resource: Resource::Activities,
        table: "activities",
        rep: "t.rep_id",
        columns: &[
            col("occurred_at", "t.occurred_at", Shown::Time),
            col("type", "t.type", Shown::Key),
            col("outcome", "t.outcome", Shown::Key),
            col("rep", REP_NAME, Shown::Text),
            col("account", ACCOUNT_NAME, Shown::Text),
            col("opportunity", OPPORTUNITY_NAME, Shown::Text),
        ],
        search: &["t.type", "t.external_id"],
        timeline: None,
        default_sort: "occurred_at",
    },
    Listing {
        resource: Resource::Estimates,
        table: "estimates",
        rep: "t.rep_id",
        columns: &[
            col("issued_on", "t.issued_on", Shown::Date),
            col(
                "product_line",
                "(SELECT p.name FROM product_lines p WHERE p.org_id = t.org_id AND p.id = t.product_line_id)",
                Shown::Text,
            ),
            col("amount", "t.amount_cents", Shown::Money),
            col("status", "t.status", Shown::Key),
            col("rep", REP_NAME, Shown::Text),
            col("opportunity", OPPORTUNITY_NAME, Shown::Text),
        ],
        search: &["t.external_id", "t.status"],
        timeline: None,
        default_sort: "issued_on",
    },
];

/// The listing of a resource path (`accounts`, …).
pub fn listing(table: &str) -> Option<&'static Listing> {
    LISTINGS.iter().find(|l| l.table == table)
}

/// A value of a listed column.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
    Money(Money),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

/// A row of a listing: its ids, whether it is deleted, and its columns' values in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: i64,
    pub external_id: String,
    pub deleted: bool,
    pub cells: Vec<Cell>,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub search: String,
    /// A column key; the listing's default when unknown.
    pub sort: String,
    pub descending: bool,
    /// 0-based.
    pub page: i64,
    pub page_size: i64,
    /// List the deleted rows (to restore them) instead of the live ones.
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct ListPage {
    pub records: Vec<Record>,
    pub total: i64,
}

fn select(listing: &Listing) -> String {
    let columns: Vec<&str> = listing.columns.iter().map(|c| c.sql).collect();
    format!("SELECT t.id, t.external_id, t.deleted_at, {} FROM {} t", columns.join(", "), listing.table)
}

fn record(listing: &Listing, row: &Row) -> Result<Record> {
    let mut cells = Vec::with_capacity(listing.columns.len());
    for (i, column) in listing.columns.iter().enumerate() {
        let index = i + 3;
        let cell = match column.shown {
            Shown::Text | Shown::Key => row.text(index)?.map(|t| Cell::Text(t.to_string())),
            Shown::Int => row.int(index)?.map(Cell::Int),
            Shown::Money => row.int(index)?.map(|c| Cell::Money(Money::from_cents(c))),
            Shown::Date => row.date(index)?.map(Cell::Date),
            Shown::Time => row.timestamp(index)?.map(Cell::Time),
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(Record {
        id: row.int(0)?.unwrap_or_default(),
        external_id: row.text(1)?.unwrap_or_default().to_string(),
        deleted: row.timestamp(2)?.is_some(),
        cells,
    })
}

/// One page of the viewer's rows of `listing`.
pub fn list(db: &mut Db, viewer: &Viewer, listing: &Listing, query: &ListQuery) -> Result<ListPage> {
    let (scope, scope_params) = viewer.condition(listing.rep);
    let mut filter =
        format!("t.org_id = ? AND t.deleted_at IS {} NULL AND {scope}", if query.deleted { "NOT" } else { "" });
    let mut params = vec![viewer.org.value()];
    params.extend(scope_params);
    let search = query.search.trim().to_lowercase();
    if !search.is_empty() {
        let pattern = format!("%{}%", search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let any: Vec<String> = listing.search.iter().map(|c| format!("LOWER({c}) LIKE ? ESCAPE '\\'")).collect();
        filter.push_str(&format!(" AND ({})", any.join(" OR ")));
        params.extend(listing.search.iter().map(|_| Value::owned(pattern.clone())));
    }
    let total = db.query_i64(&format!("SELECT COUNT(*) FROM {} t WHERE {filter}", listing.table), &params)?;
    let sort = listing
        .columns
        .iter()
        .find(|c| c.key == query.sort)
        .or_else(|| listing.columns.iter().find(|c| c.key == listing.default_sort))
        .map_or("t.id", |c| c.sql);
    let direction = if query.descending { "DESC" } else { "ASC" };
    let size = query.page_size.clamp(1, 10_000);
    params.push(Value::Int(size));
    // A page past the end is empty, however far: the offset saturates instead of overflowing.
    params.push(Value::Int(query.page.max(0).saturating_mul(size)));
    let sql =
        format!("{} WHERE {filter} ORDER BY {sort} {direction}, t.id {direction} LIMIT ? OFFSET ?", select(listing));
    let records = db.query_map(&sql, &params, |row| record(listing, row))?;
    Ok(ListPage { records, total })
}

/// One row (live or deleted) within the viewer's reach.
pub fn detail(db: &mut Db, viewer: &Viewer, listing: &Listing, id: i64) -> Result<Option<Record>> {
    let (scope, scope_params) = viewer.condition(listing.rep);
    let mut params = vec![viewer.org.value(), Value::Int(id)];
    params.extend(scope_params);
    db.query_opt(&format!("{} WHERE t.org_id = ? AND t.id = ? AND {scope}", select(listing)), &params, |row| {
        record(listing, row)
    })
}

/// An activity of a record's timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub outcome: Option<String>,
    pub rep: String,
}

/// The latest activities linked to a row, newest first (those of reps within the viewer's reach).
pub fn timeline(db: &mut Db, viewer: &Viewer, listing: &Listing, id: i64, limit: i64) -> Result<Vec<TimelineEntry>> {
    let Some(link) = listing.timeline else { return Ok(vec![]) };
    let (scope, scope_params) = viewer.condition("t.rep_id");
    let mut params = vec![viewer.org.value(), Value::Int(id)];
    params.extend(scope_params);
    params.push(Value::Int(limit));
    db.query_map(
        &format!(
            "SELECT t.id, t.occurred_at, t.type, t.outcome, {REP_NAME} FROM activities t
             WHERE t.org_id = ? AND t.{link} = ? AND t.deleted_at IS NULL AND {scope}
             ORDER BY t.occurred_at DESC, t.id DESC LIMIT ?"
        ),
        &params,
        |row| {
            Ok(TimelineEntry {
                id: row.int(0)?.unwrap_or_default(),
                occurred_at: row.timestamp(1)?.unwrap_or_default(),
                kind: row.text(2)?.unwrap_or_default().to_string(),
                outcome: row.text(3)?.map(str::to_string),
                rep: row.text(4)?.unwrap_or_default().to_string(),
            })
        },
    )
}
