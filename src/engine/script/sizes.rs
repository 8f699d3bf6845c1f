//! Standard functions that could ask for far more than `max_string_size` in one call,
//! replaced by ones that check the size they will make first. Rhai checks a string's size only
//! after a call returns, and an allocation that fails aborts the whole process (the workbench,
//! `serve`), not just the run:
//! - `s.replace("a", t)` with `s` and `t` both near the limit asks for terabytes at once;
//! - an array or map shown as text (`print`, `debug`, `to_string`, `to_debug`, and with them
//!   `${m}` and `"" + m`): filled by index assignment (`m[k] = s`, which Rhai does not
//!   size-check), a map can hold one shared string thousands of times, gigabytes as text.
//!   Past the limit the text says so instead (`#{… longer than max_string_size …}`).
//!
//! Registered on the engine's own namespace, which Rhai searches before its packages; the
//! text made is Rhai's own.

use std::fmt::Write as _;

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, NativeCallContext};

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// The standard functions replaced here (not new globals: the docs' table leaves them out).
#[cfg(test)]
pub(crate) const REPLACED: [&str; 5] = ["replace", "print", "debug", "to_string", "to_debug"];

/// The functions that show a value as text.
const SHOWN: [&str; 4] = ["print", "debug", "to_string", "to_debug"];

/// Registers the replacements: `replace` with a string or a character for either argument,
/// and the text of arrays and maps.
pub(crate) fn register(engine: &mut Engine) {
    // By value: Rhai checks the size of a `&mut` argument after the call, and the error of
    // that check would make it write the whole value out itself.
    for name in SHOWN {
        engine.register_fn(name, |ctx: NativeCallContext, a: Array| {
            shown(&ctx, ("[", "]"), |out, cap| write_array(&ctx, &a, out, cap))
        });
        engine.register_fn(name, |ctx: NativeCallContext, m: Map| {
            shown(&ctx, ("#{", "}"), |out, cap| write_map(&ctx, &m, out, cap))
        });
    }
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

/// `max_string_size` as a cap on a string's bytes (0, no limit: none).
pub(crate) fn string_cap(engine: &Engine) -> usize {
    match engine.max_string_size() {
        0 => usize::MAX,
        max => max,
    }
}

/// The text `write` makes (an array's or a map's, as Rhai writes it), or, when it would be
/// longer than `max_string_size`, a short text saying so (made only that far). Not an error:
/// on an error Rhai writes the whole value out itself (`${m}`, `"" + m`).
fn shown(
    ctx: &NativeCallContext,
    kind: (&str, &str),
    write: impl FnOnce(&mut String, usize),
) -> ImmutableString {
    let cap = string_cap(ctx.engine());
    let mut out = String::new();
    write(&mut out, cap);
    if out.len() > cap {
        // Only a real limit is passed: `cap` is `max_string_size` here.
        let (open, close) = kind;
        return format!("{open}… longer than max_string_size ({cap} bytes) as text{close}").into();
    }
    out.into()
}

/// Rhai's text of an array: `[1, "a"]`, items in their debug form.
fn write_array(ctx: &NativeCallContext, a: &Array, out: &mut String, cap: usize) {
    write_items(ctx, ("[", "]"), a.iter().map(|v| (None, v)), out, cap);
}

/// Rhai's text of a map: `#{"k": 1}`, values in their debug form.
fn write_map(ctx: &NativeCallContext, m: &Map, out: &mut String, cap: usize) {
    let entries = m.iter().map(|(k, v)| (Some(k.as_str()), v));
    write_items(ctx, ("#{", "}"), entries, out, cap);
}

/// `open`, the items (`"key": ` before each keyed one) separated by `, `, `close`; stops once
/// `out` is longer than `cap`.
fn write_items<'a>(
    ctx: &NativeCallContext,
    (open, close): (&str, &str),
    items: impl Iterator<Item = (Option<&'a str>, &'a Dynamic)>,
    out: &mut String,
    cap: usize,
) {
    out.push_str(open);
    for (i, (key, item)) in items.enumerate() {
        if out.len() > cap {
            return;
        }
        if i > 0 {
            out.push_str(", ");
        }
        if let Some(k) = key {
            let _ = write!(out, "{k:?}: ");
        }
        write_item(ctx, item, out, cap);
    }
    out.push_str(close);
}

/// One item: arrays and maps here, anything else by the engine's `to_debug` (one item is at
/// most a string's limit, a few times over when escaped).
fn write_item(ctx: &NativeCallContext, item: &Dynamic, out: &mut String, cap: usize) {
    if let Some(a) = item.read_lock::<Array>() {
        return write_array(ctx, &a, out, cap);
    }
    if let Some(m) = item.read_lock::<Map>() {
        return write_map(ctx, &m, out, cap);
    }
    let mut copy = item.clone();
    match ctx.call_native_fn_raw("to_debug", true, &mut [&mut copy]) {
        Ok(text) if text.is_string() => {
            out.push_str(&text.into_immutable_string().unwrap_or_default());
        }
        Ok(other) => out.push_str(ctx.engine().map_type_name(other.type_name())),
        Err(_) => {
            let _ = write!(out, "{item:?}");
        }
    }
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
    fn arrays_and_maps_read_as_rhai_writes_them() {
        let plain = Engine::new();
        let ours = engine(1 << 20);
        let value = r#"let v = [1, -2.5, "q\"uote\n", 'c', (), true, [[]], #{}, #{ "b k": [1, #{ x: "y" }], a: Fn("f"), z: blob(2, 7) }];"#;
        for show in [
            "v.to_string()",
            "v.to_debug()",
            "`${v}`",
            r#""" + v"#,
            "v[8].to_string()",
            "v[8].to_debug()",
            "`${v[8]}`",
            r#"v[8] + """#,
        ] {
            let script = format!("{value} {show}");
            let want: String = plain.eval(&script).unwrap();
            let got: String = ours.eval(&script).unwrap();
            assert_eq!(got, want, "{show}");
        }
        let mut printed = Vec::new();
        for e in &mut [plain, ours] {
            let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let l = lines.clone();
            e.on_print(move |s| l.lock().unwrap().push(s.to_string()));
            let l = lines.clone();
            e.on_debug(move |s, _, _| l.lock().unwrap().push(s.to_string()));
            e.run(&format!(
                "{value} print(v); debug(v); print(v[8]); debug(v[8]);"
            ))
            .unwrap();
            printed.push(lines.lock().unwrap().clone());
        }
        assert_eq!(printed[1], printed[0]);
    }

    #[test]
    fn a_map_of_one_shared_string_is_not_shown_past_the_limit() {
        let e = engine(1000);
        // Index assignment is not size-checked: 100 copies of a 500-byte string.
        let fill =
            r#"let s = "x"; s.pad(500, 'x'); let m = #{}; for i in 0..100 { m["k" + i] = s; }"#;
        let said = "#{… longer than max_string_size (1000 bytes) as text}";
        for show in ["m.to_string()", "m.to_debug()", "`${m}`", r#""" + m"#] {
            let text: String = e.eval(&format!("{fill} {show}")).unwrap();
            assert_eq!(text, said, "{show}");
        }
        let nested = r#"let s = "x"; s.pad(500, 'x'); let inner = #{ a: [s] }; let outer = #{}; for i in 0..100 { outer["k" + i] = inner; } outer.to_string()"#;
        let text: String = e.eval(nested).unwrap();
        assert_eq!(text, said, "maps and arrays inside are written here too");
        let fits: String = e
            .eval(r#"let m = #{}; m["a"] = "b"; m.to_string()"#)
            .unwrap();
        assert_eq!(fits, r#"#{"a": "b"}"#);
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
