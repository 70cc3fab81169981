use super::*;
use crate::Money;
use chrono::NaiveDate;
use std::collections::HashMap;

fn lang(tag: &str) -> Lang {
    Lang::from_tag(tag).unwrap_or_else(|| panic!("{tag} is a catalog"))
}

#[test]
fn english_comes_first_and_every_catalog_parses_into_texts() {
    assert_eq!(Lang::default().tag(), "en");
    let tags: Vec<&str> = Lang::all().map(Lang::tag).collect();
    assert_eq!(tags[0], "en");
    assert!(tags.contains(&"de") && tags.contains(&"es"), "{tags:?}");
    for (tag, json) in CATALOGS {
        let texts: HashMap<String, Text> =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{tag}.json does not parse: {e}"));
        assert!(texts.len() > 100, "{tag}.json has {} texts", texts.len());
    }
    assert_eq!(lang("de").name(), "Deutsch");
}

#[test]
fn tags_pick_a_language_and_unknown_ones_none() {
    assert_eq!(lang("de-AT"), lang("de"));
    assert_eq!(lang("ES_es").tag(), "es");
    assert_eq!(Lang::from_tag("fr"), None);
    let refusal = "xx".parse::<Lang>().err().unwrap_or_default();
    assert!(refusal.starts_with("'xx' is not a supported language: use one of en, de, es"), "{refusal}");
    assert_eq!(serde_json::to_string(&lang("es")).ok().as_deref(), Some("\"es\""));
}

#[test]
fn accept_language_picks_the_best_supported_language() {
    assert_eq!(Lang::negotiate(Some("de-AT,de;q=0.9,en;q=0.8")).tag(), "de");
    assert_eq!(Lang::negotiate(Some("fr-FR,es;q=0.5,en;q=0.4")).tag(), "es");
    assert_eq!(Lang::negotiate(Some("en;q=0.2, es;q=0.9")).tag(), "es");
    assert_eq!(Lang::negotiate(Some("fr")).tag(), "en");
    assert_eq!(Lang::negotiate(None).tag(), "en");
}

#[test]
fn a_missing_key_shows_itself_and_lists_are_lists() {
    assert_eq!(Lang::ENGLISH.t("no.such.key"), "no.such.key");
    assert_eq!(Lang::ENGLISH.message("flag.closing_ratio_low.causes"), None, "a list is not a message");
    assert_eq!(lang("de").list("flag.closing_ratio_low.causes").len(), 3);
    assert!(Lang::ENGLISH.list("no.such.key").is_empty());
    assert_eq!(
        lang("es").tf("standard.crm_currency", &[("actual", "2"), ("required", "0")]),
        "oportunidades abiertas inactivas o vencidas: 2 (permitidas 0)"
    );
}

#[test]
fn numbers_money_and_dates_follow_the_language() {
    let (en, de, es) = (Lang::ENGLISH, lang("de"), lang("es"));
    assert_eq!(en.number(1234567.891, 2), "1,234,567.89");
    assert_eq!(de.number(1234567.891, 2), "1.234.567,89");
    assert_eq!(es.number(-1234.5, 1), "-1.234,5");
    assert_eq!(en.number(-0.001, 2), "0.00");
    assert_eq!(en.percent(Some(0.625)), "62%");
    assert_eq!(de.percent(Some(0.625)), "62 %");
    assert_eq!(en.percent(None), "–");
    let money = Money::from_cents(12_345_678);
    assert_eq!(en.money(money, "USD", false), "$123,456.78");
    assert_eq!(de.money(money, "EUR", true), "123.457 €");
    let day = NaiveDate::from_ymd_opt(2026, 3, 9).expect("date");
    assert_eq!(en.date(day), "Mar 9, 2026");
    assert_eq!(de.date(day), "09.03.2026");
    assert_eq!(es.date(day), "09/03/2026");
}

#[test]
fn placeholders_are_filled_once_and_values_are_never_read_as_placeholders() {
    let english = Lang::ENGLISH;
    assert_eq!(
        english.tf("standard.crm_currency", &[("actual", "3"), ("required", "0")]),
        "stale or past-due open opportunities: 3 (allowed 0)"
    );
    // A value that looks like a placeholder is written as it is, not filled in again.
    assert_eq!(
        english.tf("standard.crm_currency", &[("actual", "{required}"), ("required", "0")]),
        "stale or past-due open opportunities: {required} (allowed 0)"
    );
    // A placeholder without an argument, and a lone brace, stay as written.
    assert_eq!(
        english.tf("standard.crm_currency", &[("actual", "{")]),
        "stale or past-due open opportunities: { (allowed {required})"
    );
    assert_eq!(english.tf("no.{such}.key", &[("such", "x")]), "no.x.key");
    // A brace inside a name ends none: the name is what follows the last brace before the `}`.
    assert_eq!(english.tf("a{b{c}d}{}", &[("c", "X"), ("", "empty")]), "a{bXd}{}");
}
