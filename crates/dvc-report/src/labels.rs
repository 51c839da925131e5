//! The words of a run report, in Vietnamese and English.

crate::i18n::labels! {
    /// Every label a report shows.
    pub struct Labels {
        html_lang: "vi",
            "en";
        title: "Báo cáo kiểm thử tải",
            "Load test report";
        passed: "ĐẠT",
            "PASSED";
        failed: "KHÔNG ĐẠT",
            "FAILED";
        incomplete: "CHƯA HOÀN TẤT",
            "INCOMPLETE";
        scenario: "Kịch bản",
            "Scenario";
        target: "Hệ thống được kiểm thử",
            "Target";
        started: "Bắt đầu",
            "Started";
        duration: "Thời lượng",
            "Duration";
        stopped: "Dừng sớm",
            "Stopped early";
        thresholds: "Ngưỡng chất lượng",
            "Thresholds";
        expression: "Ngưỡng",
            "Threshold";
        value: "Giá trị đo",
            "Measured";
        result: "Kết quả",
            "Result";
        ok: "đạt",
            "passed";
        not_ok: "không đạt",
            "failed";
        no_data: "không có dữ liệu",
            "no data";
        arrivals: "Lượt truy cập",
            "Arrivals";
        planned: "theo kế hoạch",
            "planned";
        started_arrivals: "đã bắt đầu",
            "started";
        late: "trễ",
            "late";
        dropped: "bị bỏ",
            "dropped";
        requests: "yêu cầu HTTP",
            "HTTP requests";
        charts: "Biểu đồ",
            "Charts";
        arrival_rate: "Tốc độ đến: kế hoạch và thực tế",
            "Arrival rate: planned and started";
        request_rate: "Yêu cầu mỗi giây",
            "Requests per second";
        in_flight: "Hành trình đang chạy",
            "Journeys in flight";
        latency_over_time: "Độ trễ theo thời gian (p50, p95, p99)",
            "Latency over time (p50, p95, p99)";
        errors_over_time: "Lỗi theo thời gian, theo loại",
            "Errors over time, by outcome";
        latency_by_step: "Phân bố độ trễ theo bước",
            "Latency distribution by step";
        per_second: "/giây",
            "/s";
        journeys_unit: "hành trình",
            "journeys";
        steps: "Các bước",
            "Steps";
        journeys: "Các hành trình",
            "Journeys";
        name: "Tên",
            "Name";
        count: "Số lượt",
            "Count";
        errors: "Lỗi",
            "Errors";
        error_rate: "Tỉ lệ lỗi",
            "Error rate";
        baseline: "So với lần chạy trước",
            "Against the baseline run";
        better: "tốt hơn",
            "better";
        same: "như cũ",
            "same";
        worse: "kém hơn",
            "worse";
        throughput: "Thông lượng",
            "Throughput";
        verify: "Đối soát",
            "Reconciliation";
        failures: "Vì sao các bước thất bại",
            "Why steps failed";
        failures_note: "Mỗi bước giữ vài loại lỗi đầu tiên (hai lý do chỉ khác nhau ở chữ số là một loại), loại nhiều nhất trước; trích đoạn nội dung trả về đã che các giá trị bí mật.",
            "Each step keeps its first few kinds of failure (two reasons differing only in their digits are one kind), the most frequent first; body excerpts have secrets masked.";
        outcome: "Kết quả",
            "Outcome";
        reason: "Lý do",
            "Reason";
        other_kinds: "(thuộc các loại khác)",
            "(of other kinds)";
        loads_differ: "Hai lần chạy có tải khác nhau: thông lượng không so sánh được",
            "The two runs asked for different loads: throughput is not comparable";
        loads_unknown: "Một trong hai tệp run.json không ghi tải đã yêu cầu: thông lượng không so sánh được",
            "One of the two run.json files does not record the load it asked for: throughput is not comparable";
        not_comparable: "không so sánh được",
            "not comparable";
        checked: "đã tra cứu",
            "looked up";
        missing: "không tìm thấy",
            "missing";
        duplicated: "trùng",
            "duplicated";
        unchecked: "không kiểm tra được",
            "could not be checked";
        scenario_as_run: "Kịch bản đã chạy",
            "The scenario as run";
        machine: "Máy chạy kiểm thử",
            "Generator machine";
        segment: "Phân đoạn",
            "Segment";
        segment_judged: "các ngưỡng được đánh giá trên kết quả đã gộp (dvcbench merge)",
            "thresholds are judged on the merged result (dvcbench merge)";
        merged_from: "Gộp từ các phân đoạn",
            "Merged from segments";
        segments_missing: "thiếu",
            "missing";
        started_late: "bắt đầu trễ",
            "started late";
        clock_offset: "lệch đồng hồ so với cổng",
            "clock offset to the portal";
        version: "Phiên bản dvcbench",
            "dvcbench version";
        latency_note: "Độ trễ tính từ thời điểm dự kiến bắt đầu (không bỏ sót thời gian chờ).",
            "Latencies count from each arrival's intended start (no coordinated omission).";
        latency_note_closed: "Mô hình đóng: mỗi bước tính từ khi bước trước kết thúc (cộng thời gian suy nghĩ). Khi cổng chậm, công dân ảo gửi ít yêu cầu hơn; xem số liệu đã hiệu chỉnh của Goose bên dưới.",
            "Closed model: each step counts from the end of the previous one (plus think time). A slow portal makes the virtual citizens send fewer requests; see Goose's adjusted figures below.";
        virtual_citizens: "Công dân ảo",
            "Virtual citizens";
        closed_model: "mô hình đóng (Goose), tối đa",
            "closed model (Goose), up to";
        journey_starts: "Hành trình bắt đầu mỗi giây",
            "Journeys started per second";
        planned_citizens: "công dân ảo theo kế hoạch",
            "virtual citizens planned";
        alive_citizens: "công dân ảo đang hoạt động",
            "virtual citizens active";
        goose_figures: "Số liệu của Goose (theo yêu cầu HTTP)",
            "Goose's figures (per HTTP request)";
        goose_note: "Goose bù các yêu cầu lẽ ra đã được gửi trong lúc một câu trả lời chậm giữ công dân ảo lại (giảm thiểu coordinated omission, theo nhịp trung bình của từng công dân ảo); các cột \"đã hiệu chỉnh\" gồm cả các yêu cầu bù đó. Thời gian suy nghĩ ngẫu nhiên và việc chờ kết quả cũng kéo dài một vòng và được Goose tính như bị giữ lại.",
            "Goose backfills the requests a citizen would have sent while a slow answer held it up (coordinated-omission mitigation, at each citizen's average cadence); the adjusted columns include them. Random think times and polling also lengthen a loop and count as held up.";
        adjusted: "đã hiệu chỉnh",
            "adjusted";
    }
}
