//! CRM exports uploaded through the import page, one per organisation: saved, its stage mapping
//! waiting to be confirmed, then imported in the background (like the rollup rebuild in
//! `rebuilds.rs`) while the page polls the progress, and finally its summary or its problems.

use crate::pool::Pool;
use quotient_store::access::Viewer;
use quotient_store::bundle::{Problem, Progress};
use quotient_store::imports::upload::{self, ProposedStages, Vendor};
use quotient_store::imports::{CrmImportError, CrmImportSummary, Missing};
use quotient_store::orgs::OrgId;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// Where an organisation's upload stands.
#[derive(Debug, Clone, Default)]
pub struct Job {
    pub vendor: Option<Vendor>,
    /// The folder the export was saved into, until the import ends.
    pub dir: Option<PathBuf>,
    pub progress: JobProgress,
    pub summary: Option<CrmImportSummary>,
    /// The problems found in the export or its mapping, each located.
    pub problems: Vec<Problem>,
    /// The vendor stages the mapping leaves unplaced.
    pub unplaced: Vec<String>,
    /// The stage mapping proposed for the export, to confirm.
    pub stages: Option<ProposedStages>,
}

/// What the page polls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JobProgress {
    /// `idle`, `confirming` (the stage mapping awaits), `running`, `done` or `failed`.
    pub state: &'static str,
    /// What the import is doing: the bundle file it reads.
    pub step: String,
    /// Bytes of that file read, of how many.
    pub done: u64,
    pub total: u64,
}

impl JobProgress {
    pub fn percent(&self) -> u64 {
        (self.done * 100).checked_div(self.total).unwrap_or(0)
    }
}

#[derive(Clone, Default)]
pub struct Imports {
    jobs: Arc<Mutex<HashMap<OrgId, Job>>>,
}

impl Imports {
    pub fn job(&self, org: OrgId) -> Job {
        let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.get(&org).cloned().unwrap_or_else(|| Job { progress: idle(), ..Job::default() })
    }

    fn update(&self, org: OrgId, change: impl FnOnce(&mut Job)) {
        let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        change(jobs.entry(org).or_insert_with(|| Job { progress: idle(), ..Job::default() }));
    }

    /// A new export saved in `dir`, its mapping to be confirmed; an earlier one not imported is
    /// discarded. While an import runs, the new one is discarded instead.
    pub fn uploaded(&self, org: OrgId, vendor: Vendor, dir: PathBuf, stages: ProposedStages) {
        self.update(org, |job| {
            if job.progress.state == "running" {
                upload::discard(&dir);
                return;
            }
            if let Some(earlier) = job.dir.take() {
                upload::discard(&earlier);
            }
            *job = Job {
                vendor: Some(vendor),
                dir: Some(dir),
                stages: Some(stages),
                progress: JobProgress { state: "confirming", ..JobProgress::default() },
                ..Job::default()
            };
        });
    }

    /// The export could not be read or imported: its problems, for the page to list.
    pub fn failed(&self, org: OrgId, error: &CrmImportError) {
        self.update(org, |job| {
            job.progress.state = "failed";
            job.problems.clear();
            job.unplaced.clear();
            match error {
                CrmImportError::Invalid(problems) => job.problems = problems.list().to_vec(),
                CrmImportError::UnplacedStages { unplaced, .. } => {
                    job.unplaced.clone_from(unplaced);
                    // The mapping can be edited and confirmed again.
                    job.progress.state = "confirming";
                }
                CrmImportError::Store(_) => {}
            }
        });
    }

    /// Starts importing the organisation's confirmed export in the background; answers whether it
    /// started (not when none awaits, nor while one runs).
    pub fn start(&self, pool: &Pool, viewer: Viewer, missing: Missing) -> bool {
        let org = viewer.org;
        let mut started = None;
        self.update(org, |job| {
            if let (Some(vendor), Some(dir), "confirming") = (job.vendor, job.dir.clone(), job.progress.state) {
                job.progress = JobProgress { state: "running", ..JobProgress::default() };
                job.problems.clear();
                job.unplaced.clear();
                started = Some((vendor, dir));
            }
        });
        let Some((vendor, dir)) = started else { return false };
        let (imports, pool) = (self.clone(), pool.clone());
        tokio::spawn(async move {
            let progress = imports.clone();
            let result = pool
                .run(move |db| {
                    let mut report = Reporter { imports: progress, org };
                    Ok(upload::import(db, &viewer, vendor, &dir, missing, &mut report))
                })
                .await;
            match result {
                Ok(Ok(summary)) => imports.update(org, |job| {
                    if let Some(dir) = job.dir.take() {
                        upload::discard(&dir);
                    }
                    job.progress.state = "done";
                    job.summary = Some(summary);
                }),
                Ok(Err(error)) => {
                    if let CrmImportError::Store(error) = &error {
                        tracing::error!(?org, %error, "importing the uploaded export failed");
                    }
                    imports.failed(org, &error);
                }
                Err(error) => {
                    tracing::error!(?org, %error, "importing the uploaded export failed");
                    imports.update(org, |job| job.progress.state = "failed");
                }
            }
        });
        true
    }
}

fn idle() -> JobProgress {
    JobProgress { state: "idle", ..JobProgress::default() }
}

/// The bundle import's progress, kept where the page polls it.
struct Reporter {
    imports: Imports,
    org: OrgId,
}

impl Progress for Reporter {
    fn file_started(&mut self, file: &str, bytes: u64) {
        let file = file.to_string();
        self.imports
            .update(self.org, |job| (job.progress.step, job.progress.done, job.progress.total) = (file, 0, bytes));
    }

    fn advanced(&mut self, _rows: u64, bytes: u64) {
        self.imports.update(self.org, |job| job.progress.done = bytes);
    }

    fn step(&mut self, message: &str) {
        let message = message.to_string();
        self.imports
            .update(self.org, |job| (job.progress.step, job.progress.done, job.progress.total) = (message, 0, 0));
    }
}
