//! What a pane or overlay can show at the current screen size: its page (the height of its
//! text area) and the furthest scroll, at which the last line shows. Scrolling uses it so
//! that pages are as tall as the pane and nothing scrolls into blank space; `draw` clamps
//! with it too, so a smaller screen never shows past the end either.

use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

/// A scrollable area's page and furthest scroll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// Lines shown at once.
    pub page: u16,
    /// The largest useful scroll offset.
    pub max: u16,
}

impl View {
    /// The view of `lines` wrapped to `width` in an area `height` lines tall.
    pub fn wrapped(lines: Vec<Line<'_>>, width: u16, height: u16) -> View {
        let total = Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .line_count(width);
        View::of(total, height)
    }

    /// The view of `total` lines in an area `height` lines tall.
    pub fn of(total: usize, height: u16) -> View {
        let total = u16::try_from(total).unwrap_or(u16::MAX);
        View {
            page: height,
            max: total.saturating_sub(height),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;

    #[test]
    fn scrolling_pages_by_the_height_and_stops_at_the_end() {
        let view = View::of(59, 12);
        let mut offset = 0;
        assert!(Command::PageDown.scroll(&mut offset, view));
        assert_eq!(offset, 12);
        for _ in 0..10 {
            Command::PageDown.scroll(&mut offset, view);
        }
        assert_eq!(offset, 47, "the last page ends at the last line");
        Command::Down.scroll(&mut offset, view);
        assert_eq!(offset, 47);
        Command::Home.scroll(&mut offset, view);
        assert_eq!(offset, 0);
        Command::End.scroll(&mut offset, view);
        assert_eq!(offset, 47);
        assert!(!Command::Insert.scroll(&mut offset, view));
        // Shorter than the area: nothing to scroll.
        let mut offset = 0;
        Command::PageDown.scroll(&mut offset, View::of(5, 12));
        assert_eq!(offset, 0);
        // Long lines wrap into more rows.
        let lines = vec![Line::from("x".repeat(30)), Line::from("y")];
        assert_eq!(View::wrapped(lines, 10, 2), View { page: 2, max: 2 });
    }
}
