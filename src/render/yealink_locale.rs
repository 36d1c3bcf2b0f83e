//! Yealink time zone and language settings from the neutral IANA zone and ISO 639-1 code.
//!
//! **Time zone** (config-formats §2.2 "NTP / TZ"; Yealink T2/T4/T5 admin guide "DST
//! Configuration": `local_time.summer_time` 0 disabled / 1 enabled / 2 automatic,
//! `local_time.dst_time_type` 0 by date / 1 by week, `local_time.start_time` /
//! `local_time.end_time` as `Month/Week of Month/Day of Week/Hour of Day` with week 5 = the last
//! week, day 1 = Monday … 7 = Sunday, hour 0–23, and `local_time.offset_time` in minutes,
//! −300…300). The zone's POSIX rule (`Zone::rule`) is written explicitly with
//! `summer_time = 1` (or `0` without DST), never `2`: "automatic" looks the rule up in the
//! phone's own AutoDST table by `local_time.time_zone_name`, whose names are Yealink's own list,
//! so `time_zone_name` is not written. `local_time.time_zone` is the standard offset as `+1`,
//! `-5`, `+5:30`, `0` (the AutoDST template's `szTime` form, −12…+14).
//!
//! A rule the phone cannot express is [`RenderError::UnsupportedValue`] naming the zone:
//! a change at a time that is not a whole hour of the day 0–23 (Pacific/Chatham at 2:45,
//! America/Nuuk at −1:00, America/Santiago at 24:00), a day-of-year rule, or an offset outside
//! the phone's ranges.
//!
//! **Language** (`lang.gui` for the phone, `lang.wui` for its web pages; Yealink admin guide
//! "Language"; wazo `_LOCALE`): the English names of the languages every current model ships.
//! Others are [`RenderError::UnsupportedValue`].

use std::borrow::Cow;

use super::RenderError;
use crate::digits::{decimal_text, push_decimal, push_padded};
use crate::timezone::{Transition, Zone};

/// `local_time.*` keys, in the order they are written.
pub(super) const KEY_TIME_ZONE: &str = "local_time.time_zone";
const KEY_SUMMER_TIME: &str = "local_time.summer_time";
const KEY_DST_TYPE: &str = "local_time.dst_time_type";
const KEY_DST_START: &str = "local_time.start_time";
const KEY_DST_END: &str = "local_time.end_time";
const KEY_DST_OFFSET: &str = "local_time.offset_time";

/// Phone UI and web UI language keys.
pub(super) const KEY_LANG_GUI: &str = "lang.gui";
pub(super) const KEY_LANG_WUI: &str = "lang.wui";

/// ISO 639-1 code → Yealink language name (`lang.gui` / `lang.wui`).
const LANGUAGES: [(&str, &str); 10] = [
    ("en", "English"),
    ("zh", "Chinese_S"),
    ("fr", "French"),
    ("de", "German"),
    ("it", "Italian"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("es", "Spanish"),
    ("tr", "Turkish"),
    ("ru", "Russian"),
];

/// The `local_time.*` (key, value) lines for `zone`.
pub(super) fn time_zone_lines(zone: &Zone) -> Result<Vec<(&'static str, Cow<'static, str>)>, RenderError> {
    let unsupported = || RenderError::UnsupportedValue {
        field: format!("timezone {}", zone.name),
    };
    let rule = zone.rule();
    let mut lines = Vec::with_capacity(6);
    lines.push((
        KEY_TIME_ZONE,
        offset(rule.std_offset_secs).ok_or_else(unsupported)?.into(),
    ));
    let Some(dst) = &rule.dst else {
        lines.push((KEY_SUMMER_TIME, "0".into()));
        return Ok(lines);
    };
    let saving = dst.offset_secs - rule.std_offset_secs;
    let saving_min = (saving % 60 == 0)
        .then_some(saving / 60)
        .filter(|m| *m != 0 && (-300..=300).contains(m))
        .ok_or_else(unsupported)?;
    lines.push((KEY_SUMMER_TIME, "1".into()));
    lines.push((KEY_DST_TYPE, "1".into()));
    lines.push((KEY_DST_START, by_week(dst.start).ok_or_else(unsupported)?.into()));
    lines.push((KEY_DST_END, by_week(dst.end).ok_or_else(unsupported)?.into()));
    lines.push((KEY_DST_OFFSET, decimal_text(saving_min.into())));
    Ok(lines)
}

/// `+H`, `-H`, `+H:MM` or `0` for an offset east of UTC, within −12…+14 hours in whole
/// minutes.
fn offset(secs: i32) -> Option<String> {
    if secs % 60 != 0 || !(-12 * 3600..=14 * 3600).contains(&secs) {
        return None;
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let minutes = secs.unsigned_abs() / 60;
    let mut text = String::with_capacity(6);
    match (minutes / 60, minutes % 60) {
        (0, 0) => text.push('0'),
        (h, m) => {
            text.push(sign);
            push_decimal(&mut text, h.into());
            if m != 0 {
                text.push(':');
                push_padded(&mut text, m.into(), 2);
            }
        }
    }
    Some(text)
}

/// `Month/Week/Day/Hour` (day 1 = Monday … 7 = Sunday) for a month-week-day change at a whole
/// hour 0–23.
fn by_week(change: Transition) -> Option<String> {
    let Transition::MonthWeekDay {
        month,
        week,
        weekday,
        time_secs,
    } = change
    else {
        return None;
    };
    if time_secs % 3600 != 0 || !(0..24 * 3600).contains(&time_secs) {
        return None;
    }
    let day = if weekday == 0 { 7 } else { weekday };
    let mut text = String::with_capacity(12);
    for (i, n) in [month.into(), week.into(), day.into(), (time_secs / 3600) as u64]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            text.push('/');
        }
        push_decimal(&mut text, n);
    }
    Some(text)
}

/// The Yealink name of an ISO 639-1 language code (any case).
pub(super) fn language(code: &str) -> Result<&'static str, RenderError> {
    LANGUAGES
        .iter()
        .find(|(iso, _)| iso.eq_ignore_ascii_case(code))
        .map(|(_, name)| *name)
        .ok_or_else(|| RenderError::UnsupportedValue {
            field: unsupported_language(code),
        })
}

/// `language xx` when the code looks like one (it is not secret), else `language`.
pub(super) fn unsupported_language(code: &str) -> String {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        format!("language {code}")
    } else {
        "language".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(zone: &str) -> Result<Vec<(&'static str, String)>, RenderError> {
        let lines = time_zone_lines(&Zone::find(zone).expect("known zone"))?;
        Ok(lines
            .into_iter()
            .map(|(key, value)| (key, value.into_owned()))
            .collect())
    }

    fn want(list: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        list.iter().map(|&(k, v)| (k, v.to_owned())).collect()
    }

    #[test]
    fn zones_with_dst() {
        assert_eq!(
            lines("Europe/Berlin"),
            Ok(want(&[
                (KEY_TIME_ZONE, "+1"),
                (KEY_SUMMER_TIME, "1"),
                (KEY_DST_TYPE, "1"),
                (KEY_DST_START, "3/5/7/2"),
                (KEY_DST_END, "10/5/7/3"),
                (KEY_DST_OFFSET, "60"),
            ]))
        );
        assert_eq!(
            lines("America/New_York"),
            Ok(want(&[
                (KEY_TIME_ZONE, "-5"),
                (KEY_SUMMER_TIME, "1"),
                (KEY_DST_TYPE, "1"),
                (KEY_DST_START, "3/2/7/2"),
                (KEY_DST_END, "11/1/7/2"),
                (KEY_DST_OFFSET, "60"),
            ]))
        );
        // Half-hour offset and a 30-minute saving.
        assert_eq!(
            lines("Australia/Lord_Howe"),
            Ok(want(&[
                (KEY_TIME_ZONE, "+10:30"),
                (KEY_SUMMER_TIME, "1"),
                (KEY_DST_TYPE, "1"),
                (KEY_DST_START, "10/1/7/2"),
                (KEY_DST_END, "4/1/7/2"),
                (KEY_DST_OFFSET, "30"),
            ]))
        );
    }

    #[test]
    fn zones_without_dst() {
        assert_eq!(
            lines("Asia/Kolkata"),
            Ok(want(&[(KEY_TIME_ZONE, "+5:30"), (KEY_SUMMER_TIME, "0")]))
        );
        assert_eq!(
            lines("Asia/Kathmandu"),
            Ok(want(&[(KEY_TIME_ZONE, "+5:45"), (KEY_SUMMER_TIME, "0")]))
        );
        assert_eq!(lines("UTC"), Ok(want(&[(KEY_TIME_ZONE, "0"), (KEY_SUMMER_TIME, "0")])));
        assert_eq!(
            lines("America/St_Johns").map(|l| l[0].1.clone()),
            Ok("-3:30".to_owned())
        );
    }

    #[test]
    fn rules_the_phone_cannot_express() {
        for zone in ["Pacific/Chatham", "America/Nuuk", "America/Santiago"] {
            assert_eq!(
                lines(zone),
                Err(RenderError::UnsupportedValue {
                    field: format!("timezone {zone}")
                }),
                "{zone}"
            );
        }
        assert_eq!(offset(15 * 3600), None);
        assert_eq!(offset(-12 * 3600), Some("-12".to_owned()));
        assert_eq!(offset(14 * 3600), Some("+14".to_owned()));
    }

    #[test]
    fn languages() {
        assert_eq!(language("de"), Ok("German"));
        assert_eq!(language("EN"), Ok("English"));
        assert_eq!(language("zh"), Ok("Chinese_S"));
        assert_eq!(
            language("xx"),
            Err(RenderError::UnsupportedValue {
                field: "language xx".into()
            })
        );
        assert_eq!(
            language("a\nb"),
            Err(RenderError::UnsupportedValue {
                field: "language".into()
            })
        );
    }
}
