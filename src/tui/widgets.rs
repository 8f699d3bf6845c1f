//! Drawing pieces every part of the workbench uses: the pane border, the modal box, the
//! spinner. A leaf: it knows the theme and nothing else of the TUI.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders, Clear};

use super::theme::Theme;

const SPINNER: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner's frame for tick `tick`.
pub fn spinner(tick: usize) -> &'static str {
    SPINNER[tick % SPINNER.len()]
}

/// A pane's border: thick and highlighted when focused, titled ` title `.
pub fn pane_block<'a>(t: &Theme, title: &str, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused { t.border_focused } else { t.border })
        .title(Span::styled(format!(" {title} "), t.title))
}

/// A `width` x `height` box in the middle of `area`, a cell away from its edges.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The double border of overlays and modals, titled ` title `.
pub fn modal_block(t: &Theme, title: &str) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(t.border_focused)
        .title(Span::styled(format!(" {title} "), t.title))
}

/// Where [`modal`] puts a `width` x `height` box on `screen` (the middle, cut to the screen).
pub fn modal_area(screen: Rect, (width, height): (u16, u16)) -> Rect {
    let (width, height) = (width.min(screen.width), height.min(screen.height));
    Rect::new(
        screen.x + (screen.width - width) / 2,
        screen.y + (screen.height - height) / 2,
        width,
        height,
    )
}

/// A modal (approval, elicitation, sampling): clears a `width` x `height` box in the middle
/// of the screen, draws its double border titled `title` — plus "(N more waiting)" when
/// `queued` requests wait behind it — and returns the area inside.
pub fn modal(
    frame: &mut Frame,
    t: &Theme,
    (width, height): (u16, u16),
    title: &str,
    queued: usize,
) -> Rect {
    let area = modal_area(frame.area(), (width, height));
    let more = match queued {
        0 | 1 => String::new(),
        n => format!(" ({} more waiting)", n - 1),
    };
    let block = modal_block(t, &format!("{title}{more}"));
    frame.render_widget(Clear, area);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
