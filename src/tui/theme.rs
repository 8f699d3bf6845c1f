//! UI palettes (TOML in `themes/`) and colour depth: true colour when the terminal says so,
//! otherwise the nearest of the 16 ANSI colours; `NO_COLOR` turns colour off.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The built-in palettes and code themes, embedded so the binary works from any directory.
const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "dark",
        include_str!("../../themes/dark.toml"),
        include_str!("../../themes/codemode-dark.tmTheme"),
    ),
    (
        "light",
        include_str!("../../themes/light.toml"),
        include_str!("../../themes/codemode-light.tmTheme"),
    ),
];

/// How many colours the terminal can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorDepth {
    /// No colour at all (`NO_COLOR`): emphasis by bold/reverse only.
    None,
    /// The 16 ANSI colours.
    Ansi16,
    /// 24-bit colour.
    TrueColor,
}

impl ColorDepth {
    /// From the environment: `NO_COLOR` (any value) → none; `COLORTERM=truecolor|24bit` →
    /// true colour; otherwise 16 colours, which every terminal has.
    pub fn detect(no_color: Option<String>, colorterm: Option<String>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            ColorDepth::None
        } else if colorterm.is_some_and(|v| v == "truecolor" || v == "24bit") {
            ColorDepth::TrueColor
        } else {
            ColorDepth::Ansi16
        }
    }
}

#[derive(Debug, Deserialize)]
struct PaletteFile {
    border: String,
    border_focused: String,
    title: String,
    selection_bg: String,
    selection_fg: String,
    muted: String,
    ok: String,
    warn: String,
    error: String,
    accent: String,
    status_bg: String,
    status_fg: String,
}

/// Resolved UI styles.
#[derive(Clone, Debug)]
pub struct Theme {
    /// Theme name.
    pub name: String,
    /// Colour depth in force.
    pub depth: ColorDepth,
    /// Unfocused borders.
    pub border: Style,
    /// The focused pane's border.
    pub border_focused: Style,
    /// Pane titles.
    pub title: Style,
    /// Selected rows.
    pub selection: Style,
    /// Secondary text.
    pub muted: Style,
    /// Success.
    pub ok: Style,
    /// Warnings.
    pub warn: Style,
    /// Errors.
    pub error: Style,
    /// Highlights (keys in hints, headings).
    pub accent: Style,
    /// The status bar.
    pub status: Style,
    /// The code theme (`.tmTheme` XML).
    pub code_theme: String,
}

/// Names of the built-in themes.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _, _)| *n).collect()
}

/// A theme that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// No built-in theme of that name.
    #[error("unknown theme `{0}` (built in: {1})")]
    Unknown(String, String),
    /// The palette file is not valid.
    #[error("theme `{0}`: {1}")]
    Palette(String, toml::de::Error),
    /// A colour nobody knows.
    #[error("unknown colour `{0}`")]
    Colour(String),
    /// The code theme or the Rhai grammar does not load.
    #[error("{0}")]
    Highlighting(String),
}

impl Theme {
    /// A built-in theme by name (`dark`, `light`).
    pub fn builtin(name: &str, depth: ColorDepth) -> Result<Theme, ThemeError> {
        let (_, palette, code) = BUILTIN
            .iter()
            .find(|(n, _, _)| *n == name)
            .ok_or_else(|| ThemeError::Unknown(name.to_string(), builtin_names().join(", ")))?;
        Theme::from_parts(name, palette, code, depth)
    }

    /// A theme from a palette's TOML text and a `.tmTheme`'s XML.
    pub fn from_parts(
        name: &str,
        palette: &str,
        code_theme: &str,
        depth: ColorDepth,
    ) -> Result<Theme, ThemeError> {
        let p: PaletteFile =
            toml::from_str(palette).map_err(|e| ThemeError::Palette(name.to_string(), e))?;
        let fg =
            |c: &str| -> Result<Style, ThemeError> { Ok(Style::default().fg(color(c, depth)?)) };
        let none = depth == ColorDepth::None;
        Ok(Theme {
            name: name.to_string(),
            depth,
            border: fg(&p.border)?,
            border_focused: if none {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                fg(&p.border_focused)?
            },
            title: fg(&p.title)?.add_modifier(Modifier::BOLD),
            selection: if none {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
                    .bg(color(&p.selection_bg, depth)?)
                    .fg(color(&p.selection_fg, depth)?)
            },
            muted: if none {
                Style::default().add_modifier(Modifier::DIM)
            } else {
                fg(&p.muted)?
            },
            ok: fg(&p.ok)?,
            warn: fg(&p.warn)?.add_modifier(if none {
                Modifier::BOLD
            } else {
                Modifier::empty()
            }),
            error: fg(&p.error)?.add_modifier(if none {
                Modifier::BOLD
            } else {
                Modifier::empty()
            }),
            accent: fg(&p.accent)?.add_modifier(Modifier::BOLD),
            status: if none {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
                    .bg(color(&p.status_bg, depth)?)
                    .fg(color(&p.status_fg, depth)?)
            },
            code_theme: code_theme.to_string(),
        })
    }
}

/// Parses a palette colour for the given depth.
pub fn color(name: &str, depth: ColorDepth) -> Result<Color, ThemeError> {
    if depth == ColorDepth::None {
        return Ok(Color::Reset);
    }
    if let Some(hex) = name.strip_prefix('#') {
        let v = u32::from_str_radix(hex, 16).map_err(|_| ThemeError::Colour(name.to_string()))?;
        let (r, g, b) = ((v >> 16) as u8, (v >> 8) as u8, v as u8);
        return Ok(rgb(r, g, b, depth));
    }
    Ok(match name {
        "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" => Color::Gray,
        "dark_gray" => Color::DarkGray,
        "light_red" => Color::LightRed,
        "light_green" => Color::LightGreen,
        "light_yellow" => Color::LightYellow,
        "light_blue" => Color::LightBlue,
        "light_magenta" => Color::LightMagenta,
        "light_cyan" => Color::LightCyan,
        "white" => Color::White,
        other => return Err(ThemeError::Colour(other.to_string())),
    })
}

/// An RGB colour at the given depth: itself in true colour, else the nearest ANSI colour.
pub fn rgb(r: u8, g: u8, b: u8, depth: ColorDepth) -> Color {
    match depth {
        ColorDepth::TrueColor => Color::Rgb(r, g, b),
        ColorDepth::None => Color::Reset,
        ColorDepth::Ansi16 => nearest_ansi(r, g, b),
    }
}

/// The ANSI colour for an RGB one. Nearest by RGB distance would turn most syntax colours
/// into grey (a muted green string and a grey comment both become "dark gray"), so a
/// colourful RGB keeps its hue: the nearest of the six ANSI hues, its light variant for pastel
/// shades. Greys go by lightness.
fn nearest_ansi(r: u8, g: u8, b: u8) -> Color {
    let (ri, gi, bi) = (i32::from(r), i32::from(g), i32::from(b));
    let (max, min) = (ri.max(gi).max(bi), ri.min(gi).min(bi));
    let chroma = max - min;
    if chroma < 48 {
        return match (ri + gi + bi) / 3 {
            0..50 => Color::Black,
            50..150 => Color::DarkGray,
            150..225 => Color::Gray,
            _ => Color::White,
        };
    }
    // Hue in degrees (0 red, 60 yellow, 120 green, 180 cyan, 240 blue, 300 magenta).
    let hue = if max == ri {
        (60 * (gi - bi) / chroma).rem_euclid(360)
    } else if max == gi {
        60 * (bi - ri) / chroma + 120
    } else {
        60 * (ri - gi) / chroma + 240
    };
    let light = min > 90;
    let hues = [
        (Color::Red, Color::LightRed),
        (Color::Yellow, Color::LightYellow),
        (Color::Green, Color::LightGreen),
        (Color::Cyan, Color::LightCyan),
        (Color::Blue, Color::LightBlue),
        (Color::Magenta, Color::LightMagenta),
    ];
    let (normal, bright) = hues[usize::try_from(((hue + 30) / 60) % 6).unwrap_or(0)];
    if light { bright } else { normal }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse_at_every_depth() {
        for name in builtin_names() {
            for depth in [ColorDepth::None, ColorDepth::Ansi16, ColorDepth::TrueColor] {
                Theme::builtin(name, depth).unwrap();
            }
        }
        assert!(
            Theme::builtin("solarized", ColorDepth::Ansi16)
                .unwrap_err()
                .to_string()
                .contains("dark, light")
        );
    }

    #[test]
    fn depth_detection_and_nearest_colour() {
        assert_eq!(
            ColorDepth::detect(Some("1".into()), Some("truecolor".into())),
            ColorDepth::None
        );
        assert_eq!(
            ColorDepth::detect(None, Some("24bit".into())),
            ColorDepth::TrueColor
        );
        assert_eq!(ColorDepth::detect(None, None), ColorDepth::Ansi16);
        assert_eq!(rgb(250, 250, 250, ColorDepth::Ansi16), Color::White);
        assert_eq!(rgb(200, 40, 40, ColorDepth::Ansi16), Color::Red);
        assert_eq!(rgb(127, 132, 142, ColorDepth::Ansi16), Color::DarkGray);
        assert_eq!(rgb(36, 114, 200, ColorDepth::Ansi16), Color::Blue);
    }

    /// The colour the code theme gives `scope`'s first rule, as `#rrggbb`.
    fn scope_colour(tm_theme: &str, scope: &str) -> (u8, u8, u8) {
        let at = tm_theme
            .find(&format!("<key>scope</key><string>{scope}</string>"))
            .unwrap_or_else(|| panic!("no {scope} rule"));
        let hex = tm_theme[at..].split("<string>#").nth(1).unwrap();
        let v = u32::from_str_radix(&hex[..6], 16).unwrap();
        ((v >> 16) as u8, (v >> 8) as u8, v as u8)
    }

    #[test]
    fn sixteen_colours_keep_strings_comments_and_text_apart() {
        for (_, _, code) in BUILTIN {
            let [string, comment] = ["string", "comment"].map(|s| {
                let (r, g, b) = scope_colour(code, s);
                rgb(r, g, b, ColorDepth::Ansi16)
            });
            assert_ne!(
                string, comment,
                "strings and comments look the same in 16 colours"
            );
        }
    }

    /// WCAG 2 relative luminance of an sRGB colour.
    fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
        let c = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b)
    }

    fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn the_light_theme_meets_wcag_aa_for_text() {
        let (_, _, code) = BUILTIN.iter().find(|(n, _, _)| *n == "light").unwrap();
        let bg = {
            let hex = code.split("<key>background</key><string>#").nth(1).unwrap();
            let v = u32::from_str_radix(&hex[..6], 16).unwrap();
            ((v >> 16) as u8, (v >> 8) as u8, v as u8)
        };
        // Every foreground the code theme uses, comments included.
        for part in code.split("<key>foreground</key><string>#").skip(1) {
            let v = u32::from_str_radix(&part[..6], 16).unwrap();
            let fg = ((v >> 16) as u8, (v >> 8) as u8, v as u8);
            let ratio = contrast(fg, bg);
            assert!(ratio >= 4.5, "#{v:06X} on the background: {ratio:.2}:1");
        }
        assert_eq!(rgb(1, 2, 3, ColorDepth::TrueColor), Color::Rgb(1, 2, 3));
    }
}
