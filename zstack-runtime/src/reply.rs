//! Generic response envelopes (protocol §7). Every envelope ignores unknown
//! members such as `schema` and `success`, and every result field is optional
//! because the MN omits nulls. A known member that appears twice is an error
//! (`duplicate field `inventories``), as in the generated response structs
//! ([`de`](crate::plumbing::de)); unknown members may repeat.

use serde::{Deserialize, Serialize};

/// A reply with no result fields (`{}`, or `{"schema":{}}` with
/// `X-JSON-Schema`). Anything in the body is ignored; serializes as `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Empty {}

/// `{"inventory": T}`. Use `InventoryReply<Option<T>>` to tolerate a missing
/// `inventory`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryReply<T> {
    /// The one inventory.
    pub inventory: T,
}

/// `{"inventories": [T], "total": n}`: a query page, or a plain list reply.
/// `total` is present only when `count` or `replyWithCount` was requested
/// (with `count=true` there are no `inventories`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// serde would otherwise demand `T: Default` because of `#[serde(default)]`.
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct InventoriesReply<T> {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// The page of inventories (left out when empty, like every empty
    /// collection a decoded value writes back).
    pub inventories: Vec<T>,
    #[serde(default, deserialize_with = "crate::plumbing::number::lenient", skip_serializing_if = "Option::is_none")]
    /// The number of matches, when `count` or `replyWithCount` was asked for.
    pub total: Option<i64>,
}

impl<T> Default for InventoriesReply<T> {
    fn default() -> Self {
        InventoriesReply { inventories: Vec::new(), total: None }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Inv {
        uuid: String,
    }

    #[test]
    fn empty_ignores_everything_and_writes_braces() {
        for body in ["{}", r#"{"schema":{}}"#, r#"{"success":true,"x":[1,2]}"#] {
            assert_eq!(serde_json::from_str::<Empty>(body).unwrap(), Empty {});
        }
        assert_eq!(serde_json::to_string(&Empty {}).unwrap(), "{}");
    }

    #[test]
    fn inventory_reply_tolerates_extra_members() {
        let body = r#"{"inventory":{"uuid":"a1","extra":1},"success":true,"schema":{"inventory":"x.Y"}}"#;
        let r: InventoryReply<Inv> = serde_json::from_str(body).unwrap();
        assert_eq!(r.inventory, Inv { uuid: "a1".into() });
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"inventory": {"uuid": "a1"}}));
    }

    #[test]
    fn inventory_reply_requires_inventory_unless_optional() {
        assert!(serde_json::from_str::<InventoryReply<Inv>>(r#"{"schema":{}}"#).is_err());
        let r: InventoryReply<Option<Inv>> = serde_json::from_str(r#"{"schema":{}}"#).unwrap();
        assert_eq!(r.inventory, None);
    }

    #[test]
    fn envelopes_reject_a_known_member_twice() {
        let cases = [
            r#"{"inventory":{"uuid":"a"},"inventory":{"uuid":"b"}}"#,
            r#"{"inventory":null,"inventory":{"uuid":"b"}}"#,
        ];
        for body in cases {
            let e = serde_json::from_str::<InventoryReply<Option<Inv>>>(body).unwrap_err().to_string();
            assert!(e.contains("duplicate field `inventory`"), "{body}: {e}");
        }
        let e = serde_json::from_str::<InventoriesReply<Inv>>(r#"{"inventories":[],"inventories":[{"uuid":"x"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("duplicate field `inventories`"), "{e}");
        let e = serde_json::from_str::<InventoriesReply<Inv>>(r#"{"total":1,"total":2}"#).unwrap_err().to_string();
        assert!(e.contains("duplicate field `total`"), "{e}");
        // Unknown members may repeat.
        let r: InventoriesReply<Inv> =
            serde_json::from_str(r#"{"schema":{},"schema":{"a":"b"},"success":true,"success":false,"total":3}"#)
                .unwrap();
        assert_eq!(r.total, Some(3));
        assert_eq!(serde_json::from_str::<Empty>(r#"{"x":1,"x":2}"#).unwrap(), Empty {});
    }

    #[test]
    fn inventories_reply_defaults_and_lenient_total() {
        let r: InventoriesReply<Inv> = serde_json::from_str(r#"{"inventories":[],"total":1.0}"#).unwrap();
        assert_eq!(r, InventoriesReply { inventories: vec![], total: Some(1) });

        // `count=true`: only the total.
        let r: InventoriesReply<Inv> = serde_json::from_str(r#"{"total":42,"schema":{}}"#).unwrap();
        assert_eq!((r.inventories.len(), r.total), (0, Some(42)));

        let r: InventoriesReply<Inv> =
            serde_json::from_str(r#"{"inventories":[{"uuid":"a"},{"uuid":"b"}],"schema":{}}"#).unwrap();
        assert_eq!(r.inventories.len(), 2);
        assert_eq!(r.total, None);
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"inventories": [{"uuid": "a"}, {"uuid": "b"}]}));

        assert_eq!(serde_json::from_str::<InventoriesReply<Inv>>("{}").unwrap(), InventoriesReply::default());
        // Written back as the MN's `count=true` answer: only the total.
        let count = InventoriesReply::<Inv> { inventories: vec![], total: Some(42) };
        assert_eq!(serde_json::to_value(&count).unwrap(), json!({"total": 42}));
        assert!(serde_json::from_str::<InventoriesReply<Inv>>(r#"{"total":1.5}"#).is_err());
    }
}
