//! The plan as it is shown: the form (for those who may change it), the revenue objective's
//! allocation per territory and rep with the plan risk, and the quotas with their live difference
//! to the plan (`/assets/plan.js`). The territories (by the top of each tree) and the reps are shown
//! a page at a time; what is computed for the whole organisation is kept until the data changes.

use super::PlanQuery;
use super::form::{PlanForm, plan_form};
use crate::app::AppState;
use crate::auth::Caller;
use crate::cache;
use crate::error::{FieldError, PageError};
use crate::pages::with_db;
use crate::templates::{self, Paged, csrf, pager, tile};
use maud::{Markup, html};
use quotient_core::Money;
use quotient_core::access::{Action, Resource, sees_whole_company_plan};
use quotient_core::planning::{MonthlyIndex, PlanRisk};
use quotient_core::refusal::{Code, Refusal};
use quotient_store::StoreError;
use quotient_store::kpi::{Directory, Subject};
use quotient_store::ops::plans::{self as plan_ops, QuotaChange};
use quotient_store::planning::company_plan::{self, CompanyPlan};
use quotient_store::planning::quotas::{self, Allocated};
use quotient_store::planning::{self as store_planning, PlanMetric};
use std::collections::HashMap;
use std::sync::Arc;

pub struct View {
    pub year: i32,
    pub plan: Option<CompanyPlan>,
    /// The whole organisation's allocation, as kept until the data changes.
    computed: Arc<Allocation>,
    /// The caller's share of it, when the caller does not reach every rep.
    share: Option<Shown>,
    pub learnt: MonthlyIndex,
    /// The latest hand changes of the year's quotas, lowered ones marked with their reason.
    changes: Vec<QuotaChange>,
    pub directory: Arc<Directory>,
}

impl View {
    /// What the caller sees of the allocation: their share, or the whole of it.
    fn shown(&self) -> &Shown {
        self.share.as_ref().unwrap_or(&self.computed.whole)
    }
}

/// What the plan page computes for the whole organisation, once per year and plan until the data
/// changes: the seasonality learnt, and the allocation as one who reaches every rep sees it.
pub struct Allocation {
    learnt: MonthlyIndex,
    whole: Shown,
}

/// An allocation as someone sees it: the revenue objective allocated (to the reps they reach), or
/// why it cannot be; each of those reps' revenue quota for the year as it stands; and the sums the
/// page shows, worked out once rather than on each page of reps.
struct Shown {
    revenue: Option<Result<Allocated, Vec<Refusal>>>,
    quotas: HashMap<i64, i64>,
    summary: Summary,
}

/// The allocation summed: per top of a territory tree (none for the reps without a territory), its
/// reps and their allocation, the largest first; what is allocated, and the quotas as they stand.
#[derive(Default)]
struct Summary {
    territories: Vec<(Option<i64>, usize, i64)>,
    allocated: i64,
    quotas: i64,
}

impl Shown {
    fn of(revenue: Option<Result<Allocated, Vec<Refusal>>>, quotas: HashMap<i64, i64>, directory: &Directory) -> Shown {
        let summary = match &revenue {
            Some(Ok(allocated)) => Summary::of(allocated, &quotas, directory),
            _ => Summary::default(),
        };
        Shown { revenue, quotas, summary }
    }
}

impl Summary {
    fn of(allocated: &Allocated, quotas: &HashMap<i64, i64>, directory: &Directory) -> Summary {
        let reps = &allocated.allocation.reps;
        // By the top of each territory tree: a large organisation has a territory per rep.
        let mut by_root: HashMap<Option<i64>, (usize, i64)> = HashMap::new();
        for quota in reps {
            let territory = directory.person(quota.rep).and_then(|p| p.territory_id);
            let row = by_root.entry(territory.map(|t| directory.territory_root(t))).or_default();
            row.0 += 1;
            row.1 += quota.yearly;
        }
        // The largest first; among equal ones, by name, the reps without a territory last.
        let name = |root: &Option<i64>| root.and_then(|t| directory.territory_name(t));
        let order = |root: &Option<i64>| (name(root).is_none(), name(root));
        let mut territories: Vec<(Option<i64>, usize, i64)> =
            by_root.into_iter().map(|(root, (count, total))| (root, count, total)).collect();
        territories.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| order(&a.0).cmp(&order(&b.0))));
        Summary {
            territories,
            allocated: reps.iter().map(|q| q.yearly).sum(),
            quotas: reps.iter().map(|q| quotas.get(&q.rep).copied().unwrap_or(0)).sum(),
        }
    }
}

/// What the plan page shows of `year`; the allocation and the quotas only when `allocation`.
pub async fn load(state: &AppState, caller: &Caller, year: i32, allocation: bool) -> Result<View, PageError> {
    let directories = state.directories.clone();
    let allocations = std::sync::Arc::clone(&state.plan_views);
    let pool = state.pool.clone();
    with_db(state, caller, move |db, caller| {
        let org = caller.user.org;
        let directory = directories.get(db, org)?;
        let plan = company_plan::find(db, org, year)?;
        // The plan is part of the key: saving it moves no revision.
        let key = format!("{year}|{allocation}|{plan:?}");
        let large = cache::large(&directory, &Subject::Organisation);
        let (planned, everyone) = (plan.clone(), Arc::clone(&directory));
        let computed = allocations.get_or_refresh(db, org, key, large, &pool, move |db| {
            let plan = planned;
            let first_month = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
            let learnt = store_planning::seasonality(
                db,
                org,
                PlanMetric::Revenue,
                first_month,
                quotas::SEASONALITY_YEARS,
                None,
            )?;
            let revenue = match (&plan, allocation) {
                (Some(plan), true) => Some(match quotas::allocate(db, org, plan) {
                    Ok(mut allocated) => Ok(allocated.remove(0)),
                    Err(StoreError::Refused(refusals)) => Err(refusals),
                    Err(error) => return Err(error.into()),
                }),
                _ => None,
            };
            let quotas = match allocation {
                true => quotas::yearly(db, org, year, PlanMetric::Revenue, None)?,
                false => HashMap::new(),
            };
            Ok(Allocation { learnt, whole: Shown::of(revenue, quotas, &everyone) })
        })?;
        let viewer = &caller.viewer;
        let share = (!viewer.reaches_everyone()).then(|| {
            let whole = &computed.whole;
            let revenue = whole.revenue.as_ref().map(|revenue| match revenue {
                Ok(all) => Ok(quotas::share_of(viewer, all)),
                Err(refusals) => Err(refusals.clone()),
            });
            let quotas = whole.quotas.iter().filter(|(rep, _)| viewer.reaches(**rep)).map(|(r, q)| (*r, *q)).collect();
            Shown::of(revenue, quotas, &directory)
        });
        let changes = if allocation { plan_ops::quota_changes(db, viewer, year)? } else { vec![] };
        Ok(View { year, plan, learnt: computed.learnt.clone(), computed, share, changes, directory })
    })
    .await
}

/// The message of a refusal a redirect names by its code; nothing for any other text.
fn refused(l: crate::i18n::Locale, code: Option<&str>) -> Option<String> {
    code?.parse::<Code>().ok().map(|code| Refusal::new("plan", code).message(l))
}

pub fn render(
    caller: &Caller,
    query: &PlanQuery,
    view: &View,
    errors: &[FieldError],
    form: Option<&PlanForm>,
) -> Markup {
    let l = caller.locale;
    let may_edit = caller.viewer.may(Resource::CompanyPlan, Action::Edit);
    let year = view.year;
    let body = html! {
        h1 { (l.tf(if sees_whole_company_plan(caller.user.role) { "plan.title" } else { "plan.team_title" }, &[("year", &year.to_string())])) }
        nav.toolbar aria-label=(l.t("plan.years")) {
            a href={ "/plan?year=" (year - 1) } { "← " (year - 1) }
            a href={ "/plan?year=" (year + 1) } { (year + 1) " →" }
        }
        @if let Some(done) = &query.done { p.notice role="status" { (l.t(&format!("plan.done.{}", done_key(done)))) } }
        @if let Some(message) = refused(l, query.error.as_deref()) { p.alert role="alert" #plan-refused data-code=[query.error.as_deref()] { (message) } }
        @if !errors.is_empty() { p.alert role="alert" { (l.t("form.fix_errors")) } }
        @if may_edit { (plan_form(caller, view, errors, form)) }
        @match (&view.plan, &view.shown().revenue) {
            (None, _) => p.muted { (l.t(if may_edit { "plan.none_yet" } else { "plan.none_read" })) },
            (Some(_), Some(Err(refusals))) => {
                @for refusal in refusals { p.alert data-code=(refusal.code.key()) { (refusal.message(l)) } }
            },
            (Some(plan), Some(Ok(allocated))) => (allocation(caller, query, view, plan, allocated, may_edit)),
            (Some(_), None) => {},
        }
    };
    let body = html! { (body) script src="/assets/plan.js" defer {} };
    templates::page(caller, "plan", l.t("nav.plan"), body)
}

fn done_key(done: &str) -> &'static str {
    match done {
        "allocated" => "allocated",
        "adjusted" => "adjusted",
        _ => "saved",
    }
}

pub fn month_labels(l: crate::i18n::Locale) -> Vec<String> {
    (1..=12).map(|m| l.t(&format!("month.{m}")).to_string()).collect()
}

fn risk_line(caller: &Caller, risk: &PlanRisk) -> Markup {
    let l = caller.locale;
    let show = |v: f64| caller.money(Money::from_cents(v.round() as i64));
    html! {
        @if risk.gap > 0.0 {
            p.alert role="status" #plan-risk { (l.tf("goals.risk", &[("plan", &show(risk.plan)), ("realistic", &show(risk.realistic)), ("gap", &show(risk.gap)), ("share", &l.percent(risk.share))])) }
        } @else {
            p.notice role="status" #plan-risk { (l.tf("goals.no_risk", &[("plan", &show(risk.plan)), ("realistic", &show(risk.realistic))])) }
        }
    }
}

/// The revenue objective allocated: the risk, the seasonality used, the split per territory and
/// per rep, and the quotas with the live difference to the plan.
fn allocation(
    caller: &Caller,
    query: &PlanQuery,
    view: &View,
    plan: &CompanyPlan,
    allocated: &Allocated,
    may_edit: bool,
) -> Markup {
    let l = caller.locale;
    let directory = &view.directory;
    let show = |cents: i64| caller.money(Money::from_cents(cents));
    let name = |id: i64| directory.person(id).map(|p| p.name.clone()).unwrap_or_default();
    let territory_of = |rep: i64| directory.person(rep).and_then(|p| p.territory_id);
    // The reps the caller reaches: the share's, or everyone's.
    let reps = &allocated.allocation.reps;
    let Shown { quotas, summary, .. } = view.shown();
    let territories = &summary.territories;
    let root_label = |root: &Option<i64>| {
        root.and_then(|t| directory.territory_name(t))
            .map_or_else(|| l.t("plan.no_territory").to_string(), str::to_string)
    };
    let (territories_page, reps_page) =
        (Paged::of(territories.len(), query.territories_page), Paged::of(reps.len(), query.page));
    let base = format!("/plan?year={}", view.year);
    // The quotas of the reps on other pages, for the live difference of those on this one.
    let on_page: i64 = reps_page.slice(reps).iter().map(|q| quotas.get(&q.rep).copied().unwrap_or(0)).sum();
    let others = summary.quotas - on_page;
    let months = month_labels(l);
    let (allocated_total, quota_total) = (summary.allocated, summary.quotas);
    let written = plan.allocated_at.is_some();
    let beyond = allocated.allocation.total.gap.round() > 0.0;
    let unallocated = allocated.objective.total - quota_total;
    html! {
        (risk_line(caller, &allocated.allocation.total))
        div.tiles {
            (tile(l.t("plan.revenue"), &show(allocated.objective.total)))
            (tile(l.t("plan.realistic"), &show(allocated.allocation.total.realistic.round() as i64)))
            (tile(l.t("plan.allocated"), &show(allocated_total)))
            (tile(l.t("plan.reps"), &l.count(reps.len() as i64)))
        }
        div.grid {
            section.card {
                h2 { (l.t("plan.by_territory")) }
                table #territory-table {
                    thead { tr { th { (l.t("plan.territory")) } th.num { (l.t("plan.reps")) } th.num { (l.t("plan.allocated")) } } }
                    tbody { @for (root, count, total) in territories_page.slice(territories) { tr { td { (root_label(root)) } td.num { (l.count(*count as i64)) } td.num { (show(*total)) } } } }
                }
                (pager(l, "territories-pages", &format!("{base}&page={}", reps_page.page), territories_page, "territories_page"))
            }
            section.card {
                h2 { (l.t("goals.seasonality")) }
                p.muted { (l.t(if plan.seasonality.is_some() { "plan.seasonality_hand" } else { "plan.seasonality_learnt" })) }
                table #seasonality-table {
                    thead { tr { th { (l.t("plan.month")) } th.num { (l.t("plan.share")) } } }
                    tbody { @for (m, label) in months.iter().enumerate() { tr { td { (label) } td.num { (l.number(allocated.seasonality.shares[m] * 100.0, 1)) "%" } } } }
                }
            }
        }
        section.card {
            h2 { (l.t("plan.by_rep")) }
            @if may_edit {
                form method="post" action="/plan/allocate" {
                    (csrf(caller))
                    input type="hidden" name="year" value=(view.year);
                    @if beyond {
                        fieldset #beyond-history {
                            legend { (l.tf("plan.beyond_history", &[("gap", &show(allocated.allocation.total.gap.round() as i64))])) }
                            label.inline { input type="radio" name="beyond_history" value="allocate"; " " (l.t("plan.beyond_history.allocate")) }
                            label.inline { input type="radio" name="beyond_history" value="keep"; " " (l.t("plan.beyond_history.keep")) }
                        }
                    }
                    p { button type="submit" #allocate { (l.t(if written { "plan.reallocate" } else { "plan.allocate" })) } " " span.muted { (l.t("plan.allocate_help")) } }
                }
            }
            form method="post" action="/plan/quotas" #quota-form {
                (csrf(caller))
                input type="hidden" name="year" value=(view.year);
                div.table-wrap {
                    table #allocation-table {
                        thead { tr {
                            th { (l.t("dashboard.rep")) } th { (l.t("plan.territory")) }
                            th.num { (l.t("plan.realistic")) } th.num { (l.t("plan.allocated")) } th.num { (l.t("plan.quota")) }
                        } }
                        tbody {
                            @for quota in reps_page.slice(reps) {
                                @let current = quotas.get(&quota.rep).copied();
                                tr data-rep=(quota.rep) {
                                    td { (name(quota.rep)) }
                                    td { (territory_of(quota.rep).and_then(|t| directory.territory_name(t)).unwrap_or_default()) }
                                    td.num { (show(quota.realistic.round() as i64)) }
                                    td.num data-allocated=(quota.yearly) { (show(quota.yearly)) }
                                    td.num {
                                        @if may_edit && written {
                                            input.quota type="text" inputmode="decimal" name={ "q_" (quota.rep) } aria-label={ (l.t("plan.quota")) " " (name(quota.rep)) } value=(current.map(|c| format!("{:.2}", c as f64 / 100.0)).unwrap_or_default()) style="width: 9em";
                                        } @else {
                                            (current.map(show).unwrap_or_else(|| "–".into()))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                (pager(l, "reps-pages", &format!("{base}&territories_page={}", territories_page.page), reps_page, "page"))
                @if written {
                    p #quota-difference data-plan=(allocated.objective.total) data-others=(others) {
                        (l.t("plan.difference")) " " output #difference { (show(quota_total - allocated.objective.total)) }
                    }
                    @if unallocated > 0 && caller.viewer.reaches_everyone() {
                        p.alert role="status" #unallocated { (l.tf("plan.unallocated", &[("amount", &show(unallocated))])) }
                    }
                    @if may_edit {
                        label { (l.t("plan.reason")) " " input type="text" name="reason" maxlength="500" style="width: 30em"; }
                        p.muted { (l.t("plan.history_kept")) }
                        p { button type="submit" #save-quotas { (l.t("plan.save_quotas")) } }
                    }
                } @else {
                    p.muted { (l.t("plan.not_written")) }
                }
            }
        }
        (changes(caller, view))
    }
}

/// The latest hand changes of the year's quotas: a lowered quota is marked, with its reason.
fn changes(caller: &Caller, view: &View) -> Markup {
    let l = caller.locale;
    let show = |cents: i64| caller.money(Money::from_cents(cents));
    let name = |id: i64| view.directory.person(id).map(|p| p.name.clone()).unwrap_or_default();
    html! {
        @if !view.changes.is_empty() {
            section.card {
                h2 { (l.t("plan.changes")) }
                table #quota-changes {
                    thead { tr { th { (l.t("plan.changed_at")) } th { (l.t("dashboard.rep")) } th.num { (l.t("plan.before")) } th.num { (l.t("plan.after")) } th { (l.t("plan.reason")) } } }
                    tbody {
                        @for change in &view.changes {
                            @let money = change.metric == "revenue" || change.metric == "margin";
                            @let amount = |v: i64| if money { show(v) } else { l.count(v) };
                            tr.lowered[change.lowered] {
                                td { (l.date(change.at.date_naive())) }
                                td { (name(change.rep.0)) }
                                td.num { (change.before.map(amount).unwrap_or_else(|| "–".into())) }
                                td.num { (amount(change.after)) @if change.lowered { " " span.badge.warn { (l.t("plan.lowered")) } } }
                                td { (change.reason.clone().unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
    }
}
