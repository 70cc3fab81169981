//! Creating and editing records through their forms, and converting a lead, on SQLite and
//! PostgreSQL: scoped by the viewer, checked field by field, audited, all or nothing, and with the
//! KPI rollups equal to a rebuild afterwards.

mod common;

use common::{TestDb, fixture, viewer_of};
use quotient_core::model::UserRole;
use quotient_store::access::Viewer;
use quotient_store::crm::editing::{self, Invalid, Problem, Saved, Values};
use quotient_store::crm::leads::{self, Conversion, Outcome};
use quotient_store::orgs::Organisation;
use quotient_store::{Value, audit, bundle, kpi};

/// The fixture organisation and the viewer of a user linked to `rep` with `role`.
fn setup(test: &mut TestDb, rep: &str, role: UserRole) -> (Organisation, Viewer) {
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut bundle::Silent).unwrap_or_else(|e| panic!("{e}"));
    let viewer = viewer_of(test, &org, rep, role);
    (org, viewer)
}

fn id_of(test: &mut TestDb, table: &str, key: &str) -> i64 {
    test.db.query_i64(&format!("SELECT id FROM {table} WHERE external_id = ?"), &[Value::text(key)]).unwrap_or(-1)
}

fn values(pairs: &[(&str, &str)]) -> Values {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn assert_rollups_equal_a_rebuild(test: &mut TestDb, org: &Organisation) {
    let incremental = kpi::snapshot(&mut test.db, org.id).unwrap_or_else(|e| panic!("{e}"));
    test.db.transaction(|db| kpi::rebuild(db, org.id)).unwrap_or_else(|e| panic!("{e}"));
    let rebuilt = kpi::snapshot(&mut test.db, org.id).unwrap_or_else(|e| panic!("{e}"));
    assert!(incremental == rebuilt, "the incremental rollups differ from a rebuild");
}

fn a_rep_creates_an_opportunity_of_their_own_in_the_opening_stage(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
    let a1 = id_of(test, "accounts", "A1").to_string();
    let form = editing::form("opportunities").unwrap_or_else(|| panic!("form"));
    let input =
        values(&[("name", "Renewal"), ("account", &a1), ("amount", "1250.50"), ("created_at", "2026-03-02T10:15")]);
    let Saved::Done(id) = editing::create(&mut test.db, &r1, form, &input).unwrap_or_else(|e| panic!("{e}")) else {
        panic!("refused")
    };
    let row = test
        .db
        .query_opt(
            "SELECT owner_id, amount_cents, stage, status FROM opportunities WHERE id = ?",
            &[Value::Int(id)],
            |row| Ok((row.int(0)?, row.int(1)?, row.text(2)?.map(str::to_string), row.text(3)?.map(str::to_string))),
        )
        .ok()
        .flatten();
    let r1_id = id_of(test, "reps", "R1");
    // The owner left empty is the rep; 1250.50 is 125,050 cents; the pipeline's first open stage.
    assert_eq!(row, Some((Some(r1_id), Some(125_050), Some("prospect".into()), Some("open".into()))));
    let entered = "SELECT COUNT(*) FROM stage_changes WHERE opportunity_id = ? AND stage = 'prospect'";
    assert_eq!(test.db.query_i64(entered, &[Value::Int(id)]).ok(), Some(1));
    let history = audit::history(&mut test.db, org.id, "opportunities", id).unwrap_or_default();
    assert_eq!(history.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["create"]);
    assert_rollups_equal_a_rebuild(test, &org);
}

fn refused_fields_are_named_and_nothing_is_written(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
    // A2 belongs to R2: out of R1's reach, so it is "no such account" to R1.
    let a2 = id_of(test, "accounts", "A2").to_string();
    let form = editing::form("opportunities").unwrap_or_else(|| panic!("form"));
    let before = test.count("opportunities", &org);
    let input = values(&[("name", " "), ("account", &a2), ("amount", "-5"), ("created_at", "yesterday")]);
    let saved = editing::create(&mut test.db, &r1, form, &input).unwrap_or_else(|e| panic!("{e}"));
    let refused = |field, problem| Invalid { field, problem };
    assert_eq!(
        saved,
        Saved::Refused(vec![
            refused("name", Problem::Required),
            refused("account", Problem::Reference),
            refused("amount", Problem::Amount),
            refused("created_at", Problem::Time),
        ])
    );
    assert_eq!(test.count("opportunities", &org), before);
    let contacts = editing::form("contacts").unwrap_or_else(|| panic!("form"));
    let a1 = id_of(test, "accounts", "A1").to_string();
    let input = values(&[("account", &a1), ("last_name", "Ng"), ("authority_level", "9"), ("buying_role", "boss")]);
    let saved = editing::create(&mut test.db, &r1, contacts, &input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        saved,
        Saved::Refused(vec![
            refused("buying_role", Problem::Choice),
            refused("authority_level", Problem::Number { min: 1, max: 5 }),
        ])
    );
}

fn an_edit_is_audited_and_out_of_reach_records_are_not_found(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
    let form = editing::form("opportunities").unwrap_or_else(|| panic!("form"));
    let o1 = id_of(test, "opportunities", "O1");
    let mut input = editing::current(&mut test.db, &r1, form, o1).ok().flatten().unwrap_or_else(|| panic!("O1"));
    input.insert("amount".into(), "99.99".into());
    assert_eq!(editing::update(&mut test.db, &r1, form, o1, &input).ok(), Some(Saved::Done(o1)));
    let amount = test.db.query_i64("SELECT amount_cents FROM opportunities WHERE id = ?", &[Value::Int(o1)]).ok();
    assert_eq!(amount, Some(9_999));
    let history = audit::history(&mut test.db, org.id, "opportunities", o1).unwrap_or_default();
    let last = history.last().unwrap_or_else(|| panic!("audited"));
    assert_eq!(last.action, "update");
    assert_eq!(last.after.as_ref().and_then(|a| a.get("amount_cents")), Some(&serde_json::json!(9_999)));
    assert_ne!(last.before, last.after);
    assert_rollups_equal_a_rebuild(test, &org);
    // O2 is R2's.
    let o2 = id_of(test, "opportunities", "O2");
    assert_eq!(editing::current(&mut test.db, &r1, form, o2).ok(), Some(None));
    assert_eq!(editing::update(&mut test.db, &r1, form, o2, &input).ok(), Some(Saved::NotFound));
}

/// An appointment logged or moved through the form changes its opportunity's first appointment
/// (and whether it was at the top): the opportunity's cells move with it.
fn an_appointment_moves_its_opportunitys_first_appointment(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
    let form = editing::form("activities").unwrap_or_else(|| panic!("form"));
    let [a1, c1, c2, o1, o3] =
        [("accounts", "A1"), ("contacts", "C1"), ("contacts", "C2"), ("opportunities", "O1"), ("opportunities", "O3")]
            .map(|(table, key)| id_of(test, table, key).to_string());
    // O3 has no appointment yet; this one, with C1 (authority 5), becomes its first, at the top.
    let input = values(&[
        ("type", "appointment"),
        ("occurred_at", "2026-03-04T08:00"),
        ("account", &a1),
        ("contact", &c1),
        ("opportunity", &o3),
    ]);
    let Saved::Done(id) = editing::create(&mut test.db, &r1, form, &input).unwrap_or_else(|e| panic!("{e}")) else {
        panic!("refused")
    };
    assert_rollups_equal_a_rebuild(test, &org);
    // Moved to O1, before O1's appointment with C1 and with C2 (authority 2): O3 has none again,
    // and O1's first appointment is no longer at the top.
    let mut input = editing::current(&mut test.db, &r1, form, id).ok().flatten().unwrap_or_else(|| panic!("logged"));
    input.extend(values(&[("occurred_at", "2026-01-08T09:00"), ("contact", &c2), ("opportunity", &o1)]));
    assert_eq!(editing::update(&mut test.db, &r1, form, id, &input).ok(), Some(Saved::Done(id)));
    assert_rollups_equal_a_rebuild(test, &org);
}

fn converting_a_lead_creates_account_contact_and_opportunity(test: &mut TestDb) {
    let (org, m1) = setup(test, "M1", UserRole::Manager);
    let l2 = id_of(test, "leads", "L2");
    let lead = leads::find(&mut test.db, &m1, l2).ok().flatten().unwrap_or_else(|| panic!("L2"));
    let proposal = lead.proposal();
    assert_eq!(
        (proposal.account_name.as_str(), proposal.first_name.as_str(), proposal.last_name.as_str()),
        ("Initech", "Pat", "Doe")
    );
    let (accounts, contacts, opportunities) =
        (test.count("accounts", &org), test.count("contacts", &org), test.count("opportunities", &org));
    let bad = Conversion { amount: "lots".into(), ..proposal.clone() };
    let outcome = leads::convert(&mut test.db, &m1, l2, &bad).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome, Outcome::Refused(vec![Invalid { field: "amount", problem: Problem::Amount }]));
    assert_eq!((test.count("accounts", &org), test.count("contacts", &org)), (accounts, contacts), "rolled back");
    let good = Conversion { amount: "8000".into(), ..proposal };
    let Outcome::Done(done) = leads::convert(&mut test.db, &m1, l2, &good).unwrap_or_else(|e| panic!("{e}")) else {
        panic!("refused")
    };
    assert_eq!((test.count("accounts", &org), test.count("opportunities", &org)), (accounts + 1, opportunities + 1));
    let r2 = id_of(test, "reps", "R2");
    let opportunity = test
        .db
        .query_opt(
            "SELECT owner_id, account_id, lead_id, amount_cents FROM opportunities WHERE id = ?",
            &[Value::Int(done.opportunity)],
            |row| Ok((row.int(0)?, row.int(1)?, row.int(2)?, row.int(3)?)),
        )
        .ok()
        .flatten();
    // The lead's owner R2 owns the deal, not the converting manager.
    assert_eq!(opportunity, Some((Some(r2), Some(done.account), Some(l2), Some(800_000))));
    let lead = test
        .db
        .query_opt("SELECT status, opportunity_id FROM leads WHERE id = ?", &[Value::Int(l2)], |row| {
            Ok((row.text(0)?.map(str::to_string), row.int(1)?))
        })
        .ok()
        .flatten();
    assert_eq!(lead, Some((Some("converted".into()), Some(done.opportunity))));
    let contact = "SELECT COUNT(*) FROM contacts WHERE account_id = ? AND last_name = 'Doe' AND first_name = 'Pat'";
    assert_eq!(test.db.query_i64(contact, &[Value::Int(done.account)]).ok(), Some(1));
    assert_eq!(leads::convert(&mut test.db, &m1, l2, &good).ok(), Some(Outcome::NotFound), "converted once");
    assert_rollups_equal_a_rebuild(test, &org);
}

fn a_rep_cannot_convert_another_reps_lead(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
    let l2 = id_of(test, "leads", "L2");
    let before = test.count("accounts", &org);
    let conversion = Conversion {
        account_name: "X".into(),
        last_name: "Y".into(),
        opportunity_name: "Z".into(),
        amount: "1".into(),
        ..Conversion::default()
    };
    assert_eq!(leads::convert(&mut test.db, &r1, l2, &conversion).ok(), Some(Outcome::NotFound));
    assert_eq!(test.count("accounts", &org), before);
}

/// Every free text of a form has a limit, and control characters (NUL, which PostgreSQL cannot
/// store, among them) are refused as a field's problem, not a database error.
fn over_long_and_control_character_texts_are_refused_field_by_field(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
    let a1 = id_of(test, "accounts", "A1").to_string();
    let contacts = editing::form("contacts").unwrap_or_else(|| panic!("form"));
    let (name, email, phone, address) =
        ("n".repeat(201), format!("{}@x.example", "e".repeat(245)), "1".repeat(51), "a".repeat(1_001));
    let input = values(&[
        ("account", &a1),
        ("first_name", "Pat\0"),
        ("last_name", &name),
        ("title", "Head of\u{7}Sales"),
        ("email", &email),
        ("phone", &phone),
        ("address", &address),
    ]);
    let before = test.count("contacts", &org);
    let saved = editing::create(&mut test.db, &r1, contacts, &input).unwrap_or_else(|e| panic!("{e}"));
    let refused = |field, problem| Invalid { field, problem };
    assert_eq!(
        saved,
        Saved::Refused(vec![
            refused("first_name", Problem::ControlCharacter),
            refused("last_name", Problem::TooLong { max: 200 }),
            refused("title", Problem::ControlCharacter),
            refused("email", Problem::TooLong { max: 254 }),
            refused("phone", Problem::TooLong { max: 50 }),
            refused("address", Problem::TooLong { max: 1_000 }),
        ])
    );
    assert_eq!(test.count("contacts", &org), before);
    // At the limits, with tabs and line breaks, in any script: stored as given.
    let (name, email, address) =
        ("ü".repeat(200), format!("{}@x.example", "e".repeat(244)), format!("1 Main St\r\n\t{}", "a".repeat(988)));
    let input = values(&[("account", &a1), ("last_name", &name), ("email", &email), ("address", &address)]);
    let Saved::Done(id) = editing::create(&mut test.db, &r1, contacts, &input).unwrap_or_else(|e| panic!("{e}")) else {
        panic!("refused at the limits")
    };
    let stored = test.db.query_opt("SELECT last_name, address FROM contacts WHERE id = ?", &[Value::Int(id)], |row| {
        Ok((row.text(0)?.map(str::to_string), row.text(1)?.map(str::to_string)))
    });
    assert_eq!(stored.ok().flatten(), Some((Some(name), Some(address))));
    // A lead's conversion names the refused field by the conversion's own name.
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    let l2 = id_of(test, "leads", "L2");
    let conversion = Conversion {
        account_name: "x".repeat(201),
        last_name: "Doe".into(),
        opportunity_name: "Deal\0".into(),
        amount: "10".into(),
        ..Conversion::default()
    };
    let outcome = leads::convert(&mut test.db, &m1, l2, &conversion).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome,
        Outcome::Refused(vec![refused("account_name", Problem::TooLong { max: 200 })]),
        "the conversion stops at the account, its first record"
    );
    let conversion = Conversion { account_name: "Acme".into(), ..conversion };
    let outcome = leads::convert(&mut test.db, &m1, l2, &conversion).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome, Outcome::Refused(vec![refused("opportunity_name", Problem::ControlCharacter)]));
}

/// The offset of a page far past the end saturates instead of overflowing (a panic in a debug
/// build, a wrapped, negative offset in a release build).
fn a_page_past_the_end_is_empty_however_far(test: &mut TestDb) {
    let (_, r1) = setup(test, "R1", UserRole::Rep);
    let listing = quotient_store::crm::browse::listing("accounts").unwrap_or_else(|| panic!("listing"));
    for page in [i64::MAX, i64::MAX / 100 + 1, 1_000] {
        let query = quotient_store::crm::browse::ListQuery { page, page_size: 100, ..Default::default() };
        let listed = quotient_store::crm::browse::list(&mut test.db, &r1, listing, &query)
            .unwrap_or_else(|e| panic!("page {page}: {e}"));
        assert!(
            listed.records.is_empty() && listed.total > 0,
            "page {page}: {} records of {}",
            listed.records.len(),
            listed.total
        );
    }
}

on_both_backends!(
    over_long_and_control_character_texts_are_refused_field_by_field,
    a_page_past_the_end_is_empty_however_far,
    a_rep_creates_an_opportunity_of_their_own_in_the_opening_stage,
    refused_fields_are_named_and_nothing_is_written,
    an_edit_is_audited_and_out_of_reach_records_are_not_found,
    an_appointment_moves_its_opportunitys_first_appointment,
    converting_a_lead_creates_account_contact_and_opportunity,
    a_rep_cannot_convert_another_reps_lead,
);
