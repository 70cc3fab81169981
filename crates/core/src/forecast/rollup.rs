//! The forecast rolled up the hierarchy: each person's deals by category, their call (a rep's for
//! their deals, a manager's for their subtree), the adjustment their manager made to it, and the
//! quota and plan beside them, summed from the reps up to the organisation.
//!
//! A node's effective call is its manager's adjustment, else its own submission, else the figures
//! its categories pre-fill (commit = closed + commit; best case = commit + best case). A manager's
//! rolled call is the sum of the effective calls beneath them with their own deals' pre-fill. A
//! node's quota is its own where one is set (a manager's team quota), else the sum beneath it;
//! its share of the plan is the plan × its quota ÷ the organisation's quota. The gap is quota −
//! closed, at least 0, and each category's coverage of the gap is its open amount ÷ the gap.

use super::category::Category;
use serde::Serialize;
use std::collections::HashMap;

/// Amounts in cents by category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CategoryTotals {
    pub pipeline: i64,
    pub best_case: i64,
    pub commit: i64,
    pub closed: i64,
    pub omitted: i64,
}

impl CategoryTotals {
    pub fn add(&mut self, category: Category, cents: i64) {
        *match category {
            Category::Pipeline => &mut self.pipeline,
            Category::BestCase => &mut self.best_case,
            Category::Commit => &mut self.commit,
            Category::Closed => &mut self.closed,
            Category::Omitted => &mut self.omitted,
        } += cents;
    }

    fn plus(self, other: CategoryTotals) -> CategoryTotals {
        CategoryTotals {
            pipeline: self.pipeline.saturating_add(other.pipeline),
            best_case: self.best_case.saturating_add(other.best_case),
            commit: self.commit.saturating_add(other.commit),
            closed: self.closed.saturating_add(other.closed),
            omitted: self.omitted.saturating_add(other.omitted),
        }
    }

    /// The call these figures pre-fill: commit = closed + commit; best case = that + best case.
    pub fn prefill(self) -> Call {
        let commit = self.closed.saturating_add(self.commit);
        Call { commit_cents: commit, best_case_cents: commit.saturating_add(self.best_case) }
    }
}

/// A call: what will close in the period for sure (commit) and at best (best case), in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Call {
    pub commit_cents: i64,
    pub best_case_cents: i64,
}

impl Call {
    fn plus(self, other: Call) -> Call {
        Call {
            commit_cents: self.commit_cents.saturating_add(other.commit_cents),
            best_case_cents: self.best_case_cents.saturating_add(other.best_case_cents),
        }
    }
}

/// One person as the roll-up takes them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    pub person: i64,
    pub manager: Option<i64>,
    /// The person's own deals in the period, by category.
    pub deals: CategoryTotals,
    /// The person's own quota for the period: a rep's, or a manager's team quota where set.
    pub quota_cents: Option<i64>,
    /// The person's own submission.
    pub call: Option<Call>,
    /// Their manager's adjustment of it.
    pub adjusted: Option<Call>,
}

/// Each category's open amount ÷ the gap to quota, in basis points (10,000 = the whole gap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub commit_bp: i64,
    pub best_case_bp: i64,
    pub pipeline_bp: i64,
}

/// One person (or the organisation, `person` none) with their subtree summed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rolled {
    pub person: Option<i64>,
    pub manager: Option<i64>,
    /// 0 for the organisation, 1 for the top of the hierarchy, and so on down.
    pub depth: usize,
    /// The subtree's deals by category: the system's figures.
    pub deals: CategoryTotals,
    pub call: Option<Call>,
    pub adjusted: Option<Call>,
    /// The calls beneath (each one's effective call) and this person's own deals' pre-fill.
    pub rolled_call: Call,
    /// The adjustment, else the own call, else the rolled call.
    pub effective_call: Call,
    pub quota_cents: Option<i64>,
    pub plan_cents: Option<i64>,
    /// max(quota − closed, 0).
    pub gap_cents: Option<i64>,
    /// None without a quota or with no gap left.
    pub coverage: Option<Coverage>,
}

/// `part ÷ whole` in basis points, rounded half away from zero; none for a whole of 0 or less.
pub fn coverage_bp(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    let (part, whole) = (i128::from(part), i128::from(whole));
    let scaled = part * 10_000;
    let rounded = if scaled >= 0 { (scaled + whole / 2) / whole } else { (scaled - whole / 2) / whole };
    i64::try_from(rounded).ok()
}

/// Rolls `nodes` up: the organisation first, then each person under their manager, depth first in
/// the order given. A person whose manager is not among the nodes is at the top. `plan_cents` is
/// the company plan for the period, shared out by quota.
pub fn roll_up(nodes: &[Node], plan_cents: Option<i64>) -> Vec<Rolled> {
    let index: HashMap<i64, usize> = nodes.iter().enumerate().map(|(i, n)| (n.person, i)).collect();
    let mut children: Vec<Vec<usize>> = vec![vec![]; nodes.len()];
    let mut tops = vec![];
    for (i, node) in nodes.iter().enumerate() {
        match node.manager.and_then(|m| index.get(&m)).filter(|&&m| m != i) {
            Some(&m) => children[m].push(i),
            None => tops.push(i),
        }
    }
    // Post-order without recursion, each node once, so a cycle in the hierarchy cannot loop.
    let mut summed: Vec<Option<Rolled>> = vec![None; nodes.len()];
    let mut order = vec![];
    let mut seen = vec![false; nodes.len()];
    let mut stack: Vec<(usize, usize, bool)> = tops.iter().rev().map(|&t| (t, 1, false)).collect();
    while let Some((i, depth, expanded)) = stack.pop() {
        if expanded {
            summed[i] = Some(sum_node(&nodes[i], depth, children[i].iter().filter_map(|&c| summed[c].as_ref())));
            continue;
        }
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        order.push(i);
        stack.push((i, depth, true));
        stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1, false)));
    }
    let top: Vec<&Rolled> = tops.iter().filter_map(|&t| summed[t].as_ref()).collect();
    let organisation_quota = top.iter().try_fold(None, |sum: Option<i64>, r| Some(add(sum, r.quota_cents)));
    let organisation = organisation(&top, organisation_quota.flatten(), plan_cents);
    let mut rolled = vec![organisation];
    for i in order {
        if let Some(mut node) = summed[i].take() {
            node.plan_cents = share(plan_cents, node.quota_cents, rolled[0].quota_cents);
            rolled.push(node);
        }
    }
    rolled
}

fn add(sum: Option<i64>, more: Option<i64>) -> Option<i64> {
    match (sum, more) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    }
}

fn share(plan: Option<i64>, quota: Option<i64>, organisation_quota: Option<i64>) -> Option<i64> {
    let (plan, quota, whole) = (plan?, quota?, organisation_quota?);
    if whole <= 0 {
        return None;
    }
    let scaled = i128::from(plan) * i128::from(quota);
    i64::try_from((scaled + i128::from(whole) / 2) / i128::from(whole)).ok()
}

fn sum_node<'a>(node: &Node, depth: usize, beneath: impl Iterator<Item = &'a Rolled>) -> Rolled {
    let (mut deals, mut rolled_call, mut quota) = (node.deals, node.deals.prefill(), None);
    for child in beneath {
        deals = deals.plus(child.deals);
        rolled_call = rolled_call.plus(child.effective_call);
        quota = add(quota, child.quota_cents);
    }
    let quota = node.quota_cents.or(quota);
    let effective_call = node.adjusted.or(node.call).unwrap_or(rolled_call);
    let (gap_cents, coverage) = gap_and_coverage(quota, deals);
    Rolled {
        person: Some(node.person),
        manager: node.manager,
        depth,
        deals,
        call: node.call,
        adjusted: node.adjusted,
        rolled_call,
        effective_call,
        quota_cents: quota,
        plan_cents: None,
        gap_cents,
        coverage,
    }
}

fn gap_and_coverage(quota: Option<i64>, deals: CategoryTotals) -> (Option<i64>, Option<Coverage>) {
    let gap = quota.map(|q| (q - deals.closed).max(0));
    let coverage = gap.and_then(|gap| {
        Some(Coverage {
            commit_bp: coverage_bp(deals.commit, gap)?,
            best_case_bp: coverage_bp(deals.best_case, gap)?,
            pipeline_bp: coverage_bp(deals.pipeline, gap)?,
        })
    });
    (gap, coverage)
}

fn organisation(top: &[&Rolled], quota: Option<i64>, plan_cents: Option<i64>) -> Rolled {
    let deals = top.iter().fold(CategoryTotals::default(), |sum, r| sum.plus(r.deals));
    let rolled_call = top.iter().fold(Call::default(), |sum, r| sum.plus(r.effective_call));
    let (gap_cents, coverage) = gap_and_coverage(quota, deals);
    Rolled {
        person: None,
        manager: None,
        depth: 0,
        deals,
        call: None,
        adjusted: None,
        rolled_call,
        effective_call: rolled_call,
        quota_cents: quota,
        plan_cents,
        gap_cents,
        coverage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deals(closed: i64, commit: i64, best_case: i64, pipeline: i64) -> CategoryTotals {
        CategoryTotals { closed, commit, best_case, pipeline, omitted: 0 }
    }

    /// Manager 10 over reps 1 and 2, manager 20 (no deals of their own) over rep 3; figures in
    /// whole cents so the sums read easily.
    fn hierarchy() -> Vec<Node> {
        vec![
            Node { person: 10, manager: None, ..Node::default() },
            Node {
                person: 1,
                manager: Some(10),
                deals: deals(100, 200, 300, 400),
                quota_cents: Some(1_000),
                call: Some(Call { commit_cents: 250, best_case_cents: 500 }),
                adjusted: None,
            },
            Node {
                person: 2,
                manager: Some(10),
                deals: deals(0, 50, 0, 0),
                quota_cents: Some(500),
                call: Some(Call { commit_cents: 80, best_case_cents: 90 }),
                // The manager does not believe the 80: 40, with a note stored beside it.
                adjusted: Some(Call { commit_cents: 40, best_case_cents: 90 }),
            },
            Node { person: 20, manager: None, quota_cents: Some(3_000), ..Node::default() },
            Node {
                person: 3,
                manager: Some(20),
                deals: deals(500, 0, 0, 1_000),
                quota_cents: Some(2_000),
                ..Node::default()
            },
        ]
    }

    #[test]
    fn calls_quota_and_gap_roll_up_to_the_organisation() {
        let rolled = roll_up(&hierarchy(), Some(9_000));
        let people: Vec<Option<i64>> = rolled.iter().map(|r| r.person).collect();
        assert_eq!(people, [None, Some(10), Some(1), Some(2), Some(20), Some(3)]);
        let team = &rolled[1];
        // Deals: closed 100 + 0, commit 200 + 50, best case 300, pipeline 400.
        assert_eq!(team.deals, deals(100, 250, 300, 400));
        // Calls beneath: rep 1's own 250/500, rep 2's adjusted 40/90 → 290/590.
        assert_eq!(team.rolled_call, Call { commit_cents: 290, best_case_cents: 590 });
        // No team quota of manager 10's own: 1,000 + 500; gap 1,500 − 100 closed = 1,400.
        assert_eq!((team.quota_cents, team.gap_cents), (Some(1_500), Some(1_400)));
        // Commit 250 / 1,400 = 0.17857 → 1,786 bp; best case 300 / 1,400 → 2,143; pipeline 400 → 2,857.
        assert_eq!(team.coverage, Some(Coverage { commit_bp: 1_786, best_case_bp: 2_143, pipeline_bp: 2_857 }));
        // Manager 20's own team quota (3,000) stands instead of rep 3's 2,000.
        let other = &rolled[4];
        assert_eq!((other.quota_cents, other.gap_cents), (Some(3_000), Some(2_500)));
        // Rep 3 submitted nothing: the pre-fill 500 closed + 0 commit, best case the same.
        assert_eq!(rolled[5].effective_call, Call { commit_cents: 500, best_case_cents: 500 });
        // The organisation: quota 1,500 + 3,000 = 4,500, closed 600, gap 3,900; calls 290 + 500.
        let organisation = &rolled[0];
        assert_eq!((organisation.quota_cents, organisation.gap_cents), (Some(4_500), Some(3_900)));
        assert_eq!(organisation.effective_call, Call { commit_cents: 790, best_case_cents: 1_090 });
        // Plan 9,000 shared by quota: team 10 gets 9,000 × 1,500 / 4,500 = 3,000, rep 2 1,000.
        assert_eq!(organisation.plan_cents, Some(9_000));
        assert_eq!((team.plan_cents, rolled[3].plan_cents), (Some(3_000), Some(1_000)));
    }

    #[test]
    fn a_gap_closed_leaves_no_coverage_and_a_cycle_does_not_loop() {
        let nodes = vec![
            Node {
                person: 1,
                manager: Some(2),
                deals: deals(700, 10, 0, 0),
                quota_cents: Some(500),
                ..Node::default()
            },
            Node { person: 2, manager: Some(1), ..Node::default() },
        ];
        // Each is the other's manager: neither is at the top, so only the organisation remains.
        assert_eq!(roll_up(&nodes, None).len(), 1);
        let alone = roll_up(&nodes[..1], None);
        // Closed 700 beat the quota of 500: the gap is 0, and there is nothing to cover.
        assert_eq!((alone[1].gap_cents, alone[1].coverage), (Some(0), None));
        assert_eq!(coverage_bp(1, 3), Some(3_333));
        assert_eq!(coverage_bp(2, 3), Some(6_667));
    }
}
