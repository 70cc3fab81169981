//! The plans file's types (`INCENTIVES.md` §1, §5, §6), in the API's JSON shape (§7). Rep and
//! product-line ids are the bundle's external ids; the store resolves them.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One fiscal year's plans and contests. The fiscal year is the calendar year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlansFile {
    pub fiscal_year: i32,
    pub plans: Vec<Plan>,
    #[serde(default)]
    pub contests: Vec<Contest>,
}

/// A commission plan: who it is assigned to, and what it pays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub name: String,
    pub assignments: Vec<Assignment>,
    pub components: Vec<Component>,
}

/// A rep on a plan from `from` up to and including `to` (the year's end when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub rep_id: String,
    pub from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<Draw>,
}

/// A monthly draw (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    pub kind: DrawKind,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawKind {
    /// An advance against later earnings of the same year.
    Recoverable,
    /// A minimum: the statement pays at least the draw, with nothing to recover.
    Guaranteed,
}

/// One component of a plan (§1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "super::plan_shape::ComponentShape")]
pub struct Component {
    pub key: String,
    pub metric: Metric,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_line_id: Option<String>,
    pub credit: Credit,
    pub period: PlanPeriod,
    #[serde(default)]
    pub cumulative: bool,
    #[serde(flatten)]
    pub kind: ComponentKind,
    #[serde(default, with = "super::exact::option", skip_serializing_if = "Option::is_none")]
    pub gate: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clawback_days: Option<u32>,
}

/// What a component credits, and which quota it is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Revenue,
    Margin,
    Deals,
}

/// Whose won deals count: the rep's own, or the rep's subtree's (a manager's overlay).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credit {
    Own,
    Team,
}

/// The window attainment is measured over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanPeriod {
    Month,
    Quarter,
    Year,
}

/// A commission (a rate on the credited amount) or a bonus (a target times a payout curve).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ComponentKind {
    Commission { tier_mode: TierMode, tiers: Vec<Tier> },
    Bonus { target_cents: i64, curve: Vec<CurvePoint> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierMode {
    /// The rate of the highest tier reached applies to the whole credited amount.
    Retroactive,
    /// Each slice of attainment between two tiers earns that tier's rate.
    Marginal,
}

/// From attainment `from` on, `rate` applies: a share of money credited, or for `deals` money per
/// deal in the currency (`"150.00"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    #[serde(with = "super::exact")]
    pub from: Decimal,
    #[serde(with = "super::exact")]
    pub rate: Decimal,
}

/// At attainment `attainment` the bonus pays `payout` × the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurvePoint {
    #[serde(with = "super::exact")]
    pub attainment: Decimal,
    #[serde(with = "super::exact")]
    pub payout: Decimal,
}

/// A time-boxed incentive (§5), from `start` to `end`, both days included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contest {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub participants: Participants,
    pub measure: Measure,
    pub award: Award,
}

/// Who competes: everyone (`"organisation"`) or a manager's subtree (`"team:M1"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Participants {
    Organisation,
    Team(String),
}

impl FromStr for Participants {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            None if text == "organisation" => Ok(Participants::Organisation),
            Some(("team", manager)) if !manager.trim().is_empty() => Ok(Participants::Team(manager.to_string())),
            _ => Err(format!("'{text}' is not a set of participants: write \"organisation\" or \"team:<manager id>\"")),
        }
    }
}

impl TryFrom<String> for Participants {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl fmt::Display for Participants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Participants::Organisation => f.write_str("organisation"),
            Participants::Team(manager) => write!(f, "team:{manager}"),
        }
    }
}

impl From<Participants> for String {
    fn from(participants: Participants) -> String {
        participants.to_string()
    }
}

/// What a contest counts: a KPI, optionally of one product line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub kpi: ContestKpi,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_line_id: Option<String>,
}

/// The counted KPIs a contest can measure. `revenue` counts in currency units (cents ÷ 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContestKpi {
    DealsWon,
    Revenue,
    FirstAppointments,
    Proposals,
    Conversations,
}

/// Money per unit above an optional threshold, or prizes by place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged, try_from = "super::plan_shape::AwardShape")]
pub enum Award {
    PerUnit {
        per_unit_cents: i64,
        #[serde(default, with = "super::exact::option", skip_serializing_if = "Option::is_none")]
        threshold: Option<Decimal>,
    },
    Ranking {
        prizes: Vec<Prize>,
    },
}

/// A place's prize: money, or recognition in words ("a day off").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Prize {
    Cents(i64),
    Text(String),
}

impl PlanPeriod {
    /// The calendar period of this length.
    pub fn kind(self) -> crate::period::PeriodKind {
        match self {
            PlanPeriod::Month => crate::period::PeriodKind::Month,
            PlanPeriod::Quarter => crate::period::PeriodKind::Quarter,
            PlanPeriod::Year => crate::period::PeriodKind::Year,
        }
    }
}

impl Metric {
    pub fn is_money(self) -> bool {
        !matches!(self, Metric::Deals)
    }
}

impl PlansFile {
    /// The first day of the fiscal year and the day after its last.
    pub fn year_bounds(&self) -> (NaiveDate, NaiveDate) {
        year_bounds(self.fiscal_year)
    }
}

/// `[1 January, 1 January next year)` of `year` (a year chrono cannot hold gives an empty range).
pub fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    let first = |year| NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    (first(year), first(year.saturating_add(1)))
}

impl PlansFile {
    /// The same plans and contests moved to fiscal year `year`, every date by whole years (29
    /// February becomes the 28th): what a draft plan would have paid in another year.
    pub fn moved_to(&self, year: i32) -> PlansFile {
        let shift =
            |date: NaiveDate| move_to_year(date, date.year().saturating_add(year.saturating_sub(self.fiscal_year)));
        let mut moved = self.clone();
        moved.fiscal_year = year;
        for assignment in moved.plans.iter_mut().flat_map(|plan| plan.assignments.iter_mut()) {
            assignment.from = shift(assignment.from);
            assignment.to = assignment.to.map(shift);
        }
        for contest in &mut moved.contests {
            contest.start = shift(contest.start);
            contest.end = shift(contest.end);
        }
        moved
    }
}

fn move_to_year(date: NaiveDate, year: i32) -> NaiveDate {
    date.with_year(year).or_else(|| date.with_day(28).and_then(|day| day.with_year(year))).unwrap_or(date)
}
