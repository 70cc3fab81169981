//! `quotient import --map-init FILE.csv…`: a starting mapping guessed from the files' headers (in
//! English, German, Spanish or French), their dates and amounts, with comments saying what to
//! check. Each file is given the bundle file whose columns its headers match best.

use super::CrmImportError;
use super::conversion::{invalid, read_sheets};
use super::sheet::Sheet;
use super::stages::quote;
use crate::bundle::spec::{FILES, FileSpec, Kind};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Header words for bundle columns, accents dropped and lower case, in the four languages.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "name",
            "nom",
            "nombre",
            "title",
            "titre",
            "titulo",
            "deal name",
            "opportunity name",
            "account name",
            "company name",
            "company",
            "entreprise",
            "societe",
            "empresa",
            "firma",
            "bezeichnung",
        ],
    ),
    ("email", &["email", "e mail", "courriel", "correo", "correo electronico", "mail", "email address"]),
    (
        "owner_id",
        &[
            "owner",
            "owner id",
            "proprietaire",
            "propietario",
            "inhaber",
            "besitzer",
            "responsable",
            "verantwortlich",
            "assigned to",
            "sales rep",
            "deal owner",
            "account owner",
            "vendeur",
            "vendedor",
            "verkaufer",
        ],
    ),
    (
        "rep_id",
        &[
            "owner",
            "owner id",
            "user",
            "user id",
            "assigned to",
            "proprietaire",
            "propietario",
            "utilisateur",
            "usuario",
            "benutzer",
        ],
    ),
    ("amount", &["amount", "montant", "importe", "monto", "betrag", "value", "valeur", "valor", "wert", "deal value"]),
    (
        "created_at",
        &[
            "created",
            "created at",
            "create date",
            "created date",
            "created time",
            "date de creation",
            "fecha de creacion",
            "erstellt",
            "erstellt am",
            "erstelldatum",
            "creation date",
        ],
    ),
    (
        "closed_at",
        &[
            "closed",
            "close date",
            "closed date",
            "closing date",
            "date de cloture",
            "fecha de cierre",
            "abschlussdatum",
            "geschlossen am",
            "won time",
        ],
    ),
    (
        "expected_close_on",
        &[
            "expected close",
            "expected close date",
            "date de cloture prevue",
            "fecha de cierre prevista",
            "voraussichtliches abschlussdatum",
        ],
    ),
    ("status", &["status", "statut", "estado", "state", "etat", "zustand"]),
    ("stage", &["stage", "etape", "phase", "etapa", "fase", "deal stage", "pipeline stage"]),
    ("industry", &["industry", "secteur", "industria", "sector", "branche"]),
    ("city", &["city", "ville", "ciudad", "stadt"]),
    ("country", &["country", "pays", "pais", "land"]),
    ("first_name", &["first name", "prenom", "nombre de pila", "vorname"]),
    ("last_name", &["last name", "nom de famille", "apellido", "apellidos", "nachname"]),
    ("title", &["job title", "fonction", "poste", "cargo", "position"]),
    ("phone", &["phone", "telephone", "telefono", "telefon"]),
    (
        "account_id",
        &[
            "account",
            "account id",
            "company id",
            "compte",
            "cuenta",
            "organization",
            "organisation",
            "organizacion",
            "unternehmen",
        ],
    ),
    ("manager_id", &["manager", "manager id", "reports to", "responsable hierarchique", "jefe", "vorgesetzter"]),
    ("occurred_at", &["date", "activity date", "occurred", "fecha", "datum", "date de l activite"]),
    ("type", &["type", "activity type", "tipo", "typ"]),
    ("employees", &["employees", "number of employees", "employes", "empleados", "mitarbeiter"]),
    ("annual_revenue", &["annual revenue", "chiffre d affaires", "ingresos anuales", "jahresumsatz"]),
    ("lost_reason", &["lost reason", "raison de la perte", "motivo de perdida", "verlustgrund"]),
];

/// Words an id column goes by, whatever it identifies.
const ID_WORDS: &[&str] =
    &["id", "record id", "n", "no", "n affaire", "numero", "nummer", "number", "reference", "ref"];

/// Status words in the four languages, by the bundle's key.
const STATUS_WORDS: &[(&str, &[&str])] = &[
    ("won", &["won", "closed won", "gagne", "ganado", "ganada", "gewonnen", "win"]),
    ("lost", &["lost", "closed lost", "perdu", "perdido", "perdida", "verloren"]),
    ("open", &["open", "en cours", "ouvert", "abierto", "abierta", "en curso", "offen", "in progress"]),
];

/// `Date de création` → `date de creation`.
fn normalise(header: &str) -> String {
    let plain: String = header
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'î' | 'ï' => 'i',
            'ó' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'ß' => 's',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `header` names `column` of `spec`.
fn names(spec: &FileSpec, column: usize, header: &str) -> bool {
    let column = &spec.columns[column];
    let header = normalise(header);
    if header == normalise(column.name) {
        return true;
    }
    if column.kind == Kind::Id {
        let entity = column.name.trim_end_matches("_id").replace('_', " ");
        return ID_WORDS.contains(&header.as_str()) || header == format!("{entity} id");
    }
    SYNONYMS.iter().any(|(name, words)| *name == column.name && words.contains(&header.as_str()))
}

/// For each column of `spec`, the header of `sheet` it is guessed from (each header used once).
fn matches(spec: &FileSpec, sheet: &Sheet) -> Vec<Option<usize>> {
    let mut used = BTreeSet::new();
    (0..spec.columns.len())
        .map(|column| {
            let found =
                sheet.headers().iter().enumerate().position(|(i, h)| !used.contains(&i) && names(spec, column, h));
            if let Some(i) = found {
                used.insert(i);
            }
            found
        })
        .collect()
}

/// A starting mapping for the CSV files in `paths`.
pub fn guess(paths: &[PathBuf]) -> Result<String, CrmImportError> {
    let (sheets, problems) = read_sheets(paths)?;
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    let mut tables = String::new();
    let mut dates = Vec::new();
    let mut amounts = Vec::new();
    for sheet in &sheets {
        let best =
            FILES.iter().filter(|spec| !taken.contains(spec.file)).map(|spec| (spec, matches(spec, sheet))).max_by_key(
                |(spec, found)| {
                    let id_found = spec.id_column().is_some_and(|i| found[i].is_some());
                    (found.iter().flatten().count() + usize::from(id_found), std::cmp::Reverse(spec.file))
                },
            );
        let Some((spec, found)) = best.filter(|(_, found)| found.iter().any(Option::is_some)) else {
            let _ = writeln!(
                tables,
                "\n# {}: no header names a bundle column; map it by hand (see docs/IMPORTS.md)",
                sheet.file
            );
            continue;
        };
        taken.insert(spec.file);
        let table = spec.file.trim_end_matches(".csv");
        let _ = writeln!(tables, "\n# {} ({} rows) looks like {}.", sheet.file, sheet.len(), spec.file);
        let _ = writeln!(tables, "[{table}]\nfile = {}", quote(&sheet.file));
        let _ = writeln!(tables, "[{table}.columns]");
        for (column, header) in spec.columns.iter().zip(&found) {
            match header {
                Some(i) => {
                    let _ = writeln!(tables, "{} = {}", column.name, quote(&sheet.headers()[*i]));
                    let samples =
                        sheet.rows().map(|row| row.get(Some(*i)).to_string()).filter(|v| !v.is_empty()).take(50);
                    match column.kind {
                        Kind::Date | Kind::Timestamp => dates.extend(samples),
                        Kind::Money => amounts.extend(samples),
                        _ => {}
                    }
                }
                None if column.required => {
                    let _ = writeln!(
                        tables,
                        "# {} = \"\"   # required: name its column, or give it under [{table}.fixed]",
                        column.name
                    );
                }
                None => {}
            }
        }
        let unused: Vec<String> = sheet
            .headers()
            .iter()
            .enumerate()
            .filter(|(i, _)| !found.contains(&Some(*i)))
            .map(|(_, h)| quote(h))
            .collect();
        if !unused.is_empty() {
            let _ = writeln!(tables, "# not mapped: {}", unused.join(", "));
        }
        if let Some(status) = spec.column("status")
            && let (Kind::Enum(keys), Some(i)) = (spec.columns[status].kind, found[status])
        {
            values_table(&mut tables, table, keys, sheet, i);
        }
    }
    let mut out = String::from(
        "# A starting mapping for `quotient import --map mapping.toml FILES…`, guessed from the headers.\n\
         # Check every line; docs/IMPORTS.md explains the keys.\n\
         source = \"csv\"   # written before every id (csv:1234): name it after the CRM\n",
    );
    let formats = date_formats(&dates);
    if !formats.is_empty() {
        let list: Vec<String> = formats.iter().map(|f| quote(f)).collect();
        let _ = writeln!(
            out,
            "date_formats = [{}]   # as the dates seen are written (chrono format strings)",
            list.join(", ")
        );
    }
    if amounts.iter().any(|a| has_decimal_comma(a)) {
        out.push_str("decimal_comma = true   # amounts are written 1.234,56\n");
    }
    out.push_str(&tables);
    Ok(out)
}

/// A `[table.values.status]` section: each distinct value seen, translated when a word tells.
fn values_table(out: &mut String, table: &str, keys: &[&str], sheet: &Sheet, column: usize) {
    let seen: BTreeSet<&str> =
        sheet.rows().map(|row| row.get(Some(column))).filter(|v| !v.is_empty()).take(1000).collect();
    let _ = writeln!(out, "[{table}.values.status]   # each value seen, and the bundle's ({})", keys.join(", "));
    for value in seen.iter().take(30) {
        let plain = normalise(value);
        let key = STATUS_WORDS.iter().find(|(_, words)| words.contains(&plain.as_str())).map(|(key, _)| *key);
        match key.filter(|k| keys.contains(k)) {
            Some(key) => {
                let _ = writeln!(out, "{} = \"{key}\"", quote(value));
            }
            None => {
                let _ = writeln!(out, "{} = \"\"   # which is it?", quote(value));
            }
        }
    }
}

/// The chrono formats the dates seen are written in, when not ISO 8601.
fn date_formats(samples: &[String]) -> Vec<String> {
    let Some(sample) =
        samples.iter().find(|s| !s.starts_with(|c: char| c.is_ascii_digit()) || s.get(4..5) != Some("-"))
    else {
        return Vec::new();
    };
    let separator = if sample.contains('.') {
        '.'
    } else if sample.contains('/') {
        '/'
    } else {
        return Vec::new();
    };
    let parts = |s: &str| -> Option<(u32, u32)> {
        let mut it = s.split(|c: char| c == separator || c.is_whitespace());
        Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
    };
    let month_first = samples.iter().filter_map(|s| parts(s)).any(|(_, second)| second > 12);
    let day =
        if month_first { format!("%m{separator}%d{separator}%Y") } else { format!("%d{separator}%m{separator}%Y") };
    vec![day.clone(), format!("{day} %H:%M"), format!("{day} %H:%M:%S")]
}

/// `1.234,56`, `12,5 €`: a comma followed by one or two digits at the end.
fn has_decimal_comma(amount: &str) -> bool {
    let digits: String = amount.chars().filter(|c| c.is_ascii_digit() || matches!(c, ',' | '.')).collect();
    digits
        .rsplit_once(',')
        .is_some_and(|(_, tail)| (1..=2).contains(&tail.len()) && tail.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dates_and_amounts_as_they_are_written() {
        assert_eq!(date_formats(&["2024-01-15".into()]), Vec::<String>::new());
        assert_eq!(date_formats(&["15/01/2024".into()])[0], "%d/%m/%Y");
        assert_eq!(date_formats(&["01/15/2024".into()])[0], "%m/%d/%Y");
        assert_eq!(date_formats(&["15.01.2024 10:00".into()])[1], "%d.%m.%Y %H:%M");
        assert!(has_decimal_comma("12.500,00 €") && has_decimal_comma("3,5"));
        assert!(!has_decimal_comma("12,500.00") && !has_decimal_comma("12,500"));
    }

    #[test]
    fn guesses_headers_in_several_languages() {
        assert_eq!(normalise("Date de création"), "date de creation");
        assert_eq!(normalise("N° affaire"), "n affaire");
        let spec = FILES.iter().find(|s| s.file == "opportunities.csv").expect("spec");
        let at = |name: &str| spec.column(name).expect("column");
        assert!(names(spec, at("opportunity_id"), "N° affaire"));
        assert!(names(spec, at("amount"), "Importe"));
        assert!(names(spec, at("created_at"), "Erstellt am"));
        assert!(names(spec, at("owner_id"), "Propriétaire"));
        assert!(!names(spec, at("amount"), "Devise"));
    }
}
