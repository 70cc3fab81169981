//! `/`: a rep's home is their scorecard, everyone else's the team dashboard.

use crate::auth::Caller;
use axum::response::{IntoResponse, Redirect, Response};
use quotient_core::model::UserRole;

pub async fn home(caller: Caller) -> Response {
    match (caller.user.role, caller.viewer.rep_id) {
        (UserRole::Rep, Some(rep)) => Redirect::to(&format!("/reps/{rep}")).into_response(),
        _ => Redirect::to("/dashboard").into_response(),
    }
}
