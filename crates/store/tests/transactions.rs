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
