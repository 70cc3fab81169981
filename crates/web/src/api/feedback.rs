//! Customer satisfaction scores entered on an account, through the same operation as the page.

use super::extract::{JsonBody, PathParams};
use super::{ApiError, allowed, write};
use crate::app::AppState;
use crate::auth::Caller;
use crate::params::today;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::NaiveDate;
use quotient_core::access::{Action, Resource};
use quotient_store::Code;
use quotient_store::ids::AccountId;
use quotient_store::ops::feedback::{self, EnterFeedback};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/accounts/{id}/feedback", post(enter))
}

/// The body of `POST /api/v1/accounts/{id}/feedback`.
#[derive(serde::Deserialize)]
pub struct FeedbackBody {
    /// 0 … 10.
    pub score: i64,
    /// Default: today.
    pub received_on: Option<NaiveDate>,
    pub comment: Option<String>,
}

/// `POST /api/v1/accounts/{id}/feedback`: records a satisfaction score on the account.
async fn enter(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    body: Result<JsonBody<FeedbackBody>, ApiError>,
) -> Result<Response, ApiError> {
    allowed(&caller, Resource::Accounts, Action::Edit)?;
    let JsonBody(body) = body?;
    let command = EnterFeedback {
        account: AccountId(id),
        received_on: body.received_on.unwrap_or_else(today),
        score: body.score,
        comment: body.comment,
    };
    let (received_on, score) = (command.received_on, command.score);
    let entered = write(&state, &caller, move |db, caller| {
        // The account is named by the path: out of reach, it is missing.
        feedback::enter_feedback(db, &caller.viewer, &command)
            .map_err(|e| crate::error::Error::from(e).missing_when(Code::AccountOutOfReach))
    })
    .await?;
    let answer = json!({ "id": entered, "account_id": id, "received_on": received_on, "score": score });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
