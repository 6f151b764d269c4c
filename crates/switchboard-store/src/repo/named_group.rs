//! What workgroups and IVRs share: each is a named group of an account whose members are rows of a
//! table of their own (a workgroup's people, an IVR's numbers).

/// Declares, in the module that invokes it, a named group's record (`$Record`, with its members
/// sorted) and how it is stored: `first_unknown`, `get`, `list` (by name) and `delete`, public; the
/// `Row` it is read from, `records` (the members of many read in one query), `create_group` and
/// `change_group`, for the module's own use cases. `$what` names it in audit actions and in 404s.
macro_rules! named_group {
    (
        $(#[$meta:meta])*
        $Record:ident { name: $example:literal, $(#[$members_meta:meta])* $members:ident: $Member:ty },
        $Id:ident,
        $table:ident,
        $member_table:ident($owner_col:ident, $member_col:ident),
        $what:literal
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
        pub struct $Record {
            pub id: $Id,
            #[cfg_attr(feature = "openapi", schema(example = $example))]
            pub name: String,
            $(#[$members_meta])*
            pub $members: Vec<$Member>,
            pub created_at: chrono::DateTime<chrono::Utc>,
        }

        /// A row of the group's table, as read.
        #[derive(Queryable, Selectable)]
        #[diesel(table_name = $table, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
        struct Row {
            id: $Id,
            name: String,
            created_at: chrono::NaiveDateTime,
        }

        /// The groups of `rows` with their members, the members of all of them read in one query.
        fn records(conn: &mut DbConn, account: AccountId, rows: Vec<Row>) -> StoreResult<Vec<$Record>> {
            let owners: Vec<$Id> = rows.iter().map(|r| r.id).collect();
            let mut by_owner =
                crate::common::members_by_owner!(
                    conn, $member_table, account, $owner_col: $Id, $member_col: $Member, owners
                );
            rows.into_iter()
                .map(|r| {
                    Ok($Record {
                        $members: by_owner.remove(&r.id).unwrap_or_default(),
                        id: r.id,
                        name: r.name,
                        created_at: crate::common::from_db_time(r.created_at),
                    })
                })
                .collect()
        }

        /// The first of `wanted` that is not one of the account's.
        pub fn first_unknown(conn: &mut DbConn, account: AccountId, wanted: &[$Id]) -> StoreResult<Option<$Id>> {
            crate::common::first_unknown(wanted, |chunk| {
                Ok($table::table
                    .filter($table::account_id.eq(account).and($table::id.eq_any(chunk)))
                    .select($table::id)
                    .load(conn)?)
            })
        }

        /// One group of the account; not found when it has none of that id.
        pub fn get(conn: &mut DbConn, account: AccountId, id: $Id) -> StoreResult<$Record> {
            let row = crate::common::find_row!(conn, $table, account, id, Row, $what);
            records(conn, account, vec![row])?.pop().ok_or(StoreError::not_found($what))
        }

        /// The account's groups, ordered by name.
        pub fn list(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<$Record>> {
            let (rows, limit) = crate::common::page_by_text!(conn, $table of account, by name, Row, page);
            let items = records(conn, account, rows)?;
            Ok(Page::from_rows(items, limit, |g| vec![g.name.clone()]))
        }

        fn write_members(conn: &mut DbConn, account: AccountId, id: $Id, members: &[$Member]) -> StoreResult<()> {
            let members = crate::common::ids(members);
            crate::common::replace_rows!(conn, $member_table, account, $owner_col = id, $member_col, members);
            Ok(())
        }

        /// Creates a group of `members`, audited as `<what>.create`; `changes_access` when its members'
        /// access depends on it (the account's access version moves on).
        fn create_group(
            conn: &mut DbConn,
            (account, actor): (AccountId, &Actor),
            name: &str,
            members: &[$Member],
            changes_access: bool,
        ) -> StoreResult<$Record> {
            crate::common::check_name(name)?;
            crate::common::write_tx(conn, |conn| {
                let id = $Id::new_random();
                diesel::insert_into($table::table)
                    .values((
                        $table::account_id.eq(account),
                        $table::id.eq(id),
                        $table::name.eq(name.trim()),
                        $table::created_at.eq(crate::common::to_db_time(crate::common::now())),
                    ))
                    .execute(conn)?;
                write_members(conn, account, id, members)?;
                let created = get(conn, account, id)?;
                if changes_access {
                    crate::common::bump_access_version(conn, account)?;
                }
                let action = concat!($what, ".create");
                crate::common::audit(conn, account, actor, action, $what, id, None, Some(serde_json::json!(created)))?;
                Ok(created)
            })
        }

        /// Renames a group and/or replaces its members in one transaction, audited as `action`.
        fn change_group(
            conn: &mut DbConn,
            (account, actor, action): (AccountId, &Actor, &'static str),
            id: $Id,
            name: Option<&str>,
            members: Option<&[$Member]>,
            changes_access: bool,
        ) -> StoreResult<$Record> {
            if let Some(name) = name {
                crate::common::check_name(name)?;
            }
            let change = crate::common::RecordChange {
                account,
                actor,
                action,
                target_type: $what,
                id: id.to_string(),
                changes_access,
            };
            crate::common::change_record(
                conn,
                change,
                |conn| get(conn, account, id),
                |conn| {
                    if let Some(name) = name {
                        let of_account = $table::account_id.eq(account);
                        diesel::update($table::table.filter(of_account.and($table::id.eq(id))))
                            .set($table::name.eq(name.trim()))
                            .execute(conn)?;
                    }
                    if let Some(members) = members {
                        write_members(conn, account, id, members)?;
                    }
                    Ok(())
                },
            )
        }

        /// Deletes a group; refused ([`StoreError::InUse`]) when the history refers to it.
        pub fn delete(conn: &mut DbConn, account: AccountId, id: $Id, actor: &Actor) -> StoreResult<()> {
            crate::common::write_tx(conn, |conn| {
                let before = get(conn, account, id)?;
                let of_account = $table::account_id.eq(account);
                diesel::delete($table::table.filter(of_account.and($table::id.eq(id)))).execute(conn)?;
                crate::common::bump_access_version(conn, account)?;
                let action = concat!($what, ".delete");
                crate::common::audit(conn, account, actor, action, $what, id, Some(serde_json::json!(before)), None)
            })
            .map_err(StoreError::on_delete($what))
        }
    };
}
pub(crate) use named_group;
