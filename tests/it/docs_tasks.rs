//! The docs regression suite (issue #21): tasks a model should solve from `codemode docs
//! --format prompt` alone, over the pinned real servers. Each file of `tests/docs_tasks/`
//! holds a task, its expected answer, the facts of the prompt docs its reference script relies
//! on (`// Docs:`, `{ROOT}` standing for the allowed directory) and that script, written only
//! from the prompt docs. The docs are those a user has after `codemode docs --probe` and after
//! the tools were used once: text samples come from first calls.
//! Enabled by the `external-servers` feature (`scripts/test` installs the servers).
#![cfg(feature = "external-servers")]

use codemode::catalog::{Catalog, render_prompt};
use codemode::script::{Limits, script_api};

use crate::real_env;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_task_gets_its_answer_and_the_prompt_docs_say_what_its_script_uses() {
    let dir = tempfile::tempdir().unwrap();
    let env = real_env::start(dir.path()).await;
    env.probe().await;
    let tasks = real_env::tasks();
    assert!(tasks.len() >= 7, "only {} tasks", tasks.len());
    let mut failures = Vec::new();
    for t in &tasks {
        let r = env.run(&t.source).await;
        if let Some(e) = &r.error {
            let source = format!("{}{}", env.prelude(), t.source);
            failures.push(format!(
                "{} ({}) failed:\n{}",
                t.name,
                t.question,
                e.render(&source)
            ));
        } else if r.result != t.expect {
            failures.push(format!(
                "{} ({}): expected {}, got {}",
                t.name, t.question, t.expect, r.result
            ));
        }
    }
    let docs = render_prompt::catalog(
        &Catalog::from_registry(&env.registry),
        &script_api(&Limits::default()),
    );
    let root = env.root.to_string_lossy().to_string();
    for t in &tasks {
        for fact in &t.docs {
            // `\n` in a fact is as the prompt writes a line break inside a string.
            let fact = fact.replace("{ROOT}", &root);
            if !docs.contains(&fact) {
                failures.push(format!("{}: the prompt docs do not say `{fact}`", t.name));
            }
        }
    }
    env.shutdown().await;
    assert!(failures.is_empty(), "{}\n\n{docs}", failures.join("\n\n"));
}
