//! The deals a data forecast learns from and forecasts: every live opportunity that was open at
//! some point since a day, with the days it reached its milestones and how it closed.

use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::queries::midnight;
use crate::orgs::OrgId;
use chrono::NaiveDate;
use quotient_core::Money;
use quotient_core::forecast::model::{Deal, Milestones, Step};
use std::collections::HashMap;

/// An organisation's deals for a forecast, with each one's id and name.
#[derive(Debug, Clone, Default)]
pub struct Deals {
    pub deals: Vec<Deal>,
    /// `(opportunity id, name)` beside each deal.
    pub labels: Vec<(i64, String)>,
    /// The probability of the stage recording each step's milestone (the first open stage for
    /// the step of a new deal).
    pub step_probability_bp: [u32; 4],
}

/// The organisation's live opportunities still open at the start of `since` or created after it.
pub fn deals_since(db: &mut Db, org: OrgId, since: NaiveDate) -> Result<Deals> {
    let mut stages: HashMap<String, u32> = HashMap::new();
    let mut step_probability_bp = [0; 4];
    let mut first_open = None;
    db.query_each(
        "SELECT key, probability_bp, outcome, milestone FROM stages WHERE org_id = ? ORDER BY position",
        &[org.value()],
        |row| {
            let probability = u32::try_from(row.int(1)?.unwrap_or(0)).unwrap_or(0);
            stages.insert(row.text(0)?.unwrap_or_default().to_string(), probability);
            if row.text(2)? == Some("open") && first_open.is_none() {
                first_open = Some(probability);
            }
            let step = match row.text(3)? {
                Some("first_appointment") => Some(Step::FirstAppointment),
                Some("gateway") => Some(Step::Gateway),
                Some("proposal") => Some(Step::Proposal),
                _ => None,
            };
            if let Some(step) = step {
                step_probability_bp[step as usize] = probability;
            }
            Ok(())
        },
    )?;
    step_probability_bp[Step::Opened as usize] = first_open.unwrap_or(0);
    let mut out = Deals { step_probability_bp, ..Deals::default() };
    db.query_each(
        "SELECT id, COALESCE(name, external_id), owner_id, amount_cents, created_at, first_appointment_at,
                gateway_at, proposal_at, closed_at, status, stage, expected_close_on
         FROM opportunities
         WHERE org_id = ? AND deleted_at IS NULL AND (closed_at IS NULL OR closed_at >= ?)
         ORDER BY id",
        &[org.value(), Value::Timestamp(midnight(since))],
        |row| {
            let day = |index| Ok::<_, crate::error::StoreError>(row.timestamp(index)?.map(|at| at.date_naive()));
            let Some(created) = day(4)? else { return Ok(()) };
            let closed = match (day(8)?, row.text(9)?) {
                (Some(on), Some(status)) if status != "open" => Some((on, status == "won")),
                _ => None,
            };
            out.deals.push(Deal {
                owner: row.int(2)?.unwrap_or_default(),
                amount: Money::from_cents(row.int(3)?.unwrap_or(0)),
                milestones: Milestones { created, first_appointment: day(5)?, gateway: day(6)?, proposal: day(7)? },
                closed,
                stage_probability_bp: stages.get(row.text(10)?.unwrap_or_default()).copied().unwrap_or(0),
                expected_close_on: row.date(11)?,
            });
            out.labels.push((row.int(0)?.unwrap_or_default(), row.text(1)?.unwrap_or_default().to_string()));
            Ok(())
        },
    )?;
    Ok(out)
}
