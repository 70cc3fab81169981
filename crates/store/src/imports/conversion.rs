//! What turning one CRM export into a bundle gives: the bundle, the problems found (located in the
//! export's own files), what was left out and why, and the stage mapping used. Also the export's
//! users, who become reps keyed by e-mail so that a re-import finds them again.

use super::bundle_out::BundleOut;
use super::milestones::StageMap;
use super::sheet::Sheet;
use crate::bundle::Problem;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A CRM export turned into a bundle, or the reasons it cannot be.
pub struct Conversion {
    /// The vendor's name, as shown (`HubSpot`).
    pub vendor: &'static str,
    pub bundle: BundleOut,
    pub problems: Vec<Problem>,
    /// Rows left out, counted by reason ("contacts without a company: a contact needs an account").
    pub skipped: BTreeMap<String, u64>,
    pub stages: StageMap,
    /// The stage mapping was read from a reviewed file rather than proposed.
    pub stages_reviewed: bool,
    /// Things the user should know that are not problems.
    pub notes: Vec<String>,
    /// The earliest and latest deal creation, `YYYY-MM-DD`.
    pub date_range: Option<(String, String)>,
}

impl Conversion {
    pub fn new(vendor: &'static str) -> Conversion {
        Conversion {
            vendor,
            bundle: BundleOut::default(),
            problems: Vec::new(),
            skipped: BTreeMap::new(),
            stages: StageMap::default(),
            stages_reviewed: false,
            notes: Vec::new(),
            date_range: None,
        }
    }

    pub fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_default() += 1;
    }

    /// Widens the date range to include `day` (`YYYY-MM-DD…`).
    pub fn saw_day(&mut self, day: &str) {
        let day = day.get(..10).unwrap_or(day).to_string();
        self.date_range = Some(match self.date_range.take() {
            None => (day.clone(), day),
            Some((first, last)) => (first.min(day.clone()), last.max(day)),
        });
    }
}

/// The files of an export folder (or the files given), by name.
pub fn export_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Problem> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| unreadable(path, &e))?;
            for entry in entries {
                let entry = entry.map_err(|e| unreadable(path, &e))?.path();
                if entry.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")) {
                    files.push(entry);
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    Ok(files)
}

fn unreadable(path: &Path, error: &std::io::Error) -> Problem {
    Problem { file: path.display().to_string(), line: 0, column: None, field: None, message: format!("cannot be read: {error}") }
}

/// The CRM's users, who own deals, accounts and activities: found by name or e-mail.
pub struct Owners {
    prefix: &'static str,
    /// Lower-case name → e-mail, from the users export.
    emails: BTreeMap<String, String>,
    /// Rep id → (name, e-mail) of each owner met.
    used: BTreeMap<String, (String, String)>,
    without_email: Vec<String>,
}

impl Owners {
    pub fn new(prefix: &'static str) -> Owners {
        Owners { prefix, emails: BTreeMap::new(), used: BTreeMap::new(), without_email: Vec::new() }
    }

    pub fn know(&mut self, name: &str, email: &str) {
        if !name.is_empty() && email.contains('@') {
            self.emails.insert(name.to_lowercase(), email.to_string());
        }
    }

    /// Reads a users export: a name (or first and last name) and an e-mail per row.
    pub fn read_users(&mut self, sheet: &Sheet, name: &[&str], first: &[&str], last: &[&str], email: &[&str]) {
        let (name, first, last, email) = (sheet.column(name), sheet.column(first), sheet.column(last), sheet.column(email));
        for row in sheet.rows() {
            let full = match name {
                Some(_) => row.get(name).to_string(),
                None => format!("{} {}", row.get(first), row.get(last)).trim().to_string(),
            };
            self.know(&full, row.get(email));
        }
    }

    /// The rep id of the owner written `owner` ("Ana Lopez", "ana@x.com" or "Ana Lopez (ana@x.com)");
    /// `None` when empty.
    pub fn rep(&mut self, owner: &str) -> Option<String> {
        let owner = owner.trim();
        if owner.is_empty() {
            return None;
        }
        let (name, email) = match owner.rsplit_once('(') {
            Some((name, rest)) if rest.trim_end_matches(')').contains('@') => {
                (name.trim().to_string(), rest.trim_end_matches(')').trim().to_string())
            }
            _ if owner.contains('@') && !owner.contains(' ') => (owner.to_string(), owner.to_string()),
            _ => match self.emails.get(&owner.to_lowercase()) {
                Some(email) => (owner.to_string(), email.clone()),
                None => (owner.to_string(), String::new()),
            },
        };
        let key = if email.is_empty() { slug(&name) } else { email.to_lowercase() };
        let id = format!("{}:user:{key}", self.prefix);
        if !self.used.contains_key(&id) {
            let email = if email.is_empty() {
                self.without_email.push(name.clone());
                format!("{}@{}.invalid", slug(&name), self.prefix)
            } else {
                email
            };
            self.used.insert(id.clone(), (name, email));
        }
        Some(id)
    }

    /// Adds the owners met as reps, and a note for those without a known e-mail.
    pub fn finish(self, conversion: &mut Conversion) {
        for (id, (name, email)) in self.used {
            let mut row = BundleOut::row("reps.csv");
            row.set("rep_id", id).set("name", name).set("email", email);
            conversion.bundle.push(row);
        }
        if !self.without_email.is_empty() {
            conversion.notes.push(format!(
                "{} user(s) without a known e-mail were given a placeholder address ({}): add the users export to the files to import their e-mails",
                self.without_email.len(),
                self.without_email.join(", ")
            ));
        }
    }
}

/// `Ana López` → `ana-lópez`.
pub fn slug(name: &str) -> String {
    let lower: String = name.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    lower.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

/// The first of a list of ids the export writes as `1;2;3` (associations).
pub fn first_id(ids: &str) -> &str {
    ids.split([';', ',']).map(str::trim).find(|id| !id.is_empty()).unwrap_or("")
}
