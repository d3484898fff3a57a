//! Running an API from the table: build the request, then print it
//! (`--dry-run`), submit it and wait for its job (or print the job id with
//! `--no-wait`), page through a query (`--all`), and print the reply.

use std::io::IsTerminal as _;
use std::time::Duration;

use clap::ArgMatches;
use serde_json::{Value, json};
use zstack_client::{Client, DynamicCall, DynamicJob, DynamicSubmitted, Error};
use zstack_runtime::dynamic::DynamicRequest;
use zstack_runtime::query::Condition;
use zstack_runtime::request::Route;
use zstack_runtime::secret::Secret;

use crate::exit::Failure;
use crate::output::{self, Format, View};
use crate::session::Env;
use crate::table::{self, Api, Group, Reply};
use crate::{args, print_out, query};

/// Rows per page for `--all`.
const PAGE: u32 = 100;

/// `zstack <group> <action> ...`.
pub async fn api(api: &'static Api, matches: &ArgMatches) -> Result<(), Failure> {
    let env = Env::load(matches)?;
    let mut request = args::request(api, matches)?;
    let all = api.query && matches.get_flag("all");
    if api.query {
        let mut params = query::params(matches, api.inventory())?;
        params.count = matches.get_flag("count");
        request = request.query_params(params);
    }
    let client = client_for(&env, &api.route, matches)?;
    let call = with_timeout(client.call_dynamic(request.clone()), matches);
    if matches.get_flag("dry-run") {
        print_out(&output::curl(&call.preview()?));
        return Ok(());
    }
    let view = View { format: env.format(matches), reply: &api.result, columns: columns(matches) };
    let reply = if all {
        all_pages(&client, request, matches).await?
    } else {
        match call.submit().await? {
            DynamicSubmitted::Done(reply) => reply,
            DynamicSubmitted::Pending(job) if matches.get_flag("no-wait") => {
                print_out(&format!("{}\n", job.job_id()));
                eprintln!("job accepted; follow it with `zstack jobs wait {}`", job.job_id());
                return Ok(());
            }
            DynamicSubmitted::Pending(job) => wait(job, matches).await?,
        }
    };
    let reply = output::strip_schema(reply);
    if api.query && matches.get_flag("count") && view.format == Format::Table {
        print_out(&format!("{}\n", reply.get("total").unwrap_or(&Value::Null)));
        return Ok(());
    }
    print_out(&output::render(&view, &reply)?);
    Ok(())
}

/// The context's client for `route`: an API that needs a session fails here
/// without credentials, except in a dry run, whose preview redacts the header
/// anyway and shows where it would go.
fn client_for(env: &Env, route: &Route, matches: &ArgMatches) -> Result<Client, Failure> {
    let (client, has_credentials) = env.client()?;
    match (route.session && !has_credentials, matches.get_flag("dry-run")) {
        (true, false) => {
            Err(Failure::NoSession(format!("{} needs a session, and context `{}` has none", route.action, env.name)))
        }
        (true, true) => Ok(client.with_session(Secret::new("<session>"))),
        (false, _) => Ok(client),
    }
}

fn with_timeout(call: DynamicCall, matches: &ArgMatches) -> DynamicCall {
    match matches.get_one::<u64>("timeout") {
        Some(secs) => call.poll_timeout(Duration::from_secs(*secs)),
        None => call,
    }
}

fn columns(matches: &ArgMatches) -> Option<Vec<String>> {
    matches.get_many::<String>("columns").map(|c| c.cloned().collect())
}

/// Every row of a query, page by page until a short page.
async fn all_pages(
    client: &zstack_client::Client,
    mut request: DynamicRequest,
    matches: &ArgMatches,
) -> Result<Value, Failure> {
    let mut rows = Vec::new();
    let mut start = matches.get_one::<u32>("start").copied().unwrap_or(0);
    let page = matches.get_one::<u32>("limit").copied().unwrap_or(PAGE).max(1);
    loop {
        if let Some(params) = request.query_params_mut() {
            params.limit = Some(page);
            params.start = Some(start);
        }
        let reply = with_timeout(client.call_dynamic(request.clone()), matches).send().await?;
        let batch = match reply.get("inventories") {
            Some(Value::Array(batch)) => batch.clone(),
            _ => return Err(Failure::Other("a query page without `inventories`".into())),
        };
        let full = batch.len() >= page as usize;
        rows.extend(batch);
        match start.checked_add(page) {
            Some(next) if full => start = next,
            _ => break,
        }
    }
    Ok(json!({ "inventories": rows }))
}

/// Wait for a job; on a terminal, show its id and the time so far on stderr.
async fn wait(job: DynamicJob, matches: &ArgMatches) -> Result<Value, Failure> {
    let job = match matches.get_one::<u64>("timeout") {
        Some(secs) => job.poll_timeout(Duration::from_secs(*secs)),
        None => job,
    };
    if !std::io::stderr().is_terminal() {
        return Ok(job.wait().await?);
    }
    let id = job.job_id().to_string();
    let started = std::time::Instant::now();
    let progress = async {
        let frames = ['|', '/', '-', '\\'];
        for tick in 0usize.. {
            eprint!("\r{} job {id} running, {:.1}s", frames[tick % frames.len()], started.elapsed().as_secs_f64());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let result = tokio::select! {
        result = job.wait() => result,
        () = progress => unreachable!("the progress loop never ends"),
    };
    eprint!("\r\x1b[2K");
    Ok(result?)
}

/// `zstack <group> get <uuid>`: the main query with `uuid=<uuid>`.
pub async fn get(group: &'static Group, matches: &ArgMatches) -> Result<(), Failure> {
    let api = group.main_query().ok_or_else(|| Failure::Usage(format!("{} has no query", group.name)))?;
    let uuid = matches.get_one::<String>("uuid").cloned().unwrap_or_default();
    let env = Env::load(matches)?;
    let mut params = zstack_runtime::query::QueryParams::default();
    params.conditions.push(Condition::eq("uuid", uuid.clone()));
    let request = DynamicRequest::new(api.route).query_params(params);
    let call = client_for(&env, &api.route, matches)?.call_dynamic(request);
    if matches.get_flag("dry-run") {
        print_out(&output::curl(&call.preview()?));
        return Ok(());
    }
    let reply = call.send().await?;
    let Some(row) = reply.get("inventories").and_then(Value::as_array).and_then(|rows| rows.first()) else {
        return Err(Failure::Other(format!("no {} with uuid {uuid}", group.name)));
    };
    let reply = json!({ "inventory": row });
    let shape = match api.result {
        Reply::Inventories(inv) => Reply::Inventory(inv),
        _ => Reply::Fields,
    };
    let view = View { format: env.format(matches), reply: &shape, columns: columns(matches) };
    print_out(&output::render(&view, &reply)?);
    Ok(())
}

/// `zstack jobs wait <id>`.
pub async fn jobs(matches: &ArgMatches) -> Result<(), Failure> {
    let Some(("wait", m)) = matches.subcommand() else {
        return Err(Failure::Usage("expected `jobs wait <id>`".into()));
    };
    let env = Env::load(m)?;
    let id = m.get_one::<String>("job-id").cloned().unwrap_or_default();
    let (client, _) = env.client()?;
    let job = DynamicJob::attach(&client, id).map_err(|e| match e {
        Error::InvalidRequest(e) => Failure::Usage(format!("job id: {}", e.reason)),
        other => other.into(),
    })?;
    let reply = output::strip_schema(wait(job, m).await?);
    let view = View { format: env.format(m), reply: &Reply::Fields, columns: columns(m) };
    print_out(&output::render(&view, &reply)?);
    Ok(())
}

/// `zstack api list [--group g]` and `zstack api describe <Api>`.
pub fn api_info(matches: &ArgMatches) -> Result<(), Failure> {
    match matches.subcommand() {
        Some(("list", m)) => {
            let only = m.get_one::<String>("group");
            if let Some(name) = only
                && table::group(name).is_none()
            {
                return Err(Failure::Usage(format!("no group named `{name}` (see `zstack --help`)")));
            }
            let rows: Vec<Value> = table::apis()
                .filter(|(g, _)| only.is_none_or(|name| g.name == name))
                .map(|(g, a)| {
                    json!({
                        "group": g.name,
                        "command": a.command,
                        "api": a.route.action,
                        "method": a.route.method.as_str(),
                        "path": a.route.path,
                        "mode": if a.route.is_async { "async" } else { "sync" },
                    })
                })
                .collect();
            let env = Env::load(m)?;
            let format = env.format(m);
            let reply = json!({ "inventories": rows });
            let columns = ["group", "command", "api", "method", "path", "mode"].map(String::from).to_vec();
            let view = View { format, reply: &Reply::Fields, columns: Some(columns) };
            let text = match format {
                Format::Table => output::render(&view, &reply)?,
                _ => output::render(&view, &reply["inventories"])?,
            };
            print_out(&text);
            Ok(())
        }
        Some(("describe", m)) => {
            let name = m.get_one::<String>("api").cloned().unwrap_or_default();
            let Some((group, api)) = table::by_action(&name) else {
                let near: Vec<&str> = table::apis()
                    .map(|(_, a)| a.route.action)
                    .filter(|a| a.to_lowercase().contains(&name.to_lowercase()))
                    .take(8)
                    .collect();
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!("; APIs with that in their name: {}", near.join(", "))
                };
                return Err(Failure::Usage(format!("no API named `{name}`{hint}")));
            };
            print_out(&describe(group, api));
            Ok(())
        }
        _ => Err(Failure::Usage("expected `api list` or `api describe`".into())),
    }
}

fn describe(group: &Group, api: &Api) -> String {
    use std::fmt::Write as _;
    let route = &api.route;
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", route.action);
    if !api.doc.is_empty() {
        let _ = writeln!(out, "{}\n", api.doc);
    }
    let _ = writeln!(out, "command:  zstack {} {}", group.name, api.command);
    let _ = writeln!(out, "route:    {} {}", route.method, route.path);
    let _ = writeln!(out, "mode:     {}", if route.is_async { "async (job-polled)" } else { "sync" });
    if let Some(envelope) = route.envelope {
        let _ = writeln!(out, "envelope: {envelope:?}");
    }
    let _ = writeln!(out, "session:  {}", if route.session { "required" } else { "not needed" });
    if let Some(since) = route.since {
        let _ = writeln!(out, "since:    {since}");
    }
    let reply = match &api.result {
        Reply::Empty => "nothing".to_string(),
        Reply::Inventory(inv) => format!("inventory: {}", inv.name),
        Reply::Inventories(inv) => format!("inventories: [{}]", inv.name),
        Reply::Fields => "named fields".to_string(),
    };
    let _ = writeln!(out, "reply:    {reply}");
    if api.query {
        let _ = writeln!(out, "query:    --where --sort --fields --limit --start --all --count");
    }
    if !api.params.is_empty() {
        let _ = writeln!(out, "\nparams:");
    }
    for p in api.params {
        let flag = if p.positional { format!("<{}>", p.name.to_uppercase()) } else { format!("--{}", p.flag) };
        let mut notes = vec![format!("{:?}", p.kind)];
        if p.required {
            notes.push("required".into());
        }
        if !p.allowed.is_empty() {
            notes.push(format!("one of {}", p.allowed.join("|")));
        }
        if let Some(since) = p.since {
            notes.push(format!("since {since}"));
        }
        let _ = writeln!(out, "  {flag}  ({})  wire name `{}`", notes.join(", "), p.name);
        if !p.doc.is_empty() {
            let _ = writeln!(out, "      {}", p.doc.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}
