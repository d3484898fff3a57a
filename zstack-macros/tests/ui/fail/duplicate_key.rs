use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value)]
#[api(method = "POST")]
struct QueryZones {
    #[api(rename = "a", rename = "b")]
    name: Option<String>,
}

fn main() {}
