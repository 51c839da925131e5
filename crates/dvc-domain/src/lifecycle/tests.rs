use super::*;
use DossierState::*;

#[test]
fn codes_and_names_round_trip() {
    for state in &DossierState::ALL[..10] {
        assert_eq!(DossierState::from_code(state.code()), Some(*state));
    }
    assert_eq!(Transferred.code(), 4);
    assert_eq!(Posted.dvcqg(), "processing");
    assert_eq!(DossierState::from_code(0), None);
    assert_eq!(DossierState::from_code(11), None);
    assert_eq!(Submitted.dvcqg(), "receiving");
    assert_eq!(ResultReturned.code(), 10);
    assert_eq!(Accepted.name_vi(), "Được tiếp nhận");
}

#[test]
fn happy_path_is_allowed_and_shortcuts_are_errors() {
    let t0 = chrono::NaiveDate::from_ymd_opt(2025, 4, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("valid");
    let mut life = Lifecycle::submitted(t0);
    for state in [
        Accepted,
        Processing,
        AwaitingFee,
        Processing,
        Resolved,
        ResultReturned,
    ] {
        life.apply(state, t0).expect("allowed");
    }
    assert_eq!(life.state(), ResultReturned);
    let err = Lifecycle::submitted(t0)
        .apply(Resolved, t0)
        .expect_err("skips acceptance");
    assert_eq!(
        err.to_string(),
        "a dossier cannot go from submitted (1) to resolved (9)"
    );
}

#[test]
fn terminal_states_have_no_way_out_and_stop_the_clock() {
    for state in DossierState::ALL {
        if state.is_terminal() {
            assert_eq!(state.clock(), Clock::Stopped, "{state}");
            for to in DossierState::ALL {
                assert!(state.transition(to).is_err());
            }
        }
    }
    assert!(Refused.is_terminal() && ResultReturned.is_terminal());
    assert!(!Resolved.is_terminal());
}

#[test]
fn mapping_understands_codes_dvcqg_strings_and_portal_overrides() {
    let mapping = StatusMapping::parse(
        "portal.toml",
        "[status]\n\"CHO_TIEP_NHAN\" = \"submitted\"\n\"DA_TIEP_NHAN\" = 2\n",
    )
    .expect("valid");
    assert_eq!(mapping.resolve(" cho_tiep_nhan "), Ok(Submitted));
    assert_eq!(mapping.resolve("DA_TIEP_NHAN"), Ok(Accepted));
    assert_eq!(mapping.resolve("releasing"), Ok(Resolved));
    assert_eq!(mapping.resolve("9"), Ok(Resolved));
    assert_eq!(mapping.resolve("CHUYEN_LIEN_THONG"), Ok(Transferred));
    assert_eq!(mapping.resolve("dang_niem_yet"), Ok(Posted));
    assert_eq!(mapping.resolve("processing"), Ok(Processing));
    assert_eq!(mapping.resolve("4"), Ok(Processing));
    assert_eq!(
        mapping.resolve("KHONG_RO"),
        Err(Error::UnknownStatus("KHONG_RO".into()))
    );
}

#[test]
fn mapping_errors_name_the_place() {
    let err = StatusMapping::parse("p.toml", "[status]\nA = 11\nB = \"open\"\n")
        .expect_err("invalid")
        .to_string();
    assert!(
        err.contains("p.toml:2:5: \"A\" must map to a code 1-10"),
        "{err}"
    );
    assert!(err.contains("p.toml:3:5: \"B\" must map"), "{err}");
}
