//! The dossier (hồ sơ) lifecycle: states 1–10 as synced to the National Public Service Portal,
//! the transitions between them, and the mapping from a portal's own status strings.
//!
//! ```text
//!              ┌──────────► 3 Refused
//!              │      ┌───► 5 Supplement ───┐ (back to 1, 2 or 4)
//!  1 Submitted ┴► 2 Accepted ─► 4 Processing ─► 9 Resolved ─► 10 Result returned
//!      │              │   ├──► 6 Awaiting fee ──┘   ▲
//!      │              │   └──► Transferred / Posted ┘ (liên thông, niêm yết: synced as 4)
//!      └──────────────┴─► 7 Withdrawal / 8 Stopped  └─ (from 2, 4 and 6)
//! ```
//!
//! Which clock runs in a state is the procedure's [`ClockPolicy`]: a supplement always pauses
//! the processing clock; the wait for fees or tax and a public posting pause it only for the
//! procedures whose rules exclude them (land procedures exclude the time citizens take to pay).
//! [`crate::dossier_clock`] turns a dossier's history into its deadlines.

use crate::{Diagnostic, Error};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use toml::Spanned;

/// A dossier's state, with the status code several one-stop systems sync to DVCQG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierState {
    Submitted = 1,
    Accepted = 2,
    Refused = 3,
    Processing = 4,
    SupplementRequested = 5,
    AwaitingFee = 6,
    WithdrawalRequested = 7,
    Stopped = 8,
    Resolved = 9,
    ResultReturned = 10,
    /// Sent to another agency for its part (liên thông); synced to DVCQG as processing (4).
    Transferred = 11,
    /// Posted publicly for objections (niêm yết công khai); synced as processing (4).
    Posted = 12,
}

/// Which deadline clock runs in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Submission → acceptance (due within one working day).
    Intake,
    /// Acceptance → result (due after the procedure's processing time).
    Processing,
    /// The processing clock is paused; the due date moves by the wait.
    Paused,
    /// No clock runs any more.
    Stopped,
}

impl DossierState {
    /// Every state: the ten DVCQG codes in order, then the states synced as one of them.
    pub const ALL: [DossierState; 12] = [
        DossierState::Submitted,
        DossierState::Accepted,
        DossierState::Refused,
        DossierState::Processing,
        DossierState::SupplementRequested,
        DossierState::AwaitingFee,
        DossierState::WithdrawalRequested,
        DossierState::Stopped,
        DossierState::Resolved,
        DossierState::ResultReturned,
        DossierState::Transferred,
        DossierState::Posted,
    ];

    /// The DVCQG status code, 1–10 (transferred and posted dossiers sync as processing, 4).
    pub fn code(self) -> u8 {
        match self {
            DossierState::Transferred | DossierState::Posted => 4,
            other => other as u8,
        }
    }

    /// The state DVCQG status code `code` names.
    pub fn from_code(code: u8) -> Option<DossierState> {
        DossierState::ALL[..10]
            .iter()
            .copied()
            .find(|s| *s as u8 == code)
    }

    /// The identifier used in configuration and JSON (`submitted`, `supplement_requested`, …).
    pub fn id(self) -> &'static str {
        match self {
            DossierState::Submitted => "submitted",
            DossierState::Accepted => "accepted",
            DossierState::Refused => "refused",
            DossierState::Processing => "processing",
            DossierState::SupplementRequested => "supplement_requested",
            DossierState::AwaitingFee => "awaiting_fee",
            DossierState::WithdrawalRequested => "withdrawal_requested",
            DossierState::Stopped => "stopped",
            DossierState::Resolved => "resolved",
            DossierState::ResultReturned => "result_returned",
            DossierState::Transferred => "transferred",
            DossierState::Posted => "posted",
        }
    }

    /// The Vietnamese name shown to citizens and officers.
    pub fn name_vi(self) -> &'static str {
        match self {
            DossierState::Submitted => "Mới đăng ký (chờ tiếp nhận)",
            DossierState::Accepted => "Được tiếp nhận",
            DossierState::Refused => "Không được tiếp nhận",
            DossierState::Processing => "Đang xử lý",
            DossierState::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            DossierState::AwaitingFee => "Yêu cầu thực hiện nghĩa vụ tài chính",
            DossierState::WithdrawalRequested => "Công dân yêu cầu rút hồ sơ",
            DossierState::Stopped => "Dừng xử lý",
            DossierState::Resolved => "Đã xử lý xong",
            DossierState::ResultReturned => "Đã trả kết quả",
            DossierState::Transferred => "Chuyển liên thông",
            DossierState::Posted => "Đang niêm yết công khai",
        }
    }

    /// The English name.
    pub fn name_en(self) -> &'static str {
        match self {
            DossierState::Submitted => "Submitted",
            DossierState::Accepted => "Accepted",
            DossierState::Refused => "Refused at intake",
            DossierState::Processing => "Processing",
            DossierState::SupplementRequested => "Supplement requested",
            DossierState::AwaitingFee => "Awaiting fee/tax",
            DossierState::WithdrawalRequested => "Withdrawal requested",
            DossierState::Stopped => "Stopped",
            DossierState::Resolved => "Resolved",
            DossierState::ResultReturned => "Result returned",
            DossierState::Transferred => "Transferred to another agency",
            DossierState::Posted => "Posted for objections",
        }
    }

    /// The status string DVCQG uses. "new" for Accepted is disputed between vendors: key on
    /// codes where possible.
    pub fn dvcqg(self) -> &'static str {
        match self {
            DossierState::Submitted => "receiving",
            DossierState::Accepted => "new",
            DossierState::Refused => "denied",
            DossierState::Processing => "processing",
            DossierState::SupplementRequested => "waiting",
            DossierState::AwaitingFee => "paying",
            DossierState::WithdrawalRequested => "cancelled",
            DossierState::Stopped => "unresolved",
            DossierState::Resolved => "releasing",
            DossierState::ResultReturned => "done",
            DossierState::Transferred | DossierState::Posted => "processing",
        }
    }

    /// The clock that runs while a dossier is in this state under the default policy (fees and
    /// postings run the clock); see [`ClockPolicy::clock`].
    pub fn clock(self) -> Clock {
        ClockPolicy::default().clock(self)
    }

    fn default_clock(self) -> Clock {
        match self {
            DossierState::Submitted => Clock::Intake,
            DossierState::Accepted
            | DossierState::Processing
            | DossierState::AwaitingFee
            | DossierState::Transferred
            | DossierState::Posted => Clock::Processing,
            DossierState::SupplementRequested => Clock::Paused,
            DossierState::Refused
            | DossierState::WithdrawalRequested
            | DossierState::Stopped
            | DossierState::Resolved
            | DossierState::ResultReturned => Clock::Stopped,
        }
    }

    /// The states a dossier may move to from this one.
    pub fn next_states(self) -> &'static [DossierState] {
        use DossierState::*;
        match self {
            Submitted => &[Accepted, Refused, SupplementRequested, WithdrawalRequested],
            Accepted => &[
                Processing,
                SupplementRequested,
                AwaitingFee,
                Transferred,
                Posted,
                WithdrawalRequested,
                Stopped,
                Resolved,
            ],
            Processing => &[
                SupplementRequested,
                AwaitingFee,
                Transferred,
                Posted,
                WithdrawalRequested,
                Stopped,
                Resolved,
            ],
            Transferred => &[
                Processing,
                SupplementRequested,
                AwaitingFee,
                Transferred,
                Posted,
                WithdrawalRequested,
                Stopped,
                Resolved,
            ],
            Posted => &[Processing, WithdrawalRequested, Stopped, Resolved],
            SupplementRequested => &[
                Submitted,
                Accepted,
                Processing,
                WithdrawalRequested,
                Stopped,
            ],
            AwaitingFee => &[
                Processing,
                Transferred,
                WithdrawalRequested,
                Stopped,
                Resolved,
            ],
            Resolved => &[ResultReturned],
            Refused | WithdrawalRequested | Stopped | ResultReturned => &[],
        }
    }

    /// True when no transition leaves this state.
    pub fn is_terminal(self) -> bool {
        self.next_states().is_empty()
    }

    /// The state after moving to `to`, or an error when the lifecycle does not allow it.
    pub fn transition(self, to: DossierState) -> Result<DossierState, Error> {
        if self.next_states().contains(&to) {
            Ok(to)
        } else {
            Err(Error::Transition { from: self, to })
        }
    }
}

/// Which waits a procedure's rules exclude from its processing time. A supplement request always
/// pauses the clock; these say whether the wait for fees or tax, and a public posting, do too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClockPolicy {
    /// The time the citizen takes to pay fees or tax is excluded (land procedures).
    pub fee_pauses: bool,
    /// A public posting period is excluded.
    pub posting_pauses: bool,
}

impl ClockPolicy {
    /// The clock that runs while a dossier is in `state` under this policy.
    pub fn clock(&self, state: DossierState) -> Clock {
        match state {
            DossierState::AwaitingFee if self.fee_pauses => Clock::Paused,
            DossierState::Posted if self.posting_pauses => Clock::Paused,
            other => other.default_clock(),
        }
    }
}

impl fmt::Display for DossierState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.id(), self.code())
    }
}

/// A dossier's path through the lifecycle, with the instant of each state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    history: Vec<(DossierState, NaiveDateTime)>,
}

impl Lifecycle {
    /// A dossier submitted at `at` (Vietnam local time).
    pub fn submitted(at: NaiveDateTime) -> Self {
        Lifecycle {
            history: vec![(DossierState::Submitted, at)],
        }
    }

    /// The current state.
    pub fn state(&self) -> DossierState {
        self.history.last().map_or(DossierState::Submitted, |h| h.0)
    }

    /// Moves to `to` at `at`; an invalid transition leaves the lifecycle unchanged.
    pub fn apply(&mut self, to: DossierState, at: NaiveDateTime) -> Result<(), Error> {
        let next = self.state().transition(to)?;
        self.history.push((next, at));
        Ok(())
    }

    /// Every state entered, with its instant, oldest first.
    pub fn history(&self) -> &[(DossierState, NaiveDateTime)] {
        &self.history
    }

    /// The last time the dossier entered `state`.
    pub fn entered(&self, state: DossierState) -> Option<NaiveDateTime> {
        self.history
            .iter()
            .rev()
            .find(|h| h.0 == state)
            .map(|h| h.1)
    }
}

/// Maps a portal's own status strings onto lifecycle states.
///
/// Starts from what DVCQG sync uses (codes `"1"`–`"10"`, DVCQG strings, the state ids), matched
/// without regard to case or surrounding space; a portal profile adds or overrides entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMapping {
    map: HashMap<String, DossierState>,
}

/// Status strings one-stop systems commonly use beyond DVCQG's, in the unaccented,
/// underscore-separated form they export (`CHUYEN_LIEN_THONG`), matched without regard to case.
const VENDOR_STATUSES: [(&str, DossierState); 14] = [
    ("cho_tiep_nhan", DossierState::Submitted),
    ("da_tiep_nhan", DossierState::Accepted),
    ("tu_choi_tiep_nhan", DossierState::Refused),
    ("dang_xu_ly", DossierState::Processing),
    ("cho_bo_sung", DossierState::SupplementRequested),
    (
        "cho_thuc_hien_nghia_vu_tai_chinh",
        DossierState::AwaitingFee,
    ),
    ("cho_nop_phi", DossierState::AwaitingFee),
    ("chuyen_lien_thong", DossierState::Transferred),
    ("lien_thong", DossierState::Transferred),
    ("niem_yet", DossierState::Posted),
    ("dang_niem_yet", DossierState::Posted),
    ("rut_ho_so", DossierState::WithdrawalRequested),
    ("dung_xu_ly", DossierState::Stopped),
    ("da_tra_ket_qua", DossierState::ResultReturned),
];

impl Default for StatusMapping {
    fn default() -> Self {
        let mut map = HashMap::new();
        for state in DossierState::ALL {
            map.insert(state.id().to_owned(), state);
            // Codes and DVCQG strings name the ten synced states, not the ones synced as them.
            if DossierState::from_code(state.code()) == Some(state) {
                map.insert(state.code().to_string(), state);
                map.insert(state.dvcqg().to_owned(), state);
            }
        }
        for (status, state) in VENDOR_STATUSES {
            map.insert(status.to_owned(), state);
        }
        StatusMapping { map }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusFile {
    status: BTreeMap<String, Spanned<toml::Value>>,
}

impl StatusMapping {
    /// Adds (or replaces) the state for a portal status string.
    pub fn insert(&mut self, status: &str, state: DossierState) {
        self.map.insert(normalise(status), state);
    }

    /// The state a portal's status string means.
    pub fn resolve(&self, status: &str) -> Result<DossierState, Error> {
        self.map
            .get(&normalise(status))
            .copied()
            .ok_or_else(|| Error::UnknownStatus(status.to_owned()))
    }

    /// Parses a `[status]` table (`"CHO_TIEP_NHAN" = "submitted"` or `= 1`) over the defaults.
    pub fn parse(path: &str, source: &str) -> Result<StatusMapping, Error> {
        let file: StatusFile = toml::from_str(source)
            .map_err(|e| Error::Config(vec![Diagnostic::from_toml(path, source, &e)]))?;
        let mut mapping = StatusMapping::default();
        let mut problems = Vec::new();
        for (status, value) in &file.status {
            let state = match value.get_ref() {
                toml::Value::Integer(code) => {
                    u8::try_from(*code).ok().and_then(DossierState::from_code)
                }
                toml::Value::String(id) => DossierState::ALL.into_iter().find(|s| s.id() == id),
                _ => None,
            };
            match state {
                Some(state) => mapping.insert(status, state),
                None => problems.push(Diagnostic::at(
                    path,
                    source,
                    value.span().start,
                    format!(
                        "{status:?} must map to a code 1-10 or a state id such as \"accepted\"; got {}",
                        value.get_ref()
                    ),
                )),
            }
        }
        if problems.is_empty() {
            Ok(mapping)
        } else {
            Err(Error::Config(problems))
        }
    }
}

fn normalise(status: &str) -> String {
    status.trim().to_lowercase()
}

#[cfg(test)]
mod tests;
