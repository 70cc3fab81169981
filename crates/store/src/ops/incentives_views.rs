//! What the incentives pages show beyond the single operations of `ops::incentives`: a team's
//! statements of a month with their disputes, and what they cost as a share of the revenue the
//! team won; and the payroll export of a month's statements.

use super::incentives::{self, Dispute, StatementsOf};
use super::reports::{self, ReportOn};
use crate::access::Viewer;
use crate::bundle::neutralise_formula;
use crate::db::Db;
use crate::error::Result;
use crate::incentives::compute::cost_share;
use crate::incentives::sheet::StatementSheet;
use crate::kpi::Directory;
use quotient_core::{Lang, Money};
use serde::Serialize;

/// A subject's statements of one month, the disputes of the month in the caller's reach, and the
/// cost of sales: what is payable ÷ the revenue the subject won in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamStatements {
    pub period: String,
    pub statements: Vec<StatementSheet>,
    pub disputes: Vec<Dispute>,
    pub payable_cents: i64,
    pub revenue_cents: i64,
    /// Payable ÷ revenue, four decimals, as text; absent without revenue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_share: Option<String>,
}

/// The statements of `query`'s subject and month with their disputes and cost of sales (the
/// refusals of [`incentives::statements`]).
pub fn team_statements(db: &mut Db, scope: &Viewer, query: &StatementsOf) -> Result<TeamStatements> {
    let statements = incentives::statements(db, scope, query)?;
    let disputes = incentives::disputes_of(db, scope, query.period)?;
    let directory = Directory::load(db, scope.org)?;
    let last_day = query.period.end().pred_opt().unwrap_or(query.period.start());
    let request = ReportOn {
        subject: query.subject.clone(),
        period: query.period,
        as_of: last_day.min(query.today),
        lang: Lang::ENGLISH,
    };
    let revenue_cents = reports::report(db, scope, &directory, &request)?.total.scorecard.outcome.revenue.cents();
    let payable_cents = statements.iter().map(|s| s.payable_cents).fold(0, i64::saturating_add);
    let disputes = disputes.into_iter().filter(|d| statements.iter().any(|s| s.rep_id == d.rep_id)).collect();
    Ok(TeamStatements {
        period: query.period.to_string(),
        statements,
        disputes,
        payable_cents,
        revenue_cents,
        cost_share: cost_share(payable_cents, revenue_cents),
    })
}

/// The payroll export of statements (`INCENTIVES.md` §7): `rep_id, name, period, payable`, the
/// payable in the currency with two decimals; ids and names guarded against spreadsheet formulas.
pub fn payroll_csv(statements: &[StatementSheet]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut rows = vec![["rep_id".to_string(), "name".into(), "period".into(), "payable".into()]];
    for sheet in statements {
        rows.push([
            neutralise_formula(&sheet.rep_external_id).into_owned(),
            neutralise_formula(&sheet.name).into_owned(),
            sheet.period.clone(),
            Money::from_cents(sheet.payable_cents).to_string(),
        ]);
    }
    // Writing to memory fails only on a bug of the writer; the rows written so far are returned.
    for row in rows {
        if writer.write_record(&row).is_err() {
            break;
        }
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incentives::sheet::StatementState;

    fn sheet(rep: &str, name: &str, payable_cents: i64) -> StatementSheet {
        StatementSheet {
            rep_id: 1,
            rep_external_id: rep.into(),
            name: name.into(),
            period: "2026-03".into(),
            state: StatementState::Locked,
            month_ended: true,
            components: vec![],
            adjustments: vec![],
            awards: vec![],
            earnings_cents: payable_cents,
            draw: None,
            payable_cents,
        }
    }

    #[test]
    fn the_payroll_export_guards_formulas_and_writes_amounts() {
        let csv = payroll_csv(&[sheet("R1", "=HYPERLINK(\"x\")", 123_456), sheet("R2", "Ng, Ada", -5)]);
        // 123456 cents are 1234.56; -5 cents are -0.05; the formula gets a ' and is quoted for its quotes.
        assert_eq!(
            csv,
            "rep_id,name,period,payable\nR1,\"'=HYPERLINK(\"\"x\"\")\",2026-03,1234.56\nR2,\"Ng, Ada\",2026-03,-0.05\n"
        );
    }
}
