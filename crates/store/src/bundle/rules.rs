//! The rules that span fields of a row, or rows of different files (`data/BUNDLE.md`: "Rules an
//! importer enforces"), beyond what each field's kind checks on its own.

use super::problem::Problem;
use super::spec::FileSpec;
use crate::db::Value;
use crate::orgs::PipelineKeys;
use quotient_core::model::{Milestone, QuotaMetric, StageOutcome};
use std::collections::HashMap;

/// Where a row is, to say where its problems are.
pub struct RowAt<'a> {
    pub spec: &'static FileSpec,
    pub line: u64,
    pub positions: &'a [Option<usize>],
}

impl RowAt<'_> {
    pub fn problem(&self, column: usize, message: String) -> Problem {
        Problem {
            file: self.spec.file.to_string(),
            line: self.line,
            column: self.positions.get(column).copied().flatten().map(|p| p + 1),
            field: Some(self.spec.columns[column].name.to_string()),
            message,
        }
    }
}

/// The configured pipeline, as the rules need it.
pub struct Pipeline {
    outcomes: HashMap<String, StageOutcome>,
    gateway_types: Vec<String>,
    won: Option<String>,
    lost: Option<String>,
    first_open: Option<String>,
    by_milestone: Vec<(Milestone, String)>,
}

impl Pipeline {
    pub fn new(keys: PipelineKeys) -> Self {
        let mut pipeline = Pipeline {
            outcomes: HashMap::new(),
            gateway_types: keys.gateway_types,
            won: None,
            lost: None,
            first_open: None,
            by_milestone: Vec::new(),
        };
        for stage in keys.stages {
            let outcome = stage.outcome;
            match outcome {
                StageOutcome::Won => pipeline.won.get_or_insert(stage.key.clone()),
                StageOutcome::Lost => pipeline.lost.get_or_insert(stage.key.clone()),
                StageOutcome::Open => pipeline.first_open.get_or_insert(stage.key.clone()),
            };
            if let Some(milestone) = stage.milestone {
                pipeline.by_milestone.push((milestone, stage.key.clone()));
            }
            pipeline.outcomes.insert(stage.key, outcome);
        }
        pipeline
    }

    pub fn stage_outcome(&self, key: &str) -> Option<StageOutcome> {
        self.outcomes.get(key).copied()
    }

    pub fn stage_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.outcomes.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    pub fn has_gateway_type(&self, key: &str) -> bool {
        self.gateway_types.iter().any(|k| k == key)
    }

    pub fn gateway_types(&self) -> &[String] {
        &self.gateway_types
    }

    /// The stage an opportunity is in when the file does not say: its outcome if closed, else the
    /// stage of the furthest milestone it reached, else the first open stage.
    fn derived_stage(&self, status: StageOutcome, reached: &[Milestone]) -> Option<&str> {
        match status {
            StageOutcome::Won => self.won.as_deref(),
            StageOutcome::Lost => self.lost.as_deref(),
            StageOutcome::Open => [Milestone::Proposal, Milestone::Gateway, Milestone::FirstAppointment]
                .iter()
                .filter(|m| reached.contains(m))
                .find_map(|m| self.by_milestone.iter().find(|(milestone, _)| milestone == m))
                .map(|(_, key)| key.as_str())
                .or(self.first_open.as_deref()),
        }
    }
}

fn status_outcome(value: &Value) -> Option<StageOutcome> {
    match value {
        Value::Text(text) => text.parse().ok(),
        _ => None,
    }
}

/// Column indexes of the spec, looked up once per import.
pub struct OpportunityColumns {
    status: usize,
    stage: usize,
    created_at: usize,
    closed_at: usize,
    milestones: [(usize, Option<Milestone>); 4],
}

fn column(spec: &FileSpec, name: &str) -> usize {
    spec.column(name).unwrap_or_else(|| unreachable!("{} has no column {name}", spec.file))
}

impl OpportunityColumns {
    pub fn new(spec: &FileSpec) -> Self {
        OpportunityColumns {
            status: column(spec, "status"),
            stage: column(spec, "stage"),
            created_at: column(spec, "created_at"),
            closed_at: column(spec, "closed_at"),
            milestones: [
                (column(spec, "first_appointment_at"), Some(Milestone::FirstAppointment)),
                (column(spec, "gateway_at"), Some(Milestone::Gateway)),
                (column(spec, "proposal_at"), Some(Milestone::Proposal)),
                (column(spec, "closed_at"), None),
            ],
        }
    }

    pub fn status_position(&self, positions: &[Option<usize>]) -> Option<usize> {
        positions.get(self.status).copied().flatten().map(|p| p + 1)
    }
}

/// An opportunity of this bundle, kept to check its stage history against its status: 16 bytes,
/// for there are millions.
#[derive(Debug, Clone, Copy)]
pub struct OpportunityCheck {
    pub status: StageOutcome,
    /// The last stage change seen: when, on which line of stage_changes.csv, to which outcome.
    last_change_at: i64,
    last_change_line: u32,
    last_outcome: Option<StageOutcome>,
}

impl OpportunityCheck {
    pub fn new(status: StageOutcome) -> Self {
        OpportunityCheck { status, last_change_at: 0, last_change_line: 0, last_outcome: None }
    }

    /// Keeps a stage change unless one seen before is later; of two at the same time, the one on
    /// the later line.
    pub fn see_change(&mut self, at: i64, outcome: StageOutcome, line: u32) {
        if self.last_outcome.is_none() || at >= self.last_change_at {
            (self.last_change_at, self.last_change_line, self.last_outcome) = (at, line, Some(outcome));
        }
    }

    /// The last stage change seen: when, to which outcome, on which line of stage_changes.csv.
    pub fn last_change(&self) -> Option<(i64, StageOutcome, u64)> {
        self.last_outcome.map(|outcome| (self.last_change_at, outcome, u64::from(self.last_change_line)))
    }
}

/// closed_at exactly when won or lost; milestones not before created_at; stage and status agree
/// (the stage is derived when not given).
pub fn check_opportunity(
    row: &RowAt,
    fields: &mut [Value],
    columns: &OpportunityColumns,
    pipeline: &Pipeline,
    problems: &mut Vec<Problem>,
) -> Option<StageOutcome> {
    let status = status_outcome(&fields[columns.status])?;
    let closed = !fields[columns.closed_at].is_null();
    match status {
        StageOutcome::Won | StageOutcome::Lost if !closed => problems.push(
            row.problem(columns.closed_at, format!("is empty but status is {}: fill in when it closed", status.key())),
        ),
        StageOutcome::Open if closed => problems.push(row.problem(
            columns.closed_at,
            "is set but status is open: clear it, or set status to won or lost".to_string(),
        )),
        _ => {}
    }
    let mut reached = Vec::new();
    if let Value::Timestamp(created) = fields[columns.created_at] {
        for (index, milestone) in columns.milestones {
            if let Value::Timestamp(at) = fields[index] {
                if at < created {
                    problems.push(row.problem(
                        index,
                        format!(
                            "{} is before created_at {}: a milestone cannot precede the opportunity",
                            super::fields::format_timestamp(at),
                            super::fields::format_timestamp(created)
                        ),
                    ));
                }
                reached.extend(milestone);
            }
        }
    }
    match &fields[columns.stage] {
        Value::Text(stage) => {
            if let Some(outcome) = pipeline.stage_outcome(stage)
                && outcome != status
            {
                problems.push(row.problem(
                    columns.stage,
                    format!("stage '{stage}' does not agree with status '{}': make them agree", status.key()),
                ));
            }
        }
        _ => {
            if let Some(stage) = pipeline.derived_stage(status, &reached) {
                fields[columns.stage] = Value::owned(stage.to_string());
            }
        }
    }
    Some(status)
}

/// A lead is not touched before it exists.
pub fn check_lead(spec: &FileSpec, row: &RowAt, fields: &[Value], problems: &mut Vec<Problem>) {
    let (created, touched) = (column(spec, "created_at"), column(spec, "first_touch_at"));
    if let (Value::Timestamp(created_at), Value::Timestamp(touched_at)) = (&fields[created], &fields[touched])
        && touched_at < created_at
    {
        problems
            .push(row.problem(touched, "is before created_at: a lead cannot be touched before it exists".to_string()));
    }
}

/// The target's unit follows the metric: cents for money, a whole count otherwise. Returns the
/// derived period bounds.
pub fn check_quota<'r>(
    spec: &FileSpec,
    row: &RowAt,
    fields: &mut [Value<'r>],
    problems: &mut Vec<Problem>,
) -> Vec<Value<'r>> {
    let (metric, target, period) = (column(spec, "metric"), column(spec, "target"), column(spec, "period"));
    let metric_value = match &fields[metric] {
        Value::Text(text) => text.parse::<QuotaMetric>().ok(),
        _ => None,
    };
    if let (Some(metric_value), Value::Int(cents)) = (metric_value, &fields[target])
        && !metric_value.is_money()
    {
        if cents % 100 != 0 {
            problems.push(row.problem(target, format!("a {} target must be a whole number", metric_value.key())));
        }
        fields[target] = Value::Int(cents / 100);
    }
    match &fields[period] {
        Value::Text(text) => match text.parse::<quotient_core::QuotaPeriod>() {
            Ok(period) => vec![Value::Date(period.start()), Value::Date(period.end())],
            Err(_) => vec![Value::Null, Value::Null],
        },
        _ => vec![Value::Null, Value::Null],
    }
}
