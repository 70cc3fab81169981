//! The few base-row reads a scorecard needs beside the rollups: what is not a sum of cells (medians,
//! quotas to prorate, the open pipeline as of a day, summed here per rep) and the standards' facts.

use crate::db::{Db, Dialect, Row, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::{DateTime, NaiveDate, Utc};
use hashbrown::HashMap;
use quotient_core::kpi::OpenPipeline;
use quotient_core::model::QuotaMetric;
use quotient_core::{Money, Period};

/// Which reps (and product line) a per-rep read covers, of the rollups or of the base rows.
#[derive(Debug, Clone, Copy)]
pub struct Filter<'a> {
    /// `None`: every rep.
    pub reps: Option<&'a [i64]>,
    pub product_line: Option<i64>,
}

impl Filter<'_> {
    /// The `FROM` of a read of `table` (as `alias`) keyed by `rep_column`, and the condition its
    /// `WHERE` adds. A list of reps is sought rep by rep through an index that starts with the rep.
    /// For everyone, SQLite walks the organisation's reps and seeks each one's range the same way
    /// (it keeps a CROSS JOIN's order), rather than reading a whole period across reps; PostgreSQL
    /// reads the period's range in one scan, and joining the reps there would only hash every row
    /// read: the key is a rep by a foreign key, so being set is all the join asks of it.
    pub(super) fn rep_by_rep(&self, dialect: Dialect, table: &str, alias: &str, rep_column: &str) -> (String, String) {
        match (self.reps, dialect) {
            (Some(_), _) => (format!("{table} {alias}"), String::new()),
            (None, Dialect::Postgres) => (format!("{table} {alias}"), format!(" AND {alias}.{rep_column} IS NOT NULL")),
            (None, Dialect::Sqlite) => (
                format!("reps r CROSS JOIN {table} {alias}"),
                format!(" AND r.org_id = {alias}.org_id AND r.id = {alias}.{rep_column}"),
            ),
        }
    }

    /// Runs a read of what this filter covers: every rep's rows in batches (many of them:
    /// [`Db::query_each_batched`]); a list of reps' streamed, where a batch's transaction costs
    /// more than their few rows save.
    pub(super) fn read_rows(
        &self,
        db: &mut Db,
        sql: &str,
        params: &[Value],
        each: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        match self.reps {
            None => db.query_each_batched(sql, params, each),
            Some(_) => db.query_each(sql, params, each),
        }
    }

    /// ` AND column IN (…)` (and the product line) with its parameters.
    pub(super) fn sql(&self, rep_column: &str, line_column: Option<&str>, params: &mut Vec<Value<'static>>) -> String {
        let mut sql = String::new();
        if let Some(reps) = self.reps {
            if reps.is_empty() {
                return " AND 1 = 0".to_string();
            }
            sql.push_str(&format!(" AND {rep_column} IN ({})", vec!["?"; reps.len()].join(", ")));
            params.extend(reps.iter().map(|&r| Value::Int(r)));
        }
        if let (Some(line), Some(column)) = (self.product_line, line_column) {
            sql.push_str(&format!(" AND {column} = ?"));
            params.push(Value::Int(line));
        }
        sql
    }
}

/// Midnight (UTC) starting `day`: the organisation's day boundaries as timestamps.
pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// One quota row.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaRow {
    pub rep: i64,
    pub period: Period,
    pub metric: QuotaMetric,
    pub product_line: Option<i64>,
    pub target: i64,
}

/// The quotas whose period overlaps `period`.
pub fn quotas(db: &mut Db, org: OrgId, period: Period, filter: Filter<'_>) -> Result<Vec<QuotaRow>> {
    quotas_where(db, org, period, filter, "")
}

/// The revenue quotas of the whole company (no product line) whose period overlaps `period`: what
/// a forecast sets beside revenue, read without the other metrics' rows.
pub fn revenue_quotas(db: &mut Db, org: OrgId, period: Period, filter: Filter<'_>) -> Result<Vec<QuotaRow>> {
    quotas_where(db, org, period, filter, " AND metric = 'revenue' AND product_line_id IS NULL")
}

fn quotas_where(db: &mut Db, org: OrgId, period: Period, filter: Filter<'_>, only: &str) -> Result<Vec<QuotaRow>> {
    // No quota period is longer than a year, so one that overlaps starts at most a year earlier:
    // the bound lets the index on period_start skip the rest of history.
    let earliest = period.start() - chrono::Duration::days(366);
    let columns = "rep_id, period_start, period_end, metric, product_line_id, target";
    if filter.reps.is_none() {
        // Every rep's: the quotas of that year start on few days (a month's quotas all on its
        // first), found one index seek each; then each day's quotas are read from the index on
        // their start (keyed by the end too, from the period's start on, so that the ones that
        // ended before the period are skipped rather than read). Two statements:
        // PostgreSQL would join the days to a scan of every quota.
        let starts = db.query_map(
            "WITH RECURSIVE starts (day) AS (
                 SELECT MIN(period_start) FROM quotas WHERE org_id = ? AND period_start >= ? AND period_start < ?
                 UNION ALL
                 SELECT (SELECT MIN(q.period_start) FROM quotas q
                         WHERE q.org_id = ? AND q.period_start > starts.day AND q.period_start < ?)
                 FROM starts WHERE starts.day IS NOT NULL)
             SELECT day FROM starts WHERE day IS NOT NULL",
            &[org.value(), Value::Date(earliest), Value::Date(period.end()), org.value(), Value::Date(period.end())],
            |row| row.date(0),
        )?;
        let starts: Vec<NaiveDate> = starts.into_iter().flatten().collect();
        if starts.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = vec![org.value()];
        params.extend(starts.iter().map(|&day| Value::Date(day)));
        params.push(Value::Date(period.start()));
        let sql = format!(
            "SELECT {columns} FROM quotas
             WHERE org_id = ? AND period_start IN ({}) AND period_end > ? AND deleted_at IS NULL{only}",
            vec!["?"; starts.len()].join(", ")
        );
        return read_quotas(db, filter, &sql, &params);
    }
    let mut params = vec![org.value(), Value::Date(earliest), Value::Date(period.end()), Value::Date(period.start())];
    let reps = Filter { product_line: None, ..filter }.sql("rep_id", None, &mut params);
    let sql = format!(
        "SELECT {columns} FROM quotas
         WHERE org_id = ? AND deleted_at IS NULL AND period_start >= ? AND period_start < ? AND period_end > ?{reps}{only}"
    );
    read_quotas(db, filter, &sql, &params)
}

/// The quota rows `sql` selects (rep, period start and end, metric, product line, target).
fn read_quotas(db: &mut Db, filter: Filter<'_>, sql: &str, params: &[Value<'_>]) -> Result<Vec<QuotaRow>> {
    let mut quotas = Vec::new();
    filter.read_rows(db, sql, params, |row| {
        let period = Period::range(row.date(1)?.unwrap_or_default(), row.date(2)?.unwrap_or_default());
        let metric = row.text(3)?.unwrap_or_default().parse().ok();
        if let (Some(period), Some(metric)) = (period, metric) {
            let (rep, product_line, target) = (row.int(0)?.unwrap_or_default(), row.int(4)?, row.int(5)?);
            quotas.push(QuotaRow { rep, period, metric, product_line, target: target.unwrap_or(0) });
        }
        Ok(())
    })?;
    Ok(quotas)
}

/// Core's `weighted_amount` in SQL, so that the database sums the pipeline where the opportunities
/// are (one row per rep, not one per opportunity); `kpi_report`'s tests pin the two together.
/// Amounts are never negative, so half away from zero is half up. An amount too large for its
/// product with a probability (at most 10,000 basis points) to fit 64 bits is taken apart into its
/// multiple of 10,000 cents and the rest, each multiplied on its own, so that the result stays
/// exact; any other amount is multiplied once, `probability` (the stage's, in basis points)
/// evaluated once.
fn weighted_amount_sql(probability: &str) -> String {
    let largest = (i64::MAX - 5_000) / 10_000;
    format!(
        "CASE WHEN o.amount_cents <= {largest} THEN (o.amount_cents * {probability} + 5000) / 10000
         ELSE (o.amount_cents / 10000) * {probability} + ((o.amount_cents % 10000) * {probability} + 5000) / 10000 END"
    )
}

/// The open pipeline per rep as of the end of a past day `as_of`, each opportunity weighted by the
/// probability of the stage it had then, summed by the database: one row per rep rather than one
/// per opportunity. (The pipeline now is summed from the rollups: `rollups::open_pipeline`.)
pub fn open_pipeline(
    db: &mut Db,
    org: OrgId,
    as_of: NaiveDate,
    period_end: NaiveDate,
    filter: Filter<'_>,
) -> Result<HashMap<i64, OpenPipeline>> {
    // Each stage's probability, written into the statement: a handful of stages, where a join
    // would seek the stage of every opportunity.
    let stages = db.query_map("SELECT key, probability_bp FROM stages WHERE org_id = ?", &[org.value()], |row| {
        Ok((row.text(0)?.unwrap_or_default().to_string(), row.int(1)?.unwrap_or(0)))
    })?;
    let mut probability_params: Vec<Value<'static>> = Vec::new();
    let probability = if stages.is_empty() {
        "0".to_string()
    } else {
        let mut case = "CASE w.stage".to_string();
        for (key, probability) in stages {
            case.push_str(" WHEN ? THEN ?");
            probability_params.extend([Value::Text(key.into()), Value::Int(probability)]);
        }
        case.push_str(" ELSE 0 END");
        case
    };
    // Created by the end of the day and not closed by then — open still, or closed since (two index
    // ranges rather than a scan of every opportunity) — at the stage it had then.
    let cutoff = midnight(as_of + chrono::Duration::days(1));
    let mut params: Vec<Value<'static>> = vec![];
    let part = |open: bool, params: &mut Vec<Value<'static>>| {
        params.extend([Value::Timestamp(cutoff), org.value(), Value::Timestamp(cutoff)]);
        let not_closed = if open {
            "o.status = 'open'"
        } else {
            params.push(Value::Timestamp(cutoff));
            "o.closed_at >= ?"
        };
        let filter = filter.sql("o.owner_id", Some("o.product_line_id"), params);
        format!(
            "SELECT o.owner_id, o.amount_cents,
                    COALESCE((SELECT s.stage FROM stage_changes s
                              WHERE s.org_id = o.org_id AND s.opportunity_id = o.id AND s.changed_at < ?
                                AND s.deleted_at IS NULL
                              ORDER BY s.changed_at DESC LIMIT 1), o.stage) AS stage,
                    o.expected_close_on
             FROM opportunities o
             WHERE o.org_id = ? AND o.deleted_at IS NULL AND o.created_at < ? AND {not_closed}{filter}"
        )
    };
    let open = part(true, &mut params);
    let closed_since = part(false, &mut params);
    let open = format!("{open} UNION ALL {closed_since}");
    // The parameters in the order of the statement's text: the period's end, the stages'
    // probabilities, the opportunities' read.
    params.splice(0..0, std::iter::once(Value::Date(period_end)).chain(probability_params));
    let weighted = weighted_amount_sql("o.probability");
    // PostgreSQL would pull the probability's `CASE` up into each of its uses in the weighted
    // amount, which doubles the read's time; `OFFSET 0` keeps the subquery whole. On SQLite such a
    // fence costs more than it saves.
    let once = match db.dialect() {
        Dialect::Postgres => " OFFSET 0",
        Dialect::Sqlite => "",
    };
    let sql = format!(
        "SELECT o.owner_id, COUNT(*), CAST(SUM(o.amount_cents) AS BIGINT), CAST(SUM({weighted}) AS BIGINT),
                CAST(SUM(CASE WHEN o.expected_close_on < ? THEN o.amount_cents ELSE 0 END) AS BIGINT)
         FROM (SELECT w.owner_id, w.amount_cents, w.expected_close_on, {probability} AS probability
               FROM ({open}) w{once}) o
         GROUP BY o.owner_id"
    );
    let mut out: HashMap<i64, OpenPipeline> = HashMap::new();
    filter.read_rows(db, &sql, &params, |row| {
        let cents = |index| Ok::<_, crate::error::StoreError>(Money::from_cents(row.int(index)?.unwrap_or(0)));
        let pipeline = OpenPipeline {
            opportunities: row.int(1)?.unwrap_or(0),
            amount: cents(2)?,
            weighted: cents(3)?,
            due_in_period: cents(4)?,
        };
        out.insert(row.int(0)?.unwrap_or_default(), pipeline);
        Ok(())
    })?;
    Ok(out)
}

/// Close − creation days of every opportunity won in `period`, per rep.
pub fn won_cycle_days(db: &mut Db, org: OrgId, period: Period, filter: Filter<'_>) -> Result<HashMap<i64, Vec<i64>>> {
    let mut params =
        vec![org.value(), Value::Timestamp(midnight(period.start())), Value::Timestamp(midnight(period.end()))];
    // The index by status, owner and closing date holds every column read.
    let (from, join) = filter.rep_by_rep(db.dialect(), "opportunities", "o", "owner_id");
    let only = filter.sql("o.owner_id", Some("o.product_line_id"), &mut params);
    let sql = format!(
        "SELECT o.owner_id, o.created_at, o.closed_at FROM {from}
         WHERE o.org_id = ? AND o.closed_at >= ? AND o.closed_at < ? AND o.status = 'won'
           AND o.deleted_at IS NULL{join}{only}"
    );
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    filter.read_rows(db, &sql, &params, |row| {
        if let (Some(created), Some(closed)) = (row.utc_day(1)?, row.utc_day(2)?) {
            out.entry(row.int(0)?.unwrap_or_default()).or_default().push(closed - created);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Satisfaction scores received in `period` on each rep's accounts (their owner now: the owner
/// each score keeps, migration 0037), so that no account is looked up.
pub fn satisfaction_scores(
    db: &mut Db,
    org: OrgId,
    period: Period,
    filter: Filter<'_>,
) -> Result<HashMap<i64, Vec<AccountScore>>> {
    let mut params = vec![org.value(), Value::Date(period.start()), Value::Date(period.end())];
    // A list of reps names owners already: saying that an owner is set as well would have SQLite
    // seek every owned account's scores rather than the reps'.
    let owners = match filter.reps {
        Some(_) => Filter { product_line: None, ..filter }.sql("account_owner_id", None, &mut params),
        None => " AND account_owner_id IS NOT NULL".to_string(),
    };
    let sql = format!(
        "SELECT account_owner_id, account_id, score FROM feedback
         WHERE org_id = ? AND received_on >= ? AND received_on < ? AND deleted_at IS NULL{owners}"
    );
    let mut out: HashMap<i64, Vec<AccountScore>> = HashMap::new();
    filter.read_rows(db, &sql, &params, |row| {
        let score = AccountScore { account: row.int(1)?.unwrap_or_default(), score: row.int(2)?.unwrap_or_default() };
        out.entry(row.int(0)?.unwrap_or_default()).or_default().push(score);
        Ok(())
    })?;
    Ok(out)
}

/// A satisfaction score and the account it was given on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountScore {
    pub account: i64,
    pub score: i64,
}

/// The names of `accounts` (deleted or not), read as `filter`'s reads are: those of a whole
/// organisation's scores may be thousands.
pub fn account_names(db: &mut Db, org: OrgId, filter: Filter<'_>, accounts: &[i64]) -> Result<HashMap<i64, String>> {
    let mut out = HashMap::with_capacity(accounts.len());
    if accounts.is_empty() {
        return Ok(out);
    }
    let dialect = db.dialect();
    // SQLite would seek each id in the primary key and then the row: the index by id holds the
    // name (PostgreSQL's index by organisation and id holds it too, and is its choice).
    let index = match dialect {
        Dialect::Sqlite => " INDEXED BY accounts_owner_and_name",
        Dialect::Postgres => "",
    };
    let sql = format!("SELECT id, name FROM accounts{index} WHERE org_id = ? AND {}", dialect.in_id_list("id"));
    filter.read_rows(db, &sql, &[org.value(), Value::Ids(accounts.to_vec())], |row| {
        out.insert(row.int(0)?.unwrap_or_default(), row.text(1)?.unwrap_or_default().to_string());
        Ok(())
    })?;
    Ok(out)
}
