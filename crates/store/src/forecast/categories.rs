//! Forecast categories as stored: the default of each stage, and the override of an open deal.

use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use chrono::Utc;
use quotient_core::forecast::Category;
use quotient_core::model::StageOutcome;
use serde::Serialize;
use std::collections::HashMap;

/// A stage's outcome and the category its open deals default to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StageCategory {
    pub outcome: StageOutcome,
    pub default: Option<Category>,
}

/// A stored category key, none for none.
pub(crate) fn category_of(text: Option<&str>) -> Result<Option<Category>> {
    text.map(str::parse).transpose().map_err(|_| StoreError::Decode("a forecast category".into()))
}

/// Every stage's outcome and default category, by key.
pub fn stage_categories(db: &mut Db, org: OrgId) -> Result<HashMap<String, StageCategory>> {
    let rows =
        db.query_map("SELECT key, outcome, forecast_category FROM stages WHERE org_id = ?", &[org.value()], |row| {
            let outcome = crate::crm::pipeline::outcome_of(row.text(1)?)?;
            Ok((
                row.text(0)?.unwrap_or_default().to_string(),
                StageCategory { outcome, default: category_of(row.text(2)?)? },
            ))
        })?;
    Ok(rows.into_iter().collect())
}

/// The override of one deal, if any.
pub fn override_of(db: &mut Db, org: OrgId, opportunity: i64) -> Result<Option<Category>> {
    let found = db.query_opt(
        "SELECT category FROM forecast_overrides WHERE org_id = ? AND opportunity_id = ?",
        &[org.value(), Value::Int(opportunity)],
        |row| Ok(row.text(0)?.map(str::to_string)),
    )?;
    category_of(found.flatten().as_deref())
}

/// Sets (or, with none, removes) the override of an open deal, audited. In a transaction.
pub(crate) fn set_override(
    db: &mut Db,
    org: OrgId,
    user: Option<i64>,
    opportunity: i64,
    category: Option<Category>,
) -> Result<()> {
    let before = override_of(db, org, opportunity)?;
    if before == category {
        return Ok(());
    }
    match category {
        Some(category) => db.execute(
            "INSERT INTO forecast_overrides (org_id, opportunity_id, category, set_by, set_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (org_id, opportunity_id) DO UPDATE
             SET category = excluded.category, set_by = excluded.set_by, set_at = excluded.set_at",
            &[
                org.value(),
                Value::Int(opportunity),
                Value::text(category.key()),
                Value::opt_int(user),
                Value::Timestamp(Utc::now()),
            ],
        )?,
        None => db.execute(
            "DELETE FROM forecast_overrides WHERE org_id = ? AND opportunity_id = ?",
            &[org.value(), Value::Int(opportunity)],
        )?,
    };
    crate::orgs::bump_revisions(db, org, &[crate::orgs::Revision::Categories])?;
    let json = |c: Option<Category>| c.map(|c| serde_json::json!({ "forecast_category": c }));
    let action = if category.is_some() { "update" } else { "delete" };
    audit::record(
        db,
        org,
        Change {
            user,
            action,
            entity: "forecast_overrides",
            entity_id: Some(opportunity),
            before: json(before),
            after: json(category),
        },
    )?;
    Ok(())
}
