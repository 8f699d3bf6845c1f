//! Answering servers' sampling requests in headless commands (`--sampling`): `decline` (the
//! default) or `approve` (send each request to the `[llm]` model, noting it on stderr).
//! Only servers with `capabilities = { sampling = true }` can ask at all.

use std::sync::{Arc, OnceLock};

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

static POLICY: OnceLock<SamplingPolicy> = OnceLock::new();
static MODEL: OnceLock<Option<LlmConfig>> = OnceLock::new();

/// Sets the policy of this process (from `--sampling`); the first call wins.
pub fn set_policy(policy: SamplingPolicy) {
    let _ = POLICY.set(policy);
}

/// Records the config's `[llm]` model; the first call wins.
pub fn set_model(model: Option<LlmConfig>) {
    let _ = MODEL.set(model);
}

/// The sampler for this process's policy and model.
pub fn sampler() -> Sampler {
    let policy = POLICY.get().copied().unwrap_or_default();
    match (policy, MODEL.get().cloned().flatten()) {
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
