//! "Duplicate settings and invite" (rule MC-34): a new person with another's roles, numbers,
//! workgroups and dashboard access, judged as an invitation of exactly that person.

use super::{Change, PersonView};
use crate::problem::ApiError;
use switchboard_core::{Subject, UserId};
use switchboard_store::repo::users::{self, NewUser};

pub fn duplicate(cx: &mut Change<'_>, source: UserId, new: NewUser) -> Result<PersonView, ApiError> {
    let from = cx.person(source)?;
    let copy = Subject { user_id: UserId::new_random(), status: new.status, superadmin: false, ..from };
    cx.allow_result(cx.policy().can_invite(&cx.actor, &copy))?;
    let (user, _) = users::duplicate(cx.conn, cx.account(), source, &new, &cx.who)?;
    cx.person_view(user.id)
}
