//! The user's own page: their language, their API tokens (created here, shown once, revocable), and
//! signing out everywhere. Tokens and sessions are managed from a browser session only.

use super::with_db;
use crate::app::AppState;
use crate::auth::{Caller, SignedIn, secret};
use crate::error::{Error, PageError};
use crate::templates::{self, csrf};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::Lang;
use quotient_store::access::{self, ApiToken};

pub async fn page(State(state): State<AppState>, caller: Caller) -> Result<Markup, PageError> {
    let tokens =
        with_db(&state, &caller, |db, caller| Ok(access::list_tokens(db, caller.user.org, caller.user.id)?)).await?;
    Ok(render(&caller, &tokens, None))
}

fn render(caller: &Caller, tokens: &[ApiToken], new_token: Option<&str>) -> Markup {
    let l = caller.locale;
    let chosen = caller.user.lang.map(Lang::tag).unwrap_or("");
    let body = html! {
        h1 { (caller.user.name) }
        p.muted { (caller.user.email) " · " (l.t(&format!("role.{}", caller.user.role.key()))) " · " (caller.org_name) }
        section.card {
            h2 { (l.t("me.language")) }
            form method="post" action="/me/language" {
                (csrf(caller))
                select name="lang" aria-label=(l.t("me.language")) {
                    option value="" selected[chosen.is_empty()] { (l.t("me.browser_language")) }
                    @for lang in Lang::all() {
                        option value=(lang.tag()) selected[chosen == lang.tag()] { (lang.name()) }
                    }
                }
                " " button type="submit" { (l.t("form.save")) }
            }
        }
        section.card {
            h2 { (l.t("me.tokens")) }
            p.muted { (l.t("me.tokens_help")) }
            @if let Some(token) = new_token {
                p.notice role="status" { (l.t("me.token_created")) br; code #new-token { (token) } }
            }
            @if !tokens.is_empty() {
                table {
                    thead { tr { th { (l.t("field.name")) } th { (l.t("me.created")) } th { (l.t("me.last_used")) } th { } } }
                    tbody {
                        @for token in tokens {
                            tr {
                                td { (token.name) }
                                td { (l.timestamp(token.created_at)) }
                                td { (token.last_used_at.map_or("–".into(), |t| l.timestamp(t))) }
                                td {
                                    @if token.revoked { span.muted { (l.t("me.revoked")) } }
                                    @else {
                                        form method="post" action={ "/me/tokens/" (token.id) "/revoke" } {
                                            (csrf(caller)) button.secondary type="submit" { (l.t("me.revoke")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action="/me/tokens" {
                (csrf(caller))
                label for="token-name" { (l.t("me.token_name")) }
                input #token-name name="name" required maxlength="80";
                " " button type="submit" { (l.t("me.create_token")) }
            }
        }
        section.card {
            h2 { (l.t("me.sign_out_everywhere")) }
            p.muted { (l.t("me.sign_out_everywhere_help")) }
            form method="post" action="/me/sign-out-everywhere" {
                (csrf(caller))
                button.secondary type="submit" { (l.t("me.sign_out_everywhere")) }
            }
        }
    };
    templates::page(caller, "me", &caller.user.name, body)
}

#[derive(serde::Deserialize)]
pub struct LanguageForm {
    lang: String,
}

pub async fn set_language(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<LanguageForm>,
) -> Result<Response, PageError> {
    let lang = Lang::from_tag(&form.lang);
    with_db(&state, &caller, move |db, caller| Ok(access::set_lang(db, caller.user.org, caller.user.id, lang)?))
        .await?;
    Ok(Redirect::to("/me").into_response())
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Form(form): Form<TokenForm>,
) -> Result<Markup, PageError> {
    let token = secret::random_token();
    let hash = secret::token_hash(&token);
    let name =
        Some(form.name.trim().chars().take(80).collect::<String>()).filter(|n| !n.is_empty()).unwrap_or("API".into());
    let tokens = with_db(&state, &caller, move |db, caller| {
        access::create_token(db, caller.user.org, caller.user.id, &name, &hash)?;
        Ok(access::list_tokens(db, caller.user.org, caller.user.id)?)
    })
    .await?;
    // Shown once, on this response only: the database keeps its hash.
    Ok(render(&caller, &tokens, Some(&token)))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    // Someone else's token is "not found", like any record out of reach.
    with_db(&state, &caller, move |db, caller| {
        if access::revoke_token(db, caller.user.org, caller.user.id, id)? { Ok(()) } else { Err(Error::NotFound) }
    })
    .await?;
    Ok(Redirect::to("/me").into_response())
}

/// Ends every session (this one too) and revokes every API token of the user: for a lost laptop or
/// a token that leaked.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Response, PageError> {
    with_db(&state, &caller, |db, caller| Ok(access::end_sessions_and_tokens(db, caller.user.org, caller.user.id)?))
        .await?;
    Ok(crate::auth::sign_in::signed_out())
}
