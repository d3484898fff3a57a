use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "GET", path = "/zones", since = "latest", response = serde_json::Value)]
struct QueryZones {
    #[api(since = "5.3.")]
    name: Option<String>,
}

fn main() {}
