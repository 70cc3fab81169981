//! `quotient goals`: reps' activity goals per week or month, set (all or none, through the one
//! operation the goals page and the API use) or listed.

use crate::org;
use crate::plan::refused;
use anyhow::{Context, Result};
use clap::Args;
use quotient_core::Period;
use quotient_store::ids::RepId;
use quotient_store::kpi::Directory;
use quotient_store::ops::goals::{self, GoalInput, SetActivityGoals};

#[derive(Args)]
pub struct GoalsArgs {
    /// A goal to set, as REP_ID:METRIC:PERIOD=TARGET, e.g. R1:cold_calls:2026-W50=60 or
    /// R1:proposals:2026-12=8 (metrics: cold_calls, call_backs, conversations, appointments_set,
    /// field_visits, first_appointments, proposals); repeat for several. Without any, the goals of
    /// --period are listed.
    #[arg(long = "set")]
    set: Vec<String>,
    /// The period whose goals to list (2026-W50, 2026-12, 2026-Q4 …; default: this month).
    #[arg(long)]
    period: Option<String>,
}

/// The options of `quotient goals` by the fields the operation names.
const OPTIONS: &[(&str, &str)] =
    &[("rep_id", "--set REP_ID"), ("metric", "--set METRIC"), ("period", "--set PERIOD"), ("target", "--set TARGET")];

pub fn run(database_url: &str, org_slug: Option<&str>, args: &GoalsArgs) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let (org, scope) = org::operator(&mut db, org_slug)?;
    let directory = Directory::load(&mut db, org.id)?;
    if args.set.is_empty() {
        let today = chrono::Utc::now().date_naive();
        let period: Period = match &args.period {
            Some(text) => text.parse()?,
            None => Period::containing(quotient_core::period::PeriodKind::Month, today),
        };
        let found = goals::activity_goals_of(&mut db, &scope, period).map_err(|e| refused("list", e, OPTIONS))?;
        println!("{:<12} {:<20} {:<10} {:>8}", "rep", "metric", "period", "target");
        for goal in found {
            let rep = directory.person(goal.rep).map_or(String::new(), |p| p.external_id.clone());
            println!("{rep:<12} {:<20} {:<10} {:>8}", goal.metric.key(), goal.period.to_string(), goal.target);
        }
        return Ok(());
    }
    let mut inputs = vec![];
    for text in &args.set {
        let bad = || anyhow::anyhow!("--set {text}: write REP_ID:METRIC:PERIOD=TARGET");
        let (key, target) = text.split_once('=').ok_or_else(bad)?;
        let mut parts = key.splitn(3, ':');
        let (Some(rep), Some(metric), Some(period)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let person = directory
            .people
            .iter()
            .find(|p| p.external_id == rep)
            .ok_or_else(|| anyhow::anyhow!("--set {text}: no rep {rep}"))?;
        let target = target.trim().parse::<i64>().map_err(|e| anyhow::anyhow!("--set {text}: {e}"))?;
        inputs.push(GoalInput { rep: RepId(person.id), metric: metric.into(), period: period.into(), target });
    }
    let changed = goals::set_activity_goals(&mut db, &scope, &SetActivityGoals { goals: inputs })
        .map_err(|e| refused("goals", e, OPTIONS))?;
    println!("set {changed} activity goal(s) for organisation '{}'", org.slug);
    Ok(())
}
