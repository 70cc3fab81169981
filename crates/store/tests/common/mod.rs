//! The test harness shared by the store's integration tests: a fresh database per test on
//! SQLite (a temporary file) or PostgreSQL (a fresh schema), and the fixture bundles.
#![allow(dead_code)]

use quotient_store::Db;
use quotient_store::orgs::{self, Organisation};
use std::path::{Path, PathBuf};

use quotient_store::testing::TestSchema;

pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    /// Dropped after the test's connection (fields drop in order).
    Postgres(#[allow(dead_code)] TestSchema),
    PostgresOwnedBy(#[allow(dead_code)] OwnedSchema),
}

/// A test schema owned by a login role of its own that is not a superuser, as an application's
/// role usually is: it may not switch PostgreSQL's foreign-key triggers off. Dropped with the role.
struct OwnedSchema {
    schema: TestSchema,
    role: String,
}

impl Drop for OwnedSchema {
    fn drop(&mut self) {
        if let Ok(mut admin) = quotient_store::Db::open(&quotient_store::testing::postgres_base()) {
            let _ = admin.batch(&format!("DROP SCHEMA {} CASCADE; DROP ROLE {}", self.schema.name, self.role));
        }
    }
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary folder: {e}"));
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = quotient_store::open(&url).unwrap_or_else(|e| panic!("opening {url}: {e}"));
        TestDb { db, url, cleanup: Cleanup::Sqlite(dir) }
    }

    /// A fresh schema on the test server, or `None` (with a message) when there is no server —
    /// except in CI (`CI=true`), where a missing server fails the test instead of skipping it.
    pub fn postgres() -> Option<TestDb> {
        let schema = TestSchema::create("test")?;
        let url = schema.url.clone();
        let db = quotient_store::open(&url).unwrap_or_else(|e| panic!("opening {url}: {e}"));
        Some(TestDb { db, url, cleanup: Cleanup::Postgres(schema) })
    }

    /// As [`TestDb::postgres`], but every connection works as a role that owns the schema and is
    /// not a superuser.
    pub fn postgres_not_superuser() -> Option<TestDb> {
        let schema = TestSchema::create("test")?;
        let role = format!("{}_owner", schema.name);
        let mut admin = quotient_store::Db::open(&quotient_store::testing::postgres_base())
            .unwrap_or_else(|e| panic!("connecting: {e}"));
        admin
            .batch(&format!("CREATE ROLE {role} LOGIN NOSUPERUSER; ALTER SCHEMA {} OWNER TO {role}", schema.name))
            .unwrap_or_else(|e| panic!("creating role {role}: {e}"));
        let url = format!("{}%20-crole%3D{role}", schema.url);
        let db = quotient_store::open(&url).unwrap_or_else(|e| panic!("opening {url}: {e}"));
        Some(TestDb { db, url, cleanup: Cleanup::PostgresOwnedBy(OwnedSchema { schema, role }) })
    }

    /// A second connection to the same database.
    pub fn reopen(&self) -> Db {
        quotient_store::open(&self.url).unwrap_or_else(|e| panic!("reopening {}: {e}", self.url))
    }

    pub fn org(&mut self, slug: &str) -> Organisation {
        orgs::find_or_create(&mut self.db, slug, slug).unwrap_or_else(|e| panic!("creating org: {e}"))
    }

    /// Rows of `table` in the organisation.
    pub fn count(&mut self, table: &str, org: &Organisation) -> i64 {
        self.db
            .query_i64(&format!("SELECT COUNT(*) FROM {table} WHERE org_id = ?"), &[org.id.value()])
            .unwrap_or_else(|e| panic!("counting {table}: {e}"))
    }
}

/// The tables the bundle's files fill, in import order.
pub fn bundle_tables() -> impl Iterator<Item = &'static str> {
    quotient_store::bundle::spec::FILES.iter().map(|spec| spec.table)
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A copy of a fixture bundle that a test may change.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary folder: {e}"));
    for entry in std::fs::read_dir(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}")).flatten() {
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap_or_else(|e| panic!("copy: {e}"));
    }
    dir
}

/// Every file of a bundle folder, by name, for byte-for-byte comparison.
pub fn read_bundle(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap_or_default()))
        .collect();
    files.sort();
    files
}

/// Runs each named test function (taking `&mut TestDb`) once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&mut $crate::common::TestDb::sqlite()) } )*
        }
        mod postgres {
            $( #[test] fn $name() { if let Some(mut db) = $crate::common::TestDb::postgres() { super::$name(&mut db) } } )*
        }
    };
}

/// A user linked to the rep (or manager) `rep` with `role`, and their viewer.
pub fn viewer_of(
    test: &mut TestDb,
    org: &Organisation,
    rep: &str,
    role: quotient_core::model::UserRole,
) -> quotient_store::access::Viewer {
    use quotient_store::access::{self, NewUser, Viewer};
    let email = format!("{rep}@{}.test", org.slug);
    let new = NewUser { email: &email, name: rep, role, rep: Some(rep), password_hash: "x" };
    let id = access::add_user(&mut test.db, org.id, &new).unwrap_or_else(|e| panic!("{e}"));
    let user =
        access::get_user(&mut test.db, org.id, id).unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("user"));
    Viewer::load(&mut test.db, &user).unwrap_or_else(|e| panic!("{e}"))
}

/// The value of an operation that must succeed.
pub fn ok<T>(result: quotient_store::Result<T>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// The refusals of a refused operation: (field, code).
pub fn refused<T: std::fmt::Debug>(result: quotient_store::Result<T>) -> Vec<(&'static str, quotient_store::Code)> {
    match result {
        Err(quotient_store::StoreError::Refused(refusals)) => refusals.iter().map(|r| (r.field, r.code)).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Imports a CRM export as `quotient import --from` does, with the stage mapping at `stages`.
pub fn crm_import(
    test: &mut TestDb,
    org: &quotient_store::orgs::Organisation,
    export: &dyn quotient_store::imports::conversion::VendorExport,
    stages: &Path,
) -> Result<quotient_store::imports::CrmImportSummary, quotient_store::imports::CrmImportError> {
    let mut silent = quotient_store::bundle::Silent;
    let keep = quotient_store::imports::Missing::Keep;
    quotient_store::imports::conversion::import(&mut test.db, org.id, export, stages, keep, &mut |_| {}, &mut silent)
}

/// [`crm_import`] of the export `read` read, or why it could not be read.
pub fn crm_import_read<E: quotient_store::imports::conversion::VendorExport>(
    test: &mut TestDb,
    org: &quotient_store::orgs::Organisation,
    read: Result<E, quotient_store::imports::CrmImportError>,
    stages: &Path,
) -> Result<quotient_store::imports::CrmImportSummary, quotient_store::imports::CrmImportError> {
    crm_import(test, org, &read?, stages)
}

/// What a CRM import that must go through did; its problems otherwise.
pub fn crm_imported(
    result: Result<quotient_store::imports::CrmImportSummary, quotient_store::imports::CrmImportError>,
) -> quotient_store::imports::CrmImportSummary {
    match result {
        Ok(summary) => summary,
        Err(quotient_store::imports::CrmImportError::Invalid(problems)) => {
            panic!("the export should import:\n{problems}")
        }
        Err(error) => panic!("{error}"),
    }
}
