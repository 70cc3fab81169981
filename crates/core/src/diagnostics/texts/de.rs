use super::{Diagnosis, text};
use crate::diagnostics::FlagKind;

pub(super) fn diagnosis(kind: FlagKind) -> Diagnosis {
    match kind {
        FlagKind::FirstAppointmentToNextStepLow => text(
            "Erstgespräch → nächster Schritt unter dem Schwellenwert",
            &[
                "der Zweck des nächsten Schritts ist nicht festgelegt",
                "das erste Gespräch findet nicht auf der obersten Ebene statt",
                "das Produkt wird schon im Erstgespräch verkauft",
            ],
            &[
                "den nächsten Schritt (Vorführung, Besuch vor Ort, Test, Evaluierung …) mit Geschäftsregeln festlegen und messen",
                "mit der finanziell verantwortlichen Person beginnen, die entscheiden kann",
                "im Erstgespräch die Analyseschritte skizzieren und die Passung zu den Geschäftszielen des Kunden prüfen, statt zu verkaufen",
            ],
        ),
        FlagKind::FirstAppointmentToProposalLow => text(
            "Erstgespräch → Angebot unter dem Schwellenwert",
            &[
                "Ansprache unterhalb der höchsten geeigneten Kontaktebene",
                "Zielunternehmen, die das Angebot nicht brauchen",
                "das Erstgespräch hat keinen festgelegten Zweck",
                "eine schwache Botschaft",
                "Verkauf der Leistung statt des Analyseprozesses und unabhängiger Bestätigung",
            ],
            &[
                "die Entscheidungsebene im Kunden erfassen und von oben nach unten verkaufen",
                "die Zielgruppe schärfen",
                "den Zweck des Erstgesprächs festlegen und messen",
            ],
        ),
        FlagKind::ClosingRatioLow => text(
            "Abschlussquote unter dem Schwellenwert",
            &[
                "Entscheidungsprozess und -kriterien sind unbekannt",
                "kein Termin für das nächste Treffen",
                "Entscheider fehlen in den Gesprächen",
            ],
            &[
                "nach Entscheidungsprozess, Kriterien und Beteiligten fragen",
                "den Termin des zweiten Gesprächs vereinbaren, bevor man das erste verlässt",
                "alle Entscheider zum nächsten Termin holen",
                "für jeden Beteiligten die Risikofaktoren mit einer Strategie auflisten",
                "Referenzen aus der Branche des Kunden nutzen",
            ],
        ),
        FlagKind::BarometerLow => text(
            "Aktivitätsbarometer unter 100 %",
            &["zu wenige Gespräche führen zu Terminen"],
            &[
                "Gespräch → Termin als trainierte und gemessene Fähigkeit behandeln",
                "geschäftliche Gründe für ein Treffen verkaufen, nicht das Produkt",
            ],
        ),
        FlagKind::RevenuePerSaleBelowPeers => text(
            "Durchschnittsumsatz pro Abschluss weit unter dem der Kollegen: Geld bleibt liegen",
            &["Geld bleibt auf dem Tisch liegen"],
            &[
                "Rabatte, Auftragsumfang und Produktlinien-Mix mit den Kollegen vergleichen",
                "höher im Kundenunternehmen ansetzen",
            ],
        ),
        FlagKind::CycleShorterThanPeers => text(
            "Verkaufszyklus deutlich kürzer als bei den Kollegen: ein Vorbild",
            &["ein bewährtes Vorgehen"],
            &["mit dem Team teilen, wie dieser Verkäufer den Zyklus führt"],
        ),
        FlagKind::BehindPlan => text(
            "Zielerreichung unter der anteiligen Quote",
            &["hinter dem Plan"],
            &["Pipeline-Abdeckung und magische Zahl vergleichen", "die wöchentlichen Aktivitätsziele erhöhen"],
        ),
    }
}
