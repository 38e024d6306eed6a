//! Extractors whose failures are problem+json: JSON bodies, query strings, paths.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Code, FieldError};

/// The body limit, set from `max_body_bytes`.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body. Wrong content type → 415, too large → 413, broken JSON → 400 with line and
/// column, well-formed JSON of the wrong shape → 422 naming the field.
pub struct Json<T>(pub T);

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<BodyLimit>()
            .map(|l| l.0)
            .unwrap_or(1024 * 1024);
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let declared_len = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !(mime == "application/json" || mime.ends_with("+json")) {
                return Err(ApiError::of(
                    Code::UnsupportedMediaType,
                    "The body must be JSON, sent with `Content-Type: application/json`.",
                ));
            }
            let too_large = || {
                ApiError::of(
                    Code::PayloadTooLarge,
                    format!("The body is larger than the limit of {limit} bytes."),
                )
            };
            if declared_len.is_some_and(|n| n > limit) {
                return Err(too_large());
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::bad_request(
                        Code::BadRequest,
                        format!("The body could not be read: {e}"),
                    )
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(Json)
        })
    }
}

/// Parses JSON with the path of the failing field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|err| {
        ApiError::bad_request(
            Code::MalformedJson,
            format!(
                "The body is not valid JSON: {} (line {}, column {}).",
                strip_position(&err.to_string()),
                err.line(),
                err.column()
            ),
        )
    })?;
    integral_numbers_as_integers(&mut value);
    if let Some(field) = control_character_at(&value, "") {
        return Err(control_character(field));
    }
    serde_path_to_error::deserialize(strict::Strict(value)).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        ApiError::validation(vec![FieldError {
            field,
            code: "invalid".into(),
            message: strip_position(&err.into_inner().to_string()),
        }])
    })
}

/// The 422 for text with a refused control character (`is_refused_control`) in `field`.
pub fn control_character(field: String) -> ApiError {
    ApiError::validation(vec![FieldError {
        field,
        code: "control_character".into(),
        message: "contains a control character (such as NUL); only tab and line breaks are allowed"
            .into(),
    }])
}

/// The path (`a.b[2]`) of the first string or key holding a refused control character.
fn control_character_at(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let bad = crate::text::has_refused_control;
    match value {
        Value::String(s) if bad(s) => Some(if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| control_character_at(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if bad(k) {
                Some(here)
            } else {
                control_character_at(v, &here)
            }
        }),
        _ => None,
    }
}

/// JSON (and the OpenAPI document's JSON Schema) has one number type: `3.0` is the integer 3.
/// Numbers with a zero fraction are made integers so that integer fields accept them.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                // Within ±2^63 every integral f64 converts exactly.
                if f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0 {
                    *value = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// A JSON value that deserializes like `serde_json::Value`, except that a struct is read only
/// from an object: serde also reads structs from arrays of their fields in order (`[1, "a"]`),
/// which the API document does not allow.
mod strict {
    use serde::de::{
        self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor,
    };
    use serde_json::{Error, Map, Value};

    pub struct Strict(pub Value);

    fn unexpected(v: &Value) -> Unexpected<'_> {
        match v {
            Value::Null => Unexpected::Unit,
            Value::Bool(b) => Unexpected::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Unexpected::Signed(i),
                (_, Some(u), _) => Unexpected::Unsigned(u),
                (_, _, Some(f)) => Unexpected::Float(f),
                _ => Unexpected::Other("number"),
            },
            Value::String(s) => Unexpected::Str(s),
            Value::Array(_) => Unexpected::Seq,
            Value::Object(_) => Unexpected::Map,
        }
    }

    fn visit_array<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, Error> {
        let len = items.len();
        let mut seq = Seq(items.into_iter());
        let out = visitor.visit_seq(&mut seq)?;
        if seq.0.len() == 0 {
            Ok(out)
        } else {
            Err(de::Error::invalid_length(len, &"fewer elements in array"))
        }
    }

    fn visit_object<'de, V: Visitor<'de>>(
        map: Map<String, Value>,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(Fields {
            iter: map.into_iter(),
            value: None,
        })
    }

    impl<'de> Deserializer<'de> for Strict {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Array(items) => visit_array(items, visitor),
                Value::Object(map) => visit_object(map, visitor),
                other => other.deserialize_any(visitor),
            }
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Null => visitor.visit_none(),
                other => visitor.visit_some(Strict(other)),
            }
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            match self.0 {
                Value::Object(map) => visit_object(map, visitor),
                other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
            }
        }

        fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Object(map) => visit_object(map, visitor),
                other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
            }
        }

        fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Array(items) => visit_array(items, visitor),
                other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
            }
        }

        fn deserialize_tuple<V: Visitor<'de>>(
            self,
            _len: usize,
            visitor: V,
        ) -> Result<V::Value, Error> {
            self.deserialize_seq(visitor)
        }

        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _len: usize,
            visitor: V,
        ) -> Result<V::Value, Error> {
            self.deserialize_seq(visitor)
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, Error> {
            visitor.visit_newtype_struct(self)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            self.0.deserialize_enum(name, variants, visitor)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf unit unit_struct identifier ignored_any
        }
    }

    struct Seq(std::vec::IntoIter<Value>);

    impl<'de> SeqAccess<'de> for Seq {
        type Error = Error;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, Error> {
            self.0
                .next()
                .map(|v| seed.deserialize(Strict(v)))
                .transpose()
        }

        fn size_hint(&self) -> Option<usize> {
            Some(self.0.len())
        }
    }

    struct Fields {
        iter: serde_json::map::IntoIter,
        value: Option<Value>,
    }

    impl<'de> MapAccess<'de> for Fields {
        type Error = Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, Error> {
            match self.iter.next() {
                Some((key, value)) => {
                    self.value = Some(value);
                    seed.deserialize(Value::String(key)).map(Some)
                }
                None => Ok(None),
            }
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
            match self.value.take() {
                Some(v) => seed.deserialize(Strict(v)),
                None => Err(de::Error::custom("value is missing")),
            }
        }

        fn size_hint(&self) -> Option<usize> {
            Some(self.iter.len())
        }
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|err, _req| ApiError::of(Code::InvalidQuery, err.to_string()).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _req| ApiError::of(Code::NotFound, err.to_string()).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::StatusCode;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        items: Vec<Item>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        n: u32,
    }

    #[test]
    fn names_the_failing_field() {
        let err = parse_json::<Body>(br#"{"name":"a","items":[{"n":1},{"n":"x"}]}"#).unwrap_err();
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.errors[0].field, "items[1].n");
    }

    #[test]
    fn integral_numbers_fill_integer_fields() {
        let body: Body = parse_json(br#"{"name":"a","items":[{"n":3.0},{"n":2e1}]}"#).unwrap();
        assert_eq!(body.items[0].n, 3);
        assert_eq!(body.items[1].n, 20);
        let err = parse_json::<Body>(br#"{"name":"a","items":[{"n":3.5}]}"#).unwrap_err();
        assert_eq!(err.errors[0].field, "items[0].n");
        #[derive(serde::Deserialize)]
        struct F {
            x: f64,
        }
        assert_eq!(parse_json::<F>(br#"{"x":2.0}"#).unwrap().x, 2.0);
    }

    #[test]
    fn structs_are_read_only_from_objects() {
        let err = parse_json::<Body>(br#"["a", []]"#).unwrap_err();
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.errors[0].field, "body");
        let err = parse_json::<Body>(br#"{"name":"a","items":[[1]]}"#).unwrap_err();
        assert_eq!(err.errors[0].field, "items[0]");
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Opt {
            a: Option<Item2>,
            b: std::collections::BTreeMap<String, u32>,
            c: (u8, String),
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Item2 {
            n: u32,
        }
        let ok: Opt = parse_json(br#"{"a":{"n":2},"b":{"x":1},"c":[1,"z"]}"#).unwrap();
        assert_eq!(ok.a, Some(Item2 { n: 2 }));
        assert_eq!(ok.c, (1, "z".to_string()));
        assert!(parse_json::<Opt>(br#"{"a":null,"b":{},"c":[1,"z",3]}"#).is_err());
        let err = parse_json::<Opt>(br#"{"a":[2],"b":{},"c":[1,"z"]}"#).unwrap_err();
        assert_eq!(err.errors[0].field, "a");
    }

    #[test]
    fn syntax_errors_say_where() {
        let err = parse_json::<Body>(b"{\"name\":\n  oops}").unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert_eq!(err.code, Code::MalformedJson);
        assert!(err.detail.contains("line 2"), "{}", err.detail);
    }
}
