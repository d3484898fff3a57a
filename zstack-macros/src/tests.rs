//! Snapshots of the expansion (a proc-macro crate exports only macros, so the
//! expansion is tested from inside the crate).

use syn::parse_quote;

fn expand(input: syn::DeriveInput) -> String {
    let tokens = crate::expand::derive(&input);
    let file: syn2::File = syn2::parse2(tokens.clone()).unwrap_or_else(|e| panic!("{e}: {tokens}"));
    prettyplease::unparse(&file)
}

#[test]
fn put_with_envelope() {
    insta::assert_snapshot!(expand(parse_quote! {
        #[api(method = "PUT", path = "/backup-storage/{uuid}/actions", envelope = "reconnectBackupStorage",
              response = InventoryReply<BackupStorageInventory>, async)]
        pub struct ReconnectBackupStorage {
            pub uuid: String,
            #[api(rename = "systemTags")]
            pub system_tags: Vec<String>,
            #[api(rename = "deleteMode", one_of("Permissive", "Enforcing"))]
            pub delete_mode: Option<String>,
            #[api(min_length = 1, max_length = 255, regex = "^[a-z]+$")]
            pub name: Option<String>,
        }
    }));
}

#[test]
fn post_with_empty_envelope_and_no_params() {
    insta::assert_snapshot!(expand(parse_quote! {
        #[api(method = "POST", path = "/volumes/sync-size", envelope = "", action = "BatchSyncVolumeSize",
              session = false)]
        pub struct SyncSize {}
    }));
}

#[test]
fn get_with_flatten_and_path_param() {
    insta::assert_snapshot!(expand(parse_quote! {
        #[api(method = "GET", path = "/vm-instances/{vmInstanceUuid}/pci-device-specs",
              response = serde_json::Value)]
        pub struct QueryVmInstancePciDeviceSpecRef {
            #[api(rename = "vmInstanceUuid", min_length = 32)]
            pub vm_instance_uuid: String,
            #[api(flatten)]
            pub params: QueryParams,
            pub r#type: Option<String>,
        }
    }));
}

#[test]
fn delete_with_query_params_and_constraints() {
    insta::assert_snapshot!(expand(parse_quote! {
        #[api(method = "DELETE", path = "/sessions/{sessionUuid}", response = Empty)]
        pub struct LogOut {
            #[api(rename = "sessionUuid", non_empty)]
            pub session_uuid: String,
            #[api(rename = "clientInfo")]
            pub client_info: std::collections::BTreeMap<String, String>,
            #[api(range(-5, 10))]
            pub count: Option<i64>,
            #[api(rename = "deleteMode", one_of("Permissive", "Enforcing"), max_length = 10)]
            pub delete_mode: Option<String>,
        }
    }));
}

#[test]
fn unit_struct_and_trailing_slash_path() {
    insta::assert_snapshot!(expand(parse_quote! {
        #[api(method = "GET", path = "/cas/login/")]
        pub struct CasLogin;
    }));
}

/// Errors are `compile_error!`s; their messages are covered by the UI tests.
#[test]
fn errors_are_combined() {
    let out = crate::expand::derive(&parse_quote! {
        #[api(method = "GET", path = "/a/{b}", methd = "x")]
        pub struct A {
            #[api(renam = "x")]
            a: String,
        }
    })
    .to_string();
    assert!(out.contains("unknown key `methd` on the struct; did you mean `method`?"), "{out}");
    assert!(out.contains("unknown key `renam` on a field; did you mean `rename`?"), "{out}");
}
