//! Rhai syntax highlighting with syntect and the grammar in `themes/rhai.sublime-syntax`.
//!
//! Incremental: each line's parser state at its start is cached; after an edit only lines
//! from the first changed one are re-highlighted, stopping as soon as a line is unchanged and
//! starts in the same state as before. Typing in a 5 000-line script re-highlights a line or
//! two, not the file.

use std::ops::Range;

use ratatui::style::{Modifier, Style};
use syntect::highlighting::{
    FontStyle, HighlightState, Highlighter as SynHighlighter, RangedHighlightIterator,
    Theme as SynTheme,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet, SyntaxSetBuilder};

use super::theme::{ColorDepth, rgb};

const RHAI_SYNTAX: &str = include_str!("../../themes/rhai.sublime-syntax");

/// Byte ranges of one line with their styles.
pub type LineSpans = Vec<(Range<usize>, Style)>;

struct Line {
    text: String,
    /// Parser and highlighter state after this line (the next line's start state).
    end: (ParseState, HighlightState),
    spans: LineSpans,
}

/// Highlights Rhai source, remembering per-line state between calls.
pub struct Highlighter {
    syntaxes: SyntaxSet,
    theme: SynTheme,
    depth: ColorDepth,
    lines: Vec<Line>,
}

impl Highlighter {
    /// A highlighter for a `.tmTheme` (XML text) at a colour depth.
    pub fn new(tm_theme: &str, depth: ColorDepth) -> Result<Self, super::theme::ThemeError> {
        let def =
            syntect::parsing::SyntaxDefinition::load_from_str(RHAI_SYNTAX, true, Some("Rhai"))
                .map_err(|e| {
                    super::theme::ThemeError::Highlighting(format!("Rhai grammar: {e}"))
                })?;
        let mut builder = SyntaxSetBuilder::new();
        builder.add(def);
        let syntaxes = builder.build();
        let theme =
            syntect::highlighting::ThemeSet::load_from_reader(&mut std::io::Cursor::new(tm_theme))
                .map_err(|e| super::theme::ThemeError::Highlighting(format!("code theme: {e}")))?;
        Ok(Highlighter {
            syntaxes,
            theme,
            depth,
            lines: Vec::new(),
        })
    }

    fn initial_state(&self) -> (ParseState, HighlightState) {
        let syntax = self
            .syntaxes
            .find_syntax_by_name("Rhai")
            .expect("the Rhai grammar is loaded");
        let hl = SynHighlighter::new(&self.theme);
        (
            ParseState::new(syntax),
            HighlightState::new(&hl, ScopeStack::new()),
        )
    }

    /// Brings the cache up to date with `text`; returns how many lines were re-highlighted.
    pub fn update(&mut self, text: &[String]) -> usize {
        let mut old = std::mem::take(&mut self.lines);
        let prefix = old
            .iter()
            .zip(text)
            .take_while(|(o, n)| o.text == **n)
            .count();
        let max_suffix = old.len().min(text.len()) - prefix;
        let suffix = old
            .iter()
            .rev()
            .zip(text.iter().rev())
            .take(max_suffix)
            .take_while(|(o, n)| o.text == **n)
            .count();
        let tail = old.split_off(prefix); // old lines from `prefix` on
        let old_len = prefix + tail.len();
        self.lines = old;
        let mut state = match self.lines.last() {
            Some(l) => l.end.clone(),
            None => self.initial_state(),
        };
        let mut tail = tail;
        let mut work = 0;
        for (i, line) in text.iter().enumerate().skip(prefix) {
            if i >= text.len() - suffix {
                // Same text as old line `j`: reuse it and everything after if it starts in the
                // same state as before.
                let j = i + old_len - text.len();
                let old_start = if j == 0 {
                    Some(self.initial_state())
                } else if j - 1 < prefix {
                    Some(self.lines[j - 1].end.clone())
                } else {
                    tail.get(j - 1 - prefix).map(|l| l.end.clone())
                };
                if old_start.as_ref() == Some(&state) {
                    self.lines.extend(tail.drain(j - prefix..));
                    return work;
                }
            }
            let (spans, end) = self.highlight_line(line, state);
            state = end.clone();
            self.lines.push(Line {
                text: line.clone(),
                end,
                spans,
            });
            work += 1;
        }
        work
    }

    fn highlight_line(
        &self,
        line: &str,
        (mut parse, mut hl_state): (ParseState, HighlightState),
    ) -> (LineSpans, (ParseState, HighlightState)) {
        let with_nl = format!("{line}\n");
        let ops = parse
            .parse_line(&with_nl, &self.syntaxes)
            .unwrap_or_default();
        let hl = SynHighlighter::new(&self.theme);
        let mut spans = Vec::new();
        for (style, _, range) in RangedHighlightIterator::new(&mut hl_state, &ops, &with_nl, &hl) {
            let end = range.end.min(line.len());
            if range.start >= end {
                continue;
            }
            spans.push((range.start..end, self.convert(style)));
        }
        (spans, (parse, hl_state))
    }

    fn convert(&self, s: syntect::highlighting::Style) -> Style {
        let mut style = Style::default();
        if self.depth != ColorDepth::None {
            style = style.fg(rgb(
                s.foreground.r,
                s.foreground.g,
                s.foreground.b,
                self.depth,
            ));
        }
        if s.font_style.contains(FontStyle::BOLD) {
            style = style.add_modifier(Modifier::BOLD);
        }
        if s.font_style.contains(FontStyle::ITALIC) {
            style = style.add_modifier(Modifier::ITALIC);
        }
        style
    }

    /// The spans of line `row` (empty past the end).
    pub fn spans(&self, row: usize) -> &[(Range<usize>, Style)] {
        self.lines.get(row).map_or(&[], |l| l.spans.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hl() -> Highlighter {
        Highlighter::new(
            include_str!("../../themes/codemode-dark.tmTheme"),
            ColorDepth::TrueColor,
        )
        .unwrap()
    }

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    fn styled(h: &Highlighter, row: usize, text: &str, needle: &str) -> Style {
        let at = text.find(needle).unwrap();
        h.spans(row)
            .iter()
            .find(|(r, _)| r.start <= at && at < r.end)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }

    #[test]
    fn keywords_strings_and_comments_get_distinct_styles() {
        let mut h = hl();
        let src = lines("let x = demo::calculate(#{ a: 1 }); // sum\nprint(`x=${x}`);");
        h.update(&src);
        let kw = styled(&h, 0, &src[0], "let");
        let num = styled(&h, 0, &src[0], "1");
        let comment = styled(&h, 0, &src[0], "// sum");
        let string = styled(&h, 1, &src[1], "x=");
        assert_ne!(kw, num);
        assert_ne!(kw, comment);
        assert!(comment.add_modifier.contains(Modifier::ITALIC));
        assert_ne!(string, kw);
    }

    #[test]
    fn edits_rehighlight_only_what_changed() {
        let mut h = hl();
        let mut src: Vec<String> = (0..5000).map(|i| format!("let v{i} = {i} + 1;")).collect();
        assert_eq!(h.update(&src), 5000);
        src[2500].push_str(" // edited");
        assert_eq!(
            h.update(&src),
            1,
            "typing on one line re-highlights that line"
        );
        src.insert(100, "let inserted = 1;".into());
        assert_eq!(h.update(&src), 1, "inserting a line re-highlights only it");
        src.remove(100);
        assert!(h.update(&src) <= 1);
        // Opening a block comment changes everything after it...
        src[10] = "/* open".into();
        assert!(h.update(&src) > 4000);
        // ...and closing it converges again.
        src[10] = "/* closed */".into();
        assert!(h.update(&src) > 4000);
        src[20].push(' ');
        assert_eq!(h.update(&src), 1);
    }
}
