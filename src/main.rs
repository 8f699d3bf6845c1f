//! The `codemode` binary: a thin shell over the library.

fn main() -> std::process::ExitCode {
    codemode::cli::main()
}

/// Counts the script thread's allocations so `max_memory` is enforced.
#[global_allocator]
static ALLOC: codemode::script::memory::CountingAlloc = codemode::script::memory::CountingAlloc;
