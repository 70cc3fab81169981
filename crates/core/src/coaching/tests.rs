//! Hand-computed cases for the workflow, the account map and the 1:1 changes.

use super::*;
use crate::model::BuyingRole;
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

const REP: Actor = Actor { is_owner: true, is_above: false };
const MANAGER: Actor = Actor { is_owner: false, is_above: true };
const PEER: Actor = Actor { is_owner: false, is_above: false };

#[test]
fn only_the_rep_submits_and_only_their_manager_or_above_decides() {
    assert_eq!(advance(PlanStatus::Draft, Step::Submit, REP, ""), Ok(PlanStatus::Submitted));
    assert_eq!(advance(PlanStatus::Draft, Step::Submit, MANAGER, ""), Err(WorkflowError::NotAllowed));
    assert_eq!(advance(PlanStatus::Submitted, Step::Approve, MANAGER, ""), Ok(PlanStatus::Approved));
    assert_eq!(advance(PlanStatus::Submitted, Step::Approve, REP, ""), Err(WorkflowError::NotAllowed));
    assert_eq!(advance(PlanStatus::Submitted, Step::Approve, PEER, ""), Err(WorkflowError::NotAllowed));
    // A returned plan is a draft again, and returning needs a comment.
    assert_eq!(
        advance(PlanStatus::Submitted, Step::Return, MANAGER, "Add the channel strategy"),
        Ok(PlanStatus::Draft)
    );
    assert_eq!(advance(PlanStatus::Submitted, Step::Return, MANAGER, "  "), Err(WorkflowError::CommentRequired));
    // Steps out of order.
    assert_eq!(
        advance(PlanStatus::Draft, Step::Approve, MANAGER, ""),
        Err(WorkflowError::WrongStatus(PlanStatus::Draft))
    );
    assert_eq!(
        advance(PlanStatus::Approved, Step::Submit, REP, ""),
        Err(WorkflowError::WrongStatus(PlanStatus::Approved))
    );
    assert!(PlanStatus::Draft.is_editable() && !PlanStatus::Submitted.is_editable());
}

fn contact(role: BuyingRole, last_touch: Option<NaiveDate>) -> MappedContact {
    MappedContact { role: Some(role), authority: Some(3), last_touch }
}

#[test]
fn an_account_is_covered_when_a_decision_maker_and_a_financial_authority_were_touched_in_90_days() {
    let today = day(2026, 12, 31);
    // 90 days before 31 December is 2 October: touched then is still current, 1 October is not.
    let current = Some(day(2026, 10, 2));
    let stale = Some(day(2026, 10, 1));
    let covered = [contact(BuyingRole::DecisionMaker, current), contact(BuyingRole::FinancialAuthority, current)];
    assert!(is_covered(&covered, today));
    assert!(gaps(&covered, today).is_empty());

    let stale_fa = [contact(BuyingRole::DecisionMaker, current), contact(BuyingRole::FinancialAuthority, stale)];
    assert!(!is_covered(&stale_fa, today));
    let found = gaps(&stale_fa, today);
    assert!(found.financial_authority_untouched && !found.no_financial_authority && !found.no_decision_maker);
    assert_eq!(found.untouched, [1]);

    let no_dm = [contact(BuyingRole::Influencer, current), contact(BuyingRole::FinancialAuthority, None)];
    let found = gaps(&no_dm, today);
    assert!(found.no_decision_maker && !found.decision_maker_untouched && found.financial_authority_untouched);
    assert_eq!(found.untouched, [1], "never touched counts as untouched");
    // A touch after the day does not count for it.
    assert!(!contact(BuyingRole::DecisionMaker, Some(day(2027, 1, 1))).is_current(today));

    // Three key accounts, one covered: 1/3. No key accounts: undefined.
    let accounts = vec![covered.to_vec(), stale_fa.to_vec(), vec![]];
    assert_eq!(key_account_coverage(&accounts, today), Some(1.0 / 3.0));
    assert_eq!(key_account_coverage(&[], today), None);
}

#[test]
fn the_next_one_on_one_starts_from_the_change_in_each_kpi() {
    let snapshot = |revenue: f64, win_rate: Option<f64>| Snapshot {
        kpis: vec![("revenue".into(), Some(revenue)), ("win_rate".into(), win_rate)],
        flags: vec![],
    };
    let found = changes(&snapshot(100_000.0, Some(0.25)), &snapshot(160_000.0, None));
    assert_eq!(found[0].change, Some(60_000.0));
    assert_eq!((found[1].before, found[1].after, found[1].change), (Some(0.25), None, None));
    // A KPI the earlier snapshot lacks has no change.
    let earlier = Snapshot::default();
    assert_eq!(changes(&earlier, &snapshot(1.0, Some(0.5)))[1].change, None);
}

#[test]
fn the_coverage_score_weighs_each_buying_role_touched_or_only_mapped() {
    let today = day(2026, 12, 31);
    let current = Some(day(2026, 10, 2));
    let stale = Some(day(2026, 10, 1));
    // Decision maker touched 40, financial authority mapped but stale ½ × 30 = 15, no influencer 0,
    // user touched 15, gatekeeper weighs nothing: (40 + 15 + 0 + 15) / 100 = 0.70.
    let contacts = [
        contact(BuyingRole::DecisionMaker, current),
        contact(BuyingRole::FinancialAuthority, stale),
        contact(BuyingRole::User, current),
        contact(BuyingRole::Gatekeeper, current),
    ];
    assert_eq!(coverage_score(&contacts, today, 90), 0.70);
    // With a 60-day window, 2 October (90 days back) is stale too: decision maker ½ × 40 = 20,
    // financial authority 15, user ½ × 15 = 7.5: 42.5 / 100.
    assert_eq!(coverage_score(&contacts, today, 60), 0.425);
    // Two decision makers, one current: the role is touched. Every role touched: 100%.
    let all = [
        contact(BuyingRole::DecisionMaker, stale),
        contact(BuyingRole::DecisionMaker, current),
        contact(BuyingRole::FinancialAuthority, current),
        contact(BuyingRole::Influencer, current),
        contact(BuyingRole::User, current),
    ];
    assert_eq!(coverage_score(&all, today, 90), 1.0);
    // Nothing mapped: 0, not undefined; contacts without a role count for nothing either.
    assert_eq!(coverage_score(&[], today, 90), 0.0);
    let unknown = MappedContact { role: None, authority: None, last_touch: current };
    assert_eq!(coverage_score(&[unknown], today, 90), 0.0);
}

#[test]
fn key_account_coverage_is_the_covered_share_and_the_mean_score() {
    let today = day(2026, 12, 31);
    let current = Some(day(2026, 12, 1));
    let covered = vec![contact(BuyingRole::DecisionMaker, current), contact(BuyingRole::FinancialAuthority, current)];
    let only_dm = vec![contact(BuyingRole::DecisionMaker, current)];
    // Covered: 1 of 3. Scores: 70/100 (DM 40 + FA 30), 40/100, 0: mean 110 / 300 = 0.3667.
    let found = key_account_coverage_within(&[covered.clone(), only_dm, vec![]], today, 90);
    assert_eq!(found.accounts, 3);
    assert_eq!(found.covered, Some(1.0 / 3.0));
    assert!((found.mean_score.unwrap_or_default() - 110.0 / 300.0).abs() < 1e-12, "{found:?}");
    // A window of 20 days makes the 1 December touches stale: nothing covered, scores 35, 20, 0.
    let short = key_account_coverage_within(&[covered, vec![]], today, 20);
    assert_eq!((short.covered, short.mean_score), (Some(0.0), Some(0.35 / 2.0)));
    // No key accounts: both undefined.
    assert_eq!(key_account_coverage_within(&[], today, 90), KeyAccountCoverage::default());
}

#[test]
fn a_decision_process_knows_its_next_step_and_what_is_late() {
    let step = |name: &str, due_on, done| DecisionStep { name: name.into(), decider: String::new(), due_on, done };
    let process = DecisionProcess {
        steps: vec![
            step("Needs agreed", Some(day(2026, 9, 1)), true),
            step("Shortlist", Some(day(2026, 10, 1)), false),
            step("Board approval", Some(day(2026, 12, 1)), false),
            step("Contract", None, false),
        ],
        criteria: vec!["Price".into()],
        expected_decision_on: Some(day(2026, 12, 15)),
    };
    // 1 of 4 done; on 15 November the shortlist (1 October) is late, the board (1 December) not yet.
    assert_eq!(process.done_share(), Some(0.25));
    assert_eq!(process.overdue(day(2026, 11, 15)), [1]);
    assert_eq!(process.overdue(day(2026, 12, 2)), [1, 2]);
    assert_eq!(process.next_step(), Some(1));
    assert_eq!(DecisionProcess::default().done_share(), None);
    assert!(DecisionProcess::default().is_empty() && !process.is_empty());
}

#[test]
fn an_objective_progresses_against_its_target_and_the_year_gone_by() {
    // 2026 has 365 days; by the end of 1 July, 182 are gone: 182 / 365 = 0.4986.
    let expected = 182.0 / 365.0;
    assert_eq!(year_elapsed(2026, day(2026, 7, 1)), expected);
    assert_eq!(year_elapsed(2026, day(2025, 12, 31)), 0.0);
    assert_eq!(year_elapsed(2026, day(2027, 3, 1)), 1.0);
    // 2028 is a leap year: 1 January is 1 / 366.
    assert_eq!(year_elapsed(2028, day(2028, 1, 1)), 1.0 / 366.0);
    // 45 of 100 first appointments: 45%, behind a steady pace of 49.86%.
    let behind = progress(45, 100, 2026, day(2026, 7, 1));
    assert_eq!((behind.share, behind.on_track), (Some(0.45), Some(false)));
    assert_eq!(behind.expected, expected);
    // 60 of 100: ahead.
    assert_eq!(progress(60, 100, 2026, day(2026, 7, 1)).on_track, Some(true));
    // A target of 0 has no progress to show.
    let nothing = progress(5, 0, 2026, day(2026, 7, 1));
    assert_eq!((nothing.share, nothing.on_track), (None, None));
}

#[test]
fn an_objective_reads_its_kpi_from_the_tally() {
    let tally =
        crate::kpi::Tally { won: 3, won_amount: 1_250_000, first_appointments: 7, demos: 2, ..Default::default() };
    assert_eq!(ObjectiveKpi::Revenue.actual(&tally), 1_250_000);
    assert_eq!(ObjectiveKpi::Deals.actual(&tally), 3);
    assert_eq!(ObjectiveKpi::FirstAppointments.actual(&tally), 7);
    assert_eq!(ObjectiveKpi::Demos.actual(&tally), 2);
    assert_eq!(ObjectiveKpi::ColdCalls.actual(&tally), 0);
    assert!(ObjectiveKpi::Revenue.is_money() && !ObjectiveKpi::Deals.is_money());
    // Every KPI's field is a rollup field.
    assert!(ObjectiveKpi::ALL.iter().all(|k| crate::kpi::Tally::FIELDS.contains(&k.field())));
}

#[test]
fn a_team_pools_its_reps_key_accounts() {
    // Rep A: 2 key accounts, 1 covered, scores 100% and 40% (mean 70%). Rep B: 3 accounts, 3 covered,
    // mean 80%. Rep C: no plan. Pooled: 5 accounts, 4 covered = 80%; scores (2 × 0.7 + 3 × 0.8) / 5
    // = 3.8 / 5 = 76%.
    let a = KeyAccountCoverage { accounts: 2, covered: Some(0.5), mean_score: Some(0.7) };
    let b = KeyAccountCoverage { accounts: 3, covered: Some(1.0), mean_score: Some(0.8) };
    let team = KeyAccountCoverage::pooled([a, b, KeyAccountCoverage::default()]);
    assert_eq!(team.accounts, 5);
    assert_eq!(team.covered, Some(0.8));
    assert!((team.mean_score.unwrap_or_default() - 0.76).abs() < 1e-12, "{team:?}");
    // Nobody has key accounts: undefined.
    assert_eq!(KeyAccountCoverage::pooled([KeyAccountCoverage::default()]), KeyAccountCoverage::default());
}
