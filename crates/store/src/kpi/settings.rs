//! The organisation's settings as stored: one row of `org_settings` per value that differs from the
//! default, read into core's typed [`Settings`] and written all or nothing.

use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::orgs::{self, OrgId, Revision};
use quotient_core::settings::Settings;

/// The organisation's settings: the defaults with its stored values applied.
pub fn settings(db: &mut Db, org: OrgId) -> Result<Settings> {
    let mut settings = Settings::default();
    let rows = db.query_map("SELECT key, value FROM org_settings WHERE org_id = ?", &[org.value()], |row| {
        Ok((row.text(0)?.unwrap_or_default().to_string(), row.text(1)?.unwrap_or_default().to_string()))
    })?;
    for (key, value) in rows {
        // Every stored value was checked when it was saved; one that no longer reads is a defect.
        settings
            .apply(&key, &value)
            .map_err(|refusal| StoreError::Decode(format!("organisation setting {key} = '{value}': {refusal:?}")))?;
    }
    Ok(settings)
}

/// What a save changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub settings: Settings,
    /// The keys whose value changed.
    pub changed: Vec<&'static str>,
    /// Whether the rollup cells hold what the old values decided, and must be rebuilt.
    pub rebuild_rollups: bool,
}

/// Applies `changes` (key, value as text) to the organisation's settings, refused whole with every
/// coded refusal when one value is not a setting's; audited as one entry with the values before
/// and after. Call it in a transaction.
pub(crate) fn save(db: &mut Db, org: OrgId, user: Option<i64>, changes: &[(String, String)]) -> Result<Saved> {
    let before = settings(db, org)?;
    let mut after = before.clone();
    after.apply_all(changes.iter().map(|(key, value)| (key.as_str(), value.as_str()))).map_err(StoreError::Refused)?;
    let mut changed = Vec::new();
    let (mut old, mut new) = (serde_json::Map::new(), serde_json::Map::new());
    for ((spec, was), (_, is)) in before.entries().into_iter().zip(after.entries()) {
        if was == is {
            continue;
        }
        changed.push(spec.key);
        old.insert(spec.key.to_string(), was.into());
        new.insert(spec.key.to_string(), is.clone().into());
        db.execute("DELETE FROM org_settings WHERE org_id = ? AND key = ?", &[org.value(), Value::text(spec.key)])?;
        db.execute(
            "INSERT INTO org_settings (org_id, key, value) VALUES (?, ?, ?)",
            &[org.value(), Value::text(spec.key), Value::owned(is)],
        )?;
    }
    if !changed.is_empty() {
        audit::record(
            db,
            org,
            Change {
                user,
                action: "update",
                entity: "settings",
                entity_id: None,
                before: Some(old.into()),
                after: Some(new.into()),
            },
        )?;
        // Thresholds and standards take effect at the next read: the cached dashboards go.
        orgs::bump_revisions(db, org, &[Revision::Data, Revision::Pipeline])?;
    }
    let rebuild_rollups = before.rollups_differ(&after);
    Ok(Saved { settings: after, changed, rebuild_rollups })
}
