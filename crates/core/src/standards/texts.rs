//! A standard's evaluation in words, per language.

use super::StandardKey;
use crate::Lang;

/// e.g. "estimates for Storage: 7 of 12", "lead follow-up within 48 hours: 80% of 100%".
pub(super) fn describe(key: StandardKey, subject: Option<&str>, actual: f64, required: f64, lang: Lang) -> String {
    let pct = |v: f64| format!("{:.0} %", v * 100.0).replace(" %", if lang == Lang::En { "%" } else { " %" });
    let num = |v: f64| {
        let text = if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") };
        if lang == Lang::En { text } else { text.replace('.', ",") }
    };
    let line = subject.unwrap_or_default();
    match (lang, key) {
        (Lang::En, StandardKey::QuotaAttainment) => format!("quota attainment: {} of {}", pct(actual), pct(required)),
        (Lang::De, StandardKey::QuotaAttainment) => format!("Quotenerreichung: {} von {}", pct(actual), pct(required)),
        (Lang::Es, StandardKey::QuotaAttainment) => {
            format!("cumplimiento de cuota: {} de {}", pct(actual), pct(required))
        }
        (Lang::En, StandardKey::EstimatesPerProductLine) => {
            format!("estimates for {line}: {} of {}", num(actual), num(required))
        }
        (Lang::De, StandardKey::EstimatesPerProductLine) => {
            format!("Kostenvoranschläge für {line}: {} von {}", num(actual), num(required))
        }
        (Lang::Es, StandardKey::EstimatesPerProductLine) => {
            format!("presupuestos de {line}: {} de {}", num(actual), num(required))
        }
        (Lang::En, StandardKey::LeadFollowUp) => {
            format!("company leads touched within 48 hours: {} of {}", pct(actual), pct(required))
        }
        (Lang::De, StandardKey::LeadFollowUp) => {
            format!("Firmen-Leads binnen 48 Stunden bearbeitet: {} von {}", pct(actual), pct(required))
        }
        (Lang::Es, StandardKey::LeadFollowUp) => {
            format!("leads de empresa atendidos en 48 horas: {} de {}", pct(actual), pct(required))
        }
        (Lang::En, StandardKey::ContactCompleteness) => {
            format!("complete contacts: {} of {}", pct(actual), pct(required))
        }
        (Lang::De, StandardKey::ContactCompleteness) => {
            format!("vollständige Kontakte: {} von {}", pct(actual), pct(required))
        }
        (Lang::Es, StandardKey::ContactCompleteness) => {
            format!("contactos completos: {} de {}", pct(actual), pct(required))
        }
        (Lang::En, StandardKey::CrmCurrency) => {
            format!("stale or past-due open opportunities: {} (allowed {})", num(actual), num(required))
        }
        (Lang::De, StandardKey::CrmCurrency) => {
            format!("veraltete oder überfällige offene Chancen: {} (erlaubt {})", num(actual), num(required))
        }
        (Lang::Es, StandardKey::CrmCurrency) => {
            format!("oportunidades abiertas inactivas o vencidas: {} (permitidas {})", num(actual), num(required))
        }
        (Lang::En, StandardKey::MeetingsAndEvents) => {
            format!("sales meetings and events attended: {} of {}", num(actual), num(required))
        }
        (Lang::De, StandardKey::MeetingsAndEvents) => {
            format!("besuchte Vertriebsmeetings und Veranstaltungen: {} von {}", num(actual), num(required))
        }
        (Lang::Es, StandardKey::MeetingsAndEvents) => {
            format!("reuniones de ventas y eventos: {} de {}", num(actual), num(required))
        }
        (Lang::En, StandardKey::CustomerSatisfaction) => {
            format!("customer satisfaction: {} of {}", num(actual), num(required))
        }
        (Lang::De, StandardKey::CustomerSatisfaction) => {
            format!("Kundenzufriedenheit: {} von {}", num(actual), num(required))
        }
        (Lang::Es, StandardKey::CustomerSatisfaction) => {
            format!("satisfacción del cliente: {} de {}", num(actual), num(required))
        }
    }
}
