//! Standard functions that could ask for far more than `max_string_size` in one call,
//! replaced by ones that check the size they will make first. Rhai checks a string's size only
//! after a call returns, and `s.replace("a", t)` with `s` and `t` both near the limit asks for
//! terabytes at once: an allocation that fails aborts the whole process (the workbench,
//! `serve`), not just the run. Registered on the engine's own namespace, which Rhai searches
//! before its packages.

use rhai::{Engine, EvalAltResult, ImmutableString, NativeCallContext};

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// The standard functions replaced here (not new globals: the docs' table leaves them out).
#[cfg(test)]
pub(crate) const REPLACED: [&str; 1] = ["replace"];

/// Registers the replacements: `replace` with a string or a character for either argument.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn(
        "replace",
        |ctx: NativeCallContext, s: &mut ImmutableString, find: &str, sub: &str| {
            replace(&ctx, s, find, sub)
        },
    );
    engine.register_fn(
        "replace",
        |ctx: NativeCallContext, s: &mut ImmutableString, find: &str, sub: char| {
            replace(&ctx, s, find, sub.encode_utf8(&mut [0; 4]))
        },
    );
    engine.register_fn(
        "replace",
        |ctx: NativeCallContext, s: &mut ImmutableString, find: char, sub: &str| {
            replace(&ctx, s, find.encode_utf8(&mut [0; 4]), sub)
        },
    );
    engine.register_fn(
        "replace",
        |ctx: NativeCallContext, s: &mut ImmutableString, find: char, sub: char| {
            replace(
                &ctx,
                s,
                find.encode_utf8(&mut [0; 4]),
                sub.encode_utf8(&mut [0; 4]),
            )
        },
    );
}

/// Rhai's `replace` (every occurrence of `find`, in place), refused before it allocates when
/// the result would be longer than `max_string_size`.
fn replace(
    ctx: &NativeCallContext,
    string: &mut ImmutableString,
    find: &str,
    sub: &str,
) -> Result<()> {
    if string.is_empty() {
        return Ok(());
    }
    let max = ctx.engine().max_string_size();
    if max > 0 && sub.len() > find.len() {
        let grown = string
            .matches(find)
            .count()
            .saturating_mul(sub.len() - find.len());
        if string.len().saturating_add(grown) > max {
            return Err(EvalAltResult::ErrorDataTooLarge(
                "Length of string".into(),
                ctx.call_position(),
            )
            .into());
        }
    }
    *string = string.replace(find, sub).into();
    Ok(())
}

#[cfg(test)]
mod tests {
    use rhai::Engine;

    fn engine(max: usize) -> Engine {
        let mut e = Engine::new();
        e.set_max_string_size(max);
        super::register(&mut e);
        e
    }

    #[test]
    fn replace_gives_what_rhai_gives_for_every_kind_of_argument() {
        let plain = Engine::new();
        let ours = engine(1000);
        for script in [
            r#"let s = "hello, world"; s.replace("l", "LL"); s"#,
            r#"let s = "hello, world"; s.replace("l", '*'); s"#,
            r#"let s = "hello, world"; s.replace('o', "0o"); s"#,
            r#"let s = "hello, world"; s.replace('o', 'O'); s"#,
            r#"let s = "hello, world"; s.replace("hello", ""); s"#,
            r#"let s = "abc"; s.replace("", "-"); s"#,
            r#"let s = "héllo ✓"; s.replace("✓", "√√"); s"#,
            r#"let s = ""; s.replace("", "x"); s"#,
        ] {
            let want: String = plain.eval(script).unwrap();
            let got: String = ours.eval(script).unwrap();
            assert_eq!(got, want, "{script}");
        }
    }

    #[test]
    fn a_replace_past_the_limit_is_refused_before_it_is_made() {
        let e = engine(100);
        let ok: String = e
            .eval(r#"let s = "aaaaaaaaaa"; s.replace("a", "bbbbbbbbbb"); s"#)
            .unwrap();
        assert_eq!(ok.len(), 100, "exactly the limit is allowed");
        let err = e
            .eval::<String>(r#"let s = "aaaaaaaaaa"; s.replace("a", "bbbbbbbbbbb"); s"#)
            .unwrap_err();
        assert!(
            matches!(*err, rhai::EvalAltResult::ErrorDataTooLarge(ref what, _) if what.contains("string")),
            "{err}"
        );
        let shrink: String = e
            .eval(r#"let s = "aaaaaaaaaa"; s.replace("aa", "b"); s"#)
            .unwrap();
        assert_eq!(shrink, "bbbbb");
    }
}
