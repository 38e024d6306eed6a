//! The validation rules of request bodies and parameters, as JSON Schema for the OpenAPI
//! document: each builder mirrors one server-side check, so a client (or a fuzzer) that follows
//! the document is not refused with 422, and one that does not follow it is. They are exact,
//! except that e-mail addresses and URLs are given in their plain ASCII form (the server also
//! takes forms no pattern states well) and that surrounding whitespace, which the server trims,
//! is not offered for keys and e-mail addresses.
//!
//! Fields use them with `#[schema(schema_with = constraints::...)]`; rules that tie several
//! fields together are added to the component schemas by [`refine`]. Keywords utoipa's types do
//! not model (`not`, `anyOf` beside `properties`) go into the schema's flattened extension map.

use serde_json::{json, Value};
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, Object, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{OpenApi, RefOr};

use crate::content::{COMPETENCES, GROUPS, LANGUAGES, LEVELS, TOPICS};

/// The characters `str::trim` removes (Unicode `White_Space`), as a regex class body.
const WS: &str = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Not blank: some character that `trim` keeps (`Validator::length`, `Checker::text`).
pub fn non_blank_pattern() -> String {
    format!("[^{WS}]")
}

/// Only whitespace (or nothing): what the server treats as an absent value.
fn blank_pattern() -> String {
    format!("^[{WS}]*$")
}

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

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn nullable(t: Type) -> SchemaType {
    SchemaType::from_iter([t, Type::Null])
}

fn with_keyword(mut o: Object, name: &str, value: Value) -> Object {
    o.extensions
        .get_or_insert_with(Default::default)
        .insert(name.to_string(), value);
    o
}

/// Text of 1 to `max` characters once trimmed: `max` counts the characters between the first and
/// the last that `trim` keeps, so surrounding whitespace does not count (a `maxLength` would).
pub fn trimmed_length_pattern(max: usize) -> String {
    assert!(max >= 2);
    let middle = max - 2;
    format!(r"^[{WS}]*[^{WS}]([\s\S]{{0,{middle}}}[^{WS}])?[{WS}]*$")
}

fn text_schema(max: Option<usize>, null: bool) -> Object {
    let (pattern, description) = match max {
        Some(max) => (
            trimmed_length_pattern(max),
            format!("1–{max} characters, not counting surrounding whitespace (it is ignored)."),
        ),
        None => (non_blank_pattern(), "Not blank.".to_string()),
    };
    let mut b = string()
        .min_length(Some(1))
        .pattern(Some(pattern))
        .description(Some(description));
    if null {
        b = b.schema_type(nullable(Type::String));
    }
    b.build()
}

/// Text of 1 to `MAX` characters once trimmed.
pub fn text<const MAX: usize>() -> Object {
    text_schema(Some(MAX), false)
}

/// Optional text of 1 to `MAX` characters once trimmed; `null` leaves the value unchanged.
pub fn text_or_null<const MAX: usize>() -> Object {
    text_schema(Some(MAX), true)
}

/// Text that is not blank, of any length.
pub fn non_blank() -> Object {
    text_schema(None, false)
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

fn described(mut o: Object, description: &str) -> Object {
    o.description = Some(description.to_string());
    o
}

fn one_of(values: &[&str], null: bool) -> Object {
    let mut list: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    let mut b = string();
    if null {
        list.push(Value::Null);
        b = b.schema_type(nullable(Type::String));
    }
    b.enum_values(Some(list)).build()
}

pub fn topic() -> Object {
    one_of(TOPICS, false)
}
pub fn topic_or_null() -> Object {
    one_of(TOPICS, true)
}
pub fn level() -> Object {
    one_of(LEVELS, false)
}
pub fn level_or_null() -> Object {
    one_of(LEVELS, true)
}
pub fn language() -> Object {
    one_of(LANGUAGES, false)
}
pub fn language_or_null() -> Object {
    one_of(LANGUAGES, true)
}
pub fn group_or_null() -> Object {
    one_of(GROUPS, true)
}
pub fn gender_or_null() -> Object {
    one_of(crate::community::GENDERS, true)
}
pub fn eid_status_or_null() -> Object {
    one_of(crate::community::EID_STATUSES, true)
}
pub fn locality_kind() -> Object {
    one_of(crate::community::KINDS, false)
}

/// A lesson progress event: `started` or `completed`.
pub fn progress_status() -> Object {
    one_of(&["started", "completed"], false)
}

/// The only report breakdown.
pub fn breakdown_or_null() -> Object {
    described(
        one_of(&["children"], true),
        "`children`: the same figures for each child locality too.",
    )
}

/// The only timeline interval.
pub fn interval_or_null() -> Object {
    described(one_of(&["month"], true), "`month` (the only interval).")
}

/// An indicator target's kind.
pub fn target_kind() -> Object {
    one_of(&["rate", "count"], false)
}

/// The e-identity level an indicator asks for.
pub fn eid_level_or_null() -> Object {
    one_of(&["level2", "any"], true)
}

/// When a quiz shows the correct answers.
pub fn show_answers() -> Object {
    one_of(crate::content::SHOW_ANSWERS, false)
}

/// How residents are imported: `valid_rows` (default) or `all_or_nothing`.
pub fn import_mode_or_null() -> Object {
    described(
        one_of(&["valid_rows", "all_or_nothing"], true),
        "`all_or_nothing`: apply no row when any row has a problem. Default (`valid_rows`): apply the valid rows.",
    )
}

/// A locality's official code: 1–40 characters, `""` to remove it, `null` to keep it.
pub fn code_or_empty_or_null() -> Schema {
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .item(string().enum_values(Some([""])))
        .item(text::<40>())
        .description(Some(
            "1–40 characters; an empty string removes the code, null keeps it.",
        ))
        .build()
        .into()
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

/// Learner groups, possibly none, repeats allowed (programs).
pub fn any_groups() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(one_of(GROUPS, false))
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

/// An `http(s)` URL with a host name (the server accepts any URL the WHATWG parser reads with
/// an http(s) scheme and a host; this is the plain form of those).
pub fn url_pattern() -> String {
    let label = "[A-Za-z](-?[A-Za-z0-9])*";
    format!(r"^https?://{label}(\.{label})*(:[0-9]{{1,4}})?([/?#][!-~]*)?$")
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
        .pattern(Some(non_blank_pattern()))
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

/// A device-made UUID.
pub fn uuid() -> Object {
    string()
        .format(Some(SchemaFormat::Custom("uuid".into())))
        .build()
}

/// A lower-cased-on-arrival e-mail address (`accounts::normalize_email`), in its plain ASCII form.
pub fn email_pattern() -> &'static str {
    r"^[!-?A-~]{1,64}@[!-\-/-?A-~]+(\.[!-\-/-?A-~]+)+$"
}

fn email_schema() -> Object {
    string()
        .pattern(Some(email_pattern()))
        .max_length(Some(254))
        .build()
}

/// `accounts::normalize_phone`: a Vietnamese number as +84..., 0084..., 0... or 84..., with any
/// spaces, dots, hyphens and brackets.
pub fn phone_pattern() -> String {
    let ws = format!("[{WS}]*");
    let sep = "[ .()-]*";
    let ch = |class: &str| format!("{class}{sep}");
    let digits = |n: usize| format!("(?:{}){{{n}}}", ch("[0-9]"));
    // The national number: a mobile (3, 5, 7, 8 or 9 and eight digits) or a landline (2 and nine).
    let national = format!(
        "(?:{}{}|{}{})",
        ch("[35789]"),
        digits(8),
        ch("2"),
        digits(9)
    );
    // The same, not starting with 84 (after `00`, that would read as the `0084` prefix).
    let national_not_84 = format!(
        "(?:{}{}|{}{}{}|{}{})",
        ch("[3579]"),
        digits(8),
        ch("8"),
        ch("[0-35-9]"),
        digits(7),
        ch("2"),
        digits(9)
    );
    let zero = ch("0");
    let prefix = format!(
        "(?:{}{}{}|{}{}{}{}|{}{})",
        ch(r"\+"),
        ch("8"),
        ch("4"),
        zero,
        zero,
        ch("8"),
        ch("4"),
        ch("8"),
        ch("4")
    );
    format!("^{ws}{sep}(?:{prefix}(?:{zero})?{national}|{zero}{national}|{zero}{zero}{national_not_84}){ws}$")
}

fn phone_schema() -> Object {
    string().pattern(Some(phone_pattern())).build()
}

fn blank_or(inner: Object, description: &str) -> Schema {
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .item(string().pattern(Some(blank_pattern())))
        .item(inner)
        .description(Some(description))
        .build()
        .into()
}

/// Registration: an e-mail address, or `null` / blank for none.
pub fn email_or_blank() -> Schema {
    blank_or(
        email_schema(),
        "An e-mail address; null or blank for none. Give an e-mail address, a phone number or both.",
    )
}

/// Registration: a Vietnamese phone number, or `null` / blank for none.
pub fn phone_or_blank() -> Schema {
    blank_or(
        phone_schema(),
        "A Vietnamese phone number in any usual form (stored as +84...); null or blank for none.",
    )
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

/// `auth::password::check_strength`: 8–128 characters, not a common password.
pub fn new_password() -> Object {
    with_keyword(
        string()
            .min_length(Some(8))
            .max_length(Some(128))
            .description(Some(
                "8–128 characters, not one of the common passwords (compared case-insensitively).",
            ))
            .build(),
        "not",
        json!({ "enum": crate::auth::password::common_passwords() }),
    )
}

/// `community::check_pin_or_password`: a PIN of 6–8 digits that is not a repeated or
/// consecutive run, or else a password of 8–128 characters that is not a common one.
pub fn pin_or_password() -> Schema {
    let pin = r"^[0-9]{6,8}$";
    AnyOfBuilder::new()
        .item(with_keyword(
            string().pattern(Some(pin)).build(),
            "not",
            json!({ "enum": crate::community::trivial_pins() }),
        ))
        .item(with_keyword(
            string().min_length(Some(8)).max_length(Some(128)).build(),
            "not",
            json!({ "anyOf": [
                { "pattern": pin },
                { "enum": crate::auth::password::common_passwords() },
            ] }),
        ))
        .description(Some(
            "A PIN of 6–8 digits (not repeated or consecutive digits) or a password of 8–128 characters that is not a common one.",
        ))
        .build()
        .into()
}

/// `accounts::normalize_username`: 3–32 of a-z, 0-9, `.`, `_`, `-`, starting with a letter or
/// digit (upper case is lowered).
pub fn username() -> Object {
    string()
        .pattern(Some(format!(
            "^[{WS}]*[A-Za-z0-9][A-Za-z0-9._-]{{2,31}}[{WS}]*$"
        )))
        .description(Some(
            "3–32 of a-z, 0-9, `.`, `_`, `-`, starting with a letter or a digit.",
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

/// Adds the rules that tie fields of one request together to the component schemas.
pub fn refine(doc: &mut OpenApi) {
    let non_blank = non_blank_pattern();
    let rules = [
        (
            "RegisterRequest",
            json!([
                { "required": ["email"], "properties": { "email": { "type": "string", "pattern": non_blank } } },
                { "required": ["phone"], "properties": { "phone": { "type": "string", "pattern": non_blank } } },
            ]),
        ),
        (
            // A locality without parent is a province.
            "CreateLocalityRequest",
            json!([
                { "required": ["parent_id"], "properties": { "parent_id": { "type": "string" } } },
                { "properties": { "kind": { "const": "province" } } },
            ]),
        ),
        (
            // A lesson with a video needs its transcript.
            "CreateLessonRequest",
            json!([
                { "properties": { "video_url": { "enum": [null, ""] } } },
                { "required": ["transcript"], "properties": { "transcript": { "type": "string", "pattern": non_blank } } },
            ]),
        ),
        (
            // A video needs its transcript: a new video with a blank one is refused whatever the
            // lesson holds (whether an absent one will do depends on it).
            "UpdateLessonRequest",
            json!([
                { "properties": { "video_url": { "enum": [null, ""] } } },
                { "properties": { "transcript": { "anyOf": [{ "type": "null" }, { "type": "string", "pattern": non_blank }] } } },
            ]),
        ),
        (
            "TargetRequest",
            json!([
                { "properties": { "kind": { "const": "rate" }, "value": { "minimum": 0, "maximum": 100 } } },
                { "properties": { "kind": { "const": "count" }, "value": { "type": "integer", "minimum": 0, "maximum": 1_000_000_000 } } },
            ]),
        ),
        (
            // At least one condition.
            "QualificationRequest",
            json!([
                { "required": ["eid"], "properties": { "eid": { "type": "string" } } },
                { "required": ["all_courses"], "properties": { "all_courses": { "minItems": 1 } } },
                { "required": ["any_courses"], "properties": { "any_courses": { "minItems": 1 } } },
                { "required": ["program"], "properties": { "program": { "type": "string" } } },
            ]),
        ),
    ];
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (name, any_of) in rules {
        match components.schemas.get_mut(name) {
            Some(RefOr::T(Schema::Object(o))) => {
                o.extensions
                    .get_or_insert_with(Default::default)
                    .insert("anyOf".to_string(), any_of);
            }
            _ => panic!("no object schema `{name}` to refine"),
        }
    }
}
