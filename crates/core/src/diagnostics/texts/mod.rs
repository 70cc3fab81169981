//! The words of the diagnostics: one file per language, each a complete table of every flag.
//! Adding a language is adding a file here and a variant to [`Lang`].

mod de;
mod en;
mod es;

use super::FlagKind;
use crate::Lang;
use serde::Serialize;

/// What a flag means, why it happens and what to do, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub title: &'static str,
    pub causes: &'static [&'static str],
    pub prescriptions: &'static [&'static str],
}

pub(super) fn diagnosis(kind: FlagKind, lang: Lang) -> Diagnosis {
    match lang {
        Lang::En => en::diagnosis(kind),
        Lang::De => de::diagnosis(kind),
        Lang::Es => es::diagnosis(kind),
    }
}

const fn text(
    title: &'static str,
    causes: &'static [&'static str],
    prescriptions: &'static [&'static str],
) -> Diagnosis {
    Diagnosis { title, causes, prescriptions }
}
