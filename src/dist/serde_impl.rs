//! The serde form of [`DistSpec`]: a plain number or a table with a `dist` key.
//!
//! Deserialization checks keys and types only (an unknown key or distribution name is
//! an error listing the valid ones, raised where the TOML deserializer can attach the
//! key's or value's position); values are validated by [`DistSpec::build`].

use super::kind::DistKind;
use super::spec::{ALL_KEYS, DistSpec, DistTable};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

impl<'de> Deserialize<'de> for DistSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DistSpec, D::Error> {
        deserializer.deserialize_any(SpecVisitor)
    }
}

/// Visits a number (fixed value) or a table.
struct SpecVisitor;

impl<'de> Visitor<'de> for SpecVisitor {
    type Value = DistSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a distribution table such as { dist = \"pert\", min = 1, mode = 2, max = 4 }")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DistSpec, E> {
        Ok(DistSpec::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DistSpec, E> {
        Ok(DistSpec::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DistSpec, E> {
        Ok(DistSpec::Number(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DistSpec, A::Error> {
        let mut kind = None;
        let mut table = DistTable::new(DistKind::Fixed);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::DateTime => {
                    return Err(de::Error::invalid_type(
                        Unexpected::Other("a date-time"),
                        &self,
                    ));
                }
                Key::Known("dist") => {
                    if kind.replace(map.next_value_seed(KindSeed)?).is_some() {
                        return Err(de::Error::duplicate_field("dist"));
                    }
                }
                Key::Known(key @ ("values" | "weights")) => {
                    let list = map.next_value_seed(ListSeed { key })?;
                    let slot = if key == "values" {
                        &mut table.values
                    } else {
                        &mut table.weights
                    };
                    if slot.replace(list).is_some() {
                        return Err(de::Error::duplicate_field(key));
                    }
                }
                Key::Known(key) => {
                    let value = map.next_value_seed(NumberSeed { key })?;
                    let slot = table
                        .slot_mut(key)
                        .ok_or_else(|| de::Error::unknown_field(key, &ALL_KEYS))?;
                    if slot.replace(value).is_some() {
                        return Err(de::Error::duplicate_field(key));
                    }
                }
            }
        }
        table.kind = kind.ok_or_else(|| {
            de::Error::custom(format!(
                "a distribution table needs a `dist` key naming one of {}",
                DistKind::names()
            ))
        })?;
        Ok(DistSpec::Table(Box::new(table)))
    }
}

/// A key of a distribution table.
enum Key {
    /// One of [`ALL_KEYS`].
    Known(&'static str),
    /// The toml crate's private marker of a date-time value.
    DateTime,
}

/// Deserializes a key, rejecting unknown ones inside the key's own deserializer so
/// that the TOML error points at the key.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a distribution key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        if let Some(key) = ALL_KEYS.iter().find(|k| **k == v) {
            Ok(Key::Known(key))
        } else if v.starts_with("$__toml_private") {
            Ok(Key::DateTime)
        } else {
            Err(E::unknown_field(v, &ALL_KEYS))
        }
    }
}

/// Deserializes the `dist` key's value.
struct KindSeed;

impl<'de> DeserializeSeed<'de> for KindSeed {
    type Value = DistKind;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<DistKind, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KindSeed {
    type Value = DistKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a distribution name, one of {}", DistKind::names())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DistKind, E> {
        v.parse().map_err(E::custom)
    }
}

/// Deserializes a number (integer or float) for a named key.
#[derive(Clone, Copy)]
struct NumberSeed {
    key: &'static str,
}

impl<'de> DeserializeSeed<'de> for NumberSeed {
    type Value = f64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumberSeed {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a number for `{}`", self.key)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
}

/// Deserializes an array of numbers for a named key.
struct ListSeed {
    key: &'static str,
}

impl<'de> DeserializeSeed<'de> for ListSeed {
    type Value = Vec<f64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<f64>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of numbers for `{}`", self.key)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(NumberSeed { key: self.key })? {
            out.push(v);
        }
        Ok(out)
    }
}

/// Serializes a number as an integer when it is one (so `5000` stays `5000` in TOML).
struct Num(f64);

/// Integers up to 2⁵³ are exact in an f64.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.fract() == 0.0 && v.abs() <= EXACT_INT && !(v == 0.0 && v.is_sign_negative()) {
            serializer.serialize_i64(v as i64)
        } else {
            serializer.serialize_f64(v)
        }
    }
}

impl Serialize for DistSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let t = match self {
            DistSpec::Number(v) => return Num(*v).serialize(serializer),
            DistSpec::Table(t) => t,
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("dist", t.kind.as_str())?;
        for key in t.present_keys() {
            let list = match key {
                "values" => &t.values,
                "weights" => &t.weights,
                _ => {
                    map.serialize_entry(key, &t.get(key).map(Num))?;
                    continue;
                }
            };
            let nums: Vec<Num> = list.iter().flatten().map(|v| Num(*v)).collect();
            map.serialize_entry(key, &nums)?;
        }
        map.end()
    }
}
