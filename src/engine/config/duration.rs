//! Short human durations: `500ms`, `5s`, `2m`, `1h`.

use std::time::Duration;

/// A duration that could not be read (the text as written).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration \"{0}\": use e.g. 500ms, 5s, 2m")]
pub struct DurationError(pub String);

/// Parses a duration written as a number followed by a unit: `ms`, `s`, `m`
/// or `h` (e.g. `500ms`, `5s`, `1.5s`, `2m`, `1h`). A unit is required: a bare
/// number is rejected. Surrounding whitespace, and whitespace between the
/// number and the unit, are allowed.
///
/// The error displays as a sentence to show as is, e.g.
/// `invalid duration "5x": use e.g. 500ms, 5s, 2m`.
pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let invalid = || DurationError(s.to_string());
    let trimmed = s.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(invalid)?;
    let (number, unit) = trimmed.split_at(split);
    let seconds_per_unit = match unit.trim_start() {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(invalid()),
    };
    let well_formed = !number.is_empty()
        && !number.starts_with('.')
        && !number.ends_with('.')
        && number.matches('.').count() <= 1;
    if !well_formed {
        return Err(invalid());
    }
    if let Ok(n) = number.parse::<u64>() {
        // Exact integer arithmetic where possible.
        let d = match unit.trim_start() {
            "ms" => Some(Duration::from_millis(n)),
            "s" => Some(Duration::from_secs(n)),
            "m" => n.checked_mul(60).map(Duration::from_secs),
            _ => n.checked_mul(3600).map(Duration::from_secs),
        };
        return d.ok_or_else(invalid);
    }
    let n: f64 = number.parse().map_err(|_| invalid())?;
    Duration::try_from_secs_f64(n * seconds_per_unit).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration(" 30 s "), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0.25m"), Ok(Duration::from_secs(15)));
    }

    #[test]
    fn rejects_bad_input_with_the_documented_message() {
        assert_eq!(
            parse_duration("5x").unwrap_err().to_string(),
            "invalid duration \"5x\": use e.g. 500ms, 5s, 2m"
        );
        for bad in [
            "", "5", "s", "ms", "-5s", "5 sec", "1.2.3s", ".5s", "5.s", "5S", "1e3s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert!(parse_duration("18446744073709551615h").is_err());
        assert!(parse_duration("99999999999999999999999s").is_err());
    }
}
