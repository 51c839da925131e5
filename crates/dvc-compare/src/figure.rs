//! The figures a comparison knows: their names, units, the score's anchors and default weights,
//! and how the national service index counts those it counts.

/// A figure of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FigureId {
    AvailabilityOffice,
    Availability,
    PageP50,
    PageP95,
    FcpP75,
    LcpP75,
    TbtP75,
    JourneyP50,
    JourneyP95,
    IntakeP50,
    IntakeP95,
    LateAcceptance,
    OnTime,
    PaymentP95,
    ProceduresFullOnline,
    ProceduresPartlyOnline,
    DossiersOnline,
    PaymentsOnline,
    DossiersDigitised,
    ResultsDigitised,
    Satisfaction,
}

/// How the national service index (Decision 766/QĐ-TTg) counts a figure: its group, the
/// group's points out of 100, and the share at which the indicator earns full marks (earned in
/// proportion below it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexRule {
    /// The group's id: `progress`, `online_service`, `online_payment`, `digitisation`,
    /// `satisfaction`.
    pub group: &'static str,
    pub group_points: u32,
    pub full_marks_at: f64,
}

impl IndexRule {
    /// The share of the indicator's marks `value` earns on the index's own scale.
    pub fn marks(self, value: f64) -> f64 {
        (value / self.full_marks_at).clamp(0.0, 1.0)
    }
}

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 0–1, shown as a percentage.
    Ratio,
    Seconds,
    /// Working seconds, shown in working hours.
    WorkingHours,
}

impl Unit {
    /// The unit's suffix in exported column names: `ratio`, `s`, `working_h`.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Ratio => "ratio",
            Unit::Seconds => "s",
            Unit::WorkingHours => "working_h",
        }
    }

    /// A value as exported in this unit: ratios 0–1, seconds, working hours.
    pub fn exported(self, value: f64) -> f64 {
        match self {
            Unit::WorkingHours => value / 3600.0,
            _ => value,
        }
    }
}

impl FigureId {
    pub const ALL: [FigureId; 21] = [
        FigureId::AvailabilityOffice,
        FigureId::Availability,
        FigureId::PageP50,
        FigureId::PageP95,
        FigureId::FcpP75,
        FigureId::LcpP75,
        FigureId::TbtP75,
        FigureId::JourneyP50,
        FigureId::JourneyP95,
        FigureId::IntakeP50,
        FigureId::IntakeP95,
        FigureId::LateAcceptance,
        FigureId::OnTime,
        FigureId::PaymentP95,
        FigureId::ProceduresFullOnline,
        FigureId::ProceduresPartlyOnline,
        FigureId::DossiersOnline,
        FigureId::PaymentsOnline,
        FigureId::DossiersDigitised,
        FigureId::ResultsDigitised,
        FigureId::Satisfaction,
    ];

    /// The index figures read from a portal's statistics: the numerator's and the
    /// denominator's field (as a probe's stats check names them).
    pub fn counts(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            FigureId::ProceduresFullOnline => ("procedures_full_online", "procedures_total"),
            FigureId::ProceduresPartlyOnline => ("procedures_partly_online", "procedures_total"),
            FigureId::DossiersOnline => ("dossiers_online", "dossiers_total"),
            FigureId::PaymentsOnline => ("payments_online", "payments_total"),
            FigureId::DossiersDigitised => ("dossiers_digitised", "dossiers_total"),
            FigureId::ResultsDigitised => ("results_digitised", "results_total"),
            FigureId::Satisfaction => ("satisfaction_satisfied", "satisfaction_responses"),
            _ => return None,
        })
    }

    /// How the national service index counts the figure, for those it counts.
    pub fn index(self) -> Option<IndexRule> {
        let rule = |group, group_points| IndexRule {
            group,
            group_points,
            full_marks_at: 0.8,
        };
        Some(match self {
            FigureId::OnTime => rule("progress", 20),
            FigureId::ProceduresFullOnline | FigureId::DossiersOnline => rule("online_service", 12),
            FigureId::PaymentsOnline => rule("online_payment", 10),
            FigureId::DossiersDigitised | FigureId::ResultsDigitised => rule("digitisation", 22),
            FigureId::Satisfaction => rule("satisfaction", 18),
            _ => return None,
        })
    }

    /// The name used in `--weight`, CSV columns and element ids.
    pub fn id(self) -> &'static str {
        match self {
            FigureId::AvailabilityOffice => "availability_office_hours",
            FigureId::Availability => "availability",
            FigureId::PageP50 => "page_p50",
            FigureId::PageP95 => "page_p95",
            FigureId::FcpP75 => "first_contentful_paint_p75",
            FigureId::LcpP75 => "largest_contentful_paint_p75",
            FigureId::TbtP75 => "total_blocking_time_p75",
            FigureId::JourneyP50 => "journey_p50",
            FigureId::JourneyP95 => "journey_p95",
            FigureId::IntakeP50 => "intake_p50",
            FigureId::IntakeP95 => "intake_p95",
            FigureId::LateAcceptance => "late_acceptance",
            FigureId::OnTime => "on_time",
            FigureId::PaymentP95 => "payment_confirmation_p95",
            FigureId::ProceduresFullOnline => "procedures_full_online",
            FigureId::ProceduresPartlyOnline => "procedures_partly_online",
            FigureId::DossiersOnline => "dossiers_online",
            FigureId::PaymentsOnline => "payments_online",
            FigureId::DossiersDigitised => "dossiers_digitised",
            FigureId::ResultsDigitised => "results_digitised",
            FigureId::Satisfaction => "satisfaction",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            FigureId::IntakeP50 | FigureId::IntakeP95 => Unit::WorkingHours,
            FigureId::PageP50
            | FigureId::PageP95
            | FigureId::FcpP75
            | FigureId::LcpP75
            | FigureId::TbtP75
            | FigureId::JourneyP50
            | FigureId::JourneyP95
            | FigureId::PaymentP95 => Unit::Seconds,
            _ => Unit::Ratio,
        }
    }

    /// The score's anchors: the value that earns 100 and the value that earns 0 (linear in
    /// between). They follow the service levels: availability 99.5%; the ministry's website
    /// criteria for a page in a browser (first content within 3 s, the largest within 4 s,
    /// blocking under 0.6 s), full marks when met and none at twice the limit; an HTTP answer
    /// within 0.5 s (dvcbench's own anchor: the criteria are not about HTTP answers);
    /// acceptance within one working day; payments confirmed within 30 s. The index's ratios earn 100 at
    /// 100% and 0 at 50%: unlike the index's own scale (full marks at 80%, see
    /// [`FigureId::index`]), this separates provinces that report 90–100%.
    pub fn anchors(self) -> (f64, f64) {
        match self {
            FigureId::AvailabilityOffice | FigureId::Availability => (0.995, 0.95),
            FigureId::PageP50 | FigureId::PageP95 => (0.5, 5.0),
            FigureId::FcpP75 => (3.0, 6.0),
            FigureId::LcpP75 => (4.0, 8.0),
            FigureId::TbtP75 => (0.6, 1.2),
            FigureId::JourneyP50 | FigureId::JourneyP95 => (3.0, 30.0),
            FigureId::IntakeP50 | FigureId::IntakeP95 => (8.0 * 3600.0, 24.0 * 3600.0),
            FigureId::LateAcceptance => (0.05, 0.5),
            FigureId::PaymentP95 => (30.0, 300.0),
            FigureId::OnTime
            | FigureId::ProceduresFullOnline
            | FigureId::ProceduresPartlyOnline
            | FigureId::DossiersOnline
            | FigureId::PaymentsOnline
            | FigureId::DossiersDigitised
            | FigureId::ResultsDigitised
            | FigureId::Satisfaction => (1.0, 0.5),
        }
    }

    /// The figure's score out of 100 for `value`.
    pub fn score(self, value: f64) -> f64 {
        let (full, zero) = self.anchors();
        (100.0 * (value - zero) / (full - zero)).clamp(0.0, 100.0)
    }

    /// Default weights of the overall score: the service levels' add up to 1, the index
    /// figures' to 0.3 more (scores use each figure's share of the weights scored).
    pub fn default_weight(self) -> f64 {
        match self {
            FigureId::ProceduresPartlyOnline => 0.0,
            FigureId::ProceduresFullOnline
            | FigureId::DossiersOnline
            | FigureId::PaymentsOnline
            | FigureId::DossiersDigitised
            | FigureId::ResultsDigitised
            | FigureId::Satisfaction => 0.05,
            FigureId::AvailabilityOffice => 0.25,
            FigureId::Availability => 0.05,
            FigureId::IntakeP95 => 0.15,
            FigureId::PageP95 | FigureId::LcpP75 => 0.05,
            FigureId::FcpP75 | FigureId::TbtP75 => 0.025,
            FigureId::JourneyP95 | FigureId::LateAcceptance | FigureId::OnTime => 0.1,
            FigureId::PaymentP95 => 0.1,
            FigureId::PageP50 | FigureId::JourneyP50 | FigureId::IntakeP50 => 0.0,
        }
    }

    /// The exported column of the figure's value, with its unit: `page_p95_s`.
    pub fn column(self) -> String {
        format!("{}_{}", self.id(), self.unit().suffix())
    }

    pub fn parse(id: &str) -> Option<FigureId> {
        FigureId::ALL.into_iter().find(|f| f.id() == id)
    }
}
