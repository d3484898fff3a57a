//! String enums that keep values they do not know (protocol §10).
//!
//! Generated code declares each catalog enum with [`string_enum!`](crate::string_enum):
//!
//! ```
//! zstack_runtime::string_enum! {
//!     /// How a delete treats dependent resources.
//!     pub enum DeleteMode {
//!         /// The MN's default.
//!         Permissive => "Permissive",
//!         Enforcing => "Enforcing",
//!     }
//! }
//!
//! assert_eq!(DeleteMode::from("Enforcing"), DeleteMode::Enforcing);
//! assert_eq!(DeleteMode::from("Lazy"), DeleteMode::Unknown("Lazy".into()));
//! assert_eq!(DeleteMode::Unknown("Lazy".into()).as_str(), "Lazy");
//! assert_eq!(DeleteMode::VALUES, ["Permissive", "Enforcing"]);
//! ```
//!
//! The expansion is the enum (with an extra `Unknown(String)` variant holding
//! any other value verbatim), `as_str`, `is_unknown`, `VALUES`, `From<&str>`,
//! `From<String>`, `Display`, infallible `FromStr`, serde as a plain string,
//! and the runtime's [`WireValue`](crate::plumbing::wire::WireValue) and
//! [`Checked`](crate::plumbing::validate::Checked).
//!
//! Build values with `From`/`parse`, not by writing `Unknown("Enforcing")`: a
//! hand-made `Unknown` holding a known name is not equal to the known variant.

/// Declare a string enum with an `Unknown(String)` fallback; see
/// [`runtime::enums`](crate::plumbing::enums).
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this SDK does not know (e.g. from a newer MN), kept verbatim.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every known wire value, in declaration order.
            pub const VALUES: &'static [&'static str] = &[$($wire),*];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Unknown(other) => other,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )*
                    other => Self::Unknown(::std::string::String::from(other)),
                }
            }
        }

        $crate::string_enum_traits!($name);
    };
}

/// The trait impls of a string enum, given its `as_str(&self) -> &str` and
/// `From<&str>` (unknown values → `Unknown(String)`): `is_unknown`,
/// `From<String>`, `FromStr`, `Display`, serde as a plain string, and the
/// runtime's `WireValue` and `Checked`. Generated enums declare their variants
/// in plain code and call this once.
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum_traits {
    ($name:ident) => {
        impl $name {
            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                // Reuse the allocation for unknown values.
                let parsed = Self::from(value.as_str());
                if parsed.is_unknown() { Self::Unknown(value) } else { parsed }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::plumbing::serde::Serialize for $name {
            fn serialize<S: $crate::plumbing::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::plumbing::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::plumbing::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <::std::string::String as $crate::plumbing::serde::Deserialize<'de>>::deserialize(deserializer)
                    .map(Self::from)
            }
        }

        impl $crate::plumbing::wire::WireValue for $name {
            fn push_query(
                &self,
                key: &str,
                out: &mut ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
            ) -> ::std::result::Result<(), ::std::string::String> {
                out.push((::std::string::String::from(key), ::std::string::String::from(self.as_str())));
                ::std::result::Result::Ok(())
            }
        }

        impl $crate::plumbing::validate::Checked for $name {
            fn for_each_str(
                &self,
                f: &mut dyn FnMut(&str) -> ::std::result::Result<(), ::std::string::String>,
            ) -> ::std::result::Result<(), ::std::string::String> {
                f(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use crate::plumbing::validate::one_of;
    use crate::plumbing::wire::{body_field, query_field};

    crate::string_enum! {
        /// How a delete treats dependent resources.
        pub enum DeleteMode {
            /// The MN's default.
            Permissive => "Permissive",
            Enforcing => "Enforcing",
        }
    }

    // Wire names need not be valid identifiers; no trailing comma; restricted
    // visibility; no variants at all.
    #[allow(dead_code)]
    mod odd {
        crate::string_enum! {
            pub(crate) enum Odd { Dashed => "dashed-value", Lower => "lower" }
        }

        crate::string_enum! {
            pub(crate) enum Nothing {}
        }
    }
    use odd::{Nothing, Odd};

    #[test]
    fn known_and_unknown_values_round_trip_through_json() {
        assert_eq!(serde_json::to_string(&DeleteMode::Enforcing).unwrap(), r#""Enforcing""#);
        assert_eq!(serde_json::from_str::<DeleteMode>(r#""Permissive""#).unwrap(), DeleteMode::Permissive);

        let unknown: DeleteMode = serde_json::from_str(r#""Lazy""#).unwrap();
        assert_eq!(unknown, DeleteMode::Unknown("Lazy".to_string()));
        assert!(unknown.is_unknown() && !DeleteMode::Permissive.is_unknown());
        assert_eq!(serde_json::to_string(&unknown).unwrap(), r#""Lazy""#);

        // Case matters, as on the MN.
        assert!(serde_json::from_str::<DeleteMode>(r#""permissive""#).unwrap().is_unknown());
        assert!(serde_json::from_str::<DeleteMode>("1").is_err());

        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Inv {
            mode: Option<DeleteMode>,
            modes: Vec<DeleteMode>,
            by_name: BTreeMap<String, Odd>,
        }
        let body = json!({"mode": "Enforcing", "modes": ["Permissive", "New"], "by_name": {"a": "dashed-value"}});
        let inv: Inv = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(inv.mode, Some(DeleteMode::Enforcing));
        assert_eq!(inv.modes[1], DeleteMode::Unknown("New".into()));
        assert_eq!(inv.by_name["a"], Odd::Dashed);
        assert_eq!(serde_json::to_value(&inv).unwrap(), body);
    }

    #[test]
    fn conversions_and_display() {
        assert_eq!(DeleteMode::from("Permissive"), DeleteMode::Permissive);
        assert_eq!(DeleteMode::from("Enforcing".to_string()), DeleteMode::Enforcing);
        assert_eq!(DeleteMode::from("x".to_string()), DeleteMode::Unknown("x".into()));
        assert_eq!("Enforcing".parse::<DeleteMode>(), Ok(DeleteMode::Enforcing));
        assert_eq!(DeleteMode::Enforcing.to_string(), "Enforcing");
        assert_eq!(DeleteMode::Unknown("Other".into()).to_string(), "Other");
        assert_eq!(Odd::Lower.as_str(), "lower");
        assert_eq!(Odd::from("dashed-value"), Odd::Dashed);
        assert_eq!(DeleteMode::VALUES, ["Permissive", "Enforcing"]);
        assert!(Nothing::VALUES.is_empty());
        assert_eq!(Nothing::from("a").as_str(), "a");
        assert!(DeleteMode::Permissive < DeleteMode::Enforcing);
    }

    #[test]
    fn wire_and_validation() {
        let mut query = Vec::new();
        query_field("DeleteAccount", "deleteMode", &Some(DeleteMode::Enforcing), &mut query).unwrap();
        query_field("DeleteAccount", "deleteMode", &None::<DeleteMode>, &mut query).unwrap();
        query_field("X", "m", &vec![Odd::Lower, Odd::Unknown("u v".into())], &mut query).unwrap();
        assert_eq!(
            query,
            [("deleteMode", "Enforcing"), ("m", "lower"), ("m", "u v")].map(|(k, v)| (k.to_string(), v.to_string()))
        );

        let mut body = serde_json::Map::new();
        body_field("X", "deleteMode", &DeleteMode::Permissive, &mut body).unwrap();
        assert_eq!(body["deleteMode"], json!("Permissive"));

        assert!(one_of("X", "deleteMode", &DeleteMode::Permissive, DeleteMode::VALUES).is_ok());
        let err = one_of("X", "deleteMode", &DeleteMode::from("Lazy"), DeleteMode::VALUES).unwrap_err();
        assert!(err.reason.contains("got \"Lazy\""), "{}", err.reason);
    }
}
