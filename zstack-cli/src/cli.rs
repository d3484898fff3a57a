//! The argument parser, built from the command table at run time. Only the
//! groups named on the command line are built in full (their actions, flags
//! and help); the others are a name and one line. So `zstack --help` and
//! `zstack <group> <action> --help` cost the same whatever the API's size.

use std::fmt::Write as _;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, Command, value_parser};

use crate::args::param_id;
use crate::output::Format;
use crate::table::{Api, GROUPS, Group, Kind, Param, Scalar};

/// Which groups to build in full.
#[derive(Clone)]
pub enum Build {
    /// Those named in these arguments.
    Named(Vec<String>),
    /// Every group (for checks over the whole table).
    #[cfg(test)]
    All,
}

impl Build {
    fn wants(&self, group: &str) -> bool {
        match self {
            Build::Named(words) => words.iter().any(|w| w == group),
            #[cfg(test)]
            Build::All => true,
        }
    }
}

const AFTER_HELP: &str = "\
Output is a table on a terminal and JSON otherwise (-o json|yaml|table|uuid).
Exit codes: 0 ok, 1 other, 2 usage, 3 API error, 4 not logged in or session expired, 5 timeout, 6 transport.
Environment: ZSTACK_CONTEXT, ZSTACK_URL, ZSTACK_OUTPUT, ZSTACK_CONFIG, ZSTACK_ACCESS_KEY_ID, ZSTACK_ACCESS_KEY_SECRET.";

/// The whole command line.
pub fn root(build: &Build) -> Command {
    let mut root = Command::new("zstack")
        .version(env!("CARGO_PKG_VERSION"))
        .about("A command-line client over the whole ZStack API")
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args())
        .subcommands(builtins());
    for group in GROUPS {
        root = root.subcommand(if build.wants(group.name) { group_command(group) } else { group_stub(group) });
    }
    root
}

/// Flags every command takes.
fn global_args() -> Vec<Arg> {
    let args = vec![
        Arg::new("context")
            .long("context")
            .global(true)
            .env("ZSTACK_CONTEXT")
            .help("The context (MN and login) to use"),
        Arg::new("mn-url")
            .long("mn-url")
            .global(true)
            .env("ZSTACK_URL")
            .help("The MN's URL, e.g. http://mn:8080/zstack"),
        Arg::new("output")
            .short('o')
            .long("output")
            .global(true)
            .env("ZSTACK_OUTPUT")
            .value_parser(PossibleValuesParser::new(Format::NAMES))
            .help("Output format [default: table on a terminal, else json]"),
        Arg::new("columns")
            .long("columns")
            .global(true)
            .value_delimiter(',')
            .help("Table columns (inventory field names, comma-separated)"),
        Arg::new("dry-run")
            .long("dry-run")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Print the request as a curl command (secrets redacted) and send nothing"),
        Arg::new("no-wait")
            .long("no-wait")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Do not wait for an async job: print its id (see `zstack jobs wait`)"),
        Arg::new("timeout")
            .long("timeout")
            .global(true)
            .value_parser(value_parser!(u64).range(1..))
            .value_name("SECONDS")
            .help("How long to wait for an async job [default: 10800, 3 hours]"),
    ];
    args.into_iter().map(|arg| arg.help_heading("Global options")).collect()
}

/// The CLI's own commands.
fn builtins() -> Vec<Command> {
    let shells = ["bash", "zsh", "fish"];
    vec![
        Command::new("login")
            .about("Log in and keep the session id (never the password) in the context")
            .arg(Arg::new("account").long("account").help("The account name [default: the context's, else admin]"))
            .arg(
                Arg::new("password-stdin")
                    .long("password-stdin")
                    .action(ArgAction::SetTrue)
                    .help("Read the password from stdin instead of prompting"),
            ),
        Command::new("logout").about("End the session and forget it"),
        Command::new("context")
            .about("Named contexts: MN URL, account, TLS, default output")
            .subcommand_required(true)
            .subcommand(Command::new("list").about("List the contexts"))
            .subcommand(Command::new("show").about("Show the context in use (no secrets)"))
            .subcommand(
                Command::new("use").about("Make a context the current one").arg(Arg::new("name").required(true)),
            )
            .subcommand(
                Command::new("set")
                    .about("Create or change a context")
                    .arg(Arg::new("name").required(true))
                    .arg(Arg::new("set-url").long("url").help("The MN's URL"))
                    .arg(Arg::new("account").long("account").help("The account to log in as"))
                    .arg(Arg::new("ca-file").long("ca-file").help("A PEM file of CA certificates to trust"))
                    .arg(
                        Arg::new("insecure")
                            .long("insecure")
                            .value_parser(value_parser!(bool))
                            .help("Accept any TLS certificate (true/false)"),
                    )
                    .arg(Arg::new("set-output").long("default-output").value_parser(PossibleValuesParser::new(Format::NAMES)))
                    .arg(Arg::new("mn-version").long("mn-version").help("The MN's release (APIs it lacks are refused)")),
            )
            .subcommand(Command::new("delete").about("Delete a context").arg(Arg::new("name").required(true))),
        Command::new("jobs").about("Async jobs").subcommand_required(true).subcommand(
            Command::new("wait")
                .about("Wait for a job and print its result")
                .arg(Arg::new("job-id").required(true).help("The job id (32 hex digits)")),
        ),
        Command::new("api")
            .about("The APIs this CLI knows, from the spec")
            .subcommand_required(true)
            .subcommand(Command::new("list").about("List APIs").arg(Arg::new("group").long("group").help("Only this group")))
            .subcommand(
                Command::new("describe")
                    .about("Describe one API: route, params, reply")
                    .arg(Arg::new("api").required(true).help("The action name (CreateVmInstance)")),
            ),
        Command::new("completions")
            .about("Print the shell completion script (bash, zsh, fish)")
            .after_help("bash: source <(zstack completions bash)\nzsh: source <(zstack completions zsh)\nfish: zstack completions fish | source")
            .arg(Arg::new("shell").required(true).value_parser(PossibleValuesParser::new(shells))),
    ]
}

fn group_stub(group: &Group) -> Command {
    Command::new(group.name).about(group.about)
}

fn group_command(group: &'static Group) -> Command {
    let mut command = group_stub(group).subcommand_required(true);
    for api in group.apis {
        command = command.subcommand(api_command(api));
    }
    if let Some(query) = group.main_query() {
        command = command.subcommand(
            Command::new("get")
                .about(format!("Get one resource by uuid ({} with uuid=<uuid>)", query.route.action))
                .arg(Arg::new("uuid").required(true)),
        );
    }
    command
}

/// One API's command: its params as flags (the only path param as a
/// positional argument), query flags for Query APIs, and the route in the help.
pub fn api_command(api: &'static Api) -> Command {
    let mut command = Command::new(api.command).about(api.about).long_about(long_about(api));
    if let Some(alias) = api.alias {
        command = command.alias(alias);
    }
    for param in api.params {
        command = command.arg(param_arg(param));
    }
    if api.query {
        command = command.args(query_args());
    }
    command
}

fn long_about(api: &Api) -> String {
    let route = &api.route;
    let mut out = String::new();
    if !api.doc.is_empty() {
        let _ = writeln!(out, "{}\n", api.doc);
    }
    let mode = if route.is_async { "async (waits for the job unless --no-wait)" } else { "sync" };
    let _ = writeln!(out, "API:     {}", route.action);
    let _ = writeln!(out, "Route:   {} {}", route.method, route.path);
    let _ = writeln!(out, "Mode:    {mode}");
    if let Some(since) = route.since {
        let _ = writeln!(out, "Since:   ZStack {since}");
    }
    if !route.session {
        let _ = writeln!(out, "Session: not needed");
    }
    out
}

fn param_arg(param: &'static Param) -> Arg {
    let mut arg = Arg::new(param_id(param)).required(param.required).help(param_help(param));
    arg = if param.positional {
        arg.value_name(param.name.to_uppercase())
    } else {
        arg.long(param.flag).value_name(value_name(param))
    };
    if !param.allowed.is_empty() {
        arg = arg.value_parser(PossibleValuesParser::new(param.allowed.iter().copied()));
    }
    match param.kind {
        Kind::One(Scalar::Bool) if !param.positional => {
            arg = arg.num_args(0..=1).default_missing_value("true").require_equals(false);
        }
        Kind::List(_) => {
            arg = arg.action(ArgAction::Append).value_delimiter(',');
        }
        Kind::Map(_) | Kind::Json => {
            arg = arg.action(ArgAction::Append);
        }
        Kind::One(_) => {}
    }
    arg
}

fn value_name(param: &Param) -> &'static str {
    match param.kind {
        Kind::One(Scalar::Int) | Kind::List(Scalar::Int) => "INT",
        Kind::One(Scalar::Float) | Kind::List(Scalar::Float) => "NUMBER",
        Kind::One(Scalar::Bool) | Kind::List(Scalar::Bool) => "BOOL",
        Kind::Map(_) => "KEY=VALUE",
        Kind::Json => "JSON",
        _ if param.secret => "SECRET",
        _ => "VALUE",
    }
}

fn param_help(param: &Param) -> String {
    let mut help = param.doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut notes = Vec::new();
    match param.kind {
        Kind::List(_) => notes.push("repeat or comma-separate".to_string()),
        Kind::Map(_) => notes.push("key=value, repeat; or @file.json".to_string()),
        Kind::Json => notes.push("JSON, @file.json, or key=value".to_string()),
        Kind::One(_) => {}
    }
    if param.secret {
        notes.push("sent as its SHA-512 digest; `-` prompts".into());
    }
    if let Some((lo, hi)) = param.range {
        notes.push(format!("{lo}..={hi}"));
    }
    if let Some(default) = param.default {
        notes.push(format!("MN default: {default}"));
    }
    if let Some(since) = param.since {
        notes.push(format!("since {since}"));
    }
    if !notes.is_empty() {
        if !help.is_empty() {
            help.push(' ');
        }
        let _ = write!(help, "[{}]", notes.join("; "));
    }
    help
}

fn query_args() -> Vec<Arg> {
    let args = vec![
        Arg::new("where")
            .long("where")
            .short('w')
            .action(ArgAction::Append)
            .value_name("COND")
            .help("A condition, repeat for AND: field=value, != > >= < <=, ?= (in a,b), !?=, ~= (like %), !~=, 'field is null', 'field not null'; sizes take K M G T"),
        Arg::new("sort").long("sort").value_name("FIELD").allow_hyphen_values(true).help("Sort by a field, -field for descending"),
        Arg::new("fields").long("fields").value_delimiter(',').action(ArgAction::Append).help("Only these fields of each row"),
        Arg::new("limit").long("limit").value_parser(value_parser!(u32)).help("At most this many rows"),
        Arg::new("start").long("start").value_parser(value_parser!(u32)).help("Skip this many rows"),
        Arg::new("all").long("all").action(ArgAction::SetTrue).conflicts_with("count").help("Every row, fetched page by page"),
        Arg::new("count").long("count").action(ArgAction::SetTrue).help("Only the number of matches"),
    ];
    args.into_iter().map(|arg| arg.help_heading("Query options")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{BUILTIN_COMMANDS, RESERVED_COMMANDS, RESERVED_FLAGS};

    #[test]
    fn every_api_is_a_command_and_the_tree_is_consistent() {
        let mut root = root(&Build::All);
        // clap's own consistency checks: duplicate flags, names or aliases panic here.
        root.build();
        let mut count = 0;
        for group in GROUPS {
            let command = root.find_subcommand(group.name).unwrap_or_else(|| panic!("group {}", group.name));
            for api in group.apis {
                let sub = command.find_subcommand(api.command).unwrap_or_else(|| panic!("{}", api.route.action));
                if let Some(alias) = api.alias {
                    assert!(command.find_subcommand(alias).is_some_and(|s| s.get_name() == api.command));
                }
                for param in api.params {
                    let arg = sub.get_arguments().find(|a| a.get_id() == param_id(param)).unwrap();
                    assert_eq!(arg.is_required_set(), param.required, "{} {}", api.route.action, param.name);
                    assert_eq!(arg.get_long().is_none(), param.positional);
                }
                count += 1;
            }
        }
        assert!(count >= 1900, "{count} APIs");
    }

    #[test]
    fn the_cli_uses_only_names_codegen_kept_free() {
        let root = root(&Build::Named(Vec::new()));
        for arg in global_args().iter().chain(query_args().iter()) {
            let long = arg.get_long().unwrap();
            assert!(RESERVED_FLAGS.contains(&long), "--{long} is not in codegen's RESERVED_FLAGS");
        }
        let commands = builtins();
        for name in commands.iter().map(Command::get_name) {
            assert!(BUILTIN_COMMANDS.contains(&name), "`{name}` is not in codegen's BUILTIN_COMMANDS");
        }
        let group = GROUPS.iter().find(|g| g.main_query().is_some()).unwrap();
        for sub in group_command(group).get_subcommands() {
            if group.api(sub.get_name()).is_none() {
                assert!(RESERVED_COMMANDS.contains(&sub.get_name()), "`{}`", sub.get_name());
            }
        }
        assert!(root.get_subcommands().count() > 150);
    }
}
