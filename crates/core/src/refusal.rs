//! Why an operation is refused, as data: the field it is about (as the forms and the API name it),
//! a stable [`Code`], and the values its text needs. Every interface — a page, the API, the command
//! line — shows a refusal in its caller's language from the catalog key `refusal.<code>`, so the
//! same bad input is refused with the same code wherever it comes from.

use crate::Lang;

crate::keyed_enum! {
    /// Every reason an operation may be refused. The key is stable: the API returns it, and it
    /// names the message `refusal.<key>` in every catalog.
    Code {
        // A field's value.
        Required => "required",
        NumberOutOfRange => "number_out_of_range",
        Amount => "amount",
        Date => "date",
        Time => "time",
        TimeInFuture => "time_in_future",
        TimeTooOld => "time_too_old",
        Choice => "choice",
        Reference => "reference",
        TooLong => "too_long",
        ControlCharacter => "control_character",
        // A request's body, path or query, as the API reads it.
        JsonRequired => "json_required",
        BodyUnreadable => "body_unreadable",
        JsonSyntax => "json_syntax",
        JsonEndsEarly => "json_ends_early",
        UnknownField => "unknown_field",
        OneOf => "one_of",
        Number => "number",
        WholeNumber => "whole_number",
        Boolean => "boolean",
        Text => "text",
        List => "list",
        Object => "object",
        WrongType => "wrong_type",
        // A report's period.
        PeriodMalformed => "period_malformed",
        PeriodOutOfRange => "period_out_of_range",
        PeriodTooLong => "period_too_long",
        // Who or what an operation is about.
        RepOutOfReach => "rep_out_of_reach",
        OpportunityOutOfReach => "opportunity_out_of_reach",
        AccountOutOfReach => "account_out_of_reach",
        DateInFuture => "date_in_future",
        // Planning.
        Count => "count",
        GrowthOutOfRange => "growth_out_of_range",
        Seasonality => "seasonality",
        TerritoryWeights => "territory_weights",
        UnknownTerritory => "unknown_territory",
        TerritoryAmbiguous => "territory_ambiguous",
        MarginAboveRevenue => "margin_above_revenue",
        NoRepsToPlan => "no_reps_to_plan",
        ReasonForLowering => "reason_for_lowering",
        NoMonthsLeft => "no_months_left",
        BelowMonthsPast => "below_months_past",
        BeyondHistoryChoice => "beyond_history_choice",
        GoalMetric => "goal_metric",
        GoalPeriod => "goal_period",
        // Reports.
        SubjectOutOfReach => "subject_out_of_reach",
        // Users.
        EmailAddress => "email_address",
        EmailTaken => "email_taken",
        UnknownRep => "unknown_rep",
        RepRowNeeded => "rep_row_needed",
        PasswordTooShort => "password_too_short",
        // Records.
        StageUnknown => "stage_unknown",
        StageBeforeCreation => "stage_before_creation",
        GatewayTypeRequired => "gateway_type_required",
        StageNotOpen => "stage_not_open",
        NoOpenStage => "no_open_stage",
        // Coaching.
        TooMany => "too_many",
        PlanNotDraft => "plan_not_draft",
        PlanStepNotYours => "plan_step_not_yours",
        PlanStepOutOfOrder => "plan_step_out_of_order",
        ReturnNeedsComment => "return_needs_comment",
        KeyAccountNotOwned => "key_account_not_owned",
        KeyAccountTwice => "key_account_twice",
        // Settings and the pipeline's configuration.
        UnknownSetting => "unknown_setting",
        ValueOutOfRange => "value_out_of_range",
        StageInUse => "stage_in_use",
        OneWonStage => "one_won_stage",
        OneLostStage => "one_lost_stage",
        KeyMalformed => "key_malformed",
        // Account planning.
        ObjectiveLink => "objective_link",
        ObjectiveAccountNotKey => "objective_account_not_key",
        // Incentives.
        PlansFile => "plans_file",
        PlansYear => "plans_year",
        PlansUnknownRep => "plans_unknown_rep",
        PlansUnknownProductLine => "plans_unknown_product_line",
        StatementPeriod => "statement_period",
        StatementMonthOpen => "statement_month_open",
        StatementNoPlan => "statement_no_plan",
        StatementLocked => "statement_locked",
        StatementNotApproved => "statement_not_approved",
        DisputeLineUnknown => "dispute_line_unknown",
        DisputeResolved => "dispute_resolved",
        // The forecast.
        ForecastCategory => "forecast_category",
        ForecastPeriod => "forecast_period",
        BestCaseBelowCommit => "best_case_below_commit",
        ForecastCallNotYours => "forecast_call_not_yours",
        OpportunityNotOpen => "opportunity_not_open",
    }
}

/// A value a refusal's text shows: numbers are written the caller's way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Count(i64),
    Text(String),
}

/// One reason an operation is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub code: Code,
    /// The values of the text's `{name}` placeholders.
    pub args: Vec<(&'static str, Arg)>,
}

impl Refusal {
    pub fn new(field: &'static str, code: Code) -> Refusal {
        Refusal { field, code, args: Vec::new() }
    }

    /// With a number the text shows as `{name}`.
    pub fn count(mut self, name: &'static str, value: i64) -> Refusal {
        self.args.push((name, Arg::Count(value)));
        self
    }

    /// With a text the text shows as `{name}`.
    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Refusal {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    /// The same refusal about another field (a form names a field otherwise than the API).
    pub fn on(self, field: &'static str) -> Refusal {
        Refusal { field, ..self }
    }

    /// The catalog key of the refusal's text.
    pub fn message_key(code: Code) -> String {
        format!("refusal.{}", code.key())
    }

    /// What the refusal says in `lang`: why, and what to do instead.
    pub fn message(&self, lang: Lang) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, arg)| match arg {
                Arg::Count(n) => (*name, lang.count(*n)),
                Arg::Text(text) => (*name, text.clone()),
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = args.iter().map(|(name, value)| (*name, value.as_str())).collect();
        lang.tf(&Refusal::message_key(self.code), &borrowed)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message(Lang::ENGLISH))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_text_in_every_language() {
        let mut missing = Vec::new();
        for lang in Lang::all() {
            for code in Code::ALL {
                if !lang.has(&Refusal::message_key(*code)) {
                    missing.push(format!("{}: refusal.{}", lang.tag(), code.key()));
                }
            }
        }
        assert!(Lang::all().count() >= 3, "English, German and Spanish at least");
        assert!(missing.is_empty(), "refusal codes without a text:\n{}", missing.join("\n"));
    }

    #[test]
    fn every_text_fills_its_placeholders() {
        let refusal = Refusal::new("amount", Code::NumberOutOfRange).count("min", 1).count("max", 12_000);
        for lang in Lang::all() {
            let text = refusal.message(lang);
            assert!(!text.contains('{'), "{}: {text}", lang.tag());
            assert!(text.contains(&lang.count(12_000)), "{}: {text}", lang.tag());
        }
    }

    #[test]
    fn no_catalog_holds_a_refusal_text_without_a_code() {
        for lang in Lang::all() {
            for key in lang.keys().filter(|key| key.starts_with("refusal.")) {
                let code = &key["refusal.".len()..];
                assert!(code.parse::<Code>().is_ok(), "{}: {key} has no code", lang.tag());
            }
        }
    }
}
