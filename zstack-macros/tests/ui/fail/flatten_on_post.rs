use zstack_sdk::Api;
use zstack_sdk::runtime::plumbing::wire::QueryPairs;

struct Paging;

impl QueryPairs for Paging {
    fn push_pairs(
        &self,
        _api: &'static str,
        _out: &mut Vec<(String, String)>,
    ) -> Result<(), zstack_sdk::InvalidRequest> {
        Ok(())
    }
}

#[derive(Api)]
#[api(method = "POST", path = "/zones", envelope = "params", response = serde_json::Value)]
struct CreateZone {
    #[api(flatten)]
    paging: Paging,
}

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value)]
struct QueryZones {
    #[api(flatten, rename = "p", max_length = 3)]
    paging: Paging,
}

fn main() {}
