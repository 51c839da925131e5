//! Test data: generated Vietnamese citizens and CSV feeders.

use dvc_domain::provinces::{PROVINCES, Province, id_codes};
use rand::RngExt;
use rand::rngs::StdRng;
use unicode_normalization::UnicodeNormalization;

const SURNAMES: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE_MALE: [&str; 8] = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Gia", "Xuân"];
const MIDDLE_FEMALE: [&str; 8] = ["Thị", "Ngọc", "Thanh", "Minh", "Thu", "Kim", "Bảo", "Hồng"];
const GIVEN_MALE: [&str; 16] = [
    "An", "Bình", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Quang", "Sơn",
    "Trung", "Tuấn", "Việt", "Đạt",
];
const GIVEN_FEMALE: [&str; 16] = [
    "Anh", "Châu", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Phương",
    "Tâm", "Thảo", "Trang", "Yến",
];
const STREETS: [&str; 10] = [
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Quang Trung",
    "Hùng Vương",
    "Phan Đình Phùng",
    "Điện Biên Phủ",
    "Nguyễn Huệ",
];
/// Common names of communes and wards (xã, phường), the level under the province since 1 July
/// 2025; generated addresses pick one, they are not a register of real units.
const COMMUNES: [&str; 12] = [
    "phường Tân An",
    "phường Hòa Bình",
    "phường An Khánh",
    "phường Phú Lợi",
    "phường Long Biên",
    "phường Thống Nhất",
    "xã Tân Phú",
    "xã Đông Hòa",
    "xã Long Hưng",
    "xã Phước Thạnh",
    "xã Thịnh Quang",
    "xã Yên Lạc",
];
/// Shares of generated citizens: children (born 2012–2024, whose parents act for them), names
/// written in decomposed Unicode (NFD, as some keyboards and older systems send them), and IDs
/// issued before 1 July 2025 by a province since merged into the one they live in.
const CHILD_SHARE: f64 = 0.1;
const DECOMPOSED_SHARE: f64 = 0.1;
const MOBILE_PREFIXES: [&str; 12] = [
    "032", "033", "034", "035", "070", "077", "081", "083", "086", "090", "091", "098",
];

/// The variables of one generated citizen, as `citizen.*`.
pub const CITIZEN_FIELDS: [&str; 8] = [
    "full_name",
    "id",
    "phone",
    "address",
    "commune",
    "province",
    "birth_date",
    "gender",
];

/// A generated citizen: a name with diacritics (one in ten in decomposed Unicode), a 12-digit
/// citizen ID whose prefix is the province's code or, for IDs issued before 1 July 2025, the
/// code of a province since merged into it; an address down to the commune; one in ten a
/// child.
pub fn citizen(rng: &mut StdRng, provinces: &[&'static Province]) -> Vec<(String, String)> {
    let province = if provinces.is_empty() {
        &PROVINCES[rng.random_range(0..PROVINCES.len())]
    } else {
        provinces[rng.random_range(0..provinces.len())]
    };
    let female = rng.random_bool(0.5);
    let year: u32 = if rng.random_bool(CHILD_SHARE) {
        rng.random_range(2012..2025)
    } else {
        rng.random_range(1950..2008)
    };
    let (middle, given) = if female {
        (MIDDLE_FEMALE, GIVEN_FEMALE)
    } else {
        (MIDDLE_MALE, GIVEN_MALE)
    };
    let full_name = format!(
        "{} {} {}",
        SURNAMES[rng.random_range(0..SURNAMES.len())],
        middle[rng.random_range(0..middle.len())],
        given[rng.random_range(0..given.len())]
    );
    let full_name = if rng.random_bool(DECOMPOSED_SHARE) {
        full_name.nfd().collect()
    } else {
        full_name
    };
    // Citizen ID: 0 + province code, gender-and-century digit, two year digits, six digits.
    let century_gender = match (year >= 2000, female) {
        (false, false) => 0,
        (false, true) => 1,
        (true, false) => 2,
        (true, true) => 3,
    };
    let codes = id_codes(province.code);
    let id = format!(
        "0{}{century_gender}{:02}{:06}",
        codes[rng.random_range(0..codes.len())],
        year % 100,
        rng.random_range(0..1_000_000u32)
    );
    let phone = format!(
        "{}{:07}",
        MOBILE_PREFIXES[rng.random_range(0..MOBILE_PREFIXES.len())],
        rng.random_range(0..10_000_000u32)
    );
    let commune = COMMUNES[rng.random_range(0..COMMUNES.len())];
    let address = format!(
        "Số {} đường {}, {commune}, {}",
        rng.random_range(1..300u32),
        STREETS[rng.random_range(0..STREETS.len())],
        province.name
    );
    let birth_date = format!(
        "{year}-{:02}-{:02}",
        rng.random_range(1..13u32),
        rng.random_range(1..29u32)
    );
    [
        ("full_name", full_name),
        ("id", id),
        ("phone", phone),
        ("address", address),
        ("commune", commune.to_owned()),
        ("province", province.code.to_owned()),
        ("birth_date", birth_date),
        ("gender", if female { "nữ" } else { "nam" }.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (format!("citizen.{k}"), v))
    .collect()
}

/// A CSV feeder: rows handed out round robin by journey number, so journey k takes row
/// k mod rows on whichever generator runs it (rows stay unique across segments as long as
/// the file has a row for every journey).
#[derive(Debug)]
pub struct Feeder {
    pub name: String,
    pub columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A CSV file a feeder cannot use; `file` names it as the scenario does.
#[derive(Debug, thiserror::Error)]
pub enum FeederError {
    #[error("cannot read CSV {file}: {error}")]
    Read { file: String, error: std::io::Error },
    #[error("{file}: {error}")]
    Header { file: String, error: csv::Error },
    #[error("{file}:{line}: {error}")]
    Row {
        file: String,
        line: usize,
        error: csv::Error,
    },
    #[error("{0} has no rows")]
    Empty(String),
}

impl Feeder {
    /// Reads a CSV file whose first line names the columns.
    pub fn read(name: &str, path: &std::path::Path) -> Result<Feeder, FeederError> {
        let bytes = std::fs::read(path).map_err(|error| FeederError::Read {
            file: path.display().to_string(),
            error,
        })?;
        Feeder::parse(name, &path.display().to_string(), &bytes)
    }

    /// A feeder from CSV text (`shown` names it in errors).
    pub fn parse(name: &str, shown: &str, csv_text: &[u8]) -> Result<Feeder, FeederError> {
        let mut reader = csv::Reader::from_reader(csv_text);
        let columns: Vec<String> = reader
            .headers()
            .map_err(|error| FeederError::Header {
                file: shown.to_owned(),
                error,
            })?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|error| FeederError::Row {
                file: shown.to_owned(),
                line: i + 2,
                error,
            })?;
            rows.push(record.iter().map(str::to_owned).collect());
        }
        if rows.is_empty() {
            return Err(FeederError::Empty(shown.to_owned()));
        }
        Ok(Feeder {
            name: name.to_owned(),
            columns,
            rows,
        })
    }

    /// Journey `number`'s row as `name.column` variables.
    pub fn row(&self, number: u64) -> impl Iterator<Item = (String, String)> + '_ {
        let i = (number % self.rows.len() as u64) as usize;
        self.columns
            .iter()
            .zip(&self.rows[i])
            .map(|(column, value)| (format!("{}.{column}", self.name), value.clone()))
    }
}

/// A generated file of `size` bytes that starts like a PDF or a JPEG.
pub fn generated_file(kind: FileKind, size: usize) -> Vec<u8> {
    let (head, tail): (&[u8], &[u8]) = match kind {
        FileKind::Pdf => (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"),
        FileKind::Jpg => (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"\xff\xd9"),
    };
    let mut out = Vec::with_capacity(size.max(head.len() + tail.len()));
    out.extend_from_slice(head);
    while out.len() + tail.len() < size {
        out.push(b'0' + (out.len() % 10) as u8);
    }
    out.extend_from_slice(tail);
    out
}

/// Kinds of generated scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpg,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::HashMap;

    #[test]
    fn citizens_look_vietnamese_and_ids_carry_the_province() {
        let mut rng = StdRng::seed_from_u64(7);
        let hn = dvc_domain::provinces::province("01").expect("Hà Nội");
        for _ in 0..200 {
            let c: HashMap<String, String> = citizen(&mut rng, &[hn]).into_iter().collect();
            let id = &c["citizen.id"];
            assert_eq!(id.len(), 12);
            assert!(id.starts_with("001"), "{id}");
            assert!(id.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(c["citizen.full_name"].split(' ').count(), 3);
            assert_eq!(c["citizen.phone"].len(), 10);
            assert!(c["citizen.address"].ends_with("Thành phố Hà Nội"));
            assert!(c["citizen.address"].contains(c["citizen.commune"].as_str()));
        }
    }

    #[test]
    fn ids_keep_merged_provinces_codes_names_come_decomposed_and_children_are_born() {
        let mut rng = StdRng::seed_from_u64(11);
        let hcm = dvc_domain::provinces::province("79").expect("Hồ Chí Minh City");
        let (mut prefixes, mut decomposed, mut children) =
            (std::collections::BTreeSet::new(), 0, 0);
        for _ in 0..1000 {
            let c: HashMap<String, String> = citizen(&mut rng, &[hcm]).into_iter().collect();
            prefixes.insert(c["citizen.id"][1..3].to_owned());
            let name = &c["citizen.full_name"];
            let composed: String = name.nfc().collect();
            if composed != *name {
                decomposed += 1;
                assert!(
                    SURNAMES.iter().any(|s| composed.starts_with(s)),
                    "{composed}"
                );
            }
            if c["citizen.birth_date"].as_str() >= "2012" {
                children += 1;
                // Born in the 2000s: the ID's century digit is 2 (male) or 3 (female).
                assert!(matches!(&c["citizen.id"][3..4], "2" | "3"), "{c:?}");
            }
        }
        // Bình Dương (74) and Bà Rịa - Vũng Tàu (77) joined Hồ Chí Minh City (79).
        assert_eq!(prefixes.into_iter().collect::<Vec<_>>(), ["74", "77", "79"]);
        assert!((50..=150).contains(&decomposed), "{decomposed}");
        assert!((50..=150).contains(&children), "{children}");
    }

    #[test]
    fn generated_files_have_the_size_and_magic_bytes() {
        let pdf = generated_file(FileKind::Pdf, 200 * 1024);
        assert_eq!(pdf.len(), 200 * 1024);
        assert!(pdf.starts_with(b"%PDF-") && pdf.ends_with(b"%%EOF\n"));
        let jpg = generated_file(FileKind::Jpg, 5000);
        assert!(jpg.starts_with(b"\xff\xd8") && jpg.ends_with(b"\xff\xd9"));
    }

    #[test]
    fn csv_feeders_hand_out_rows_round_robin() {
        let path = std::env::temp_dir().join(format!("dvcbench-feeder-{}.csv", std::process::id()));
        std::fs::write(
            &path,
            "citizen_id,password\n001099000001,a\n001099000002,b\n",
        )
        .expect("write");
        let feeder = Feeder::read("accounts", &path).expect("valid CSV");
        let _ = std::fs::remove_file(&path);
        assert_eq!(feeder.columns, ["citizen_id", "password"]);
        let rows: Vec<Vec<(String, String)>> = (0..3).map(|k| feeder.row(k).collect()).collect();
        assert_eq!(
            rows[0][0],
            ("accounts.citizen_id".to_owned(), "001099000001".to_owned())
        );
        assert_eq!(rows[1][1], ("accounts.password".to_owned(), "b".to_owned()));
        assert_eq!(rows[2], rows[0], "wraps around");
        let missing = Feeder::read("x", std::path::Path::new("/nonexistent/x.csv"))
            .expect_err("missing")
            .to_string();
        assert!(
            missing.starts_with("cannot read CSV /nonexistent/x.csv"),
            "{missing}"
        );
    }
}
