//! The organisation's people and places as the KPI engine needs them: who reports to whom, who
//! works which territory, and what each subject covers.

use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use quotient_core::refusal::{Code, Refusal};
// The maps keyed by internal ids, looked up for every rep of a large organisation on each page,
// with a fast hasher: no such key comes from outside.
use hashbrown::HashMap as IdMap;
use std::collections::HashMap;
use std::sync::Arc;

/// One person of `reps.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub manager_id: Option<i64>,
    pub territory_id: Option<i64>,
    pub is_rep: bool,
}

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// One rep, by external id.
    Rep(String),
    /// A manager's whole subtree, by the manager's external id.
    Team(String),
    /// A territory and the territories under it, by external id.
    Territory(String),
    /// Every rep, counting only the product line's opportunities and estimates.
    ProductLine(String),
    Organisation,
}

/// The organisation's people, territories and product lines, loaded once per report.
pub struct Directory {
    pub people: Vec<Person>,
    /// Each person's index in `people`; shared with the viewers of the organisation, whose reach
    /// is its keys.
    by_id: Arc<IdMap<i64, usize>>,
    /// The direct reports (indexes into `people`) of each manager id.
    reports: IdMap<i64, Vec<usize>>,
    territory_parents: IdMap<i64, Option<i64>>,
    /// The top of each territory's tree ([`Directory::territory_root`]), worked out once here
    /// rather than on each page that groups a large organisation's reps by it.
    territory_roots: IdMap<i64, i64>,
    territories: HashMap<String, (i64, String)>,
    /// Sorted once here rather than on each page that lists them (a large organisation has a
    /// territory per rep).
    territory_names: Vec<(i64, String)>,
    /// Each territory's place in `territory_names`.
    territory_at: IdMap<i64, usize>,
    pub product_lines: HashMap<i64, (String, String)>,
}

/// A subject resolved: its label, the reps it covers and the product line it is limited to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kind: &'static str,
    pub id: Option<String>,
    pub name: String,
    pub reps: Vec<i64>,
    pub product_line: Option<i64>,
}

impl Directory {
    pub fn load(db: &mut Db, org: OrgId) -> Result<Directory> {
        let people = db.query_map(
            "SELECT id, external_id, name, manager_id, territory_id, role FROM reps
             WHERE org_id = ? AND deleted_at IS NULL ORDER BY external_id",
            &[org.value()],
            |row| {
                Ok(Person {
                    id: row.int(0)?.unwrap_or_default(),
                    external_id: row.text(1)?.unwrap_or_default().to_string(),
                    name: row.text(2)?.unwrap_or_default().to_string(),
                    manager_id: row.int(3)?,
                    territory_id: row.int(4)?,
                    is_rep: row.text(5)? == Some("rep"),
                })
            },
        )?;
        let by_id = Arc::new(people.iter().enumerate().map(|(i, p)| (p.id, i)).collect());
        let mut reports: IdMap<i64, Vec<usize>> = IdMap::new();
        for (i, person) in people.iter().enumerate() {
            if let Some(manager) = person.manager_id {
                reports.entry(manager).or_default().push(i);
            }
        }
        let mut territory_parents = IdMap::new();
        let mut territories = HashMap::new();
        db.query_each(
            "SELECT id, external_id, name, parent_id FROM territories WHERE org_id = ? AND deleted_at IS NULL",
            &[org.value()],
            |row| {
                let id = row.int(0)?.unwrap_or_default();
                territory_parents.insert(id, row.int(3)?);
                territories.insert(
                    row.text(1)?.unwrap_or_default().to_string(),
                    (id, row.text(2)?.unwrap_or_default().to_string()),
                );
                Ok(())
            },
        )?;
        let mut product_lines = HashMap::new();
        db.query_each(
            "SELECT id, external_id, name FROM product_lines WHERE org_id = ? AND deleted_at IS NULL",
            &[org.value()],
            |row| {
                let names =
                    (row.text(1)?.unwrap_or_default().to_string(), row.text(2)?.unwrap_or_default().to_string());
                product_lines.insert(row.int(0)?.unwrap_or_default(), names);
                Ok(())
            },
        )?;
        let mut territory_names: Vec<(i64, String)> = territories.values().cloned().collect();
        territory_names.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        let territory_roots = territory_parents.keys().map(|&id| (id, root_of(&territory_parents, id))).collect();
        let territory_at = territory_names.iter().enumerate().map(|(at, (id, _))| (*id, at)).collect();
        Ok(Directory {
            people,
            by_id,
            reports,
            territory_parents,
            territory_roots,
            territories,
            territory_names,
            territory_at,
            product_lines,
        })
    }

    /// Every territory's internal id and name, by name.
    pub fn territory_names(&self) -> &[(i64, String)] {
        &self.territory_names
    }

    /// The name of territory `id`, if it is one of the organisation's.
    pub fn territory_name(&self, id: i64) -> Option<&str> {
        self.territory_at.get(&id).map(|&at| self.territory_names[at].1.as_str())
    }

    /// The territory `text` names: its id as territories.csv has it, else its name (letter case
    /// aside). Refused, about `field`, when no territory or several are so named.
    pub fn territory_named(&self, field: &'static str, text: &str) -> std::result::Result<i64, Refusal> {
        let text = text.trim();
        if let Some(&(id, _)) = self.territories.get(text) {
            return Ok(id);
        }
        let wanted = text.to_lowercase();
        let mut named = self.territory_names.iter().filter(|(_, name)| name.trim().to_lowercase() == wanted);
        match (named.next(), named.next()) {
            (Some(&(id, _)), None) => Ok(id),
            (Some(_), Some(_)) => Err(Refusal::new(field, Code::TerritoryAmbiguous).text("name", text)),
            (None, _) => Err(Refusal::new(field, Code::UnknownTerritory).text("name", text)),
        }
    }

    /// Everyone in the directory, by id (to their index in `people`).
    pub(crate) fn everyone(&self) -> Arc<IdMap<i64, usize>> {
        Arc::clone(&self.by_id)
    }

    pub fn person(&self, id: i64) -> Option<&Person> {
        self.by_id.get(&id).map(|&i| &self.people[i])
    }

    /// The person of an external id, if any.
    pub fn person_by_external_id(&self, external_id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.external_id == external_id)
    }

    fn by_external_id(&self, external_id: &str) -> Result<&Person> {
        self.people.iter().find(|p| p.external_id == external_id).ok_or_else(|| {
            StoreError::NotFound(format!("there is no rep or manager '{external_id}' in this organisation"))
        })
    }

    /// The reps of the same team (same manager) as `rep`, including `rep`.
    pub fn team_of(&self, rep: i64) -> Vec<i64> {
        let manager = self.person(rep).and_then(|p| p.manager_id);
        match manager {
            // From the manager's direct reports (in the directory's order), not from everyone:
            // a report asks it of every rep.
            Some(manager) => self
                .reports
                .get(&manager)
                .into_iter()
                .flatten()
                .map(|&i| &self.people[i])
                .filter(|p| p.is_rep)
                .map(|p| p.id)
                .collect(),
            None => vec![rep],
        }
    }

    /// Everyone (reps and managers) who reports to `manager`, directly or indirectly.
    /// In the directory's order. Every request of a manager asks for it, so it walks down from the
    /// manager through the direct reports rather than up from everyone.
    pub fn subtree(&self, manager: i64) -> Vec<i64> {
        let mut inside: std::collections::HashSet<usize> = std::collections::HashSet::new();
        let mut next = vec![manager];
        while let Some(id) = next.pop() {
            for &i in self.reports.get(&id).into_iter().flatten() {
                // Marked once, so a cycle in the hierarchy cannot loop forever.
                if inside.insert(i) {
                    next.push(self.people[i].id);
                }
            }
        }
        // Only the subtree is visited: a view of every team of a large organisation asks it of
        // each team.
        let mut inside: Vec<usize> = inside.into_iter().collect();
        inside.sort_unstable();
        inside.into_iter().map(|i| self.people[i].id).collect()
    }

    /// The top of the territory tree `territory` is in (itself without a parent); a cycle in the
    /// tree stops the walk.
    pub fn territory_root(&self, territory: i64) -> i64 {
        self.territory_roots.get(&territory).copied().unwrap_or(territory)
    }

    fn in_territory(&self, territory: Option<i64>, root: i64) -> bool {
        let mut next = territory;
        for _ in 0..=self.territory_parents.len() {
            match next {
                Some(id) if id == root => return true,
                Some(id) => next = self.territory_parents.get(&id).copied().flatten(),
                None => return false,
            }
        }
        false
    }

    pub fn resolve(&self, subject: &Subject) -> Result<Scope> {
        let reps_where = |keep: &dyn Fn(&Person) -> bool| -> Vec<i64> {
            self.people.iter().filter(|p| p.is_rep && keep(p)).map(|p| p.id).collect()
        };
        Ok(match subject {
            Subject::Rep(id) => {
                let rep = self.by_external_id(id)?;
                Scope {
                    kind: "rep",
                    id: Some(id.clone()),
                    name: rep.name.clone(),
                    reps: vec![rep.id],
                    product_line: None,
                }
            }
            Subject::Team(id) => {
                let manager = self.by_external_id(id)?;
                Scope {
                    kind: "team",
                    id: Some(id.clone()),
                    name: manager.name.clone(),
                    reps: self
                        .subtree(manager.id)
                        .into_iter()
                        .filter(|&id| self.person(id).is_some_and(|p| p.is_rep))
                        .collect(),
                    product_line: None,
                }
            }
            Subject::Territory(id) => {
                let (root, name) = self.territories.get(id).ok_or_else(|| {
                    StoreError::NotFound(format!("there is no territory '{id}' in this organisation"))
                })?;
                Scope {
                    kind: "territory",
                    id: Some(id.clone()),
                    name: name.clone(),
                    reps: reps_where(&|p| self.in_territory(p.territory_id, *root)),
                    product_line: None,
                }
            }
            Subject::ProductLine(id) => {
                let (line, (_, name)) =
                    self.product_lines.iter().find(|(_, (external, _))| external == id).ok_or_else(|| {
                        StoreError::NotFound(format!("there is no product line '{id}' in this organisation"))
                    })?;
                Scope {
                    kind: "product_line",
                    id: Some(id.clone()),
                    name: name.clone(),
                    reps: reps_where(&|_| true),
                    product_line: Some(*line),
                }
            }
            Subject::Organisation => Scope {
                kind: "organisation",
                id: None,
                name: String::new(),
                reps: reps_where(&|_| true),
                product_line: None,
            },
        })
    }
}

/// The top of the territory tree `territory` is in (itself without a parent); a cycle in the tree
/// stops the walk.
fn root_of(parents: &IdMap<i64, Option<i64>>, territory: i64) -> i64 {
    let mut root = territory;
    for _ in 0..=parents.len() {
        match parents.get(&root).copied().flatten() {
            Some(parent) => root = parent,
            None => break,
        }
    }
    root
}
