//! Fresh PostgreSQL schemas for the test suites of every crate (feature `testing`). Tests that need
//! PostgreSQL skip with a message when no server answers — except in CI (`CI=true`), where that is
//! a failure.

use crate::db::Db;

/// The server the tests use: `QUOTIENT_TEST_POSTGRES_URL`, else the local one.
pub fn postgres_base() -> String {
    std::env::var("QUOTIENT_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Says that PostgreSQL is unreachable and the test is skipped; panics in CI, where nothing may skip.
pub fn skip_without_postgres(base: &str, error: &dyn std::fmt::Display) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but PostgreSQL at {base} is unreachable ({error}): .ci/run must start it"
    );
    eprintln!(
        "SKIPPED: PostgreSQL at {base} is unreachable ({error}); set QUOTIENT_TEST_POSTGRES_URL to run this test on PostgreSQL"
    );
}

/// A schema of its own on the test server, dropped with everything in it when this is dropped.
pub struct TestSchema {
    pub name: String,
    /// A database URL whose connections work in the schema.
    pub url: String,
}

impl TestSchema {
    /// A new schema named after `prefix`, the process and the moment; `None` when there is no server.
    pub fn create(prefix: &str) -> Option<TestSchema> {
        let base = postgres_base();
        let mut admin = match Db::open(&base) {
            Ok(db) => db,
            Err(error) => {
                skip_without_postgres(&base, &error);
                return None;
            }
        };
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("{prefix}_{}_{nanos}_{count}", std::process::id());
        admin.batch(&format!("CREATE SCHEMA {name}")).unwrap_or_else(|e| panic!("creating schema {name}: {e}"));
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-csearch_path%3D{name}");
        Some(TestSchema { name, url })
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        if let Ok(mut admin) = Db::open(&postgres_base()) {
            let _ = admin.batch(&format!("DROP SCHEMA {} CASCADE", self.name));
        }
    }
}

/// The versions of the store's migrations, in order.
pub fn migration_versions() -> Vec<i64> {
    crate::migrate::versions()
}

/// Applies the migrations `db` lacks up to version `last` included: a database as an older
/// Quotient left it, for the upgrade tests.
pub fn migrate_to(db: &mut Db, last: i64) -> crate::error::Result<()> {
    crate::migrate::apply_up_to(db, last)
}

/// The unscoped writes under the operations, for tests and benchmarks that set up or move data as
/// an import or a script would, without a caller's scope.
pub mod unscoped {
    use crate::crm::activities::NewActivity;
    use crate::crm::opportunities::{self, NewOpportunity, OpportunityEdit};
    use crate::db::Db;
    use crate::error::Result;
    use crate::orgs::OrgId;
    use chrono::{DateTime, Utc};

    pub fn create_opportunity(db: &mut Db, org: OrgId, user: Option<i64>, new: &NewOpportunity) -> Result<i64> {
        opportunities::create(db, org, user, new)
    }

    pub fn edit_opportunity(
        db: &mut Db,
        org: OrgId,
        user: Option<i64>,
        id: i64,
        edit: &OpportunityEdit,
    ) -> Result<bool> {
        opportunities::edit(db, org, user, id, edit)
    }

    pub fn move_stage(
        db: &mut Db,
        org: OrgId,
        user: Option<i64>,
        id: i64,
        stage: &str,
        at: DateTime<Utc>,
        gateway_type: Option<&str>,
    ) -> Result<bool> {
        opportunities::move_stage(db, org, user, id, stage, at, gateway_type)
    }

    pub fn log_activity(db: &mut Db, org: OrgId, user: Option<i64>, activity: &NewActivity) -> Result<i64> {
        crate::crm::activities::log(db, org, user, activity)
    }

    pub fn soft_delete(db: &mut Db, org: OrgId, table: &str, id: i64, user: Option<i64>) -> Result<bool> {
        crate::records::soft_delete(db, org, table, id, user)
    }

    pub fn restore(db: &mut Db, org: OrgId, table: &str, id: i64, user: Option<i64>) -> Result<bool> {
        crate::records::restore(db, org, table, id, user)
    }
}

/// Opens a 1:1 with `rep` held by `viewer`, freezing a scorecard of the test's own making (the
/// operation, `ops::coaching::open_one_on_one`, freezes the rep's report of the day).
pub fn open_one_on_one_with(
    db: &mut Db,
    viewer: &crate::access::Viewer,
    rep: i64,
    period: &str,
    card: &crate::kpi::Card,
) -> crate::Result<i64> {
    db.transaction(|db| crate::planning::one_on_ones::open(db, viewer, rep, period, card))
}
