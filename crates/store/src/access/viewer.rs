//! Who is asking, and the reps whose rows they reach. Every scoped store call takes a [`Viewer`],
//! so a query that forgets the scope does not compile.

use super::users::User;
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::Directory;
use crate::orgs::OrgId;
use quotient_core::access::{self, Action, Reach, Resource};
use quotient_core::model::UserRole;
use std::collections::HashSet;

#[derive(Debug, Clone)]
pub struct Viewer {
    pub org: OrgId,
    pub user: i64,
    pub role: UserRole,
    /// The user's own row in `reps`.
    pub rep_id: Option<i64>,
    /// The reps (and managers) whose rows the user reaches; `None` reaches the whole organisation.
    reps: Option<HashSet<i64>>,
}

impl Viewer {
    /// The viewer of a user: a rep reaches their own rows, a manager their whole subtree (and their
    /// own), an executive or admin the organisation.
    pub fn of(user: &User, directory: &Directory) -> Viewer {
        let reps = match access::reach(user.role) {
            Reach::Organisation => None,
            Reach::Own => Some(user.rep_id.into_iter().collect()),
            Reach::Team => Some(match user.rep_id {
                Some(manager) => {
                    let mut reps: HashSet<i64> = directory.subtree(manager).into_iter().collect();
                    reps.insert(manager);
                    reps
                }
                None => HashSet::new(),
            }),
        };
        Viewer { org: user.org, user: user.id, role: user.role, rep_id: user.rep_id, reps }
    }

    /// Loads the directory and builds the viewer of `user`.
    pub fn load(db: &mut Db, user: &User) -> Result<Viewer> {
        Ok(Viewer::of(user, &Directory::load(db, user.org)?))
    }

    pub fn may(&self, resource: Resource, action: Action) -> bool {
        access::allows(self.role, resource, action)
    }

    /// Whether the viewer reaches the rows of rep `id`.
    pub fn reaches(&self, rep: i64) -> bool {
        self.reps.as_ref().is_none_or(|reps| reps.contains(&rep))
    }

    pub fn reaches_everyone(&self) -> bool {
        self.reps.is_none()
    }

    /// A SQL condition limiting `column` (a rep id) to the reps the viewer reaches, with its
    /// parameters; `TRUE` for the whole organisation. Ids are bound, never spliced.
    pub fn condition(&self, column: &str) -> (String, Vec<Value<'static>>) {
        match &self.reps {
            None => ("1 = 1".to_string(), vec![]),
            Some(reps) if reps.is_empty() => ("1 = 0".to_string(), vec![]),
            Some(reps) => {
                let mut ids: Vec<i64> = reps.iter().copied().collect();
                ids.sort_unstable();
                let marks = vec!["?"; ids.len()].join(", ");
                (format!("{column} IN ({marks})"), ids.into_iter().map(Value::Int).collect())
            }
        }
    }
}
