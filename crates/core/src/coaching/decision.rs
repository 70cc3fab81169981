//! The decision-making process of an account, as the account map records it: the steps the
//! customer goes through before buying (ordered; who decides each, by when, whether it is done),
//! the criteria they will decide on, and when they expect to decide.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A step of the customer's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionStep {
    pub name: String,
    /// Who decides this step (a person or a body, as the customer names it).
    #[serde(default)]
    pub decider: String,
    /// When the step is expected to be taken.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    #[serde(default)]
    pub done: bool,
}

/// The whole process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DecisionProcess {
    /// In the order the customer takes them.
    #[serde(default)]
    pub steps: Vec<DecisionStep>,
    /// What the customer will decide on, most important first.
    #[serde(default)]
    pub criteria: Vec<String>,
    #[serde(default)]
    pub expected_decision_on: Option<NaiveDate>,
}

impl DecisionProcess {
    pub fn is_empty(&self) -> bool {
        *self == DecisionProcess::default()
    }

    /// The share of the steps done; `None` without steps.
    pub fn done_share(&self) -> Option<f64> {
        let total = self.steps.len();
        (total > 0).then(|| self.steps.iter().filter(|s| s.done).count() as f64 / total as f64)
    }

    /// The positions of the steps not done whose date is before `as_of`.
    pub fn overdue(&self, as_of: NaiveDate) -> Vec<usize> {
        let late = |s: &DecisionStep| !s.done && s.due_on.is_some_and(|due| due < as_of);
        self.steps.iter().enumerate().filter(|(_, s)| late(s)).map(|(i, _)| i).collect()
    }

    /// The first step not done: where the customer stands.
    pub fn next_step(&self) -> Option<usize> {
        self.steps.iter().position(|s| !s.done)
    }
}
