//! Planning and coaching on SQLite and PostgreSQL: a company plan allocated into quotas that sum to
//! it, hand adjustments, the territory plan's workflow, the account map and 1:1 sessions — scoped,
//! audited, hand-computed on the fixture organisation.

mod common;

use chrono::NaiveDate;
use common::{TestDb, fixture, ok, refused, viewer_of};
use quotient_core::Money;
use quotient_core::Period;
use quotient_core::coaching::{ActionOwner, DecisionProcess, DecisionStep, KeyAccountCoverage, PlanStatus, Step};
use quotient_core::model::UserRole;
use quotient_core::planning::MonthlyIndex;
use quotient_store::access::Viewer;
use quotient_store::ids::{AccountId, ContactId, OneOnOneId, RepId};
use quotient_store::kpi::{self, ReportRequest, Subject};
use quotient_store::ops::coaching::{
    self, AddAction, AdvanceTerritoryPlan, OpenOneOnOne, SaveDecisionProcess, SaveNotes, SaveTerritoryPlan,
    SetRelationship, TickAction,
};
use quotient_store::ops::goals::{self, GoalInput, SetActivityGoals};
use quotient_store::ops::plans::{self, AdjustQuotas, AllocatePlan, BeyondHistory};
use quotient_store::orgs::Organisation;
use quotient_store::planning::company_plan::{self, CompanyPlan};
use quotient_store::planning::territory_plans::{self, KeyAccountInput, ObjectiveInput, PlanContent};
use quotient_store::planning::{PlanMetric, account_maps, one_on_ones, quotas};
use quotient_store::testing::open_one_on_one_with;
use quotient_store::{Code, StoreError, Value, audit, bundle};

fn setup(test: &mut TestDb) -> Organisation {
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut bundle::Silent).unwrap_or_else(|e| panic!("{e}"));
    org
}

fn id_of(test: &mut TestDb, table: &str, key: &str) -> i64 {
    test.db.query_i64(&format!("SELECT id FROM {table} WHERE external_id = ?"), &[Value::text(key)]).unwrap_or(-1)
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn count(test: &mut TestDb, sql: &str) -> i64 {
    ok(test.db.query_i64(sql, &[]))
}

fn live_quotas(test: &mut TestDb, metric: &str) -> i64 {
    ok(test.db.query_i64("SELECT COUNT(*) FROM quotas WHERE metric = ? AND deleted_at IS NULL", &[Value::text(metric)]))
}

/// The organisation's operator, as the command line acts.
fn operator(test: &mut TestDb, org: &Organisation) -> Viewer {
    let directory = ok(kpi::Directory::load(&mut test.db, org.id));
    Viewer::operator(org.id, &directory)
}

/// Written before its year begins (every month open), spread over the reps whatever their history.
fn write_plan(plan: &CompanyPlan) -> AllocatePlan {
    AllocatePlan {
        year: plan.fiscal_year,
        plan: Some(plan.clone()),
        write: true,
        as_of: day("2025-12-31"),
        beyond_history: Some(BeyondHistory::AllocateAnyway),
    }
}

/// A hand change made on `as_of`.
fn adjust_on(as_of: &str, quotas: Vec<(RepId, i64)>, reason: Option<&str>) -> AdjustQuotas {
    AdjustQuotas {
        year: 2026,
        metric: PlanMetric::Revenue,
        quotas,
        as_of: day(as_of),
        reason: reason.map(str::to_string),
    }
}

/// A rep's live revenue quota of a month of 2026.
fn month_quota(test: &mut TestDb, rep: &str, month: u32) -> i64 {
    let key = format!("{rep}|2026-{month:02}|revenue|");
    ok(test
        .db
        .query_i64("SELECT target FROM quotas WHERE external_id = ? AND deleted_at IS NULL", &[Value::owned(key)]))
}

fn a_plan_becomes_quotas_that_sum_to_it_to_the_cent(test: &mut TestDb) {
    let org = setup(test);
    let scope = operator(test, &org);
    let (r1, r2) = (id_of(test, "reps", "R1"), id_of(test, "reps", "R2"));
    let plan = CompanyPlan { revenue: Money::from_cents(10_000_001), deals: Some(7), ..CompanyPlan::new(2026) };
    let done = ok(plans::allocate_plan(&mut test.db, &scope, &write_plan(&plan)));
    let allocated = &done.allocated;
    // No history before 2026: no rep has a goal, so the split is equal, 5,000,001 and 5,000,000;
    // without seasonality the months are equal: 5,000,001 = 12 × 416,666 + 9, the 9 cents to
    // the first nine months.
    let revenue = &allocated[0].allocation;
    assert_eq!(revenue.reps.iter().map(|q| q.yearly).collect::<Vec<_>>(), [5_000_001, 5_000_000]);
    assert_eq!(revenue.reps[0].monthly[..9], [416_667; 9]);
    assert_eq!(revenue.reps[0].monthly[9..], [416_666; 3]);
    // 7 deals: 4 and 3.
    assert_eq!(allocated[1].allocation.reps.iter().map(|q| q.yearly).collect::<Vec<_>>(), [4, 3]);

    assert_eq!(done.written, Some(2 * 12 * 2));
    let yearly = ok(quotas::yearly(&mut test.db, org.id, 2026, PlanMetric::Revenue, None));
    assert_eq!(yearly.values().sum::<i64>(), 10_000_001);
    assert_eq!(yearly.get(&r1), Some(&5_000_001));
    // The imported R1 2026-03 revenue quota had the same key: it now holds the plan's figure; the
    // imported 2026-Q1 deals quota is replaced (soft-deleted); R2's margin quota is not the plan's.
    let march = "SELECT target FROM quotas WHERE external_id = 'R1|2026-03|revenue|' AND deleted_at IS NULL";
    assert_eq!(test.db.query_i64(march, &[]).ok(), Some(416_667));
    assert_eq!(live_quotas(test, "revenue"), 24);
    assert_eq!(live_quotas(test, "deals"), 25, "24 of the plan and the product line's own");
    assert_eq!(live_quotas(test, "margin"), 1);
    // Allocating the saved plan again changes nothing.
    let again = AllocatePlan { plan: None, ..write_plan(&plan) };
    ok(plans::allocate_plan(&mut test.db, &scope, &again));
    assert_eq!(live_quotas(test, "revenue"), 24);

    // R2's yearly quota set by hand from 5,000,000 to 6,000,000 cents: the quotas now exceed the
    // plan by 1,000,000 cents.
    let adjust = adjust_on("2025-12-31", vec![(RepId(r2), 6_000_000)], None);
    let quotas = ok(plans::adjust_quotas(&mut test.db, &scope, &adjust));
    assert_eq!((quotas.total, quotas.plan, quotas.difference()), (11_000_001, Some(10_000_001), Some(1_000_000)));
    let yearly = ok(quotas::yearly(&mut test.db, org.id, 2026, PlanMetric::Revenue, None));
    assert_eq!(yearly.get(&r2), Some(&6_000_000));
    let history = ok(audit::history(&mut test.db, org.id, "quota", r2));
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].before.as_ref().and_then(|b| b["yearly"].as_i64()), Some(5_000_000));
    assert_eq!(history[0].user, None, "the operator is no user");
    // Set to what it is, a quota does not change.
    ok(plans::adjust_quotas(&mut test.db, &scope, &adjust));
    assert_eq!(ok(audit::history(&mut test.db, org.id, "quota", r2)).len(), 1);
    let negative = AdjustQuotas { quotas: vec![(RepId(r2), -1)], ..adjust.clone() };
    assert_eq!(refused(plans::adjust_quotas(&mut test.db, &scope, &negative)), [("yearly", Code::Amount)]);
    let deals = AdjustQuotas { metric: PlanMetric::Deals, ..negative };
    assert_eq!(refused(plans::adjust_quotas(&mut test.db, &scope, &deals)), [("yearly", Code::Count)]);

    // The plan reads back as saved; a bad plan is refused whole.
    let saved = ok(company_plan::find(&mut test.db, org.id, 2026)).unwrap_or_else(|| panic!("saved plan"));
    assert_eq!((saved.revenue, saved.deals), (plan.revenue, plan.deals));
    assert!(saved.allocated_at.is_some());
    let bad = CompanyPlan { seasonality: Some([0; 12]), ..plan.clone() };
    assert_eq!(refused(plans::save_plan(&mut test.db, &scope, &bad)), [("seasonality", Code::Seasonality)]);
}

fn territory_weights_and_a_hand_set_seasonality_place_the_plan(test: &mut TestDb) {
    let org = setup(test);
    let scope = operator(test, &org);
    let (t1, t2) = (id_of(test, "territories", "T1"), id_of(test, "territories", "T2"));
    let (r1, r2) = (id_of(test, "reps", "R1"), id_of(test, "reps", "R2"));
    // T1 (R1) weighs 3, T2 (R2) 1: 1,200 cents → 900 and 300.
    let plan = CompanyPlan {
        revenue: Money::from_cents(1_200),
        split: company_plan::Split::Territories,
        territory_weights: vec![(t1, 3), (t2, 1)],
        seasonality: Some([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]),
        ..CompanyPlan::new(2027)
    };
    let saved = ok(plans::save_plan(&mut test.db, &scope, &plan));
    assert_eq!(saved.territory_weights, vec![(t1, 3), (t2, 1)]);
    let preview = AllocatePlan { plan: None, write: false, ..write_plan(&plan) };
    let done = ok(plans::allocate_plan(&mut test.db, &scope, &preview));
    assert_eq!(done.written, None);
    let reps = &done.allocated[0].allocation.reps;
    assert_eq!((reps[0].rep, reps[0].yearly, reps[1].rep, reps[1].yearly), (r1, 900, r2, 300));
    // 900 × 1/13 = 69.23 (remainder 3/13), December 900 × 2/13 = 138.46 (6/13): floors 69 × 11 + 138
    // = 897; 3 left: December first (6/13), then January and February (3/13, the earliest).
    assert_eq!(reps[0].monthly, [70, 70, 69, 69, 69, 69, 69, 69, 69, 69, 69, 139]);
    assert_eq!(reps[0].monthly.iter().sum::<i64>(), 900);
    // A territory of another organisation is refused.
    let foreign = CompanyPlan { territory_weights: vec![(9_999, 1)], ..plan };
    assert_eq!(refused(plans::save_plan(&mut test.db, &scope, &foreign)), [("territory_weights", Code::Reference)]);
}

fn a_plan_is_refused_with_every_reason_at_once(test: &mut TestDb) {
    let org = setup(test);
    let scope = operator(test, &org);
    let line = id_of(test, "product_lines", "PL1");
    let bad = CompanyPlan {
        revenue: Money::from_cents(-1),
        margin: Some(Money::from_cents(-5)),
        deals: Some(-2),
        growth_pct: -100.0,
        split: company_plan::Split::Territories,
        lines: vec![company_plan::PlanLine {
            product_line_id: line,
            revenue: Some(Money::from_cents(100)),
            margin: Some(Money::from_cents(200)),
            deals: None,
        }],
        ..CompanyPlan::new(1999)
    };
    let expected = [
        ("fiscal_year", Code::NumberOutOfRange),
        ("revenue_cents", Code::Amount),
        ("margin_cents", Code::Amount),
        ("deals", Code::Count),
        ("lines", Code::MarginAboveRevenue),
        ("growth_pct", Code::GrowthOutOfRange),
        ("territory_weights", Code::TerritoryWeights),
    ];
    assert_eq!(refused(plans::save_plan(&mut test.db, &scope, &bad)), expected);
    assert_eq!(refused(plans::allocate_plan(&mut test.db, &scope, &write_plan(&bad))), expected);
    let above = CompanyPlan { margin: Some(Money::from_cents(200)), ..CompanyPlan::new(2026) };
    let above = CompanyPlan { revenue: Money::from_cents(100), ..above };
    assert_eq!(refused(plans::save_plan(&mut test.db, &scope, &above)), [("margin_cents", Code::MarginAboveRevenue)]);
    assert_eq!(ok(company_plan::years(&mut test.db, org.id)), Vec::<i32>::new(), "nothing saved");

    // Saving and allocating are one: a plan with no reps to allocate it to is not saved either.
    let empty = test.org("empty");
    let nobody = operator(test, &empty);
    let plan = CompanyPlan { revenue: Money::from_cents(1_000), ..CompanyPlan::new(2026) };
    assert_eq!(
        refused(plans::allocate_plan(&mut test.db, &nobody, &write_plan(&plan))),
        [("plan", Code::NoRepsToPlan)]
    );
    assert_eq!(ok(company_plan::find(&mut test.db, empty.id, 2026)), None);

    // Only a role that may edit the plan changes it.
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let saved = plans::save_plan(&mut test.db, &manager, &plan);
    assert!(matches!(saved, Err(StoreError::NotPermitted)), "{saved:?}");
}

fn adjusting_quotas_is_all_or_nothing(test: &mut TestDb) {
    let org = setup(test);
    let executive = viewer_of(test, &org, "E1", UserRole::Executive);
    let (r1, r2, m1) = (id_of(test, "reps", "R1"), id_of(test, "reps", "R2"), id_of(test, "reps", "M1"));
    let plan = CompanyPlan { revenue: Money::from_cents(1_200), ..CompanyPlan::new(2026) };
    ok(plans::allocate_plan(&mut test.db, &executive, &write_plan(&plan)));
    let before = ok(quotas::yearly(&mut test.db, org.id, 2026, PlanMetric::Revenue, None));
    assert_eq!((before.get(&r1), before.get(&r2)), (Some(&600), Some(&600)));
    // A manager is no rep, and 9,999 no one: the reps around them keep their quotas.
    let adjust = AdjustQuotas {
        reason: Some("R2's territory shrank".into()),
        ..adjust_on("2025-12-31", vec![(RepId(r1), 700), (RepId(m1), 100), (RepId(9_999), 100), (RepId(r2), -3)], None)
    };
    assert_eq!(
        refused(plans::adjust_quotas(&mut test.db, &executive, &adjust)),
        [("rep_id", Code::RepOutOfReach), ("rep_id", Code::RepOutOfReach), ("yearly", Code::Amount)]
    );
    let adjust = AdjustQuotas { quotas: vec![(RepId(r1), 700), (RepId(m1), 100), (RepId(r2), 500)], ..adjust };
    assert_eq!(refused(plans::adjust_quotas(&mut test.db, &executive, &adjust)), [("rep_id", Code::RepOutOfReach)]);
    assert_eq!(ok(quotas::yearly(&mut test.db, org.id, 2026, PlanMetric::Revenue, None)), before);
    assert!(ok(audit::history(&mut test.db, org.id, "quota", r1)).is_empty());
    // Without the manager, both change together, audited as the executive's.
    let adjust = AdjustQuotas { quotas: vec![(RepId(r1), 700), (RepId(r2), 500)], ..adjust };
    let quotas = ok(plans::adjust_quotas(&mut test.db, &executive, &adjust));
    assert_eq!(
        (&quotas.reps, quotas.total, quotas.difference()),
        (&vec![(RepId(r1), 700), (RepId(r2), 500)], 1_200, Some(0))
    );
    let history = ok(audit::history(&mut test.db, org.id, "quota", r1));
    assert_eq!(history.iter().map(|h| h.user).collect::<Vec<_>>(), [Some(executive.user)]);
    // Quotas of a year without a plan: nothing to phase them by.
    let no_plan = AdjustQuotas { year: 2030, ..adjust };
    assert!(matches!(plans::adjust_quotas(&mut test.db, &executive, &no_plan), Err(StoreError::NotFound(_))));
    // A manager reads their reps' quotas, but not the plan's objective, and changes none.
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let read = ok(plans::quotas_of(&mut test.db, &manager, 2026, PlanMetric::Revenue));
    assert_eq!((read.reps.len(), read.plan), (2, None));
    let again = AdjustQuotas { year: 2026, ..no_plan };
    assert!(matches!(plans::adjust_quotas(&mut test.db, &manager, &again), Err(StoreError::NotPermitted)));
}

fn content(account: i64, strategy: &str) -> PlanContent {
    PlanContent {
        objectives: "Grow the storage business by 20%".into(),
        new_business: "Ten new manufacturing accounts".into(),
        maintenance: "Quarterly reviews with every customer".into(),
        channel_strategy: "Co-sell with two integrators".into(),
        key_accounts: vec![KeyAccountInput {
            account_id: account,
            strategy: strategy.into(),
            target: Money::from_cents(2_000_000),
            status: "in_progress".into(),
        }],
        measured_objectives: vec![],
    }
}

fn the_territory_plan_goes_from_the_rep_to_their_manager_and_back(test: &mut TestDb) {
    let org = setup(test);
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let other_rep = viewer_of(test, &org, "R2", UserRole::Rep);
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let r1 = id_of(test, "reps", "R1");
    let (a1, a2) = (id_of(test, "accounts", "A1"), id_of(test, "accounts", "A2"));
    let save = |test: &mut TestDb, who: &Viewer, content: PlanContent| {
        coaching::save_territory_plan(&mut test.db, who, &SaveTerritoryPlan { rep: RepId(r1), year: 2026, content })
    };
    // Only the rep's own accounts can be key accounts.
    assert_eq!(refused(save(test, &rep, content(a2, "x"))), [("key_accounts", Code::KeyAccountNotOwned)]);
    // A manager does not write a rep's plan.
    assert!(matches!(save(test, &manager, content(a1, "x")), Err(StoreError::NotPermitted)));
    let id = ok(save(test, &rep, content(a1, "Meet the CFO")));
    let step = |test: &mut TestDb, who: &Viewer, step: Step, comment: &str| {
        let command = AdvanceTerritoryPlan { rep: RepId(r1), year: 2026, step, comment: comment.into() };
        coaching::advance_territory_plan(&mut test.db, who, &command)
    };
    let draft = step(test, &manager, Step::Approve, "");
    assert_eq!(refused(draft), [("step", Code::PlanStepOutOfOrder)], "a draft is not approved");
    assert_eq!(ok(step(test, &rep, Step::Submit, "")), PlanStatus::Submitted);
    assert_eq!(refused(save(test, &rep, content(a1, "y"))), [("status", Code::PlanNotDraft)]);
    // Not the rep, not another rep (who does not even see it).
    assert_eq!(refused(step(test, &rep, Step::Approve, "")), [("step", Code::PlanStepNotYours)]);
    assert!(matches!(step(test, &other_rep, Step::Approve, ""), Err(StoreError::NotFound(_))));
    assert_eq!(refused(step(test, &manager, Step::Return, " ")), [("comment", Code::ReturnNeedsComment)]);
    assert_eq!(ok(step(test, &manager, Step::Return, "Add a second key account")), PlanStatus::Draft);
    let plan =
        ok(territory_plans::find(&mut test.db, &rep, r1, 2026, day("2026-12-31"))).unwrap_or_else(|| panic!("plan"));
    assert_eq!(plan.review_comment.as_deref(), Some("Add a second key account"));
    ok(save(test, &rep, content(a1, "Meet the CFO and the CEO")));
    ok(step(test, &rep, Step::Submit, ""));
    assert_eq!(ok(step(test, &manager, Step::Approve, "")), PlanStatus::Approved);

    let plan = ok(territory_plans::find(&mut test.db, &manager, r1, 2026, day("2026-04-01")))
        .unwrap_or_else(|| panic!("plan"));
    assert_eq!(plan.status, PlanStatus::Approved);
    assert_eq!(plan.key_accounts[0].input.strategy, "Meet the CFO and the CEO");
    // Live progress: O1 (12,000.00) was won from A1 on 31 March 2026.
    assert_eq!(plan.key_accounts[0].won, Money::from_cents(1_200_000));
    // A1 has a financial authority (touched 10 January) but no decision maker: not covered.
    assert_eq!(plan.coverage(), Some(0.0));
    assert!(ok(territory_plans::find(&mut test.db, &other_rep, r1, 2026, day("2026-04-01"))).is_none());
    let steps: Vec<String> =
        ok(audit::history(&mut test.db, org.id, "territory_plan", id.get())).into_iter().map(|e| e.action).collect();
    assert_eq!(steps, ["create", "submit", "return", "update", "submit", "approve"]);
    let overview = ok(territory_plans::overview(&mut test.db, &manager, 2026));
    assert_eq!(overview.iter().filter(|s| s.status == Some(PlanStatus::Approved)).count(), 1);
    assert_eq!(overview.len(), 2);
}

/// The command line's operator writes and submits a rep's plan in the rep's place (reaching that
/// rep alone) and decides on it as the operator: no user is named, in the plan or the audit log.
fn the_operator_plans_in_a_reps_place_audited_without_a_user(test: &mut TestDb) {
    let org = setup(test);
    let directory = ok(kpi::Directory::load(&mut test.db, org.id));
    let (r1, r2, a1) = (id_of(test, "reps", "R1"), id_of(test, "reps", "R2"), id_of(test, "accounts", "A1"));
    let as_r1 = Viewer::operator_as(org.id, &directory, r1, UserRole::Rep);
    assert!(as_r1.reaches(r1) && !as_r1.reaches(r2) && as_r1.actor().is_none());
    let save = |test: &mut TestDb, rep: i64| {
        let command = SaveTerritoryPlan { rep: RepId(rep), year: 2026, content: content(a1, "Meet the CFO") };
        coaching::save_territory_plan(&mut test.db, &as_r1, &command)
    };
    assert!(matches!(save(test, r2), Err(StoreError::NotPermitted)), "R1's place is not R2's");
    let id = ok(save(test, r1));
    let step = |test: &mut TestDb, who: &Viewer, step: Step| {
        let command = AdvanceTerritoryPlan { rep: RepId(r1), year: 2026, step, comment: String::new() };
        coaching::advance_territory_plan(&mut test.db, who, &command)
    };
    assert_eq!(ok(step(test, &as_r1, Step::Submit)), PlanStatus::Submitted);
    let scope = operator(test, &org);
    assert_eq!(ok(step(test, &scope, Step::Approve)), PlanStatus::Approved);
    assert_eq!(
        count(test, "SELECT COUNT(*) FROM territory_plans WHERE decided_by IS NULL AND decided_at IS NOT NULL"),
        1
    );
    let entries = ok(audit::history(&mut test.db, org.id, "territory_plan", id.get()));
    assert_eq!(entries.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["create", "submit", "approve"]);
    assert_eq!(
        count(test, "SELECT COUNT(*) FROM audit_log WHERE entity = 'territory_plan' AND user_id IS NOT NULL"),
        0
    );
}

fn the_account_map_shows_the_committee_its_gaps_and_relationships(test: &mut TestDb) {
    let org = setup(test);
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let other_rep = viewer_of(test, &org, "R2", UserRole::Rep);
    let (a1, c1) = (id_of(test, "accounts", "A1"), id_of(test, "contacts", "C1"));
    let map = ok(account_maps::load(&mut test.db, &rep, a1, day("2026-01-20"))).unwrap_or_else(|| panic!("map"));
    // C1 (the CFO, financial authority, touched 10 January) and C2 (an influencer, never touched).
    assert_eq!(map.contacts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Jo Park", "Smith"]);
    assert_eq!(map.contacts[0].last_touch, Some(day("2026-01-10")));
    assert!(map.contacts[0].current && !map.contacts[1].current);
    assert!(map.gaps.no_decision_maker && !map.gaps.no_financial_authority && !map.covered);
    assert_eq!(map.gaps.untouched, [1]);
    // 91 days after the last touch the CFO is no longer current.
    let later = ok(account_maps::load(&mut test.db, &rep, a1, day("2026-04-11"))).unwrap_or_else(|| panic!("map"));
    assert!(later.gaps.financial_authority_untouched);
    assert!(ok(account_maps::load(&mut test.db, &other_rep, a1, day("2026-01-20"))).is_none());

    let set = |test: &mut TestDb, who: &Viewer, relationship, influence| {
        let command = SetRelationship { contact: ContactId(c1), relationship, influence };
        coaching::set_relationship(&mut test.db, who, &command)
    };
    ok(set(test, &rep, Some(4), Some(5)));
    let map = ok(account_maps::load(&mut test.db, &rep, a1, day("2026-01-20"))).unwrap_or_else(|| panic!("map"));
    assert_eq!((map.contacts[0].relationship, map.contacts[0].influence), (Some(4), Some(5)));
    assert!(matches!(set(test, &other_rep, Some(1), None), Err(StoreError::NotFound(_))));
    let executive = viewer_of(test, &org, "E1", UserRole::Executive);
    assert!(matches!(set(test, &executive, Some(1), None), Err(StoreError::NotPermitted)), "executives read");
    assert_eq!(
        refused(set(test, &rep, Some(6), Some(0))),
        [("relationship", Code::NumberOutOfRange), ("influence", Code::NumberOutOfRange)]
    );
    assert_eq!(ok(audit::history(&mut test.db, org.id, "contact_relationship", c1)).len(), 1);
}

fn card(test: &mut TestDb, org: &Organisation, period: &str, as_of: &str) -> kpi::Card {
    let period: Period = period.parse().unwrap_or_else(|e| panic!("{e}"));
    let request = ReportRequest {
        subject: Subject::Rep("R1".into()),
        period,
        as_of: day(as_of),
        lang: quotient_core::Lang::ENGLISH,
    };
    ok(kpi::report(&mut test.db, org.id, &request)).reps.into_iter().next().unwrap_or_else(|| panic!("card"))
}

fn a_one_on_one_freezes_the_scorecard_and_carries_open_actions_over(test: &mut TestDb) {
    let org = setup(test);
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let other_rep = viewer_of(test, &org, "R2", UserRole::Rep);
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let r1 = id_of(test, "reps", "R1");
    // February: nothing won yet. March: O1's 12,000.00. A rep does not hold a 1:1 with themself.
    let february = card(test, &org, "2026-02", "2026-02-28");
    let open = OpenOneOnOne {
        rep: RepId(r1),
        on: day("2026-02-28"),
        period: quotient_core::period::PeriodKind::Quarter,
        lang: quotient_core::Lang::ENGLISH,
    };
    assert!(matches!(coaching::open_one_on_one(&mut test.db, &rep, &open), Err(StoreError::NotPermitted)));
    let first = ok(open_one_on_one_with(&mut test.db, &manager, r1, "2026-02", &february));
    let action = AddAction {
        one_on_one: OneOnOneId(first),
        description: "Book the second appointment with Acme".into(),
        owner: ActionOwner::Rep,
        due_on: Some(day("2026-03-15")),
    };
    let action = ok(coaching::add_action(&mut test.db, &manager, &action));
    let notes = SaveNotes { one_on_one: OneOnOneId(first), notes: "Pipeline review".into() };
    ok(coaching::save_notes(&mut test.db, &manager, &notes));
    let march = card(test, &org, "2026-03", "2026-03-31");
    let second = ok(open_one_on_one_with(&mut test.db, &manager, r1, "2026-03", &march));
    let session = ok(one_on_ones::find(&mut test.db, &rep, second)).unwrap_or_else(|| panic!("1:1"));
    assert_eq!(session.carried_over.iter().map(|a| a.id).collect::<Vec<_>>(), [action.get()]);
    let revenue = session.changes.iter().find(|c| c.key == "revenue").unwrap_or_else(|| panic!("revenue"));
    assert_eq!((revenue.before, revenue.after, revenue.change), (Some(0.0), Some(1_200_000.0), Some(1_200_000.0)));
    // The first session is frozen: its snapshot still says 0, whatever happened since.
    let first_session = ok(one_on_ones::find(&mut test.db, &manager, first)).unwrap_or_else(|| panic!("1:1"));
    assert_eq!(first_session.snapshot.get("revenue"), Some(0.0));
    assert!(first_session.changes.is_empty() && first_session.notes == "Pipeline review");
    assert!(ok(one_on_ones::find(&mut test.db, &other_rep, first)).is_none());
    // The rep ticks off their action; it no longer carries over.
    ok(coaching::tick_action(&mut test.db, &rep, &TickAction { action, done: true }));
    let session = ok(one_on_ones::find(&mut test.db, &manager, second)).unwrap_or_else(|| panic!("1:1"));
    assert!(session.carried_over.is_empty());
    let mine = SaveNotes { one_on_one: OneOnOneId(second), notes: "mine".into() };
    assert!(matches!(coaching::save_notes(&mut test.db, &rep, &mine), Err(StoreError::NotFound(_))));
    assert_eq!(ok(one_on_ones::list(&mut test.db, &manager, r1)).len(), 2);
    // Opened by the operation, a 1:1 freezes the rep's report of the quarter holding its day.
    let open = OpenOneOnOne {
        rep: RepId(r1),
        on: day("2026-03-31"),
        period: quotient_core::period::PeriodKind::Quarter,
        lang: quotient_core::Lang::ENGLISH,
    };
    let third = ok(coaching::open_one_on_one(&mut test.db, &manager, &open));
    let session = ok(one_on_ones::find(&mut test.db, &manager, third.get())).unwrap_or_else(|| panic!("1:1"));
    let quarter = Period::containing(quotient_core::period::PeriodKind::Quarter, day("2026-03-31"));
    assert_eq!(session.period, quarter.to_string());
    assert_eq!(session.snapshot.get("revenue"), Some(1_200_000.0));
    // On the week, as the pages open it: 2026-W14 (30 March – 5 April) holds O1's close too; the
    // week before holds nothing.
    let week = OpenOneOnOne { period: quotient_core::period::PeriodKind::Week, ..open };
    let fourth = ok(coaching::open_one_on_one(&mut test.db, &manager, &week));
    let session = ok(one_on_ones::find(&mut test.db, &manager, fourth.get())).unwrap_or_else(|| panic!("1:1"));
    assert_eq!((session.period.as_str(), session.snapshot.get("revenue")), ("2026-W14", Some(1_200_000.0)));
    let before = OpenOneOnOne { on: day("2026-03-29"), ..week };
    let fifth = ok(coaching::open_one_on_one(&mut test.db, &manager, &before));
    let session = ok(one_on_ones::find(&mut test.db, &manager, fifth.get())).unwrap_or_else(|| panic!("1:1"));
    assert_eq!((session.period.as_str(), session.snapshot.get("revenue")), ("2026-W13", Some(0.0)));
}

/// Every refused coaching write is refused whole, with every reason at once, and writes nothing:
/// no row, no audit entry.
fn refused_coaching_writes_write_nothing(test: &mut TestDb) {
    let org = setup(test);
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let admin = viewer_of(test, &org, "E1", UserRole::Admin);
    let r1 = id_of(test, "reps", "R1");
    let (a1, a2, c1) = (id_of(test, "accounts", "A1"), id_of(test, "accounts", "A2"), id_of(test, "contacts", "C1"));
    let audited = |test: &mut TestDb| count(test, "SELECT COUNT(*) FROM audit_log");
    let before = audited(test);

    let key = |account_id, cents, status: &str| KeyAccountInput {
        account_id,
        strategy: String::new(),
        target: Money::from_cents(cents),
        status: status.into(),
    };
    let plan = PlanContent {
        objectives: "x".repeat(20_001),
        key_accounts: vec![key(a1, -1, "in_progress"), key(a1, 5, "dormant"), key(a2, 5, "won")],
        ..PlanContent::default()
    };
    let command = SaveTerritoryPlan { rep: RepId(r1), year: 2026, content: plan };
    assert_eq!(
        refused(coaching::save_territory_plan(&mut test.db, &rep, &command)),
        [
            ("objectives", Code::TooLong),
            ("key_accounts", Code::Amount),
            ("key_accounts", Code::Choice),
            ("key_accounts", Code::KeyAccountTwice),
            ("key_accounts", Code::KeyAccountNotOwned),
        ]
    );
    assert_eq!(count(test, "SELECT COUNT(*) FROM territory_plans"), 0);
    assert_eq!(count(test, "SELECT COUNT(*) FROM territory_plan_accounts"), 0);

    let relationship = SetRelationship { contact: ContactId(c1), relationship: Some(0), influence: Some(9) };
    assert_eq!(refused(coaching::set_relationship(&mut test.db, &rep, &relationship)).len(), 2);
    assert_eq!(count(test, "SELECT COUNT(*) FROM contact_relationships"), 0);

    let february = card(test, &org, "2026-02", "2026-02-28");
    let session = ok(open_one_on_one_with(&mut test.db, &manager, r1, "2026-02", &february));
    let opened = audited(test);
    assert_eq!(opened, before + 1, "only the opening is audited");
    let notes = SaveNotes { one_on_one: OneOnOneId(session), notes: "n".repeat(50_001) };
    assert_eq!(refused(coaching::save_notes(&mut test.db, &manager, &notes)), [("notes", Code::TooLong)]);
    let session_notes = "SELECT COUNT(*) FROM one_on_ones WHERE notes <> ''";
    assert_eq!(count(test, session_notes), 0);
    let blank = AddAction {
        one_on_one: OneOnOneId(session),
        description: "  ".into(),
        owner: ActionOwner::Manager,
        due_on: None,
    };
    assert_eq!(refused(coaching::add_action(&mut test.db, &manager, &blank)), [("description", Code::Required)]);
    let long = AddAction { description: "d".repeat(2_001), ..blank };
    assert_eq!(refused(coaching::add_action(&mut test.db, &manager, &long)), [("description", Code::TooLong)]);
    assert_eq!(count(test, "SELECT COUNT(*) FROM one_on_one_actions"), 0);
    // An admin reads 1:1s but holds none; a rep does not open one.
    let open = OpenOneOnOne {
        rep: RepId(r1),
        on: day("2026-03-31"),
        period: quotient_core::period::PeriodKind::Quarter,
        lang: quotient_core::Lang::ENGLISH,
    };
    assert!(matches!(coaching::open_one_on_one(&mut test.db, &admin, &open), Err(StoreError::NotPermitted)));
    assert!(matches!(coaching::open_one_on_one(&mut test.db, &rep, &open), Err(StoreError::NotPermitted)));
    assert_eq!(count(test, "SELECT COUNT(*) FROM one_on_ones"), 1);

    // The manager's action is the manager's: the rep does not tick it, nor does the admin.
    let action = AddAction { description: "Call the CFO".into(), ..long };
    let action = ok(coaching::add_action(&mut test.db, &manager, &action));
    let tick = TickAction { action, done: true };
    assert!(matches!(coaching::tick_action(&mut test.db, &rep, &tick), Err(StoreError::NotFound(_))));
    assert!(matches!(coaching::tick_action(&mut test.db, &admin, &tick), Err(StoreError::NotPermitted)));
    assert_eq!(count(test, "SELECT COUNT(*) FROM one_on_one_actions WHERE done_at IS NOT NULL"), 0);
    assert_eq!(audited(test), opened + 1, "only the action's creation");
}

/// The seasonality is learnt from the organisation's own month cells: the fixture's one won deal
/// (12,000.00 on 31 March 2026, 23:59) makes all of the history's revenue March's.
fn the_learnt_seasonality_is_the_organisations_months(test: &mut TestDb) {
    let org = setup(test);
    let plan_start = day("2027-01-01");
    let learnt =
        ok(quotient_store::planning::seasonality(&mut test.db, org.id, PlanMetric::Revenue, plan_start, 3, None));
    // The history ends at the plan's start, or at the current month if that comes first.
    let this_month = chrono::Datelike::with_day(&chrono::Utc::now().date_naive(), 1).unwrap_or(plan_start);
    let expected =
        quotient_core::planning::monthly_index(&[(day("2026-03-01"), 1_200_000)], plan_start.min(this_month), 3);
    assert_eq!(learnt, expected);
    assert!(learnt.shares[2] > learnt.shares[3], "{learnt:?}");
    // One product line's seasonality reads only its own months: the deal's line has it, the
    // other none.
    let lines =
        ok(test.db.query_map("SELECT id FROM product_lines ORDER BY id", &[], |row| Ok(row.int(0)?.unwrap_or(-1))));
    let per_line: Vec<MonthlyIndex> = lines
        .iter()
        .map(|&line| {
            ok(quotient_store::planning::seasonality(
                &mut test.db,
                org.id,
                PlanMetric::Revenue,
                plan_start,
                3,
                Some(line),
            ))
        })
        .collect();
    assert!(per_line.contains(&expected), "{per_line:?}");
    assert!(per_line.iter().any(|index| *index != expected), "{per_line:?}");
}

fn a_quota_raised_in_august_keeps_january_to_august(test: &mut TestDb) {
    let org = setup(test);
    let scope = operator(test, &org);
    let (r1, r2) = (id_of(test, "reps", "R1"), id_of(test, "reps", "R2"));
    // 1,200 cents without history or seasonality: 600 a rep, 50 a month.
    let plan = CompanyPlan { revenue: Money::from_cents(1_200), ..CompanyPlan::new(2026) };
    ok(plans::allocate_plan(&mut test.db, &scope, &write_plan(&plan)));
    assert_eq!((month_quota(test, "R1", 1), month_quota(test, "R1", 12)), (50, 50));

    // Raised to 1,000 on 15 August: January–August keep 8 × 50 = 400; the 600 left go to
    // September–December, 150 each.
    ok(plans::adjust_quotas(&mut test.db, &scope, &adjust_on("2026-08-15", vec![(RepId(r1), 1_000)], None)));
    let months: Vec<i64> = (1..=12).map(|m| month_quota(test, "R1", m)).collect();
    assert_eq!(months, [50, 50, 50, 50, 50, 50, 50, 50, 150, 150, 150, 150]);
    // January's attainment does not move: its quota is still 50.
    let yearly = ok(quotas::yearly(&mut test.db, org.id, 2026, PlanMetric::Revenue, None));
    assert_eq!(yearly.get(&r1), Some(&1_000));

    // Lowered to 900: refused without a reason; with one, the 500 left over the four months
    // (125 each), audited as lowered with the reason.
    let lower = adjust_on("2026-08-15", vec![(RepId(r1), 900)], None);
    assert_eq!(refused(plans::adjust_quotas(&mut test.db, &scope, &lower)), [("reason", Code::ReasonForLowering)]);
    let blank = adjust_on("2026-08-15", vec![(RepId(r1), 900)], Some("  "));
    assert_eq!(refused(plans::adjust_quotas(&mut test.db, &scope, &blank)), [("reason", Code::ReasonForLowering)]);
    let lower = adjust_on("2026-08-15", vec![(RepId(r1), 900)], Some("Lost the Smith account"));
    ok(plans::adjust_quotas(&mut test.db, &scope, &lower));
    assert_eq!((month_quota(test, "R1", 8), month_quota(test, "R1", 9)), (50, 125));
    let history = ok(audit::history(&mut test.db, org.id, "quota", r1));
    let last = history.last().and_then(|h| h.after.clone()).unwrap_or_default();
    assert_eq!(history.last().map(|h| h.action.as_str()), Some("lower"));
    assert_eq!((last["lowered"].as_bool(), last["reason"].as_str()), (Some(true), Some("Lost the Smith account")));
    let changes = ok(plans::quota_changes(&mut test.db, &scope, 2026));
    assert_eq!(
        changes.iter().map(|c| (c.before, c.after, c.lowered)).collect::<Vec<_>>(),
        [(Some(1_000), 900, true), (Some(600), 1_000, false)]
    );
    assert_eq!(changes[0].reason.as_deref(), Some("Lost the Smith account"));

    // Below what January–August hold (400), or with no month left (December): refused.
    let below = adjust_on("2026-08-15", vec![(RepId(r1), 399)], Some("Too far"));
    assert_eq!(refused(plans::adjust_quotas(&mut test.db, &scope, &below)), [("yearly", Code::BelowMonthsPast)]);
    let late = adjust_on("2026-12-05", vec![(RepId(r1), 2_000)], None);
    assert_eq!(refused(plans::adjust_quotas(&mut test.db, &scope, &late)), [("fiscal_year", Code::NoMonthsLeft)]);
    assert_eq!(month_quota(test, "R1", 9), 125, "nothing changed");

    // Re-allocated on 15 August: R1 holds 400 and R2 400 in January–August; the 1,200 − 800 = 400
    // left splits 600 : 600 → 200 each, 50 a month from September. History stays, the plan sums.
    let again = AllocatePlan { plan: None, as_of: day("2026-08-15"), ..write_plan(&plan) };
    let done = ok(plans::allocate_plan(&mut test.db, &scope, &again));
    assert_eq!(done.allocated[0].from_month, 8);
    let months: Vec<i64> = (1..=12).map(|m| month_quota(test, "R1", m)).collect();
    assert_eq!(months, [50; 12]);
    let yearly = ok(quotas::yearly(&mut test.db, org.id, 2026, PlanMetric::Revenue, None));
    assert_eq!((yearly.get(&r1), yearly.get(&r2)), (Some(&600), Some(&600)));
}

fn a_plan_beyond_history_needs_a_choice(test: &mut TestDb) {
    let org = setup(test);
    let scope = operator(test, &org);
    // No rep has a month of revenue before 2025's end in the fixture: every realistic goal is 0,
    // so the whole plan of 1,200 is beyond history (gap 1,200).
    let plan = CompanyPlan { revenue: Money::from_cents(1_200), ..CompanyPlan::new(2026) };
    let unchosen = AllocatePlan { beyond_history: None, ..write_plan(&plan) };
    assert_eq!(
        refused(plans::allocate_plan(&mut test.db, &scope, &unchosen)),
        [("beyond_history", Code::BeyondHistoryChoice)]
    );
    assert_eq!(ok(company_plan::find(&mut test.db, org.id, 2026)), None, "nothing saved");
    // A preview shows the gap without a choice.
    let preview = ok(plans::allocate_plan(&mut test.db, &scope, &AllocatePlan { write: false, ..unchosen.clone() }));
    assert!(preview.beyond_history());
    assert_eq!(preview.allocated[0].allocation.total.gap, 1_200.0);
    // Kept at the realistic goals: every quota 0, the 1,200 unallocated.
    let keep = AllocatePlan { beyond_history: Some(BeyondHistory::KeepRealisticGoals), ..unchosen };
    let done = ok(plans::allocate_plan(&mut test.db, &scope, &keep));
    assert_eq!(plans::unallocated_of(&done.allocated[0]), 1_200);
    let quotas = ok(plans::quotas_of(&mut test.db, &scope, 2026, PlanMetric::Revenue));
    assert_eq!((quotas.total, quotas.difference()), (0, Some(-1_200)));
}

fn goal(rep: i64, metric: &str, period: &str, target: i64) -> GoalInput {
    GoalInput { rep: RepId(rep), metric: metric.into(), period: period.into(), target }
}

fn activity_goals_are_set_by_managers_and_tracked_on_the_scorecard(test: &mut TestDb) {
    let org = setup(test);
    let (r1, r2, m1) = (id_of(test, "reps", "R1"), id_of(test, "reps", "R2"), id_of(test, "reps", "M1"));
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let set = SetActivityGoals {
        goals: vec![
            goal(r1, "cold_calls", "2026-W02", 2),
            goal(r1, "conversations", "2026-01", 4),
            goal(r2, "proposals", "2026-01", 1),
        ],
    };
    assert_eq!(ok(goals::set_activity_goals(&mut test.db, &manager, &set)), 3);
    assert_eq!(ok(goals::set_activity_goals(&mut test.db, &manager, &set)), 0, "set to what they are");
    // R1's one cold call (7 January, in 2026-W02, 5–11 January) connected and set an appointment.
    // Week 2026-W02: cold calls 1 ÷ 2 = 0.5; conversations 1 ÷ (4 × 7/31 = 0.903) = 1.107.
    let week = card(test, &org, "2026-W02", "2026-01-11");
    let found: Vec<(&str, i64, Option<f64>)> =
        week.activity_goals.iter().map(|g| (g.metric.key(), g.actual, g.attainment)).collect();
    assert_eq!(found[0], ("cold_calls", 1, Some(0.5)));
    assert_eq!((found[1].0, found[1].1), ("conversations", 1));
    assert!((found[1].2.unwrap_or_default() - 31.0 / 28.0).abs() < 1e-9, "{found:?}");
    // January: the week's goal counts whole (2), the month's too (4): 1 ÷ 2 and 1 ÷ 4.
    let january = card(test, &org, "2026-01", "2026-01-31");
    let found: Vec<Option<f64>> = january.activity_goals.iter().map(|g| g.attainment).collect();
    assert_eq!(found, [Some(0.5), Some(0.25)]);

    // Everything wrong at once: a metric that is no activity goal, a quarter, a negative target,
    // a manager for a rep.
    let bad =
        SetActivityGoals { goals: vec![goal(r1, "revenue", "2026-Q1", -1), goal(m1, "cold_calls", "2026-W02", 5)] };
    assert_eq!(
        refused(goals::set_activity_goals(&mut test.db, &manager, &bad)),
        [
            ("metric", Code::GoalMetric),
            ("period", Code::GoalPeriod),
            ("target", Code::Count),
            ("rep_id", Code::RepOutOfReach)
        ]
    );
    // A rep reads their own goals but sets none; another organisation's manager reaches nobody here.
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let january: Period = "2026-01".parse().unwrap_or_else(|e| panic!("{e}"));
    let own = ok(goals::activity_goals_of(&mut test.db, &rep, january));
    // By the period's first day: the month (1 January) before the week (5 January).
    assert_eq!(own.iter().map(|g| (g.rep, g.target)).collect::<Vec<_>>(), [(r1, 4), (r1, 2)]);
    assert!(matches!(goals::set_activity_goals(&mut test.db, &rep, &set), Err(StoreError::NotPermitted)));
    let all = ok(goals::activity_goals_of(&mut test.db, &manager, january));
    assert_eq!(all.len(), 3);
    let history = ok(audit::history(&mut test.db, org.id, "activity_goal", r1));
    assert_eq!(history.len(), 2);
}

fn the_account_map_scores_coverage_and_records_the_decision_process(test: &mut TestDb) {
    let org = setup(test);
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let other_rep = viewer_of(test, &org, "R2", UserRole::Rep);
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let executive = viewer_of(test, &org, "E1", UserRole::Executive);
    let a1 = id_of(test, "accounts", "A1");
    let map = |test: &mut TestDb, on: &str| {
        ok(account_maps::load(&mut test.db, &rep, a1, day(on))).unwrap_or_else(|| panic!("map"))
    };
    // A1: C1 the financial authority, touched 10 January; C2 an influencer, never touched; no
    // decision maker, no user. On 20 January: 30 + ½ × 15 = 37.5%. On 11 April (91 days after the
    // touch) the CFO is stale too: ½ × 30 + ½ × 15 = 22.5%.
    let fresh = map(test, "2026-01-20");
    assert_eq!((fresh.coverage_score, fresh.untouched_window_days), (0.375, 90));
    assert_eq!(map(test, "2026-04-11").coverage_score, 0.225);
    assert!(fresh.decision_process.is_empty());

    let step = |name: &str, due: Option<&str>, done| DecisionStep {
        name: name.into(),
        decider: " The board ".into(),
        due_on: due.map(day),
        done,
    };
    let process = DecisionProcess {
        steps: vec![step(" Needs agreed ", Some("2026-01-15"), true), step("Shortlist", Some("2026-02-01"), false)],
        criteria: vec![" Price ".into(), "  ".into(), "Local support".into()],
        expected_decision_on: Some(day("2026-03-31")),
    };
    let save = |test: &mut TestDb, who: &Viewer, account: i64, process: &DecisionProcess| {
        let command = SaveDecisionProcess { account: AccountId(account), process: process.clone() };
        coaching::save_decision_process(&mut test.db, who, &command)
    };
    ok(save(test, &rep, a1, &process));
    let saved = map(test, "2026-02-10");
    // Trimmed, the blank criterion dropped; on 10 February the shortlist (1 February) is late.
    assert_eq!(saved.decision_process.criteria, ["Price", "Local support"]);
    assert_eq!(saved.decision_process.steps[0].name, "Needs agreed");
    assert_eq!(saved.decision_process.steps[1].decider, "The board");
    assert!(saved.decision_process.steps[0].done && !saved.decision_process.steps[1].done);
    assert_eq!(saved.decision_process.expected_decision_on, Some(day("2026-03-31")));
    assert_eq!(saved.overdue_steps, [1]);
    // Whoever edits the map: the rep and their manager; not a rep of another account, not an
    // executive (who reads), not an account that does not exist.
    let fewer = DecisionProcess { steps: vec![step("Contract", None, false)], ..DecisionProcess::default() };
    ok(save(test, &manager, a1, &fewer));
    assert_eq!(map(test, "2026-02-10").decision_process.steps.len(), 1);
    assert!(matches!(save(test, &other_rep, a1, &process), Err(StoreError::NotFound(_))));
    assert!(matches!(save(test, &executive, a1, &process), Err(StoreError::NotPermitted)));
    assert!(matches!(save(test, &rep, 999_999, &process), Err(StoreError::NotFound(_))));
    let history = ok(audit::history(&mut test.db, org.id, "decision_process", a1));
    assert_eq!(history.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(), ["create", "update"]);

    // Every reason at once, and nothing written.
    let audited = count(test, "SELECT COUNT(*) FROM audit_log");
    let bad = DecisionProcess {
        steps: (0..31).map(|i| step(if i == 0 { " " } else { "Step" }, None, false)).collect(),
        criteria: vec!["c".repeat(501)],
        expected_decision_on: None,
    };
    assert_eq!(
        refused(save(test, &rep, a1, &bad)),
        [("steps", Code::TooMany), ("steps", Code::Required), ("criteria", Code::TooLong)]
    );
    let long_name = DecisionProcess { steps: vec![step(&"n".repeat(501), None, false)], ..DecisionProcess::default() };
    assert_eq!(refused(save(test, &rep, a1, &long_name)), [("steps", Code::TooLong)]);
    assert_eq!(count(test, "SELECT COUNT(*) FROM account_decision_steps"), 1);
    assert_eq!(count(test, "SELECT COUNT(*) FROM audit_log"), audited);
}

fn territory_plan_objectives_show_their_progress(test: &mut TestDb) {
    let org = setup(test);
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let (r1, r2) = (id_of(test, "reps", "R1"), id_of(test, "reps", "R2"));
    let (a1, a2) = (id_of(test, "accounts", "A1"), id_of(test, "accounts", "A2"));
    let objective = |description: &str, kpi: Option<&str>, account_id: Option<i64>, target| ObjectiveInput {
        description: description.into(),
        kpi: kpi.map(str::to_string),
        account_id,
        target,
    };
    let mut plan = content(a1, "Meet the CEO");
    plan.measured_objectives = vec![
        objective("Double revenue", Some("revenue"), None, 2_400_000),
        objective("Eight first appointments", Some("first_appointments"), None, 8),
        objective("Keep calling", Some("cold_calls"), None, 0),
        objective("Grow Acme", None, Some(a1), 1_000_000),
    ];
    let save = |test: &mut TestDb, content: PlanContent| {
        coaching::save_territory_plan(&mut test.db, &rep, &SaveTerritoryPlan { rep: RepId(r1), year: 2026, content })
    };
    ok(save(test, plan.clone()));
    let find = |test: &mut TestDb, on: &str| {
        ok(territory_plans::find(&mut test.db, &manager, r1, 2026, day(on))).unwrap_or_else(|| panic!("plan"))
    };
    // By 1 July 2026 (182 of 365 days gone, 49.86%): O1's 12,000.00 of 24,000.00 = 50%, on track;
    // first appointments O1 (10 January) and O3 (4 March), 2 of 8 = 25%, behind; one cold call
    // (X1) against a target of 0: no progress to show; 12,000.00 won from Acme of 10,000.00 = 120%.
    let found = find(test, "2026-07-01");
    let progress: Vec<_> = found.measured_objectives.iter().map(|o| (o.progress.actual, o.progress.share)).collect();
    assert_eq!(progress, [(1_200_000, Some(0.5)), (2, Some(0.25)), (1, None), (1_200_000, Some(1.2))]);
    let on_track: Vec<_> = found.measured_objectives.iter().map(|o| o.progress.on_track).collect();
    assert_eq!(on_track, [Some(true), Some(false), None, Some(true)]);
    assert_eq!(found.measured_objectives[3].account_name.as_deref(), Some("Acme, Inc."));
    assert_eq!(found.content().measured_objectives, plan.measured_objectives, "read back as written");
    // By 1 February only O1's first appointment and X1's call count; nothing is won yet.
    let early = find(test, "2026-02-01");
    let actual: Vec<i64> = early.measured_objectives.iter().map(|o| o.progress.actual).collect();
    assert_eq!(actual[..3], [0, 1, 1]);

    // Key-account coverage: A1 is not covered (no decision maker) and scores 37.5% on 20 January
    // (see the account map's test); R2 has no plan: undefined.
    let plan_now = find(test, "2026-01-20");
    let expected = KeyAccountCoverage { accounts: 1, covered: Some(0.0), mean_score: Some(0.375) };
    assert_eq!(plan_now.key_account_coverage, expected);
    let both = ok(account_maps::key_account_coverage(&mut test.db, org.id, &[r1, r2], 2026, day("2026-01-20")));
    assert_eq!((both[&r1], both[&r2]), (expected, KeyAccountCoverage::default()));

    // Bad objectives: every reason at once, the plan as it was.
    let mut bad = plan.clone();
    bad.measured_objectives = vec![
        objective(" ", Some("revenue"), None, 1),
        objective("Both", Some("revenue"), Some(a1), 1),
        objective("Unknown", Some("happiness"), None, 1),
        objective("Negative", Some("deals"), None, -1),
        objective("Not a key account", None, Some(a2), 1),
    ];
    assert_eq!(
        refused(save(test, bad)),
        [
            ("measured_objectives", Code::Required),
            ("measured_objectives", Code::ObjectiveLink),
            ("measured_objectives", Code::Choice),
            ("measured_objectives", Code::Amount),
            ("measured_objectives", Code::ObjectiveAccountNotKey),
        ]
    );
    let mut none = plan.clone();
    none.measured_objectives = vec![objective("Neither", None, None, 1)];
    assert_eq!(refused(save(test, none)), [("measured_objectives", Code::ObjectiveLink)]);
    assert_eq!(count(test, "SELECT COUNT(*) FROM territory_plan_objectives"), 4);
    // Saving again replaces them.
    plan.measured_objectives.truncate(1);
    ok(save(test, plan));
    assert_eq!(count(test, "SELECT COUNT(*) FROM territory_plan_objectives"), 1);
}

on_both_backends!(
    a_quota_raised_in_august_keeps_january_to_august,
    a_plan_beyond_history_needs_a_choice,
    activity_goals_are_set_by_managers_and_tracked_on_the_scorecard,
    the_account_map_scores_coverage_and_records_the_decision_process,
    territory_plan_objectives_show_their_progress,
    the_learnt_seasonality_is_the_organisations_months,
    a_plan_becomes_quotas_that_sum_to_it_to_the_cent,
    territory_weights_and_a_hand_set_seasonality_place_the_plan,
    a_plan_is_refused_with_every_reason_at_once,
    adjusting_quotas_is_all_or_nothing,
    the_territory_plan_goes_from_the_rep_to_their_manager_and_back,
    the_operator_plans_in_a_reps_place_audited_without_a_user,
    the_account_map_shows_the_committee_its_gaps_and_relationships,
    a_one_on_one_freezes_the_scorecard_and_carries_open_actions_over,
    refused_coaching_writes_write_nothing,
);
