-- A person's restriction of and objection to optional processing (src/privacy/choices.rs,
-- docs/PRIVACY.md; Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Article 4): whether they receive
-- mail other than security mail, and whether their full name is shown in facilitators' lists.
-- No row: both as the notice says (yes). changed_at: when the person last changed them.
CREATE TABLE privacy_choices (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    optional_mail BOOLEAN NOT NULL,
    name_in_lists BOOLEAN NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
