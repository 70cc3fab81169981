//! Creating and editing records through their forms, and converting a lead, on SQLite and
//! PostgreSQL: scoped by the viewer, checked field by field, audited, all or nothing, and with the
//! KPI rollups equal to a rebuild afterwards.

mod common;

use common::{TestDb, fixture, refused, viewer_of};
use quotient_core::Lang;
use quotient_core::model::UserRole;
use quotient_store::access::Viewer;
use quotient_store::crm::forms;
use quotient_store::crm::leads;
use quotient_store::crm::values::{self, Values};
use quotient_store::ids::{LeadId, RecordId};
use quotient_store::ops::records::{self, ConvertLead, CreateRecord, Unsent, UpdateRecord};
use quotient_store::orgs::Organisation;
use quotient_store::{Code, Result, StoreError, Value, audit, bundle, kpi};

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

fn form(table: &str) -> &'static forms::Form {
    forms::form(table).unwrap_or_else(|| panic!("no form of {table}"))
}

fn create(test: &mut TestDb, viewer: &Viewer, table: &str, input: &Values) -> Result<i64> {
    records::create(
        &mut test.db,
        viewer,
        &CreateRecord { form: form(table), values: input.clone(), lang: Lang::ENGLISH },
    )
    .map(RecordId::get)
}

/// Changes every field of the form to `input` (as a form sent whole does).
fn update(test: &mut TestDb, viewer: &Viewer, table: &str, id: i64, input: &Values) -> Result<()> {
    let command = UpdateRecord {
        form: form(table),
        id: RecordId(id),
        values: input.clone(),
        unsent: Unsent::Cleared,
        lang: Lang::ENGLISH,
    };
    records::update(&mut test.db, viewer, &command)
}

/// The fields and codes of a refusal; panics on anything else.
/// Converts with every name given as in `names`: account, first, last, opportunity.
fn conversion(lead: i64, names: [&str; 4], amount: &str) -> ConvertLead {
    let [account, first, last, opportunity] = names.map(|name| Some(name.to_string()));
    ConvertLead {
        lead: LeadId(lead),
        account_name: account,
        first_name: first,
        last_name: last,
        opportunity_name: opportunity,
        amount: amount.into(),
        product_line: String::new(),
        lang: Lang::ENGLISH,
    }
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
    let input =
        values(&[("name", "Renewal"), ("account", &a1), ("amount", "1250.50"), ("created_at", "2026-03-02T10:15")]);
    let id = create(test, &r1, "opportunities", &input).unwrap_or_else(|e| panic!("{e}"));
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
    let before = test.count("opportunities", &org);
    let input = values(&[("name", " "), ("account", &a2), ("amount", "-5"), ("created_at", "yesterday")]);
    assert_eq!(
        refused(create(test, &r1, "opportunities", &input)),
        [("name", Code::Required), ("account", Code::Reference), ("amount", Code::Amount), ("created_at", Code::Time)]
    );
    assert_eq!(test.count("opportunities", &org), before);
    let a1 = id_of(test, "accounts", "A1").to_string();
    let input = values(&[("account", &a1), ("last_name", "Ng"), ("authority_level", "9"), ("buying_role", "boss")]);
    let result = create(test, &r1, "contacts", &input);
    let Err(StoreError::Refused(refusals)) = &result else { panic!("{result:?}") };
    assert_eq!(refusals[1].message(Lang::ENGLISH), "Enter a whole number from 1 to 5.");
    assert_eq!(refused(result), [("buying_role", Code::Choice), ("authority_level", Code::NumberOutOfRange)]);
    // An executive reads the records but may not create one: not permitted, before any reading.
    let e1 = viewer_of(test, &org, "E1", UserRole::Executive);
    let input = values(&[("account", &a1), ("last_name", "Ng")]);
    assert!(matches!(create(test, &e1, "contacts", &input), Err(StoreError::NotPermitted)));
}

/// Amounts read as the caller's language writes them, and plainly in every language.
fn amounts_are_read_in_the_callers_language(test: &mut TestDb) {
    let (_, r1) = setup(test, "R1", UserRole::Rep);
    let o3 = id_of(test, "opportunities", "O3");
    let mut input = values::current(&mut test.db, &r1, form("opportunities"), o3).ok().flatten().unwrap_or_default();
    // O3 was imported without a name, which the form requires.
    input.insert("name".into(), "Networking".into());
    let amount = |test: &mut TestDb| {
        test.db.query_i64("SELECT amount_cents FROM opportunities WHERE id = ?", &[Value::Int(o3)]).unwrap_or(-1)
    };
    let lang = |tag| Lang::from_tag(tag).unwrap_or_else(|| panic!("{tag}"));
    for (lang, typed, cents) in [
        (lang("de"), "1.250,50", 125_050),
        (lang("de"), "99.5", 9_950),
        (Lang::ENGLISH, "1,250.75", 125_075),
        (lang("es"), "700.25", 70_025),
    ] {
        input.insert("amount".into(), typed.into());
        let command = UpdateRecord {
            form: form("opportunities"),
            id: RecordId(o3),
            values: input.clone(),
            unsent: Unsent::Cleared,
            lang,
        };
        records::update(&mut test.db, &r1, &command).unwrap_or_else(|e| panic!("{typed} in {}: {e}", lang.tag()));
        assert_eq!(amount(test), cents, "{typed} in {}", lang.tag());
    }
    input.insert("amount".into(), "1.250,50".into());
    let command = UpdateRecord {
        form: form("opportunities"),
        id: RecordId(o3),
        values: input,
        unsent: Unsent::Cleared,
        lang: Lang::ENGLISH,
    };
    assert_eq!(refused(records::update(&mut test.db, &r1, &command)), [("amount", Code::Amount)]);
    assert_eq!(amount(test), 70_025, "nothing written");
}

fn an_edit_is_audited_and_out_of_reach_records_are_not_found(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
    let o1 = id_of(test, "opportunities", "O1");
    let mut input =
        values::current(&mut test.db, &r1, form("opportunities"), o1).ok().flatten().unwrap_or_else(|| panic!("O1"));
    input.insert("amount".into(), "99.99".into());
    assert!(update(test, &r1, "opportunities", o1, &input).is_ok());
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
    assert_eq!(values::current(&mut test.db, &r1, form("opportunities"), o2).ok(), Some(None));
    assert!(matches!(update(test, &r1, "opportunities", o2, &input), Err(StoreError::NotFound(_))));
    // Only the fields given change when the others are kept, as an API client sends them.
    let command = UpdateRecord {
        form: form("opportunities"),
        id: RecordId(o1),
        values: values(&[("name", "Acme storage renewal")]),
        unsent: Unsent::Kept,
        lang: Lang::ENGLISH,
    };
    records::update(&mut test.db, &r1, &command).unwrap_or_else(|e| panic!("{e}"));
    let row =
        test.db.query_opt("SELECT name, amount_cents FROM opportunities WHERE id = ?", &[Value::Int(o1)], |row| {
            Ok((row.text(0)?.map(str::to_string), row.int(1)?))
        });
    assert_eq!(row.ok().flatten(), Some((Some("Acme storage renewal".into()), Some(9_999))));
}

/// An appointment logged or moved through the form changes its opportunity's first appointment
/// (and whether it was at the top): the opportunity's cells move with it.
fn an_appointment_moves_its_opportunitys_first_appointment(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
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
    let id = create(test, &r1, "activities", &input).unwrap_or_else(|e| panic!("{e}"));
    assert_rollups_equal_a_rebuild(test, &org);
    // Moved to O1, before O1's appointment with C1 and with C2 (authority 2): O3 has none again,
    // and O1's first appointment is no longer at the top.
    let mut input =
        values::current(&mut test.db, &r1, form("activities"), id).ok().flatten().unwrap_or_else(|| panic!("logged"));
    input.extend(values(&[("occurred_at", "2026-01-08T09:00"), ("contact", &c2), ("opportunity", &o1)]));
    assert!(update(test, &r1, "activities", id, &input).is_ok());
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
    // The names not given are the lead's.
    let bad = ConvertLead { amount: "lots".into(), ..conversion(l2, ["", "", "", ""], "") };
    let bad = ConvertLead { account_name: None, first_name: None, last_name: None, opportunity_name: None, ..bad };
    assert_eq!(refused(records::convert_lead(&mut test.db, &m1, &bad)), [("amount", Code::Amount)]);
    assert_eq!((test.count("accounts", &org), test.count("contacts", &org)), (accounts, contacts), "rolled back");
    let good = ConvertLead { amount: "8000".into(), ..bad };
    let done = records::convert_lead(&mut test.db, &m1, &good).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((test.count("accounts", &org), test.count("opportunities", &org)), (accounts + 1, opportunities + 1));
    let r2 = id_of(test, "reps", "R2");
    let opportunity = test
        .db
        .query_opt(
            "SELECT owner_id, account_id, lead_id, amount_cents FROM opportunities WHERE id = ?",
            &[Value::Int(done.opportunity.get())],
            |row| Ok((row.int(0)?, row.int(1)?, row.int(2)?, row.int(3)?)),
        )
        .ok()
        .flatten();
    // The lead's owner R2 owns the deal, not the converting manager.
    assert_eq!(opportunity, Some((Some(r2), Some(done.account.get()), Some(l2), Some(800_000))));
    let lead = test
        .db
        .query_opt("SELECT status, opportunity_id FROM leads WHERE id = ?", &[Value::Int(l2)], |row| {
            Ok((row.text(0)?.map(str::to_string), row.int(1)?))
        })
        .ok()
        .flatten();
    assert_eq!(lead, Some((Some("converted".into()), Some(done.opportunity.get()))));
    let contact = "SELECT COUNT(*) FROM contacts WHERE account_id = ? AND last_name = 'Doe' AND first_name = 'Pat'";
    assert_eq!(test.db.query_i64(contact, &[Value::Int(done.account.get())]).ok(), Some(1));
    let again = records::convert_lead(&mut test.db, &m1, &good);
    assert!(matches!(again, Err(StoreError::NotFound(_))), "converted once: {again:?}");
    assert_rollups_equal_a_rebuild(test, &org);
}

fn a_rep_cannot_convert_another_reps_lead(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
    let l2 = id_of(test, "leads", "L2");
    let before = test.count("accounts", &org);
    let converted = records::convert_lead(&mut test.db, &r1, &conversion(l2, ["X", "", "Y", "Z"], "1"));
    assert!(matches!(converted, Err(StoreError::NotFound(_))), "{converted:?}");
    assert_eq!(test.count("accounts", &org), before);
    // An executive reaches the lead but may not convert it.
    let e1 = viewer_of(test, &org, "E1", UserRole::Executive);
    let converted = records::convert_lead(&mut test.db, &e1, &conversion(l2, ["X", "", "Y", "Z"], "1"));
    assert!(matches!(converted, Err(StoreError::NotPermitted)), "{converted:?}");
}

/// Every free text of a form has a limit, and control characters (NUL, which PostgreSQL cannot
/// store, among them) are refused as a field's problem, not a database error.
fn over_long_and_control_character_texts_are_refused_field_by_field(test: &mut TestDb) {
    let (org, r1) = setup(test, "R1", UserRole::Rep);
    let a1 = id_of(test, "accounts", "A1").to_string();
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
    let result = create(test, &r1, "contacts", &input);
    let Err(StoreError::Refused(refusals)) = &result else { panic!("{result:?}") };
    let limits: Vec<_> = refusals.iter().map(|r| r.args.clone()).collect();
    let max = |n| vec![("max", quotient_core::refusal::Arg::Count(n))];
    assert_eq!(limits, [vec![], max(200), vec![], max(254), max(50), max(1_000)]);
    assert_eq!(
        refused(result),
        [
            ("first_name", Code::ControlCharacter),
            ("last_name", Code::TooLong),
            ("title", Code::ControlCharacter),
            ("email", Code::TooLong),
            ("phone", Code::TooLong),
            ("address", Code::TooLong),
        ]
    );
    assert_eq!(test.count("contacts", &org), before);
    // At the limits, with tabs and line breaks, in any script: stored as given.
    let (name, email, address) =
        ("ü".repeat(200), format!("{}@x.example", "e".repeat(244)), format!("1 Main St\r\n\t{}", "a".repeat(988)));
    let input = values(&[("account", &a1), ("last_name", &name), ("email", &email), ("address", &address)]);
    let id = create(test, &r1, "contacts", &input).unwrap_or_else(|e| panic!("refused at the limits: {e}"));
    let stored = test.db.query_opt("SELECT last_name, address FROM contacts WHERE id = ?", &[Value::Int(id)], |row| {
        Ok((row.text(0)?.map(str::to_string), row.text(1)?.map(str::to_string)))
    });
    assert_eq!(stored.ok().flatten(), Some((Some(name), Some(address))));
    // A lead's conversion names the refused field by the conversion's own name.
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    let l2 = id_of(test, "leads", "L2");
    let long = "x".repeat(201);
    let command = conversion(l2, [&long, "", "Doe", "Deal\0"], "10");
    assert_eq!(
        refused(records::convert_lead(&mut test.db, &m1, &command)),
        [("account_name", Code::TooLong), ("opportunity_name", Code::ControlCharacter)],
        "every record's refusals at once"
    );
    let command = ConvertLead { account_name: Some("Acme".into()), ..command };
    assert_eq!(
        refused(records::convert_lead(&mut test.db, &m1, &command)),
        [("opportunity_name", Code::ControlCharacter)]
    );
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
    amounts_are_read_in_the_callers_language,
    an_edit_is_audited_and_out_of_reach_records_are_not_found,
    an_appointment_moves_its_opportunitys_first_appointment,
    converting_a_lead_creates_account_contact_and_opportunity,
    a_rep_cannot_convert_another_reps_lead,
);
