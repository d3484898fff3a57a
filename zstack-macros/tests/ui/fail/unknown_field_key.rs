use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value)]
struct QueryZones {
    #[api(renam = "zoneName")]
    name: Option<String>,
    #[api(max_len = 3)]
    description: Option<String>,
    #[api(method = "GET")]
    state: Option<String>,
    #[api(colour)]
    colour: Option<String>,
}

fn main() {}
