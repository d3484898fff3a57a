use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value, async = true)]
struct FlagWithValue {}

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value)]
struct Constraints {
    #[api(range(10, -10))]
    a: Option<i64>,
    #[api(min_length = 5, max_length = 2)]
    b: Option<String>,
    #[api(one_of())]
    c: Option<String>,
    #[api(rename = "")]
    d: Option<String>,
    #[api(max_length = "3")]
    e: Option<String>,
}

fn main() {}
