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
