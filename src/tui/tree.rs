//! The servers pane's model: the rows (servers and their tools, resources, templates and
//! prompts) after folding and filtering, the selection, the filter being typed.

use crossterm::event::{KeyCode, KeyEvent};

use super::command::Command;
use crate::mcp::ServerState;

/// One row of the servers/tools tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// A server (index into `State::servers`).
    Server(usize),
    /// A tool (server index, tool index).
    Tool(usize, usize),
    /// A resource (server index, resource index).
    Resource(usize, usize),
    /// A prompt (server index, prompt index).
    Prompt(usize, usize),
    /// A resource template (server index, template index).
    Template(usize, usize),
}

impl Row {
    /// The server the row belongs to.
    pub fn server(&self) -> usize {
        match self {
            Row::Server(s)
            | Row::Tool(s, _)
            | Row::Resource(s, _)
            | Row::Prompt(s, _)
            | Row::Template(s, _) => *s,
        }
    }

    /// The name of what the row shows (the server's for a server row).
    pub fn name<'a>(&self, servers: &'a [ServerState]) -> Option<&'a str> {
        let s = servers.get(self.server())?;
        Some(match *self {
            Row::Server(_) => &s.name,
            Row::Tool(_, i) => &s.tools.get(i)?.name,
            Row::Resource(_, i) => &s.resources.get(i)?.name,
            Row::Prompt(_, i) => &s.prompts.get(i)?.name,
            Row::Template(_, i) => &s.templates.get(i)?.name,
        })
    }
}

/// The servers pane's state.
#[derive(Debug, Default)]
pub struct Tree {
    /// Servers whose tool list is folded away.
    pub collapsed: Vec<String>,
    /// Selected row.
    pub selected: usize,
    /// Filter (`/`), matched against tool names and titles.
    pub filter: String,
    /// Typing into the filter.
    pub filtering: bool,
}

impl Tree {
    /// The visible rows after folding and filtering.
    pub fn rows(&self, servers: &[ServerState]) -> Vec<Row> {
        let needle = self.filter.to_lowercase();
        let matches = |name: &str| needle.is_empty() || name.to_lowercase().contains(&needle);
        let mut rows = Vec::new();
        for (si, server) in servers.iter().enumerate() {
            let tools: Vec<usize> = server
                .tools
                .iter()
                .enumerate()
                .filter(|(_, t)| matches(&t.name) || matches(t.title.as_deref().unwrap_or("")))
                .map(|(i, _)| i)
                .collect();
            if !needle.is_empty() && tools.is_empty() && !matches(&server.name) {
                continue;
            }
            rows.push(Row::Server(si));
            if self.collapsed.contains(&server.name) {
                continue;
            }
            rows.extend(tools.into_iter().map(|ti| Row::Tool(si, ti)));
            rows.extend(
                server
                    .resources
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| matches(&r.name) || matches(&r.uri))
                    .map(|(ri, _)| Row::Resource(si, ri)),
            );
            rows.extend(
                server
                    .templates
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| matches(&t.name) || matches(&t.uri_template))
                    .map(|(ti, _)| Row::Template(si, ti)),
            );
            rows.extend(
                server
                    .prompts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| matches(&p.name))
                    .map(|(pi, _)| Row::Prompt(si, pi)),
            );
        }
        rows
    }

    /// The selected row, if any.
    pub fn selected_row(&self, servers: &[ServerState]) -> Option<Row> {
        let rows = self.rows(servers);
        rows.get(self.selected.min(rows.len().saturating_sub(1)))
            .cloned()
    }

    /// Selects the row of `server`'s tool, resource, template or prompt called `name` (the
    /// server's own row when `name` is empty); `false` when no visible row is.
    pub fn select(&mut self, servers: &[ServerState], server: &str, name: &str) -> bool {
        let found = self.rows(servers).iter().position(|row| {
            let server_row = matches!(row, Row::Server(_));
            servers.get(row.server()).is_some_and(|s| s.name == server)
                && (server_row == name.is_empty())
                && (server_row || row.name(servers) == Some(name))
        });
        if let Some(i) = found {
            self.selected = i;
        }
        found.is_some()
    }

    /// Applies a command of the servers pane: moving, folding, the filter. `false` when it
    /// is not one of those (the item's own commands: insert, call, open).
    /// A page is `page` rows (the pane's height).
    pub fn update(&mut self, command: Command, servers: &[ServerState], page: usize) -> bool {
        if self.filtering {
            match command {
                Command::ClearFilter => {
                    self.filtering = false;
                    self.filter.clear();
                }
                Command::Accept => self.filtering = false,
                Command::Input(key) => self.type_filter(key),
                _ => return false,
            }
            self.selected = 0;
            return true;
        }
        let last = self.rows(servers).len().saturating_sub(1);
        match command {
            Command::Up => self.selected = self.selected.saturating_sub(1),
            Command::Down => self.selected = (self.selected + 1).min(last),
            Command::PageUp => self.selected = self.selected.saturating_sub(page),
            Command::PageDown => self.selected = (self.selected + page).min(last),
            Command::Home => self.selected = 0,
            Command::End => self.selected = last,
            Command::Filter => {
                self.filtering = true;
                self.filter.clear();
            }
            Command::ClearFilter => self.filter.clear(),
            Command::Fold | Command::Unfold => {
                let Some(Row::Server(s)) = self.selected_row(servers) else {
                    return true;
                };
                let name = &servers[s].name;
                if let Some(i) = self.collapsed.iter().position(|n| n == name) {
                    self.collapsed.remove(i);
                } else if command == Command::Fold {
                    self.collapsed.push(name.clone());
                }
            }
            _ => return false,
        }
        true
    }

    fn type_filter(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char(c) => self.filter.push(c),
            _ => {}
        }
    }
}
