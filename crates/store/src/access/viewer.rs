//! Who is asking, and the reps whose rows they reach. Every operation (`crate::ops`) and every
//! scoped read takes a [`Viewer`]; the writes without one are the store's own, under the operations.

use super::users::User;
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::Directory;
use crate::orgs::OrgId;
use quotient_core::access::{self, Action, Reach, Resource};
use quotient_core::model::UserRole;
use std::collections::HashSet;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Viewer {
    pub org: OrgId,
    pub user: i64,
    pub role: UserRole,
    /// The user's own row in `reps`.
    pub rep_id: Option<i64>,
    reps: Reps,
    /// The organisation's operator ([`Viewer::operator`]), no user of it.
    operator: bool,
}

/// The reps (and managers) whose rows a user reaches: never an id that is not a live person of the
/// organisation, so that a write for a made-up rep is refused before it reaches the database.
#[derive(Debug, Clone)]
enum Reps {
    /// Everyone in the organisation's directory.
    Organisation(Arc<hashbrown::HashMap<i64, usize>>),
    Some(HashSet<i64>),
}

impl Viewer {
    /// The viewer of a user: a rep reaches their own rows, a manager their whole subtree (and their
    /// own), an executive or admin the organisation.
    pub fn of(user: &User, directory: &Directory) -> Viewer {
        let live = |id: &i64| directory.person(*id).is_some();
        let reps = match access::reach(user.role) {
            Reach::Organisation => Reps::Organisation(directory.everyone()),
            Reach::Own => Reps::Some(user.rep_id.into_iter().filter(live).collect()),
            Reach::Team => Reps::Some(match user.rep_id.filter(live) {
                Some(manager) => {
                    let mut reps: HashSet<i64> = directory.subtree(manager).into_iter().collect();
                    reps.insert(manager);
                    reps
                }
                None => HashSet::new(),
            }),
        };
        Viewer { org: user.org, user: user.id, role: user.role, rep_id: user.rep_id, reps, operator: false }
    }

    /// The organisation's operator, who runs the command line on the server: no user of the
    /// organisation, but an administrator's permissions over all of its rows. What the operator
    /// writes is audited without a user, as the command line's imports are.
    pub fn operator(org: OrgId, directory: &Directory) -> Viewer {
        Viewer {
            org,
            user: 0,
            role: UserRole::Admin,
            rep_id: None,
            reps: Reps::Organisation(directory.everyone()),
            operator: true,
        }
    }

    /// The operator acting in a person's place, for what only that person may do (the demo
    /// writing and submitting a rep's own territory plan): the person's role and reach, audited
    /// without a user as the operator's writes are.
    pub fn operator_as(org: OrgId, directory: &Directory, person: i64, role: UserRole) -> Viewer {
        let stand_in = User {
            org,
            id: 0,
            email: String::new(),
            name: String::new(),
            role,
            rep_id: Some(person),
            password_hash: None,
            disabled: false,
            lang: None,
        };
        Viewer { operator: true, ..Viewer::of(&stand_in, directory) }
    }

    /// The user an operation's audit names: the viewer's, none for the operator.
    pub fn actor(&self) -> Option<i64> {
        (!self.operator).then_some(self.user)
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
        match &self.reps {
            Reps::Organisation(everyone) => everyone.contains_key(&rep),
            Reps::Some(reps) => reps.contains(&rep),
        }
    }

    pub fn reaches_everyone(&self) -> bool {
        matches!(self.reps, Reps::Organisation(_))
    }

    /// A SQL condition limiting `column` (a rep id) to the reps the viewer reaches, with its
    /// parameters; `TRUE` for the whole organisation. Ids are bound, never spliced.
    pub fn condition(&self, column: &str) -> (String, Vec<Value<'static>>) {
        match &self.reps {
            Reps::Organisation(_) => ("1 = 1".to_string(), vec![]),
            Reps::Some(reps) if reps.is_empty() => ("1 = 0".to_string(), vec![]),
            Reps::Some(reps) => {
                let mut ids: Vec<i64> = reps.iter().copied().collect();
                ids.sort_unstable();
                let marks = vec!["?"; ids.len()].join(", ");
                (format!("{column} IN ({marks})"), ids.into_iter().map(Value::Int).collect())
            }
        }
    }
}
