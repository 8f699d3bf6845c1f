//! The `codemode` binary: a thin shell over the library.

fn main() -> std::process::ExitCode {
    codemode::cli::main()
}
