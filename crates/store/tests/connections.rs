//! A connection the server closed says so, so that a pool drops it instead of handing it out
//! again; its error says the database is unavailable rather than the request wrong.

mod common;

use common::TestDb;
use quotient_store::Value;

/// PostgreSQL: a backend ended by the server (as a restart ends them all) breaks its connection.
#[test]
fn a_connection_the_server_closed_is_broken_and_its_error_says_unavailable() {
    let Some(mut test) = TestDb::postgres() else { return };
    assert!(!test.db.is_broken());
    let backend = test.db.query_i64("SELECT pg_backend_pid()", &[]).expect("the backend's pid");
    let mut admin = test.reopen();
    admin.query_map("SELECT pg_terminate_backend(?::int)", &[Value::Int(backend)], |_| Ok(())).expect("ended");

    let failed = test.db.query_i64("SELECT 1", &[]).expect_err("the connection is gone");
    assert!(failed.is_unavailable(), "{failed}");
    // The client sees the closed socket on its next use, if not with the error already.
    let again = test.db.query_i64("SELECT 1", &[]).expect_err("the connection is still gone");
    assert!(again.is_unavailable(), "{again}");
    assert!(test.db.is_broken());
    assert!(!admin.is_broken());
}

/// SQLite: a failed statement leaves the connection usable, and is the request's fault.
#[test]
fn an_sqlite_connection_outlives_its_errors() {
    let mut test = TestDb::sqlite();
    let failed = test.db.query_i64("SELECT * FROM no_such_table", &[]).expect_err("no such table");
    assert!(!failed.is_unavailable(), "{failed}");
    assert!(!test.db.is_broken());
    assert_eq!(test.db.query_i64("SELECT 1", &[]).expect("still usable"), 1);
}
