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

/// The administrative codes of the 29 provinces merged into others on 1 July 2025 (Resolution
/// 202/2025/QH15), with the code of the province each became part of. Citizen ID numbers keep
/// the code of the province that issued them for life, so IDs with these prefixes stay valid.
pub const LEGACY_CODES: [(&str, &str, &str); 29] = [
    ("02", "Tỉnh Hà Giang", "08"),
    ("06", "Tỉnh Bắc Kạn", "19"),
    ("10", "Tỉnh Lào Cai", "15"),
    ("17", "Tỉnh Hòa Bình", "25"),
    ("26", "Tỉnh Vĩnh Phúc", "25"),
    ("27", "Tỉnh Bắc Ninh", "24"),
    ("30", "Tỉnh Hải Dương", "31"),
    ("34", "Tỉnh Thái Bình", "33"),
    ("35", "Tỉnh Hà Nam", "37"),
    ("36", "Tỉnh Nam Định", "37"),
    ("45", "Tỉnh Quảng Trị", "44"),
    ("49", "Tỉnh Quảng Nam", "48"),
    ("54", "Tỉnh Phú Yên", "66"),
    ("58", "Tỉnh Ninh Thuận", "56"),
    ("60", "Tỉnh Bình Thuận", "68"),
    ("62", "Tỉnh Kon Tum", "51"),
    ("64", "Tỉnh Gia Lai", "52"),
    ("67", "Tỉnh Đắk Nông", "68"),
    ("70", "Tỉnh Bình Phước", "75"),
    ("72", "Tỉnh Tây Ninh", "80"),
    ("74", "Tỉnh Bình Dương", "79"),
    ("77", "Tỉnh Bà Rịa - Vũng Tàu", "79"),
    ("83", "Tỉnh Bến Tre", "86"),
    ("84", "Tỉnh Trà Vinh", "86"),
    ("87", "Tỉnh Đồng Tháp", "82"),
    ("89", "Tỉnh An Giang", "91"),
    ("93", "Tỉnh Hậu Giang", "92"),
    ("94", "Tỉnh Sóc Trăng", "92"),
    ("95", "Tỉnh Bạc Liêu", "96"),
];

/// The codes a citizen ID of someone living in province `code` may start with: its own, and
/// those of the provinces merged into it.
pub fn id_codes(code: &str) -> Vec<&'static str> {
    PROVINCES
        .iter()
        .filter(|p| p.code == code)
        .map(|p| p.code)
        .chain(
            LEGACY_CODES
                .iter()
                .filter(|(_, _, into)| *into == code)
                .map(|(old, _, _)| *old),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_63_old_provinces_map_onto_the_34() {
        // Every legacy code is no current code, merges into a current one, and with the 34
        // they make the 63 codes of before 1 July 2025.
        let mut all: Vec<&str> = PROVINCES.iter().map(|p| p.code).collect();
        for (old, _, into) in LEGACY_CODES {
            assert!(province(old).is_none(), "{old}");
            assert!(province(into).is_some(), "{into}");
            all.push(old);
        }
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 63);
        assert_eq!(id_codes("79"), ["79", "74", "77"]);
        assert_eq!(id_codes("01"), ["01"]);
        assert_eq!(id_codes("37"), ["37", "35", "36"]);
    }
}
