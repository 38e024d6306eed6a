//! JSON Schema of the domain's own request fields, for the OpenAPI document: the vocabulary
//! (learner groups), non-blank text, device-made ids, progress statuses. Domain types name these
//! in `#[schema(schema_with = ...)]`; `api::constraints` builds the HTTP layer's schemas on the
//! same primitives, so the domain never reaches up into the API layer.

use serde_json::{json, Value};
use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Schema, SchemaFormat};
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::RefOr;

use super::GROUPS;

/// The characters `str::trim` removes (Unicode `White_Space`), as a regex class body.
pub const WS: &str = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Not blank: some character that `trim` keeps (`Validator::length`, `Checker::text`).
pub fn non_blank_pattern() -> String {
    format!("[^{WS}]")
}

/// A string schema to build on.
pub fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// `t` or `null`.
pub fn nullable(t: Type) -> SchemaType {
    SchemaType::from_iter([t, Type::Null])
}

/// One of `values` (or `null` as well).
pub fn one_of(values: &[&str], null: bool) -> Object {
    let mut list: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    let mut b = string();
    if null {
        list.push(Value::Null);
        b = b.schema_type(nullable(Type::String));
    }
    b.enum_values(Some(list)).build()
}

/// Text that is not blank, of any length.
pub fn non_blank() -> Object {
    string()
        .min_length(Some(1))
        .description(Some("Not blank (422 otherwise)."))
        .build()
}

/// A lesson progress event: `started` or `completed`.
pub fn progress_status() -> Object {
    one_of(&["started", "completed"], false)
}

/// Learner groups, possibly none, repeats allowed (programs).
pub fn any_groups() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(one_of(GROUPS, false))
        .build()
        .into()
}

/// A device-made UUID.
pub fn uuid() -> Object {
    string()
        .format(Some(SchemaFormat::Custom("uuid".into())))
        .build()
}
