//! The PostgreSQL schema distributes on Citus by organisation: every table leads its primary key
//! with org_id, and every foreign key and unique index includes it; and
//! `crates/store/citus/distribute.sql` places every table the migrations make, in an order Citus
//! accepts. Read from the catalog, so a migration that breaks the rule, or a table the file does
//! not place, fails here.

mod common;

use common::TestDb;
use quotient_store::Db;
use std::collections::{BTreeMap, BTreeSet};

const DISTRIBUTE_SQL: &str = include_str!("../citus/distribute.sql");

/// One statement of `distribute.sql`, in the file's order.
#[derive(Debug, PartialEq)]
enum Step {
    Reference(String),
    /// The table, its distribution column, the table it is colocated with.
    Distributed(String, String, Option<String>),
    /// A table left on the coordinator, with the reason given.
    Local(String, String),
    /// A foreign key set aside (table, constraint) …
    DropKey(String, String),
    /// … and put back.
    AddKey(String, String),
}

/// What `distribute.sql` does, statement by statement.
struct Placement(Vec<Step>);

impl Placement {
    /// Reads the statements this file's form allows; any other statement is an error that names
    /// its line.
    fn parse(sql: &str) -> Result<Placement, String> {
        let quoted = |text: &str| -> Vec<String> { text.split('\'').skip(1).step_by(2).map(str::to_string).collect() };
        let mut steps = Vec::new();
        for (number, line) in sql.lines().enumerate() {
            let line = line.trim();
            let at = |what: &str| format!("line {}: {what}: {line}", number + 1);
            if let Some(rest) = line.strip_prefix("-- local: ") {
                let (table, reason) = rest.split_once(" (").ok_or_else(|| at("a local table names its reason"))?;
                steps.push(Step::Local(table.to_string(), reason.trim_end_matches(')').to_string()));
            } else if line.starts_with("SELECT create_reference_table(") {
                let [table] = quoted(line).try_into().map_err(|_| at("one table"))?;
                steps.push(Step::Reference(table));
            } else if line.starts_with("SELECT create_distributed_table(") {
                let mut names = quoted(line).into_iter();
                let (Some(table), Some(column)) = (names.next(), names.next()) else {
                    return Err(at("a table and its distribution column"));
                };
                steps.push(Step::Distributed(table, column, names.next()));
            } else if let Some(rest) = line.strip_prefix("ALTER TABLE ") {
                let words: Vec<&str> = rest.split_whitespace().collect();
                match words.as_slice() {
                    [table, "DROP", "CONSTRAINT", key] => {
                        steps.push(Step::DropKey(table.to_string(), key.trim_end_matches(';').to_string()))
                    }
                    [table, "ADD", "CONSTRAINT", key, ..] => {
                        steps.push(Step::AddKey(table.to_string(), key.to_string()))
                    }
                    _ => return Err(at("only a foreign key set aside or put back")),
                }
            } else if !(line.is_empty() || line.starts_with("--") || line.starts_with("REFERENCES")) {
                return Err(at("not a statement this file's form has"));
            }
        }
        Ok(Placement(steps))
    }

    /// The tables left on the coordinator.
    fn local(&self) -> Vec<String> {
        self.0.iter().filter_map(|s| if let Step::Local(t, _) = s { Some(t.clone()) } else { None }).collect()
    }

    /// Each table the file places, with how.
    fn tables(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter_map(|step| match step {
                Step::Reference(t) | Step::Distributed(t, ..) | Step::Local(t, _) => Some(t.as_str()),
                Step::DropKey(..) | Step::AddKey(..) => None,
            })
            .collect()
    }
}

/// What Citus would refuse, or what would be left undistributed, if `sql` were run on the schema
/// the migrations made: tables not placed or placed twice, organisation data not distributed by
/// org_id in one colocation group, and foreign keys to a table not yet distributed.
fn placement_violations(db: &mut Db, sql: &str) -> Vec<String> {
    let placement = match Placement::parse(sql) {
        Ok(placement) => placement,
        Err(e) => return vec![e],
    };
    let text = |row: &quotient_store::db::Row| Ok(row.text(0)?.unwrap_or_default().to_string());
    let catalog = |db: &mut Db, sql: &str| db.query_map(sql, &[], text).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let tables: BTreeSet<String> = catalog(
        db,
        "SELECT relname::text FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace",
    )
    .into_iter()
    .collect();
    let with_org_id: BTreeSet<String> = catalog(
        db,
        "SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id'
         WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace",
    )
    .into_iter()
    .collect();
    let keys: Vec<(String, String, String)> = db
        .query_map(
            "SELECT t.relname::text, con.conname::text, r.relname::text FROM pg_constraint con
             JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
             WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace",
            &[],
            |row| {
                let name = |i| row.text(i).map(|name| name.unwrap_or_default().to_string());
                Ok((name(0)?, name(1)?, name(2)?))
            },
        )
        .unwrap_or_else(|e| panic!("foreign keys: {e}"));

    let mut found = Vec::new();
    let placed = placement.tables();
    for table in &tables {
        match placed.iter().filter(|t| *t == table).count() {
            0 => found.push(format!("{table} is not placed by distribute.sql")),
            1 => {}
            n => found.push(format!("{table} is placed {n} times")),
        }
    }
    for table in placed.iter().filter(|t| !tables.contains(**t)) {
        found.push(format!("{table} is placed but the migrations make no such table"));
    }
    // The position of each step, to check what was distributed before what.
    let position = |wanted: &dyn Fn(&Step) -> bool| placement.0.iter().position(wanted);
    let anchor = placement.0.iter().find_map(|s| if let Step::Distributed(t, ..) = s { Some(t.clone()) } else { None });
    let mut how: BTreeMap<&str, &Step> = BTreeMap::new();
    for step in &placement.0 {
        match step {
            Step::Distributed(table, column, colocated) => {
                how.insert(table, step);
                if column != "org_id" || !with_org_id.contains(table) {
                    found.push(format!("{table} is not distributed by its org_id"));
                }
                let expected = if Some(table) == anchor.as_ref() { None } else { anchor.as_ref() };
                if colocated.as_ref() != expected {
                    found.push(format!("{table} is not colocated with {}", anchor.as_deref().unwrap_or("-")));
                }
            }
            Step::Local(table, reason) if reason.trim().is_empty() => {
                found.push(format!("{table} is left local without a reason"));
                how.insert(table, step);
            }
            Step::Reference(table) | Step::Local(table, _) => {
                how.insert(table, step);
            }
            Step::DropKey(..) | Step::AddKey(..) => {}
        }
    }
    for table in &with_org_id {
        if matches!(how.get(table.as_str()), Some(Step::Reference(_))) && table != "organisations" {
            found.push(format!("{table} holds organisation data but is a reference table"));
        }
    }
    let distributed_at = |table: &str| position(&|s| matches!(s, Step::Distributed(t, ..) if t == table));
    for (table, key, target) in &keys {
        if table == target {
            continue;
        }
        let ok = match (how.get(table.as_str()), how.get(target.as_str())) {
            (_, Some(Step::Reference(_))) => true,
            (Some(Step::Local(..)), Some(Step::Local(..))) => true,
            (Some(Step::Distributed(..)), Some(Step::Distributed(..))) => {
                let dropped = position(&|s| matches!(s, Step::DropKey(t, k) if t == table && k == key));
                let added = position(&|s| matches!(s, Step::AddKey(t, k) if t == table && k == key));
                match (distributed_at(table), distributed_at(target), dropped, added) {
                    (Some(from), Some(to), ..) if to < from => true,
                    (Some(from), Some(to), Some(d), Some(a)) => d < from.min(to) && a > from.max(to),
                    _ => false,
                }
            }
            _ => false,
        };
        if !ok {
            found
                .push(format!("{table} ({key}) refers to {target}, which is not yet distributed or a reference table"));
        }
    }
    for step in &placement.0 {
        if let Step::DropKey(table, key) = step {
            if !keys.iter().any(|(t, k, _)| t == table && k == key) {
                found.push(format!("{table} has no foreign key {key} to set aside"));
            }
            if !placement.0.iter().any(|s| matches!(s, Step::AddKey(t, k) if t == table && k == key)) {
                found.push(format!("{table} ({key}) is set aside and not put back"));
            }
        }
    }
    found.sort();
    found
}

fn violations(db: &mut Db) -> Vec<String> {
    let local = Placement::parse(DISTRIBUTE_SQL).unwrap_or_else(|e| panic!("distribute.sql: {e}")).local();
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
            if !local.iter().any(|t| table == *t || table.starts_with(&format!("{t} ("))) {
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

#[test]
fn the_citus_script_places_every_table_of_the_migrations() {
    let Some(mut test) = TestDb::postgres() else { return };
    assert_eq!(placement_violations(&mut test.db, DISTRIBUTE_SQL), Vec::<String>::new());
}

#[test]
fn the_citus_check_catches_a_table_left_out_or_distributed_too_early() {
    let Some(mut test) = TestDb::postgres() else { return };
    test.db
        .batch(
            "CREATE TABLE notes (org_id BIGINT NOT NULL, id BIGINT NOT NULL, rep_id BIGINT, PRIMARY KEY (org_id, id),
                 FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id))",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        placement_violations(&mut test.db, DISTRIBUTE_SQL),
        [
            "notes (notes_org_id_rep_id_fkey) refers to reps, which is not yet distributed or a reference table",
            "notes is not placed by distribute.sql",
        ]
    );

    // Distributed before the reps it refers to, by another column, in its own colocation group.
    let early = DISTRIBUTE_SQL.replace(
        "SELECT create_distributed_table('reps',",
        "SELECT create_distributed_table('notes', 'id');\nSELECT create_distributed_table('reps',",
    );
    assert_eq!(
        placement_violations(&mut test.db, &early),
        [
            "notes (notes_org_id_rep_id_fkey) refers to reps, which is not yet distributed or a reference table",
            "notes is not colocated with territories",
            "notes is not distributed by its org_id",
        ]
    );

    // The leads' key to opportunities not set aside: leads would be distributed first.
    let cycle = DISTRIBUTE_SQL.replace("ALTER TABLE leads DROP CONSTRAINT leads_org_id_opportunity_id_fkey;", "");
    let found = placement_violations(&mut test.db, &cycle);
    assert!(
        found.contains(&"leads (leads_org_id_opportunity_id_fkey) refers to opportunities, which is not yet distributed or a reference table".to_string()),
        "{found:?}"
    );
}
