//! Rebuilds of the KPI rollups in the background, after a setting they depend on changed: the save
//! answers at once, the settings page polls the progress. One rebuild runs at a time per
//! organisation; a change saved while one runs asks for one more after it, so the cells end up
//! computed under the last settings. The rebuild is one transaction: until it commits, every report
//! reads the cells as they were, and its commit moves the revisions the caches watch.

use crate::pool::Pool;
use quotient_store::access::Viewer;
use quotient_store::ops::settings;
use quotient_store::orgs::OrgId;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Where an organisation's rebuild stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    /// `idle` (none since the server started), `running`, `done` or `failed`.
    pub state: &'static str,
    /// Reps done, of how many.
    pub done: usize,
    pub total: usize,
    /// The cells the last finished rebuild wrote.
    pub cells: Option<u64>,
    /// Another rebuild follows this one.
    #[serde(skip)]
    again: bool,
}

impl Status {
    pub fn running(&self) -> bool {
        self.state == "running"
    }

    /// Done so far, in % (0 before the reps are counted).
    pub fn percent(&self) -> usize {
        (self.done * 100).checked_div(self.total).unwrap_or(0)
    }
}

#[derive(Clone, Default)]
pub struct Rebuilds {
    statuses: Arc<Mutex<HashMap<OrgId, Status>>>,
}

impl Rebuilds {
    /// The organisation's rebuild, as it stands.
    pub fn status(&self, org: OrgId) -> Status {
        let statuses = self.statuses.lock().unwrap_or_else(PoisonError::into_inner);
        statuses.get(&org).cloned().unwrap_or(Status { state: "idle", ..Status::default() })
    }

    fn update(&self, org: OrgId, change: impl FnOnce(&mut Status)) -> Status {
        let mut statuses = self.statuses.lock().unwrap_or_else(PoisonError::into_inner);
        let status = statuses.entry(org).or_insert(Status { state: "idle", ..Status::default() });
        change(status);
        status.clone()
    }

    /// Starts rebuilding the caller's organisation in the background, or, when a rebuild runs,
    /// asks for one more after it.
    pub fn start(&self, pool: &Pool, viewer: Viewer) {
        let org = viewer.org;
        let already = self.update(org, |status| {
            if status.running() {
                status.again = true;
            } else {
                *status = Status { state: "running", ..Status::default() };
            }
        });
        if already.again {
            return;
        }
        let (rebuilds, pool) = (self.clone(), pool.clone());
        tokio::spawn(async move {
            loop {
                let progress = rebuilds.clone();
                let viewer = viewer.clone();
                let result = pool
                    .run(move |db| {
                        let mut report = |done, total| {
                            progress.update(org, |status| (status.done, status.total) = (done, total));
                        };
                        Ok(settings::rebuild_rollups(db, &viewer, &mut report)?)
                    })
                    .await;
                let again = rebuilds.update(org, |status| match &result {
                    Ok(_) if status.again => *status = Status { state: "running", ..Status::default() },
                    Ok(cells) => (status.state, status.cells) = ("done", Some(*cells)),
                    Err(_) => (status.state, status.again) = ("failed", false),
                });
                if let Err(error) = result {
                    tracing::error!(?org, %error, "rebuilding the rollups failed");
                }
                if !again.running() {
                    break;
                }
            }
        });
    }
}
