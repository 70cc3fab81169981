//! Activity goals as the quotas table holds them: one row per rep, metric and week (`YYYY-Www`) or
//! month (`YYYY-MM`), keyed as `quotas.csv` would key it, so an export and re-import round-trips.

use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::Person;
use crate::orgs::{self, OrgId, Revision};
use quotient_core::QuotaPeriod;
use quotient_core::model::QuotaMetric;

/// One goal: a rep's target of an activity metric over a week or a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Goal {
    pub rep: i64,
    pub metric: QuotaMetric,
    pub period: QuotaPeriod,
    pub target: i64,
}

/// Sets a goal (creating, changing or reviving its row), audited with the target before; a goal
/// set to what it is changes nothing. `rep` is the goal's rep, checked by `ops::goals`. Unscoped.
pub(crate) fn set(db: &mut Db, org: OrgId, user: Option<i64>, rep: &Person, goal: &Goal) -> Result<bool> {
    let period = goal.period.to_string();
    let key = format!("{}|{period}|{}|", rep.external_id, goal.metric.key());
    let before = db.query_opt(
        "SELECT target FROM quotas WHERE org_id = ? AND external_id = ? AND deleted_at IS NULL",
        &[org.value(), Value::text(&key)],
        |row| row.int(0),
    )?;
    let before = before.flatten();
    if before == Some(goal.target) {
        return Ok(false);
    }
    let id = orgs::allocate_ids(db, org, "quotas", 1)?;
    db.execute(
        "INSERT INTO quotas (org_id, id, external_id, rep_id, period, period_start, period_end, metric,
         product_line_id, target, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL)
         ON CONFLICT (org_id, external_id) DO UPDATE SET target = excluded.target, deleted_at = NULL",
        &[
            org.value(),
            Value::Int(id),
            Value::text(&key),
            Value::Int(goal.rep),
            Value::text(&period),
            Value::Date(goal.period.start()),
            Value::Date(goal.period.end()),
            Value::text(goal.metric.key()),
            Value::Int(goal.target),
        ],
    )?;
    let image = |target: i64| serde_json::json!({ "metric": goal.metric.key(), "period": period, "target": target });
    audit::record(
        db,
        org,
        Change {
            user,
            action: "set",
            entity: "activity_goal",
            entity_id: Some(goal.rep),
            before: before.map(image),
            after: Some(image(goal.target)),
        },
    )?;
    orgs::bump_revisions(db, org, &[Revision::Data])?;
    Ok(true)
}

/// The live activity goals whose period starts in `[from, to)`, of `reps` (all: `None`).
pub fn within(
    db: &mut Db,
    org: OrgId,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    reps: Option<&[i64]>,
) -> Result<Vec<Goal>> {
    let keys: Vec<String> = QuotaMetric::ACTIVITY_GOALS.iter().map(|m| format!("'{}'", m.key())).collect();
    let sql = format!(
        "SELECT rep_id, metric, period, target FROM quotas WHERE org_id = ? AND deleted_at IS NULL
         AND period_start >= ? AND period_start < ? AND product_line_id IS NULL AND metric IN ({})
         ORDER BY rep_id, period_start, metric",
        keys.join(", ")
    );
    let rows = db.query_map(&sql, &[org.value(), Value::Date(from), Value::Date(to)], |row| {
        Ok((
            row.int(0)?.unwrap_or_default(),
            row.text(1)?.unwrap_or_default().to_string(),
            row.text(2)?.unwrap_or_default().to_string(),
            row.int(3)?.unwrap_or_default(),
        ))
    })?;
    Ok(rows
        .into_iter()
        .filter(|(rep, ..)| reps.is_none_or(|reps| reps.contains(rep)))
        .filter_map(|(rep, metric, period, target)| {
            Some(Goal { rep, metric: metric.parse().ok()?, period: period.parse().ok()?, target })
        })
        .collect())
}
