//! The 34 provinces and centrally-run cities since 1 July 2025, with their administrative codes
//! (the first digits of a citizen ID number, after a leading 0).

/// A province or centrally-run city.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Province {
    /// Administrative code, e.g. "01" for Hà Nội.
    pub code: &'static str,
    pub name: &'static str,
    /// True for a centrally-run city (thành phố trực thuộc trung ương).
    pub city: bool,
}

const fn p(code: &'static str, name: &'static str, city: bool) -> Province {
    Province { code, name, city }
}

/// Every province and centrally-run city, by code.
pub const PROVINCES: [Province; 34] = [
    p("01", "Thành phố Hà Nội", true),
    p("04", "Tỉnh Cao Bằng", false),
    p("08", "Tỉnh Tuyên Quang", false),
    p("11", "Tỉnh Điện Biên", false),
    p("12", "Tỉnh Lai Châu", false),
    p("14", "Tỉnh Sơn La", false),
    p("15", "Tỉnh Lào Cai", false),
    p("19", "Tỉnh Thái Nguyên", false),
    p("20", "Tỉnh Lạng Sơn", false),
    p("22", "Tỉnh Quảng Ninh", false),
    p("24", "Tỉnh Bắc Ninh", false),
    p("25", "Tỉnh Phú Thọ", false),
    p("31", "Thành phố Hải Phòng", true),
    p("33", "Tỉnh Hưng Yên", false),
    p("37", "Tỉnh Ninh Bình", false),
    p("38", "Tỉnh Thanh Hóa", false),
    p("40", "Tỉnh Nghệ An", false),
    p("42", "Tỉnh Hà Tĩnh", false),
    p("44", "Tỉnh Quảng Trị", false),
    p("46", "Thành phố Huế", true),
    p("48", "Thành phố Đà Nẵng", true),
    p("51", "Tỉnh Quảng Ngãi", false),
    p("52", "Tỉnh Gia Lai", false),
    p("56", "Tỉnh Khánh Hòa", false),
    p("66", "Tỉnh Đắk Lắk", false),
    p("68", "Tỉnh Lâm Đồng", false),
    p("75", "Tỉnh Đồng Nai", false),
    p("79", "Thành phố Hồ Chí Minh", true),
    p("80", "Tỉnh Tây Ninh", false),
    p("82", "Tỉnh Đồng Tháp", false),
    p("86", "Tỉnh Vĩnh Long", false),
    p("91", "Tỉnh An Giang", false),
    p("92", "Thành phố Cần Thơ", true),
    p("96", "Tỉnh Cà Mau", false),
];

/// The province with administrative code `code`.
pub fn province(code: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code)
}
