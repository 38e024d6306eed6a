-- Erasure at a person's request (src/privacy/erasure.rs, docs/PRIVACY.md; Luật Bảo vệ dữ liệu cá
-- nhân 91/2025/QH15, Article 16). A request is made by the person (requested_by NULL) or by
-- a facilitator or admin on a documented request (reason, document_ref); it is carried out once
-- due_at has passed unless cancelled before.
CREATE TABLE erasure_requests (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    requested_by TEXT REFERENCES users (id),
    reason TEXT,
    document_ref TEXT,
    requested_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    cancelled_at TIMESTAMP,
    cancelled_by TEXT REFERENCES users (id),
    done_at TIMESTAMP
);
CREATE INDEX erasure_requests_by_user ON erasure_requests (user_id, requested_at);
CREATE INDEX erasure_requests_due ON erasure_requests (due_at);

-- What the movement's reports need of an erased person, as an anonymous fact: no user, no
-- household, no gender, no key; the facts' times cut to the first of their month (reports compare
-- them with month boundaries only). The indicator reports count these rows as they count the
-- profiles, so that no figure changes when a person is erased.
CREATE TABLE erased_facts (
    id TEXT PRIMARY KEY NOT NULL,
    village_id TEXT NOT NULL REFERENCES localities (id),
    birth_year INTEGER,
    learner_group TEXT NOT NULL,
    eid_status TEXT NOT NULL,
    last_active_at TIMESTAMP,
    met_eid_level2_14plus TIMESTAMP,
    met_eid_any_14plus TIMESTAMP,
    met_working_age_trained TIMESTAMP,
    met_officials_skilled TIMESTAMP,
    met_adults_basic_knowledge TIMESTAMP,
    met_adults_certified TIMESTAMP,
    met_enterprise_workers_skilled TIMESTAMP,
    met_households_certified TIMESTAMP,
    met_students_skilled TIMESTAMP
);
CREATE INDEX erased_facts_village ON erased_facts (village_id);

-- When an erased former member first counted for the household indicator: the household keeps
-- counting from then although the member is gone (reports::facts).
ALTER TABLE households ADD COLUMN erased_met_at TIMESTAMP;
