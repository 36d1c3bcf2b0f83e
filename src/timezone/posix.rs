//! POSIX TZ rules (`CET-1CEST,M3.5.0,M10.5.0/3`, POSIX.1-2017 §8.3 with the RFC 8536
//! extensions: quoted `<+0330>` names, hours up to 167 and negative transition times).

/// A parsed POSIX TZ rule. Offsets are seconds EAST of UTC (the opposite of POSIX's sign), as
/// phone settings express them: Berlin is `+3600`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PosixTz {
    pub std_name: String,
    pub std_offset_secs: i32,
    pub dst: Option<DstRule>,
}

/// Daylight-saving time: its name, offset and when it starts and ends (local time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DstRule {
    pub name: String,
    pub offset_secs: i32,
    pub start: Transition,
    pub end: Transition,
}

/// When a change happens, and at what local time (seconds after midnight, may be negative or
/// past 24 h).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// `Mm.w.d`: month 1–12, week 1–5 (5 = last), weekday 0–6 (0 = Sunday).
    MonthWeekDay {
        month: u8,
        week: u8,
        weekday: u8,
        time_secs: i32,
    },
    /// `Jn`: day 1–365, February 29 never counted.
    JulianNoLeap { day: u16, time_secs: i32 },
    /// `n`: day 0–365, February 29 counted in leap years.
    Julian { day: u16, time_secs: i32 },
}

impl Transition {
    /// Local time of day of the change, in seconds.
    pub fn time_secs(&self) -> i32 {
        match *self {
            Transition::MonthWeekDay { time_secs, .. }
            | Transition::JulianNoLeap { time_secs, .. }
            | Transition::Julian { time_secs, .. } => time_secs,
        }
    }
}

impl PosixTz {
    /// Parses a rule; `None` when it is not one.
    pub fn parse(text: &str) -> Option<PosixTz> {
        let mut p = Cursor { rest: text };
        let std_name = p.name()?;
        let std_offset_secs = -p.offset()?;
        if p.rest.is_empty() {
            return Some(PosixTz {
                std_name,
                std_offset_secs,
                dst: None,
            });
        }
        let name = p.name()?;
        let offset_secs = if p.rest.starts_with(',') {
            std_offset_secs + 3600
        } else {
            -p.offset()?
        };
        p.expect(',')?;
        let start = p.transition()?;
        p.expect(',')?;
        let end = p.transition()?;
        p.rest.is_empty().then_some(PosixTz {
            std_name,
            std_offset_secs,
            dst: Some(DstRule {
                name,
                offset_secs,
                start,
                end,
            }),
        })
    }

    /// The standard offset as `+HH:MM` / `-HH:MM`.
    pub fn std_offset_hhmm(&self) -> String {
        format_offset(self.std_offset_secs)
    }
}

/// `+HH:MM` / `-HH:MM` for an offset east of UTC in seconds.
pub fn format_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let minutes = secs.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn expect(&mut self, c: char) -> Option<()> {
        self.rest = self.rest.strip_prefix(c)?;
        Some(())
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &str {
        let end = self.rest.find(|c| !keep(c)).unwrap_or(self.rest.len());
        let (taken, rest) = self.rest.split_at(end);
        self.rest = rest;
        taken
    }

    fn name(&mut self) -> Option<String> {
        let name = if let Some(quoted) = self.rest.strip_prefix('<') {
            let end = quoted.find('>')?;
            self.rest = &quoted[end + 1..];
            &quoted[..end]
        } else {
            self.take_while(|c| c.is_ascii_alphabetic())
        };
        (name.len() >= 3).then(|| name.to_owned())
    }

    fn number(&mut self) -> Option<i32> {
        let digits = self.take_while(|c| c.is_ascii_digit());
        if digits.is_empty() || digits.len() > 3 {
            return None;
        }
        digits.parse().ok()
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, POSIX sign (positive = west).
    fn offset(&mut self) -> Option<i32> {
        let sign = if self.expect('-').is_some() {
            -1
        } else {
            let _ = self.expect('+');
            1
        };
        let mut secs = self.number()? * 3600;
        for unit in [60, 1] {
            if self.expect(':').is_none() {
                break;
            }
            secs += self.number()? * unit;
        }
        Some(sign * secs)
    }

    fn transition(&mut self) -> Option<Transition> {
        let transition = if self.expect('M').is_some() {
            let month = self.number()?;
            self.expect('.')?;
            let week = self.number()?;
            self.expect('.')?;
            let weekday = self.number()?;
            if !(1..=12).contains(&month) || !(1..=5).contains(&week) || !(0..=6).contains(&weekday) {
                return None;
            }
            Transition::MonthWeekDay {
                month: month as u8,
                week: week as u8,
                weekday: weekday as u8,
                time_secs: self.time()?,
            }
        } else if self.expect('J').is_some() {
            let day = self.number()?;
            if !(1..=365).contains(&day) {
                return None;
            }
            Transition::JulianNoLeap {
                day: day as u16,
                time_secs: self.time()?,
            }
        } else {
            let day = self.number()?;
            if !(0..=365).contains(&day) {
                return None;
            }
            Transition::Julian {
                day: day as u16,
                time_secs: self.time()?,
            }
        };
        Some(transition)
    }

    /// `[/time]`, default 02:00.
    fn time(&mut self) -> Option<i32> {
        if self.expect('/').is_none() {
            return Some(7200);
        }
        // Same syntax as an offset, read literally: `/-1` is one hour before midnight.
        self.offset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_european_rule() {
        let tz = PosixTz::parse("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert_eq!(tz.std_name, "CET");
        assert_eq!(tz.std_offset_secs, 3600);
        assert_eq!(tz.std_offset_hhmm(), "+01:00");
        let dst = tz.dst.unwrap();
        assert_eq!(dst.offset_secs, 7200);
        assert_eq!(
            dst.start,
            Transition::MonthWeekDay {
                month: 3,
                week: 5,
                weekday: 0,
                time_secs: 7200
            }
        );
        assert_eq!(dst.end.time_secs(), 3 * 3600);
    }

    #[test]
    fn parses_quoted_names_half_hours_and_negative_times() {
        let tz = PosixTz::parse("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0").unwrap();
        assert_eq!((tz.std_name.as_str(), tz.std_offset_secs), ("+1030", 37800));
        assert_eq!(tz.dst.as_ref().unwrap().offset_secs, 39600);
        let tz = PosixTz::parse("<-01>1<+00>-0,M3.5.0/0,M10.5.0/1").unwrap();
        assert_eq!(tz.std_offset_secs, -3600);
        let tz = PosixTz::parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0").unwrap();
        assert_eq!(tz.dst.unwrap().start.time_secs(), -3600);
        assert_eq!(PosixTz::parse("IST-5:30").unwrap().std_offset_hhmm(), "+05:30");
        assert_eq!(
            PosixTz::parse("EST5EDT,M3.2.0,M11.1.0").unwrap().std_offset_hhmm(),
            "-05:00"
        );
    }

    #[test]
    fn refuses_what_is_not_a_rule() {
        for bad in [
            "",
            "C-1",
            "CET",
            "CET-1CEST",
            "CET-1CEST,M13.5.0,M10.5.0",
            "CET-1x",
            "CET-1CEST,J0,J1",
        ] {
            assert_eq!(PosixTz::parse(bad), None, "{bad}");
        }
    }
}
