//! The audit log through the binary: records of finished runs, `codemode audit`, and a run
//! killed with SIGKILL mid-way leaves every record it wrote intact.

use std::io::BufRead;
use std::process::Stdio;

use crate::cmd;
use cmd::*;
use predicates::prelude::*;
use serde_json::Value;

fn records(dir: &tempfile::TempDir) -> Vec<Value> {
    let text = std::fs::read_to_string(audit_file(dir)).unwrap();
    assert!(text.ends_with('\n'), "last record is cut: {text:?}");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("broken record {l:?}: {e}")))
        .collect()
}

#[test]
fn runs_are_listed_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin("print(\"hello\");\ndemo::calculate(#{ a: 2, b: 3 }).result")
        .assert()
        .code(0);
    codemode(&dir)
        .args(["run", "-", "--max-ops", "100"])
        .write_stdin("loop { }")
        .assert()
        .code(7);
    let out = codemode(&dir)
        .args(["audit", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let runs: Vec<Value> = serde_json::from_slice(&out).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["status"], "ok");
    assert_eq!(runs[0]["calls"], 1);
    assert_eq!(runs[1]["status"], "limit");
    let id = runs[0]["run_id"].as_str().unwrap();
    codemode(&dir)
        .args(["audit", "show", &id[..8]])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("print  hello"))
        .stdout(predicate::str::contains(
            "call   demo::calculate {\"a\":2,\"b\":3} -> ok",
        ))
        .stdout(predicate::str::contains("end    ok"));
    codemode(&dir)
        .args(["audit", "--last", "1"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("loop { }"))
        .stdout(predicate::str::contains("print(").not());
    codemode(&dir)
        .args(["audit", "show", "zzzz"])
        .assert()
        .code(2);
}

#[test]
fn sigkill_mid_run_leaves_every_written_record_intact() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("slow.rhai");
    std::fs::write(
        &script,
        "for i in 0..5 { demo::calculate(#{ a: i, b: 1 }); print(`done ${i}`); }\n\
         print(\"ready\");\n\
         demo::wait(#{ ms: 60000 });\n",
    )
    .unwrap();
    let cmd = codemode(&dir);
    let mut child = std::process::Command::new(cmd.get_program())
        .arg("run")
        .arg(&script)
        .current_dir(dir.path())
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let seen: Vec<String> = lines
        .map(|l| l.unwrap())
        .take_while(|l| l != "ready")
        .collect();
    assert_eq!(seen.len(), 5);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let recs = records(&dir);
    let types: Vec<&str> = recs.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(types[0], "run_start");
    assert_eq!(types.iter().filter(|t| **t == "call").count(), 5);
    // `ready` was printed after its record was written; the wait call never finished.
    assert_eq!(types.iter().filter(|t| **t == "print").count(), 6);
    assert!(!types.contains(&"run_end"));
    assert!(recs.iter().all(|r| r["run_id"] == recs[0]["run_id"]));
    codemode(&dir)
        .arg("audit")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("unfinished"));
}
