//! The words of the comparison, in Vietnamese and English.

use dvc_compare::FigureId;

crate::i18n::labels! {
    pub struct Labels {
        html_lang: "vi",
            "en";
        title: "So sánh cổng dịch vụ công các tỉnh, thành phố",
            "Provincial public-service portals compared";
        period: "Kỳ đánh giá",
            "Period";
        source: "Nguồn số liệu",
            "Source";
        probe_store: "tệp trạng thái của đầu dò",
            "probe state file";
        location: "Vị trí đặt đầu dò",
            "Probe location";
        unknown_location: "không rõ",
            "not stated";
        ranking: "Xếp hạng",
            "Ranking";
        rank: "Hạng",
            "Rank";
        province: "Tỉnh, thành phố",
            "Province";
        score: "Điểm (/100)",
            "Score (/100)";
        not_ranked: "không xếp hạng",
            "not ranked";
        too_few: "thiếu mẫu",
            "too few samples";
        samples: "mẫu",
            "samples";
        no_data: "không có dữ liệu",
            "no data";
        charts: "Biểu đồ",
            "Charts";
        score_chart: "Điểm tổng hợp",
            "Overall score";
        page_chart: "Thời gian trả lời HTTP của trang (p50, p95)",
            "A page's HTTP answer time (p50, p95)";
        intake_chart: "Thời gian chờ tiếp nhận, giờ làm việc (p50, p95)",
            "Wait before acceptance, working hours (p50, p95)";
        availability_trend: "Tỉ lệ sẵn sàng theo thời gian",
            "Availability over the period";
        page_trend: "Thời gian trả lời HTTP của trang p95 theo thời gian",
            "A page's HTTP answer time p95 over the period";
        minutes_since_start: "phút từ đầu kỳ",
            "minutes since the start of the period";
        hours_since_start: "giờ từ đầu kỳ",
            "hours since the start of the period";
        days_since_start: "ngày từ đầu kỳ",
            "days since the start of the period";
        methodology: "Phương pháp",
            "Methodology";
        method_intro: "Các đầu dò dvcbench gửi yêu cầu thử với tần suất thấp tới cổng của từng tỉnh (không kiểm thử tải cổng đang vận hành) và nộp hồ sơ thử để đo thời gian tiếp nhận; số liệu đúng hạn lấy từ thống kê công khai của cổng.",
            "dvcbench probes send low-rate test requests to each province's portal (never a load test against a production portal) and submit test dossiers to time their acceptance; on-time figures come from the portal's public statistics.";
        figure: "Chỉ số",
            "Figure";
        meaning: "Ý nghĩa và cách đo",
            "What it means and how it is measured";
        full_marks: "Đạt 100 điểm khi",
            "100 points at";
        zero_marks: "0 điểm khi",
            "0 points at";
        weight: "Trọng số",
            "Weight";
        weight_used: "Trọng số áp dụng",
            "Weight used";
        index_scale: "Cách Bộ chỉ số (QĐ 766) tính",
            "How the national index (Decision 766) counts it";
        breakdown: "Điểm bị trừ theo chỉ số",
            "Where each province lost points";
        breakdown_intro: "Số điểm (trên 100) mỗi tỉnh bị trừ ở từng chỉ số được tính điểm: trọng số áp dụng × (100 − điểm của chỉ số). Tổng điểm bị trừ cộng với điểm tổng hợp bằng 100.",
            "The points (of 100) each province lost on each scored figure: weight used × (100 − the figure's score). A province's points lost and its score add up to 100.";
        lost_total: "Tổng bị trừ",
            "Total lost";
        not_scored: "Không tính điểm",
            "Not scored";
        no_figures_for: "không có số liệu của",
            "no figures for";
        measured_nowhere: "không tỉnh nào có số liệu",
            "no province has figures";
        weight_moved: "trọng số của chỉ số này được chia cho các chỉ số được tính điểm, theo tỷ lệ trọng số của chúng",
            "its weight went to the scored figures, in proportion to theirs";
        score_rule: "Điểm tổng hợp là trung bình có trọng số của điểm từng chỉ số (tuyến tính giữa hai mốc), chỉ tính các chỉ số có trọng số và đo được ở mọi tỉnh được so sánh, để tỉnh nào cũng được chấm trên cùng các chỉ số; chỉ số thiếu ở tỉnh nào đó được nêu tên ở trên. Tỉnh có chỉ số nào dưới số mẫu tối thiểu thì được liệt kê nhưng không xếp hạng. Số mẫu tối thiểu:",
            "The overall score is the weighted mean of the figures' scores (linear between the two anchors), over the weighted figures measured in every compared province, so that all are scored on the same figures; a figure some province lacks is named above. A province with any of them below the minimum number of samples is listed, not ranked. Minimum samples:";
        aggregation: "Phân vị được tính từ tổng các bucket histogram của mọi đầu dò (histogram_quantile trên tổng), hoặc từ các mẫu gốc trong tệp trạng thái của đầu dò; không bao giờ lấy trung bình các phân vị.",
            "Percentiles come from histogram buckets summed over every probe (histogram_quantile over the sum), or from the raw samples in the probe's state file; percentiles are never averaged.";
        working_hours: "giờ làm việc",
            "working hours";
    }
}

impl Labels {
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
                "Trang (HTTP) p50",
                "Trung vị thời gian trả lời HTTP của một lượt kiểm tra trang (giây), kể cả lượt lỗi; mốc điểm là của dvcbench, không phải tiêu chí của Bộ (tiêu chí đó áp dụng cho trang hiển thị trong trình duyệt, xem các chỉ số trình duyệt).",
            ),
            (FigureId::PageP50, false) => (
                "Page (HTTP) p50",
                "Median time of a page check's HTTP answer (seconds), failed ones included; its anchors are dvcbench's own, not the ministry's criteria (those are about a page shown in a browser: see the browser figures).",
            ),
            (FigureId::PageP95, true) => (
                "Trang (HTTP) p95",
                "Phân vị 95 thời gian trả lời HTTP của một lượt kiểm tra trang (giây); mốc điểm của dvcbench.",
            ),
            (FigureId::PageP95, false) => (
                "Page (HTTP) p95",
                "95th percentile time of a page check's HTTP answer (seconds); dvcbench's own anchors.",
            ),
            (FigureId::FcpP75, true) => (
                "Hiển thị nội dung đầu tiên p75",
                "Phân vị 75 thời điểm trình duyệt (Chromium không giao diện, hồ sơ trống) vẽ nội dung đầu tiên của trang, tính từ lúc bắt đầu điều hướng; tiêu chí của Bộ: dưới 3 giây.",
            ),
            (FigureId::FcpP75, false) => (
                "First contentful paint p75",
                "75th percentile of when the browser (headless Chromium, empty profile) painted the page's first content, from navigation start; the ministry's criterion: under 3 s.",
            ),
            (FigureId::LcpP75, true) => (
                "Hiển thị nội dung lớn nhất p75",
                "Phân vị 75 thời điểm vẽ phần nội dung lớn nhất của trang; tiêu chí của Bộ: dưới 4 giây.",
            ),
            (FigureId::LcpP75, false) => (
                "Largest contentful paint p75",
                "75th percentile of when the page's largest content was painted; the ministry's criterion: under 4 s.",
            ),
            (FigureId::TbtP75, true) => (
                "Tổng thời gian chặn p75",
                "Phân vị 75 tổng thời gian các tác vụ dài chặn trang (phần trên 50 ms của mỗi tác vụ, từ lúc hiển thị nội dung đầu tiên); tiêu chí của Bộ: dưới 0,6 giây.",
            ),
            (FigureId::TbtP75, false) => (
                "Total blocking time p75",
                "75th percentile of the time long tasks blocked the page (each task's time over 50 ms, from the first contentful paint); the ministry's criterion: under 0.6 s.",
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
            (FigureId::ProceduresFullOnline, true) => (
                "TTHC trực tuyến toàn trình",
                "Số thủ tục cung cấp dịch vụ công trực tuyến toàn trình (NĐ 42/2022; trước đây mức độ 4) / tổng số thủ tục của tỉnh, từ thống kê công khai (nhóm cung cấp dịch vụ trực tuyến, QĐ 766).",
            ),
            (FigureId::ProceduresFullOnline, false) => (
                "Procedures fully online",
                "Procedures offered fully online (\"toàn trình\", Decree 42/2022; formerly level 4) / all the province's procedures, from the public statistics (online service group, Decision 766).",
            ),
            (FigureId::ProceduresPartlyOnline, true) => (
                "TTHC trực tuyến một phần",
                "Số thủ tục cung cấp dịch vụ công trực tuyến một phần (trước đây mức độ 3) / tổng số thủ tục của tỉnh; chỉ để tham khảo, không tính điểm mặc định.",
            ),
            (FigureId::ProceduresPartlyOnline, false) => (
                "Procedures partly online",
                "Procedures offered partly online (\"một phần\", formerly level 3) / all the province's procedures; shown for reference, not scored by default.",
            ),
            (FigureId::DossiersOnline, true) => (
                "Hồ sơ trực tuyến",
                "Số hồ sơ tiếp nhận trực tuyến / tổng số hồ sơ tiếp nhận (trực tuyến và trực tiếp) trong kỳ, từ thống kê công khai (nhóm cung cấp dịch vụ trực tuyến, QĐ 766).",
            ),
            (FigureId::DossiersOnline, false) => (
                "Dossiers online",
                "Dossiers received online / all dossiers received (online and at the counter) in the period, from the public statistics (online service group, Decision 766).",
            ),
            (FigureId::PaymentsOnline, true) => (
                "Thanh toán trực tuyến",
                "Số giao dịch nộp phí, lệ phí trực tuyến / tổng số giao dịch nộp phí, lệ phí trong kỳ (nhóm thanh toán trực tuyến, QĐ 766).",
            ),
            (FigureId::PaymentsOnline, false) => (
                "Payments online",
                "Fee payments made online / all fee payments in the period (online payment group, Decision 766).",
            ),
            (FigureId::DossiersDigitised, true) => (
                "Số hóa hồ sơ",
                "Số hồ sơ được số hóa thành phần hồ sơ / tổng số hồ sơ tiếp nhận trong kỳ (nhóm số hóa hồ sơ, QĐ 766).",
            ),
            (FigureId::DossiersDigitised, false) => (
                "Dossiers digitised",
                "Dossiers whose papers were digitised / all dossiers received in the period (digitisation group, Decision 766).",
            ),
            (FigureId::ResultsDigitised, true) => (
                "Số hóa kết quả",
                "Số kết quả giải quyết được số hóa (cấp bản điện tử) / tổng số kết quả trả trong kỳ (nhóm số hóa hồ sơ, QĐ 766).",
            ),
            (FigureId::ResultsDigitised, false) => (
                "Results digitised",
                "Results issued digitally / all results issued in the period (digitisation group, Decision 766).",
            ),
            (FigureId::Satisfaction, true) => (
                "Hài lòng",
                "Số ý kiến hài lòng / tổng số ý kiến đánh giá của người dân trong kỳ, nơi cổng công bố (nhóm mức độ hài lòng, QĐ 766).",
            ),
            (FigureId::Satisfaction, false) => (
                "Satisfaction",
                "Satisfied answers / all answers of citizens' ratings in the period, where the portal publishes them (satisfaction group, Decision 766).",
            ),
        }
    }

    /// Who lacks an unscored figure: "no province has figures", or "no figures for …".
    pub fn lacking(&self, u: &dvc_compare::Unscored, provinces: usize) -> String {
        if u.missing_in.len() == provinces {
            self.measured_nowhere.to_owned()
        } else {
            format!("{} {}", self.no_figures_for, u.missing_in.join(", "))
        }
    }

    /// How the national index counts figure `f` (its group and scale), or "—".
    pub fn index_rule(&self, f: FigureId) -> String {
        let vi = self.html_lang == "vi";
        let Some(rule) = f.index() else {
            return "—".to_owned();
        };
        let group = match (rule.group, vi) {
            ("progress", true) => "tiến độ giải quyết",
            ("progress", false) => "progress of handling",
            ("online_service", true) => "cung cấp dịch vụ trực tuyến",
            ("online_service", false) => "online service",
            ("online_payment", true) => "thanh toán trực tuyến",
            ("online_payment", false) => "online payment",
            ("digitisation", true) => "số hóa hồ sơ",
            ("digitisation", false) => "digitisation",
            (_, true) => "mức độ hài lòng",
            (_, false) => "satisfaction",
        };
        let target = rule.full_marks_at * 100.0;
        if vi {
            format!(
                "nhóm {group} ({} điểm/100); đạt điểm tối đa khi ≥ {target:.0}%, dưới mức đó tính theo tỷ lệ",
                rule.group_points
            )
        } else {
            format!(
                "{group} group ({} of 100 points); full marks at ≥ {target:.0}%, in proportion below",
                rule.group_points
            )
        }
    }
}
