use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "GET", path = "/zones/{uuid}", response = serde_json::Value)]
struct GetZone {
    uuid: Option<String>,
}

fn main() {}
