//! The stage mapping: a CRM's stage names onto the organisation's pipeline stages.
//!
//! The first import proposes a mapping from what the export tells of each stage — its name in
//! any of the languages sales teams use, whether it is closed and won, its probability — and
//! writes it as `stages.toml` for review; later imports read the edited file. A stage that
//! nothing places is left unplaced and reported, never guessed.
//!
//! The file is a small TOML table, one line per CRM stage:
//!
//! ```toml
//! [stages]
//! "Prospecting" = "prospect"
//! "Value Proposition" = "gateway:demo"   # a gateway stage names its gateway type
//! "Firmas" = ""                          # not placed: fill in a stage
//! ```

use crate::bundle::Problem;
use crate::orgs::PipelineKeys;
use quotient_core::model::{Milestone, StageOutcome};
use std::fmt::Write as _;

/// A stage as found in an export.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VendorStage {
    pub name: String,
    /// Position in the CRM's own pipeline, when the export has it.
    pub sort_order: Option<i64>,
    /// Win probability in percent, when the export has it.
    pub probability: Option<u32>,
    /// Closed (won or lost), when the export says.
    pub closed: Option<bool>,
    /// Won, when the export says.
    pub won: Option<bool>,
}

/// Where a CRM stage goes in Quotient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The organisation's stage key.
    pub stage: String,
    /// The gateway type, for a stage that is the gateway.
    pub gateway_type: Option<String>,
}

/// One line of the mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageRule {
    pub vendor: String,
    /// `None`: not placed.
    pub target: Option<Target>,
    /// Why it was proposed so (a comment in the file); empty for a line read from a file.
    pub why: String,
}

/// A CRM's stages mapped onto the organisation's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StageMapping {
    pub rules: Vec<StageRule>,
}

/// The file a mapping is written to beside the export.
pub const FILE_NAME: &str = "stages.toml";

impl StageMapping {
    /// Proposes a target for each stage found, from its name, then its closed/won flags, then its
    /// probability. Stages are kept in the CRM's order.
    pub fn propose(found: &[VendorStage], pipeline: &PipelineKeys) -> StageMapping {
        let mut found: Vec<&VendorStage> = found.iter().collect();
        found.sort_by_key(|s| (s.sort_order.unwrap_or(i64::MAX), s.probability.map(|p| p as i64)));
        let mut mapping = StageMapping::default();
        for stage in found {
            if mapping.rule(&stage.name).is_none() {
                mapping.rules.push(propose_one(stage, pipeline));
            }
        }
        mapping
    }

    /// Adds a proposal for every stage found that the mapping lacks (a stage created in the CRM
    /// since the file was written); returns their names.
    pub fn add_missing(&mut self, found: &[VendorStage], pipeline: &PipelineKeys) -> Vec<String> {
        let mut added = Vec::new();
        for stage in found {
            if self.rule(&stage.name).is_none() {
                self.rules.push(propose_one(stage, pipeline));
                added.push(stage.name.clone());
            }
        }
        added
    }

    /// The rule of a CRM stage (names compare without case or surrounding spaces).
    pub fn rule(&self, vendor: &str) -> Option<&StageRule> {
        let vendor = vendor.trim();
        self.rules.iter().find(|r| r.vendor.eq_ignore_ascii_case(vendor))
    }

    pub fn target(&self, vendor: &str) -> Option<&Target> {
        self.rule(vendor).and_then(|r| r.target.as_ref())
    }

    /// The CRM stages not placed.
    pub fn unplaced(&self) -> Vec<&str> {
        self.rules.iter().filter(|r| r.target.is_none()).map(|r| r.vendor.as_str()).collect()
    }

    /// The targets that are not stages (or gateway types) of the organisation, as problems of
    /// `file`.
    pub fn check(&self, pipeline: &PipelineKeys, file: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        for rule in &self.rules {
            let Some(target) = &rule.target else { continue };
            let message = if !pipeline.stages.iter().any(|s| s.key == target.stage) {
                format!(
                    "'{}' is not a stage of this organisation: use one of {}",
                    target.stage,
                    pipeline.stages.iter().map(|s| s.key.as_str()).collect::<Vec<_>>().join(", ")
                )
            } else if let Some(kind) = target.gateway_type.as_ref().filter(|k| !pipeline.gateway_types.contains(k)) {
                format!(
                    "'{kind}' is not a gateway type of this organisation: use one of {}",
                    pipeline.gateway_types.join(", ")
                )
            } else {
                continue;
            };
            problems.push(Problem {
                file: file.to_string(),
                line: 0,
                column: None,
                field: Some(rule.vendor.clone()),
                message,
            });
        }
        problems
    }

    /// The mapping as `stages.toml`, with the organisation's stages and gateway types listed in a
    /// comment.
    pub fn to_toml(&self, source: &str, pipeline: &PipelineKeys) -> String {
        let mut out = String::new();
        let stages: Vec<&str> = pipeline.stages.iter().map(|s| s.key.as_str()).collect();
        let _ = writeln!(out, "# {source} stage = Quotient stage. Edit the right-hand sides and run the import again.");
        let _ = writeln!(out, "# Quotient stages: {}", stages.join(", "));
        let _ = writeln!(
            out,
            "# A gateway stage names its type after a colon, e.g. \"gateway:demo\"; types: {}",
            pipeline.gateway_types.join(", ")
        );
        let _ = writeln!(out, "# \"\" means not placed: the import stops until every stage is placed.");
        let _ = writeln!(out, "[stages]");
        for rule in &self.rules {
            let target = rule.target.as_ref().map_or_else(String::new, |t| match &t.gateway_type {
                Some(kind) => format!("{}:{kind}", t.stage),
                None => t.stage.clone(),
            });
            let _ = write!(out, "{} = {}", quote(&rule.vendor), quote(&target));
            if !rule.why.is_empty() {
                let _ = write!(out, "  # {}", rule.why);
            }
            out.push('\n');
        }
        out
    }

    /// Reads a mapping written by [`StageMapping::to_toml`] (and edited by hand): a `[stages]`
    /// table of quoted or bare keys and quoted values, comments, blank lines. Every line that
    /// cannot be read is a problem of `file` with its line and column.
    pub fn parse(text: &str, file: &str) -> Result<StageMapping, Vec<Problem>> {
        let mut mapping = StageMapping::default();
        let mut problems = Vec::new();
        let mut table: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let line = index as u64 + 1;
            let problem = |column: usize, message: String| Problem {
                file: file.to_string(),
                line,
                column: Some(column),
                field: None,
                message,
            };
            let content = strip_comment(raw);
            let trimmed = content.trim();
            if trimmed.is_empty() {
                continue;
            }
            if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                table = Some(name.trim().to_string());
                continue;
            }
            if table.as_deref() != Some("stages") {
                problems
                    .push(problem(1, "only a [stages] table is read: put the stage lines under [stages]".to_string()));
                continue;
            }
            let indent = content.len() - content.trim_start().len();
            let (key, rest) = match read_key(trimmed) {
                Ok(found) => found,
                Err(message) => {
                    problems.push(problem(indent + 1, message));
                    continue;
                }
            };
            let after_key = indent + trimmed.len() - rest.len();
            let Some(value_text) = rest.trim_start().strip_prefix('=') else {
                problems.push(problem(after_key + 1, "expected '=' after the stage name".to_string()));
                continue;
            };
            let value_column = indent + trimmed.len() - value_text.trim_start().len() + 1;
            let value = match read_string(value_text.trim()) {
                Ok((value, "")) => value,
                Ok(_) => {
                    problems.push(problem(
                        value_column,
                        "unexpected text after the value: put a comment after '#'".to_string(),
                    ));
                    continue;
                }
                Err(message) => {
                    problems.push(problem(value_column, message));
                    continue;
                }
            };
            if mapping.rule(&key).is_some() {
                problems.push(problem(indent + 1, format!("'{key}' is mapped twice: keep one line")));
                continue;
            }
            let target = match value.trim() {
                "" => None,
                value => {
                    let (stage, kind) = match value.split_once(':') {
                        Some((stage, kind)) => (stage.trim(), Some(kind.trim().to_string())),
                        None => (value, None),
                    };
                    Some(Target { stage: stage.to_string(), gateway_type: kind.filter(|k| !k.is_empty()) })
                }
            };
            mapping.rules.push(StageRule { vendor: key, target, why: String::new() });
        }
        if problems.is_empty() { Ok(mapping) } else { Err(problems) }
    }
}

/// `text` as a TOML basic string.
pub(super) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The line without a `#` comment (a `#` inside quotes is text).
fn strip_comment(line: &str) -> &str {
    let (mut quoted, mut escaped) = (false, false);
    for (at, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..at],
            _ => {}
        }
    }
    line
}

/// A quoted or bare key at the start of `text`, and the rest.
fn read_key(text: &str) -> Result<(String, &str), String> {
    if text.starts_with('"') {
        return read_string(text);
    }
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(text.len());
    if end == 0 {
        return Err("a stage name must be quoted: \"Stage name\" = \"quotient_stage\"".to_string());
    }
    Ok((text[..end].to_string(), &text[end..]))
}

/// A basic TOML string at the start of `text` (escapes `\"`, `\\`, `\t`, `\n`, `\uXXXX`), and the
/// rest after it.
fn read_string(text: &str) -> Result<(String, &str), String> {
    let Some(body) = text.strip_prefix('"') else {
        return Err("expected a quoted text: \"…\"".to_string());
    };
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((out, body[at + 1..].trim())),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(c) => out.push(c),
                        None => return Err(format!("'\\u{hex}' is not a character")),
                    }
                }
                other => return Err(format!("unknown escape '\\{}'", other.map_or(String::new(), String::from))),
            },
            c => out.push(c),
        }
    }
    Err("the quote is not closed: end the text with '\"'".to_string())
}

/// A stage of the default pipeline a CRM stage name points to, by keyword: each list holds the
/// words (lower case, without accents) stage names use in English, German, Spanish, French,
/// Portuguese, Italian and Dutch. Earlier entries win: "Closed Won" is won before it is closed.
const KEYWORDS: &[(&str, &[&str])] = &[
    (
        "won",
        &["won", "ganad", "gewonnen", "gagne", "vinto", "ganho", "gewonnen", "signed", "firmado", "unterschrieben"],
    ),
    ("lost", &["lost", "perdid", "verloren", "perdu", "perso", "no ganad", "cancel", "rejected", "rechaz"]),
    (
        "negotiation",
        &[
            "negotia",
            "negocia",
            "verhandl",
            "negoci",
            "contract",
            "contrato",
            "vertrag",
            "firma",
            "review",
            "closing",
            "cierre",
            "abschluss",
            "onderhandel",
        ],
    ),
    (
        "proposal",
        &[
            "proposal",
            "propuesta",
            "quote",
            "cotiza",
            "angebot",
            "offer",
            "oferta",
            "presupuesto",
            "devis",
            "proposta",
            "offerte",
            "preventivo",
            "price",
        ],
    ),
    (
        "gateway",
        &[
            "demo",
            "trial",
            "prueba",
            "test",
            "evaluat",
            "evalua",
            "bewert",
            "visit",
            "visita",
            "besichtig",
            "tour",
            "value proposition",
            "perception",
            "investigat",
            "presenta",
            "prasentation",
            "proof",
            "poc",
            "pilot",
        ],
    ),
    (
        "first_appointment",
        &[
            "appointment",
            "meeting",
            "termin",
            "cita",
            "reunion",
            "rendez",
            "erstgesprach",
            "needs analysis",
            "bedarfs",
            "discovery",
            "descubr",
            "decision makers",
            "entrevista",
            "afspraak",
        ],
    ),
    ("qualified", &["qualif", "calific", "cualific", "interes", "interest", "potential", "potencial", "chance"]),
    (
        "prospect",
        &[
            "prospect", "lead", "new", "nuevo", "neu", "nouveau", "contact", "kontakt", "cold", "identif", "akquise",
            "sospech", "suspect",
        ],
    ),
];

/// The gateway type a gateway stage's name tells, by keyword.
const GATEWAY_KEYWORDS: &[(&str, &[&str])] = &[
    ("demo", &["demo", "presenta", "prasentation"]),
    ("trial", &["trial", "prueba", "test", "pilot", "proof", "poc"]),
    ("site_visit", &["visit", "visita", "besichtig"]),
    ("tour", &["tour"]),
    ("investigation", &["investigat", "analys", "analis", "perception", "value proposition"]),
    ("evaluation", &["evaluat", "evalua", "bewert"]),
];

/// Lower case, accents dropped, for keyword matching.
fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'ß' => 's',
            c => c,
        })
        .collect()
}

fn keyword_of<'k>(name: &str, table: &'k [(&'k str, &'k [&'k str])]) -> Option<(&'k str, &'k str)> {
    let name = fold(name);
    table.iter().find_map(|(key, words)| words.iter().find(|w| name.contains(**w)).map(|w| (*key, *w)))
}

/// The default stage a probability in percent falls in, by the default probabilities.
fn by_probability(percent: u32) -> &'static str {
    match percent {
        0..=7 => "prospect",
        8..=15 => "qualified",
        16..=30 => "first_appointment",
        31..=50 => "gateway",
        51..=70 => "proposal",
        _ => "negotiation",
    }
}

fn propose_one(stage: &VendorStage, pipeline: &PipelineKeys) -> StageRule {
    let (default_key, why) = match (stage.won, stage.closed) {
        (Some(true), _) => ("won", "closed and won in the export".to_string()),
        (Some(false), Some(true)) => ("lost", "closed and not won in the export".to_string()),
        _ => match keyword_of(&stage.name, KEYWORDS) {
            Some((key, word)) if stage.closed != Some(false) || !matches!(key, "won" | "lost") => {
                (key, format!("the name says '{word}'"))
            }
            _ => match stage.probability {
                Some(percent) if percent < 100 && stage.closed != Some(true) => {
                    (by_probability(percent), format!("placed by its probability {percent}%: check it"))
                }
                _ => {
                    return StageRule {
                        vendor: stage.name.clone(),
                        target: None,
                        why: "NOT PLACED: neither its name nor its probability tells where it goes".to_string(),
                    };
                }
            },
        },
    };
    let Some(stage_key) = organisation_stage(default_key, pipeline) else {
        return StageRule {
            vendor: stage.name.clone(),
            target: None,
            why: format!("NOT PLACED: looks like '{default_key}', which this organisation's pipeline lacks"),
        };
    };
    let gateway_type = is_gateway(&stage_key, pipeline).then(|| {
        keyword_of(&stage.name, GATEWAY_KEYWORDS)
            .map(|(kind, _)| kind.to_string())
            .filter(|kind| pipeline.gateway_types.contains(kind))
            .or_else(|| pipeline.gateway_types.first().cloned())
    });
    StageRule {
        vendor: stage.name.clone(),
        target: Some(Target { stage: stage_key, gateway_type: gateway_type.flatten() }),
        why,
    }
}

/// The organisation's stage for a default stage key: the same key, else the stage setting the
/// same milestone, else the first with the same outcome for won and lost.
fn organisation_stage(default_key: &str, pipeline: &PipelineKeys) -> Option<String> {
    if let Some(stage) = pipeline.stages.iter().find(|s| s.key == default_key) {
        return Some(stage.key.clone());
    }
    let wanted: Option<Milestone> = default_key.parse().ok();
    let outcome: Option<StageOutcome> = default_key.parse().ok();
    pipeline
        .stages
        .iter()
        .find(|s| {
            (wanted.is_some() && s.milestone == wanted)
                || matches!(outcome, Some(o) if o != StageOutcome::Open && s.outcome == o)
        })
        .map(|s| s.key.clone())
}

fn is_gateway(stage: &str, pipeline: &PipelineKeys) -> bool {
    pipeline.stages.iter().any(|s| s.key == stage && s.milestone == Some(Milestone::Gateway))
}

/// What a mapped stage means for an opportunity's milestones: its place among the open stages.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The organisation's stage key.
    pub stage: String,
    pub outcome: StageOutcome,
    /// Position in the pipeline (open stages only matter for milestones).
    pub position: usize,
    pub gateway_type: Option<String>,
}

/// The mapping resolved against the pipeline, for the conversion: CRM stage → [`Resolved`], and
/// the position of each milestone's stage.
pub struct Resolver {
    by_name: std::collections::HashMap<String, Resolved>,
    milestones: [Option<usize>; 3],
}

impl Resolver {
    pub fn new(mapping: &StageMapping, pipeline: &PipelineKeys) -> Resolver {
        let mut by_name = std::collections::HashMap::new();
        for rule in &mapping.rules {
            let Some(target) = &rule.target else { continue };
            let Some(position) = pipeline.stages.iter().position(|s| s.key == target.stage) else { continue };
            let resolved = Resolved {
                stage: target.stage.clone(),
                outcome: pipeline.stages[position].outcome,
                position,
                gateway_type: target.gateway_type.clone(),
            };
            by_name.insert(rule.vendor.trim().to_lowercase(), resolved);
        }
        let at = |m: Milestone| pipeline.stages.iter().position(|s| s.milestone == Some(m));
        Resolver {
            by_name,
            milestones: [at(Milestone::FirstAppointment), at(Milestone::Gateway), at(Milestone::Proposal)],
        }
    }

    pub fn get(&self, vendor: &str) -> Option<&Resolved> {
        self.by_name.get(&vendor.trim().to_lowercase())
    }

    /// The milestones (first appointment, gateway, proposal) an open stage counts as having
    /// reached: those whose stage is at its position or before. A closed stage reaches none.
    pub fn reached(&self, resolved: &Resolved) -> [bool; 3] {
        let open = resolved.outcome == StageOutcome::Open;
        self.milestones.map(|m| open && m.is_some_and(|position| position <= resolved.position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgs::StageKey;
    use quotient_core::model::{DEFAULT_GATEWAY_TYPES, DEFAULT_STAGES};

    fn default_pipeline() -> PipelineKeys {
        PipelineKeys {
            stages: DEFAULT_STAGES
                .iter()
                .map(|s| StageKey { key: s.key.to_string(), outcome: s.outcome, milestone: s.milestone })
                .collect(),
            gateway_types: DEFAULT_GATEWAY_TYPES.iter().map(|(k, _)| k.to_string()).collect(),
        }
    }

    fn stage(name: &str, probability: Option<u32>, closed: Option<bool>, won: Option<bool>) -> VendorStage {
        VendorStage { name: name.to_string(), sort_order: None, probability, closed, won }
    }

    fn target_of(mapping: &StageMapping, name: &str) -> Option<String> {
        mapping.target(name).map(|t| match &t.gateway_type {
            Some(kind) => format!("{}:{kind}", t.stage),
            None => t.stage.clone(),
        })
    }

    #[test]
    fn proposes_from_names_in_several_languages_flags_and_probabilities() {
        let pipeline = default_pipeline();
        let found = [
            stage("Prospecting", Some(10), Some(false), Some(false)),
            stage("Interés", None, None, None),
            stage("Demo programada", None, None, None),
            stage("Negociación", None, None, None),
            stage("Firmas", None, None, None),
            stage("Closed Won", Some(100), Some(true), Some(true)),
            stage("Abgesagt", Some(0), Some(true), Some(false)),
            stage("Stufe 3", Some(60), Some(false), Some(false)),
            stage("Zzz", None, None, None),
        ];
        let mapping = StageMapping::propose(&found, &pipeline);
        assert_eq!(target_of(&mapping, "Prospecting").as_deref(), Some("prospect"));
        assert_eq!(target_of(&mapping, "Interés").as_deref(), Some("qualified"));
        assert_eq!(target_of(&mapping, "Demo programada").as_deref(), Some("gateway:demo"));
        assert_eq!(target_of(&mapping, "Negociación").as_deref(), Some("negotiation"));
        assert_eq!(target_of(&mapping, "Firmas").as_deref(), Some("negotiation"));
        assert_eq!(target_of(&mapping, "Closed Won").as_deref(), Some("won"));
        assert_eq!(target_of(&mapping, "Abgesagt").as_deref(), Some("lost"));
        // 60 % falls between the default proposal (60 %) bounds 51–70.
        assert_eq!(target_of(&mapping, "Stufe 3").as_deref(), Some("proposal"));
        assert_eq!(mapping.unplaced(), vec!["Zzz"]);
    }

    #[test]
    fn writes_and_reads_back_the_same_mapping() {
        let pipeline = default_pipeline();
        let found = [stage("Value Proposition \"VP\"", None, None, None), stage("Zzz", None, None, None)];
        let mapping = StageMapping::propose(&found, &pipeline);
        let text = mapping.to_toml("Salesforce", &pipeline);
        let read = StageMapping::parse(&text, "stages.toml").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(target_of(&read, "Value Proposition \"VP\"").as_deref(), Some("gateway:investigation"));
        assert_eq!(read.unplaced(), vec!["Zzz"]);
    }

    #[test]
    fn locates_what_it_cannot_read() {
        let text = "[stages]\n\"A\" = \"won\"\n\"B\" \"lost\"\n\"C\" = \"open\n\"A\" = \"lost\"\n";
        let problems = StageMapping::parse(text, "stages.toml").err().unwrap_or_else(|| panic!("problems expected"));
        let places: Vec<(u64, Option<usize>)> = problems.iter().map(|p| (p.line, p.column)).collect();
        // Line 3 lacks '=' after `"B"` (column 5); line 4's value opens at column 7; line 5 repeats A.
        assert_eq!(places, vec![(3, Some(5)), (4, Some(7)), (5, Some(1))]);
    }

    #[test]
    fn refuses_targets_the_organisation_lacks() {
        let pipeline = default_pipeline();
        let mapping = StageMapping::parse("[stages]\n\"A\" = \"closing\"\n\"B\" = \"gateway:zoom\"\n", "stages.toml")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(mapping.check(&pipeline, "stages.toml").len(), 2);
    }

    #[test]
    fn open_stages_reach_the_milestones_up_to_their_position() {
        let pipeline = default_pipeline();
        let mapping = StageMapping::parse(
            "[stages]\n\"P\" = \"proposal\"\n\"W\" = \"won\"\n\"F\" = \"first_appointment\"\n",
            "x",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let resolver = Resolver::new(&mapping, &pipeline);
        assert_eq!(resolver.reached(resolver.get("p").unwrap_or_else(|| panic!("mapped"))), [true, true, true]);
        assert_eq!(resolver.reached(resolver.get("F").unwrap_or_else(|| panic!("mapped"))), [true, false, false]);
        assert_eq!(resolver.reached(resolver.get("W").unwrap_or_else(|| panic!("mapped"))), [false, false, false]);
    }
}
