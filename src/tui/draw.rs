//! `draw`: a pure function of the state. It never reads the clock or does I/O.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::log::Level;
use super::state::{Pane, Row, RunState, State};
use super::view::View;
use super::widgets::{pane_block, spinner};
use super::{approval, docs, elicit, overlay, sampling};
use crate::keymap::{self, Context};
use crate::mcp::ServerStatus;

/// The screen areas for a terminal size.
pub struct Areas {
    /// Servers/tools tree.
    pub tree: Rect,
    /// Docs.
    pub docs: Rect,
    /// Code.
    pub code: Rect,
    /// Log.
    pub log: Rect,
    /// Status bar.
    pub status: Rect,
}

/// Splits the screen: tree | (docs / code) on top, log below, status bar last. With `zoom`,
/// that pane takes everything but the status bar (the others get no room).
pub fn areas(size: Rect, zoom: Option<Pane>) -> Areas {
    if let Some(pane) = zoom {
        let [main, status] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(size);
        let none = Rect::new(main.x, main.y, 0, 0);
        let pick = |p: Pane| if p == pane { main } else { none };
        return Areas {
            tree: pick(Pane::Tree),
            docs: pick(Pane::Docs),
            code: pick(Pane::Code),
            log: pick(Pane::Log),
            status,
        };
    }
    let log_h = (size.height / 4).clamp(4, 16);
    let [main, log, status] = Layout::vertical([
        Constraint::Min(6),
        Constraint::Length(log_h),
        Constraint::Length(1),
    ])
    .areas(size);
    let tree_w = (size.width / 4).clamp(20, 40);
    let [tree, right] =
        Layout::horizontal([Constraint::Length(tree_w), Constraint::Min(20)]).areas(main);
    let [docs, code] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);
    Areas {
        tree,
        docs,
        code,
        log,
        status,
    }
}

fn block<'a>(state: &State, pane: Pane, extra: String) -> Block<'a> {
    let title = format!("{}{extra}", pane.title());
    pane_block(&state.theme, &title, state.focus == pane)
}

/// Draws the whole screen.
pub fn draw(state: &State, frame: &mut Frame) {
    let a = areas(frame.area(), state.zoom.then_some(state.focus));
    let shown = |r: Rect| r.width > 0 && r.height > 0;
    if shown(a.tree) {
        draw_tree(state, frame, a.tree);
    }
    if shown(a.docs) {
        draw_docs(state, frame, a.docs);
    }
    if shown(a.code) {
        draw_code(state, frame, a.code);
    }
    if shown(a.log) {
        draw_log(state, frame, a.log);
    }
    draw_status(state, frame, a.status);
    if let Some(open) = &state.overlay {
        let query = crate::search::query(state, crate::search::Target::Overlay);
        overlay::draw(open, &state.theme, query, frame);
    }
    sampling::draw(&state.samplings, &state.theme, frame);
    elicit::draw(&state.elicits, &state.theme, frame);
    approval::draw(&state.approvals, &state.theme, frame);
}

fn status_style(state: &State, status: &ServerStatus) -> Style {
    match status {
        ServerStatus::Ready => state.theme.ok,
        ServerStatus::Failed { .. } => state.theme.error,
        _ => state.theme.warn,
    }
}

fn draw_tree(state: &State, frame: &mut Frame, area: Rect) {
    let rows = state.rows();
    let selected = state.tree.selected.min(rows.len().saturating_sub(1));
    let position = if rows.is_empty() {
        String::new()
    } else {
        format!(" {}/{}", selected + 1, rows.len())
    };
    let extra = if state.tree.filtering || !state.tree.filter.is_empty() {
        format!(" /{}{position}", state.tree.filter)
    } else {
        position
    };
    let block = block(state, Pane::Tree, extra);
    let inner_w = block.inner(area).width as usize;
    let inner_h = block.inner(area).height as usize;
    let top = selected.saturating_sub(inner_h.saturating_sub(1));
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(top)
        .take(inner_h)
        .map(|(i, row)| {
            let mut line = match row {
                Row::Server(s) => {
                    let server = &state.servers[*s];
                    let fold = if state.tree.collapsed.contains(&server.name) {
                        "▸"
                    } else {
                        "▾"
                    };
                    let status = if server.status.is_pending() {
                        format!("{} {}", spinner(state.tick), server.status.label())
                    } else {
                        server.status.label().to_string()
                    };
                    Line::from(vec![
                        Span::raw(format!("{fold} {} ", server.name)),
                        Span::styled(status, status_style(state, &server.status)),
                        Span::styled(format!(" {}", server.tools.len()), state.theme.muted),
                    ])
                }
                Row::Tool(s, t) => {
                    let tool = &state.servers[*s].tools[*t];
                    // A definition changed since approved outranks "destructive".
                    let changed = super::trust::changed_since_approved(state, *s, tool);
                    let mark = match (changed, tool.is_destructive()) {
                        (true, _) => "⚠",
                        (false, true) => "!",
                        (false, false) => " ",
                    };
                    let mut spans = vec![
                        Span::styled(mark, state.theme.warn),
                        Span::raw(format!(" {}", tool.name)),
                    ];
                    if changed {
                        spans.push(Span::styled(" changed", state.theme.warn));
                    }
                    Line::from(spans)
                }
                Row::Resource(s, r) => {
                    let res = &state.servers[*s].resources[*r];
                    Line::from(vec![
                        Span::styled("◇", state.theme.accent),
                        Span::raw(format!(" {}", res.name)),
                    ])
                }
                Row::Template(s, t) => {
                    let template = &state.servers[*s].templates[*t];
                    Line::from(vec![
                        Span::styled("◈", state.theme.accent),
                        Span::raw(format!(" {}", template.name)),
                    ])
                }
                Row::Prompt(s, p) => {
                    let prompt = &state.servers[*s].prompts[*p];
                    Line::from(vec![
                        Span::styled("»", state.theme.accent),
                        Span::raw(format!(" {}", prompt.name)),
                    ])
                }
            };
            line = fit(line, inner_w);
            if i == selected {
                line = line.style(state.theme.selection);
            }
            line
        })
        .collect();
    let body = if state.servers.is_empty() {
        vec![Line::from(Span::styled(
            "no servers configured",
            state.theme.muted,
        ))]
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(body).block(block), area);
}

/// The docs of the selected row, as the docs pane shows them.
pub(crate) fn docs_lines(state: &State) -> Vec<Line<'static>> {
    match state.selected_row() {
        Some(Row::Tool(..)) => match state.selected_doc() {
            Some(doc) => docs::tool_lines(doc, &state.theme),
            None => vec![Line::from("No docs for this tool.")],
        },
        Some(Row::Server(s)) => docs::server_lines(&state.servers[s], &state.theme),
        Some(Row::Resource(s, r)) => {
            docs::resource_lines(&state.servers[s].resources[r], &state.theme)
        }
        Some(Row::Prompt(s, p)) => docs::prompt_lines(&state.servers[s].prompts[p], &state.theme),
        Some(Row::Template(s, t)) => {
            docs::template_lines(&state.servers[s].templates[t], &state.theme)
        }
        None => vec![Line::from("Select a server or tool.")],
    }
}

/// The docs pane's view at the current size.
pub(crate) fn docs_view(state: &State, area: Rect) -> View {
    let inner = inner(area);
    View::wrapped(docs_lines(state), inner.width, inner.height)
}

/// Inside a pane's border.
fn inner(area: Rect) -> Rect {
    Block::bordered().inner(area)
}

fn draw_docs(state: &State, frame: &mut Frame, area: Rect) {
    let view = docs_view(state, area);
    let scroll = state.docs_scroll.min(view.max);
    let extra = if view.max > 0 {
        format!(" {}%", u32::from(scroll) * 100 / u32::from(view.max))
    } else {
        String::new()
    };
    let lines = crate::search::marked(state, crate::search::Target::Docs, docs_lines(state));
    let p = Paragraph::new(lines)
        .block(block(state, Pane::Docs, extra))
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(p, area);
}

/// `line` cut to `width` columns, ending in `…` when cut.
fn fit(line: Line<'_>, width: usize) -> Line<'_> {
    if line.width() <= width || width == 0 {
        return line;
    }
    let mut spans = Vec::new();
    let mut left = width - 1;
    for span in line.spans {
        if left == 0 {
            break;
        }
        let text: String = span.content.chars().take(left).collect();
        left -= text.chars().count();
        spans.push(Span::styled(text, span.style));
    }
    spans.push(Span::raw("…"));
    Line::from(spans).style(line.style)
}

fn draw_code(state: &State, frame: &mut Frame, area: Rect) {
    let name = state
        .script_path
        .as_ref()
        .map_or_else(|| " (new)".into(), |p| format!(" {}", p.display()));
    let dirty = if state.dirty { " ●" } else { "" };
    let (row, col) = state.editor.cursor();
    let block = block(
        state,
        Pane::Code,
        format!("{name}{dirty} {}:{}", row + 1, col + 1),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(&state.editor, inner);
}

fn draw_log(state: &State, frame: &mut Frame, area: Rect) {
    let height = inner(area).height as usize;
    let scroll = state.log_scroll.min(log_max_scroll(state, height));
    let follow = if scroll == 0 {
        String::new()
    } else {
        format!(" ↑{scroll}")
    };
    let wrap = if state.log_wrap { " wrap" } else { "" };
    let block = block(
        state,
        Pane::Log,
        format!(" [{}{wrap}]{follow}", state.log_filter.label()),
    );
    let width = block.inner(area).width;
    let mut lines: Vec<Line> = state
        .log
        .visible(state.log_filter, scroll, height)
        .into_iter()
        .map(|l| {
            let style = match l.level {
                Level::Error => state.theme.error,
                Level::Warn => state.theme.warn,
                Level::Info => Style::default(),
            };
            // Searched is the text, not the source tag before it.
            let [text] = crate::search::marked(
                state,
                crate::search::Target::Log,
                vec![Line::from(Span::styled(l.text, style))],
            )
            .try_into()
            .unwrap_or_default();
            let tag = Span::styled(format!("{:<4} ", l.source.tag()), state.theme.muted);
            Line::from(std::iter::once(tag).chain(text.spans).collect::<Vec<_>>())
        })
        .collect();
    let mut p = if state.log_wrap {
        // The newest lines stay at the bottom: drop the oldest until the wrapped rows fit.
        while lines.len() > 1
            && Paragraph::new(lines.clone())
                .wrap(Wrap { trim: false })
                .line_count(width)
                > height
        {
            lines.remove(0);
        }
        Paragraph::new(lines).wrap(Wrap { trim: false })
    } else {
        let lines = lines
            .into_iter()
            .map(|l| fit(l, width as usize))
            .collect::<Vec<_>>();
        Paragraph::new(lines)
    };
    p = p.block(block);
    frame.render_widget(p, area);
}

/// The furthest the log can scroll back with `height` lines shown (the oldest at the top).
pub(crate) fn log_max_scroll(state: &State, height: usize) -> usize {
    state.log.count(state.log_filter).saturating_sub(height)
}

fn draw_status(state: &State, frame: &mut Frame, area: Rect) {
    let spinner = spinner(state.tick);
    let run = match &state.run {
        _ if state.ask.asking => state.ask.status(spinner).unwrap_or_default(),
        RunState::Idle => String::new(),
        RunState::Running { started } => format!(
            "{spinner} running {:.1}s · Esc cancels",
            state.now.saturating_duration_since(*started).as_secs_f64()
        ),
        RunState::Cancelling { .. } => format!("{spinner} cancelling…"),
        RunState::Done { ok: true, elapsed } => format!("✓ done in {} ms", elapsed.as_millis()),
        RunState::Done { ok: false, elapsed } => {
            format!("✗ failed after {} ms", elapsed.as_millis())
        }
        RunState::Cancelled { elapsed } => {
            format!("■ cancelled after {} ms", elapsed.as_millis())
        }
    };
    let left = state
        .search
        .as_ref()
        .map(super::search::Search::status)
        .or_else(|| state.message.clone())
        .unwrap_or_else(|| format!("[{}] {}", state.focus.title(), status_hints(state)));
    let width = area.width as usize;
    let right_w = run.chars().count();
    let left = crate::util::truncate(&left, width.saturating_sub(right_w + 1));
    let pad = width.saturating_sub(left.chars().count() + right_w);
    let line = Line::from(vec![
        Span::raw(left),
        Span::raw(" ".repeat(pad)),
        Span::styled(run, Style::default().add_modifier(Modifier::BOLD)),
    ]);
    frame.render_widget(Paragraph::new(line).style(state.theme.status), area);
}

/// What the status line suggests for the focused pane, each with the key that does it now
/// (from the key table: a key taken by something else, as Esc while a run is busy, is left
/// out with its hint).
fn status_hints(state: &State) -> String {
    use crate::command::Command::{
        self, Call, Down, Filter, Help, Insert, Leave, LogFilter, Quit, Reconnect, Run, Save,
        Search, Up,
    };
    let pane: &[(&[Command], &str)] = match state.focus {
        Pane::Tree => &[
            (&[Insert], "insert"),
            (&[Call], "call"),
            (&[Reconnect], "reconnect"),
            (&[Filter], "filter"),
        ],
        Pane::Docs => &[
            (&[Up, Down], "scroll"),
            (&[Search], "search"),
            (&[Insert], "insert"),
            (&[Call], "call"),
        ],
        Pane::Code => &[(&[Run], "run"), (&[Save], "save"), (&[Leave], "leave")],
        Pane::Log => &[
            (&[Up, Down], "scroll"),
            (&[Search], "search"),
            (&[LogFilter], "filter"),
            (&[Command::Wrap], "wrap"),
        ],
    };
    // The pane's keys, also under a panel (which names its own keys).
    let stack = crate::update::pane_contexts(state);
    // Help and quit by the keys that work in every pane.
    let everywhere: &[(&[Command], &str)] = &[(&[Help], "help"), (&[Quit], "quit")];
    let hint = |bound_in: &[Context], (commands, what): &(&[Command], &str)| {
        let keys: Option<String> = commands
            .iter()
            .map(|c| keymap::key_for(&stack, bound_in, *c).map(|k| k.short_label()))
            .collect();
        keys.map(|keys| format!("{keys} {what}"))
    };
    let pane = pane.iter().filter_map(|h| hint(&stack, h));
    let everywhere = everywhere
        .iter()
        .filter_map(|h| hint(&[Context::Global], h));
    pane.chain(everywhere).collect::<Vec<_>>().join(" · ")
}

/// The screen as text (one line per row, trailing spaces trimmed), for snapshot tests.
#[cfg(test)]
pub(crate) fn screen_text(state: &State, width: u16, height: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(state, f)).unwrap();
    let buf = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            let line: String = (0..width).map(|x| buf[(x, y)].symbol()).collect();
            format!("{}\n", line.trim_end())
        })
        .collect()
}
