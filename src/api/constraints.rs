//! The shapes of request bodies and parameters, as JSON Schema for the OpenAPI document: types,
//! lengths, enumerations, formats and the plain ASCII patterns of keys, e-mail addresses and URLs,
//! so that generated clients get simple, named types. Rules only the server can judge are stated
//! in descriptions and answered 422: text is trimmed before its length is counted and may not be
//! blank, passwords may not be common ones, PINs not trivial, phone numbers are read in any usual
//! spelling, and some fields go together (an e-mail address or a phone number, a video and its
//! transcript). tests/api-fuzz/schemathesis.toml lists the operations that have such rules.
//!
//! Fields use them with `#[schema(schema_with = constraints::...)]`; [`refine`] adds what the
//! derive cannot say (descriptions of rules across fields, the discriminator of course items).

use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{OpenApi, RefOr};

use crate::content::{COMPETENCES, GROUPS, LANGUAGES, LEVELS, TOPICS};
// The domain's own field schemas and the primitives they are built on (`content::schema`).
pub use crate::content::schema::{any_groups, non_blank, non_blank_pattern, progress_status, uuid};
use crate::content::schema::{nullable, one_of, string};

/// `Profile::birth_years`: from 1900 to this year (the document is built at start-up).
pub fn birth_year_or_null() -> Object {
    let years = crate::db::community::Profile::birth_years();
    ObjectBuilder::new()
        .schema_type(nullable(Type::Integer))
        .format(Some(SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int32,
        )))
        .minimum(Some(*years.start()))
        .maximum(Some(*years.end()))
        .build()
}

/// `content::is_valid_key`: lowercase a-z and 0-9 in words joined by single hyphens.
pub const KEY_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

fn text_schema(max: usize, null: bool) -> Object {
    let mut b = string()
        .min_length(Some(1))
        .max_length(Some(max))
        .description(Some(format!(
        "1–{max} characters, not blank; surrounding whitespace is trimmed first (422 otherwise)."
    )));
    if null {
        b = b.schema_type(nullable(Type::String));
    }
    b.build()
}

/// Text of 1 to `MAX` characters once trimmed.
pub fn text<const MAX: usize>() -> Object {
    text_schema(MAX, false)
}

/// Optional text of 1 to `MAX` characters once trimmed; `null` leaves the value unchanged.
pub fn text_or_null<const MAX: usize>() -> Object {
    text_schema(MAX, true)
}

/// A key or slug (`content::is_valid_key`).
pub fn key() -> Object {
    string()
        .pattern(Some(KEY_PATTERN))
        .max_length(Some(64))
        .description(Some(
            "Lowercase a-z and 0-9 in words joined by single hyphens, at most 64 characters.",
        ))
        .build()
}

/// A list of keys or slugs.
pub fn keys() -> ArrayBuilder {
    ArrayBuilder::new().items(key())
}

/// Keys or slugs (as a field schema).
pub fn keys_field() -> RefOr<Schema> {
    keys().build().into()
}

/// A key or slug, or `null`.
pub fn key_or_null() -> Object {
    string()
        .schema_type(nullable(Type::String))
        .pattern(Some(KEY_PATTERN))
        .max_length(Some(64))
        .build()
}

/// The enumerations that fields may also leave `null`, by component name: such a field refers to
/// its enumeration (added to the components by [`refine`]), so that clients get one named type.
fn named_enums() -> [(&'static str, &'static [&'static str]); 7] {
    [
        ("Topic", TOPICS),
        ("Level", LEVELS),
        ("Language", LANGUAGES),
        ("LearnerGroup", GROUPS),
        ("Gender", crate::community::GENDERS),
        ("EidStatus", crate::community::EID_STATUSES),
        ("EidLevel", &["level2", "any"]),
    ]
}

/// One of the named enumeration `name`, or `null`.
fn enum_or_null(name: &str) -> Schema {
    utoipa::openapi::schema::AnyOfBuilder::new()
        .item(utoipa::openapi::Ref::from_schema_name(name))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into()
}

fn described(mut o: Object, description: &str) -> Object {
    o.description = Some(description.to_string());
    o
}

pub fn topic() -> Object {
    one_of(TOPICS, false)
}
pub fn topic_or_null() -> Schema {
    enum_or_null("Topic")
}
pub fn level() -> Object {
    one_of(LEVELS, false)
}
pub fn level_or_null() -> Schema {
    enum_or_null("Level")
}
pub fn language() -> Object {
    one_of(LANGUAGES, false)
}
pub fn language_or_null() -> Schema {
    enum_or_null("Language")
}
pub fn group_or_null() -> Schema {
    enum_or_null("LearnerGroup")
}
pub fn gender_or_null() -> Schema {
    enum_or_null("Gender")
}
pub fn eid_status_or_null() -> Schema {
    enum_or_null("EidStatus")
}
pub fn locality_kind() -> Object {
    one_of(crate::community::KINDS, false)
}

/// The only report breakdown (a query parameter: absent, not `null`, for none).
pub fn breakdown_or_null() -> Object {
    described(
        one_of(&["children"], false),
        "`children`: the same figures for each child locality too.",
    )
}

/// The only timeline interval.
pub fn interval_or_null() -> Object {
    described(one_of(&["month"], false), "`month` (the only interval).")
}

/// An indicator target's kind.
pub fn target_kind() -> Object {
    one_of(&["rate", "count"], false)
}

/// The e-identity level an indicator asks for.
pub fn eid_level_or_null() -> Schema {
    enum_or_null("EidLevel")
}

/// When a quiz shows the correct answers.
pub fn show_answers() -> Object {
    one_of(crate::content::SHOW_ANSWERS, false)
}

/// How residents are imported: `valid_rows` (default) or `all_or_nothing`.
pub fn import_mode_or_null() -> Object {
    described(
        one_of(&["valid_rows", "all_or_nothing"], false),
        "`all_or_nothing`: apply no row when any row has a problem. Default (`valid_rows`): apply the valid rows.",
    )
}

/// A locality's official code: 1–40 characters, `""` to remove it, `null` to keep it.
pub fn code_or_empty_or_null() -> Object {
    string()
        .schema_type(nullable(Type::String))
        .max_length(Some(40))
        .description(Some(
            "1–40 characters once trimmed; an empty string removes the code, null keeps it.",
        ))
        .build()
}

/// Strings, each once.
pub fn distinct_strings() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(string())
        .unique_items(true)
        .build()
        .into()
}

/// Learner groups: at least one, each once.
pub fn groups() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(one_of(GROUPS, false))
        .min_items(Some(1))
        .unique_items(true)
        .build()
        .into()
}

pub fn groups_or_null() -> RefOr<Schema> {
    ArrayBuilder::new()
        .schema_type(nullable(Type::Array))
        .items(one_of(GROUPS, false))
        .min_items(Some(1))
        .unique_items(true)
        .build()
        .into()
}

/// TT02 / DigComp 2.2 competence codes.
pub fn competences() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(one_of(COMPETENCES, false))
        .build()
        .into()
}

pub fn competences_or_null() -> RefOr<Schema> {
    ArrayBuilder::new()
        .schema_type(nullable(Type::Array))
        .items(one_of(COMPETENCES, false))
        .build()
        .into()
}

/// An `http(s)` URL in plain form: a host name of ASCII labels whose last one starts with a
/// letter, an optional port of 1–4 digits, then printable ASCII (the server checks exactly this,
/// and that the WHATWG parser reads it).
pub fn url_pattern() -> String {
    // The same grammar as `content::validate::is_plain_http_url`, which the server applies.
    let label = "[A-Za-z0-9](-*[A-Za-z0-9])*";
    let last = "[A-Za-z](-*[A-Za-z0-9])*";
    format!(r"^https?://({label}\.)*{last}(:[0-9]{{1,4}})?([/?#][!-~]*)?$")
}

fn url_schema(empty: bool, null: bool) -> Object {
    let pattern = if empty {
        format!("^$|{}", url_pattern())
    } else {
        url_pattern()
    };
    let mut b = string().pattern(Some(pattern)).description(Some(if empty {
        "An http(s) URL; an empty string removes it."
    } else {
        "An http(s) URL."
    }));
    if null {
        b = b.schema_type(nullable(Type::String));
    }
    b.build()
}

/// An http(s) URL, or `null` (none).
pub fn url_or_null() -> Object {
    url_schema(false, true)
}

/// An http(s) URL, `""` to remove it, or `null` to leave it unchanged.
pub fn url_or_empty_or_null() -> Object {
    url_schema(true, true)
}

/// A lesson's sources: title, http(s) URL, day of access.
fn source() -> Object {
    ObjectBuilder::new()
        .property("title", non_blank())
        .required("title")
        .property("url", string().pattern(Some(url_pattern())))
        .required("url")
        .property(
            "accessed",
            string()
                .schema_type(nullable(Type::String))
                .format(Some(SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Date,
                ))),
        )
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .build()
}

pub fn sources() -> RefOr<Schema> {
    ArrayBuilder::new().items(source()).build().into()
}

pub fn sources_or_null() -> RefOr<Schema> {
    ArrayBuilder::new()
        .schema_type(nullable(Type::Array))
        .items(source())
        .build()
        .into()
}

/// A lesson body: Markdown, not blank, at most `validate::MAX_BODY_BYTES` bytes of UTF-8 with the
/// final newline the server adds (`files::normalize_body`). JSON Schema counts characters: the
/// limit is exact for ASCII text.
fn body_schema(null: bool) -> Object {
    let mut b = string()
        .min_length(Some(1))
        .max_length(Some(crate::content::validate::MAX_BODY_BYTES - 1))
        .description(Some(
            "Markdown, not blank; at most 200,000 bytes of UTF-8 with the final newline the server adds.",
        ));
    if null {
        b = b.schema_type(nullable(Type::String));
    }
    b.build()
}

pub fn lesson_body() -> Object {
    body_schema(false)
}
pub fn lesson_body_or_null() -> Object {
    body_schema(true)
}

/// A token the server gave out: 1–200 printable ASCII characters.
pub fn opaque_token() -> Object {
    string()
        .pattern(Some("^[!-~]{1,200}$"))
        .description(Some("Opaque; as the server gave it out."))
        .build()
}

/// A lower-cased-on-arrival e-mail address (`accounts::normalize_email`), in its plain ASCII form.
pub fn email_pattern() -> &'static str {
    r"^[!-?A-~]{1,64}@[!-\-/-?A-~]+(\.[!-\-/-?A-~]+)+$"
}

/// Registration: an e-mail address, or `null` / blank for none.
pub fn email_or_blank() -> Object {
    string()
        .schema_type(nullable(Type::String))
        .max_length(Some(254))
        .description(Some(
            "An e-mail address (surrounding whitespace is trimmed); null or blank for none. Give an e-mail address, a phone number or both.",
        ))
        .build()
}

/// Registration: a Vietnamese phone number, or `null` / blank for none.
pub fn phone_or_blank() -> Object {
    string()
        .schema_type(nullable(Type::String))
        .max_length(Some(64))
        .description(Some(
            "A Vietnamese phone number in any usual spelling (+84..., 0084..., 0...; spaces, dots, hyphens and brackets allowed), stored as +84...; null or blank for none.",
        ))
        .build()
}

/// A new e-mail address, or `null` to keep the current one.
pub fn email_or_null() -> Object {
    string()
        .schema_type(nullable(Type::String))
        .pattern(Some(email_pattern()))
        .max_length(Some(254))
        .description(Some(
            "A new address must be verified again; a verification mail is sent.",
        ))
        .build()
}

/// `auth::password::check_strength`: 8–128 characters, not a common password (that rule is the
/// server's: 422 `weak_password`).
pub fn new_password() -> Object {
    string()
        .min_length(Some(8))
        .max_length(Some(128))
        .description(Some(
            "8–128 characters, not one of the common passwords (compared case-insensitively; 422 otherwise).",
        ))
        .build()
}

/// `community::check_pin_or_password`: a PIN of 6–8 digits that is not a repeated or
/// consecutive run, or else a password of 8–128 characters that is not a common one.
pub fn pin_or_password() -> Object {
    string()
        .min_length(Some(6))
        .max_length(Some(128))
        .description(Some(
            "A PIN of 6–8 digits (not repeated or consecutive digits) or a password of 8–128 characters that is not a common one (422 otherwise).",
        ))
        .build()
}

/// `accounts::normalize_username`: 3–32 of a-z, 0-9, `.`, `_`, `-`, starting with a letter or
/// digit (upper case is lowered).
pub fn username() -> Object {
    string()
        .pattern(Some("^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$"))
        .description(Some(
            "3–32 of a-z, 0-9, `.`, `_`, `-`, starting with a letter or a digit (upper case is lowered, surrounding whitespace trimmed).",
        ))
        .build()
}

/// Must be `null` or absent here: only facilitators and admins set it.
pub fn staff_only() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Null)
        .description(Some(
            "Set by a facilitator or an admin (`PUT /facilitator/residents/{id}/profile`); must be null or absent here.",
        ))
        .build()
}

/// Describes the rules that tie fields of one request together (the server answers 422 when
/// they are not met), and gives course items their discriminator.
pub fn refine(doc: &mut OpenApi) {
    let rules = [
        (
            "RegisterRequest",
            "Give an e-mail address, a phone number or both (422 `validation_failed` otherwise).",
        ),
        (
            "CreateLocalityRequest",
            "A locality without `parent_id` is a province (422 otherwise).",
        ),
        (
            "CreateLessonRequest",
            "A lesson with a `video_url` needs a `transcript` that is not blank (422 otherwise).",
        ),
        (
            "UpdateLessonRequest",
            "A lesson with a video needs a transcript that is not blank (422 otherwise).",
        ),
        (
            "TargetRequest",
            "A `rate` is 0–100 (percent), a `count` a whole number of 0–1,000,000,000 (422 otherwise).",
        ),
        (
            "QualificationRequest",
            "At least one condition: `eid`, `all_courses`, `any_courses` or `program` (422 otherwise).",
        ),
    ];
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (name, rule) in rules {
        match components.schemas.get_mut(name) {
            Some(RefOr::T(Schema::Object(o))) => {
                o.description = Some(match o.description.take() {
                    Some(d) if !d.is_empty() => format!("{d}\n\n{rule}"),
                    _ => rule.to_string(),
                });
            }
            _ => panic!("no object schema `{name}` to refine"),
        }
    }
    for (name, values) in named_enums() {
        components
            .schemas
            .insert(name.to_string(), RefOr::T(one_of(values, false).into()));
    }
    tagged_union(
        components,
        "ItemDoc",
        "kind",
        &[
            ("lesson", "LessonItem", "LessonDoc"),
            ("quiz", "QuizItem", "QuizDoc"),
        ],
    );
}

/// A serde-tagged enum as a `oneOf` of named schemas (each its variant's schema with the tag
/// property) and a `discriminator`, which client generators need to read it: `(tag value, name of
/// the new schema, name of the variant's schema)`.
fn tagged_union(
    components: &mut utoipa::openapi::Components,
    name: &str,
    tag: &str,
    variants: &[(&str, &str, &str)],
) {
    use utoipa::openapi::schema::{AllOfBuilder, Discriminator, OneOfBuilder};
    use utoipa::openapi::Ref;
    let mut one_of = OneOfBuilder::new();
    let mut discriminator = Discriminator::new(tag);
    for (value, variant, inner) in variants {
        let tagged = ObjectBuilder::new()
            .property(tag, string().enum_values(Some([*value])))
            .required(tag);
        let schema = AllOfBuilder::new()
            .item(Ref::from_schema_name(*inner))
            .item(tagged)
            .build();
        components
            .schemas
            .insert(variant.to_string(), RefOr::T(schema.into()));
        one_of = one_of.item(Ref::from_schema_name(*variant));
        discriminator
            .mapping
            .insert(value.to_string(), format!("#/components/schemas/{variant}"));
    }
    let schema = one_of.discriminator(Some(discriminator)).build();
    components
        .schemas
        .insert(name.to_string(), RefOr::T(schema.into()));
}
