//! Process exit codes, distinct per kind of failure so scripts can tell them apart.

use std::process::ExitCode;

/// Why the process ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok,
    /// The tool ran and reported an error (`isError: true`).
    ToolError,
    /// Bad command-line input (also clap's own code).
    Usage,
    /// The config could not be read.
    Config,
    /// A server could not be reached.
    Connection,
    /// A request failed: timeout, invalid arguments, protocol error.
    RequestFailed,
    /// A script failed: parse error, uncaught runtime or tool error, unacceptable result.
    ScriptError,
    /// A script was stopped by one of its limits.
    LimitHit,
    /// `lint --fail-under`: a server scored below the bar.
    LintFailed,
    /// Something inside codemode failed.
    Internal,
    /// Interrupted by Ctrl-C.
    Interrupted,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::ToolError => 1,
            Exit::Usage => 2,
            Exit::Config => 3,
            Exit::Connection => 4,
            Exit::RequestFailed => 5,
            Exit::ScriptError => 6,
            Exit::LimitHit => 7,
            Exit::LintFailed => 8,
            Exit::Internal => 70,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}
