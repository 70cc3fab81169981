use super::{Diagnosis, text};
use crate::diagnostics::FlagKind;

pub(super) fn diagnosis(kind: FlagKind) -> Diagnosis {
    match kind {
        FlagKind::FirstAppointmentToNextStepLow => text(
            "First appointment → next step below threshold",
            &[
                "the purpose of the next step is not defined",
                "the first call is not at the top",
                "the product is being sold on the first appointment",
            ],
            &[
                "define the next step (demo, site visit, trial, evaluation …) with business rules and measure it",
                "start with the financial authority who can make the call",
                "on the first appointment, outline the diagnostic steps and test the fit with the customer's business goals instead of selling",
            ],
        ),
        FlagKind::FirstAppointmentToProposalLow => text(
            "First appointment → proposal below threshold",
            &[
                "calling below the highest appropriate level of contact",
                "targeting companies that don't need the offering",
                "the first appointment has no defined purpose",
                "a weak message",
                "selling the service instead of the diagnostic process and third-party validation",
            ],
            &[
                "map the decision level in the account and sell top-down",
                "tighten targeting",
                "define and measure the first appointment's purpose",
            ],
        ),
        FlagKind::ClosingRatioLow => text(
            "Closing ratio below threshold",
            &[
                "the decision process and criteria are unknown",
                "no date for the next meeting",
                "decision makers missing from the meetings",
            ],
            &[
                "ask about the decision process, criteria and players",
                "set the date of the second appointment before leaving the first",
                "bring every decision maker to the next appointment",
                "list each player's risk factors with a strategy",
                "use references from the customer's industry",
            ],
        ),
        FlagKind::BarometerLow => text(
            "Activity barometer below 100%",
            &["too few conversations turn into appointments"],
            &[
                "make conversation → appointment a trained and measured skill",
                "sell business reasons to meet, not the product",
            ],
        ),
        FlagKind::RevenuePerSaleBelowPeers => text(
            "Average revenue per sale well below peers: leaving money on the table",
            &["money left on the table"],
            &["review discounting, deal scope and product-line mix against the peers", "call higher in the account"],
        ),
        FlagKind::CycleShorterThanPeers => text(
            "Sales cycle much shorter than peers: a best practice",
            &["a best practice"],
            &["share how this rep runs the cycle with the team"],
        ),
        FlagKind::BehindPlan => text(
            "Attainment below the pro-rated quota",
            &["behind plan"],
            &["compare pipeline coverage and the magic number", "raise weekly activity goals"],
        ),
    }
}
