//! The faults `codemode demo-server --fault ...` can inject, for tests of the client. Faults
//! that rmcp's server side cannot produce (garbage on stdout, duplicate ids, a wrong protocol
//! version, ...) switch the server to the raw JSON-RPC responder in `raw.rs`.

use std::time::Duration;

/// What a tool does wrong when it is called (`--fault KIND=TOOL[:N]`).
#[derive(Clone, Debug, PartialEq)]
pub enum CallFault {
    /// `hang-on-call=TOOL`: never answer (and ignore `notifications/cancelled`).
    Hang,
    /// `slow-call=TOOL:SECS`: answer after this long, ignoring cancellation.
    Slow(Duration),
    /// `garbage-on-call=TOOL`: write non-JSON lines to stdout instead of an answer.
    Garbage,
    /// `duplicate-ids-on-call=TOOL`: answer twice with the same id, and once with an unknown id.
    DuplicateIds,
    /// `flood-stderr-on-call=TOOL`: answer, then write to stderr without pause until killed.
    FloodStderr,
    /// `huge-result=TOOL:MB`: answer with a text result of this many megabytes.
    HugeResult(usize),
}

/// Misbehaviour on purpose, for tests of the client (`codemode demo-server --fault ...`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Write to stderr and exit with status 2 before answering `initialize`.
    pub exit_at_start: bool,
    /// Never answer `initialize`.
    pub hang_at_start: bool,
    /// Exit with status 3 (after a line on stderr) when this tool is called.
    pub crash_on_call: Option<String>,
    /// Wait this long before reading `initialize` (`slow-start=SECS`).
    pub slow_start: Option<Duration>,
    /// Answer `initialize` with a protocol version nobody knows (`wrong-protocol`).
    pub wrong_protocol: bool,
    /// Answer `initialize`, then exit with status 4 (`exit-after-init`).
    pub exit_after_init: bool,
    /// List one extra tool, `broken_schema`, whose `inputSchema` is not an object schema
    /// (`malformed-schema`).
    pub malformed_schema: bool,
    /// Every `tools/list` answers a different list and announces `list_changed`
    /// (`changing-tools`).
    pub changing_tools: bool,
    /// Per-tool misbehaviour.
    pub on_call: Vec<(String, CallFault)>,
    /// Describe this tool differently (an instruction appended to its description), as a
    /// server that changes a definition after it was approved would (`rug-pull=TOOL`).
    pub rug_pull: Option<String>,
    /// Terminal escape sequences ([`HOSTILE_TEXT`]) in the title, the instructions, an extra
    /// tool `echo_env` (its description, its result and a stderr line), which answers the
    /// value of the environment variable it is asked for, as a server echoing its `env`
    /// would (`hostile`).
    pub hostile: bool,
}

/// What a hostile server slips into its text: clear screen, an OSC 52 clipboard write, an
/// OSC 8 link, a bell, a carriage return and a right-to-left override.
pub const HOSTILE_TEXT: &str = "\u{1b}[2J\u{1b}]52;c;aGFja2Vk\u{7}\u{1b}]8;;http://evil.example\u{7}link\u{1b}]8;;\u{7}\r\u{202e}gnp.exe\u{7}";

const USAGE: &str = "exit-at-start, hang-at-start, slow-start=SECS, wrong-protocol, \
exit-after-init, malformed-schema, changing-tools, crash-on-call=TOOL, hang-on-call=TOOL, \
slow-call=TOOL:SECS, garbage-on-call=TOOL, duplicate-ids-on-call=TOOL, \
flood-stderr-on-call=TOOL, huge-result=TOOL:MB, rug-pull=TOOL, hostile";

/// A `--fault` spec nobody knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault `{0}` (one of: {USAGE})")]
pub struct FaultError(pub String);

impl Faults {
    /// Parses fault specs (see `codemode demo-server --help` for the list).
    pub fn parse(specs: &[String]) -> Result<Faults, FaultError> {
        let mut f = Faults::default();
        for spec in specs {
            let bad = || FaultError(spec.clone());
            let number = |n: &str| n.parse::<u64>().map_err(|_| bad());
            match spec.split_once('=') {
                None => match spec.as_str() {
                    "exit-at-start" => f.exit_at_start = true,
                    "hang-at-start" => f.hang_at_start = true,
                    "wrong-protocol" => f.wrong_protocol = true,
                    "exit-after-init" => f.exit_after_init = true,
                    "malformed-schema" => f.malformed_schema = true,
                    "changing-tools" => f.changing_tools = true,
                    "hostile" => f.hostile = true,
                    _ => return Err(bad()),
                },
                Some(("slow-start", secs)) => {
                    f.slow_start = Some(Duration::from_secs(number(secs)?));
                }
                Some(("crash-on-call", tool)) => f.crash_on_call = Some(tool.to_string()),
                Some(("rug-pull", tool)) => f.rug_pull = Some(tool.to_string()),
                Some((kind, target)) => {
                    let (tool, n) = match target.split_once(':') {
                        Some((tool, n)) => (tool, Some(number(n)?)),
                        None => (target, None),
                    };
                    let fault = match (kind, n) {
                        ("hang-on-call", None) => CallFault::Hang,
                        ("slow-call", Some(s)) => CallFault::Slow(Duration::from_secs(s)),
                        ("garbage-on-call", None) => CallFault::Garbage,
                        ("duplicate-ids-on-call", None) => CallFault::DuplicateIds,
                        ("flood-stderr-on-call", None) => CallFault::FloodStderr,
                        ("huge-result", Some(mb)) => CallFault::HugeResult(mb as usize),
                        _ => return Err(bad()),
                    };
                    f.on_call.push((tool.to_string(), fault));
                }
            }
        }
        Ok(f)
    }

    /// Whether these faults need the raw responder (rmcp's server cannot misbehave so).
    pub fn needs_raw(&self) -> bool {
        self.wrong_protocol
            || self.exit_after_init
            || self.malformed_schema
            || self.changing_tools
            || !self.on_call.is_empty()
    }

    /// The fault of `tool`, if any.
    pub fn for_tool(&self, tool: &str) -> Option<&CallFault> {
        self.on_call.iter().find(|(t, _)| t == tool).map(|(_, f)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(specs: &[&str]) -> Result<Faults, FaultError> {
        Faults::parse(
            &specs
                .iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn parses_every_kind_and_rejects_unknown_ones() {
        let f = parse(&[
            "slow-start=2",
            "huge-result=big:100",
            "slow-call=nap:3",
            "hang-on-call=h",
        ])
        .unwrap();
        assert_eq!(f.slow_start, Some(Duration::from_secs(2)));
        assert_eq!(f.for_tool("big"), Some(&CallFault::HugeResult(100)));
        assert_eq!(
            f.for_tool("nap"),
            Some(&CallFault::Slow(Duration::from_secs(3)))
        );
        assert_eq!(f.for_tool("h"), Some(&CallFault::Hang));
        assert!(f.needs_raw());
        assert!(
            !parse(&["crash-on-call=x", "exit-at-start"])
                .unwrap()
                .needs_raw()
        );
        for bad in [
            "nope",
            "slow-call=x",
            "huge-result=x:many",
            "hang-on-call=x:3",
        ] {
            let e = parse(&[bad]).unwrap_err();
            assert!(
                e.to_string().contains(&format!("unknown fault `{bad}`")),
                "{e}"
            );
        }
    }
}
