//! Parameter notes in the prompt form: a long sentence several parameters of one tool repeat
//! (`end_timestamp` repeating the formats `start_timestamp` accepts) is said once; the later
//! parameters refer back to the first.

use super::sentences;

/// Sentences shorter than this are repeated: a reference costs about as much.
const REPEAT_MIN: usize = 40;

/// The parameters' long sentences seen so far in one tool, with the parameter that said each.
#[derive(Default)]
pub(super) struct Said(Vec<(String, String)>);

impl Said {
    /// `description` of `param` without the long sentences an earlier parameter said, which
    /// become ``(otherwise as `that_param`)``.
    pub(super) fn once(&mut self, param: &str, description: &str) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut earlier: Vec<String> = Vec::new();
        for s in sentences(description) {
            if s.len() >= REPEAT_MIN {
                if let Some((_, p)) = self.0.iter().find(|(x, _)| *x == s) {
                    if !earlier.contains(p) {
                        earlier.push(p.clone());
                    }
                    continue;
                }
                self.0.push((s.clone(), param.to_string()));
            }
            out.push(s);
        }
        for p in earlier {
            out.push(format!("(otherwise as `{p}`)"));
        }
        out.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::Said;

    #[test]
    fn a_long_sentence_is_said_once_per_tool() {
        let formats = "Accepts: ISO 8601 format (e.g., '2024-01-15T14:30:25'), relative dates (e.g., '2 weeks ago'), or absolute dates";
        let mut said = Said::default();
        assert_eq!(
            said.once("start", &format!("Start timestamp. {formats}")),
            format!("Start timestamp. {formats}")
        );
        assert_eq!(
            said.once("end", &format!("End timestamp. {formats}")),
            "End timestamp. (otherwise as `start`)"
        );
        // Short sentences stay.
        assert_eq!(said.once("x", "Optional."), "Optional.");
        assert_eq!(said.once("y", "Optional."), "Optional.");
    }
}
