//! "Duplicate settings and invite" (rule MC-34): a new person with another's roles, numbers,
//! workgroups and dashboard access. It takes `team.members.invite`: the roles are copied, not chosen,
//! but the copy must hold no more than the actor and lie within the actor's reach.

use super::{Change, PersonView};
use crate::problem::ApiError;
use switchboard_core::{Subject, UserId};
use switchboard_store::repo::users::{self, NewUser};

pub fn duplicate(cx: &mut Change<'_>, source: UserId, new: NewUser) -> Result<PersonView, ApiError> {
    let from = cx.person(source)?;
    let copy = Subject { user_id: UserId::new_random(), status: new.status, superadmin: false, ..from };
    cx.allow_result(cx.policy().can_duplicate(&cx.actor, &copy))?;
    let (user, _) = users::duplicate(cx.conn, cx.account(), source, &new, &cx.who)?;
    cx.person_view(user.id)
}
