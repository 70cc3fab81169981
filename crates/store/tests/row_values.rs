//! The row getters read what was stored, alike on both databases.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::TestDb;
use quotient_store::Value;

/// A timestamp's day counted from 1970-01-01 is its calendar date's, either side of midnight and
/// of both epochs (PostgreSQL counts from 2000-01-01, SQLite keeps Unix seconds).
#[test]
fn a_timestamps_day_is_its_dates_on_both_databases() {
    let instants = [
        "1969-12-31T23:59:59Z",
        "1970-01-01T00:00:00Z",
        "1970-01-01T23:59:59Z",
        "1999-12-31T23:59:59Z",
        "2000-01-01T00:00:00Z",
        "2026-07-01T00:00:00Z",
        "2026-09-30T23:59:59Z",
        "1901-03-04T12:00:00Z",
    ];
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    for mut test in std::iter::once(TestDb::sqlite()).chain(TestDb::postgres()) {
        for instant in instants {
            let at: DateTime<Utc> = instant.parse().expect("an instant");
            let read = test
                .db
                .query_map("SELECT CAST(? AS TIMESTAMPTZ)", &[Value::Timestamp(at)], |row| {
                    Ok((row.utc_day(0)?, row.timestamp(0)?))
                })
                .expect("read back");
            let expected = (at.date_naive() - epoch).num_days();
            assert_eq!(read, vec![(Some(expected), Some(at))], "{instant} on {:?}", test.db.dialect());
        }
        let null = test.db.query_map("SELECT CAST(NULL AS TIMESTAMPTZ)", &[], |row| row.utc_day(0)).expect("read");
        assert_eq!(null, vec![None]);
    }
}

/// Integers of every width and dates on both sides of PostgreSQL's epoch read back as written.
#[test]
fn integers_and_dates_read_back_on_both_databases() {
    let dates = ["0001-01-01", "1969-12-31", "1970-01-01", "1999-12-31", "2000-01-01", "2024-02-29", "9999-12-31"];
    let integers = [i64::MIN, -40_000, -1, 0, 1, 32_767, 2_147_483_648, i64::MAX];
    for mut test in std::iter::once(TestDb::sqlite()).chain(TestDb::postgres()) {
        let dialect = test.db.dialect();
        // SQLite keeps a date as its text, which a cast to its numeric DATE affinity would cut.
        let date_sql = match dialect {
            quotient_store::Dialect::Sqlite => "SELECT ?",
            quotient_store::Dialect::Postgres => "SELECT CAST(? AS DATE)",
        };
        for date in dates {
            let day: NaiveDate = date.parse().expect("a date");
            let read = test.db.query_map(date_sql, &[Value::Date(day)], |row| row.date(0)).expect("read");
            assert_eq!(read, vec![Some(day)], "{date} on {dialect:?}");
        }
        for value in integers {
            let read =
                test.db.query_map("SELECT CAST(? AS BIGINT)", &[Value::Int(value)], |row| row.int(0)).expect("read");
            assert_eq!(read, vec![Some(value)], "{value} on {dialect:?}");
        }
        // PostgreSQL's narrower integers are read as they are sent, two and four bytes wide.
        let narrow = "SELECT CAST(-32768 AS SMALLINT), CAST(32767 AS SMALLINT), CAST(-2147483648 AS INTEGER), \
                      CAST(2147483647 AS INTEGER), CAST(NULL AS INTEGER)";
        let read = test
            .db
            .query_map(narrow, &[], |row| (0..5).map(|i| row.int(i)).collect::<quotient_store::Result<Vec<_>>>())
            .expect("read");
        assert_eq!(read, vec![vec![Some(-32_768), Some(32_767), Some(-2_147_483_648), Some(2_147_483_647), None]]);
        let text = test.db.query_map("SELECT CAST('x' AS TEXT)", &[], |row| row.int(0));
        assert!(text.is_err(), "text read as an integer on {dialect:?}");
    }
}

/// A list of ids binds as one parameter on both databases; bound where no list belongs, it is
/// refused rather than taken down the client.
#[test]
fn a_list_of_ids_binds_as_one_parameter() {
    for mut test in std::iter::once(TestDb::sqlite()).chain(TestDb::postgres()) {
        let dialect = test.db.dialect();
        let (listed, wrong) = match dialect {
            quotient_store::Dialect::Sqlite => ("SELECT value FROM json_each(?) ORDER BY value", None),
            quotient_store::Dialect::Postgres => {
                ("SELECT unnest(CAST(? AS BIGINT[])) AS id ORDER BY id", Some("SELECT CAST(? AS BIGINT)"))
            }
        };
        let ids = vec![3, -1, i64::MAX, 0];
        let read = test.db.query_map(listed, &[Value::Ids(ids)], |row| row.int(0)).expect("read");
        assert_eq!(read, vec![Some(-1), Some(0), Some(3), Some(i64::MAX)], "on {dialect:?}");
        let none = test.db.query_map(listed, &[Value::Ids(Vec::new())], |row| row.int(0)).expect("read");
        assert!(none.is_empty(), "on {dialect:?}");
        if let Some(wrong) = wrong {
            assert!(test.db.query_map(wrong, &[Value::Ids(vec![1])], |row| row.int(0)).is_err());
        }
    }
}
