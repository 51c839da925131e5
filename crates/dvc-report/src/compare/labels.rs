//! The words of the comparison, in Vietnamese and English.

use crate::Lang;
use dvc_compare::FigureId;

pub struct Labels {
    pub html_lang: &'static str,
    pub title: &'static str,
    pub period: &'static str,
    pub source: &'static str,
    pub probe_store: &'static str,
    pub location: &'static str,
    pub unknown_location: &'static str,
    pub ranking: &'static str,
    pub rank: &'static str,
    pub province: &'static str,
    pub score: &'static str,
    pub not_ranked: &'static str,
    pub too_few: &'static str,
    pub samples: &'static str,
    pub no_data: &'static str,
    pub charts: &'static str,
    pub score_chart: &'static str,
    pub page_chart: &'static str,
    pub intake_chart: &'static str,
    pub availability_trend: &'static str,
    pub page_trend: &'static str,
    pub minutes_since_start: &'static str,
    pub hours_since_start: &'static str,
    pub days_since_start: &'static str,
    pub methodology: &'static str,
    pub method_intro: &'static str,
    pub figure: &'static str,
    pub meaning: &'static str,
    pub full_marks: &'static str,
    pub zero_marks: &'static str,
    pub weight: &'static str,
    pub score_rule: &'static str,
    pub aggregation: &'static str,
    pub working_hours: &'static str,
}

const VI: Labels = Labels {
    html_lang: "vi",
    title: "So sánh cổng dịch vụ công các tỉnh, thành phố",
    period: "Kỳ đánh giá",
    source: "Nguồn số liệu",
    probe_store: "tệp trạng thái của đầu dò",
    location: "Vị trí đặt đầu dò",
    unknown_location: "không rõ",
    ranking: "Xếp hạng",
    rank: "Hạng",
    province: "Tỉnh, thành phố",
    score: "Điểm (/100)",
    not_ranked: "không xếp hạng",
    too_few: "thiếu mẫu",
    samples: "mẫu",
    no_data: "không có dữ liệu",
    charts: "Biểu đồ",
    score_chart: "Điểm tổng hợp",
    page_chart: "Thời gian tải trang (p50, p95)",
    intake_chart: "Thời gian chờ tiếp nhận, giờ làm việc (p50, p95)",
    availability_trend: "Tỉ lệ sẵn sàng theo thời gian",
    page_trend: "Thời gian tải trang p95 theo thời gian",
    minutes_since_start: "phút từ đầu kỳ",
    hours_since_start: "giờ từ đầu kỳ",
    days_since_start: "ngày từ đầu kỳ",
    methodology: "Phương pháp",
    method_intro: "Các đầu dò dvcbench gửi yêu cầu thử với tần suất thấp tới cổng của từng tỉnh (không kiểm thử tải cổng đang vận hành) và nộp hồ sơ thử để đo thời gian tiếp nhận; số liệu đúng hạn lấy từ thống kê công khai của cổng.",
    figure: "Chỉ số",
    meaning: "Ý nghĩa và cách đo",
    full_marks: "Đạt 100 điểm khi",
    zero_marks: "0 điểm khi",
    weight: "Trọng số",
    score_rule: "Điểm tổng hợp là trung bình có trọng số của điểm từng chỉ số (tuyến tính giữa hai mốc), chỉ tính các chỉ số có trọng số và đo được ở ít nhất một tỉnh. Tỉnh có chỉ số nào dưới số mẫu tối thiểu thì được liệt kê nhưng không xếp hạng. Số mẫu tối thiểu:",
    aggregation: "Phân vị được tính từ tổng các bucket histogram của mọi đầu dò (histogram_quantile trên tổng), hoặc từ các mẫu gốc trong tệp trạng thái của đầu dò; không bao giờ lấy trung bình các phân vị.",
    working_hours: "giờ làm việc",
};

const EN: Labels = Labels {
    html_lang: "en",
    title: "Provincial public-service portals compared",
    period: "Period",
    source: "Source",
    probe_store: "probe state file",
    location: "Probe location",
    unknown_location: "not stated",
    ranking: "Ranking",
    rank: "Rank",
    province: "Province",
    score: "Score (/100)",
    not_ranked: "not ranked",
    too_few: "too few samples",
    samples: "samples",
    no_data: "no data",
    charts: "Charts",
    score_chart: "Overall score",
    page_chart: "Page latency (p50, p95)",
    intake_chart: "Wait before acceptance, working hours (p50, p95)",
    availability_trend: "Availability over the period",
    page_trend: "Page latency p95 over the period",
    minutes_since_start: "minutes since the start of the period",
    hours_since_start: "hours since the start of the period",
    days_since_start: "days since the start of the period",
    methodology: "Methodology",
    method_intro: "dvcbench probes send low-rate test requests to each province's portal (never a load test against a production portal) and submit test dossiers to time their acceptance; on-time figures come from the portal's public statistics.",
    figure: "Figure",
    meaning: "What it means and how it is measured",
    full_marks: "100 points at",
    zero_marks: "0 points at",
    weight: "Weight",
    score_rule: "The overall score is the weighted mean of the figures' scores (linear between the two anchors), over the weighted figures measured in at least one province. A province with any of them below the minimum number of samples is listed, not ranked. Minimum samples:",
    aggregation: "Percentiles come from histogram buckets summed over every probe (histogram_quantile over the sum), or from the raw samples in the probe's state file; percentiles are never averaged.",
    working_hours: "working hours",
};

impl Labels {
    pub fn of(lang: Lang) -> &'static Labels {
        match lang {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// A figure's short name and its definition.
    pub fn figure(&self, f: FigureId) -> (&'static str, &'static str) {
        let vi = self.html_lang == "vi";
        match (f, vi) {
            (FigureId::AvailabilityOffice, true) => (
                "Sẵn sàng (giờ hành chính)",
                "Tỉ lệ lượt kiểm tra trang và hành trình thành công trong giờ hành chính của ngày làm việc (theo lịch nghỉ lễ).",
            ),
            (FigureId::AvailabilityOffice, false) => (
                "Availability, office hours",
                "Share of page and journey checks that succeeded during office hours of working days (holidays taken into account).",
            ),
            (FigureId::Availability, true) => (
                "Sẵn sàng (24/7)",
                "Tỉ lệ lượt kiểm tra trang và hành trình thành công, mọi lúc.",
            ),
            (FigureId::Availability, false) => (
                "Availability, 24/7",
                "Share of page and journey checks that succeeded, at any time.",
            ),
            (FigureId::PageP50, true) => (
                "Tải trang p50",
                "Trung vị thời gian một lượt kiểm tra trang (giây), kể cả lượt lỗi.",
            ),
            (FigureId::PageP50, false) => (
                "Page p50",
                "Median duration of a page check (seconds), failed ones included.",
            ),
            (FigureId::PageP95, true) => (
                "Tải trang p95",
                "Phân vị 95 thời gian một lượt kiểm tra trang (giây).",
            ),
            (FigureId::PageP95, false) => (
                "Page p95",
                "95th percentile duration of a page check (seconds).",
            ),
            (FigureId::JourneyP50, true) => (
                "Hành trình p50",
                "Trung vị thời gian một hành trình thử nhiều bước (đăng nhập, tra cứu, …).",
            ),
            (FigureId::JourneyP50, false) => (
                "Journey p50",
                "Median duration of a scripted multi-step journey (log in, look up, …).",
            ),
            (FigureId::JourneyP95, true) => {
                ("Hành trình p95", "Phân vị 95 thời gian một hành trình thử.")
            }
            (FigureId::JourneyP95, false) => (
                "Journey p95",
                "95th percentile duration of a scripted journey.",
            ),
            (FigureId::IntakeP50, true) => (
                "Tiếp nhận p50",
                "Trung vị thời gian từ lúc nộp hồ sơ thử đến lúc được tiếp nhận, tính bằng giờ làm việc, theo mốc thời gian của chính cổng.",
            ),
            (FigureId::IntakeP50, false) => (
                "Intake p50",
                "Median time from submitting a test dossier to its acceptance, in working hours, from the portal's own timestamps.",
            ),
            (FigureId::IntakeP95, true) => (
                "Tiếp nhận p95",
                "Phân vị 95 thời gian chờ tiếp nhận, giờ làm việc.",
            ),
            (FigureId::IntakeP95, false) => (
                "Intake p95",
                "95th percentile wait before acceptance, in working hours.",
            ),
            (FigureId::LateAcceptance, true) => (
                "Tiếp nhận trễ",
                "Tỉ lệ hồ sơ thử được tiếp nhận sau hạn tiếp nhận cổng công bố (mặc định 1 ngày làm việc).",
            ),
            (FigureId::LateAcceptance, false) => (
                "Late acceptance",
                "Share of test dossiers accepted after the acceptance deadline the portal announced (else one working day).",
            ),
            (FigureId::OnTime, true) => (
                "Đúng hạn",
                "Chỉ số 2.1 của Bộ chỉ số phục vụ (QĐ 766/QĐ-TTg): (giải quyết trước và đúng hạn + đang giải quyết còn hạn) / tổng số hồ sơ, từ thống kê công khai, số cuối kỳ.",
            ),
            (FigureId::OnTime, false) => (
                "On time",
                "Indicator 2.1 of the national service index (Decision 766/QĐ-TTg): (finished early or on time + open and still in time) / all dossiers, from the public statistics, as at the end of the period.",
            ),
            (FigureId::PaymentP95, true) => (
                "Xác nhận thanh toán p95",
                "Phân vị 95 thời gian từ lúc trả tiền ở cổng thanh toán đến lúc cổng ghi nhận (giây).",
            ),
            (FigureId::PaymentP95, false) => (
                "Payment confirmation p95",
                "95th percentile time from paying at the gateway until the portal shows the payment settled (seconds).",
            ),
        }
    }
}
