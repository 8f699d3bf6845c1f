//! Answering servers' sampling requests in headless commands (`--sampling`): `decline` (the
//! default) or `approve` (send each request to the `[llm]` model, noting it on stderr).
//! Only servers with `capabilities = { sampling = true }` can ask at all.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::llm::LlmConfig;
use crate::mcp::sampling::{Sampler, SamplingRequest, deny_sampler};

/// What headless commands do with sampling requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplingPolicy {
    /// Deny every request.
    #[default]
    Decline,
    /// Send each request to the configured model.
    Approve,
}

/// The sampler for `--sampling`'s policy and the config's `[llm]` model.
pub fn sampler(policy: SamplingPolicy, model: Option<LlmConfig>) -> Sampler {
    match (policy, model) {
        (SamplingPolicy::Decline, _) => {
            deny_sampler("headless commands decline sampling unless `--sampling approve`")
        }
        (SamplingPolicy::Approve, None) => deny_sampler("no [llm] model is configured"),
        (SamplingPolicy::Approve, Some(cfg)) => Arc::new(move |req: SamplingRequest| {
            let cfg = cfg.clone();
            Box::pin(async move {
                errln!(
                    "{} samples the model ({}) — approved by --sampling approve",
                    req.server,
                    req.summary()
                );
                crate::llm::sample::sample(&cfg, &req, &CancellationToken::new()).await
            })
        }),
    }
}
