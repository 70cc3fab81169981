//! Organisations: creation with the default pipeline, lookup, and id allocation.

use crate::db::{Db, Dialect, Value};
use crate::error::{Result, StoreError};
use quotient_core::model::{DEFAULT_GATEWAY_TYPES, DEFAULT_STAGES, Milestone, StageOutcome};

/// An organisation's id. Every row of organisation data carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrgId(pub i64);

impl OrgId {
    pub fn value(self) -> Value<'static> {
        Value::Int(self.0)
    }
}

/// An organisation as listed to an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
}

/// What a revision counts the changes of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revision {
    /// Every write that changes a KPI.
    Data,
    /// Changes of the people and who reports to whom (imports).
    Directory,
    /// Writes that change a KPI of a month before the current one: what whole past months show.
    History,
    /// Writes of what the data forecast reads: the opportunities and their stage history, the
    /// stages and gateway types, the settings, imports and rebuilds. Not activities, feedback,
    /// estimates, goals or quotas, which reps write all day and the model does not read.
    Pipeline,
    /// Forecast category overrides: what the roll-up's kept category totals read beside the
    /// pipeline, and the data forecast does not.
    Categories,
}

impl Revision {
    fn column(self) -> &'static str {
        match self {
            Revision::Data => "revision",
            Revision::Directory => "directory_revision",
            Revision::History => "history_revision",
            Revision::Pipeline => "pipeline_revision",
            Revision::Categories => "categories_revision",
        }
    }
}

/// The organisation's revision of `kind`: anything computed from what it counts stays valid while
/// it stands still.
pub fn revision(db: &mut Db, org: OrgId, kind: Revision) -> Result<i64> {
    db.query_i64(&format!("SELECT {} FROM organisations WHERE org_id = ?", kind.column()), &[org.value()])
}

/// Moves revisions on, inside the writing transaction, in one statement.
pub(crate) fn bump_revisions(db: &mut Db, org: OrgId, kinds: &[Revision]) -> Result<()> {
    if kinds.is_empty() {
        return Ok(());
    }
    db.execute(&revisions_update(kinds), &[org.value()])?;
    Ok(())
}

/// The statement that moves `kinds` (not empty) of an organisation's revisions, its id the one
/// parameter.
pub(crate) fn revisions_update(kinds: &[Revision]) -> String {
    let sets: Vec<String> = kinds.iter().map(|kind| format!("{0} = {0} + 1", kind.column())).collect();
    format!("UPDATE organisations SET {} WHERE org_id = ?", sets.join(", "))
}

/// The organisation with this slug, if any.
pub fn find(db: &mut Db, slug: &str) -> Result<Option<Organisation>> {
    db.query_opt("SELECT org_id, slug, name FROM organisations WHERE slug = ?", &[Value::text(slug)], |row| {
        Ok(Organisation {
            id: OrgId(row.int(0)?.unwrap_or_default()),
            slug: row.text(1)?.unwrap_or_default().to_string(),
            name: row.text(2)?.unwrap_or_default().to_string(),
        })
    })
}

/// The organisation with this slug; an error that says how to create it when there is none.
pub fn require(db: &mut Db, slug: &str) -> Result<Organisation> {
    find(db, slug)?.ok_or_else(|| {
        StoreError::NotFound(format!(
            "there is no organisation '{slug}' in this database: import a bundle into it first"
        ))
    })
}

/// The organisation with this slug, created with the default pipeline when it does not exist.
pub fn find_or_create(db: &mut Db, slug: &str, name: &str) -> Result<Organisation> {
    if let Some(org) = find(db, slug)? {
        return Ok(org);
    }
    db.transaction(|db| {
        let id = OrgId(db.query_i64("SELECT COALESCE(MAX(org_id), 0) + 1 FROM organisations", &[])?);
        db.execute(
            "INSERT INTO organisations (org_id, slug, name, created_at) VALUES (?, ?, ?, ?)",
            &[id.value(), Value::text(slug), Value::text(name), Value::Timestamp(chrono::Utc::now())],
        )?;
        for (position, stage) in DEFAULT_STAGES.iter().enumerate() {
            let milestone = stage.milestone.map(Milestone::key);
            db.execute(
                "INSERT INTO stages (org_id, key, name, position, probability_bp, outcome, milestone) VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[
                    id.value(),
                    Value::text(stage.key),
                    Value::text(stage.name),
                    Value::Int(position as i64),
                    Value::Int(i64::from(stage.probability_bp)),
                    Value::text(stage.outcome.key()),
                    Value::opt_text(milestone),
                ],
            )?;
        }
        for (position, (key, name)) in DEFAULT_GATEWAY_TYPES.iter().enumerate() {
            db.execute(
                "INSERT INTO gateway_types (org_id, key, name, position) VALUES (?, ?, ?, ?)",
                &[id.value(), Value::text(key), Value::text(name), Value::Int(position as i64)],
            )?;
        }
        Ok::<_, StoreError>(Organisation { id, slug: slug.to_string(), name: name.to_string() })
    })
}

/// Reserves `count` consecutive ids for `entity` in the organisation and returns the first.
/// The row lock taken by the update serialises concurrent writers on PostgreSQL.
pub fn allocate_ids(db: &mut Db, org: OrgId, entity: &str, count: i64) -> Result<i64> {
    // One statement: a write pays a round trip per statement on PostgreSQL.
    let next = db.query_opt(
        "UPDATE id_sequences SET next_id = next_id + ? WHERE org_id = ? AND entity = ? RETURNING next_id",
        &[Value::Int(count), org.value(), Value::text(entity)],
        |row| row.int(0),
    )?;
    match next.flatten() {
        Some(next) => Ok(next - count),
        None => {
            db.execute(
                "INSERT INTO id_sequences (org_id, entity, next_id) VALUES (?, ?, ?)",
                &[org.value(), Value::text(entity), Value::Int(1 + count)],
            )?;
            Ok(1)
        }
    }
}

/// Inserts a row of `entity` under the next id of the organisation's sequence for it, and returns
/// that id (`None` when `insert` inserted nothing). `insert` is an `INSERT INTO … SELECT …` that
/// reads the id as `allocated.id` from a `FROM` or join of `allocated`, ending in `RETURNING id`;
/// `params` are its own. On PostgreSQL the id is taken by the insert itself, in a writable `WITH`:
/// a write pays a round trip per statement there. SQLite takes it first.
pub fn insert_with_new_id(
    db: &mut Db,
    org: OrgId,
    entity: &str,
    insert: &str,
    params: Vec<Value<'_>>,
) -> Result<Option<i64>> {
    let returned_id = |row: &crate::db::Row| row.int(0);
    let params = if db.dialect() == Dialect::Postgres {
        let sql = format!(
            "WITH allocated AS (UPDATE id_sequences SET next_id = next_id + 1 WHERE org_id = ? AND entity = ?
                                RETURNING next_id - 1 AS id)
             {insert}"
        );
        let mut all = vec![org.value(), Value::text(entity)];
        all.extend(params);
        if let Some(id) = db.query_opt(&sql, &all, returned_id)?.flatten() {
            return Ok(Some(id));
        }
        // The organisation's first row of `entity` (no sequence yet), or nothing to insert.
        all.split_off(2)
    } else {
        params
    };
    let id = allocate_ids(db, org, entity, 1)?;
    let all: Vec<Value> = std::iter::once(Value::Int(id)).chain(params).collect();
    let sql = format!("WITH allocated AS (SELECT CAST(? AS BIGINT) AS id) {insert}");
    Ok(db.query_opt(&sql, &all, returned_id)?.flatten())
}

/// The keys of the organisation's configured stages and gateway types.
pub fn pipeline_keys(db: &mut Db, org: OrgId) -> Result<PipelineKeys> {
    let stages = db.query_map(
        "SELECT key, outcome, milestone FROM stages WHERE org_id = ? ORDER BY position",
        &[org.value()],
        |row| {
            Ok(StageKey {
                key: row.text(0)?.unwrap_or_default().to_string(),
                outcome: crate::crm::pipeline::outcome_of(row.text(1)?)?,
                milestone: row.text(2)?.and_then(|text| text.parse().ok()),
            })
        },
    )?;
    let gateway_types =
        db.query_map("SELECT key FROM gateway_types WHERE org_id = ? ORDER BY position", &[org.value()], |row| {
            Ok(row.text(0)?.unwrap_or_default().to_string())
        })?;
    Ok(PipelineKeys { stages, gateway_types })
}

/// One configured stage: its key, outcome (open, won, lost) and the milestone it sets.
#[derive(Debug, Clone)]
pub struct StageKey {
    pub key: String,
    pub outcome: StageOutcome,
    pub milestone: Option<Milestone>,
}

/// An organisation's stages and gateway type keys.
#[derive(Debug, Clone)]
pub struct PipelineKeys {
    pub stages: Vec<StageKey>,
    pub gateway_types: Vec<String>,
}

/// The name and currency of an organisation, as its pages show them.
pub fn profile(db: &mut Db, org: OrgId) -> Result<(String, String)> {
    db.query_opt("SELECT name, currency FROM organisations WHERE org_id = ?", &[org.value()], |row| {
        Ok((row.text(0)?.unwrap_or_default().to_string(), row.text(1)?.unwrap_or_default().to_string()))
    })?
    .ok_or_else(|| StoreError::NotFound("the organisation no longer exists".into()))
}

/// Every organisation in the database.
pub fn list(db: &mut Db) -> Result<Vec<Organisation>> {
    db.query_map("SELECT org_id, slug, name FROM organisations ORDER BY org_id", &[], |row| {
        Ok(Organisation {
            id: OrgId(row.int(0)?.unwrap_or_default()),
            slug: row.text(1)?.unwrap_or_default().to_string(),
            name: row.text(2)?.unwrap_or_default().to_string(),
        })
    })
}
