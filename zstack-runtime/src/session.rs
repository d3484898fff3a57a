//! [`SessionInventory`]: what a login returns.
//!
//! Defined here rather than generated for the same reason as
//! [`ErrorCode`](crate::ErrorCode): the client's login needs it and the client
//! does not depend on generated code. The spec describes it (`spec/core.yaml`)
//! and the generated `types::SessionInventory` is this type.

use crate::secret::Secret;
use crate::timestamp::Timestamp;

/// A login session. The session id to send as `Authorization: OAuth <id>` is
/// [`uuid`](Self::uuid). Idle sessions expire; `expired_date` is only a
/// snapshot.
///
/// Server class: `org.zstack.header.identity.SessionInventory`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct SessionInventory {
    /// The session id (never shown in `Debug`).
    pub uuid: Option<Secret>,
    /// The account the session belongs to.
    pub account_uuid: Option<String>,
    /// The user the session belongs to.
    pub user_uuid: Option<String>,
    /// The user's type (ZStack 4.6.32 and later).
    pub user_type: Option<String>,
    /// When the session expires unless renewed by use (MN time).
    pub expired_date: Option<Timestamp>,
    /// When the session was created (MN time).
    pub create_date: Option<Timestamp>,
}

crate::wire_struct!(SessionInventory {
    "uuid" => uuid,
    "accountUuid" => account_uuid,
    "userUuid" => user_uuid,
    "userType" => user_type,
    "expiredDate" => expired_date,
    "createDate" => create_date,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_the_mn_json_with_the_session_id_and_timestamps_as_sent() {
        let json = serde_json::json!({
            "uuid": "4c4b5b2d1c2a4d2e9c7b8a6f5e4d3c2b",
            "accountUuid": "36c27e8ff05c4780bf6d2fa65700f22e",
            "userUuid": "36c27e8ff05c4780bf6d2fa65700f22e",
            "expiredDate": "Jun 7, 2017 11:20:21 PM",
            "createDate": "Jun 7, 2017 9:20:21 AM"
        });
        let session: SessionInventory = serde_json::from_value(json.clone()).unwrap();
        assert!(session.user_type.is_none());
        assert_eq!(serde_json::to_value(&session).unwrap(), json);
    }
}
