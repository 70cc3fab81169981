//! Long lists shown a page at a time: which rows a page holds, and the links to the others
//! (`?page=`, counted from 1). A list of a large organisation's teams or reps is cut into pages so
//! that a request renders what it shows, not the whole list.

use crate::i18n::Locale;
use maud::{Markup, html};

/// The rows a page of a list shows.
pub const PAGE_SIZE: usize = 50;

/// A page of a list of `total` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paged {
    /// The page shown, from 1.
    pub page: usize,
    pub pages: usize,
    pub total: usize,
}

impl Paged {
    /// The page asked for (`?page=`), within the list: the first below 1, the last past the end.
    pub fn of(total: usize, asked: Option<i64>) -> Paged {
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = usize::try_from(asked.unwrap_or(1).max(1)).unwrap_or(1).min(pages);
        Paged { page, pages, total }
    }

    /// The rows of the page: indexes into the whole list.
    pub fn rows(&self) -> std::ops::Range<usize> {
        let start = (self.page - 1) * PAGE_SIZE;
        start.min(self.total)..(start + PAGE_SIZE).min(self.total)
    }

    /// The rows of the page, of `items`.
    pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let rows = self.rows();
        &items[rows.start.min(items.len())..rows.end.min(items.len())]
    }
}

/// The links to a list's pages: previous, the first, those around the page shown, the last,
/// next. `base` is the list's address with its other parameters (a query string already begun);
/// `id` names the list, for more than one on a page. Nothing when the list fits on one page.
pub fn pager(l: Locale, id: &str, base: &str, paged: Paged, parameter: &str) -> Markup {
    let link = |page: usize| format!("{base}&{parameter}={page}");
    let near = |page: usize| page == 1 || page == paged.pages || page.abs_diff(paged.page) <= 2;
    html! {
        @if paged.pages > 1 {
            nav.pager id=(id) aria-label=(l.t("pager.label")) {
                @if paged.page > 1 { a rel="prev" href=(link(paged.page - 1)) { "‹ " (l.t("pager.previous")) } " " }
                @for page in (1..=paged.pages).filter(|p| near(*p)) {
                    @if page > 1 && !near(page - 1) { span.muted { "… " } }
                    @if page == paged.page {
                        strong aria-current="page" { (page) } " "
                    } @else {
                        a href=(link(page)) aria-label=(l.tf("pager.page", &[("page", &page.to_string()), ("pages", &paged.pages.to_string())])) { (page) } " "
                    }
                }
                @if paged.page < paged.pages { a rel="next" href=(link(paged.page + 1)) { (l.t("pager.next")) " ›" } }
                " " span.muted { (l.tf("pager.rows", &[("from", &l.count(paged.rows().start as i64 + 1)), ("to", &l.count(paged.rows().end as i64)), ("total", &l.count(paged.total as i64))])) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_past_either_end_is_the_nearest_one() {
        assert_eq!(Paged::of(120, Some(0)).page, 1);
        assert_eq!(Paged::of(120, Some(-5)).page, 1);
        assert_eq!(Paged::of(120, Some(9)).page, 3);
        assert_eq!(Paged::of(120, Some(i64::MAX)).page, 3);
        assert_eq!(Paged::of(0, Some(2)), Paged { page: 1, pages: 1, total: 0 });
        assert_eq!(Paged::of(120, Some(3)).rows(), 100..120);
    }

    #[test]
    fn the_links_name_the_pages_near_the_one_shown() {
        let html = pager(Locale::ENGLISH, "p", "/x?a=1", Paged::of(1000, Some(10)), "page").into_string();
        for page in [1, 8, 9, 11, 12, 20] {
            assert!(html.contains(&format!("/x?a=1&amp;page={page}\"")), "{page}: {html}");
        }
        assert!(!html.contains("page=7\""), "{html}");
        assert!(pager(Locale::ENGLISH, "p", "/x?", Paged::of(50, None), "page").into_string().is_empty());
    }
}
