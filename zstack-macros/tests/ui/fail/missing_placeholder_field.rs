use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "GET", path = "/zones/{uuid}/hosts", response = serde_json::Value)]
struct QueryHosts {
    name: Option<String>,
}

#[derive(Api)]
#[api(method = "GET", path = "/vm-instances/{vmInstanceUuid}", response = serde_json::Value)]
struct GetVm {
    #[api(rename = "vmInstanceUid")]
    vm_instance_uuid: String,
}

fn main() {}
