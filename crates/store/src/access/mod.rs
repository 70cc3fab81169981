//! Access: users, their sessions and API tokens, the throttle on failed sign-ins, and the
//! [`Viewer`] — who is asking and which reps' rows they reach — that every scoped query takes.

mod sessions;
mod throttle;
mod tokens;
mod users;
mod viewer;

pub use sessions::{Session, create_session, delete_session, find_session};
pub use throttle::{
    Failures, MAX_KEY_LENGTH, SignInHistory, Swept, record_failure, record_success, sign_in_history,
    sweep_sign_in_records,
};
pub use tokens::{ApiToken, create_token, find_token, list_tokens, revoke_token};
pub use users::{
    MAX_EMAIL_LENGTH, NewUser, User, add_user, disable_user, end_sessions_and_tokens, find_users_by_email, get_user,
    list_users, set_lang, set_password,
};
pub use viewer::Viewer;
