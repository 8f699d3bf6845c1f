//! Array functions whose callbacks Rhai runs with their errors swallowed: `sort` / `sort_by`
//! and `dedup` with a comparer turn a failing comparer (a `throw`, a refused or failed tool
//! call, a limit) into "equal" and go on, so the run ended `ok`. These replacements stop at
//! the comparer's first error and return it. Registered on the engine's own namespace, which
//! Rhai searches before its packages.

use std::cmp::Ordering;
use std::panic::AssertUnwindSafe;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, NativeCallContext, Position};

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// The standard functions replaced here (not new globals: the docs' table leaves them out).
#[cfg(test)]
pub(crate) const REPLACED: [&str; 3] = ["sort", "sort_by", "dedup"];

/// Registers the replacements.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("sort", sort_by);
    engine.register_fn("sort_by", sort_by);
    engine.register_fn("dedup", dedup_by);
}

/// Rhai's reading of a comparer's answer: an integer's sign, or `true` for "less".
fn ordering(v: &Dynamic) -> Option<Ordering> {
    v.as_int()
        .map(|n| n.cmp(&0))
        .or_else(|_| {
            v.as_bool()
                .map(|b| if b { Ordering::Less } else { Ordering::Greater })
        })
        .ok()
}

fn sort_by(ctx: NativeCallContext, array: &mut Array, comparer: FnPtr) -> Result<()> {
    if array.len() <= 1 {
        return Ok(());
    }
    let mut failed: Option<Box<EvalAltResult>> = None;
    // `slice::sort_by` may panic when the comparer is not a total order.
    let sorted = std::panic::catch_unwind(AssertUnwindSafe(|| {
        array.sort_by(|x, y| {
            if failed.is_some() {
                return Ordering::Equal;
            }
            match comparer.call_raw(&ctx, None, [x.clone(), y.clone()]) {
                Ok(v) => ordering(&v).unwrap_or_else(|| x.type_id().cmp(&y.type_id())),
                Err(e) => {
                    failed = Some(e);
                    Ordering::Equal
                }
            }
        });
    }));
    if let Some(e) = failed {
        return Err(e);
    }
    sorted.map_err(|_| {
        EvalAltResult::ErrorRuntime(
            "the sort comparer is not a consistent order".into(),
            Position::NONE,
        )
        .into()
    })
}

fn dedup_by(ctx: NativeCallContext, array: &mut Array, comparer: FnPtr) -> Result<()> {
    let mut failed: Option<Box<EvalAltResult>> = None;
    array.dedup_by(|x, y| {
        if failed.is_some() {
            return false;
        }
        match comparer.call_raw(&ctx, None, [y.clone(), x.clone()]) {
            Ok(v) => v.as_bool().unwrap_or(false),
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    });
    failed.map_or(Ok(()), Err)
}
