//! The diesel schema, shared by both dialects: the migrations in `migrations/sqlite` and
//! `migrations/postgres` create the same tables with the same column types (ids are UUID text,
//! timestamps UTC `timestamp`).

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    accounts (id) {
        id -> AccountIdText,
        slug -> Text,
        name -> Text,
        preset_pack -> Text,
        superadmin_user_id -> UserIdText,
        access_version -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        require_two_factor -> Bool,
        preset_version -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    access_review_decisions (account_id, user_id, role_id) {
        account_id -> AccountIdText,
        user_id -> UserIdText,
        role_id -> RoleIdText,
        decision -> Text,
        reviewer_id -> Text,
        note -> Text,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    account_deletions (deleted_account_id) {
        deleted_account_id -> AccountIdText,
        slug -> Text,
        name -> Text,
        preset_pack -> Text,
        deleted_by -> Text,
        deleted_at -> Timestamp,
        records -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    users (id) {
        account_id -> AccountIdText,
        id -> UserIdText,
        email -> Text,
        name -> Text,
        status -> Text,
        password_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_sign_in_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    workgroups (id) {
        account_id -> AccountIdText,
        id -> WorkgroupIdText,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    workgroup_members (workgroup_id, user_id) {
        account_id -> AccountIdText,
        workgroup_id -> WorkgroupIdText,
        user_id -> UserIdText,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    numbers (id) {
        account_id -> AccountIdText,
        id -> NumberIdText,
        e164 -> Text,
        label -> Text,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    number_users (number_id, user_id) {
        account_id -> AccountIdText,
        number_id -> NumberIdText,
        user_id -> UserIdText,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    ivrs (id) {
        account_id -> AccountIdText,
        id -> IvrIdText,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    ivr_numbers (number_id) {
        account_id -> AccountIdText,
        ivr_id -> IvrIdText,
        number_id -> NumberIdText,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    roles (id) {
        account_id -> AccountIdText,
        id -> RoleIdText,
        key -> Text,
        name -> Text,
        description -> Text,
        origin -> Text,
        scope -> Text,
        recents -> Text,
        grants -> Text,
        guards -> Text,
        kinds -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        copied_from_preset -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    role_scope_numbers (role_id, number_id) {
        account_id -> AccountIdText,
        role_id -> RoleIdText,
        number_id -> NumberIdText,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    role_assignments (user_id, role_id) {
        account_id -> AccountIdText,
        user_id -> UserIdText,
        role_id -> RoleIdText,
        assigned_at -> Timestamp,
        starts_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        assigned_by -> Nullable<Text>,
        reason -> Nullable<Text>,
        start_announced -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    dashboard_workgroups (user_id, workgroup_id) {
        account_id -> AccountIdText,
        user_id -> UserIdText,
        workgroup_id -> WorkgroupIdText,
        starts_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        start_announced -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    dashboard_ivrs (user_id, ivr_id) {
        account_id -> AccountIdText,
        user_id -> UserIdText,
        ivr_id -> IvrIdText,
        starts_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        start_announced -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    communications (account_id, id) {
        account_id -> AccountIdText,
        id -> CommunicationIdText,
        kind -> Text,
        direction -> Text,
        number_id -> Nullable<NumberIdText>,
        workgroup_id -> Nullable<WorkgroupIdText>,
        ivr_id -> Nullable<IvrIdText>,
        started_at -> Timestamp,
        duration_seconds -> Integer,
        has_recording -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    communication_participants (account_id, communication_id, user_id) {
        account_id -> AccountIdText,
        communication_id -> CommunicationIdText,
        user_id -> UserIdText,
        started_at -> Timestamp,
    }
}

// Only the key: the kinds' sums (twelve columns) are written and read by SQL in `repo::totals`, and
// diesel's tables stop at sixteen columns without a slower-building feature.
diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    communication_totals (account_id, dimension, grain, ref_id, period, stripe) {
        account_id -> AccountIdText,
        dimension -> Text,
        grain -> Text,
        ref_id -> Text,
        period -> Text,
        stripe -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    communication_pair_totals (account_id, pair, ref_a, period, ref_b, stripe) {
        account_id -> AccountIdText,
        pair -> Text,
        ref_a -> Text,
        period -> Text,
        ref_b -> Text,
        stripe -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    api_keys (id) {
        account_id -> AccountIdText,
        id -> Text,
        user_id -> UserIdText,
        name -> Text,
        prefix -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        grants -> Nullable<Text>,
        purpose -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    scim_users (account_id, user_id) {
        account_id -> AccountIdText,
        user_id -> UserIdText,
        user_name -> Text,
        user_name_key -> Text,
        external_id -> Nullable<Text>,
        attributes -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    group_mappings (id) {
        account_id -> AccountIdText,
        id -> Text,
        workgroup_id -> WorkgroupIdText,
        roles -> Text,
        dashboard_workgroups -> Text,
        dashboard_ivrs -> Text,
        priority -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        written_by -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    scim_groups (account_id, workgroup_id) {
        account_id -> AccountIdText,
        workgroup_id -> WorkgroupIdText,
        external_id -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    two_factor (account_id, user_id) {
        account_id -> AccountIdText,
        user_id -> UserIdText,
        sealed_secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        recovery_hashes -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    sessions (id) {
        account_id -> AccountIdText,
        id -> Text,
        user_id -> UserIdText,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        ended_why -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    audit_events (id) {
        account_id -> AccountIdText,
        id -> Text,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Text>,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        at -> Timestamp,
        seq -> BigInt,
    }
}

diesel::joinable!(role_assignments -> roles (role_id));

diesel::allow_tables_to_appear_in_same_query!(
    access_review_decisions,
    account_deletions,
    accounts,
    users,
    workgroups,
    workgroup_members,
    numbers,
    number_users,
    ivrs,
    ivr_numbers,
    roles,
    role_scope_numbers,
    role_assignments,
    dashboard_workgroups,
    dashboard_ivrs,
    communications,
    communication_participants,
    communication_totals,
    communication_pair_totals,
    api_keys,
    scim_users,
    scim_groups,
    group_mappings,
    sessions,
    two_factor,
    audit_events,
    webhooks,
    webhook_deliveries,
    event_sink_cursors,
    event_counters,
);

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    webhooks (id) {
        account_id -> AccountIdText,
        id -> Text,
        url -> Text,
        description -> Text,
        secret_sealed -> Text,
        active -> Bool,
        delivered_seq -> BigInt,
        failures -> BigInt,
        retry_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        leased_by -> Nullable<Text>,
        lease_until -> Timestamp,
        created_by -> Text,
        created_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    webhook_deliveries (id) {
        account_id -> AccountIdText,
        id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        seq -> BigInt,
        attempt -> BigInt,
        manual -> Bool,
        attempted_at -> Timestamp,
        status_code -> Nullable<BigInt>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    event_counters (account_id) {
        account_id -> AccountIdText,
        seq -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::*;

    event_sink_cursors (account_id, sink) {
        account_id -> AccountIdText,
        sink -> Text,
        seq -> BigInt,
    }
}
