//! The migrations: SQLite's and PostgreSQL's make the same tables, columns and constraints, and a
//! database holding data upgrades through every migration on both.

mod common;

use common::TestDb;
use quotient_core::model::ActivityType;
use quotient_store::bundle::{self, Silent};
use quotient_store::crm::activities::NewActivity;
use quotient_store::testing::{TestSchema, migrate_to, migration_versions, unscoped};
use quotient_store::{Db, Dialect, Value};
use std::collections::{BTreeMap, BTreeSet};

/// How a column's values are stored, in SQLite's terms (its type affinity): what a PostgreSQL
/// type must correspond to. Timestamps are integers (Unix seconds) in SQLite, dates text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Affinity {
    Integer,
    Text,
    Real,
    Numeric,
    Blob,
}

/// SQLite's rules for the affinity of a declared type (section 3.1 of its datatype page).
fn sqlite_affinity(declared: &str) -> Affinity {
    let declared = declared.to_ascii_uppercase();
    if declared.contains("INT") {
        Affinity::Integer
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|t| declared.contains(t)) {
        Affinity::Text
    } else if declared.is_empty() || declared.contains("BLOB") {
        Affinity::Blob
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|t| declared.contains(t)) {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// The SQLite affinity a PostgreSQL type is stored as in the SQLite twin of the schema.
fn postgres_affinity(type_: &str) -> Affinity {
    match type_ {
        "bigint" | "integer" | "smallint" | "timestamp with time zone" | "boolean" => Affinity::Integer,
        "text" | "date" | "jsonb" | "json" => Affinity::Text,
        "double precision" | "real" => Affinity::Real,
        "bytea" => Affinity::Blob,
        other if other.starts_with("character varying") => Affinity::Text,
        _ => Affinity::Numeric,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Table {
    /// Name → (NOT NULL, affinity), by name: columns added later may stand elsewhere.
    columns: BTreeMap<String, (bool, Affinity)>,
    primary_key: Vec<String>,
    /// The columns of each unique index or constraint (`<expr>` for an expression), and whether
    /// it is partial.
    unique: BTreeSet<(Vec<String>, bool)>,
    /// (columns, referenced table, referenced columns, what deleting the referenced row does).
    foreign_keys: BTreeSet<(Vec<String>, String, Vec<String>, String)>,
    /// The columns each CHECK constraint reads.
    checks: BTreeSet<Vec<String>>,
}

type Schema = BTreeMap<String, Table>;

fn texts(db: &mut Db, sql: &str, params: &[Value], width: usize) -> Vec<Vec<String>> {
    db.query_map(sql, params, |row| {
        (0..width).map(|i| Ok(row.text(i)?.unwrap_or_default().to_string())).collect::<quotient_store::Result<_>>()
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn list(text: &str) -> Vec<String> {
    text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn describe(db: &mut Db) -> Schema {
    match db.dialect() {
        Dialect::Sqlite => describe_sqlite(db),
        Dialect::Postgres => describe_postgres(db),
    }
}

fn describe_sqlite(db: &mut Db) -> Schema {
    let mut schema = Schema::new();
    let tables =
        texts(db, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", &[], 2);
    for table in &tables {
        let (name, sql) = (&table[0], &table[1]);
        let mut out = Table::default();
        let mut key = Vec::new();
        for column in texts(
            db,
            "SELECT name, type, CAST(\"notnull\" AS TEXT), CAST(pk AS TEXT) FROM pragma_table_info(?)",
            &[Value::text(name)],
            4,
        ) {
            out.columns.insert(column[0].clone(), (column[2] == "1", sqlite_affinity(&column[1])));
            if column[3] != "0" {
                key.push((column[3].parse::<i64>().unwrap_or_default(), column[0].clone()));
            }
        }
        key.sort();
        out.primary_key = key.into_iter().map(|(_, column)| column).collect();
        for index in texts(
            db,
            "SELECT name, CAST(partial AS TEXT) FROM pragma_index_list(?) WHERE \"unique\" = 1 AND origin <> 'pk'",
            &[Value::text(name)],
            2,
        ) {
            let columns = texts(
                db,
                "SELECT COALESCE(name, '<expr>') FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno",
                &[Value::text(&index[0])],
                1,
            );
            out.unique.insert((columns.into_iter().map(|c| c[0].clone()).collect(), index[1] == "1"));
        }
        let mut keys: BTreeMap<String, (Vec<String>, String, Vec<String>, String)> = BTreeMap::new();
        for fk in texts(
            db,
            "SELECT CAST(id AS TEXT), \"table\", \"from\", COALESCE(\"to\", ''), on_delete
             FROM pragma_foreign_key_list(?) ORDER BY id, seq",
            &[Value::text(name)],
            5,
        ) {
            let entry = keys
                .entry(fk[0].clone())
                .or_insert_with(|| (Vec::new(), fk[1].clone(), Vec::new(), fk[4].to_ascii_lowercase()));
            entry.0.push(fk[2].clone());
            entry.2.push(fk[3].clone());
        }
        out.foreign_keys = keys.into_values().collect();
        let columns: Vec<String> = out.columns.keys().cloned().collect();
        out.checks = sqlite_checks(sql, &columns);
        schema.insert(name.clone(), out);
    }
    // A reference to a table's primary key may leave out its columns.
    let keys: BTreeMap<String, Vec<String>> =
        schema.iter().map(|(name, table)| (name.clone(), table.primary_key.clone())).collect();
    for table in schema.values_mut() {
        table.foreign_keys = std::mem::take(&mut table.foreign_keys)
            .into_iter()
            .map(|(from, to, columns, on_delete)| {
                let columns = if columns.iter().all(String::is_empty) {
                    keys.get(&to).cloned().unwrap_or_default()
                } else {
                    columns
                };
                (from, to, columns, on_delete)
            })
            .collect();
    }
    schema
}

/// The columns each `CHECK (…)` of a `CREATE TABLE` statement reads: SQLite keeps no catalog of
/// its checks, only the statement's text.
fn sqlite_checks(sql: &str, columns: &[String]) -> BTreeSet<Vec<String>> {
    // Comments and quoted text hold no constraint: blank them out first.
    let mut plain = String::with_capacity(sql.len());
    let (mut quoted, mut comment) = (false, false);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if comment {
            comment = c != '\n';
        } else if c == '\'' {
            quoted = !quoted;
        } else if !quoted && c == '-' && chars.peek() == Some(&'-') {
            comment = true;
        }
        plain.push(if quoted || comment || c == '\'' { ' ' } else { c.to_ascii_lowercase() });
    }
    let bytes = plain.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut checks = BTreeSet::new();
    let mut from = 0;
    while let Some(at) = plain[from..].find("check").map(|i| i + from) {
        from = at + 5;
        if (at > 0 && word(bytes[at - 1])) || bytes.get(from).is_some_and(|b| word(*b)) {
            continue;
        }
        let Some(open) = plain[from..].find('(').map(|i| i + from) else { break };
        let (mut depth, mut end) = (0, open);
        for (i, c) in plain[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = open + i;
                break;
            }
        }
        let expression = &plain[open..=end];
        let mut read: Vec<String> = expression
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| columns.iter().any(|c| c == w))
            .map(str::to_string)
            .collect();
        read.sort();
        read.dedup();
        checks.insert(read);
        from = end;
    }
    checks
}

fn describe_postgres(db: &mut Db) -> Schema {
    let mut schema = Schema::new();
    let here = "relnamespace = current_schema()::regnamespace";
    for column in texts(
        db,
        &format!(
            "SELECT c.relname::text, a.attname::text, CASE WHEN a.attnotnull THEN '1' ELSE '0' END,
                    format_type(a.atttypid, a.atttypmod)
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.{here} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
        ),
        &[],
        4,
    ) {
        let table = schema.entry(column[0].clone()).or_default();
        table.columns.insert(column[1].clone(), (column[2] == "1", postgres_affinity(&column[3])));
    }
    let names = |keys: &str, relation: &str| {
        format!(
            "COALESCE(array_to_string(ARRAY(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY u(n, i)
             JOIN pg_attribute a ON a.attrelid = {relation} AND a.attnum = u.n ORDER BY u.i), ','), '')"
        )
    };
    for constraint in texts(
        db,
        &format!(
            "SELECT c.relname::text, k.contype::text, {}, COALESCE(f.relname::text, ''), {},
                    CASE k.confdeltype WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default'
                                       WHEN 'r' THEN 'restrict' ELSE 'no action' END
             FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid LEFT JOIN pg_class f ON f.oid = k.confrelid
             WHERE c.{here} AND k.contype IN ('p', 'f', 'c')",
            names("k.conkey", "k.conrelid"),
            names("k.confkey", "k.confrelid")
        ),
        &[],
        6,
    ) {
        let table = schema.entry(constraint[0].clone()).or_default();
        match constraint[1].as_str() {
            "p" => table.primary_key = list(&constraint[2]),
            "f" => {
                let on_delete = constraint[5].clone();
                table.foreign_keys.insert((
                    list(&constraint[2]),
                    constraint[3].clone(),
                    list(&constraint[4]),
                    on_delete,
                ));
            }
            _ => {
                let mut read = list(&constraint[2]);
                read.sort();
                table.checks.insert(read);
            }
        }
    }
    for index in texts(
        db,
        &format!(
            "SELECT t.relname::text,
                    array_to_string(ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                                          FROM generate_series(1, i.indnkeyatts) k ORDER BY k), ','),
                    CASE WHEN i.indpred IS NULL THEN '0' ELSE '1' END
             FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
             WHERE t.{here} AND i.indisunique AND NOT i.indisprimary"
        ),
        &[],
        3,
    ) {
        let table = schema.entry(index[0].clone()).or_default();
        let columns = list(&index[1])
            .into_iter()
            .map(|c| if table.columns.contains_key(&c) { c } else { "<expr>".to_string() })
            .collect();
        table.unique.insert((columns, index[2] == "1"));
    }
    schema
}

/// Every difference between the two schemas, one line each.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for name in sqlite.keys().chain(postgres.keys()).collect::<BTreeSet<_>>() {
        let (Some(a), Some(b)) = (sqlite.get(name), postgres.get(name)) else {
            let only = if sqlite.contains_key(name) { "SQLite" } else { "PostgreSQL" };
            out.push(format!("{name}: a table on {only} only"));
            continue;
        };
        for column in a.columns.keys().chain(b.columns.keys()).collect::<BTreeSet<_>>() {
            let (x, y) = (a.columns.get(column), b.columns.get(column));
            if x != y {
                out.push(format!("{name}.{column}: (NOT NULL, type) {x:?} on SQLite, {y:?} on PostgreSQL"));
            }
        }
        let mut compare = |what: &str, x: String, y: String| {
            if x != y {
                out.push(format!("{name}: {what} {x} on SQLite, {y} on PostgreSQL"));
            }
        };
        compare("primary key", format!("{:?}", a.primary_key), format!("{:?}", b.primary_key));
        compare("unique keys", format!("{:?}", a.unique), format!("{:?}", b.unique));
        compare("foreign keys", format!("{:?}", a.foreign_keys), format!("{:?}", b.foreign_keys));
        compare("checks on", format!("{:?}", a.checks), format!("{:?}", b.checks));
    }
    out
}

#[test]
fn sqlite_and_postgres_migrations_make_the_same_schema() {
    let Some(postgres) = TestDb::postgres() else { return };
    let sqlite = TestDb::sqlite();
    let (mut sqlite, mut postgres) = (sqlite, postgres);
    let (a, b) = (describe(&mut sqlite.db), describe(&mut postgres.db));
    assert!(a.len() > 20 && a.contains_key("rollup_cells") && a.contains_key("users"), "{:?}", a.keys());
    assert!(
        a["opportunities"].checks.len() >= 3 && !a["opportunities"].foreign_keys.is_empty(),
        "{:?}",
        a["opportunities"]
    );
    for schema in [&a, &b] {
        let plan_lines = &schema["company_plan_lines"].foreign_keys;
        assert!(
            plan_lines.iter().any(|(_, to, _, on_delete)| to == "company_plans" && on_delete == "cascade"),
            "{plan_lines:?}"
        );
    }
    let found = differences(&a, &b);
    assert!(found.is_empty(), "the migrations differ:\n{}", found.join("\n"));
}

/// The comparison finds a difference where there is one: a column, a check and a key more.
#[test]
fn the_schema_comparison_sees_a_difference() {
    let mut test = TestDb::sqlite();
    let before = describe(&mut test.db);
    test.db
        .batch(
            "ALTER TABLE feedback ADD COLUMN remark TEXT NOT NULL DEFAULT '' CHECK (length(remark) < 500);
             CREATE UNIQUE INDEX feedback_once ON feedback (org_id, account_id, received_on)",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let found = differences(&describe(&mut test.db), &before);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("feedback.remark: (NOT NULL, type) Some((true, Text))"), "{found:#?}");
}

/// The rows an organisation had when the store was at its first migration.
fn rows_of_the_first_schema(db: &mut Db) {
    let at = |text: &str| Value::Timestamp(text.parse().unwrap_or_else(|e| panic!("{text}: {e}")));
    let day = |text: &str| Value::Date(text.parse().unwrap_or_else(|e| panic!("{text}: {e}")));
    let (org, text, int) = (Value::Int(1), Value::text, Value::Int);
    let rows: Vec<(&str, Vec<Value>)> = vec![
        (
            "organisations (org_id, slug, name, created_at)",
            vec![org.clone(), text("acme"), text("Acme"), at("2025-01-01T00:00:00Z")],
        ),
        (
            "stages (org_id, key, name, position, probability_bp, outcome)",
            vec![org.clone(), text("open"), text("Open"), int(1), int(2000), text("open")],
        ),
        (
            "stages (org_id, key, name, position, probability_bp, outcome)",
            vec![org.clone(), text("won"), text("Won"), int(2), int(10_000), text("won")],
        ),
        (
            "territories (org_id, id, external_id, name, region)",
            vec![org.clone(), int(1), text("T1"), text("North"), text("EU")],
        ),
        ("product_lines (org_id, id, external_id, name)", vec![org.clone(), int(1), text("PL1"), text("Boilers")]),
        (
            "reps (org_id, id, external_id, name, email, territory_id, role, hired_on)",
            vec![
                org.clone(),
                int(1),
                text("M1"),
                text("Mia"),
                text("mia@acme.test"),
                int(1),
                text("manager"),
                day("2020-03-01"),
            ],
        ),
        (
            "reps (org_id, id, external_id, name, email, manager_id, territory_id, role, hired_on)",
            vec![
                org.clone(),
                int(2),
                text("R1"),
                text("Raj"),
                text("raj@acme.test"),
                int(1),
                int(1),
                text("rep"),
                day("2021-06-15"),
            ],
        ),
        (
            "accounts (org_id, id, external_id, name, territory_id, owner_id, employees)",
            vec![org.clone(), int(1), text("A1"), text("Globex"), int(1), int(2), int(250)],
        ),
        (
            "opportunities (org_id, id, external_id, account_id, owner_id, product_line_id, name, amount_cents, created_at, closed_at, status, stage)",
            vec![
                org.clone(),
                int(1),
                text("O1"),
                int(1),
                int(2),
                int(1),
                text("Boiler room"),
                int(125_050),
                at("2025-02-03T09:00:00Z"),
                at("2025-03-04T10:00:00Z"),
                text("won"),
                text("won"),
            ],
        ),
        (
            "opportunities (org_id, id, external_id, account_id, owner_id, product_line_id, name, amount_cents, created_at, status, stage)",
            vec![
                org.clone(),
                int(2),
                text("O2"),
                int(1),
                int(2),
                int(1),
                text("Second site"),
                int(80_000),
                at("2025-04-01T08:30:00Z"),
                text("open"),
                text("open"),
            ],
        ),
        (
            "activities (org_id, id, external_id, rep_id, type, occurred_at, account_id, opportunity_id, outcome)",
            vec![
                org.clone(),
                int(1),
                text("C1"),
                int(2),
                text("cold_call"),
                at("2025-01-20T14:00:00Z"),
                int(1),
                Value::Null,
                text("appointment_set"),
            ],
        ),
    ];
    db.transaction(|db| {
        for (into, values) in &rows {
            let marks = vec!["?"; values.len()].join(", ");
            db.execute(&format!("INSERT INTO {into} VALUES ({marks})"), values)?;
        }
        Ok::<_, quotient_store::StoreError>(())
    })
    .unwrap_or_else(|e| panic!("the first schema's rows: {e}"));
}

/// A database at the first migration, holding rows, upgraded through every other: the rows read
/// back through today's store, and the schema is a new database's.
fn upgrade_with_data(url: &str, fresh: &mut TestDb) {
    let versions = migration_versions();
    let mut db = Db::open(url).unwrap_or_else(|e| panic!("{e}"));
    migrate_to(&mut db, versions[0]).unwrap_or_else(|e| panic!("the first migration: {e}"));
    rows_of_the_first_schema(&mut db);
    for &version in &versions[1..] {
        migrate_to(&mut db, version).unwrap_or_else(|e| panic!("migration {version} over data: {e}"));
    }
    drop(db);
    let mut db = quotient_store::open(url).unwrap_or_else(|e| panic!("{e}"));
    let found = differences(&describe(&mut db), &describe(&mut fresh.db));
    assert!(found.is_empty(), "the upgraded schema differs from a new one:\n{}", found.join("\n"));

    let org = quotient_store::orgs::find_or_create(&mut db, "acme", "Acme").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(org.id.value(), Value::Int(1));
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let summary = bundle::export(&mut db, org.id, out.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.rows(), 8, "{summary:?}");
    let file = |name: &str| std::fs::read_to_string(out.path().join(name)).unwrap_or_default();
    assert!(file("reps.csv").contains("R1,Raj,raj@acme.test,M1,T1,rep,2021-06-15"), "{}", file("reps.csv"));
    let opportunities = file("opportunities.csv");
    assert!(opportunities.contains("O1,A1,R1,PL1,Boiler room,1250.50,,2025-02-03T09:00:00Z,"), "{opportunities}");
    assert!(opportunities.contains("2025-03-04T10:00:00Z,won,won"), "{opportunities}");
    assert!(
        file("activities.csv").contains("C1,R1,cold_call,2025-01-20T14:00:00Z,A1,,,appointment_set"),
        "{}",
        file("activities.csv")
    );
    // Today's writes work on the upgraded rows: the rollups rebuild from them.
    let cells = db.transaction(|db| quotient_store::kpi::rebuild(db, org.id)).unwrap_or_else(|e| panic!("{e}"));
    assert!(cells > 0);
}

#[test]
fn a_database_with_data_upgrades_through_every_migration_on_sqlite() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    upgrade_with_data(&url, &mut TestDb::sqlite());
}

#[test]
fn a_database_with_data_upgrades_through_every_migration_on_postgres() {
    let Some(schema) = TestSchema::create("upgrade") else { return };
    let Some(mut fresh) = TestDb::postgres() else { return };
    upgrade_with_data(&schema.url, &mut fresh);
}

/// What migration 0021 computes for the cells a database already has (the closes after the
/// gateway, the open opportunities' and the line demos' cells, each opportunity's last activity)
/// is what a rebuild computes: a database with data is taken back to before it and upgraded again.
fn the_open_cells_migration_equals_a_rebuild(test: &mut TestDb) {
    let org = test.org("acme").id;
    let db = &mut test.db;
    bundle::import(db, org, &common::fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    // A demo on O1 (product line PL1) by R2, who does not own it.
    let id = |db: &mut Db, table: &str, external: &str| {
        let sql = format!("SELECT id FROM {table} WHERE external_id = ?");
        db.query_i64(&sql, &[Value::text(external)]).unwrap_or_else(|e| panic!("{e}"))
    };
    let demo = NewActivity {
        rep_id: id(db, "reps", "R2"),
        kind: ActivityType::Demo,
        occurred_at: "2026-03-02T10:00:00Z".parse().unwrap_or_else(|e| panic!("{e}")),
        account_id: None,
        contact_id: None,
        opportunity_id: Some(id(db, "opportunities", "O1")),
        outcome: None,
    };
    unscoped::log_activity(db, org, None, &demo).unwrap_or_else(|e| panic!("{e}"));
    let stored = |db: &mut Db| {
        let cells = quotient_store::kpi::snapshot(db, org).unwrap_or_else(|e| panic!("{e}"));
        let last =
            texts(db, "SELECT CAST(id AS TEXT), CAST(last_activity_at AS TEXT) FROM opportunities ORDER BY id", &[], 2);
        (cells, last)
    };
    let rebuilt = stored(db);
    assert!(rebuilt.0.iter().any(|cell| cell.0 == "open_activity"), "the fixture has open opportunities");
    assert!(rebuilt.0.iter().any(|cell| cell.4.closed_after_gateway > 0), "and closes after the gateway");
    assert!(rebuilt.0.iter().any(|cell| cell.0 == "demo_quarter"), "and a demo on a product line");
    assert!(rebuilt.0.iter().any(|cell| cell.0 == "demo_year"), "kept at the year too");
    let indexes = match db.dialect() {
        Dialect::Sqlite => "DROP INDEX rollup_cells_by_period",
        Dialect::Postgres => "DROP INDEX rollup_cells_by_period; DROP INDEX rollup_cells_standing",
    };
    // The every-line cells came later (migration 28), the year cells later still (35), the open
    // pipeline at the state grain last (36): they go, and come back from the cells.
    db.batch(&format!(
        "DELETE FROM rollup_cells WHERE grain IN ('open_activity', 'open_close') OR grain LIKE 'demo%'
             OR grain LIKE 'all%' OR grain = 'year' OR (grain = 'state' AND contacts = 0);
         {indexes};
         ALTER TABLE rollup_cells DROP COLUMN closed_after_gateway;
         ALTER TABLE rollup_cells DROP COLUMN won_after_gateway;
         ALTER TABLE rollup_cells DROP COLUMN open_opportunities;
         ALTER TABLE rollup_cells DROP COLUMN open_amount;
         ALTER TABLE rollup_cells DROP COLUMN open_weighted;
         ALTER TABLE opportunities DROP COLUMN last_activity_at;
         DELETE FROM schema_migrations WHERE version IN (21, 28, 35, 36)"
    ))
    .unwrap_or_else(|e| panic!("back to migration 20: {e}"));
    migrate_to(db, 36).unwrap_or_else(|e| panic!("migrations 21, 28, 35 and 36 over data: {e}"));
    assert_eq!(stored(db), rebuilt);
}

/// Migration 0028 sums the cells a database already has into every rep's every-line cells, as a
/// rebuild does, at the week, month and quarter (not the day).
fn the_every_line_migration_equals_a_rebuild(test: &mut TestDb) {
    let org = test.org("acme").id;
    let db = &mut test.db;
    bundle::import(db, org, &common::fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let rebuilt = quotient_store::kpi::snapshot(db, org).unwrap_or_else(|e| panic!("{e}"));
    assert!(rebuilt.iter().all(|cell| cell.0 != "all_day"));
    for grain in ["all_week", "all_month", "all_quarter", "all_year"] {
        let cells: Vec<_> = rebuilt.iter().filter(|cell| cell.0 == grain).collect();
        assert!(!cells.is_empty(), "{grain}");
        assert!(cells.iter().all(|cell| cell.3 == -1), "{grain} cells are filed under line -1");
    }
    // A rep's every-line cell of a quarter is the sum of their cells of that quarter.
    let quarter = |grain: &str, line: Option<i64>| -> quotient_core::kpi::Tally {
        let rep = rebuilt.iter().find(|cell| cell.0 == "all_quarter").map(|cell| (cell.1.clone(), cell.2));
        rebuilt
            .iter()
            .filter(|cell| cell.0 == grain && Some((cell.1.clone(), cell.2)) == rep && line.is_none_or(|l| cell.3 == l))
            .map(|cell| cell.4)
            .sum()
    };
    assert_eq!(quarter("all_quarter", Some(-1)), quarter("quarter", None));
    assert!(quarter("quarter", None).won + quarter("quarter", None).cold_calls > 0);
    // The year cells (migration 35) are summed from these.
    db.batch(
        "DELETE FROM rollup_cells WHERE grain LIKE 'all%' OR grain LIKE '%year';
         DELETE FROM schema_migrations WHERE version IN (28, 35)",
    )
    .unwrap_or_else(|e| panic!("back to migration 27: {e}"));
    migrate_to(db, 35).unwrap_or_else(|e| panic!("migrations 28 and 35 over data: {e}"));
    assert_eq!(quotient_store::kpi::snapshot(db, org).unwrap_or_else(|e| panic!("{e}")), rebuilt);
}

/// Migration 0035 sums the quarter cells a database already has into year cells — a rep's per
/// line, every line together, and the line demos' — as a rebuild does.
fn the_year_migration_equals_a_rebuild(test: &mut TestDb) {
    let org = test.org("acme").id;
    let db = &mut test.db;
    bundle::import(db, org, &common::fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let rebuilt = quotient_store::kpi::snapshot(db, org).unwrap_or_else(|e| panic!("{e}"));
    for grain in ["year", "all_year"] {
        assert!(rebuilt.iter().any(|cell| cell.0 == grain && cell.1 == "2026-01-01"), "{grain}");
    }
    // A rep's year is the sum of their quarters, line by line.
    let sum = |grain: &str| -> quotient_core::kpi::Tally {
        rebuilt.iter().filter(|cell| cell.0 == grain && cell.2 == 1 && cell.3 >= 0).map(|cell| cell.4).sum()
    };
    assert_eq!(sum("year"), sum("quarter"));
    assert!(sum("year").won + sum("year").cold_calls > 0);
    db.batch("DELETE FROM rollup_cells WHERE grain LIKE '%year'; DELETE FROM schema_migrations WHERE version = 35")
        .unwrap_or_else(|e| panic!("back to migration 34: {e}"));
    migrate_to(db, 35).unwrap_or_else(|e| panic!("migration 35 over data: {e}"));
    assert_eq!(quotient_store::kpi::snapshot(db, org).unwrap_or_else(|e| panic!("{e}")), rebuilt);
}

/// Migration 0036 files each open opportunity's amount and weighted amount in its cells, and the
/// open pipeline in its rep's state cell of its product line, as a rebuild does.
fn the_open_pipeline_migration_equals_a_rebuild(test: &mut TestDb) {
    let org = test.org("acme").id;
    let db = &mut test.db;
    bundle::import(db, org, &common::fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let rebuilt = quotient_store::kpi::snapshot(db, org).unwrap_or_else(|e| panic!("{e}"));
    let state: Vec<_> = rebuilt.iter().filter(|cell| cell.0 == "state" && cell.4.open_opportunities > 0).collect();
    assert!(state.iter().any(|cell| cell.4.open_weighted > 0 && cell.4.contacts == 0), "open pipeline apart");
    let open: quotient_core::kpi::Tally = state.iter().map(|cell| cell.4).sum();
    let by_activity: quotient_core::kpi::Tally =
        rebuilt.iter().filter(|cell| cell.0 == "open_activity").map(|cell| cell.4).sum();
    assert_eq!(open.open_opportunities, by_activity.open_opportunities);
    assert!(open.open_amount > open.open_weighted && by_activity.open_amount == 0, "amounts in the state cells");
    // Before migration 36: the state cells held the contacts only, the open cells their count.
    let (drop, create) = match db.dialect() {
        Dialect::Sqlite => (
            "DROP INDEX rollup_cells_by_period",
            "CREATE INDEX rollup_cells_by_period ON rollup_cells (org_id, grain, day, rep_id, product_line_id,
                 won, won_amount, won_margin, won_cycle_days, lost, closed_after_proposal, won_after_proposal,
                 closed_after_gateway, won_after_gateway, first_appointments, first_appointments_to_gateway,
                 first_appointments_to_proposal, first_appointments_top_level, cold_calls, call_backs, emails,
                 appointments, field_visits, demos, meetings, events, conversations, appointments_set,
                 estimates, company_leads, company_leads_touched_in_time, company_leads_untouched, contacts,
                 complete_contacts, open_opportunities)",
        ),
        Dialect::Postgres => (
            "DROP INDEX rollup_cells_standing",
            "CREATE INDEX rollup_cells_standing ON rollup_cells (org_id, grain, day, rep_id, product_line_id)
             INCLUDE (contacts, complete_contacts, open_opportunities, demos)
             WHERE grain IN ('state', 'open_activity', 'open_close', 'demo_day', 'demo_week', 'demo_month',
                             'demo_quarter', 'demo_year')",
        ),
    };
    db.batch(&format!(
        "DELETE FROM rollup_cells WHERE grain = 'state' AND contacts = 0;
         UPDATE rollup_cells SET open_opportunities = 0 WHERE grain = 'state';
         {drop};
         ALTER TABLE rollup_cells DROP COLUMN open_amount;
         ALTER TABLE rollup_cells DROP COLUMN open_weighted;
         {create};
         DELETE FROM schema_migrations WHERE version = 36"
    ))
    .unwrap_or_else(|e| panic!("back to migration 35: {e}"));
    migrate_to(db, 36).unwrap_or_else(|e| panic!("migration 36 over data: {e}"));
    assert_eq!(quotient_store::kpi::snapshot(db, org).unwrap_or_else(|e| panic!("{e}")), rebuilt);
}

#[test]
fn the_open_pipeline_migration_equals_a_rebuild_on_sqlite() {
    the_open_pipeline_migration_equals_a_rebuild(&mut TestDb::sqlite());
}

#[test]
fn the_open_pipeline_migration_equals_a_rebuild_on_postgres() {
    if let Some(mut test) = TestDb::postgres() {
        the_open_pipeline_migration_equals_a_rebuild(&mut test);
    }
}

#[test]
fn the_year_migration_equals_a_rebuild_on_sqlite() {
    the_year_migration_equals_a_rebuild(&mut TestDb::sqlite());
}

#[test]
fn the_year_migration_equals_a_rebuild_on_postgres() {
    if let Some(mut test) = TestDb::postgres() {
        the_year_migration_equals_a_rebuild(&mut test);
    }
}

#[test]
fn the_every_line_migration_equals_a_rebuild_on_sqlite() {
    the_every_line_migration_equals_a_rebuild(&mut TestDb::sqlite());
}

#[test]
fn the_every_line_migration_equals_a_rebuild_on_postgres() {
    if let Some(mut test) = TestDb::postgres() {
        the_every_line_migration_equals_a_rebuild(&mut test);
    }
}

#[test]
fn the_open_cells_migration_equals_a_rebuild_on_sqlite() {
    the_open_cells_migration_equals_a_rebuild(&mut TestDb::sqlite());
}

#[test]
fn the_open_cells_migration_equals_a_rebuild_on_postgres() {
    if let Some(mut test) = TestDb::postgres() {
        the_open_cells_migration_equals_a_rebuild(&mut test);
    }
}

/// Migration 0033 sets each opportunity's last stage change as a rebuild does: the latest of its
/// stage changes not deleted, none when it has none.
fn the_last_stage_change_migration_equals_a_rebuild(test: &mut TestDb) {
    let org = test.org("acme").id;
    let db = &mut test.db;
    bundle::import(db, org, &common::fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let id = |db: &mut Db, sql: &str| db.query_i64(sql, &[]).unwrap_or_else(|e| panic!("{e}"));
    let latest = |db: &mut Db, external: &str| {
        let sql = "SELECT last_stage_change_at FROM opportunities WHERE external_id = ?";
        db.query_opt(sql, &[Value::text(external)], |row| row.timestamp(0)).unwrap_or_else(|e| panic!("{e}")).flatten()
    };
    let at = |text: &str| Some(text.parse().unwrap_or_else(|e| panic!("{e}")));
    // O3 moves on; O1's last change (won, 31 March) is deleted; O2's history is gone.
    let o3 = id(db, "SELECT id FROM opportunities WHERE external_id = 'O3'");
    let moved = at("2026-09-01T10:00:00Z").unwrap_or_else(|| panic!("a time"));
    unscoped::move_stage(db, org, None, o3, "qualified", moved, None).unwrap_or_else(|e| panic!("{e}"));
    let won = id(
        db,
        "SELECT s.id FROM stage_changes s JOIN opportunities o ON o.id = s.opportunity_id WHERE o.external_id = 'O1' AND s.stage = 'won'",
    );
    unscoped::soft_delete(db, org, "stage_changes", won, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(latest(db, "O1"), at("2026-02-15T09:00:00Z"), "a deleted change is not the last");
    db.batch(
        "DELETE FROM stage_changes WHERE opportunity_id IN (SELECT id FROM opportunities WHERE external_id = 'O2')",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    db.transaction(|db| quotient_store::kpi::rebuild(db, org)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(latest(db, "O3"), at("2026-09-01T10:00:00Z"));
    assert_eq!(latest(db, "O1"), at("2026-02-15T09:00:00Z"));
    assert_eq!(latest(db, "O2"), None, "no stage change, no last one");
    let stored = |db: &mut Db| {
        texts(db, "SELECT CAST(id AS TEXT), CAST(last_stage_change_at AS TEXT) FROM opportunities ORDER BY id", &[], 2)
    };
    let rebuilt = stored(db);
    let index = match db.dialect() {
        Dialect::Sqlite => "DROP INDEX opportunities_by_owner_stage_change;",
        Dialect::Postgres => "",
    };
    db.batch(&format!(
        "{index}
         ALTER TABLE opportunities DROP COLUMN last_stage_change_at;
         DELETE FROM schema_migrations WHERE version = 33"
    ))
    .unwrap_or_else(|e| panic!("back to migration 32: {e}"));
    migrate_to(db, 33).unwrap_or_else(|e| panic!("migration 33 over data: {e}"));
    assert_eq!(stored(db), rebuilt);
}

#[test]
fn the_last_stage_change_migration_equals_a_rebuild_on_sqlite() {
    the_last_stage_change_migration_equals_a_rebuild(&mut TestDb::sqlite());
}

#[test]
fn the_last_stage_change_migration_equals_a_rebuild_on_postgres() {
    if let Some(mut test) = TestDb::postgres() {
        the_last_stage_change_migration_equals_a_rebuild(&mut test);
    }
}

/// Migration 0037 gives each satisfaction score its account's owner as a rebuild does: the owner
/// now, whichever rep the score was given to, and none where the account has none.
fn the_feedback_owner_migration_equals_a_rebuild(test: &mut TestDb) {
    let org = test.org("acme").id;
    let db = &mut test.db;
    bundle::import(db, org, &common::fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    // Acme (A1, R1's, two scores) is handed to R2 behind the writes' backs; Globex (A2) loses its owner.
    db.batch(
        "UPDATE accounts SET owner_id = (SELECT id FROM reps WHERE external_id = 'R2') WHERE external_id = 'A1';
         UPDATE accounts SET owner_id = NULL WHERE external_id = 'A2'",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    db.transaction(|db| quotient_store::kpi::rebuild(db, org)).unwrap_or_else(|e| panic!("{e}"));
    let stored = |db: &mut Db| {
        texts(
            db,
            "SELECT a.external_id, COALESCE(r.external_id, '-') FROM feedback f
             JOIN accounts a ON a.id = f.account_id LEFT JOIN reps r ON r.id = f.account_owner_id
             ORDER BY f.id",
            &[],
            2,
        )
    };
    let rebuilt = stored(db);
    let pair = |account: &str, owner: &str| vec![account.to_string(), owner.to_string()];
    assert_eq!(rebuilt, [pair("A1", "R2"), pair("A1", "R2"), pair("A2", "-")]);
    let index = match db.dialect() {
        Dialect::Sqlite => {
            "CREATE INDEX feedback_by_received ON feedback (org_id, received_on, account_id, score, deleted_at)"
        }
        Dialect::Postgres => {
            "CREATE INDEX feedback_by_received ON feedback (org_id, received_on) INCLUDE (account_id, score, deleted_at)"
        }
    };
    db.batch(&format!(
        "DROP INDEX feedback_by_account_owner;
         DROP INDEX feedback_by_received;
         {index};
         ALTER TABLE feedback DROP COLUMN account_owner_id;
         DELETE FROM schema_migrations WHERE version = 37"
    ))
    .unwrap_or_else(|e| panic!("back to migration 36: {e}"));
    migrate_to(db, 37).unwrap_or_else(|e| panic!("migration 37 over data: {e}"));
    assert_eq!(stored(db), rebuilt);
}

#[test]
fn the_feedback_owner_migration_equals_a_rebuild_on_sqlite() {
    the_feedback_owner_migration_equals_a_rebuild(&mut TestDb::sqlite());
}

#[test]
fn the_feedback_owner_migration_equals_a_rebuild_on_postgres() {
    if let Some(mut test) = TestDb::postgres() {
        the_feedback_owner_migration_equals_a_rebuild(&mut test);
    }
}
