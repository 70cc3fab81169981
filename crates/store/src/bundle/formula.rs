//! Text that a spreadsheet would run as a formula when it opens a CSV file (OWASP's "CSV
//! injection"): a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return. Such a cell is
//! written with a `'` in front, which spreadsheets read as "this is text".
//!
//! The bundle is read back by Quotient, so there the guard must come off again, exactly: a `'` is
//! added before a formula character, and before a `'` that itself comes before one (or before
//! another `'`), and the importer removes one `'` from exactly those cells. Every other value is
//! written as it is.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn starts_like_formula(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

/// `text` as a spreadsheet will show it rather than run it: with a `'` in front when it starts like
/// a formula. For files people open, not for files read back (see [`guard`]).
pub fn neutralise_formula(text: &str) -> Cow<'_, str> {
    if starts_like_formula(text) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

/// Whether `text` is a guarded cell: a `'` the importer removes, before a formula character or
/// another `'`.
fn is_guarded(text: &str) -> bool {
    text.strip_prefix('\'').is_some_and(|rest| starts_like_formula(rest) || rest.starts_with('\''))
}

/// A bundle cell's text: neutralised like [`neutralise_formula`], and a value that would itself
/// read as guarded escaped with one more `'`, so that the import gives back `text` exactly. For
/// the text columns of a bundle (names, ids, keys); numbers, dates and times are written as they are.
pub fn guard(text: &str) -> Cow<'_, str> {
    if starts_like_formula(text) || is_guarded(text) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

/// A bundle cell's value: the cell without the `'` that [`guard`] added.
pub(super) fn unguard(cell: &str) -> &str {
    if is_guarded(cell) { &cell[1..] } else { cell }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_a_quote_and_other_text_is_left_alone() {
        for formula in ["=1+1", "+1", "-12.50", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(neutralise_formula(formula), format!("'{formula}"));
        }
        for text in ["Acme", "'=1", "1-2", " =1", "", "é=1"] {
            assert_eq!(neutralise_formula(text), text);
        }
    }

    #[test]
    fn a_guarded_cell_reads_back_as_the_value_written() {
        let values = ["=1+1", "'=x", "''", "'", "'a", "-5", "@a", "\tx", "\rx", "x'", "'''=", "", "ä", "=", "''=1"];
        for value in values {
            let cell = guard(value);
            assert_eq!(unguard(&cell), value, "{value:?} written as {cell:?}");
            assert!(!starts_like_formula(&cell), "{cell:?} would run as a formula");
        }
    }

    #[test]
    fn only_ambiguous_quotes_are_escaped() {
        assert_eq!(guard("'a"), "'a");
        assert_eq!(guard("'"), "'");
        assert_eq!(guard("'=x"), "''=x");
        assert_eq!(guard("''"), "'''");
        assert_eq!(unguard("'a"), "'a");
        assert_eq!(unguard("'=x"), "=x");
    }
}
