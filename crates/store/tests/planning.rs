//! Planning and coaching on SQLite and PostgreSQL: a company plan allocated into quotas that sum to
//! it, hand adjustments, the territory plan's workflow, the account map and 1:1 sessions — scoped,
//! audited, hand-computed on the fixture organisation.

mod common;

use chrono::NaiveDate;
use common::{TestDb, fixture, viewer_of};
use quotient_core::Money;
use quotient_core::Period;
use quotient_core::coaching::{ActionOwner, PlanStatus, Step};
use quotient_core::model::UserRole;
use quotient_core::planning::MonthlyIndex;
use quotient_store::access::Viewer;
use quotient_store::ids::{ContactId, OneOnOneId, RepId};
use quotient_store::kpi::{self, ReportRequest, Subject};
use quotient_store::ops::coaching::{
    self, AddAction, AdvanceTerritoryPlan, OpenOneOnOne, SaveNotes, SaveTerritoryPlan, SetRelationship, TickAction,
};
use quotient_store::ops::plans::{self, AdjustQuotas, AllocatePlan};
use quotient_store::orgs::Organisation;
use quotient_store::planning::company_plan::{self, CompanyPlan};
use quotient_store::planning::territory_plans::{self, KeyAccountInput, PlanContent};
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

fn ok<T>(result: Result<T, StoreError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// The refusals of a refused operation: (field, code).
fn refused<T: std::fmt::Debug>(result: Result<T, StoreError>) -> Vec<(&'static str, Code)> {
    match result {
        Err(StoreError::Refused(refusals)) => refusals.iter().map(|r| (r.field, r.code)).collect(),
        other => panic!("not refused: {other:?}"),
    }
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

fn write_plan(plan: &CompanyPlan) -> AllocatePlan {
    AllocatePlan { year: plan.fiscal_year, plan: Some(plan.clone()), write: true }
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
    let again = AllocatePlan { year: 2026, plan: None, write: true };
    ok(plans::allocate_plan(&mut test.db, &scope, &again));
    assert_eq!(live_quotas(test, "revenue"), 24);

    // R2's yearly quota set by hand from 5,000,000 to 6,000,000 cents: the quotas now exceed the
    // plan by 1,000,000 cents.
    let adjust = AdjustQuotas { year: 2026, metric: PlanMetric::Revenue, quotas: vec![(RepId(r2), 6_000_000)] };
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
        year: 2026,
        metric: PlanMetric::Revenue,
        quotas: vec![(RepId(r1), 700), (RepId(m1), 100), (RepId(9_999), 100), (RepId(r2), -3)],
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
    let open = OpenOneOnOne { rep: RepId(r1), on: day("2026-02-28"), lang: quotient_core::Lang::ENGLISH };
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
    let open = OpenOneOnOne { rep: RepId(r1), on: day("2026-03-31"), lang: quotient_core::Lang::ENGLISH };
    let third = ok(coaching::open_one_on_one(&mut test.db, &manager, &open));
    let session = ok(one_on_ones::find(&mut test.db, &manager, third.get())).unwrap_or_else(|| panic!("1:1"));
    let quarter = Period::containing(quotient_core::period::PeriodKind::Quarter, day("2026-03-31"));
    assert_eq!(session.period, quarter.to_string());
    assert_eq!(session.snapshot.get("revenue"), Some(1_200_000.0));
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
    let open = OpenOneOnOne { rep: RepId(r1), on: day("2026-03-31"), lang: quotient_core::Lang::ENGLISH };
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

on_both_backends!(
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
