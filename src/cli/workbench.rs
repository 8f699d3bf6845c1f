//! `codemode` without a subcommand: the TUI over the configured servers.

use std::path::PathBuf;

use super::Exit;
use super::setup;
use crate::mcp::Registry;
use crate::tui::theme::{ColorDepth, Theme};

/// Opens the workbench; servers connect in the background while it is already drawn.
pub async fn run(ctx: &setup::Context, theme_flag: Option<&str>, script: Option<PathBuf>) -> Exit {
    let loaded = match ctx.load() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let specs = match setup::specs(&loaded.config, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let settings = &loaded.settings;
    let theme_name = theme_flag
        .map(str::to_string)
        .or_else(|| settings.tui.theme.clone())
        .unwrap_or_else(|| "dark".into());
    let depth = ColorDepth::detect(
        std::env::var("NO_COLOR").ok(),
        std::env::var("COLORTERM").ok(),
    );
    let theme = match Theme::builtin(&theme_name, depth) {
        Ok(t) => t,
        Err(e) => {
            errln!("error: {e}");
            return Exit::Usage;
        }
    };
    let registry = Registry::new(specs, loaded.config.secrets());
    // The login URL goes to the log pane (an event), never to the terminal behind the TUI.
    registry.set_oauth(ctx.oauth(false));
    setup::keep_samples(&registry);
    let text = match &script {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => t,
            // A new file: start empty and save there.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                errln!("error: cannot read {}: {e}", path.display());
                return Exit::Usage;
            }
        },
        None => crate::tui::WELCOME_SCRIPT.to_string(),
    };
    let audit = if settings.audit.enabled {
        crate::script::audit::AuditLog::open(settings.audit.clone(), loaded.config.secrets())
            .map(std::sync::Arc::new)
            .ok()
    } else {
        None
    };
    let run = crate::tui::RunSettings {
        llm: settings.llm.clone(),
        limits: settings.limits.clone(),
        policy: settings.policy.clone(),
        approvals: crate::script::approval::ApprovalStore::open(
            &crate::script::approval::ApprovalStore::default_path(),
        )
        .map_err(|e| tracing::warn!("approvals are not tracked: {e}"))
        .ok()
        .map(std::sync::Arc::new),
        audit,
        config_path: ctx.config_path.clone(),
        mouse: settings.tui.mouse,
    };
    let state = crate::tui::State::new(theme, &text, script);
    let result = crate::tui::run(registry.clone(), state, run).await;
    registry.shutdown().await;
    match result {
        Ok(()) => Exit::Ok,
        Err(e) => {
            errln!("error: terminal: {e}");
            Exit::Internal
        }
    }
}
