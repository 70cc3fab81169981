//! The plan's forms: the plan form as it is shown (filled with what was sent, or the saved plan),
//! and what was sent read into the operations' commands — amounts as the caller's language writes
//! them, every field that cannot be read refused at once.

use super::view::{View, month_labels};
use crate::auth::Caller;
use crate::error::FieldError;
use crate::i18n::Locale;
use crate::templates::{csrf, field_error};
use maud::{Markup, html};
use quotient_core::Money;
use quotient_core::input::{self, Refusals};
use quotient_core::refusal::{Code, Refusal};
use quotient_store::ids::RepId;
use quotient_store::kpi::Directory;
use quotient_store::ops::plans::{AdjustQuotas, BeyondHistory, YEARS};
use quotient_store::planning::PlanMetric;
use quotient_store::planning::company_plan::{CompanyPlan, PlanLine, Split};
use std::collections::HashMap;

/// Up to this many territories, the plan form lists each with its weight; beyond, it lists those
/// with a weight and takes others by name (an organisation with a territory per rep has thousands).
const TERRITORIES_LISTED: usize = 50;

/// How many territories the form takes by name at once.
const WEIGHTS_BY_NAME: usize = 3;

/// A plan form as sent: every field by name.
#[derive(serde::Deserialize, Clone)]
pub struct PlanForm {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

/// The form's name of a field the operations refused (they name them as the API does).
pub fn field(field: &'static str) -> &'static str {
    match field {
        "fiscal_year" => "year",
        "revenue_cents" => "revenue",
        "margin_cents" => "margin",
        "growth_pct" => "growth",
        other => other,
    }
}

/// A whole number, or nothing for an empty text (the operation refuses one below 0).
fn whole(field: &'static str, text: &str) -> Result<Option<i64>, Refusal> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| Refusal::new(field, Code::Count)),
    }
}

/// A decimal number as a person types it (a comma or a point), or `code` refused.
fn decimal(field: &'static str, text: &str, code: Code) -> Result<f64, Refusal> {
    text.trim().replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite()).ok_or(Refusal::new(field, code))
}

impl PlanForm {
    fn get(&self, key: &str) -> &str {
        self.fields.get(key).map(|v| v.trim()).unwrap_or("")
    }

    /// The plan's year.
    pub fn year(&self) -> Result<i32, Refusal> {
        let (min, max) = (i64::from(*YEARS.start()), i64::from(*YEARS.end()));
        input::whole_number("fiscal_year", self.get("year"), min, max).map(|year| year as i32)
    }

    /// The plan sent, or every field that cannot be read (a territory named that is none of
    /// `directory`'s among them); the plan's rules are the operation's.
    pub fn plan(&self, l: Locale, directory: &Directory) -> Result<CompanyPlan, Vec<Refusal>> {
        let mut refusals = Refusals::new();
        let year = refusals.take(self.year());
        let revenue = refusals.take(input::optional_amount("revenue_cents", self.get("revenue"), l));
        if revenue == Some(None) {
            refusals.push(Refusal::new("revenue_cents", Code::Required));
        }
        let margin = refusals.take(input::optional_amount("margin_cents", self.get("margin"), l));
        let deals = refusals.take(whole("deals", self.get("deals")));
        let growth = match self.get("growth") {
            "" => Some(0.0),
            text => refusals.take(decimal("growth_pct", text, Code::GrowthOutOfRange)),
        };
        let split = if self.get("split") == "territories" { Split::Territories } else { Split::Goals };
        let mut territory_weights = vec![];
        let mut seasonality = [0u64; 12];
        let mut hand_set = false;
        let mut lines: HashMap<i64, PlanLine> = HashMap::new();
        for (key, value) in &self.fields {
            if value.trim().is_empty() {
                continue;
            }
            if let Some(id) = key.strip_prefix("w_").and_then(|id| id.parse::<i64>().ok()) {
                match value.trim().parse::<u64>() {
                    Ok(weight) => territory_weights.push((id, weight)),
                    Err(_) => refusals.push(Refusal::new("territory_weights", Code::Count)),
                }
            } else if let Some(month) =
                key.strip_prefix("s_").and_then(|m| m.parse::<usize>().ok()).filter(|m| (1..=12).contains(m))
            {
                match decimal("seasonality", value, Code::Seasonality) {
                    // Weights to a tenth of a percent, as whole numbers.
                    Ok(share) if share >= 0.0 => {
                        seasonality[month - 1] = (share * 10.0).round() as u64;
                        hand_set = true;
                    }
                    _ => refusals.push(Refusal::new("seasonality", Code::Seasonality)),
                }
            } else if let Some(rest) = key.strip_prefix("pl_")
                && let Some((id, what)) = rest.split_once('_')
                && let Ok(id) = id.parse::<i64>()
            {
                let line = lines.entry(id).or_insert(PlanLine {
                    product_line_id: id,
                    revenue: None,
                    margin: None,
                    deals: None,
                });
                match what {
                    "revenue" => line.revenue = refusals.take(input::optional_amount("lines", value, l)).flatten(),
                    "deals" => line.deals = refusals.take(whole("lines", value)).flatten(),
                    _ => {}
                }
            }
        }
        // A weight given by name replaces any its territory had.
        for (name, weight) in self.weights_by_name() {
            let territory = if name.is_empty() {
                refusals.push(Refusal::new("territory_weights", Code::Required));
                None
            } else {
                refusals.take(directory.territory_named("territory_weights", name))
            };
            let weight =
                refusals.take(weight.parse::<u64>().map_err(|_| Refusal::new("territory_weights", Code::Count)));
            if let (Some(territory), Some(weight)) = (territory, weight) {
                territory_weights.retain(|(id, _)| *id != territory);
                territory_weights.push((territory, weight));
            }
        }
        territory_weights.sort_unstable();
        let mut lines: Vec<PlanLine> =
            lines.into_values().filter(|l| l.revenue.is_some() || l.deals.is_some()).collect();
        lines.sort_by_key(|l| l.product_line_id);
        let plan = CompanyPlan {
            revenue: revenue.flatten().unwrap_or_default(),
            margin: margin.flatten(),
            deals: deals.flatten(),
            growth_pct: growth.unwrap_or_default(),
            split,
            seasonality: hand_set.then_some(seasonality),
            territory_weights,
            lines,
            ..CompanyPlan::new(year.unwrap_or(*YEARS.start()))
        };
        if refusals.is_empty() {
            return Ok(plan);
        }
        // What the operation would refuse besides, so that every refusal shows at once: not again
        // for a field that could not be read, nor a margin against a revenue that could not be.
        let mut refusals = refusals.into_vec();
        let unread: Vec<&str> = refusals.iter().map(|r| r.field).collect();
        let besides: Vec<Refusal> = plan
            .refusals()
            .into_iter()
            .filter(|r| !unread.contains(&r.field))
            .filter(|r| r.code != Code::MarginAboveRevenue || !unread.contains(&"revenue_cents"))
            .collect();
        refusals.extend(besides);
        Err(dedup(refusals))
    }

    /// The territories given a weight by name (`wn_N`, `wv_N`), as sent: each row with a name or a
    /// weight.
    fn weights_by_name(&self) -> impl Iterator<Item = (&str, &str)> {
        (1..=WEIGHTS_BY_NAME)
            .map(|row| (self.get(&format!("wn_{row}")), self.get(&format!("wv_{row}"))))
            .filter(|(name, weight)| !name.is_empty() || !weight.is_empty())
    }

    /// The revenue quotas typed by hand (`q_REP`), or every one that cannot be read.
    pub fn quotas(&self, year: i32, l: Locale) -> Result<AdjustQuotas, Vec<Refusal>> {
        let mut refusals = Refusals::new();
        let mut quotas = vec![];
        for (key, value) in &self.fields {
            let Some(rep) = key.strip_prefix("q_").and_then(|r| r.parse::<RepId>().ok()) else { continue };
            if let Some(Some(amount)) = refusals.take(input::optional_amount("yearly", value, l)) {
                quotas.push((rep, amount.cents()));
            }
        }
        refusals.finish()?;
        quotas.sort_unstable();
        let reason = self.fields.get("reason").cloned();
        Ok(AdjustQuotas { year, metric: PlanMetric::Revenue, quotas, as_of: crate::pages::today(), reason })
    }

    /// The choice made for a plan beyond what history supports, if any; refused when it is none
    /// of the choices.
    pub fn beyond_history(&self) -> Result<Option<BeyondHistory>, Refusal> {
        match self.fields.get("beyond_history").map(String::as_str) {
            None | Some("") => Ok(None),
            Some(key) => BeyondHistory::from_key(key).map(Some).ok_or(Refusal::new("beyond_history", Code::Choice)),
        }
    }
}

/// One refusal a field: the form shows one message under each.
fn dedup(mut refusals: Vec<Refusal>) -> Vec<Refusal> {
    let mut seen = std::collections::HashSet::new();
    refusals.retain(|r| seen.insert(r.field));
    refusals
}

/// The territories whose weight the form lists, by name: every one up to [`TERRITORIES_LISTED`],
/// else those with a weight saved or sent (found by id, not by going through thousands).
fn listed_weights<'d>(
    directory: &'d Directory,
    weights: &HashMap<i64, u64>,
    sent: Option<&PlanForm>,
) -> Vec<(i64, &'d str)> {
    let territories = directory.territory_names();
    if territories.len() <= TERRITORIES_LISTED {
        return territories.iter().map(|(id, name)| (*id, name.as_str())).collect();
    }
    let sent_ids =
        sent.into_iter().flat_map(|form| form.fields.keys()).filter_map(|key| key.strip_prefix("w_")?.parse().ok());
    let ids: std::collections::BTreeSet<i64> = weights.keys().copied().chain(sent_ids).collect();
    let mut listed: Vec<(i64, &str)> =
        ids.into_iter().filter_map(|id| Some((id, directory.territory_name(id)?))).collect();
    listed.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)));
    listed
}

/// The plan's form, filled with what was sent (after a refusal) or the saved plan.
pub fn plan_form(caller: &Caller, view: &View, errors: &[FieldError], sent: Option<&PlanForm>) -> Markup {
    let l = caller.locale;
    let plan = view.plan.clone().unwrap_or_else(|| CompanyPlan::new(view.year));
    let amount = |m: Option<Money>| m.map(|m| format!("{:.2}", m.cents() as f64 / 100.0)).unwrap_or_default();
    let field = |key: &str, saved: String| -> String { sent.and_then(|f| f.fields.get(key).cloned()).unwrap_or(saved) };
    let weights: HashMap<i64, u64> = plan.territory_weights.iter().copied().collect();
    let lines: HashMap<i64, &PlanLine> = plan.lines.iter().map(|line| (line.product_line_id, line)).collect();
    let mut product_lines: Vec<(&i64, &(String, String))> = view.directory.product_lines.iter().collect();
    product_lines.sort_by(|a, b| a.1.1.cmp(&b.1.1));
    let months = month_labels(l);
    html! {
        form.card.plan-form method="post" action="/plan" #plan-form {
            (csrf(caller))
            input type="hidden" name="year" value=(view.year);
            (field_error(errors, "year"))
            h2 { (l.t("plan.objectives")) }
            div.form-grid {
                label { (l.t("plan.revenue")) input type="text" inputmode="decimal" name="revenue" required value=(field("revenue", if plan.revenue.cents() > 0 { amount(Some(plan.revenue)) } else { String::new() })); (field_error(errors, "revenue")) }
                label { (l.t("plan.margin")) input type="text" inputmode="decimal" name="margin" value=(field("margin", amount(plan.margin))); (field_error(errors, "margin")) }
                label { (l.t("plan.deals")) input type="number" min="0" name="deals" value=(field("deals", plan.deals.map(|d| d.to_string()).unwrap_or_default())); (field_error(errors, "deals")) }
                label { (l.t("goals.growth")) " (%)" input type="number" step="0.5" name="growth" value=(field("growth", plan.growth_pct.to_string())); (field_error(errors, "growth")) }
            }
            fieldset {
                legend { (l.t("plan.split")) }
                label.inline { input type="radio" name="split" value="goals" checked[field("split", plan.split.key().into()) == "goals"]; " " (l.t("plan.split.goals")) }
                label.inline { input type="radio" name="split" value="territories" checked[field("split", plan.split.key().into()) == "territories"]; " " (l.t("plan.split.territories")) }
                (field_error(errors, "territory_weights"))
                details open[plan.split == Split::Territories] {
                    summary { (l.t("plan.weights")) }
                    @let territories = view.directory.territory_names();
                    @let listed_all = territories.len() <= TERRITORIES_LISTED;
                    @if !listed_all {
                        p.muted #weights-many { (l.tf("plan.weights_many", &[("count", &l.count(territories.len() as i64))])) }
                    }
                    div.form-grid #territory-weights {
                        @for (id, name) in listed_weights(&view.directory, &weights, sent) {
                            @let key = format!("w_{id}");
                            @let value = field(&key, weights.get(&id).map(|w| w.to_string()).unwrap_or_default());
                            @if listed_all || !value.is_empty() {
                                label { (name) input type="number" min="0" name=(key) value=(value); }
                            }
                        }
                    }
                    @if !listed_all {
                        div.form-grid #weights-by-name {
                            @for row in 1..=WEIGHTS_BY_NAME {
                                @let (name, weight) = (format!("wn_{row}"), format!("wv_{row}"));
                                label { (l.t("plan.weight_territory")) input type="text" name=(name) value=(field(&name, String::new())); }
                                label { (l.t("plan.weight")) input type="number" min="0" name=(weight) value=(field(&weight, String::new())); }
                            }
                        }
                    }
                }
            }
            details open[plan.seasonality.is_some()] {
                summary { (l.t("plan.seasonality_override")) }
                p.muted { (l.t("plan.seasonality_help")) }
                (field_error(errors, "seasonality"))
                div.form-grid.months {
                    @for (m, label) in months.iter().enumerate() {
                        label { (label) " " span.muted { (l.number(view.learnt.shares[m] * 100.0, 1)) "%" }
                            input type="number" min="0" step="0.1" name={ "s_" (m + 1) } value=(field(&format!("s_{}", m + 1), plan.seasonality.map(|s| s[m].to_string()).unwrap_or_default()));
                        }
                    }
                }
            }
            @if !product_lines.is_empty() {
                details open[!plan.lines.is_empty()] {
                    summary { (l.t("plan.per_line")) }
                    table {
                        thead { tr { th { (l.t("plan.product_line")) } th { (l.t("plan.revenue")) } th { (l.t("plan.deals")) } } }
                        tbody {
                            @for (id, (_, name)) in &product_lines {
                                tr {
                                    td { (name) }
                                    td { input type="text" inputmode="decimal" name={ "pl_" (id) "_revenue" } value=(field(&format!("pl_{id}_revenue"), amount(lines.get(id).and_then(|l| l.revenue)))); }
                                    td { input type="number" min="0" name={ "pl_" (id) "_deals" } value=(field(&format!("pl_{id}_deals"), lines.get(id).and_then(|l| l.deals).map(|d| d.to_string()).unwrap_or_default())); }
                                }
                            }
                        }
                    }
                    (field_error(errors, "lines"))
                }
            }
            p { button type="submit" #save-plan { (l.t("plan.save")) } }
        }
    }
}
