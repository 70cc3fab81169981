//! A transaction inside a transaction is a savepoint: its failure undoes it alone, and what it
//! wrote is committed (or rolled back) with the outer one, on both backends.

mod common;

use common::TestDb;
use quotient_store::{Db, StoreError, Value};

fn insert(db: &mut Db, n: i64) -> Result<(), StoreError> {
    db.execute("INSERT INTO nested (n) VALUES (?)", &[Value::Int(n)]).map(drop)
}

fn stored(db: &mut Db) -> Vec<i64> {
    db.query_map("SELECT n FROM nested ORDER BY n", &[], |row| Ok(row.int(0)?.unwrap_or(-1)))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn nested_transactions_are_savepoints(test: &mut TestDb) {
    let db = &mut test.db;
    db.batch("CREATE TABLE nested (n BIGINT NOT NULL)").unwrap_or_else(|e| panic!("{e}"));
    let outer: Result<(), StoreError> = db.transaction(|db| {
        insert(db, 1)?;
        // Fails after writing: undone alone.
        let inner: Result<(), StoreError> = db.transaction(|db| {
            insert(db, 2)?;
            Err(StoreError::Invalid("changed its mind".into()))
        });
        assert!(inner.is_err());
        // Succeeds, two levels deep.
        db.transaction(|db| {
            insert(db, 3)?;
            db.transaction(|db| insert(db, 4))
        })?;
        Ok(())
    });
    assert!(outer.is_ok(), "{outer:?}");
    assert_eq!(stored(db), [1, 3, 4]);

    // An outer transaction that fails takes its committed savepoints with it.
    let outer: Result<(), StoreError> = db.transaction(|db| {
        db.transaction(|db| insert(db, 5))?;
        Err(StoreError::Invalid("the whole batch fails".into()))
    });
    assert!(outer.is_err());
    assert_eq!(stored(db), [1, 3, 4]);

    // And the connection is back to plain transactions afterwards.
    db.transaction(|db| insert(db, 6)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored(db), [1, 3, 4, 6]);
}

#[test]
fn nested_transactions_are_savepoints_on_sqlite() {
    nested_transactions_are_savepoints(&mut TestDb::sqlite());
}

#[test]
fn nested_transactions_are_savepoints_on_postgres() {
    if let Some(mut test) = TestDb::postgres() {
        nested_transactions_are_savepoints(&mut test);
    }
}

/// A table whose foreign key is checked at commit, as the organisation's tables are.
fn deferred_table(db: &mut Db) {
    db.batch(
        "CREATE TABLE parent (id BIGINT PRIMARY KEY);
         CREATE TABLE child (id BIGINT PRIMARY KEY,
             parent_id BIGINT NOT NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
         INSERT INTO parent (id) VALUES (1);",
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

fn add_child(db: &mut Db, id: i64, parent: i64) -> Result<(), StoreError> {
    db.transaction(|db| {
        db.execute("INSERT INTO child (id, parent_id) VALUES (?, ?)", &[Value::Int(id), Value::Int(parent)]).map(drop)
    })
}

/// A transaction that only its COMMIT refuses (a deferred foreign key) is rolled back: the
/// connection takes the next transaction, and a second connection can write, instead of finding
/// the database locked by a transaction left open.
fn a_failed_commit_leaves_no_transaction_open(test: &mut TestDb) {
    deferred_table(&mut test.db);
    let refused = add_child(&mut test.db, 10, 999);
    assert!(refused.is_err(), "a child of no parent was committed");
    assert!(!test.db.in_open_transaction());

    let mut other = test.reopen();
    add_child(&mut other, 11, 1).unwrap_or_else(|e| panic!("another connection cannot write: {e}"));
    add_child(&mut test.db, 12, 1).unwrap_or_else(|e| panic!("the same connection cannot write: {e}"));
    let children = test
        .db
        .query_map("SELECT id FROM child ORDER BY id", &[], |row| Ok(row.int(0)?.unwrap_or(-1)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(children, [11, 12]);
}

#[test]
fn a_failed_commit_leaves_no_transaction_open_on_sqlite() {
    a_failed_commit_leaves_no_transaction_open(&mut TestDb::sqlite());
}

#[test]
fn a_failed_commit_leaves_no_transaction_open_on_postgres() {
    if let Some(mut test) = TestDb::postgres() {
        a_failed_commit_leaves_no_transaction_open(&mut test);
    }
}
