//! The PostgreSQL schema distributes on Citus by organisation: every table leads its primary key
//! with org_id, and every foreign key and unique index includes it. Read from the catalog, so a
//! migration that breaks the rule fails here.

mod common;

use common::TestDb;
use quotient_store::Db;

/// Tables that are not organisation data (kept local to the coordinator).
const NOT_DISTRIBUTED: &[&str] =
    &["schema_migrations", "sessions", "api_tokens", "sign_in_failures", "sign_in_addresses"];

fn violations(db: &mut Db) -> Vec<String> {
    let mut found = Vec::new();
    let text = |row: &quotient_store::db::Row| Ok(row.text(0)?.unwrap_or_default().to_string());
    let queries = [
        (
            "has no primary key",
            "SELECT c.relname::text FROM pg_class c
             WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
               AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)",
        ),
        (
            "does not lead its primary key with org_id",
            "SELECT c.relname::text FROM pg_index i
             JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
             WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace AND a.attname <> 'org_id'",
        ),
        (
            "has a foreign key without org_id on both sides",
            "SELECT con.conrelid::regclass::text || ' (' || con.conname || ')' FROM pg_constraint con
             WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace
               AND (NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey) AND a.attname = 'org_id')
                 OR NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.confrelid AND a.attnum = ANY (con.confkey) AND a.attname = 'org_id'))",
        ),
        (
            "has a unique index without org_id",
            "SELECT c.relname::text || ' (' || ix.relname || ')' FROM pg_index i
             JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_class ix ON ix.oid = i.indexrelid
             WHERE i.indisunique AND c.relnamespace = current_schema()::regnamespace
               AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey) AND a.attname = 'org_id')",
        ),
    ];
    for (rule, sql) in queries {
        for table in db.query_map(sql, &[], text).unwrap_or_else(|e| panic!("{rule}: {e}")) {
            if !NOT_DISTRIBUTED.iter().any(|t| table.starts_with(t)) {
                found.push(format!("{table} {rule}"));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_table_distributes_by_organisation() {
    let Some(mut test) = TestDb::postgres() else { return };
    let tables = test
        .db
        .query_i64(
            "SELECT COUNT(*) FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace",
            &[],
        )
        .unwrap_or(0);
    assert!(tables >= 18, "the schema should be migrated, found {tables} tables");
    assert_eq!(violations(&mut test.db), Vec::<String>::new());
}

#[test]
fn the_check_catches_a_table_that_breaks_the_rule() {
    let Some(mut test) = TestDb::postgres() else { return };
    test.db
        .batch(
            "CREATE TABLE notes (id BIGINT PRIMARY KEY, org_id BIGINT NOT NULL, body TEXT UNIQUE,
                 rep_id BIGINT, FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id))",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        violations(&mut test.db),
        [
            "notes (notes_body_key) has a unique index without org_id",
            "notes (notes_pkey) has a unique index without org_id",
            "notes does not lead its primary key with org_id",
        ]
    );
}
