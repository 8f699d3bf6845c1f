//! The headless front end: `servers`, `tools`, `call`, `docs`, `lint`, `run`, `ask`, `audit`,
//! `serve`, `demo-server`. The only module (with
//! the binary) that prints to stdout.

/// `println!` for command output: secrets redacted and terminal controls escaped
/// ([`crate::logging::scrub`]: server- and script-controlled text may hold both); a closed
/// pipe (`codemode tools | head`) ends the process quietly instead of panicking.
macro_rules! outln {
    () => {
        $crate::cli::emit(&mut std::io::stdout().lock(), "\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::emit(&mut std::io::stdout().lock(), &format!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for command output, like [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::emit(&mut std::io::stdout().lock(), &format!($($arg)*))
    };
}

/// `eprintln!` for messages, scrubbed like [`outln!`].
macro_rules! errln {
    () => {
        $crate::cli::emit(&mut std::io::stderr().lock(), "\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::emit(&mut std::io::stderr().lock(), &format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!`, scrubbed like [`outln!`].
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::cli::emit(&mut std::io::stderr().lock(), &format!($($arg)*))
    };
}

/// Writes `text` scrubbed ([`crate::logging::scrub`]); a closed pipe ends the process.
pub(crate) fn emit(out: &mut impl std::io::Write, text: &str) {
    if let Err(e) = out.write_all(crate::logging::scrub(text).as_bytes())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

mod ask;
mod audit;
mod call;
mod docs;
mod elicit;
mod exit;
mod lint;
mod run;
mod sampling;
mod sandbox;
mod serve;
mod servers;
mod setup;
mod tools;
mod workbench;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

pub use exit::Exit;

/// Parses `--elicit`.
fn elicit_arg(s: &str) -> Result<crate::mcp::elicit::ElicitPolicy, String> {
    s.parse()
}

/// Parses a duration flag such as `500ms`, `5s`, `2m`.
fn duration_arg(s: &str) -> Result<Duration, crate::config::DurationError> {
    crate::config::parse_duration(s)
}

const EXAMPLES: &str = "\
Examples:
  codemode                                   open the workbench (demo server if no config)
  codemode scripts/triage.rhai               open a script in the workbench
  codemode servers                           connect to every server and show its state
  codemode tools --server demo               list one server's tools
  codemode docs --format prompt              API docs to paste into an LLM prompt
  codemode lint --server demo                score a server's tool definitions
  codemode call demo calculate --args '{\"op\":\"multiply\",\"a\":6,\"b\":7}'
  codemode run workflow.rhai --timeout 10s     run a script against the servers
  codemode ask \"close the oldest open issue\"   a model writes the script ([llm] config)
  codemode --config ~/.cursor/mcp.json tools --json
Config: --config PATH, else ./codemode.toml, ./.mcp.json, then $XDG_CONFIG_HOME/codemode/codemode.toml.
Logs go to $XDG_STATE_HOME/codemode/codemode.log (CODEMODE_LOG=debug for more).";

/// Code Mode over MCP: tools as API docs, Rhai scripts that call them in a sandbox.
#[derive(Debug, Parser)]
#[command(name = "codemode", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// A Rhai script to open in the workbench.
    #[arg(value_name = "SCRIPT")]
    pub script: Option<PathBuf>,
    /// Config file (mcpServers JSON, VS Code `servers` JSON, or codemode.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// UI theme: dark or light (default: the config's `[tui] theme`, else dark). `NO_COLOR` is
    /// respected.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// How to answer servers asking the user for input (elicitation) in headless commands:
    /// decline, accept-defaults, or ask (on the terminal; declines without one).
    #[arg(long, global = true, value_name = "POLICY", value_parser = elicit_arg, default_value = "decline")]
    pub elicit: crate::mcp::elicit::ElicitPolicy,
    /// Authorize with OAuth-protected servers without a user: fetch the authorization URL
    /// and read the code from its redirect (for CI, and servers that redirect at once).
    #[arg(long, global = true)]
    pub oauth_auto_approve: bool,
    /// How headless commands answer servers asking the `[llm]` model to write something
    /// (sampling; only servers with `capabilities = { sampling = true }` can ask).
    #[arg(
        long,
        global = true,
        value_name = "POLICY",
        value_enum,
        default_value = "decline"
    )]
    pub sampling: sampling::SamplingPolicy,
    /// What to do; without a command the workbench opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect to every configured server and show its state.
    #[command(after_help = "Example:\n  codemode servers --json")]
    Servers {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Stop waiting for servers to start after this long (e.g. 10s).
        #[arg(long, value_parser = duration_arg, default_value = "30s")]
        wait: Duration,
    },
    /// List the tools of every server (or one).
    #[command(after_help = "Examples:\n  codemode tools\n  codemode tools --server time --json")]
    Tools {
        /// Only this server.
        #[arg(long, short)]
        server: Option<String>,
        /// Print JSON (raw schemas included).
        #[arg(long)]
        json: bool,
    },
    /// Call one tool directly (the simple path for one-step jobs).
    #[command(
        after_help = "Examples:\n  codemode call demo calculate --args '{\"a\": 2, \"b\": 3}'\n  codemode call time get_current_time --args '{\"timezone\":\"Europe/Paris\"}' --json --timeout 5s\nExit codes: 0 ok, 1 the tool reported an error, 3 config error, 4 server unreachable, 5 request failed (timeout, invalid arguments, protocol error), 130 interrupted."
    )]
    Call {
        /// Server name as configured.
        server: String,
        /// Tool name exactly as the server lists it.
        tool: String,
        /// Arguments as a JSON object.
        #[arg(long, default_value = "{}")]
        args: String,
        /// Print the whole result as JSON.
        #[arg(long)]
        json: bool,
        /// Give up (and send notifications/cancelled) after this long, e.g. 5s or 500ms.
        #[arg(long, value_parser = duration_arg)]
        timeout: Option<Duration>,
        /// Send the arguments even if they do not match the tool's inputSchema.
        #[arg(long)]
        no_validate: bool,
        /// The tool policy on top of the config's `[policy]` (as for scripts).
        #[command(flatten)]
        policy: sandbox::PolicyArgs,
        /// Approve the call if the policy asks about it (destructive, definition changed
        /// since approved, `[policy] ask`): `server::tool` or a server name; repeatable.
        #[arg(long, value_name = "SERVER::TOOL")]
        approve: Vec<String>,
    },
    /// Show the tools as API docs for Rhai scripts (Markdown, prompt text or JSON).
    #[command(
        after_help = "Examples:\n  codemode docs\n  codemode docs --server demo --tool create_issue\n  codemode docs --format prompt > tools.txt\n  codemode docs --search \"close issue\"\n  codemode docs --stats"
    )]
    Docs(docs::Request),
    /// Check tool definitions for what Code Mode needs, tool poisoning and changes since pinned.
    #[command(
        after_help = "Examples:\n  codemode lint\n  codemode lint --server demo --json\n  codemode lint --pin    accept the current definitions\n  codemode lint --fail-under 80    exit 8 when a server scores below 80 (CI)\nPins: $XDG_STATE_HOME/codemode/pins.json. Scores: see README, \"Lint\"."
    )]
    Lint(lint::Request),
    /// Run a Rhai script that calls the servers' tools, in the sandbox.
    #[command(
        after_help = "Examples:\n  codemode run workflow.rhai\n  echo 'demo::list_issues()' | codemode run - --json\n  codemode run cleanup.rhai --allow demo::delete_issue --timeout 1m\nprint() lines go to stdout as they happen, then the result as pretty JSON; errors go to stderr as a code frame.\nExit codes: 0 ok, 2 usage, 3 config, 6 script error (parse, uncaught error, bad result), 7 limit hit, 70 internal, 130 interrupted."
    )]
    Run(run::Request),
    /// Serve Code Mode itself as an MCP server (`search_tools`, `get_docs`, `run_script`) over the
    /// configured servers, for any agent.
    #[command(
        after_help = "Examples:\n  codemode serve                                  stdio, for an agent's mcpServers config\n  codemode --config codemode.toml serve --passthrough time::*\n  CODEMODE_TOKEN=s3cret codemode serve --http 127.0.0.1:8931 --token-env CODEMODE_TOKEN\nConfig: [serve] passthrough = [\"server::tool\", ...], token = \"${VAR}\"; [limits], [policy] and [audit] apply to every run_script."
    )]
    Serve(serve::Request),
    /// Ask the configured model ([llm] in codemode.toml) to write and fix a script for a task.
    #[command(
        after_help = "Examples:\n  codemode ask \"list the open issues labelled bug\"\n  codemode ask \"add a comment to issue 3\" --max-repairs 3 --json\nThe model gets the primer and the tool docs, writes a script; codemode runs it in the sandbox and sends any error (line, column, offending line) back, up to --max-repairs times. Every attempt is in the audit log.\nExit codes: 0 ok, 2 usage, 3 config (no [llm] table, key variable unset), 5 the model API failed, 6 no working script, 7 limit hit, 130 interrupted."
    )]
    Ask(ask::Request),
    /// Show the audit log: recent runs, or one run in full.
    #[command(
        after_help = "Examples:\n  codemode audit --last 5\n  codemode audit show 3f2a9c1e\n  codemode audit show 3f2a9c1e --json\nThe log is $XDG_STATE_HOME/codemode/audit.jsonl (JSON Lines, rotated at 10 MiB)."
    )]
    Audit {
        /// Show one run.
        #[command(subcommand)]
        action: Option<AuditAction>,
        /// How many recent runs to list.
        #[arg(long, default_value_t = 20)]
        last: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the embedded demo MCP server on stdin/stdout.
    DemoServer {
        /// Misbehave on purpose, for testing clients (repeatable): exit-at-start,
        /// hang-at-start, crash-on-call=TOOL, hang-on-call=TOOL, huge-result=TOOL:MB, ...
        /// (an unknown value lists them all).
        #[arg(long, value_name = "FAULT")]
        fault: Vec<String>,
    },
}

/// `codemode audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Every record of one run: the script, calls, prints, limit, end.
    Show {
        /// The run id, or a unique prefix of it.
        run: String,
        /// Print the records as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let (Some(script), Some(_)) = (&cli.script, &cli.command) {
        errln!(
            "error: `{}` opens the workbench and cannot be combined with a command (to run it \
             headless: codemode run {})",
            script.display(),
            script.display()
        );
        return Exit::Usage.into();
    }
    if !matches!(cli.command, Some(Command::DemoServer { .. })) {
        crate::logging::init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            errln!("error: cannot start the async runtime: {e}");
            return Exit::Internal.into();
        }
    };
    let code = runtime.block_on(async {
        // `call` handles Ctrl-C itself (it cancels the request politely first).
        if matches!(cli.command, Some(Command::Call { .. })) {
            return run(cli).await;
        }
        tokio::select! {
            code = run(cli) => code,
            // Dropping the command's future drops its registry, which kills the children.
            () = stop_signal() => Exit::Interrupted,
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(3));
    code.into()
}

pub use crate::util::stop_signal;

async fn run(cli: Cli) -> Exit {
    // The global flags, passed down as one value (no process-wide state).
    let ctx = setup::Context {
        config_path: cli.config.clone(),
        elicit: cli.elicit,
        sampling: cli.sampling,
        oauth_auto_approve: cli.oauth_auto_approve,
    };
    match cli.command {
        Some(Command::DemoServer { fault }) => {
            let faults = match crate::demo::Faults::parse(&fault) {
                Ok(f) => f,
                Err(e) => {
                    errln!("error: {e}");
                    return Exit::Usage;
                }
            };
            match crate::demo::serve_stdio(faults).await {
                Ok(()) => Exit::Ok,
                Err(e) => {
                    errln!("demo server: {e}");
                    Exit::Internal
                }
            }
        }
        Some(Command::Servers { json, wait }) => servers::run(&ctx, json, wait).await,
        Some(Command::Tools { server, json }) => tools::run(&ctx, server.as_deref(), json).await,
        Some(Command::Call {
            server,
            tool,
            args,
            json,
            timeout,
            no_validate,
            policy,
            approve,
        }) => {
            let req = call::Request {
                server,
                tool,
                args,
                json,
                timeout,
                validate: !no_validate,
                policy,
                approve,
            };
            call::run(&ctx, req).await
        }
        Some(Command::Docs(req)) => docs::run(&ctx, req).await,
        Some(Command::Lint(req)) => lint::run(&ctx, req).await,
        Some(Command::Run(req)) => run::run(&ctx, req).await,
        Some(Command::Serve(req)) => serve::run(&ctx, req).await,
        Some(Command::Ask(req)) => ask::run(&ctx, req).await,
        Some(Command::Audit { action, last, json }) => match action {
            Some(AuditAction::Show {
                run,
                json: show_json,
            }) => audit::show(&run, json || show_json),
            None => audit::list(last, json),
        },
        None => workbench::run(&ctx, cli.theme.as_deref(), cli.script).await,
    }
}
