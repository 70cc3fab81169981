//! The bundle import and export, on SQLite and on PostgreSQL.

mod common;

use common::{TestDb, fixture, fixture_copy, read_bundle};
use quotient_store::bundle::{self, ImportError, Silent, spec};
use quotient_store::{Dialect, Value};

const ALL_TABLES: [&str; 12] = [
    "territories",
    "product_lines",
    "reps",
    "accounts",
    "contacts",
    "leads",
    "opportunities",
    "stage_changes",
    "activities",
    "estimates",
    "feedback",
    "quotas",
];

fn import_ok(
    test: &mut TestDb,
    org: &quotient_store::orgs::Organisation,
    dir: &std::path::Path,
) -> bundle::ImportSummary {
    match bundle::import(&mut test.db, org.id, dir, &mut Silent) {
        Ok(summary) => summary,
        Err(ImportError::Invalid(problems)) => panic!("the bundle should import:\n{problems}"),
        Err(error) => panic!("{error}"),
    }
}

fn rows(test: &mut TestDb, org: &quotient_store::orgs::Organisation) -> Vec<(&'static str, i64)> {
    ALL_TABLES.iter().map(|t| (*t, test.count(t, org))).collect()
}

fn imports_every_file_of_a_valid_bundle(test: &mut TestDb) {
    let org = test.org("acme");
    let summary = import_ok(test, &org, &fixture("valid"));
    let expected = [
        ("territories", 3),
        ("product_lines", 2),
        ("reps", 4),
        ("accounts", 2),
        ("contacts", 3),
        ("leads", 3),
        ("opportunities", 3),
        ("stage_changes", 8),
        ("activities", 5),
        ("estimates", 2),
        ("feedback", 3),
        ("quotas", 4),
    ];
    assert_eq!(rows(test, &org), expected);
    assert_eq!(summary.inserted(), 42);
    assert_eq!(summary.updated(), 0);
}

fn stores_values_exactly(test: &mut TestDb) {
    let org = test.org("acme");
    import_ok(test, &org, &fixture("valid"));
    let db = &mut test.db;
    // 8000.25 is 800025 cents; 12000000.5 is 1200000050 cents.
    assert_eq!(
        db.query_i64("SELECT amount_cents FROM opportunities WHERE external_id = 'O2'", &[]).ok(),
        Some(800_025)
    );
    assert_eq!(
        db.query_i64("SELECT annual_revenue_cents FROM accounts WHERE external_id = 'A1'", &[]).ok(),
        Some(1_200_000_050)
    );
    // A count metric is stored as a count, a money metric in cents.
    assert_eq!(db.query_i64("SELECT target FROM quotas WHERE external_id = 'R1|2026-Q1|deals|'", &[]).ok(), Some(3));
    assert_eq!(db.query_i64("SELECT target FROM quotas WHERE metric = 'margin'", &[]).ok(), Some(2_500_050));
    // The missing stage of a lost deal is derived from its status; of an open one from its furthest milestone.
    let stage = |db: &mut quotient_store::Db, key: &str| {
        db.query_opt("SELECT stage FROM opportunities WHERE external_id = ?", &[Value::text(key)], |r| {
            Ok(r.text(0)?.map(str::to_string))
        })
        .ok()
        .flatten()
        .flatten()
    };
    assert_eq!(stage(db, "O2").as_deref(), Some("lost"));
    assert_eq!(stage(db, "O3").as_deref(), Some("gateway"));
    // A quoted field keeps its commas, quotes and newlines.
    let address = db
        .query_opt("SELECT address FROM contacts WHERE external_id = 'C1'", &[], |r| Ok(r.text(0)?.map(str::to_string)))
        .ok()
        .flatten()
        .flatten();
    assert_eq!(address.as_deref(), Some("1 Main Street\nSuite 4\nChicago"));
    // References point at the right rows: O1's lead is L1 and L1's opportunity is O1.
    let lead_of_o1 = db.query_i64("SELECT l.opportunity_id FROM leads l WHERE l.external_id = 'L1'", &[]).ok();
    let o1 = db.query_i64("SELECT id FROM opportunities WHERE external_id = 'O1'", &[]).ok();
    assert_eq!(lead_of_o1, o1);
    let manager = db
        .query_opt("SELECT m.external_id FROM reps r JOIN reps m ON m.org_id = r.org_id AND m.id = r.manager_id WHERE r.external_id = 'R1'", &[], |r| {
            Ok(r.text(0)?.map(str::to_string))
        })
        .ok()
        .flatten()
        .flatten();
    assert_eq!(manager.as_deref(), Some("M1"), "a rep's manager may come later in reps.csv");
}

fn every_reference_resolves_after_import(test: &mut TestDb) {
    let org = test.org("acme");
    import_ok(test, &org, &fixture("valid"));
    for file in &spec::FILES {
        for column in file.columns {
            if let spec::Kind::Ref(entity) = column.kind {
                let orphans = test
                    .db
                    .query_i64(
                        &format!(
                            "SELECT COUNT(*) FROM {t} c LEFT JOIN {p} p ON p.org_id = c.org_id AND p.id = c.{col}
                             WHERE c.{col} IS NOT NULL AND p.id IS NULL",
                            t = file.table,
                            p = entity.table(),
                            col = column.db
                        ),
                        &[],
                    )
                    .unwrap_or(-1);
                assert_eq!(orphans, 0, "{}.{} has dangling references", file.table, column.db);
            }
        }
    }
}

fn reimporting_the_same_bundle_changes_nothing(test: &mut TestDb) {
    let org = test.org("acme");
    import_ok(test, &org, &fixture("valid"));
    let before = rows(test, &org);
    let ids = test.db.query_i64("SELECT SUM(id) FROM opportunities", &[]).ok();
    let again = import_ok(test, &org, &fixture("valid"));
    assert_eq!((again.inserted(), again.updated(), again.rows()), (0, 0, 42));
    assert_eq!(rows(test, &org), before);
    assert_eq!(test.db.query_i64("SELECT SUM(id) FROM opportunities", &[]).ok(), ids);
    assert_eq!(test.db.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'import'", &[]).ok(), Some(2));
}

fn a_second_import_updates_changed_rows_in_place(test: &mut TestDb) {
    let org = test.org("acme");
    import_ok(test, &org, &fixture("valid"));
    let id = test.db.query_i64("SELECT id FROM opportunities WHERE external_id = 'O3'", &[]).ok();
    let edited = fixture_copy("valid");
    let path = edited.path().join("opportunities.csv");
    let text =
        std::fs::read_to_string(&path).unwrap_or_default().replace("O3,A1,R1,PL2,,4500,", "O3,A1,R1,PL2,,4750.75,");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let summary = import_ok(test, &org, edited.path());
    assert_eq!((summary.inserted(), summary.updated()), (0, 1));
    assert_eq!(test.db.query_i64("SELECT id FROM opportunities WHERE external_id = 'O3'", &[]).ok(), id);
    assert_eq!(
        test.db.query_i64("SELECT amount_cents FROM opportunities WHERE external_id = 'O3'", &[]).ok(),
        Some(475_075)
    );
}

fn import_export_import_export_gives_identical_files(test: &mut TestDb) {
    let org = test.org("acme");
    import_ok(test, &org, &fixture("valid"));
    let first = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let exported = bundle::export(&mut test.db, org.id, first.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exported.rows(), 42);
    let copy = test.org("copy");
    import_ok(test, &copy, first.path());
    let second = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    bundle::export(&mut test.db, copy.id, second.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read_bundle(first.path()), read_bundle(second.path()));
    // Exported values are canonical: two decimals, UTC timestamps with Z, derived stages filled in.
    let opportunities = String::from_utf8(std::fs::read(first.path().join("opportunities.csv")).unwrap_or_default())
        .unwrap_or_default();
    assert!(opportunities.contains("O2,A2,R2,PL2,Globex wifi,8000.25,,2026-02-01T09:00:00Z,2026-04-30,2026-02-05T09:00:00Z,,,,2026-03-01T12:00:00Z,lost,lost,price,"), "{opportunities}");
}

fn organisations_do_not_see_each_others_rows(test: &mut TestDb) {
    let (acme, other) = (test.org("acme"), test.org("other"));
    import_ok(test, &acme, &fixture("valid"));
    assert!(rows(test, &other).iter().all(|(_, n)| *n == 0));
    // The same external ids in another organisation are other rows.
    import_ok(test, &other, &fixture("valid"));
    assert_eq!(rows(test, &acme), rows(test, &other));
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let summary = bundle::export(&mut test.db, other.id, out.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.rows(), 42);
}

fn semicolons_a_bom_and_crlf_read_the_same(test: &mut TestDb) {
    let variant = fixture_copy("valid");
    for entry in std::fs::read_dir(variant.path()).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        // Re-write every file with `;` between fields (the fixture's quoted fields hold no `;`).
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(vec![0xEF, 0xBB, 0xBF]);
        for record in reader.records().flatten() {
            writer.write_record(&record).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(entry.path(), writer.into_inner().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    }
    let (plain, odd) = (test.org("plain"), test.org("odd"));
    import_ok(test, &plain, &fixture("valid"));
    import_ok(test, &odd, variant.path());
    let (a, b) =
        (tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")), tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")));
    bundle::export(&mut test.db, plain.id, a.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    bundle::export(&mut test.db, odd.id, b.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read_bundle(a.path()), read_bundle(b.path()));
}

/// Renames territories and opportunities on a connection of its own, in one committed
/// transaction, when the export starts on the opportunities (after the territories are written).
struct WriteDuringExport {
    other: Option<quotient_store::Db>,
}

impl bundle::Progress for WriteDuringExport {
    fn file_started(&mut self, file: &str, _bytes: u64) {
        if file != "opportunities.csv" {
            return;
        }
        let Some(mut other) = self.other.take() else { return };
        other
            .transaction(|db| {
                db.execute("UPDATE territories SET name = name || ' (renamed)'", &[])?;
                db.execute("UPDATE opportunities SET name = name || ' (renamed)'", &[])
            })
            .unwrap_or_else(|e| panic!("the write during the export: {e}"));
    }
}

/// An export reads one state: a write committed while it runs is in none of its files, not in
/// the files written after the commit alone.
fn an_export_reads_one_state_while_others_write(test: &mut TestDb) {
    let org = test.org("acme");
    import_ok(test, &org, &fixture("valid"));
    let (before, during) =
        (tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")), tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")));
    bundle::export(&mut test.db, org.id, before.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let mut writer = WriteDuringExport { other: Some(test.reopen()) };
    bundle::export(&mut test.db, org.id, during.path(), &mut writer).unwrap_or_else(|e| panic!("{e}"));
    assert!(writer.other.is_none(), "the write ran during the export");
    assert_eq!(read_bundle(during.path()), read_bundle(before.path()));
    // The write was committed: the next export has it in both files.
    let after = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    bundle::export(&mut test.db, org.id, after.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    for file in ["territories.csv", "opportunities.csv"] {
        let text = std::fs::read_to_string(after.path().join(file)).unwrap_or_default();
        assert!(text.contains("(renamed)"), "{file}: {text}");
    }
}

/// Every constraint and index of the schema as the catalogue defines it, one line each.
fn schema_objects(test: &mut TestDb) -> Vec<String> {
    let sql = match test.db.dialect() {
        Dialect::Sqlite => "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY 1",
        Dialect::Postgres => {
            "SELECT conrelid::regclass::text || ' ' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint
             WHERE connamespace = current_schema()::regnamespace
             UNION ALL
             SELECT tablename || ' ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
             ORDER BY 1"
        }
    };
    let objects = test.db.query_map(sql, &[], |row| Ok(row.text(0)?.unwrap_or_default().to_string()));
    objects.unwrap_or_else(|e| panic!("{e}"))
}

/// The organisation's rollup cells, summed: what a rollback must leave as it was.
fn cell_totals(test: &mut TestDb, org: &quotient_store::orgs::Organisation) -> (i64, i64, i64) {
    let sql = "SELECT COUNT(*), CAST(COALESCE(SUM(won), 0) AS BIGINT), CAST(COALESCE(SUM(won_amount), 0) AS BIGINT)
               FROM rollup_cells WHERE org_id = ?";
    let totals = test.db.query_map(sql, &[org.id.value()], |row| {
        Ok((row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default(), row.int(2)?.unwrap_or_default()))
    });
    totals.unwrap_or_else(|e| panic!("{e}")).remove(0)
}

/// An import sets indexes and keys aside for its loads, a rebuild its foreign key too, and they
/// put back exactly what was there.
fn an_import_and_a_rebuild_keep_every_constraint(test: &mut TestDb) {
    let before = schema_objects(test);
    if test.db.dialect() == Dialect::Postgres {
        assert!(
            before.iter().any(|o| o.starts_with("rollup_cells rollup_cells_org_id_fkey: FOREIGN KEY")),
            "{before:?}"
        );
    }
    let org = test.org("acme");
    import_ok(test, &org, &fixture("valid"));
    assert_eq!(schema_objects(test), before, "after the import");
    let cells = cell_totals(test, &org);
    assert!(cells.0 > 0);
    // Outside an import the session checks foreign keys, so on PostgreSQL the rebuild sets them aside.
    test.db.transaction(|db| quotient_store::kpi::rebuild(db, org.id)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schema_objects(test), before, "after the rebuild");
    assert_eq!(cell_totals(test, &org), cells);
}

/// A rebuild that fails, here after its load, leaves the cells, indexes and constraints as they
/// were.
fn a_failed_rebuild_leaves_everything_as_it_was(test: &mut TestDb) {
    let org = test.org("acme");
    import_ok(test, &org, &fixture("valid"));
    let (objects, cells) = (schema_objects(test), cell_totals(test, &org));
    let failed: quotient_store::Result<u64> = test.db.transaction(|db| {
        quotient_store::kpi::rebuild(db, org.id)?;
        db.execute("DELETE FROM rollup_cells WHERE org_id = ?", &[org.id.value()])?;
        Err(quotient_store::StoreError::NotFound("a failure after the load".into()))
    });
    assert!(failed.is_err());
    assert_eq!(schema_objects(test), objects);
    assert_eq!(cell_totals(test, &org), cells);
}

/// When a foreign key set aside for a load cannot be added back (a row refers to nothing), the
/// rebuild fails as a whole: nothing is left dropped or loaded.
fn a_rebuild_whose_reference_breaks_rolls_back() {
    let Some(mut test) = TestDb::postgres() else { return };
    let org = test.org("acme");
    import_ok(&mut test, &org, &fixture("valid"));
    let (objects, cells) = (schema_objects(&mut test), cell_totals(&mut test, &org));
    // A cell of an organisation that does not exist, let in with the session's checks off.
    let stray = "SET session_replication_role = replica;
         INSERT INTO rollup_cells (org_id, rep_id, grain, day) VALUES (-1, 1, 'day', '2026-01-01');
         SET session_replication_role = origin";
    test.db.batch(stray).unwrap_or_else(|e| panic!("{e}"));
    let rebuilt = test.db.transaction(|db| quotient_store::kpi::rebuild(db, org.id));
    match rebuilt {
        Err(quotient_store::StoreError::Postgres(error)) => {
            let constraint = error.as_db_error().and_then(|e| e.constraint());
            assert_eq!(constraint, Some("rollup_cells_org_id_fkey"), "{error:?}");
        }
        other => panic!("the foreign key cannot come back: {other:?}"),
    }
    assert_eq!(schema_objects(&mut test), objects);
    assert_eq!(cell_totals(&mut test, &org), cells);
}

/// An import by a role that may not switch the foreign-key triggers off (not a superuser) checks
/// every reference as it loads, and loads everything; so does a second import over the first.
#[test]
fn an_import_by_a_role_that_is_not_a_superuser_on_postgres() {
    let Some(mut test) = TestDb::postgres_not_superuser() else { return };
    let superuser = test.db.query_i64("SELECT (current_setting('is_superuser') = 'on')::int", &[]);
    assert_eq!(superuser.unwrap_or_else(|e| panic!("{e}")), 0);
    let objects = schema_objects(&mut test);
    let org = test.org("acme");
    let summary = import_ok(&mut test, &org, &fixture("valid"));
    assert!(summary.inserted() > 0, "{summary:?}");
    assert_eq!(schema_objects(&mut test), objects);
    let counts = rows(&mut test, &org);
    assert!(counts.iter().all(|&(_, n)| n > 0), "{counts:?}");
    import_ok(&mut test, &org, &fixture("valid"));
    assert_eq!(rows(&mut test, &org), counts);
}

#[test]
fn a_rebuild_whose_reference_breaks_rolls_back_on_postgres() {
    a_rebuild_whose_reference_breaks_rolls_back();
}

on_both_backends!(
    a_failed_rebuild_leaves_everything_as_it_was,
    an_import_and_a_rebuild_keep_every_constraint,
    an_export_reads_one_state_while_others_write,
    imports_every_file_of_a_valid_bundle,
    stores_values_exactly,
    every_reference_resolves_after_import,
    reimporting_the_same_bundle_changes_nothing,
    a_second_import_updates_changed_rows_in_place,
    import_export_import_export_gives_identical_files,
    organisations_do_not_see_each_others_rows,
    semicolons_a_bom_and_crlf_read_the_same,
);
