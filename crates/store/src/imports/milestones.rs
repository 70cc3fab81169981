//! From a deal's stage history to the method's milestones: a vendor's stage names are placed on
//! Quotient's stages by a reviewed mapping (`stages.toml`), proposed from the names the first time;
//! then the dates a deal entered its stages give its first appointment, gateway and proposal.

use crate::bundle::Problem;
use chrono::NaiveDateTime;
use std::collections::BTreeMap;
use std::path::Path;

/// Quotient's stages, in the order a deal moves through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Prospect,
    Qualified,
    FirstAppointment,
    Gateway,
    Proposal,
    Negotiation,
    Won,
    Lost,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Prospect,
        Stage::Qualified,
        Stage::FirstAppointment,
        Stage::Gateway,
        Stage::Proposal,
        Stage::Negotiation,
        Stage::Won,
        Stage::Lost,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Stage::Prospect => "prospect",
            Stage::Qualified => "qualified",
            Stage::FirstAppointment => "first_appointment",
            Stage::Gateway => "gateway",
            Stage::Proposal => "proposal",
            Stage::Negotiation => "negotiation",
            Stage::Won => "won",
            Stage::Lost => "lost",
        }
    }

    fn parse(key: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.key() == key)
    }

    fn is_open(self) -> bool {
        self < Stage::Won
    }
}

/// Where a vendor stage lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub stage: Stage,
    /// For a gateway: demo, site_visit, trial, tour, investigation or evaluation.
    pub gateway_type: Option<String>,
}

/// Words that name each stage in English, German, Spanish and French (accents dropped, lower
/// case), most specific first: "Closed Won" is won before it is anything else.
const WORDS: &[(Stage, Option<&str>, &[&str])] = &[
    (Stage::Won, None, &["won", "gewonnen", "ganad", "gagne", "cerrado ganado"]),
    (Stage::Lost, None, &["lost", "verloren", "perdid", "perdu"]),
    (Stage::Negotiation, None, &["negotia", "verhandl", "negocia", "contract", "vertrag", "contrat", "firma", "signat"]),
    (Stage::Proposal, None, &["proposal", "quote", "angebot", "propuesta", "cotiza", "proposition", "devis", "offer"]),
    (Stage::Gateway, Some("demo"), &["demo", "presentation", "prasentation", "presentacion"]),
    (Stage::Gateway, Some("trial"), &["trial", "test", "prueba", "essai"]),
    (Stage::Gateway, Some("site_visit"), &["site visit", "besuch", "visita", "visite"]),
    (Stage::Gateway, Some("evaluation"), &["evaluat", "bewertung", "evaluacion"]),
    (Stage::FirstAppointment, None, &["appointment", "meeting", "termin", "cita", "reunion", "rendez", "discovery"]),
    (Stage::Qualified, None, &["qualif", "calific", "interes", "interest"]),
    (Stage::Prospect, None, &["prospect", "lead", "new", "neu", "nuevo", "nouveau", "contact"]),
];

/// The stage a vendor stage's name suggests, if any word of it is known.
pub fn propose(name: &str) -> Option<Placement> {
    let plain: String = name.to_lowercase().chars().map(unaccent).collect();
    WORDS.iter().find(|(_, _, words)| words.iter().any(|w| plain.contains(w))).map(|(stage, gateway, _)| Placement {
        stage: *stage,
        gateway_type: gateway.map(str::to_string),
    })
}

fn unaccent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        other => other,
    }
}

/// Vendor stage (pipeline, stage name) → Quotient stage; `None` for a stage left unplaced.
#[derive(Debug, Default, Clone)]
pub struct StageMap {
    places: BTreeMap<(String, String), Option<Placement>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    stage: Vec<toml::Spanned<Entry>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    pipeline: String,
    stage: String,
    quotient: String,
    gateway_type: Option<String>,
}

pub const GATEWAY_TYPES: &[&str] = &["demo", "site_visit", "trial", "tour", "investigation", "evaluation"];

impl StageMap {
    /// Reads a reviewed `stages.toml`; each entry that names no Quotient stage is a problem at
    /// its line.
    pub fn read(path: &Path) -> Result<StageMap, Vec<Problem>> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| vec![toml_problem(&file, 0, format!("cannot be read: {e}"))])?;
        let parsed: MappingFile = toml::from_str(&text).map_err(|e| {
            let line = e.span().map_or(0, |span| line_of(&text, span.start));
            vec![toml_problem(&file, line, format!("{}: correct the file", e.message()))]
        })?;
        let mut map = StageMap::default();
        let mut problems = Vec::new();
        for spanned in parsed.stage {
            let line = line_of(&text, spanned.span().start);
            let entry = spanned.into_inner();
            let placement = match entry.quotient.trim() {
                "" => None,
                key => match Stage::parse(key) {
                    Some(stage) => {
                        let gateway_type = entry.gateway_type.filter(|t| !t.is_empty());
                        match &gateway_type {
                            Some(kind) if !GATEWAY_TYPES.contains(&kind.as_str()) => problems.push(toml_problem(
                                &file,
                                line,
                                format!("gateway_type '{kind}' is not one of {}", GATEWAY_TYPES.join(", ")),
                            )),
                            _ => {}
                        }
                        let gateway_type =
                            (stage == Stage::Gateway).then(|| gateway_type.unwrap_or_else(|| "demo".into()));
                        Some(Placement { stage, gateway_type })
                    }
                    None => {
                        problems.push(toml_problem(
                            &file,
                            line,
                            format!(
                                "quotient = '{key}' is not a Quotient stage: write one of {} or \"\"",
                                Stage::ALL.map(Stage::key).join(", ")
                            ),
                        ));
                        None
                    }
                },
            };
            map.places.insert((entry.pipeline, entry.stage), placement);
        }
        if problems.is_empty() { Ok(map) } else { Err(problems) }
    }

    /// Adds a stage seen in the export, proposed from its name when the map does not know it yet.
    pub fn see(&mut self, pipeline: &str, stage: &str) {
        self.places.entry((pipeline.to_string(), stage.to_string())).or_insert_with(|| propose(stage));
    }

    pub fn place(&self, pipeline: &str, stage: &str) -> Option<&Placement> {
        self.places.get(&(pipeline.to_string(), stage.to_string())).and_then(Option::as_ref)
    }

    /// The stages seen that no Quotient stage was given for: `pipeline / stage`.
    pub fn unplaced(&self) -> Vec<String> {
        self.places.iter().filter(|(_, p)| p.is_none()).map(|((pipeline, stage), _)| label(pipeline, stage)).collect()
    }

    /// Every vendor stage with where it lands, for the summary.
    pub fn entries(&self) -> impl Iterator<Item = (String, Option<&Placement>)> {
        self.places.iter().map(|((pipeline, stage), p)| (label(pipeline, stage), p.as_ref()))
    }

    /// The mapping as `stages.toml`, with comments saying how to edit it.
    pub fn to_toml(&self, vendor: &str) -> String {
        let mut out = format!(
            "# How {vendor}'s deal stages map onto Quotient's, proposed from their names: review it, then\n\
             # import again to apply it. Quotient's stages: {}.\n\
             # A gateway names its type: {}. quotient = \"\" leaves a stage unplaced:\n\
             # its dates are not used for milestones.\n",
            Stage::ALL.map(Stage::key).join(", "),
            GATEWAY_TYPES.join(", ")
        );
        for ((pipeline, stage), placement) in &self.places {
            out.push_str(&format!("\n[[stage]]\npipeline = {}\nstage = {}\n", quoted(pipeline), quoted(stage)));
            match placement {
                Some(p) => {
                    out.push_str(&format!("quotient = \"{}\"\n", p.stage.key()));
                    if let Some(kind) = &p.gateway_type {
                        out.push_str(&format!("gateway_type = \"{kind}\"\n"));
                    }
                }
                None => out.push_str("quotient = \"\"  # not placed: name its Quotient stage\n"),
            }
        }
        out
    }
}

fn label(pipeline: &str, stage: &str) -> String {
    if pipeline.is_empty() { stage.to_string() } else { format!("{pipeline} / {stage}") }
}

/// A TOML basic string.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

fn toml_problem(file: &str, line: u64, message: String) -> Problem {
    Problem { file: file.to_string(), line, column: None, field: None, message }
}

/// The stages.toml beside an export: read when it is there, else proposed from the stages seen.
/// Returns the map and whether it was read (reviewed) rather than proposed.
pub fn load_or_propose(path: &Path, seen: &[(String, String)]) -> Result<(StageMap, bool), Vec<Problem>> {
    let (mut map, reviewed) = if path.exists() { (StageMap::read(path)?, true) } else { (StageMap::default(), false) };
    for (pipeline, stage) in seen {
        map.see(pipeline, stage);
    }
    Ok((map, reviewed))
}

/// A deal's milestones, derived from when it entered each placed stage.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Milestones {
    pub first_appointment_at: Option<NaiveDateTime>,
    pub gateway_at: Option<NaiveDateTime>,
    pub gateway_type: Option<String>,
    pub proposal_at: Option<NaiveDateTime>,
    /// The stage changes to record, in time order, ending with the outcome of a closed deal.
    pub changes: Vec<(Stage, NaiveDateTime)>,
}

/// Derives the milestones of a deal created at `created` from the `(placement, entered at)` of its
/// stages. A deal at a gateway or later has had its first appointment (the earliest such date);
/// one in negotiation has had its proposal; the gateway is dated only by a gateway stage. Dates
/// before `created` (time zones of the export) are moved to `created`. A closed deal's changes
/// end with its outcome at `closed`; an open one's leave out outcomes it was reopened from.
pub fn derive(
    created: NaiveDateTime,
    entered: &[(&Placement, NaiveDateTime)],
    closed: Option<(Stage, NaiveDateTime)>,
) -> Milestones {
    let mut entered: Vec<(&Placement, NaiveDateTime)> =
        entered.iter().map(|(p, at)| (*p, (*at).max(created))).collect();
    entered.sort_by_key(|(p, at)| (*at, p.stage));
    let earliest = |from: Stage, to: Stage| {
        entered.iter().filter(|(p, _)| p.stage >= from && p.stage <= to).map(|(_, at)| *at).min()
    };
    let gateway = entered.iter().find(|(p, _)| p.stage == Stage::Gateway);
    let mut changes: Vec<(Stage, NaiveDateTime)> = entered
        .iter()
        .filter(|(p, at)| p.stage.is_open() && closed.is_none_or(|(_, closed_at)| *at <= closed_at))
        .map(|(p, at)| (p.stage, *at))
        .collect();
    if let Some((outcome, closed_at)) = closed {
        changes.push((outcome, closed_at.max(created)));
    }
    Milestones {
        first_appointment_at: earliest(Stage::FirstAppointment, Stage::Negotiation),
        gateway_at: gateway.map(|(_, at)| *at),
        gateway_type: gateway.and_then(|(p, _)| p.gateway_type.clone()),
        proposal_at: earliest(Stage::Proposal, Stage::Negotiation),
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2024, 3, day).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("valid")
    }

    fn placed(stage: Stage) -> Placement {
        Placement { stage, gateway_type: (stage == Stage::Gateway).then(|| "demo".to_string()) }
    }

    #[test]
    fn proposes_stages_in_several_languages() {
        let stage = |name: &str| propose(name).map(|p| p.stage);
        assert_eq!(stage("Closed Won"), Some(Stage::Won));
        assert_eq!(stage("Interés"), Some(Stage::Qualified));
        assert_eq!(stage("Negociación"), Some(Stage::Negotiation));
        assert_eq!(stage("Firmas"), Some(Stage::Negotiation));
        assert_eq!(stage("Angebot erstellt"), Some(Stage::Proposal));
        assert_eq!(propose("Demo Scheduled").and_then(|p| p.gateway_type), Some("demo".into()));
        assert_eq!(stage("Decision Maker Bought-In"), None);
    }

    #[test]
    fn derives_milestones_from_entered_dates() {
        let (appointment, demo, contract) = (placed(Stage::FirstAppointment), placed(Stage::Gateway), placed(Stage::Negotiation));
        // Appointment on the 1st (before the deal's creation on the 2nd: moved to the 2nd), demo on
        // the 5th, contract on the 9th, won on the 12th.
        let milestones = derive(
            at(2),
            &[(&contract, at(9)), (&appointment, at(1)), (&demo, at(5))],
            Some((Stage::Won, at(12))),
        );
        assert_eq!(milestones.first_appointment_at, Some(at(2)));
        assert_eq!(milestones.gateway_at, Some(at(5)));
        assert_eq!(milestones.gateway_type.as_deref(), Some("demo"));
        // Negotiation implies the proposal was made: dated when negotiation began.
        assert_eq!(milestones.proposal_at, Some(at(9)));
        assert_eq!(
            milestones.changes,
            vec![
                (Stage::FirstAppointment, at(2)),
                (Stage::Gateway, at(5)),
                (Stage::Negotiation, at(9)),
                (Stage::Won, at(12))
            ]
        );
    }

    #[test]
    fn reads_a_reviewed_mapping_and_locates_mistakes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("stages.toml");
        let mut map = StageMap::default();
        map.see("Sales", "Demo Scheduled");
        map.see("Sales", "Decision Maker Bought-In");
        std::fs::write(&path, map.to_toml("HubSpot")).expect("written");
        let read = StageMap::read(&path).expect("reads back");
        assert_eq!(read.place("Sales", "Demo Scheduled").map(|p| p.stage), Some(Stage::Gateway));
        assert_eq!(read.unplaced(), vec!["Sales / Decision Maker Bought-In".to_string()]);
        std::fs::write(&path, "[[stage]]\npipeline = \"S\"\nstage = \"X\"\n\n[[stage]]\nstage = \"Y\"\nquotient = \"closing\"\n")
            .expect("written");
        let problems = StageMap::read(&path).expect_err("two mistakes");
        // The first entry lacks `quotient`: a parse error; it is reported alone, at its table.
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("quotient"), "{}", problems[0].message);
    }
}
