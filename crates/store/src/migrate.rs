//! Versioned migrations, one SQL file per version and dialect, with the same names in both.
//! Applied on open, each in its own transaction; an applied migration is never edited.

use crate::db::{Db, Dialect, Value};
use crate::error::{Result, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_organisation_data"),
    migration!(2, "0002_kpi_rollups"),
    migration!(3, "0003_access"),
    migration!(4, "0004_revisions"),
    migration!(5, "0005_planning"),
    migration!(6, "0006_rollup_cells_by_rep"),
    migration!(7, "0007_scorecard_indexes"),
    migration!(8, "0008_history_revision"),
    migration!(9, "0009_organisation_months"),
    migration!(10, "0010_quarter_cells"),
    migration!(11, "0011_room_for_updates"),
    migration!(12, "0012_partial_activity_indexes"),
    migration!(13, "0013_sign_in_hardening"),
    migration!(14, "0014_activity_goals"),
    migration!(15, "0015_pipeline_definitions"),
    migration!(16, "0016_feedback_comments_and_demos"),
    migration!(17, "0017_account_planning"),
    migration!(18, "0018_incentives"),
    migration!(19, "0019_forecast"),
    migration!(20, "0020_original_amounts"),
    migration!(21, "0021_currency_and_period_reads"),
    migration!(22, "0022_forecast_reads"),
    migration!(23, "0023_statement_inputs"),
    migration!(24, "0024_pipeline_revision"),
    migration!(25, "0025_forecast_figures"),
    migration!(26, "0026_statement_digests"),
    migration!(27, "0027_forecast_totals"),
    migration!(28, "0028_every_line_cells"),
    migration!(29, "0029_account_owners_and_names"),
    migration!(30, "0030_audit_latest_by_entity"),
    migration!(31, "0031_quotas_by_period_and_end"),
    migration!(32, "0032_won_deals_with_creation"),
    migration!(33, "0033_last_stage_change"),
    migration!(34, "0034_open_pipeline_from_its_index"),
    migration!(35, "0035_year_cells"),
    migration!(36, "0036_open_pipeline_cells"),
    migration!(37, "0037_feedback_account_owner"),
];

// Not organisation data: a Citus deployment keeps it as a local table on the coordinator.
const LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// Applies every migration the database does not have yet.
pub(crate) fn apply(db: &mut Db) -> Result<()> {
    apply_up_to(db, i64::MAX)
}

/// The versions of every migration, in order.
#[cfg(feature = "testing")]
pub(crate) fn versions() -> Vec<i64> {
    MIGRATIONS.iter().map(|m| m.version).collect()
}

/// Applies the migrations the database does not have yet, up to `last` (a version) included.
pub(crate) fn apply_up_to(db: &mut Db, last: i64) -> Result<()> {
    db.batch(LEDGER)?;
    let applied = db.query_map("SELECT version FROM schema_migrations ORDER BY version", &[], |row| {
        row.int(0).map(|v| v.unwrap_or_default())
    })?;
    if let Some(unknown) = applied.iter().find(|v| !MIGRATIONS.iter().any(|m| m.version == **v)) {
        return Err(StoreError::UnknownMigration(*unknown));
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version <= last && !applied.contains(&m.version)) {
        let sql = match db.dialect() {
            Dialect::Sqlite => migration.sqlite,
            Dialect::Postgres => migration.postgres,
        };
        db.transaction(|db| {
            db.batch(sql)?;
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                &[
                    Value::Int(migration.version),
                    Value::text(migration.name),
                    Value::owned(chrono::Utc::now().to_rfc3339()),
                ],
            )?;
            tracing::info!(version = migration.version, name = migration.name, "applied migration");
            Ok::<_, StoreError>(())
        })?;
    }
    Ok(())
}
