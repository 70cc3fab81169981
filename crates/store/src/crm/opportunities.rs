//! Creating and changing opportunities: edits, owner changes and stage moves, each moving the
//! opportunity's KPI contribution in the same transaction.

use super::pipeline::{milestone_of, outcome_of};
use super::{json_object, write_returning};
#[cfg(feature = "testing")]
use super::{new_ids, row_json};
use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Code, Refusal, Result, StoreError};
use crate::kpi::latest::{Latest, kept_with};
use crate::kpi::{self, Fact};
use crate::orgs::OrgId;
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::Money;
use quotient_core::input::Refusals;
use quotient_core::model::{Milestone, StageOutcome};

/// A new opportunity. It starts in `stage` (usually the pipeline's first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOpportunity {
    pub owner_id: i64,
    pub account_id: Option<i64>,
    pub product_line_id: Option<i64>,
    pub name: String,
    pub amount: Money,
    pub margin: Option<Money>,
    pub created_at: DateTime<Utc>,
    pub expected_close_on: Option<NaiveDate>,
    pub stage: String,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityEdit {
    pub owner_id: Option<i64>,
    pub product_line_id: Option<Option<i64>>,
    pub name: Option<String>,
    pub amount: Option<Money>,
    pub margin: Option<Option<Money>>,
    pub created_at: Option<DateTime<Utc>>,
    pub expected_close_on: Option<Option<NaiveDate>>,
}

const COLUMNS: &[&str] = &[
    "external_id",
    "account_id",
    "owner_id",
    "product_line_id",
    "name",
    "amount_cents",
    "margin_cents",
    "created_at",
    "expected_close_on",
    "first_appointment_at",
    "gateway_type",
    "gateway_at",
    "proposal_at",
    "closed_at",
    "status",
    "stage",
    "deleted_at",
];

#[cfg(feature = "testing")]
fn money_or_null(money: Option<Money>) -> Value<'static> {
    money.map_or(Value::Null, |m| Value::Int(m.cents()))
}

#[cfg(feature = "testing")]
/// Refuses a negative amount or margin.
fn not_negative(amount: Option<Money>, margin: Option<Money>) -> Result<()> {
    let mut refusals = Refusals::new();
    if amount.is_some_and(Money::is_negative) {
        refusals.push(Refusal::new("amount", Code::Amount));
    }
    if margin.is_some_and(Money::is_negative) {
        refusals.push(Refusal::new("margin", Code::Amount));
    }
    refusals.finish().map_err(StoreError::Refused)
}

#[cfg(feature = "testing")]
/// Creates an opportunity; returns its id.
pub(crate) fn create(db: &mut Db, org: OrgId, user: Option<i64>, new: &NewOpportunity) -> Result<i64> {
    not_negative(Some(new.amount), new.margin)?;
    db.transaction(|db| {
        let stage = stage(db, org, &new.stage)?;
        if stage.outcome != StageOutcome::Open {
            return Err(StoreError::refused("stage", Code::StageNotOpen));
        }
        let (id, external_id) = new_ids(db, org, "opportunities")?;
        let after = kpi::with_delta_creating(db, org, Fact::Opportunity(id), &[], |db| {
            let after = write_returning(
                db,
                "INSERT INTO opportunities (org_id, id, external_id, account_id, owner_id, product_line_id, name,
                     amount_cents, margin_cents, created_at, expected_close_on, status, stage, last_stage_change_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
                &[
                    org.value(),
                    Value::Int(id),
                    Value::owned(external_id),
                    Value::opt_int(new.account_id),
                    Value::Int(new.owner_id),
                    Value::opt_int(new.product_line_id),
                    Value::text(&new.name),
                    Value::Int(new.amount.cents()),
                    money_or_null(new.margin),
                    Value::Timestamp(new.created_at),
                    new.expected_close_on.map_or(Value::Null, Value::Date),
                    Value::text(&new.stage),
                    Value::Timestamp(new.created_at),
                ],
                COLUMNS,
            )?;
            record_stage_change(db, org, id, &new.stage, new.created_at)?;
            Ok(after)
        })?;
        audit::record(
            db,
            org,
            Change { user, action: "create", entity: "opportunities", entity_id: Some(id), before: None, after },
        )?;
        Ok(id)
    })
}

#[cfg(feature = "testing")]
/// Changes the fields of `edit`. Returns `false` when there is no such (undeleted) opportunity.
pub(crate) fn edit(db: &mut Db, org: OrgId, user: Option<i64>, id: i64, edit: &OpportunityEdit) -> Result<bool> {
    not_negative(edit.amount, edit.margin.flatten())?;
    let mut sets: Vec<&str> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(owner) = edit.owner_id {
        sets.push("owner_id = ?");
        params.push(Value::Int(owner));
    }
    if let Some(line) = edit.product_line_id {
        sets.push("product_line_id = ?");
        params.push(Value::opt_int(line));
    }
    if let Some(name) = &edit.name {
        sets.push("name = ?");
        params.push(Value::text(name));
    }
    if let Some(amount) = edit.amount {
        sets.push("amount_cents = ?");
        params.push(Value::Int(amount.cents()));
    }
    if let Some(margin) = edit.margin {
        sets.push("margin_cents = ?");
        params.push(money_or_null(margin));
    }
    if let Some(created_at) = edit.created_at {
        sets.push("created_at = ?");
        params.push(Value::Timestamp(created_at));
    }
    if let Some(close) = edit.expected_close_on {
        sets.push("expected_close_on = ?");
        params.push(close.map_or(Value::Null, Value::Date));
    }
    if sets.is_empty() {
        return Ok(true);
    }
    params.extend([org.value(), Value::Int(id)]);
    let sql =
        format!("UPDATE opportunities SET {} WHERE org_id = ? AND id = ? AND deleted_at IS NULL", sets.join(", "));
    audited_change(db, org, user, id, "update", |db| {
        let before = row_json(db, org, "opportunities", COLUMNS, id)?;
        Ok(write_returning(db, &sql, &params, COLUMNS)?.map(|after| (before, after)))
    })
}

/// Moves an opportunity to `stage_key` at `at`: the first entry into a milestone stage records the
/// milestone, a won or lost stage closes it, an open stage reopens it; the stage history gets a row.
/// Entering the gateway stage needs the kind of next step agreed (`gateway_type`) unless one is set.
/// Returns `false` when there is no such (undeleted) opportunity; refuses an unknown stage, a time
/// before the opportunity was created, and the gateway without its next step.
pub(crate) fn move_stage(
    db: &mut Db,
    org: OrgId,
    user: Option<i64>,
    id: i64,
    stage_key: &str,
    at: DateTime<Utc>,
    gateway_type: Option<&str>,
) -> Result<bool> {
    audited_change(db, org, user, id, "move_stage", |db| {
        // The stage and the opportunity as it is (its audit image) in one read: a round trip each is
        // what a write waits for.
        let n = COLUMNS.len();
        let found = db.query_opt(
            &format!(
                "SELECT o.{}, s.outcome, s.milestone, o.id FROM stages s
                 LEFT JOIN opportunities o ON o.org_id = s.org_id AND o.id = ? AND o.deleted_at IS NULL
                 WHERE s.org_id = ? AND s.key = ?",
                COLUMNS.join(", o.")
            ),
            &[Value::Int(id), org.value(), Value::text(stage_key)],
            |row| {
                let stage = Stage { outcome: outcome_of(row.text(n)?)?, milestone: milestone_of(row.text(n + 1)?)? };
                let column = |name| COLUMNS.iter().position(|c| *c == name).unwrap_or(0);
                let current = match row.int(n + 2)? {
                    Some(_) => Some((
                        json_object(row, COLUMNS)?,
                        row.text(column("gateway_type"))?.map(str::to_string),
                        row.timestamp(column("created_at"))?,
                    )),
                    None => None,
                };
                Ok((stage, current))
            },
        )?;
        let Some((stage, current)) = found else { return Err(unknown_stage()) };
        let Some((before, current_gateway, created_at)) = current else { return Ok(None) };
        let mut refusals = Refusals::new();
        if created_at.is_some_and(|created| at < created) {
            refusals.push(Refusal::new("at", Code::StageBeforeCreation));
        }
        if stage.milestone == Some(Milestone::Gateway) && current_gateway.is_none() && gateway_type.is_none() {
            refusals.push(Refusal::new("gateway_type", Code::GatewayTypeRequired));
        }
        if let Some(kind) = gateway_type {
            // Only a gateway type the organisation offers (not a retired one) is a choice.
            let offered = db.query_i64(
                "SELECT COUNT(*) FROM gateway_types WHERE org_id = ? AND key = ? AND retired_at IS NULL",
                &[org.value(), Value::text(kind)],
            )?;
            if offered == 0 {
                refusals.push(Refusal::new("gateway_type", Code::Choice));
            }
        }
        refusals.finish().map_err(StoreError::Refused)?;
        let milestone_column = stage.milestone.map(Milestone::column);
        let at_value = Value::Timestamp(at);
        let closed_at = if stage.outcome == StageOutcome::Open { Value::Null } else { at_value.clone() };
        // The change recorded below is the last one unless a later one is.
        let mut sql = format!(
            "UPDATE opportunities SET stage = ?, status = ?, closed_at = ?, {}",
            kept_with(Latest::StageChange)
        );
        let mut params = vec![
            Value::text(stage_key),
            Value::text(stage.outcome.key()),
            closed_at,
            at_value.clone(),
            at_value.clone(),
        ];
        if let Some(column) = milestone_column {
            // Milestones are the first time the stage was entered: kept when re-entered.
            sql.push_str(&format!(", {column} = COALESCE({column}, ?)"));
            params.push(at_value.clone());
        }
        if let Some(kind) = gateway_type {
            sql.push_str(", gateway_type = ?");
            params.push(Value::text(kind));
        }
        sql.push_str(" WHERE org_id = ? AND id = ?");
        params.extend([org.value(), Value::Int(id)]);
        let after = write_returning(db, &sql, &params, COLUMNS)?;
        record_stage_change(db, org, id, stage_key, at)?;
        Ok(after.map(|after| (Some(before), after)))
    })
}

/// The audit images of a changed row: before (if it was there) and after.
type Images = (Option<serde_json::Value>, serde_json::Value);

/// Runs `change` on opportunity `id` with its rollup delta and an audit entry of before and after.
/// `change` gives the row as it was before it and as it is after it (read in the statements it needs
/// anyway where it can), or `None` when there was no row to change.
fn audited_change(
    db: &mut Db,
    org: OrgId,
    user: Option<i64>,
    id: i64,
    action: &'static str,
    change: impl FnOnce(&mut Db) -> Result<Option<Images>>,
) -> Result<bool> {
    db.transaction(|db| {
        let Some((before, after)) = kpi::with_delta(db, org, &[Fact::Opportunity(id)], change)? else {
            return Ok(false);
        };
        let after = Some(after);
        audit::record(db, org, Change { user, action, entity: "opportunities", entity_id: Some(id), before, after })?;
        Ok(true)
    })
}

struct Stage {
    outcome: StageOutcome,
    milestone: Option<Milestone>,
}

#[cfg(feature = "testing")]
fn stage(db: &mut Db, org: OrgId, key: &str) -> Result<Stage> {
    db.query_opt(
        "SELECT outcome, milestone FROM stages WHERE org_id = ? AND key = ?",
        &[org.value(), Value::text(key)],
        |row| Ok(Stage { outcome: outcome_of(row.text(0)?)?, milestone: milestone_of(row.text(1)?)? }),
    )?
    .ok_or_else(unknown_stage)
}

fn unknown_stage() -> StoreError {
    StoreError::refused("stage", Code::StageUnknown)
}

/// The stage a new opportunity starts in: the pipeline's first open stage.
pub(super) fn opening_stage(db: &mut Db, org: OrgId) -> Result<String> {
    db.query_opt(
        "SELECT key FROM stages WHERE org_id = ? AND outcome = 'open' ORDER BY position LIMIT 1",
        &[org.value()],
        |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
    )?
    .ok_or_else(|| StoreError::refused("stage", Code::NoOpenStage))
}

/// Adds a row to the stage history, keyed as a bundle import keys it (opportunity, stage, time), so
/// that exporting and re-importing finds the same row. The caller keeps the opportunity's last stage
/// change (`kpi::latest`) in its own write of the opportunity.
pub(super) fn record_stage_change(
    db: &mut Db,
    org: OrgId,
    opportunity: i64,
    stage: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    // The change's external id is the opportunity's, its stage and its time to the second, as a
    // bundle names a change: entering the same stage again within the second (a form sent twice)
    // is that change, already recorded.
    let suffix = format!("|{stage}|{}", crate::bundle::format_timestamp(at));
    crate::orgs::insert_with_new_id(
        db,
        org,
        "stage_changes",
        "INSERT INTO stage_changes (org_id, id, external_id, opportunity_id, stage, changed_at)
         SELECT o.org_id, allocated.id, o.external_id || ?, o.id, ?, ? FROM opportunities o CROSS JOIN allocated
         WHERE o.org_id = ? AND o.id = ? AND NOT EXISTS
             (SELECT 1 FROM stage_changes s WHERE s.org_id = o.org_id AND s.external_id = o.external_id || ?)
         RETURNING id",
        vec![
            Value::owned(suffix.clone()),
            Value::text(stage),
            Value::Timestamp(at),
            org.value(),
            Value::Int(opportunity),
            Value::owned(suffix),
        ],
    )?;
    Ok(())
}
