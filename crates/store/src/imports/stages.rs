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

use super::CrmImportError;
use super::conversion::invalid;
use crate::bundle::Problem;
use crate::error::StoreError;
use crate::orgs::PipelineKeys;
use quotient_core::model::{Milestone, StageOutcome};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use toml::Spanned;

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

/// The stage mapping an import uses, and whether it was proposed (and written) by this run.
#[derive(Debug, Clone)]
pub struct PreparedStages {
    pub mapping: StageMapping,
    pub path: PathBuf,
    /// The file as written when this run proposed it (or added stages to it), for the user to
    /// review.
    pub written: Option<String>,
}

/// Reads the mapping file at `path`, adding proposals for the `found` stages it lacks (below its
/// own lines and comments), or proposes a new one for the CRM named `source`; writes the file when
/// it proposed anything. Targets the organisation lacks are problems with the file's line.
pub fn prepare(
    found: &[VendorStage],
    path: &Path,
    source: &str,
    pipeline: &PipelineKeys,
) -> Result<PreparedStages, CrmImportError> {
    let file_name = path.display().to_string();
    let (mapping, written) = if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| StoreError::io(path, e))?;
        let mut mapping = StageMapping::parse(&text, &file_name).map_err(invalid)?;
        let before = mapping.rules.len();
        mapping.add_missing(found, pipeline);
        let added: Vec<&StageRule> = mapping.rules[before..].iter().collect();
        let written = (!added.is_empty())
            .then(|| StageMapping::append_to(&text, &added).unwrap_or_else(|| mapping.to_toml(source, pipeline)));
        (mapping, written)
    } else {
        let mapping = StageMapping::propose(found, pipeline);
        let text = mapping.to_toml(source, pipeline);
        (mapping, Some(text))
    };
    let problems = mapping.check(pipeline, &file_name);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    if let Some(text) = &written {
        std::fs::write(path, text).map_err(|e| StoreError::io(path, e))?;
    }
    Ok(PreparedStages { mapping, path: path.to_path_buf(), written })
}

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
            rule_line(&mut out, rule);
        }
        out
    }

    /// Reads a mapping written by [`StageMapping::to_toml`] (and edited by hand) with the `toml`
    /// crate: a `[stages]` table of `"CRM stage" = "quotient_stage"` lines, in the file's order.
    /// Every line TOML cannot read, a value that is not a text, another table and a stage named
    /// twice are problems of `file` with their line and column.
    pub fn parse(text: &str, file: &str) -> Result<StageMapping, Vec<Problem>> {
        let at = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, column) = span.map_or((0, None), |span| {
                let (line, column) = line_column(text, span.start);
                (line, Some(column))
            });
            Problem { file: file.to_string(), line, column, field: None, message }
        };
        let toml_problem = |error: &toml::de::Error| {
            at(
                error.span(),
                format!(
                    "{}: the file is one [stages] table of \"CRM stage\" = \"quotient_stage\" lines",
                    error.message().trim()
                ),
            )
        };
        // Syntax first, every mistake at once; then the shape, which serde tells one at a time.
        let (_, errors) = toml::de::DeTable::parse_recoverable(text);
        if !errors.is_empty() {
            return Err(errors.iter().map(toml_problem).collect());
        }
        let read: StagesFile = toml::from_str(text).map_err(|e| vec![toml_problem(&e)])?;
        let mut lines: Vec<(Spanned<String>, Spanned<String>)> = read.stages.into_iter().collect();
        lines.sort_by_key(|(key, _)| key.span().start);
        let mut mapping = StageMapping::default();
        let mut problems = Vec::new();
        for (key, value) in lines {
            if mapping.rule(key.get_ref()).is_some() {
                problems.push(at(Some(key.span()), format!("'{}' is mapped twice: keep one line", key.get_ref())));
                continue;
            }
            let target = Target::parse(value.get_ref());
            mapping.rules.push(StageRule { vendor: key.into_inner(), target, why: String::new() });
        }
        if problems.is_empty() { Ok(mapping) } else { Err(problems) }
    }

    /// `existing` (the file as read) with lines for `added` rules, its own lines and comments
    /// kept; `None` when it has no `[stages]` header to add under (then the file is written anew).
    pub fn append_to(existing: &str, added: &[&StageRule]) -> Option<String> {
        let header = existing.lines().any(|line| {
            let content = line.split('#').next().unwrap_or_default().trim();
            content.starts_with('[')
                && !content.starts_with("[[")
                && content.trim_matches(['[', ']']).trim() == "stages"
        });
        if !header {
            return None;
        }
        let mut out = existing.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        for rule in added {
            rule_line(&mut out, rule);
        }
        Some(out)
    }

    /// CRM stage → Quotient stage (`gateway:demo` for a gateway) of the placed stages, as shown
    /// in an import's summary.
    pub fn used(&self) -> Vec<(String, String)> {
        self.rules.iter().filter_map(|rule| Some((rule.vendor.clone(), rule.target.as_ref()?.to_string()))).collect()
    }
}

/// The mapping file as serde reads it: only a `[stages]` table.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StagesFile {
    #[serde(default)]
    stages: BTreeMap<Spanned<String>, Spanned<String>>,
}

impl Target {
    /// `proposal`, `gateway:demo`; `None` for an empty (not placed) one.
    fn parse(value: &str) -> Option<Target> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let (stage, kind) = match value.split_once(':') {
            Some((stage, kind)) => (stage.trim(), Some(kind.trim().to_string())),
            None => (value, None),
        };
        Some(Target { stage: stage.to_string(), gateway_type: kind.filter(|k| !k.is_empty()) })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.gateway_type {
            Some(kind) => write!(f, "{}:{kind}", self.stage),
            None => f.write_str(&self.stage),
        }
    }
}

/// One `"CRM stage" = "target"  # why` line.
fn rule_line(out: &mut String, rule: &StageRule) {
    let target = rule.target.as_ref().map_or_else(String::new, Target::to_string);
    let _ = write!(out, "{} = {}", quote(&rule.vendor), quote(&target));
    if !rule.why.is_empty() {
        let _ = write!(out, "  # {}", rule.why);
    }
    out.push('\n');
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (u64, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (before.matches('\n').count() as u64 + 1, before[line_start..].chars().count() + 1)
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
        let places = |text: &str| -> Vec<(u64, Option<usize>, String)> {
            let problems =
                StageMapping::parse(text, "stages.toml").err().unwrap_or_else(|| panic!("problems expected"));
            problems.into_iter().map(|p| (p.line, p.column, p.message)).collect()
        };
        let at = |text: &str| places(text).into_iter().map(|(line, column, _)| (line, column)).collect::<Vec<_>>();
        // Line 3 lacks '=' after `"B"` (column 5).
        assert_eq!(at("[stages]\n\"A\" = \"won\"\n\"B\" \"lost\"\n"), [(3, Some(5))]);
        // The quote opened at column 7 of line 2 is not closed by the line's end, column 12.
        assert_eq!(at("[stages]\n\"C\" = \"open\n"), [(2, Some(12))]);
        // A number where a stage is wanted: the value at column 7.
        assert_eq!(at("[stages]\n\"A\" = 3\n"), [(2, Some(7))]);
        // Names compare without case: "a" repeats "A".
        assert_eq!(at("[stages]\n\"A\" = \"won\"\n\"a\" = \"lost\"\n"), [(3, Some(1))]);
        let other = places("[stages]\n\"A\" = \"won\"\n[other]\n\"x\" = \"y\"\n");
        assert_eq!((other[0].0, other[0].1), (3, Some(2)), "{other:?}");
        assert!(other[0].2.contains("other"), "{other:?}");
    }

    #[test]
    fn stages_added_later_go_below_the_files_own_lines_and_comments() {
        let pipeline = default_pipeline();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(FILE_NAME);
        let edited = "# ours: demos are trials here\n[stages]\n\"Demo\" = \"gateway:trial\"  # agreed with sales\n";
        std::fs::write(&path, edited).unwrap_or_else(|e| panic!("{e}"));
        let found = [stage("Demo", None, None, None), stage("Propuesta", None, None, None)];
        let prepared = prepare(&found, &path, "HubSpot", &pipeline).unwrap_or_else(|e| panic!("{e}"));
        let written = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(prepared.written.as_deref(), Some(written.as_str()));
        assert!(written.starts_with(edited), "{written}");
        assert!(written.ends_with("\"Propuesta\" = \"proposal\"  # the name says 'propuesta'\n"), "{written}");
        assert_eq!(target_of(&prepared.mapping, "Demo").as_deref(), Some("gateway:trial"));
        // Nothing new: the file is left as it is.
        let again = prepare(&found, &path, "HubSpot", &pipeline).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.written, None);
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
