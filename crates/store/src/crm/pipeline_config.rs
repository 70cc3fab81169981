//! The pipeline's configuration: the stages (name, probability, order, the milestone each sets,
//! definition and business rules) and the gateway types (name, definition, business rules, how they
//! are evaluated, retired or not). Each change is checked against the data — a stage in use is not
//! removed, the pipeline keeps one won and one lost stage — and audited.

use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::kpi;
use crate::orgs::{self, OrgId, Revision};
use quotient_core::forecast::Category;
use quotient_core::input::{self, Refusals};
use quotient_core::model::{Evaluation, Milestone, StageOutcome};
use quotient_core::refusal::{Code, Refusal};
use serde::Serialize;

/// The longest name, and the longest definition or business rules text.
const NAME_MAX: usize = 80;
const TEXT_MAX: usize = 4_000;

/// A stage as configured, with how many opportunities are at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageSetup {
    pub key: String,
    pub name: String,
    pub position: i64,
    /// In basis points (10,000 = 100%).
    pub probability_bp: i64,
    pub outcome: StageOutcome,
    pub milestone: Option<Milestone>,
    /// The forecast category the stage's open deals default to (none: pipeline).
    pub forecast_category: Option<Category>,
    pub definition: String,
    pub business_rules: String,
    pub opportunities: i64,
}

/// A gateway type as configured, with how many opportunities name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayTypeSetup {
    pub key: String,
    pub name: String,
    pub position: i64,
    pub definition: String,
    pub business_rules: String,
    pub evaluation: Option<Evaluation>,
    pub retired: bool,
    pub opportunities: i64,
}

impl StageSetup {
    /// The stage to save as it is but for the forecast category of its open deals (as typed).
    pub fn with_category(self, forecast_category: &str) -> StageInput {
        StageInput {
            key: self.key,
            name: self.name,
            probability_pct: (self.probability_bp / 100).to_string(),
            position: self.position.to_string(),
            milestone: self.milestone.map(|m| m.key().to_string()).unwrap_or_default(),
            forecast_category: forecast_category.to_string(),
            definition: self.definition,
            business_rules: self.business_rules,
        }
    }
}

pub fn stages(db: &mut Db, org: OrgId) -> Result<Vec<StageSetup>> {
    db.query_map(
        "SELECT s.key, s.name, s.position, s.probability_bp, s.outcome, s.milestone, s.definition, s.business_rules,
                (SELECT COUNT(*) FROM opportunities o WHERE o.org_id = s.org_id AND o.stage = s.key AND o.deleted_at IS NULL),
                s.forecast_category
         FROM stages s WHERE s.org_id = ? ORDER BY s.position, s.key",
        &[org.value()],
        |row| {
            Ok(StageSetup {
                key: row.text(0)?.unwrap_or_default().to_string(),
                name: row.text(1)?.unwrap_or_default().to_string(),
                position: row.int(2)?.unwrap_or_default(),
                probability_bp: row.int(3)?.unwrap_or_default(),
                outcome: super::pipeline::outcome_of(row.text(4)?)?,
                milestone: super::pipeline::milestone_of(row.text(5)?)?,
                definition: row.text(6)?.unwrap_or_default().to_string(),
                business_rules: row.text(7)?.unwrap_or_default().to_string(),
                opportunities: row.int(8)?.unwrap_or_default(),
                forecast_category: row
                    .text(9)?
                    .map(str::parse::<Category>)
                    .transpose()
                    .map_err(|_| StoreError::Decode("a stage's forecast category".into()))?,
            })
        },
    )
}

pub fn gateway_types(db: &mut Db, org: OrgId) -> Result<Vec<GatewayTypeSetup>> {
    db.query_map(
        "SELECT g.key, g.name, g.position, g.definition, g.business_rules, g.evaluation, g.retired_at,
                (SELECT COUNT(*) FROM opportunities o WHERE o.org_id = g.org_id AND o.gateway_type = g.key AND o.deleted_at IS NULL)
         FROM gateway_types g WHERE g.org_id = ? ORDER BY g.position, g.key",
        &[org.value()],
        |row| {
            let evaluation = row.text(5)?.map(str::parse::<Evaluation>).transpose();
            Ok(GatewayTypeSetup {
                key: row.text(0)?.unwrap_or_default().to_string(),
                name: row.text(1)?.unwrap_or_default().to_string(),
                position: row.int(2)?.unwrap_or_default(),
                definition: row.text(3)?.unwrap_or_default().to_string(),
                business_rules: row.text(4)?.unwrap_or_default().to_string(),
                evaluation: evaluation.map_err(|_| StoreError::Decode("a gateway type's evaluation".into()))?,
                retired: row.timestamp(6)?.is_some(),
                opportunities: row.int(7)?.unwrap_or_default(),
            })
        },
    )
}

/// A stage to save: an existing one changed, or a new open stage.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StageInput {
    pub key: String,
    pub name: String,
    /// The probability in whole percent, as typed.
    pub probability_pct: String,
    /// The position in the pipeline, as typed (empty: keep it, or last for a new stage).
    pub position: String,
    /// `first_appointment`, `gateway`, `proposal`, or empty for none (open stages only).
    pub milestone: String,
    /// The forecast category of its open deals: `pipeline`, `best_case`, `commit`, `omitted`, or
    /// empty for pipeline (open stages only).
    pub forecast_category: String,
    pub definition: String,
    pub business_rules: String,
}

/// A gateway type to save: an existing one changed, or a new one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayTypeInput {
    pub key: String,
    pub name: String,
    pub definition: String,
    pub business_rules: String,
    /// `side_by_side`, `solution_based`, or empty when not said.
    pub evaluation: String,
    pub retired: bool,
}

/// A key as the bundle and the API name it: a lower-case letter, then letters, digits, `_`.
fn key_of(text: &str) -> Result<String, Refusal> {
    let key = text.trim();
    let mut chars = key.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && key.len() <= 40;
    if well_formed { Ok(key.to_string()) } else { Err(Refusal::new("key", Code::KeyMalformed)) }
}

fn name_of(text: &str) -> Result<String, Refusal> {
    let name = input::free_text("name", text.trim(), NAME_MAX)?;
    if name.is_empty() { Err(Refusal::new("name", Code::Required)) } else { Ok(name.to_string()) }
}

/// A stage's default forecast category as typed: empty for pipeline; `closed` is a won deal's.
pub(crate) fn forecast_category_of(text: &str) -> Result<Option<Category>, Refusal> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Category>()
        .ok()
        .filter(|c| c.open_choice())
        .map(Some)
        .ok_or_else(|| Refusal::new("forecast_category", Code::ForecastCategory))
}

fn optional_position(text: &str) -> Result<Option<i64>, Refusal> {
    if text.trim().is_empty() { Ok(None) } else { input::whole_number("position", text, 0, 1000).map(Some) }
}

/// Saves a stage (creating an open one when the key is new). Call it in a transaction.
pub(crate) fn save_stage(db: &mut Db, org: OrgId, user: Option<i64>, stage: &StageInput) -> Result<StageSetup> {
    let existing = stages(db, org)?;
    let mut refusals = Refusals::new();
    let key = refusals.take(key_of(&stage.key));
    let name = refusals.take(name_of(&stage.name));
    let probability = refusals.take(input::whole_number("probability_pct", &stage.probability_pct, 0, 100));
    let position = refusals.take(optional_position(&stage.position));
    let milestone = refusals.take(input::optional_choice::<Milestone>("milestone", &stage.milestone));
    let category = refusals.take(forecast_category_of(&stage.forecast_category));
    let definition = refusals.take(input::free_text("definition", stage.definition.trim(), TEXT_MAX));
    let business_rules = refusals.take(input::free_text("business_rules", stage.business_rules.trim(), TEXT_MAX));
    let before = key.as_ref().and_then(|key| existing.iter().find(|s| &s.key == key));
    // A closed stage sets no milestone and keeps its probability: won is 100%, lost 0%.
    if let (Some(before), Some(probability)) = (before, probability) {
        if before.outcome != StageOutcome::Open && probability * 100 != before.probability_bp {
            refusals.push(
                Refusal::new("probability_pct", Code::NumberOutOfRange)
                    .count("min", before.probability_bp / 100)
                    .count("max", before.probability_bp / 100),
            );
        }
        if before.outcome != StageOutcome::Open && milestone.flatten().is_some() {
            refusals.push(Refusal::new("milestone", Code::StageNotOpen));
        }
        if before.outcome != StageOutcome::Open && category.flatten().is_some() {
            refusals.push(Refusal::new("forecast_category", Code::StageNotOpen));
        }
    }
    refusals.finish().map_err(StoreError::Refused)?;
    let (
        Some(key),
        Some(name),
        Some(probability),
        Some(position),
        Some(milestone),
        Some(category),
        Some(definition),
        Some(rules),
    ) = (key, name, probability, position, milestone, category, definition, business_rules)
    else {
        return Err(StoreError::Decode("a stage's checked fields".into()));
    };
    let last = existing.iter().map(|s| s.position).max().unwrap_or(0);
    let position = position.or(before.map(|s| s.position)).unwrap_or(last + 1);
    let values = [
        Value::owned(name),
        Value::Int(position),
        Value::Int(probability * 100),
        Value::opt_text(milestone.map(Milestone::key)),
        Value::opt_text(category.map(Category::key)),
        Value::text(definition),
        Value::text(rules),
        org.value(),
        Value::text(&key),
    ];
    if let Some(before) = before {
        let update = |db: &mut Db| {
            db.execute(
                "UPDATE stages SET name = ?, position = ?, probability_bp = ?, milestone = ?, forecast_category = ?,
                                   definition = ?, business_rules = ?
                 WHERE org_id = ? AND key = ?",
                &values,
            )
        };
        // The open opportunities at the stage carry their weighted amounts in the rollups.
        if before.probability_bp == probability * 100 {
            update(db)?;
        } else {
            kpi::with_stage_delta(db, org, &key, update)?;
        }
    } else {
        db.execute(
            "INSERT INTO stages (name, position, probability_bp, milestone, forecast_category, definition, business_rules,
                                 org_id, key, outcome)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
            &values,
        )?;
    }
    let after = stages(db, org)?.into_iter().find(|s| s.key == key);
    record(db, org, user, "stages", before, after.as_ref())?;
    // The weighted pipeline reads the probabilities and the data forecast the milestones: cached
    // dashboards and the kept forecast go.
    orgs::bump_revisions(db, org, &[Revision::Data, Revision::Pipeline])?;
    after.ok_or_else(|| StoreError::Decode("the stage saved".into()))
}

/// Removes a stage no opportunity is at, keeping one won and one lost stage. In a transaction.
pub(crate) fn remove_stage(db: &mut Db, org: OrgId, user: Option<i64>, key: &str) -> Result<()> {
    let existing = stages(db, org)?;
    let stage = existing.iter().find(|s| s.key == key).ok_or_else(|| Refusal::new("key", Code::StageUnknown))?;
    // Deleted rows count too: they can be restored, and their history names the stage.
    let in_use = db.query_i64(
        "SELECT (SELECT COUNT(*) FROM opportunities WHERE org_id = ? AND stage = ?)
              + (SELECT COUNT(*) FROM stage_changes WHERE org_id = ? AND stage = ?)",
        &[org.value(), Value::text(key), org.value(), Value::text(key)],
    )?;
    if in_use > 0 {
        return Err(Refusal::new("key", Code::StageInUse).into());
    }
    let left = existing.iter().filter(|s| s.outcome == stage.outcome).count();
    match stage.outcome {
        StageOutcome::Won if left <= 1 => return Err(Refusal::new("key", Code::OneWonStage).into()),
        StageOutcome::Lost if left <= 1 => return Err(Refusal::new("key", Code::OneLostStage).into()),
        StageOutcome::Open if left <= 1 => return Err(Refusal::new("key", Code::NoOpenStage).into()),
        _ => {}
    }
    db.execute("DELETE FROM stages WHERE org_id = ? AND key = ?", &[org.value(), Value::text(key)])?;
    record(db, org, user, "stages", Some(stage), None)?;
    orgs::bump_revisions(db, org, &[Revision::Data, Revision::Pipeline])
}

/// Saves a gateway type (adding it when the key is new). In a transaction.
pub(crate) fn save_gateway_type(
    db: &mut Db,
    org: OrgId,
    user: Option<i64>,
    gateway: &GatewayTypeInput,
) -> Result<GatewayTypeSetup> {
    let existing = gateway_types(db, org)?;
    let mut refusals = Refusals::new();
    let key = refusals.take(key_of(&gateway.key));
    let name = refusals.take(name_of(&gateway.name));
    let evaluation = refusals.take(input::optional_choice::<Evaluation>("evaluation", &gateway.evaluation));
    let definition = refusals.take(input::free_text("definition", gateway.definition.trim(), TEXT_MAX));
    let business_rules = refusals.take(input::free_text("business_rules", gateway.business_rules.trim(), TEXT_MAX));
    refusals.finish().map_err(StoreError::Refused)?;
    let (Some(key), Some(name), Some(evaluation), Some(definition), Some(rules)) =
        (key, name, evaluation, definition, business_rules)
    else {
        return Err(StoreError::Decode("a gateway type's checked fields".into()));
    };
    let before = existing.iter().find(|g| g.key == key);
    let retired_at = match (gateway.retired, before) {
        (false, _) => Value::Null,
        // Retired when it was: the day stays the first one.
        (true, Some(before)) if before.retired => Value::Timestamp(
            db.query_opt(
                "SELECT retired_at FROM gateway_types WHERE org_id = ? AND key = ?",
                &[org.value(), Value::text(&key)],
                |row| row.timestamp(0),
            )?
            .flatten()
            .unwrap_or_else(chrono::Utc::now),
        ),
        (true, _) => Value::Timestamp(chrono::Utc::now()),
    };
    let position = before.map_or_else(|| existing.iter().map(|g| g.position).max().unwrap_or(0) + 1, |g| g.position);
    let values = [
        Value::owned(name),
        Value::Int(position),
        Value::text(definition),
        Value::text(rules),
        Value::opt_text(evaluation.map(Evaluation::key)),
        retired_at,
        org.value(),
        Value::text(&key),
    ];
    if before.is_some() {
        db.execute(
            "UPDATE gateway_types SET name = ?, position = ?, definition = ?, business_rules = ?, evaluation = ?, retired_at = ?
             WHERE org_id = ? AND key = ?",
            &values,
        )?;
    } else {
        db.execute(
            "INSERT INTO gateway_types (name, position, definition, business_rules, evaluation, retired_at, org_id, key)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            &values,
        )?;
    }
    let after = gateway_types(db, org)?.into_iter().find(|g| g.key == key);
    record(db, org, user, "gateway_types", before, after.as_ref())?;
    orgs::bump_revisions(db, org, &[Revision::Data, Revision::Pipeline])?;
    after.ok_or_else(|| StoreError::Decode("the gateway type saved".into()))
}

fn record<T: Serialize>(
    db: &mut Db,
    org: OrgId,
    user: Option<i64>,
    entity: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    let json = |value: Option<&T>| value.and_then(|v| serde_json::to_value(v).ok());
    let action = match (before, after) {
        (None, _) => "create",
        (_, None) => "delete",
        _ => "update",
    };
    audit::record(db, org, Change { user, action, entity, entity_id: None, before: json(before), after: json(after) })?;
    Ok(())
}
