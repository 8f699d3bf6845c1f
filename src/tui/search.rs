//! `/` in the log, the docs, the help or a result: type a few letters, Enter jumps to a
//! match, `n` / `N` to the next and previous one (wrapping around). Case-insensitive. The
//! status bar shows the query and which match is shown; every match on screen is shown
//! reversed ([`mark`]) while the search is on, as the query is typed too.

use crossterm::event::{KeyCode, KeyModifiers};
use std::ops::Range;

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::action::Effect;
use super::command::Command;
use super::overlay::{self, Overlay};
use super::state::{Pane, State};

/// What is searched: the text in front when `/` was pressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The log pane (its filtered lines, oldest first).
    Log,
    /// The docs pane.
    Docs,
    /// The help or the result over the panes.
    Overlay,
}

/// A search being typed or shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    /// What is searched.
    pub target: Target,
    /// The text to find.
    pub query: String,
    /// Still typing the query (keys go to it).
    pub typing: bool,
    /// The match shown (1-based) and how many there are, after a jump.
    pub found: Option<(usize, usize)>,
    /// The line of the match shown.
    pub at: Option<usize>,
}

impl Search {
    /// A new search of `target`.
    pub fn new(target: Target) -> Search {
        Search {
            target,
            query: String::new(),
            typing: true,
            found: None,
            at: None,
        }
    }

    /// The status bar's text: `/query  3/12`, or that nothing matches.
    pub fn status(&self) -> String {
        match self.found {
            _ if self.typing => format!("/{}▏", self.query),
            Some((n, total)) => format!("/{}  match {n}/{total} · n next · N previous", self.query),
            None => format!("/{}  no match", self.query),
        }
    }

    /// The line to show among `lines`, searching from line `from`: forward (`n`, and the first
    /// jump) finds the first match at or after `from` (strictly after when `skip`), backward
    /// (`N`) the last one before it; both wrap around. Records which match it is.
    pub fn find(
        &mut self,
        lines: &[String],
        from: usize,
        forward: bool,
        skip: bool,
    ) -> Option<usize> {
        if self.query.is_empty() {
            self.found = None;
            return None;
        }
        let needle = folded(&self.query);
        let hits: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !matches(l, &needle, true).is_empty())
            .map(|(i, _)| i)
            .collect();
        let pick = if forward {
            let start = if skip { from + 1 } else { from };
            hits.iter()
                .position(|&i| i >= start)
                .or((!hits.is_empty()).then_some(0))
        } else {
            hits.iter()
                .rposition(|&i| i < from)
                .or(hits.len().checked_sub(1))
        };
        self.found = pick.map(|p| (p + 1, hits.len()));
        pick.map(|p| hits[p])
    }
}

/// A character as the search compares it (its first lowercase form).
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn folded(query: &str) -> Vec<char> {
    query.chars().map(fold).collect()
}

/// The byte ranges of `needle` (folded) in `text`, not overlapping; only the first when
/// `first`.
fn matches(text: &str, needle: &[char], first: bool) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = text.char_indices().map(|(i, c)| (i, fold(c))).collect();
    let mut found = Vec::new();
    let mut i = 0;
    while !needle.is_empty() && i + needle.len() <= chars.len() {
        if chars[i..i + needle.len()]
            .iter()
            .zip(needle)
            .all(|((_, c), n)| c == n)
        {
            let end = chars.get(i + needle.len()).map_or(text.len(), |(b, _)| *b);
            found.push(chars[i].0..end);
            if first {
                break;
            }
            i += needle.len();
        } else {
            i += 1;
        }
    }
    found
}

/// `line` with every match of `query` shown reversed (any terminal shows that), the rest as
/// it was.
pub fn mark<'a>(line: Line<'a>, query: &str) -> Line<'a> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let hits = matches(&text, &folded(query), false);
    if hits.is_empty() {
        return line;
    }
    let (style, alignment) = (line.style, line.alignment);
    let mut spans = Vec::with_capacity(line.spans.len() + 2 * hits.len());
    let mut at = 0;
    for span in line.spans {
        let (start, end) = (at, at + span.content.len());
        at = end;
        // The span's text cut at every match boundary inside it.
        let mut cuts = vec![start, end];
        for h in &hits {
            cuts.extend(
                [h.start, h.end]
                    .into_iter()
                    .filter(|&b| b > start && b < end),
            );
        }
        cuts.sort_unstable();
        for piece in cuts.windows(2) {
            let (a, b) = (piece[0], piece[1]);
            let hit = hits.iter().any(|h| h.start <= a && b <= h.end);
            let style = if hit {
                span.style.add_modifier(Modifier::REVERSED)
            } else {
                span.style
            };
            spans.push(Span::styled(text[a..b].to_string(), style));
        }
    }
    let mut marked = Line::from(spans).style(style);
    marked.alignment = alignment;
    marked
}

/// `lines` marked ([`mark`]) when a search of `target` is on, as they were otherwise.
pub fn marked<'a>(state: &State, target: Target, lines: Vec<Line<'a>>) -> Vec<Line<'a>> {
    mark_all(lines, query(state, target))
}

/// The query of the search of `target`, when one is on.
pub fn query(state: &State, target: Target) -> Option<&str> {
    state
        .search
        .as_ref()
        .filter(|s| s.target == target)
        .map(|s| s.query.as_str())
}

/// `lines` with the matches of `query` marked ([`mark`]); as they were without a query.
pub fn mark_all<'a>(lines: Vec<Line<'a>>, query: Option<&str>) -> Vec<Line<'a>> {
    match query {
        Some(q) if !q.is_empty() => lines.into_iter().map(|l| mark(l, q)).collect(),
        _ => lines,
    }
}

/// Applies `command` to the search: `/` starts one on what is in front; while typing, keys
/// edit the query, Enter jumps to a match, Esc drops it; `n` / `N` jump on. `None` when the
/// command is not the search's (it goes on to the rest of the workbench).
pub fn apply(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    if command == Command::Search {
        let target = match (&state.overlay, state.focus) {
            (Some(Overlay::Help { .. } | Overlay::Result { .. }), _) => Target::Overlay,
            (None, Pane::Docs) => Target::Docs,
            (None, Pane::Log) => Target::Log,
            _ => return None,
        };
        state.search = Some(Search::new(target));
        return Some(vec![]);
    }
    let search = state.search.as_mut()?;
    if search.typing {
        match command {
            Command::Input(key) => match key.code {
                KeyCode::Backspace => {
                    search.query.pop();
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    search.query.push(c);
                }
                _ => {}
            },
            Command::Accept => {
                search.typing = false;
                jump(state, Step::First);
            }
            Command::Close => state.search = None,
            _ => {}
        }
        return Some(vec![]);
    }
    match command {
        Command::SearchNext => jump(state, Step::Next),
        Command::SearchPrev => jump(state, Step::Prev),
        // Leaving what was searched ends the search; the command goes on.
        Command::Close | Command::Leave | Command::FocusNext | Command::FocusPrev => {
            state.search = None;
            return None;
        }
        _ => return None,
    }
    Some(vec![])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    First,
    Next,
    Prev,
}

/// Scrolls what is searched to the next match in `step`'s direction.
fn jump(state: &mut State, step: Step) {
    let Some(target) = state.search.as_ref().map(|s| s.target) else {
        return;
    };
    let (lines, wrap_width) = match target {
        Target::Log => (state.log.texts(state.log_filter), None),
        Target::Docs => {
            let area = state.areas().docs;
            (
                as_text(&crate::draw::docs_lines(state)),
                Some(area.width.saturating_sub(2)),
            )
        }
        Target::Overlay => match &state.overlay {
            Some(Overlay::Help { .. }) => {
                (as_text(&overlay::help(&state.theme, state.screen).1), None)
            }
            Some(Overlay::Result { text, .. }) => {
                let area = overlay::result_area(state.screen);
                (
                    text.lines().map(str::to_string).collect(),
                    Some(area.width.saturating_sub(2)),
                )
            }
            _ => return,
        },
    };
    let Some(search) = state.search.as_mut() else {
        return;
    };
    // The log is read from its newest line back; the rest from the top down.
    let newest_first = target == Target::Log;
    let hit = match (step, search.at) {
        (Step::First, _) if newest_first => search.find(&lines, lines.len(), false, false),
        (Step::First | Step::Next, None) | (Step::First, Some(_)) => {
            search.find(&lines, 0, true, false)
        }
        (Step::Next, Some(at)) => search.find(&lines, at, true, true),
        (Step::Prev, Some(at)) => search.find(&lines, at, false, false),
        (Step::Prev, None) => search.find(&lines, lines.len(), false, false),
    };
    search.at = hit;
    let Some(i) = hit else { return };
    // The scroll that puts the match at the top (the log: at the bottom).
    let row = match wrap_width {
        Some(width) => Paragraph::new(
            lines[..i]
                .iter()
                .map(|l| Line::raw(l.clone()))
                .collect::<Vec<_>>(),
        )
        .wrap(Wrap { trim: false })
        .line_count(width),
        None => i,
    };
    let row = u16::try_from(row).unwrap_or(u16::MAX);
    match target {
        Target::Log => state.log_scroll = lines.len().saturating_sub(i + 1),
        Target::Docs => state.docs_scroll = row,
        Target::Overlay => {
            if let Some(Overlay::Help { scroll } | Overlay::Result { scroll, .. }) =
                state.overlay.as_mut()
            {
                *scroll = row;
            }
        }
    }
}

fn as_text(lines: &[Line<'_>]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn marks_split_spans_at_the_match_and_keep_their_styles() {
        use ratatui::style::{Color, Style};
        let red = Style::default().fg(Color::Red);
        let line = Line::from(vec![Span::styled("Größe: ", red), Span::raw("GRÖẞE größe")]);
        let marked = mark(line.clone(), "größe");
        let shown: Vec<(&str, bool, Option<Color>)> = marked
            .spans
            .iter()
            .map(|s| {
                let hit = s.style.add_modifier.contains(Modifier::REVERSED);
                (s.content.as_ref(), hit, s.style.fg)
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("Größe", true, Some(Color::Red)),
                (": ", false, Some(Color::Red)),
                ("GRÖẞE", true, None),
                (" ", false, None),
                ("größe", true, None),
            ]
        );
        // A match across two spans is marked in both; no match leaves the line as it was.
        let across = mark(Line::from(vec![Span::raw("ab"), Span::raw("cd")]), "BC");
        let texts: Vec<_> = across.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, ["a", "b", "c", "d"]);
        assert!(
            across.spans[1]
                .style
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            across.spans[2]
                .style
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert_eq!(mark(line.clone(), "zz"), line);
        assert_eq!(
            matches("aaaa", &folded("aa"), false),
            [0..2, 2..4],
            "not overlapping"
        );
    }

    #[test]
    fn matches_are_found_forward_backward_and_wrap_around() {
        let text = lines(&["alpha", "Beta one", "gamma", "beta two", "delta"]);
        let mut s = Search::new(Target::Docs);
        s.query = "beta".into();
        s.typing = false;
        assert_eq!(s.find(&text, 0, true, false), Some(1));
        assert_eq!(s.found, Some((1, 2)));
        assert_eq!(s.find(&text, 1, true, true), Some(3));
        assert_eq!(s.find(&text, 3, true, true), Some(1), "wraps to the first");
        assert_eq!(
            s.find(&text, 1, false, false),
            Some(3),
            "backward wraps to the last"
        );
        assert_eq!(s.find(&text, 3, false, false), Some(1));
        assert_eq!(s.status(), "/beta  match 1/2 · n next · N previous");
        s.query = "zeta".into();
        assert_eq!(s.find(&text, 0, true, false), None);
        assert_eq!(s.status(), "/zeta  no match");
    }
}
