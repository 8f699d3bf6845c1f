//! The catalog of the five real third-party servers (everything, filesystem, memory, time,
//! git) as a user sees it after `codemode docs --probe` and the docs regression tasks
//! (`crate::real_env`): text samples included, tools and resources sorted by name. For the
//! docs snapshots and the token table (also the bench's). Used as `crate::real_catalog`.
#![allow(dead_code)]

use std::path::Path;

use codemode::catalog::Catalog;

use crate::real_env;

/// Starts the servers over data in `tmp`, probes them, runs every docs task once (so the
/// tools they use leave their text samples), documents them, and shuts them down.
pub async fn real_catalog(tmp: &Path) -> Catalog {
    let env = real_env::start(tmp).await;
    env.probe().await;
    for task in real_env::tasks() {
        env.run(&task.source).await;
    }
    // The samples name the temp dir (and the docs take allowed directories from them); a
    // fixed path keeps their tokens (and the table) the same on every machine.
    let tmp = tmp.canonicalize().unwrap().to_string_lossy().to_string();
    let mut samples = env.registry.samples();
    for sample in samples.servers.values_mut().flat_map(|t| t.values_mut()) {
        sample.text = sample.text.replace(&tmp, WORK_DIR);
    }
    let mut cat = Catalog::from_states(&env.registry.servers()).with_samples(&samples);
    env.shutdown().await;
    for s in &mut cat.servers {
        s.tools.sort_by(|a, b| a.name.cmp(&b.name));
        s.resources.sort_by(|a, b| a.uri.cmp(&b.uri));
    }
    cat
}

/// What the temp dir is called in the samples of [`real_catalog`].
pub const WORK_DIR: &str = "/home/ada/work";
