//! Writing a CRM record through its form: the create and the update the operations drive, each
//! audited and moving the KPI rollups. Both run inside the caller's transaction.

use super::forms::Form;
use super::values::{self, Columns, Values};
use super::{new_ids, row_json, write_returning};
use crate::access::Viewer;
use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::latest::{self, Latest, Opportunities};
use crate::kpi::score_owners::{self, Scored};
use crate::kpi::{self, Fact};
use quotient_core::Lang;
use quotient_core::access::Resource;
use quotient_core::model::OpportunityStatus;

/// Creates a record from `values`; its id.
pub(crate) fn insert(db: &mut Db, viewer: &Viewer, form: &Form, values: &Values, lang: Lang) -> Result<i64> {
    let mut columns = values::checked(db, viewer, form, values, lang)?;
    let (id, external_id) = new_ids(db, viewer.org, form.table)?;
    let opening_stage = if form.resource == Resource::Opportunities {
        let stage = super::opportunities::opening_stage(db, viewer.org)?;
        columns.push(("status", Value::text(OpportunityStatus::Open.key())));
        columns.push(("stage", Value::owned(stage.clone())));
        Some(stage)
    } else {
        None
    };
    let linked = linked_facts(&columns);
    let names: Vec<&str> = columns.iter().map(|(column, _)| *column).collect();
    let marks = vec!["?"; names.len() + 3].join(", ");
    let sql = format!("INSERT INTO {} (org_id, id, external_id, {}) VALUES ({marks})", form.table, names.join(", "));
    let mut params = vec![viewer.org.value(), Value::Int(id), Value::owned(external_id)];
    let created_at = columns.iter().find(|(c, _)| *c == "created_at").map(|(_, v)| v.clone());
    params.extend(columns.into_iter().map(|(_, value)| value));
    let audited = audited_columns(form);
    let write = |db: &mut Db| {
        let after = write_returning(db, &sql, &params, &audited)?;
        if let (Some(stage), Some(Value::Timestamp(at))) = (&opening_stage, created_at) {
            super::opportunities::record_stage_change(db, viewer.org, id, stage, at)?;
            latest::refresh(db, viewer.org, &[Latest::StageChange], Opportunities::These(&[id]))?;
        }
        Ok(after)
    };
    let after = match Fact::of_table(form.table, id) {
        Some(fact) => kpi::with_delta_creating(db, viewer.org, fact, &linked, write)?,
        None => write(db)?,
    };
    let change = Change {
        user: Some(viewer.user),
        action: "create",
        entity: form.table,
        entity_id: Some(id),
        before: None,
        after,
    };
    audit::record(db, viewer.org, change)?;
    Ok(id)
}

/// Changes live record `id` to `values` (every field of the form; an empty one is cleared). The
/// caller has checked that the record is within reach.
pub(crate) fn update(db: &mut Db, viewer: &Viewer, form: &Form, id: i64, values: &Values, lang: Lang) -> Result<()> {
    let columns = values::checked(db, viewer, form, values, lang)?;
    let audited = audited_columns(form);
    let before = row_json(db, viewer.org, form.table, &audited, id)?;
    let linked = linked_facts(&columns);
    let sets: Vec<String> = columns.iter().map(|(column, _)| format!("{column} = ?")).collect();
    let mut params: Vec<Value> = columns.into_iter().map(|(_, value)| value).collect();
    params.extend([viewer.org.value(), Value::Int(id)]);
    let sql = format!("UPDATE {} SET {} WHERE org_id = ? AND id = ?", form.table, sets.join(", "));
    let write = |db: &mut Db| {
        let after = write_returning(db, &sql, &params, &audited)?;
        // An account's owner is whose its satisfaction scores are.
        if form.resource == Resource::Accounts {
            score_owners::keep(db, viewer.org, Scored::OnAccounts(&[id]))?;
        }
        Ok(after)
    };
    let after = match Fact::of_table(form.table, id) {
        Some(fact) => kpi::with_delta(db, viewer.org, &[&[fact], linked.as_slice()].concat(), write)?,
        None => write(db)?,
    };
    let change =
        Change { user: Some(viewer.user), action: "update", entity: form.table, entity_id: Some(id), before, after };
    audit::record(db, viewer.org, change)?;
    Ok(())
}

/// The facts a row's columns link it to, whose contributions may change with it: an appointment
/// can be its opportunity's first, with the contact it was with.
fn linked_facts(columns: &Columns) -> Vec<Fact> {
    columns
        .iter()
        .filter_map(|(column, value)| match (*column, value) {
            ("opportunity_id", Value::Int(id)) => Some(Fact::Opportunity(*id)),
            _ => None,
        })
        .collect()
}

fn audited_columns(form: &Form) -> Vec<&'static str> {
    let mut columns: Vec<&'static str> = form.fields.iter().map(|f| f.column).collect();
    if form.resource == Resource::Opportunities {
        columns.extend(["status", "stage"]);
    }
    columns.push("deleted_at");
    columns
}
