//! Who may do what: one declarative matrix of role × resource × action. Which rows a role sees
//! (its own, its team's, the organisation's) is [`Reach`]; the store applies it to every query.

use crate::coaching::ActionOwner;
use crate::model::UserRole;

crate::keyed_enum! {
    /// What a permission is about. `company_plan` is the plan and the quotas allocated from it.
    Resource {
        Accounts => "accounts",
        Contacts => "contacts",
        Leads => "leads",
        Opportunities => "opportunities",
        Activities => "activities",
        Estimates => "estimates",
        Scorecards => "scorecards",
        TeamDashboard => "team_dashboard",
        Leaderboard => "leaderboard",
        Settings => "settings",
        Users => "users",
        CompanyPlan => "company_plan",
        ActivityGoals => "activity_goals",
        TerritoryPlans => "territory_plans",
        OneOnOnes => "one_on_ones",
        IncentivePlans => "incentive_plans",
        Statements => "statements",
        Forecast => "forecast",
    }
}

crate::keyed_enum! {
    /// What is done to a resource.
    Action {
        Read => "read",
        Create => "create",
        Edit => "edit",
        Delete => "delete",
    }
}

/// Whose rows a role reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The rep's own rows.
    Own,
    /// The rows of every rep in the manager's subtree.
    Team,
    /// Every row of the organisation.
    Organisation,
}

/// The rows a role reaches.
pub const fn reach(role: UserRole) -> Reach {
    match role {
        UserRole::Rep => Reach::Own,
        UserRole::Manager => Reach::Team,
        UserRole::Executive | UserRole::Admin => Reach::Organisation,
    }
}

use Action::{Create, Delete, Edit, Read};

/// The matrix: for each resource, the actions each role may take (within its reach).
/// Columns: admin, executive, manager, rep.
const MATRIX: &[(Resource, [&[Action]; 4])] = &[
    (
        Resource::Accounts,
        [&[Read, Create, Edit, Delete], &[Read], &[Read, Create, Edit, Delete], &[Read, Create, Edit]],
    ),
    (
        Resource::Contacts,
        [&[Read, Create, Edit, Delete], &[Read], &[Read, Create, Edit, Delete], &[Read, Create, Edit]],
    ),
    (Resource::Leads, [&[Read, Create, Edit, Delete], &[Read], &[Read, Create, Edit, Delete], &[Read, Create, Edit]]),
    (
        Resource::Opportunities,
        [&[Read, Create, Edit, Delete], &[Read], &[Read, Create, Edit, Delete], &[Read, Create, Edit]],
    ),
    (
        Resource::Activities,
        [&[Read, Create, Edit, Delete], &[Read], &[Read, Create, Edit, Delete], &[Read, Create, Edit, Delete]],
    ),
    (
        Resource::Estimates,
        [&[Read, Create, Edit, Delete], &[Read], &[Read, Create, Edit, Delete], &[Read, Create, Edit]],
    ),
    (Resource::Scorecards, [&[Read], &[Read], &[Read], &[Read]]),
    (Resource::TeamDashboard, [&[Read], &[Read], &[Read], &[]]),
    (Resource::Leaderboard, [&[Read], &[Read], &[Read], &[Read]]),
    (Resource::Settings, [&[Read, Edit], &[Read], &[], &[]]),
    (Resource::Users, [&[Read, Create, Edit, Delete], &[], &[], &[]]),
    // Executives set the plan; managers see their teams' share of it.
    (Resource::CompanyPlan, [&[Read, Edit], &[Read, Edit], &[Read], &[]]),
    // Managers set their subtree's activity goals, executives and admins everyone's; a rep reads
    // their own.
    (Resource::ActivityGoals, [&[Read, Edit], &[Read, Edit], &[Read, Edit], &[Read]]),
    // Reps write their own; managers and executives decide on those they reach (`coaching::advance`).
    (Resource::TerritoryPlans, [&[Read, Edit], &[Read, Edit], &[Read, Edit], &[Read, Create, Edit]]),
    // A manager (or an executive) holds a 1:1 with a rep they reach; the rep reads their own and
    // edits it only to tick off the actions the rep owns (`may_tick_one_on_one_action`).
    (Resource::OneOnOnes, [&[Read], &[Read, Create, Edit], &[Read, Create, Edit], &[Read, Edit]]),
    // Executives and admins save the commission plans; a manager tries a draft on last year.
    (Resource::IncentivePlans, [&[Read, Edit], &[Read, Edit], &[Read], &[]]),
    // Managers approve their reps' statements and resolve disputes (`approves_statements`),
    // executives and admins lock them (`locks_statements`); a rep reads and disputes their own.
    (Resource::Statements, [&[Read, Edit], &[Read, Edit], &[Read, Edit], &[Read, Create]]),
    // Everyone calls the forecast within their reach: a rep their own deals, a manager their
    // subtree (and adjusts their reps' calls), executives and admins the organisation.
    (Resource::Forecast, [&[Read, Edit], &[Read, Edit], &[Read, Edit], &[Read, Edit]]),
];

/// Whether `role` may take `action` on `resource` (within its [`reach`]).
pub fn allows(role: UserRole, resource: Resource, action: Action) -> bool {
    let column = match role {
        UserRole::Admin => 0,
        UserRole::Executive => 1,
        UserRole::Manager => 2,
        UserRole::Rep => 3,
    };
    MATRIX.iter().find(|(r, _)| *r == resource).is_some_and(|(_, actions)| actions[column].contains(&action))
}

/// Whether someone holds a rep's 1:1s (opens them, writes their notes and actions, ticks any
/// action off): a role that opens 1:1s and reaches beyond its own rows, reaching the rep, and not
/// the rep themself. An admin reaches every rep but only reads 1:1s.
pub fn holds_one_on_ones(role: UserRole, reaches_rep: bool, is_the_rep: bool) -> bool {
    allows(role, Resource::OneOnOnes, Action::Create)
        && allows(role, Resource::OneOnOnes, Action::Edit)
        && reach(role) != Reach::Own
        && reaches_rep
        && !is_the_rep
}

/// Whether someone may tick an action of a rep's 1:1 off (or reopen it): whoever holds the rep's
/// 1:1s, and the rep for the actions the rep owns — the one write a rep makes to a 1:1.
pub fn may_tick_one_on_one_action(role: UserRole, reaches_rep: bool, is_the_rep: bool, owner: ActionOwner) -> bool {
    allows(role, Resource::OneOnOnes, Action::Edit)
        && (holds_one_on_ones(role, reaches_rep, is_the_rep) || (is_the_rep && owner == ActionOwner::Rep))
}

/// Whether someone writes a rep's territory plan (and submits it): the rep, and nobody else.
pub fn writes_territory_plan(role: UserRole, is_the_rep: bool) -> bool {
    allows(role, Resource::TerritoryPlans, Action::Edit) && reach(role) == Reach::Own && is_the_rep
}

/// Whether someone decides on a rep's territory plan (approves it, or returns it with a comment):
/// the rep's manager or anyone above them — a role that edits plans and reaches beyond its own
/// rows, reaching the rep, and not the rep themself.
pub fn decides_on_territory_plan(role: UserRole, reaches_rep: bool, is_the_rep: bool) -> bool {
    allows(role, Resource::TerritoryPlans, Action::Edit) && reach(role) != Reach::Own && reaches_rep && !is_the_rep
}

/// Whether someone approves a rep's statement and resolves the rep's disputes: the rep's manager or
/// anyone above them — a role that edits statements and reaches beyond its own rows, reaching the
/// rep, and not the rep themself.
pub fn approves_statements(role: UserRole, reaches_rep: bool, is_the_rep: bool) -> bool {
    allows(role, Resource::Statements, Action::Edit) && reach(role) != Reach::Own && reaches_rep && !is_the_rep
}

/// Whether someone locks (pays) statements: the roles that edit statements across the whole
/// organisation.
pub fn locks_statements(role: UserRole) -> bool {
    allows(role, Resource::Statements, Action::Edit) && reach(role) == Reach::Organisation
}

/// Whether someone disputes a line of a statement: the rep whose statement it is.
pub fn disputes_statement(role: UserRole, is_the_rep: bool) -> bool {
    allows(role, Resource::Statements, Action::Create) && is_the_rep
}

/// Whether someone records the relationship to a contact and the contact's influence on the
/// account map: whoever edits contacts, for a contact whose account they reach.
pub fn may_set_relationship(role: UserRole, reaches_account: bool) -> bool {
    allows(role, Resource::Contacts, Action::Edit) && reaches_account
}

/// Whether someone enters a customer's satisfaction score on an account: whoever edits accounts
/// (the account's rep, their managers, admins — not an executive, who reads), for an account they
/// reach.
pub fn may_enter_feedback(role: UserRole, reaches_account: bool) -> bool {
    allows(role, Resource::Accounts, Action::Edit) && reaches_account
}

/// Whether a role's dashboard opens on teams (one row per manager's subtree, drilling down a level
/// at a time) rather than on one row per rep: the roles that reach the whole organisation, whose
/// reps may number a thousand.
pub fn dashboard_opens_on_teams(role: UserRole) -> bool {
    allows(role, Resource::TeamDashboard, Action::Read) && reach(role) == Reach::Organisation
}

/// Whether a role sees the whole company plan (its objectives, and the allocation over every rep);
/// a manager reads only the share of it allocated to the reps they reach.
pub fn sees_whole_company_plan(role: UserRole) -> bool {
    allows(role, Resource::CompanyPlan, Action::Read) && reach(role) == Reach::Organisation
}

/// What a caller asks a report about; people by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// Nothing named: the default, [`report_subject`]'s.
    Own,
    /// Those the caller is ranked among: a rep's manager's team, anyone else's own team.
    Peers,
    Rep(i64),
    /// A manager's whole subtree, by the manager's id.
    Team(i64),
    Organisation,
    /// A cut of the whole organisation: a territory, a product line.
    Segment,
}

/// Whom a report is about, once the caller may report on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Rep(i64),
    Team(i64),
    Organisation,
    Segment,
}

/// The subject a caller may report on, or `None` when what they ask is out of their reach. The
/// one default (nothing asked) follows the role's [`reach`]: a rep their own figures, a manager
/// their team, an executive or admin the organisation. `own` is the caller's row among the
/// people, `own_manager` that row's manager, `reaches` whether the caller reaches a person's rows.
pub fn report_subject(
    role: UserRole,
    own: Option<i64>,
    own_manager: Option<i64>,
    asked: Asked,
    reaches: impl Fn(i64) -> bool,
) -> Option<Subject> {
    let whole = reach(role) == Reach::Organisation;
    match asked {
        Asked::Own => match reach(role) {
            Reach::Own => own.map(Subject::Rep),
            Reach::Team => own.map(Subject::Team),
            Reach::Organisation => Some(Subject::Organisation),
        },
        // A rep sees the figures of their peers (the leaderboard shows them without names).
        Asked::Peers => match reach(role) {
            Reach::Own => own_manager.map(Subject::Team).or(own.map(Subject::Rep)),
            Reach::Team => own.map(Subject::Team),
            Reach::Organisation => Some(own.map_or(Subject::Organisation, Subject::Team)),
        },
        Asked::Rep(id) => reaches(id).then_some(Subject::Rep(id)),
        Asked::Team(id) => reaches(id).then_some(Subject::Team(id)),
        Asked::Organisation => whole.then_some(Subject::Organisation),
        Asked::Segment => whole.then_some(Subject::Segment),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_has_a_row() {
        for resource in Resource::ALL {
            assert_eq!(MATRIX.iter().filter(|(r, _)| r == resource).count(), 1, "{resource}");
        }
    }

    #[test]
    fn the_matrix_reads_as_written() {
        // Exhaustive: every role × resource × action, against the rules stated in words.
        for &role in UserRole::ALL {
            for &resource in Resource::ALL {
                for &action in Action::ALL {
                    let expected = match (role, resource, action) {
                        (UserRole::Admin | UserRole::Executive, Resource::IncentivePlans, a) => {
                            matches!(a, Read | Edit)
                        }
                        (UserRole::Manager, Resource::IncentivePlans, a) => a == Read,
                        (UserRole::Rep, Resource::IncentivePlans, _) => false,
                        (UserRole::Rep, Resource::Statements, a) => matches!(a, Read | Create),
                        (_, Resource::Statements, a) => matches!(a, Read | Edit),
                        (UserRole::Admin | UserRole::Executive, Resource::CompanyPlan, a) => matches!(a, Read | Edit),
                        (UserRole::Manager, Resource::CompanyPlan, a) => a == Read,
                        (UserRole::Rep, Resource::CompanyPlan, _) => false,
                        (UserRole::Rep, Resource::ActivityGoals, a) => a == Read,
                        (_, Resource::ActivityGoals, a) => matches!(a, Read | Edit),
                        (UserRole::Rep, Resource::TerritoryPlans, a) => a != Delete,
                        (_, Resource::TerritoryPlans, a) => matches!(a, Read | Edit),
                        (UserRole::Admin, Resource::OneOnOnes, a) => a == Read,
                        (UserRole::Rep, Resource::OneOnOnes, a) => matches!(a, Read | Edit),
                        (_, Resource::OneOnOnes, a) => a != Delete,
                        // Everyone reads the forecast in reach and calls it; nothing is created or deleted.
                        (_, Resource::Forecast, a) => matches!(a, Read | Edit),
                        (UserRole::Admin, Resource::Settings, Create | Delete) => false,
                        (
                            UserRole::Admin,
                            Resource::Scorecards | Resource::TeamDashboard | Resource::Leaderboard,
                            a,
                        ) => a == Read,
                        (UserRole::Admin, _, _) => true,
                        (_, Resource::Users, _) => false,
                        (UserRole::Executive, _, a) => a == Read,
                        (_, Resource::Settings, _) => false,
                        (UserRole::Rep, Resource::TeamDashboard, _) => false,
                        (_, Resource::Scorecards | Resource::TeamDashboard | Resource::Leaderboard, a) => a == Read,
                        (UserRole::Manager, _, _) => true,
                        // Reps keep records but do not delete them, except their own activities.
                        (UserRole::Rep, Resource::Activities, _) => true,
                        (UserRole::Rep, _, a) => a != Delete,
                    };
                    assert_eq!(allows(role, resource, action), expected, "{role} {resource} {action}");
                }
            }
        }
    }

    #[test]
    fn an_admin_reads_1_1s_but_holds_none_and_a_rep_ticks_only_their_own_actions() {
        use ActionOwner::{Manager as ByManager, Rep as ByRep};
        use UserRole::{Admin, Executive, Manager, Rep};
        assert!(!holds_one_on_ones(Admin, true, false));
        assert!(!may_tick_one_on_one_action(Admin, true, false, ByRep));
        assert!(!may_tick_one_on_one_action(Admin, true, false, ByManager));
        for holder in [Executive, Manager] {
            assert!(holds_one_on_ones(holder, true, false), "{holder}");
            assert!(!holds_one_on_ones(holder, false, false), "{holder}: a rep out of reach");
            assert!(!holds_one_on_ones(holder, true, true), "{holder}: not with themself");
            assert!(may_tick_one_on_one_action(holder, true, false, ByManager), "{holder}");
            assert!(may_tick_one_on_one_action(holder, true, false, ByRep), "{holder}");
            assert!(!may_tick_one_on_one_action(holder, false, false, ByManager), "{holder}: out of reach");
        }
        assert!(!holds_one_on_ones(Rep, true, true));
        assert!(!holds_one_on_ones(Rep, true, false), "a rep holds no 1:1, whoever they reach");
        assert!(may_tick_one_on_one_action(Rep, true, true, ByRep));
        assert!(!may_tick_one_on_one_action(Rep, true, true, ByManager), "the manager's actions are the manager's");
        assert!(!may_tick_one_on_one_action(Rep, true, false, ByRep), "another rep's actions are theirs");
    }

    #[test]
    fn the_rep_writes_their_plan_and_those_above_them_decide_on_it() {
        use UserRole::{Admin, Executive, Manager, Rep};
        assert!(writes_territory_plan(Rep, true));
        assert!(!writes_territory_plan(Rep, false), "another rep's plan");
        for role in [Admin, Executive, Manager] {
            assert!(!writes_territory_plan(role, true), "{role}: not even a plan under their own row");
            assert!(decides_on_territory_plan(role, true, false), "{role}");
            assert!(!decides_on_territory_plan(role, false, false), "{role}: a rep out of reach");
            assert!(!decides_on_territory_plan(role, true, true), "{role}: not on their own plan");
        }
        assert!(!decides_on_territory_plan(Rep, true, false), "a rep decides on no plan");
        assert!(!decides_on_territory_plan(Rep, true, true), "nor on their own");
    }

    #[test]
    fn managers_approve_executives_lock_and_the_rep_disputes() {
        use UserRole::{Admin, Executive, Manager, Rep};
        for role in [Admin, Executive, Manager] {
            assert!(approves_statements(role, true, false), "{role}");
            assert!(!approves_statements(role, false, false), "{role}: a rep out of reach");
            assert!(!approves_statements(role, true, true), "{role}: not their own statement");
            assert!(!disputes_statement(role, false), "{role}: only the rep disputes");
        }
        assert!(!approves_statements(Rep, true, true));
        assert!(locks_statements(Admin) && locks_statements(Executive));
        assert!(!locks_statements(Manager), "a manager approves but does not pay");
        assert!(!locks_statements(Rep));
        assert!(disputes_statement(Rep, true));
        assert!(!disputes_statement(Rep, false), "another rep's statement");
    }

    #[test]
    fn whoever_edits_contacts_sets_relationships_within_reach() {
        for &role in UserRole::ALL {
            assert!(!may_set_relationship(role, false), "{role}: an account out of reach");
            assert_eq!(may_set_relationship(role, true), role != UserRole::Executive, "{role}");
        }
    }

    #[test]
    fn the_accounts_rep_their_managers_and_admins_enter_feedback() {
        for &role in UserRole::ALL {
            assert!(!may_enter_feedback(role, false), "{role}: an account out of reach");
            // An executive reads accounts and scores but enters none.
            assert_eq!(may_enter_feedback(role, true), role != UserRole::Executive, "{role}");
        }
    }

    #[test]
    fn the_organisation_wide_roles_dashboards_open_on_teams() {
        assert!(dashboard_opens_on_teams(UserRole::Admin));
        assert!(dashboard_opens_on_teams(UserRole::Executive));
        assert!(!dashboard_opens_on_teams(UserRole::Manager), "a manager sees their reps");
        assert!(!dashboard_opens_on_teams(UserRole::Rep), "a rep has no dashboard");
    }

    #[test]
    fn only_the_organisation_wide_roles_see_the_whole_plan() {
        assert!(sees_whole_company_plan(UserRole::Admin));
        assert!(sees_whole_company_plan(UserRole::Executive));
        assert!(!sees_whole_company_plan(UserRole::Manager));
        assert!(!sees_whole_company_plan(UserRole::Rep));
    }

    #[test]
    fn a_report_is_on_what_the_role_reaches_and_the_default_follows_the_reach() {
        use UserRole::{Admin, Executive, Manager, Rep};
        // A manager (id 10) of reps 1 and 2; rep 3 is another team's.
        let team = |id: i64| [1, 2, 10].contains(&id);
        let everyone = |_: i64| true;
        assert_eq!(report_subject(Rep, Some(1), Some(10), Asked::Own, |id| id == 1), Some(Subject::Rep(1)));
        assert_eq!(report_subject(Manager, Some(10), None, Asked::Own, team), Some(Subject::Team(10)));
        for role in [Executive, Admin] {
            assert_eq!(report_subject(role, Some(20), None, Asked::Own, everyone), Some(Subject::Organisation));
            assert_eq!(report_subject(role, None, None, Asked::Segment, everyone), Some(Subject::Segment));
            assert_eq!(report_subject(role, Some(20), None, Asked::Peers, everyone), Some(Subject::Team(20)));
            assert_eq!(report_subject(role, None, None, Asked::Peers, everyone), Some(Subject::Organisation));
        }
        // Without a row of their own, a rep or a manager has no default: nothing is widened.
        assert_eq!(report_subject(Rep, None, None, Asked::Own, |_| false), None);
        assert_eq!(report_subject(Manager, None, None, Asked::Own, |_| false), None);
        assert_eq!(report_subject(Manager, Some(10), None, Asked::Rep(2), team), Some(Subject::Rep(2)));
        assert_eq!(report_subject(Manager, Some(10), None, Asked::Rep(3), team), None);
        assert_eq!(report_subject(Manager, Some(10), None, Asked::Team(3), team), None);
        assert_eq!(report_subject(Manager, Some(10), None, Asked::Organisation, team), None);
        assert_eq!(report_subject(Manager, Some(10), None, Asked::Segment, team), None);
        assert_eq!(report_subject(Rep, Some(1), Some(10), Asked::Team(10), |id| id == 1), None);
        // A rep is ranked among their manager's team, or alone without a manager.
        assert_eq!(report_subject(Rep, Some(1), Some(10), Asked::Peers, |id| id == 1), Some(Subject::Team(10)));
        assert_eq!(report_subject(Rep, Some(1), None, Asked::Peers, |id| id == 1), Some(Subject::Rep(1)));
        assert_eq!(report_subject(Manager, Some(10), Some(20), Asked::Peers, team), Some(Subject::Team(10)));
    }

    #[test]
    fn reach_widens_with_the_role() {
        assert_eq!(reach(UserRole::Rep), Reach::Own);
        assert_eq!(reach(UserRole::Manager), Reach::Team);
        assert_eq!(reach(UserRole::Executive), Reach::Organisation);
        assert_eq!(reach(UserRole::Admin), Reach::Organisation);
    }
}
