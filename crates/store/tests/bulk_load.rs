//! Bulk loads: every kind of value arrives as it was sent, across more than one chunk of a
//! PostgreSQL binary `COPY`, and a value its column cannot hold is refused with the column's name.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::TestDb;
use quotient_store::{Db, StoreError, Value};

const COLUMNS: [&str; 6] = ["n", "small", "label", "on_day", "at", "note"];

fn create(db: &mut Db) {
    db.batch(
        "CREATE TABLE loaded (n BIGINT NOT NULL, small INTEGER, label TEXT NOT NULL, on_day DATE,
                              at TIMESTAMPTZ, note TEXT)",
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Row `n`: its values derive from `n`, every third with NULLs. Values repeat over runs of rows
/// (SQLite's loader binds only what differs from the row before), and a run may resume after a
/// NULL with the value it had before it.
fn row(n: i64, label: &str) -> Vec<Value<'_>> {
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap_or_default() + chrono::Duration::days(n / 5 % 400);
    let at = Utc.timestamp_opt(1_700_000_000 + n / 2 * 61, 0).single().unwrap_or_default();
    let nulls = n % 3 == 0;
    vec![
        Value::Int(n),
        if nulls { Value::Null } else { Value::Int(n / 4 % 30_000) },
        Value::text(label),
        if nulls { Value::Null } else { Value::Date(day) },
        if nulls { Value::Null } else { Value::Timestamp(at) },
        if nulls { Value::Null } else { Value::text("Zürich, 3 Straße\n\"quoted\"; 2nd line") },
    ]
}

fn every_value_arrives_as_sent(test: &mut TestDb) {
    let db = &mut test.db;
    create(db);
    // About 1.2 MB of rows: several of the binary COPY's chunks.
    let rows = 12_000;
    let labels: Vec<String> = (0..rows).map(|n| format!("row {n} {}", "·".repeat((n % 50) as usize))).collect();
    let loaded = db
        .transaction(|db| {
            let mut loader = db.loader("loaded", &COLUMNS, false)?;
            for (n, label) in labels.iter().enumerate() {
                loader.push(&row(n as i64, label))?;
            }
            loader.finish()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded, rows as u64);

    let mut seen = 0;
    db.query_each("SELECT n, small, label, on_day, at, note FROM loaded ORDER BY n", &[], |stored| {
        let n = stored.int(0)?.unwrap_or(-1);
        let as_stored = [
            Value::opt_int(stored.int(0)?),
            Value::opt_int(stored.int(1)?),
            Value::opt_text(stored.text(2)?),
            stored.date(3)?.map_or(Value::Null, Value::Date),
            stored.timestamp(4)?.map_or(Value::Null, Value::Timestamp),
            Value::opt_text(stored.text(5)?),
        ];
        assert_eq!(n, seen);
        assert_eq!(as_stored[..], row(n, &labels[n as usize])[..], "row {n}");
        seen += 1;
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(seen, rows);
}

on_both_backends!(every_value_arrives_as_sent);

/// PostgreSQL types its columns: a number too large for an `INTEGER` names the column, and the
/// load writes nothing.
#[test]
fn a_value_its_column_cannot_hold_names_the_column_on_postgres() {
    let Some(mut test) = TestDb::postgres() else { return };
    let db = &mut test.db;
    create(db);
    let result: Result<u64, StoreError> = db.transaction(|db| {
        let mut loader = db.loader("loaded", &COLUMNS, false)?;
        loader.push(&row(1, "fits"))?;
        let mut too_large = row(2, "too large");
        too_large[1] = Value::Int(i64::from(i32::MAX) + 1);
        loader.push(&too_large)?;
        loader.finish()
    });
    let error = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("loaded.small"), "{error}");
    let count = db.query_i64("SELECT COUNT(*) FROM loaded", &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count, 0);
}
