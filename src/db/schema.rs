//! The common schema of both backends, curated by hand: portable column types only.

diesel::table! {
    localities (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        kind -> Text,
        name -> Text,
        code -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        email_verified_at -> Nullable<Timestamp>,
        phone -> Nullable<Text>,
        username -> Nullable<Text>,
        password_hash -> Text,
        language -> Text,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    role_grants (id) {
        id -> Text,
        user_id -> Text,
        role -> Text,
        locality_id -> Nullable<Text>,
        granted_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        cookie_hash -> Nullable<Text>,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        user_id -> Text,
        notice_version -> Text,
        way -> Text,
        given_at -> Timestamp,
        recorded_by -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    privacy_choices (user_id) {
        user_id -> Text,
        optional_mail -> Bool,
        name_in_lists -> Bool,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    access_records (id) {
        id -> Text,
        subject_id -> Text,
        actor_id -> Text,
        actor_role -> Text,
        what -> Text,
        read_at -> Timestamp,
    }
}

diesel::table! {
    exports (id) {
        id -> Text,
        user_id -> Text,
        status -> Text,
        requested_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        ready_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
        size_bytes -> Nullable<BigInt>,
        content -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        tat_ms -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        session_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        email -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        kind -> Text,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    courses (id) {
        id -> Text,
        slug -> Text,
        owner_id -> Nullable<Text>,
        draft -> Text,
        draft_version -> Integer,
        latest_release -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_authors (course_id, user_id) {
        course_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    course_releases (id) {
        id -> Text,
        course_id -> Text,
        number -> Integer,
        content -> Text,
        content_hash -> Text,
        published_at -> Timestamp,
        published_by -> Nullable<Text>,
    }
}

diesel::table! {
    quiz_attempts (id) {
        id -> Text,
        user_id -> Text,
        course_id -> Text,
        quiz_key -> Text,
        release -> Integer,
        number -> Integer,
        status -> Text,
        paper -> Text,
        answers -> Text,
        started_at -> Timestamp,
        deadline_at -> Nullable<Timestamp>,
        submitted_at -> Nullable<Timestamp>,
        late -> Bool,
        score_bp -> Nullable<Integer>,
        passed -> Nullable<Bool>,
        result -> Nullable<Text>,
    }
}

diesel::table! {
    attempt_answers (attempt_id, question_key) {
        attempt_id -> Text,
        course_id -> Text,
        quiz_key -> Text,
        question_key -> Text,
        user_id -> Text,
        correct -> Bool,
        credit_bp -> Integer,
        wrong_answer -> Nullable<Text>,
    }
}

diesel::table! {
    enrollments (user_id, course_id) {
        user_id -> Text,
        course_id -> Text,
        status -> Text,
        enrolled_at -> Timestamp,
        last_activity_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    lesson_progress (user_id, course_id, lesson_key) {
        user_id -> Text,
        course_id -> Text,
        lesson_key -> Text,
        status -> Text,
        time_spent_seconds -> BigInt,
        started_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    progress_events (user_id, client_event_id) {
        user_id -> Text,
        client_event_id -> Text,
        course_id -> Text,
        lesson_key -> Text,
        status -> Text,
        time_spent_seconds -> BigInt,
        occurred_at -> Timestamp,
        received_at -> Timestamp,
        recorded_by -> Nullable<Text>,
    }
}

diesel::table! {
    programs (slug) {
        slug -> Text,
        title -> Text,
        title_en -> Text,
        summary -> Text,
        summary_en -> Text,
        groups -> Text,
        courses -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    certificates (id) {
        id -> Text,
        serial -> Text,
        user_id -> Text,
        kind -> Text,
        course_id -> Nullable<Text>,
        program_slug -> Nullable<Text>,
        title -> Text,
        title_en -> Text,
        recipient_name -> Text,
        issued_at -> Timestamp,
        credential -> Text,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        village_id -> Nullable<Text>,
        status_index -> Nullable<BigInt>,
    }
}

diesel::table! {
    census (locality_id, year) {
        locality_id -> Text,
        year -> Integer,
        population -> Nullable<BigInt>,
        aged_14_plus -> Nullable<BigInt>,
        adults -> Nullable<BigInt>,
        working_age -> Nullable<BigInt>,
        households -> Nullable<BigInt>,
        officials -> Nullable<BigInt>,
        enterprise_workers -> Nullable<BigInt>,
        updated_at -> Timestamp,
        students -> Nullable<BigInt>,
    }
}

diesel::table! {
    households (id) {
        id -> Text,
        village_id -> Text,
        code -> Text,
        label -> Text,
        address -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    learner_profiles (user_id) {
        user_id -> Text,
        birth_year -> Nullable<Integer>,
        gender -> Nullable<Text>,
        learner_group -> Text,
        village_id -> Nullable<Text>,
        household_id -> Nullable<Text>,
        eid_status -> Text,
        updated_at -> Timestamp,
        external_key -> Nullable<Text>,
        last_active_at -> Nullable<Timestamp>,
        // The `met_<indicator>` timestamps (migrations 000009 and 000030) are read and written
        // only by the SQL of `reports`, and left out here: diesel's tables stop at 16 columns by
        // default.
    }
}

diesel::table! {
    teams (id) {
        id -> Text,
        village_id -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    team_members (team_id, user_id) {
        team_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        actor_id -> Text,
        action -> Text,
        subject_user_id -> Nullable<Text>,
        locality_id -> Nullable<Text>,
        details -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    indicator_targets (locality_id, year, indicator) {
        locality_id -> Text,
        year -> Integer,
        indicator -> Text,
        kind -> Text,
        value_bp -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicator_config (indicator) {
        indicator -> Text,
        qualification -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicator_facts_basis (id) {
        id -> Integer,
        config -> Text,
        refreshed_at -> Timestamp,
    }
}

diesel::table! {
    certificate_signers (locality_id) {
        locality_id -> Text,
        issuing_body -> Nullable<Text>,
        place -> Nullable<Text>,
        signer_title -> Nullable<Text>,
        signer_name -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::joinable!(team_members -> teams (team_id));
diesel::joinable!(enrollments -> courses (course_id));
diesel::joinable!(quiz_attempts -> courses (course_id));
diesel::joinable!(course_authors -> courses (course_id));
diesel::joinable!(course_releases -> courses (course_id));
diesel::joinable!(role_grants -> localities (locality_id));
diesel::table! {
    village_links (id) {
        id -> Text,
        user_id -> Text,
        village_id -> Text,
        household_id -> Text,
        birth_year -> Nullable<Integer>,
        learner_group -> Text,
        eid_status -> Text,
        external_key -> Nullable<Text>,
        requested_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    erasure_requests (id) {
        id -> Text,
        user_id -> Text,
        requested_by -> Nullable<Text>,
        reason -> Nullable<Text>,
        document_ref -> Nullable<Text>,
        requested_at -> Timestamp,
        due_at -> Timestamp,
        cancelled_at -> Nullable<Timestamp>,
        cancelled_by -> Nullable<Text>,
        done_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(role_grants -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(one_time_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    consents,
    privacy_choices,
    access_records,
    exports,
    rate_limits,
    localities,
    users,
    role_grants,
    sessions,
    refresh_tokens,
    one_time_tokens,
    mail_outbox,
    courses,
    course_authors,
    course_releases,
    quiz_attempts,
    attempt_answers,
    enrollments,
    lesson_progress,
    progress_events,
    programs,
    certificates,
    census,
    households,
    learner_profiles,
    village_links,
    teams,
    team_members,
    audit_log,
    indicator_targets,
    indicator_config,
    indicator_facts_basis,
    certificate_signers,
);
