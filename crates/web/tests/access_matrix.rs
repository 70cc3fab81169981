//! The access matrix: every route of the router, as every role of two organisations in one
//! database (admin, executive, manager M1 of reps R1 and R2, rep R1) and signed out, on records
//! of the rep (R1), of a teammate (R2), of another team (M2's R3) and of the other organisation,
//! with GET and each write method (with the session's CSRF token), against the expected status.
//!
//! [`TABLE`] is the expectation, to be read against the roles matrix (`quotient_core::access`)
//! and the product's description of the roles. The test fails when the router has a route the
//! table lacks: the routes are read from the router's source (`app.rs` and the API's modules).
//! Each organisation plays the home organisation once: the ids in a path are its records', and
//! the same roles of the other organisation must find none of them.
//!
//! Every request runs against the one world, in the table's order. A write that would change what
//! a later request relies on gets a record of its own (`{new …}`: a delete, a restore, a
//! conversion, an approval, a revocation), and a caller who signs out is checked to be signed out
//! and then gets its session back, so that every row finds what it relies on as it was built.

#[path = "access_matrix/routes.rs"]
mod routes;
#[path = "access_matrix/world.rs"]
mod world;

use axum::http::StatusCode;
use std::collections::HashMap;
use world::{Answer, ROLES, World, block_on};

/// One line per request: `METHOD path | admin executive manager rep | signed out | the other
/// organisation's admin executive manager rep | body`.
///
/// - `{kind:R1}` is the id of R1's record of that kind (`rep:R1` is R1 themself), in the home
///   organisation; `{pl}` a product line; `{email}` the caller's e-mail.
/// - `{new kind:R1}` is a record of R1 made for this request alone, which it may use up:
///   `{new deleted:R1}` a deleted activity, `{new plan:R1}` the year of a territory plan of R1's
///   submitted for it, `{new token:R1}` an API token of R1's.
/// - A status is a number; `in` is a redirect to the sign-in page, `err` a redirect back with a
///   refusal (`?error=`), `303` any other redirect.
/// - `=` for the other organisation: 404 for every role when the path names a record (none of
///   the home organisation's records exist there), else what the home organisation's role gets.
const TABLE: &str = r#"
# Pages and sign-in
GET    /                                                          | 303 303 303 303 | in  | =
GET    /sign-in                                                   | 200 200 200 200 | 200 | =
POST   /sign-in                                                   | 303 303 303 303 | 303 | =               | email={email}&password=correct+horse+battery
POST   /sign-out                                                  | in  in  in  in  | in  | =
POST   /me/sign-out-everywhere                                    | in  in  in  in  | in  | =
GET    /dashboard                                                 | 200 200 200 404 | in  | =
GET    /breakdowns                                                | 200 200 200 404 | in  | =
GET    /dashboard?team={rep:E1}                                   | 200 200 404 404 | in  | =
GET    /dashboard?team={rep:M1}                                   | 200 200 200 404 | in  | =
GET    /dashboard?team={rep:M2}                                   | 200 200 404 404 | in  | =
GET    /dashboard?team={rep:M2}&page=2&reps_page=2                | 200 200 404 404 | in  | =
GET    /dashboard?page=2&reps_page=3                              | 200 200 200 404 | in  | =
GET    /reps/{rep:R1}                                             | 200 200 200 200 | in  | =
GET    /reps/{rep:R2}                                             | 200 200 200 404 | in  | =
GET    /reps/{rep:R3}                                             | 200 200 404 404 | in  | =
GET    /leaderboard                                               | 200 200 200 200 | in  | =
GET    /leaderboard?scope=team&kpi=deals_won&page=2               | 200 200 200 200 | in  | =
GET    /goals                                                     | 200 200 200 404 | in  | =
GET    /goals?page=2&reps_page=2                                  | 200 200 200 404 | in  | =
GET    /goals?team={rep:M1}&page=2                                | 200 200 200 404 | in  | =
GET    /goals?team={rep:M2}&reps_page=2                           | 200 200 404 404 | in  | =
GET    /pipeline                                                  | 200 200 200 200 | in  | =
POST   /opportunities/{opportunities:R1}/stage                    | 303 404 303 303 | in  | =               | stage=proposal
POST   /opportunities/{opportunities:R2}/stage                    | 303 404 303 404 | in  | =               | stage=proposal
POST   /opportunities/{opportunities:R3}/stage                    | 303 404 404 404 | in  | =               | stage=proposal
POST   /opportunities/{opportunities:R1}/stage                    | err 404 err err | in  | =               | stage=nowhere
GET    /forecast                                                  | 200 200 200 200 | in  | =
GET    /forecast?period=2026-03&team={rep:M1}                     | 200 200 200 404 | in  | =
GET    /forecast?team={rep:M2}                                    | 200 200 404 404 | in  | =
POST   /forecast/call                                             | err 303 303 303 | in  | =               | period=2026-Q1&commit=100&best_case=200
POST   /forecast/adjust                                           | 303 303 303 err | in  | err err err err | period=2026-Q1&rep={rep:R1}&commit=100&best_case=200&note=Slipped
POST   /forecast/adjust                                           | 303 303 err err | in  | err err err err | period=2026-Q1&rep={rep:R3}&commit=100&best_case=200&note=Slipped
POST   /forecast/deals/{opportunities:R1}/category                | 303 303 303 303 | in  | =               | period=2026-Q1&category=commit
POST   /forecast/deals/{opportunities:R3}/category                | 303 303 404 404 | in  | =               | period=2026-Q1&category=best_case
POST   /forecast/deals/{opportunities:R1}/category                | err err err err | in  | =               | period=2026-Q1&category=closed
GET    /log                                                       | 200 404 200 200 | in  | =
POST   /log                                                       | 303 404 303 303 | in  | 422 404 422 422 | rep={rep:R1}&kind=cold_call&occurred_at=2026-03-02T10:00
POST   /log                                                       | 303 404 303 422 | in  | 422 404 422 422 | rep={rep:R2}&kind=cold_call&occurred_at=2026-03-02T10:00
POST   /log                                                       | 303 404 422 422 | in  | 422 404 422 422 | rep={rep:R3}&kind=cold_call&occurred_at=2026-03-02T10:00
GET    /me                                                        | 200 200 200 200 | in  | =
POST   /me/language                                               | 303 303 303 303 | in  | =               | lang=de
POST   /me/tokens                                                 | 200 200 200 200 | in  | =               | name=script
POST   /me/tokens/{new token:R1}/revoke                           | 404 404 404 303 | in  | =
GET    /records/nothing                                           | 404 404 404 404 | in  | =
GET    /records/opportunities?page=9223372036854775807            | 200 200 200 200 | in  | =
GET    /records/opportunities?page=-9223372036854775808           | 200 200 200 200 | in  | =
GET    /assets/style.css                                          | 200 200 200 200 | 200 | =
GET    /assets/nothing.js                                         | 404 404 404 404 | 404 | =
# The company plan: executives set it, managers read their reps' share
GET    /plan?year=2027                                            | 200 200 200 404 | in  | =
GET    /plan?year=2027&page=2&territories_page=2                  | 200 200 200 404 | in  | =
POST   /plan                                                      | 303 303 404 404 | in  | =               | year=2027&revenue=1000000&split=goals
POST   /plan/allocate                                             | 303 303 404 404 | in  | =               | year=2027&beyond_history=allocate
POST   /plan/quotas                                               | 303 303 404 404 | in  | 404 404 404 404 | year=2027&q_{rep:R1}=5000&reason=Smaller+territory
GET    /api/v1/plans/2027                                         | 200 200 404 404 | 401 | =
PUT    /api/v1/plans/2027                                         | 200 200 404 404 | 401 | =               | {"fiscal_year": 2027, "revenue_cents": 200000000}
POST   /api/v1/plans/2027/allocate                                | 200 200 404 404 | 401 | =
GET    /api/v1/plans/2027/quota-changes                           | 200 200 200 404 | 401 | =
GET    /api/v1/plans/2027/quotas                                  | 200 200 200 404 | 401 | =
PUT    /api/v1/plans/2027/quotas/{rep:R1}                         | 200 200 404 404 | 401 | =               | {"yearly": 500000}
# Activity goals: managers set their subtree's, executives and admins everyone's; a rep reads their own
POST   /goals/set                                                 | 303 303 303 404 | in  | err err err 404 | metric=cold_calls&period=2027-W05&g_{rep:R1}=40
POST   /goals/set                                                 | 303 303 err 404 | in  | err err err 404 | metric=cold_calls&period=2027-W05&g_{rep:R3}=40
GET    /api/v1/activity-goals?period=2027-W05                     | 200 200 200 200 | 401 | =
PUT    /api/v1/activity-goals                                     | 200 200 200 404 | 401 | 422 422 422 404 | {"goals": [{"rep_id": {rep:R1}, "metric": "cold_calls", "period": "2027-W05", "target": 40}]}
PUT    /api/v1/activity-goals                                     | 200 200 422 404 | 401 | 422 422 422 404 | {"goals": [{"rep_id": {rep:R3}, "metric": "cold_calls", "period": "2027-W05", "target": 40}]}
# Incentives: a rep reads and disputes their own statements, managers approve their team's, executives and admins lock and export; executives and admins edit the plans, managers read them
GET    /earnings                                                  | 404 200 200 200 | in  | =
GET    /reps/{rep:R1}/earnings                                    | 200 200 200 200 | in  | =
GET    /reps/{rep:R2}/earnings                                    | 200 200 200 404 | in  | =
GET    /reps/{rep:R3}/earnings                                    | 200 200 404 404 | in  | =
GET    /statements?period=2026-03                                 | 200 200 200 200 | in  | =
GET    /statements/export.csv?period=2026-03                      | 200 200 404 404 | in  | =
POST   /statements/{rep:R1}/2026-03/approve                       | err err err 404 | in  | =
POST   /statements/{rep:R3}/2026-03/approve                       | err err 404 404 | in  | =
POST   /statements/{rep:R1}/2026-03/lock                          | err err 404 404 | in  | =
POST   /statements/{rep:R1}/2026-03/disputes                      | 404 404 404 err | in  | =               | line=bookings&comment=A+deal+is+missing
POST   /disputes/999999/resolve?period=2026-03                    | 404 404 404 404 | in  | =               | decision=reject&note=No
GET    /incentives?year=2027                                      | 200 200 200 404 | in  | =
POST   /incentives/preview                                        | 200 200 200 404 | in  | =               | year=2027&file=%7B%22fiscal_year%22%3A2027%2C%22plans%22%3A%5B%5D%7D
POST   /incentives                                                | 303 303 404 404 | in  | =               | year=2027&file=%7B%22fiscal_year%22%3A2027%2C%22plans%22%3A%5B%5D%7D
GET    /api/v1/statements?period=2026-03                          | 200 200 200 200 | 401 | =
GET    /api/v1/statements?period=2026-03&rep=R3                   | 200 200 404 404 | 401 | =
POST   /api/v1/statements/{rep:R1}/2026-03/approve                | 422 422 422 404 | 401 | =
POST   /api/v1/statements/{rep:R3}/2026-03/approve                | 422 422 404 404 | 401 | =
POST   /api/v1/statements/{rep:R1}/2026-03/lock                   | 422 422 404 404 | 401 | =
POST   /api/v1/statements/{rep:R1}/2026-03/disputes               | 404 404 404 422 | 401 | =               | {"line": "bookings", "comment": "A deal is missing"}
GET    /api/v1/disputes?period=2026-03                            | 200 200 200 200 | 401 | =
POST   /api/v1/disputes/999999/resolve                            | 404 404 404 404 | 401 | =               | {"accept": false, "note": "No"}
GET    /api/v1/earnings?rep={rep:R1}                              | 422 422 422 422 | 401 | =
GET    /api/v1/earnings?rep={rep:R3}                              | 422 422 404 404 | 401 | =
PUT    /api/v1/incentives/2028                                    | 200 200 404 404 | 401 | =               | {"fiscal_year": 2028, "plans": []}
GET    /api/v1/incentives/2028                                    | 200 200 200 404 | 401 | =
POST   /api/v1/incentives/2028/preview                            | 200 200 200 404 | 401 | =               | {"fiscal_year": 2028, "plans": []}
GET    /api/v1/contests                                           | 200 200 200 200 | 401 | =
# Settings: administrators change them, executives read them
GET    /settings                                                  | 200 200 404 404 | in  | =
POST   /settings                                                  | 303 404 404 404 | in  | =               | threshold.closing_ratio=0.65
POST   /settings                                                  | 422 404 404 404 | in  | =               | threshold.closing_ratio=65
POST   /settings/stages                                           | 303 404 404 404 | in  | =               | key=proposal&name=Proposal&probability_pct=60&milestone=proposal
POST   /settings/stages/nowhere/remove                            | 422 404 404 404 | in  | =
POST   /settings/gateway-types                                    | 303 404 404 404 | in  | =               | key=demo&name=On-site+demo
GET    /import                                                    | 200 404 404 404 | in  | =
GET    /import/status                                             | 200 404 404 404 | in  | =
POST   /import                                                    | 400 404 404 404 | in  | =               | vendor=hubspot
POST   /import/stages                                             | 303 404 404 404 | in  | =               | stages=x
GET    /api/v1/settings                                           | 200 200 404 404 | 401 | =
PUT    /api/v1/settings                                           | 200 404 404 404 | 401 | =               | {"threshold.closing_ratio": 0.65}
PUT    /api/v1/settings                                           | 422 404 404 404 | 401 | =               | {"threshold.closing_ratio": "high"}
GET    /api/v1/settings/rebuild                                   | 200 200 404 404 | 401 | =
GET    /api/v1/settings/pipeline                                  | 200 200 404 404 | 401 | =
PUT    /api/v1/settings/stages/proposal                           | 200 404 404 404 | 401 | =               | {"name": "Proposal", "probability_pct": 60, "milestone": "proposal"}
DELETE /api/v1/settings/stages/nowhere                            | 422 404 404 404 | 401 | =
PUT    /api/v1/settings/gateway-types/demo                        | 200 404 404 404 | 401 | =               | {"name": "On-site demo"}
# Territory plans: R1's and R3's are submitted, R2 has none
GET    /territory-plans?year=2026                                 | 200 200 200 303 | in  | =
GET    /territory-plans/{rep:R1}?year=2026                        | 200 200 200 200 | in  | =
GET    /territory-plans/{rep:R2}?year=2026                        | 200 200 200 404 | in  | =
GET    /territory-plans/{rep:R3}?year=2026                        | 200 200 404 404 | in  | =
POST   /territory-plans/{rep:R1}?year=2026                        | 404 404 404 err | in  | =               | objectives=More
POST   /territory-plans/{rep:R2}?year=2026                        | 404 404 404 404 | in  | =               | objectives=More
POST   /territory-plans/{rep:R1}/approve?year={new plan:R1}       | 303 303 303 err | in  | =
POST   /territory-plans/{rep:R3}/approve?year={new plan:R3}       | 303 303 404 404 | in  | =
POST   /territory-plans/{rep:R1}/nonsense?year=2026               | 404 404 404 404 | in  | =
GET    /api/v1/territory-plans?year=2026                          | 200 200 200 200 | 401 | =
GET    /api/v1/territory-plans/{rep:R1}/2026                      | 200 200 200 200 | 401 | =
GET    /api/v1/territory-plans/{rep:R2}/2026                      | 404 404 404 404 | 401 | =
GET    /api/v1/territory-plans/{rep:R3}/2026                      | 200 200 404 404 | 401 | =
PUT    /api/v1/territory-plans/{rep:R1}/2026                      | 404 404 404 422 | 401 | =               | {"objectives": "More"}
PUT    /api/v1/territory-plans/{rep:R2}/2026                      | 404 404 404 404 | 401 | =               | {"objectives": "More"}
POST   /api/v1/territory-plans/{rep:R1}/{new plan:R1}/approve     | 200 200 200 422 | 401 | =
POST   /api/v1/territory-plans/{rep:R3}/{new plan:R3}/approve     | 200 200 404 404 | 401 | =
# Account maps: reading follows the account, setting a relationship or the decision process is editing
# the account's contacts
GET    /accounts/{accounts:R1}/map                                | 200 200 200 200 | in  | =
GET    /accounts/{accounts:R2}/map                                | 200 200 200 404 | in  | =
GET    /accounts/{accounts:R3}/map                                | 200 200 404 404 | in  | =
POST   /contacts/{contacts:R1}/relationship                       | 303 404 303 303 | in  | =               | account=1&relationship=3&influence=2
POST   /contacts/{contacts:R2}/relationship                       | 303 404 303 404 | in  | =               | account=1&relationship=3&influence=2
POST   /contacts/{contacts:R3}/relationship                       | 303 404 404 404 | in  | =               | account=1&relationship=3&influence=2
GET    /api/v1/accounts/{accounts:R1}/map                         | 200 200 200 200 | 401 | =
GET    /api/v1/accounts/{accounts:R2}/map                         | 200 200 200 404 | 401 | =
GET    /api/v1/accounts/{accounts:R3}/map                         | 200 200 404 404 | 401 | =
PUT    /api/v1/contacts/{contacts:R1}/relationship                | 200 404 200 200 | 401 | =               | {"relationship": 3, "influence": 2}
PUT    /api/v1/contacts/{contacts:R2}/relationship                | 200 404 200 404 | 401 | =               | {"relationship": 3, "influence": 2}
PUT    /api/v1/contacts/{contacts:R3}/relationship                | 200 404 404 404 | 401 | =               | {"relationship": 3, "influence": 2}
POST   /accounts/{accounts:R1}/decision-process                   | 303 404 303 303 | in  | =               | step_0=Shortlist&decider_0=Board&criteria=Price
POST   /accounts/{accounts:R2}/decision-process                   | 303 404 303 404 | in  | =               | step_0=Shortlist
POST   /accounts/{accounts:R3}/decision-process                   | 303 404 404 404 | in  | =               | step_0=Shortlist
PUT    /api/v1/accounts/{accounts:R1}/decision-process            | 200 404 200 200 | 401 | =               | {"steps": [{"name": "Shortlist"}], "criteria": ["Price"]}
PUT    /api/v1/accounts/{accounts:R2}/decision-process            | 200 404 200 404 | 401 | =               | {"steps": [{"name": "Shortlist"}]}
PUT    /api/v1/accounts/{accounts:R3}/decision-process            | 200 404 404 404 | 401 | =               | {"steps": [{"name": "Shortlist"}]}
# Satisfaction scores: entered by whoever edits the account (its rep, their managers, admins)
POST   /accounts/{accounts:R1}/feedback                           | 303 404 303 303 | in  | =               | score=8&received_on=2026-03-02
POST   /accounts/{accounts:R2}/feedback                           | 303 404 303 404 | in  | =               | score=8&received_on=2026-03-02
POST   /accounts/{accounts:R3}/feedback                           | 303 404 404 404 | in  | =               | score=8&received_on=2026-03-02
POST   /accounts/{accounts:R1}/feedback                           | 422 404 422 422 | in  | =               | score=11&received_on=2026-03-02
POST   /api/v1/accounts/{accounts:R1}/feedback                    | 201 404 201 201 | 401 | =               | {"score": 8, "received_on": "2026-03-02"}
POST   /api/v1/accounts/{accounts:R2}/feedback                    | 201 404 201 404 | 401 | =               | {"score": 8, "received_on": "2026-03-02"}
POST   /api/v1/accounts/{accounts:R3}/feedback                    | 201 404 404 404 | 401 | =               | {"score": 8, "received_on": "2026-03-02"}
POST   /api/v1/accounts/{accounts:R1}/feedback                    | 422 404 422 422 | 401 | =               | {"score": 11}
# 1:1s: held by a manager (M1 with R1, M2 with R3) or an executive; admins and reps read them;
# a rep ticks off the actions the rep owns
GET    /reps/{rep:R1}/one-on-ones                                 | 200 200 200 200 | in  | =
GET    /reps/{rep:R2}/one-on-ones                                 | 200 200 200 404 | in  | =
GET    /reps/{rep:R3}/one-on-ones                                 | 200 200 404 404 | in  | =
POST   /reps/{rep:R1}/one-on-ones                                 | 404 303 303 404 | in  | =
POST   /reps/{rep:R3}/one-on-ones                                 | 404 303 404 404 | in  | =
GET    /one-on-ones/{one_on_one:R1}                               | 200 200 200 200 | in  | =
GET    /one-on-ones/{one_on_one:R3}                               | 200 200 404 404 | in  | =
POST   /one-on-ones/{one_on_one:R1}/notes                         | 404 303 303 404 | in  | =               | notes=Agreed
POST   /one-on-ones/{one_on_one:R3}/notes                         | 404 303 404 404 | in  | =               | notes=Agreed
POST   /one-on-ones/{one_on_one:R1}/actions                       | 404 303 303 404 | in  | =               | description=Call&owner=rep
POST   /one-on-ones/{one_on_one:R3}/actions                       | 404 303 404 404 | in  | =               | description=Call&owner=rep
POST   /one-on-one-actions/{action:R1.rep}                        | 404 303 303 303 | in  | =               | done=true
POST   /one-on-one-actions/{action:R1.manager}                    | 404 303 303 404 | in  | =               | done=true
POST   /one-on-one-actions/{action:R3.rep}                        | 404 303 404 404 | in  | =               | done=true
GET    /api/v1/reps/{rep:R1}/one-on-ones                          | 200 200 200 200 | 401 | =
GET    /api/v1/reps/{rep:R3}/one-on-ones                          | 200 200 404 404 | 401 | =
POST   /api/v1/reps/{rep:R1}/one-on-ones                          | 404 200 200 404 | 401 | =
POST   /api/v1/reps/{rep:R3}/one-on-ones                          | 404 200 404 404 | 401 | =
GET    /api/v1/one-on-ones/{one_on_one:R1}                        | 200 200 200 200 | 401 | =
GET    /api/v1/one-on-ones/{one_on_one:R3}                        | 200 200 404 404 | 401 | =
PATCH  /api/v1/one-on-ones/{one_on_one:R1}                        | 404 200 200 404 | 401 | =               | {"notes": "Agreed"}
PATCH  /api/v1/one-on-ones/{one_on_one:R3}                        | 404 200 404 404 | 401 | =               | {"notes": "Agreed"}
POST   /api/v1/one-on-ones/{one_on_one:R1}/actions                | 404 200 200 404 | 401 | =               | {"description": "Call", "owner": "rep"}
POST   /api/v1/one-on-ones/{one_on_one:R3}/actions                | 404 200 404 404 | 401 | =               | {"description": "Call", "owner": "rep"}
PATCH  /api/v1/one-on-one-actions/{action:R1.rep}                 | 404 200 200 200 | 401 | =               | {"done": true}
PATCH  /api/v1/one-on-one-actions/{action:R1.manager}             | 404 200 200 404 | 401 | =               | {"done": true}
PATCH  /api/v1/one-on-one-actions/{action:R3.rep}                 | 404 200 404 404 | 401 | =               | {"done": true}
# The forecast: everyone calls within their reach; a manager adjusts those beneath them, a rep nobody
GET    /api/v1/forecast?period=2026-Q1                            | 200 200 200 200 | 401 | =
GET    /api/v1/forecast?period=2026-Q1&team=M1                    | 200 200 200 404 | 401 | =
GET    /api/v1/forecast?period=2026-W05                           | 422 422 422 422 | 401 | =
GET    /api/v1/forecast/changes                                   | 200 200 200 200 | 401 | =
PUT    /api/v1/forecast/2026-Q1/call                              | 422 200 200 200 | 401 | =               | {"commit_cents": 100, "best_case_cents": 200}
PUT    /api/v1/forecast/2026-Q1/adjustments/{rep:R1}              | 200 200 200 422 | 401 | 404 404 404 422 | {"commit_cents": 50, "best_case_cents": 200, "note": "Not signed yet"}
PUT    /api/v1/forecast/2026-Q1/adjustments/{rep:R3}              | 200 200 404 422 | 401 | 404 404 404 422 | {"commit_cents": 50, "best_case_cents": 200, "note": "Not signed yet"}
GET    /api/v1/opportunities/{opportunities:R1}/forecast-category | 200 200 200 200 | 401 | =
GET    /api/v1/opportunities/{opportunities:R2}/forecast-category | 200 200 200 404 | 401 | =
GET    /api/v1/opportunities/{opportunities:R3}/forecast-category | 200 200 404 404 | 401 | =
PUT    /api/v1/opportunities/{opportunities:R1}/forecast-category | 200 200 200 200 | 401 | =               | {"category": "commit"}
PUT    /api/v1/opportunities/{opportunities:R2}/forecast-category | 200 200 200 404 | 401 | =               | {"category": "commit"}
PUT    /api/v1/opportunities/{opportunities:R3}/forecast-category | 200 200 404 404 | 401 | =               | {"category": null}
# The rest of the API
GET    /api/v1/openapi.json                                       | 200 200 200 200 | 200 | =
GET    /api/v1/me                                                 | 200 200 200 200 | 401 | =
GET    /api/v1/scorecards?period=2026-Q1                          | 200 200 200 200 | 401 | =
GET    /api/v1/scorecards?period=2026-Q1&subject=rep:R2           | 200 200 200 404 | 401 | =
GET    /api/v1/scorecards?period=2026-Q1&subject=rep:R3           | 200 200 404 404 | 401 | =
GET    /api/v1/scorecards?period=2026-Q1&subject=organisation     | 200 200 404 404 | 401 | =
GET    /api/v1/breakdowns?period=2026-Q1                          | 200 200 200 200 | 401 | =
GET    /api/v1/breakdowns?period=2026-Q1&subject=rep:R3           | 200 200 404 404 | 401 | =
GET    /api/v1/breakdowns?period=2026-Q1&subject=organisation     | 200 200 404 404 | 401 | =
GET    /api/v1/nothing                                            | 404 404 404 404 | 401 | =
GET    /api/v1/opportunities?page=9223372036854775807             | 422 422 422 422 | 401 | =
GET    /api/v1/opportunities?page=-1                              | 422 422 422 422 | 401 | =
GET    /api/v1/opportunities?page_size=0                          | 422 422 422 422 | 401 | =
GET    /api/v1/opportunities?page_size=1000000                    | 422 422 422 422 | 401 | =
POST   /api/v1/activities                                         | 201 404 201 201 | 401 | 422 404 422 422 | {"type": "cold_call", "rep_id": {rep:R1}}
POST   /api/v1/activities                                         | 201 404 201 422 | 401 | 422 404 422 422 | {"type": "cold_call", "rep_id": {rep:R2}}
POST   /api/v1/activities                                         | 201 404 422 422 | 401 | 422 404 422 422 | {"type": "cold_call", "rep_id": {rep:R3}}
# accounts
GET    /records/accounts                                          | 200 200 200 200 | in  | =
GET    /records/accounts/export.csv                               | 200 200 200 200 | in  | =
GET    /records/accounts/new                                      | 200 404 200 200 | in  | =
POST   /records/accounts/new                                      | 303 404 303 303 | in  | 422 404 422 422 | name=Wayne&owner={rep:R1}
GET    /records/accounts/{accounts:R1}                            | 200 200 200 200 | in  | =
GET    /records/accounts/{accounts:R2}                            | 200 200 200 404 | in  | =
GET    /records/accounts/{accounts:R3}                            | 200 200 404 404 | in  | =
GET    /records/accounts/{accounts:R1}/edit                       | 200 404 200 200 | in  | =
GET    /records/accounts/{accounts:R2}/edit                       | 200 404 200 404 | in  | =
GET    /records/accounts/{accounts:R3}/edit                       | 200 404 404 404 | in  | =
POST   /records/accounts/{accounts:R1}/edit                       | 303 404 303 303 | in  | =               | name=Wayne&owner={rep:R1}
POST   /records/accounts/{accounts:R2}/edit                       | 303 404 303 404 | in  | =               | name=Wayne&owner={rep:R2}
POST   /records/accounts/{accounts:R3}/edit                       | 303 404 404 404 | in  | =               | name=Wayne&owner={rep:R3}
POST   /records/accounts/{new accounts:R1}/delete                 | 303 404 303 404 | in  | =
POST   /records/accounts/{new accounts:R2}/delete                 | 303 404 303 404 | in  | =
POST   /records/accounts/{new accounts:R3}/delete                 | 303 404 404 404 | in  | =
GET    /api/v1/accounts                                           | 200 200 200 200 | 401 | =
POST   /api/v1/accounts                                           | 201 404 201 201 | 401 | 422 404 422 422 | {"name": "Wayne", "owner": {rep:R1}}
GET    /api/v1/accounts/{accounts:R1}                             | 200 200 200 200 | 401 | =
GET    /api/v1/accounts/{accounts:R2}                             | 200 200 200 404 | 401 | =
GET    /api/v1/accounts/{accounts:R3}                             | 200 200 404 404 | 401 | =
PATCH  /api/v1/accounts/{accounts:R1}                             | 200 404 200 200 | 401 | =               | {}
PATCH  /api/v1/accounts/{accounts:R2}                             | 200 404 200 404 | 401 | =               | {}
PATCH  /api/v1/accounts/{accounts:R3}                             | 200 404 404 404 | 401 | =               | {}
# contacts
GET    /records/contacts                                          | 200 200 200 200 | in  | =
GET    /records/contacts/export.csv                               | 200 200 200 200 | in  | =
GET    /records/contacts/new                                      | 200 404 200 200 | in  | =
POST   /records/contacts/new                                      | 303 404 303 303 | in  | 422 404 422 422 | account={accounts:R1}&last_name=Doe
GET    /records/contacts/{contacts:R1}                            | 200 200 200 200 | in  | =
GET    /records/contacts/{contacts:R2}                            | 200 200 200 404 | in  | =
GET    /records/contacts/{contacts:R3}                            | 200 200 404 404 | in  | =
GET    /records/contacts/{contacts:R1}/edit                       | 200 404 200 200 | in  | =
GET    /records/contacts/{contacts:R2}/edit                       | 200 404 200 404 | in  | =
GET    /records/contacts/{contacts:R3}/edit                       | 200 404 404 404 | in  | =
POST   /records/contacts/{contacts:R1}/edit                       | 303 404 303 303 | in  | =               | account={accounts:R1}&last_name=Doe
POST   /records/contacts/{contacts:R2}/edit                       | 303 404 303 404 | in  | =               | account={accounts:R2}&last_name=Doe
POST   /records/contacts/{contacts:R3}/edit                       | 303 404 404 404 | in  | =               | account={accounts:R3}&last_name=Doe
POST   /records/contacts/{new contacts:R1}/delete                 | 303 404 303 404 | in  | =
POST   /records/contacts/{new contacts:R2}/delete                 | 303 404 303 404 | in  | =
POST   /records/contacts/{new contacts:R3}/delete                 | 303 404 404 404 | in  | =
GET    /api/v1/contacts                                           | 200 200 200 200 | 401 | =
POST   /api/v1/contacts                                           | 201 404 201 201 | 401 | 422 404 422 422 | {"account": {accounts:R1}, "last_name": "Doe"}
GET    /api/v1/contacts/{contacts:R1}                             | 200 200 200 200 | 401 | =
GET    /api/v1/contacts/{contacts:R2}                             | 200 200 200 404 | 401 | =
GET    /api/v1/contacts/{contacts:R3}                             | 200 200 404 404 | 401 | =
PATCH  /api/v1/contacts/{contacts:R1}                             | 200 404 200 200 | 401 | =               | {}
PATCH  /api/v1/contacts/{contacts:R2}                             | 200 404 200 404 | 401 | =               | {}
PATCH  /api/v1/contacts/{contacts:R3}                             | 200 404 404 404 | 401 | =               | {}
# leads
GET    /records/leads                                             | 200 200 200 200 | in  | =
GET    /records/leads/export.csv                                  | 200 200 200 200 | in  | =
GET    /records/leads/new                                         | 200 404 200 200 | in  | =
POST   /records/leads/new                                         | 303 404 303 303 | in  | 422 404 422 422 | company=Hooli&source=company&status=new&owner={rep:R1}&created_at=2026-03-02T10:00
GET    /records/leads/{leads:R1}                                  | 200 200 200 200 | in  | =
GET    /records/leads/{leads:R2}                                  | 200 200 200 404 | in  | =
GET    /records/leads/{leads:R3}                                  | 200 200 404 404 | in  | =
GET    /records/leads/{leads:R1}/edit                             | 200 404 200 200 | in  | =
GET    /records/leads/{leads:R2}/edit                             | 200 404 200 404 | in  | =
GET    /records/leads/{leads:R3}/edit                             | 200 404 404 404 | in  | =
POST   /records/leads/{leads:R1}/edit                             | 303 404 303 303 | in  | =               | company=Hooli&source=company&status=new&owner={rep:R1}&created_at=2026-03-02T10:00
POST   /records/leads/{leads:R2}/edit                             | 303 404 303 404 | in  | =               | company=Hooli&source=company&status=new&owner={rep:R2}&created_at=2026-03-02T10:00
POST   /records/leads/{leads:R3}/edit                             | 303 404 404 404 | in  | =               | company=Hooli&source=company&status=new&owner={rep:R3}&created_at=2026-03-02T10:00
POST   /records/leads/{new leads:R1}/delete                       | 303 404 303 404 | in  | =
POST   /records/leads/{new leads:R2}/delete                       | 303 404 303 404 | in  | =
POST   /records/leads/{new leads:R3}/delete                       | 303 404 404 404 | in  | =
GET    /records/leads/{leads:R1}/convert                          | 200 404 200 200 | in  | =
GET    /records/leads/{leads:R2}/convert                          | 200 404 200 404 | in  | =
GET    /records/leads/{leads:R3}/convert                          | 200 404 404 404 | in  | =
POST   /records/leads/{new leads:R1}/convert                      | 303 404 303 303 | in  | =               | account_name=Hooli&first_name=Gav&last_name=Belson&opportunity_name=Hooli+deal&amount=100
POST   /records/leads/{new leads:R2}/convert                      | 303 404 303 404 | in  | =               | account_name=Hooli&first_name=Gav&last_name=Belson&opportunity_name=Hooli+deal&amount=100
POST   /records/leads/{new leads:R3}/convert                      | 303 404 404 404 | in  | =               | account_name=Hooli&first_name=Gav&last_name=Belson&opportunity_name=Hooli+deal&amount=100
GET    /api/v1/leads                                              | 200 200 200 200 | 401 | =
POST   /api/v1/leads                                              | 201 404 201 201 | 401 | 422 404 422 422 | {"company": "Hooli", "source": "company", "status": "new", "owner": {rep:R1}, "created_at": "2026-03-02T10:00"}
GET    /api/v1/leads/{leads:R1}                                   | 200 200 200 200 | 401 | =
GET    /api/v1/leads/{leads:R2}                                   | 200 200 200 404 | 401 | =
GET    /api/v1/leads/{leads:R3}                                   | 200 200 404 404 | 401 | =
PATCH  /api/v1/leads/{leads:R1}                                   | 200 404 200 200 | 401 | =               | {}
PATCH  /api/v1/leads/{leads:R2}                                   | 200 404 200 404 | 401 | =               | {}
PATCH  /api/v1/leads/{leads:R3}                                   | 200 404 404 404 | 401 | =               | {}
POST   /api/v1/leads/{new leads:R1}/convert                       | 201 404 201 201 | 401 | =               | {"amount": "100"}
POST   /api/v1/leads/{new leads:R2}/convert                       | 201 404 201 404 | 401 | =               | {"amount": "100"}
POST   /api/v1/leads/{new leads:R3}/convert                       | 201 404 404 404 | 401 | =               | {"amount": "100"}
# the deal's amount is required and a lead has none: the names alone are refused, naming it
POST   /api/v1/leads/{new leads:R1}/convert                       | 422 404 422 422 | 401 | =               | {}
# opportunities
GET    /records/opportunities                                     | 200 200 200 200 | in  | =
GET    /records/opportunities/export.csv                          | 200 200 200 200 | in  | =
GET    /records/opportunities/new                                 | 200 404 200 200 | in  | =
POST   /records/opportunities/new                                 | 303 404 303 303 | in  | 422 404 422 422 | name=Deal&account={accounts:R1}&owner={rep:R1}&amount=100&created_at=2026-03-02T10:00
GET    /records/opportunities/{opportunities:R1}                  | 200 200 200 200 | in  | =
GET    /records/opportunities/{opportunities:R2}                  | 200 200 200 404 | in  | =
GET    /records/opportunities/{opportunities:R3}                  | 200 200 404 404 | in  | =
GET    /records/opportunities/{opportunities:R1}/edit             | 200 404 200 200 | in  | =
GET    /records/opportunities/{opportunities:R2}/edit             | 200 404 200 404 | in  | =
GET    /records/opportunities/{opportunities:R3}/edit             | 200 404 404 404 | in  | =
POST   /records/opportunities/{opportunities:R1}/edit             | 303 404 303 303 | in  | =               | name=Deal&account={accounts:R1}&owner={rep:R1}&amount=100&created_at=2026-03-02T10:00
POST   /records/opportunities/{opportunities:R2}/edit             | 303 404 303 404 | in  | =               | name=Deal&account={accounts:R2}&owner={rep:R2}&amount=100&created_at=2026-03-02T10:00
POST   /records/opportunities/{opportunities:R3}/edit             | 303 404 404 404 | in  | =               | name=Deal&account={accounts:R3}&owner={rep:R3}&amount=100&created_at=2026-03-02T10:00
POST   /records/opportunities/{new opportunities:R1}/delete       | 303 404 303 404 | in  | =
POST   /records/opportunities/{new opportunities:R2}/delete       | 303 404 303 404 | in  | =
POST   /records/opportunities/{new opportunities:R3}/delete       | 303 404 404 404 | in  | =
GET    /api/v1/opportunities                                      | 200 200 200 200 | 401 | =
POST   /api/v1/opportunities                                      | 201 404 201 201 | 401 | 422 404 422 422 | {"name": "Deal", "account": {accounts:R1}, "owner": {rep:R1}, "amount": "100", "created_at": "2026-03-02T10:00"}
GET    /api/v1/opportunities/{opportunities:R1}                   | 200 200 200 200 | 401 | =
GET    /api/v1/opportunities/{opportunities:R2}                   | 200 200 200 404 | 401 | =
GET    /api/v1/opportunities/{opportunities:R3}                   | 200 200 404 404 | 401 | =
PATCH  /api/v1/opportunities/{opportunities:R1}                   | 200 404 200 200 | 401 | =               | {}
PATCH  /api/v1/opportunities/{opportunities:R2}                   | 200 404 200 404 | 401 | =               | {}
PATCH  /api/v1/opportunities/{opportunities:R3}                   | 200 404 404 404 | 401 | =               | {}
DELETE /api/v1/opportunities/{new opportunities:R1}               | 200 404 200 404 | 401 | =
DELETE /api/v1/opportunities/{new opportunities:R2}               | 200 404 200 404 | 401 | =
DELETE /api/v1/opportunities/{new opportunities:R3}               | 200 404 404 404 | 401 | =
POST   /api/v1/opportunities/{opportunities:R1}/stage             | 200 404 200 200 | 401 | =               | {"stage": "proposal"}
POST   /api/v1/opportunities/{opportunities:R2}/stage             | 200 404 200 404 | 401 | =               | {"stage": "proposal"}
POST   /api/v1/opportunities/{opportunities:R3}/stage             | 200 404 404 404 | 401 | =               | {"stage": "proposal"}
POST   /api/v1/opportunities/{opportunities:R1}/stage             | 422 404 422 422 | 401 | =               | {"stage": "nowhere"}
# activities
GET    /records/activities                                        | 200 200 200 200 | in  | =
GET    /records/activities/export.csv                             | 200 200 200 200 | in  | =
GET    /records/activities/new                                    | 200 404 200 200 | in  | =
POST   /records/activities/new                                    | 303 404 303 303 | in  | 422 404 422 422 | type=cold_call&occurred_at=2026-03-02T10:00&rep={rep:R1}
GET    /records/activities/{activities:R1}                        | 200 200 200 200 | in  | =
GET    /records/activities/{activities:R2}                        | 200 200 200 404 | in  | =
GET    /records/activities/{activities:R3}                        | 200 200 404 404 | in  | =
GET    /records/activities/{activities:R1}/edit                   | 200 404 200 200 | in  | =
GET    /records/activities/{activities:R2}/edit                   | 200 404 200 404 | in  | =
GET    /records/activities/{activities:R3}/edit                   | 200 404 404 404 | in  | =
POST   /records/activities/{activities:R1}/edit                   | 303 404 303 303 | in  | =               | type=cold_call&occurred_at=2026-03-02T10:00&rep={rep:R1}
POST   /records/activities/{activities:R2}/edit                   | 303 404 303 404 | in  | =               | type=cold_call&occurred_at=2026-03-02T10:00&rep={rep:R2}
POST   /records/activities/{activities:R3}/edit                   | 303 404 404 404 | in  | =               | type=cold_call&occurred_at=2026-03-02T10:00&rep={rep:R3}
POST   /records/activities/{new activities:R1}/delete             | 303 404 303 303 | in  | =
POST   /records/activities/{new activities:R2}/delete             | 303 404 303 404 | in  | =
POST   /records/activities/{new activities:R3}/delete             | 303 404 404 404 | in  | =
POST   /records/activities/{new deleted:R1}/restore               | 303 404 303 303 | in  | =
POST   /records/activities/{new deleted:R2}/restore               | 303 404 303 404 | in  | =
POST   /records/activities/{new deleted:R3}/restore               | 303 404 404 404 | in  | =
GET    /api/v1/activities                                         | 200 200 200 200 | 401 | =
GET    /api/v1/activities/{activities:R1}                         | 200 200 200 200 | 401 | =
GET    /api/v1/activities/{activities:R2}                         | 200 200 200 404 | 401 | =
GET    /api/v1/activities/{activities:R3}                         | 200 200 404 404 | 401 | =
PATCH  /api/v1/activities/{activities:R1}                         | 200 404 200 200 | 401 | =               | {}
PATCH  /api/v1/activities/{activities:R2}                         | 200 404 200 404 | 401 | =               | {}
PATCH  /api/v1/activities/{activities:R3}                         | 200 404 404 404 | 401 | =               | {}
DELETE /api/v1/activities/{new activities:R1}                     | 200 404 200 200 | 401 | =
DELETE /api/v1/activities/{new activities:R2}                     | 200 404 200 404 | 401 | =
DELETE /api/v1/activities/{new activities:R3}                     | 200 404 404 404 | 401 | =
POST   /api/v1/activities/{new deleted:R1}/restore                | 200 404 200 200 | 401 | =
POST   /api/v1/activities/{new deleted:R2}/restore                | 200 404 200 404 | 401 | =
POST   /api/v1/activities/{new deleted:R3}/restore                | 200 404 404 404 | 401 | =
# estimates
GET    /records/estimates                                         | 200 200 200 200 | in  | =
GET    /records/estimates/export.csv                              | 200 200 200 200 | in  | =
GET    /records/estimates/new                                     | 200 404 200 200 | in  | =
POST   /records/estimates/new                                     | 303 404 303 303 | in  | 422 404 422 422 | issued_on=2026-03-02&product_line={pl}&rep={rep:R1}
GET    /records/estimates/{estimates:R1}                          | 200 200 200 200 | in  | =
GET    /records/estimates/{estimates:R2}                          | 200 200 200 404 | in  | =
GET    /records/estimates/{estimates:R3}                          | 200 200 404 404 | in  | =
GET    /records/estimates/{estimates:R1}/edit                     | 200 404 200 200 | in  | =
GET    /records/estimates/{estimates:R2}/edit                     | 200 404 200 404 | in  | =
GET    /records/estimates/{estimates:R3}/edit                     | 200 404 404 404 | in  | =
POST   /records/estimates/{estimates:R1}/edit                     | 303 404 303 303 | in  | =               | issued_on=2026-03-02&product_line={pl}&rep={rep:R1}
POST   /records/estimates/{estimates:R2}/edit                     | 303 404 303 404 | in  | =               | issued_on=2026-03-02&product_line={pl}&rep={rep:R2}
POST   /records/estimates/{estimates:R3}/edit                     | 303 404 404 404 | in  | =               | issued_on=2026-03-02&product_line={pl}&rep={rep:R3}
POST   /records/estimates/{new estimates:R1}/delete               | 303 404 303 404 | in  | =
POST   /records/estimates/{new estimates:R2}/delete               | 303 404 303 404 | in  | =
POST   /records/estimates/{new estimates:R3}/delete               | 303 404 404 404 | in  | =
GET    /api/v1/estimates                                          | 200 200 200 200 | 401 | =
POST   /api/v1/estimates                                          | 201 404 201 201 | 401 | 422 404 422 422 | {"issued_on": "2026-03-02", "product_line": {pl}, "rep": {rep:R1}}
GET    /api/v1/estimates/{estimates:R1}                           | 200 200 200 200 | 401 | =
GET    /api/v1/estimates/{estimates:R2}                           | 200 200 200 404 | 401 | =
GET    /api/v1/estimates/{estimates:R3}                           | 200 200 404 404 | 401 | =
PATCH  /api/v1/estimates/{estimates:R1}                           | 200 404 200 200 | 401 | =               | {}
PATCH  /api/v1/estimates/{estimates:R2}                           | 200 404 200 404 | 401 | =               | {}
PATCH  /api/v1/estimates/{estimates:R3}                           | 200 404 404 404 | 401 | =               | {}
"#;

/// One expectation of the table.
#[derive(Debug, Clone)]
struct Row {
    line: usize,
    method: String,
    path: String,
    home: [String; 4],
    signed_out: String,
    other: [String; 4],
    body: String,
}

fn rows() -> Vec<Row> {
    let mut rows = vec![];
    for (index, text) in TABLE.lines().enumerate() {
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let line = index + 1;
        let fields: Vec<&str> = text.splitn(5, '|').map(str::trim).collect();
        let four = |field: &str| -> [String; 4] {
            let statuses: Vec<String> = field.split_whitespace().map(str::to_string).collect();
            statuses.try_into().unwrap_or_else(|s| panic!("line {line}: four statuses, one per role: {s:?}"))
        };
        let (method, path) = fields[0].split_once(' ').unwrap_or_else(|| panic!("line {line}: METHOD path"));
        let home = four(fields.get(1).unwrap_or_else(|| panic!("line {line}: the home statuses")));
        let signed_out = fields.get(2).unwrap_or_else(|| panic!("line {line}: the signed-out status")).to_string();
        let other = match fields.get(3).copied() {
            None | Some("=") if path.contains('{') => ["404", "404", "404", "404"].map(String::from),
            None | Some("=") => home.clone(),
            Some(field) => four(field),
        };
        let body = fields.get(4).copied().unwrap_or_default().to_string();
        rows.push(Row {
            line,
            method: method.to_string(),
            path: path.trim().to_string(),
            home,
            signed_out,
            other,
            body,
        });
    }
    rows
}

/// The `{key}` placeholders of a text of the table; the braces of JSON hold none.
fn placeholders(text: &str) -> Vec<&str> {
    let mut keys = vec![];
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}').map(|close| &after[..close]).filter(|key| !key.is_empty() && !key.contains(['{', '"'])) {
            Some(key) => {
                keys.push(key);
                rest = &after[key.len() + 1..];
            }
            None => rest = after,
        }
    }
    keys
}

/// `text` with each placeholder replaced by its value.
fn fill(text: &str, value_of: impl Fn(&str) -> String) -> String {
    placeholders(text)
        .into_iter()
        .fold(text.to_string(), |filled, key| filled.replace(&format!("{{{key}}}"), &value_of(key)))
}

/// Whether an answer is what the table's status says.
fn matches(expected: &str, answer: &Answer) -> bool {
    let to_sign_in = answer.location.as_deref() == Some("/sign-in");
    let refused = answer.location.as_deref().is_some_and(|l| l.contains("error="));
    match expected {
        "in" => answer.status == StatusCode::SEE_OTHER && to_sign_in,
        "err" => answer.status == StatusCode::SEE_OTHER && refused,
        "303" => answer.status == StatusCode::SEE_OTHER && !to_sign_in && !refused,
        number => number.parse::<u16>().is_ok_and(|n| n == answer.status.as_u16()),
    }
}

/// The routes that end the caller's sessions: the caller is checked to be signed out after them,
/// then given its session back.
const ENDING_THE_SESSION: [&str; 2] = ["/sign-out", "/me/sign-out-everywhere"];

/// Who asks (for the report), as whom (organisation and role; `None` signed out), expecting what.
type Caller<'r> = (String, Option<(usize, &'static str)>, &'r str);

/// Everyone who makes a row's request: each role of both organisations, and someone signed out.
fn callers(row: &Row, home: usize) -> Vec<Caller<'_>> {
    let other = 1 - home;
    let mut callers: Vec<Caller> = vec![];
    for (i, role) in ROLES.iter().enumerate() {
        callers.push((role.to_string(), Some((home, role)), row.home[i].as_str()));
        callers.push((format!("other organisation's {role}"), Some((other, role)), row.other[i].as_str()));
    }
    callers.push(("signed out".into(), None, row.signed_out.as_str()));
    callers
}

/// The ids of the home organisation's records, with those a row's `{new …}` makes for one request.
async fn ids_for(world: &World, home: usize, row: &Row) -> HashMap<String, i64> {
    let mut ids = world.orgs[home].ids.clone();
    for key in placeholders(&row.path).into_iter().chain(placeholders(&row.body)) {
        if let Some(made) = key.strip_prefix("new ")
            && !ids.contains_key(key)
        {
            let (kind, rep) = made.split_once(':').unwrap_or_else(|| panic!("line {}: {{new kind:rep}}", row.line));
            ids.insert(key.to_string(), world.make(home, kind, rep).await);
        }
    }
    ids
}

/// Runs every row with `home` as the home organisation; returns what did not match.
async fn run_rows(world: &World, home: usize) -> Vec<String> {
    let mut failures = vec![];
    for row in rows() {
        for (who, caller, expected) in callers(&row, home) {
            let session = caller.map(|(org, role)| &world.orgs[org].sessions[role]);
            let email = &session.unwrap_or(&world.orgs[home].sessions["rep"]).email;
            let ids = ids_for(world, home, &row).await;
            let value_of = |key: &str| match key {
                "email" => email.clone(),
                key => ids.get(key).unwrap_or_else(|| panic!("line {}: no id for {{{key}}}", row.line)).to_string(),
            };
            let (path, body) = (fill(&row.path, value_of), fill(&row.body, value_of));
            let answer = world.call(&row.method, &path, session, &body).await;
            if let Some((org, role)) = caller
                && ENDING_THE_SESSION.contains(&row.path.as_str())
            {
                let after = world.call("GET", "/me", session, "").await;
                if !matches("in", &after) {
                    failures.push(format!("line {}: {} {path} as {who}: still signed in", row.line, row.method));
                }
                world.reopen_session(org, role).await;
            }
            if !matches(expected, &answer) {
                let excerpt: String = answer.body.chars().take(200).collect();
                failures.push(format!(
                    "line {}: {} {path} as {who}: expected {expected}, got {} {:?} {excerpt}",
                    row.line, row.method, answer.status, answer.location
                ));
            }
        }
    }
    failures
}

fn assert_matrix(world: &World) {
    let mut failures = block_on(run_rows(world, 0));
    failures.extend(block_on(run_rows(world, 1)));
    assert!(failures.is_empty(), "{} requests answered otherwise:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_route_answers_every_role_as_the_table_says_on_sqlite() {
    assert_matrix(&World::sqlite());
}

#[test]
fn every_route_answers_every_role_as_the_table_says_on_postgres() {
    if let Some(world) = World::postgres() {
        assert_matrix(&world);
    }
}

#[test]
fn the_table_has_every_route_and_method_of_the_router() {
    let router = routes::of_the_router();
    assert!(router.len() > 60, "only {} routes read: the reading of the router is broken", router.len());
    let mut covered = std::collections::BTreeSet::new();
    let mut unknown = vec![];
    for row in rows() {
        // Placeholders stand for ids: any number matches a parameter segment.
        let path = fill(&row.path, |_| "1".to_string());
        match routes::serving(&path, &router) {
            Some(route) if router.contains(&(row.method.clone(), route.to_string())) => {
                covered.insert((row.method.clone(), route.to_string()));
            }
            _ => unknown.push(format!("line {}: {} {} is no route of the router", row.line, row.method, row.path)),
        }
    }
    let missing: Vec<String> = router.difference(&covered).map(|(method, route)| format!("{method} {route}")).collect();
    assert!(unknown.is_empty(), "{}", unknown.join("\n"));
    assert!(missing.is_empty(), "routes of the router missing from TABLE:\n{}", missing.join("\n"));
}

/// Pages name a refusal by code: a link's own words never reach the page.
async fn refusals_are_shown_by_code_only(world: &World) {
    let org = &world.orgs[0];
    let r1 = org.ids["rep:R1"];
    let cases = [
        ("executive", "/plan?year=2027&error="),
        ("manager", "/pipeline?error="),
        ("manager", &format!("/territory-plans/{r1}?year=2026&error=") as &str),
    ];
    for (role, path) in cases {
        let session = &org.sessions[role];
        let planted =
            world.call("GET", &format!("{path}Call+555-0100+to+unlock+your+account"), Some(session), "").await;
        assert_eq!(planted.status, StatusCode::OK, "{path}");
        assert!(!planted.body.contains("555-0100"), "{path}: the text of the link is shown");
        assert!(!planted.body.contains("role=\"alert\""), "{path}: an unknown code shows nothing");
    }
    let known = world.call("GET", "/plan?year=2027&error=no_reps_to_plan", Some(&org.sessions["executive"]), "").await;
    assert!(
        known.body.contains("The organisation has no reps to allocate the plan to"),
        "a known code shows its message"
    );
    let moved = world.call("GET", "/pipeline?moved=Call+555-0100", Some(&org.sessions["manager"]), "").await;
    assert!(!moved.body.contains("555-0100"), "the notice of a move names a deal by its id only");
}

/// A manager reads their reps' share of the plan: not the company's objective, nor another
/// team's reps; the API gives them no plan and no company total.
async fn a_manager_sees_only_their_teams_share_of_the_plan(world: &World) {
    let org = &world.orgs[0];
    let executive = world.call("GET", "/plan?year=2027", Some(&org.sessions["executive"]), "").await;
    assert!(executive.body.contains("1,000,000") && executive.body.contains("Rui Costa"), "the whole plan");
    let manager = world.call("GET", "/plan?year=2027", Some(&org.sessions["manager"]), "").await;
    assert_eq!(manager.status, StatusCode::OK);
    assert!(manager.body.contains("Ana Ruiz"), "the manager's own reps are listed");
    assert!(!manager.body.contains("Rui Costa"), "another team's rep is not");
    assert!(!manager.body.contains("1,000,000"), "nor is the company's objective");
    let quotas = world::json(&world.call("GET", "/api/v1/plans/2027/quotas", Some(&org.sessions["manager"]), "").await);
    assert!(quotas["plan"].is_null() && quotas["difference"].is_null(), "{quotas}");
    assert_eq!(quotas["reps"].as_array().map(Vec::len), Some(2), "R1 and R2: {quotas}");
}

/// An admin reads a 1:1 without a box to tick; the rep ticks only their own actions.
async fn only_those_who_may_tick_an_action_see_its_box(world: &World) {
    let org = &world.orgs[0];
    let path = format!("/one-on-ones/{}", org.ids["one_on_one:R1"]);
    let boxes = |body: &str| body.matches("action=\"/one-on-one-actions/").count();
    let admin = world.call("GET", &path, Some(&org.sessions["admin"]), "").await;
    assert_eq!((admin.status, boxes(&admin.body)), (StatusCode::OK, 0), "the admin reads only");
    let rep = world.call("GET", &path, Some(&org.sessions["rep"]), "").await;
    assert_eq!(boxes(&rep.body), 1, "the rep's own action");
    let manager = world.call("GET", &path, Some(&org.sessions["manager"]), "").await;
    assert_eq!(boxes(&manager.body), 2, "the manager holds the 1:1");
}

async fn pages_keep_to_the_roles(world: &World) {
    refusals_are_shown_by_code_only(world).await;
    a_manager_sees_only_their_teams_share_of_the_plan(world).await;
    only_those_who_may_tick_an_action_see_its_box(world).await;
}

#[test]
fn pages_keep_to_the_roles_on_sqlite() {
    let world = World::sqlite();
    block_on(pages_keep_to_the_roles(&world));
}

#[test]
fn pages_keep_to_the_roles_on_postgres() {
    if let Some(world) = World::postgres() {
        block_on(pages_keep_to_the_roles(&world));
    }
}
