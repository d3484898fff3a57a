use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "GET", path = "/zones", envelope = "params", response = serde_json::Value)]
struct QueryZones {}

#[derive(Api)]
#[api(method = "DELETE", path = "/zones/{uuid}", envelope = "", response = serde_json::Value)]
struct DeleteZone {
    uuid: String,
}

fn main() {}
