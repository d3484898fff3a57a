use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "POST", path = "/zones", envelope = "params", response = serde_json::Value)]
struct CreateZone {
    #[api(rename = "systemTags")]
    tags: Vec<String>,
    #[api(rename = "systemTags")]
    system_tags: Vec<String>,
    name: String,
    #[api(rename = "name")]
    display_name: String,
}

fn main() {}
