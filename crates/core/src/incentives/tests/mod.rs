//! Hand-computed cases for the incentives engine; the arithmetic is in the comments.

mod clawbacks;
mod components;
mod contests;
mod draws;
mod plans_file;
mod plans_file_fuzz;
mod properties;
mod statements;
mod what_if;

use super::*;
use crate::Period;
use chrono::NaiveDate;

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

pub(super) fn dec(text: &str) -> Decimal {
    exact::parse(text).unwrap_or(Decimal::MIN)
}

pub(super) fn period(text: &str) -> Period {
    text.parse().unwrap_or_else(|_| Period::containing(crate::period::PeriodKind::Year, day(1900, 1, 1)))
}

/// A component read from its JSON, as a plans file writes it.
pub(super) fn component(json: &str) -> Component {
    serde_json::from_str(json).unwrap_or_else(|error| panic!("component JSON: {error}"))
}

/// A whole deal of `amount` units (× 100 cents) won by rep 1 on `closed_on`.
pub(super) fn deal(opportunity_id: i64, closed_on: NaiveDate, amount_units: i64) -> CreditedDeal {
    CreditedDeal {
        opportunity_id,
        rep_id: 1,
        closed_on,
        amount_cents: amount_units * 100,
        margin_cents: amount_units * 30,
        product_line: None,
        share: Decimal::ONE,
    }
}

/// A quota of `target` (cents or deals) of `metric` over `period` (all product lines).
pub(super) fn quota(metric: Metric, period_text: &str, target: i64) -> QuotaEntry {
    QuotaEntry { metric, product_line: None, period: period(period_text), target }
}

/// Rep 1's year on one plan: what a statement is computed from.
pub(super) struct Books {
    pub plan: Plan,
    pub in_force: Vec<Period>,
    pub draws: Vec<DrawSpan>,
    pub deals: Vec<CreditedDeal>,
    pub quotas: Vec<QuotaEntry>,
    pub locked: Vec<LockedPeriod>,
    pub changed_on: std::collections::HashMap<i64, NaiveDate>,
    pub awards: Vec<ContestAward>,
}

impl Books {
    /// Plan "AE" with `components` (each a component's JSON), in force all of 2027.
    pub fn new(components: &[&str]) -> Books {
        Books {
            plan: Plan {
                name: "AE".into(),
                assignments: Vec::new(),
                components: components.iter().map(|json| component(json)).collect(),
            },
            in_force: vec![period("2027")],
            draws: Vec::new(),
            deals: Vec::new(),
            quotas: Vec::new(),
            locked: Vec::new(),
            changed_on: std::collections::HashMap::new(),
            awards: Vec::new(),
        }
    }

    pub fn input<'a>(
        &'a self,
        plans: &'a [RepPlan<'a>],
        month: &str,
        prior: &'a PriorStatements,
    ) -> StatementInput<'a> {
        StatementInput {
            rep_id: 1,
            month: period(month),
            plans,
            draws: &self.draws,
            own_deals: &self.deals,
            team_deals: &self.deals,
            own_quotas: &self.quotas,
            team_quotas: &self.quotas,
            prior,
            locked: &self.locked,
            changed_on: &self.changed_on,
            earlier: &[],
            adjustments: &[],
            awards: &self.awards,
        }
    }

    pub fn rep_plans(&self) -> Vec<RepPlan<'_>> {
        vec![RepPlan { plan: &self.plan, in_force: self.in_force.clone() }]
    }

    pub fn statement(&self, month: &str, prior: &PriorStatements) -> Statement {
        let plans = self.rep_plans();
        compute_statement(&self.input(&plans, month, prior))
    }

    /// The statements of 2027 from January to month `last`, each seeing what the earlier ones paid.
    pub fn year(&self, last: u32) -> Vec<Statement> {
        let mut prior = PriorStatements::default();
        let mut statements = Vec::new();
        for month in 1..=last {
            let statement = self.statement(&format!("2027-{month:02}"), &prior);
            for line in &statement.components {
                let reference = ComponentRef { plan: line.plan.clone(), key: line.key.clone() };
                *prior.paid.entry(reference).or_default() += line.due_cents;
            }
            prior.draw_balance_cents = statement.draw.map_or(prior.draw_balance_cents, |draw| draw.balance_after_cents);
            statements.push(statement);
        }
        statements
    }
}

/// What each statement pays for component `key`, month by month (0 where it is not on it).
pub(super) fn due(statements: &[Statement], key: &str) -> Vec<i64> {
    statements
        .iter()
        .map(|statement| statement.components.iter().filter(|line| line.key == key).map(|line| line.due_cents).sum())
        .collect()
}
