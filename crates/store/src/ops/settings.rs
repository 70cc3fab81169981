//! The organisation's settings: reading them (administrators and executives), saving them
//! (administrators; all or nothing, every bad value refused by code), and rebuilding the rollups a
//! change of the follow-up window or the authority cut-off leaves behind.

use super::permit;
use crate::access::Viewer;
use crate::crm::pipeline_config::{self, GatewayTypeInput, GatewayTypeSetup, StageInput, StageSetup};
use crate::db::Db;
use crate::error::Result;
use crate::kpi::{self, Saved};
use quotient_core::access::{Action, Resource};
use quotient_core::settings::Settings;

/// The organisation's settings.
pub fn read_settings(db: &mut Db, scope: &Viewer) -> Result<Settings> {
    permit(scope, Resource::Settings, Action::Read)?;
    kpi::settings(db, scope.org)
}

/// Settings to save: each key with its value as text (`0.5`, `true`, `24`); the keys not named keep
/// their value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaveSettings {
    pub values: Vec<(String, String)>,
}

/// Saves the settings in one transaction, or refuses every bad value at once and saves nothing.
/// The answer says whether the rollups must be rebuilt ([`rebuild_rollups`]): until they are, the
/// reports answer from the cells as they stood.
pub fn save_settings(db: &mut Db, scope: &Viewer, command: &SaveSettings) -> Result<Saved> {
    permit(scope, Resource::Settings, Action::Edit)?;
    db.transaction(|db| kpi::save_settings(db, scope.org, scope.actor(), &command.values))
}

/// Recomputes the organisation's rollup cells under its current settings, in one transaction (the
/// reports keep reading the cells before it until it commits), telling `progress` the reps done and
/// their number. Returns the cells written.
pub fn rebuild_rollups(db: &mut Db, scope: &Viewer, progress: &mut dyn FnMut(usize, usize)) -> Result<u64> {
    permit(scope, Resource::Settings, Action::Edit)?;
    db.transaction(|db| kpi::rebuild_reporting(db, scope.org, progress))
}

/// The pipeline's configuration: its stages and gateway types with their definitions and rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PipelineSetup {
    pub stages: Vec<StageSetup>,
    pub gateway_types: Vec<GatewayTypeSetup>,
}

/// The pipeline's configuration, for those who read the settings.
pub fn pipeline_setup(db: &mut Db, scope: &Viewer) -> Result<PipelineSetup> {
    permit(scope, Resource::Settings, Action::Read)?;
    Ok(PipelineSetup {
        stages: pipeline_config::stages(db, scope.org)?,
        gateway_types: pipeline_config::gateway_types(db, scope.org)?,
    })
}

/// Saves a stage (a new key adds an open stage), refused field by field.
pub fn save_stage(db: &mut Db, scope: &Viewer, stage: &StageInput) -> Result<StageSetup> {
    permit(scope, Resource::Settings, Action::Edit)?;
    db.transaction(|db| pipeline_config::save_stage(db, scope.org, scope.actor(), stage))
}

/// Removes a stage no opportunity is or was at; the pipeline keeps an open, a won and a lost stage.
pub fn remove_stage(db: &mut Db, scope: &Viewer, key: &str) -> Result<()> {
    permit(scope, Resource::Settings, Action::Edit)?;
    db.transaction(|db| pipeline_config::remove_stage(db, scope.org, scope.actor(), key))
}

/// Saves a gateway type (a new key adds one; `retired` keeps it for the deals that name it and
/// stops offering it).
pub fn save_gateway_type(db: &mut Db, scope: &Viewer, gateway: &GatewayTypeInput) -> Result<GatewayTypeSetup> {
    permit(scope, Resource::Settings, Action::Edit)?;
    db.transaction(|db| pipeline_config::save_gateway_type(db, scope.org, scope.actor(), gateway))
}
