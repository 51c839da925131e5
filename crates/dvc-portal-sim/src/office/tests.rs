use super::*;
use crate::catalogue::Catalogue;

mod queueing;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .expect("valid test time")
}

fn office(tweak: impl FnOnce(&mut PortalConfig)) -> (Office, Catalogue) {
    let mut config = PortalConfig::default();
    config.back_office.accept = 1.0;
    config.back_office.refuse = 0.0;
    config.back_office.supplement = 0.0;
    tweak(&mut config);
    (
        Office::new(&config, WorkingCalendar::default()),
        Catalogue::shipped(),
    )
}

fn submit(office: &mut Office, cat: &Catalogue, procedure: &str, now: NaiveDateTime) -> usize {
    let p = cat.procedure(procedure).expect("procedure");
    let code = format!("X-{}", office.dossiers().len());
    office.submit(code, p, serde_json::json!({}), vec![], false, now)
}

#[test]
fn officers_accept_only_in_office_hours_and_in_order() {
    let (mut office, cat) = office(|c| c.back_office.officers = 1);
    // Friday evening submissions: nothing happens before Monday 07:00.
    for i in 0..5 {
        submit(&mut office, &cat, "1.900007", at(2025, 3, 14, 18, i));
    }
    office.advance(at(2025, 3, 16, 23, 0));
    assert!(office.dossiers().iter().all(|d| d.accepted_at.is_none()));
    office.advance(at(2025, 3, 21, 17, 0));
    let accepted: Vec<NaiveDateTime> = office
        .dossiers()
        .iter()
        .map(|d| d.accepted_at.expect("accepted"))
        .collect();
    assert!(
        accepted.windows(2).all(|w| w[0] <= w[1]),
        "FIFO with one officer"
    );
    for t in accepted {
        assert!(office.calendar().is_working_day(t.date()), "{t}");
        assert!(office.calendar().office_hours().contains(t.time()), "{t}");
        assert!(t >= at(2025, 3, 17, 7, 0));
    }
}

#[test]
fn a_province_with_its_own_hours_accepts_and_is_due_by_them() {
    let spec: dvc_domain::portal_calendar::CalendarSpec = toml::from_str(
        "office_hours = \"08:00-12:00,13:00-17:00\"\n[[day_off]]\ndate = 2025-03-17\nname = \"Ngày của tỉnh\"\nsource = \"UBND tỉnh\"\n",
    )
    .expect("valid");
    let (mut office, cat) = office(|c| {
        c.back_office.officers = 1;
        c.calendar = Some(spec);
    });
    // Friday 14 March 2025, 18:00; Monday 17 is the province's own day off.
    let idx = submit(&mut office, &cat, "1.900007", at(2025, 3, 14, 18, 0));
    let due = office.dossiers()[idx].acceptance_due;
    assert_eq!(due, at(2025, 3, 18, 17, 0), "Tuesday's 8 h, from 08:00");
    office.advance(at(2025, 3, 21, 17, 0));
    let accepted = office.dossiers()[idx].accepted_at.expect("accepted");
    assert!(accepted >= at(2025, 3, 18, 8, 0), "{accepted}");
}

#[test]
fn more_officers_accept_a_backlog_sooner() {
    let last_acceptance = |officers| {
        let (mut office, cat) = office(|c| c.back_office.officers = officers);
        for i in 0..40 {
            submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 7, i));
        }
        office.advance(at(2025, 4, 30, 0, 0));
        office
            .dossiers()
            .iter()
            .filter_map(|d| d.accepted_at)
            .max()
            .expect("accepted")
    };
    assert!(last_acceptance(4) < last_acceptance(1));
}

#[test]
fn pay_first_dossiers_wait_for_payment_which_restarts_the_intake_clock() {
    let (mut office, cat) = office(|_| {});
    let idx = submit(&mut office, &cat, "1.900011", at(2025, 3, 17, 8, 0));
    let code = office.dossiers()[idx].code.clone();
    office.advance(at(2025, 3, 20, 8, 0));
    assert_eq!(
        office.dossiers()[idx].state(),
        DossierState::Submitted,
        "held until paid"
    );
    let (payment, created) = office
        .create_payment(&code, at(2025, 3, 20, 8, 0))
        .expect("fee owed");
    assert!(created);
    let id = payment.id.clone();
    // Asked again (a double click, a retry, a second tab) while it is open: the same payment.
    let (again, created) = office
        .create_payment(&code, at(2025, 3, 20, 8, 1))
        .expect("fee owed");
    assert_eq!((again.id.as_str(), created), (id.as_str(), false));
    assert_eq!(
        office.confirm_payment(&id, true, "callback", at(2025, 3, 20, 9, 0)),
        Err(OfficeError::NotPaidOnGateway(id.clone()))
    );
    office.pay_on_gateway(&id, (1.0, 0.0), None).expect("paid");
    let paid = at(2025, 3, 20, 9, 0);
    assert_eq!(
        office.confirm_payment(&id, true, "callback", paid),
        Ok(Confirmation::Applied)
    );
    assert_eq!(
        office.confirm_payment(&id, true, "callback", paid),
        Ok(Confirmation::Duplicate)
    );
    let d = &office.dossiers()[idx];
    assert_eq!(d.submitted_at, paid);
    assert_eq!(d.acceptance_due, at(2025, 3, 21, 9, 0));
    assert_eq!(office.payment(&id).expect("payment").callbacks, 2);
    office.advance(at(2025, 3, 25, 8, 0));
    assert!(
        office.dossiers()[idx]
            .accepted_at
            .is_some_and(|t| t >= paid)
    );
    assert!(
        office.create_payment(&code, paid).is_err(),
        "nothing owed any more"
    );
}

#[test]
fn lateness_follows_the_configured_probability() {
    for (p, late) in [(0.0, false), (1.0, true)] {
        let (mut office, cat) = office(|c| c.back_office.late_probability = p);
        for i in 0..20 {
            submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 8, i));
        }
        office.advance(at(2025, 6, 1, 0, 0));
        for d in office.dossiers() {
            let (due, done) = (d.due_at.expect("due"), d.finished_at.expect("finished"));
            assert_eq!(
                done.date() > due.date(),
                late,
                "{} due {due} done {done}",
                d.code
            );
            assert_eq!(d.state(), DossierState::ResultReturned);
        }
        let s = office.stats(
            "ubndxa",
            at(2025, 3, 1, 0, 0).date(),
            at(2025, 5, 31, 0, 0).date(),
            at(2025, 6, 1, 0, 0),
        );
        assert_eq!(s.received, 20);
        assert_eq!(s.accepted, 20);
        assert_eq!(s.resolved_late, if late { 20 } else { 0 });
        assert_eq!(
            s.resolved_early + s.resolved_on_time,
            if late { 0 } else { 20 }
        );
    }
}

#[test]
fn stats_count_late_acceptances_pending_and_overdue() {
    // One slow officer: a day's backlog means late acceptances.
    let (mut office, cat) = office(|c| {
        c.back_office.officers = 1;
        c.back_office.intake_minutes = 120.0;
        c.back_office.late_probability = 1.0;
    });
    for i in 0..20 {
        submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 7, i));
    }
    let now = at(2025, 3, 18, 12, 0);
    office.advance(now);
    let s = office.stats("ubndxa", now.date() - TimeDelta::days(7), now.date(), now);
    assert_eq!(s.received, 20);
    assert_eq!(s.accepted + s.pending_intake, 20);
    assert!(s.pending_intake > 0, "{s:?}");
    let late = office
        .dossiers()
        .iter()
        .filter(|d| d.accepted_at.is_some_and(|a| a > d.acceptance_due))
        .count() as u64;
    assert_eq!(s.late_acceptances, late);
    assert!(late > 0, "{s:?}");
}

#[test]
fn a_supplement_request_returns_the_dossier_to_intake_when_supplied() {
    let (mut office, cat) = office(|c| {
        c.back_office.accept = 0.0;
        c.back_office.supplement = 1.0;
    });
    let idx = submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 8, 0));
    let code = office.dossiers()[idx].code.clone();
    office.advance(at(2025, 3, 18, 17, 0));
    assert_eq!(
        office.dossiers()[idx].state(),
        DossierState::SupplementRequested
    );
    office
        .supplement(&code, vec![], at(2025, 3, 19, 8, 0))
        .expect("supplied");
    assert!(
        office
            .supplement(&code, vec![], at(2025, 3, 19, 8, 0))
            .is_err()
    );
    office.advance(at(2025, 3, 21, 17, 0));
    assert!(office.dossiers()[idx].accepted_at.is_some());
    assert_eq!(office.dossiers()[idx].supplements, 1);
}

/// An office whose officers accept everything within minutes and never run late, with
/// `tweak` applied.
fn prompt_office(tweak: impl FnOnce(&mut PortalConfig)) -> (Office, Catalogue) {
    office(|c| {
        c.back_office.officers = 2;
        c.back_office.intake_minutes = 5.0;
        c.back_office.late_probability = 0.0;
        tweak(c);
    })
}

#[test]
fn a_supplement_at_intake_restarts_the_acceptance_deadline() {
    let (mut office, cat) = prompt_office(|c| {
        c.back_office.accept = 0.0;
        c.back_office.supplement = 1.0;
    });
    let idx = submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 9, 0));
    office.advance(at(2025, 3, 17, 12, 0));
    assert_eq!(
        office.dossiers()[idx].state(),
        DossierState::SupplementRequested
    );
    let code = office.dossiers()[idx].code.clone();
    office
        .supplement(&code, vec![], at(2025, 3, 19, 10, 0))
        .expect("supplied");
    let d = &office.dossiers()[idx];
    assert_eq!(
        d.acceptance_due,
        at(2025, 3, 20, 10, 0),
        "a day after the papers"
    );
    office.advance(at(2025, 3, 19, 12, 0));
    let d = &office.dossiers()[idx];
    assert!(d.accepted_at.is_some_and(|a| a <= d.acceptance_due));
}

#[test]
fn a_supplement_during_processing_pauses_the_clock_once_and_a_second_is_charged() {
    let (mut office, cat) = prompt_office(|c| c.back_office.processing_supplement = 1.0);
    // 1.900007: 3 working days, no fee.
    let idx = submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 8, 0));
    office.advance(at(2025, 3, 18, 17, 0));
    let d = &office.dossiers()[idx];
    assert_eq!(
        d.state(),
        DossierState::SupplementRequested,
        "{:?}",
        d.lifecycle
    );
    let first_due = d.due_at.expect("accepted");
    let code = d.code.clone();
    // The citizen takes two working days (Wed 19 and Thu 20 March) to send the papers.
    let back = at(2025, 3, 21, 7, 0);
    let asked = d
        .lifecycle
        .entered(DossierState::SupplementRequested)
        .expect("asked");
    let waited = office.calendar().working_time_between(asked, back);
    office.supplement(&code, vec![], back).expect("supplied");
    let d = &office.dossiers()[idx];
    assert_eq!(d.state(), DossierState::Processing);
    assert_eq!(
        d.due_at,
        Some(office.calendar().add_working_time(first_due, waited)),
        "the due date moves by the working time waited"
    );
    let moved_due = d.due_at.expect("due");
    // Asked again: this wait is not excused, the due date stays.
    office.advance(at(2025, 3, 27, 17, 0));
    let d = &office.dossiers()[idx];
    assert_eq!(d.state(), DossierState::SupplementRequested);
    assert_eq!(d.processing_supplements, 2);
    office
        .supplement(&code, vec![], at(2025, 4, 1, 8, 0))
        .expect("supplied");
    assert_eq!(office.dossiers()[idx].due_at, Some(moved_due));
    let stats = office.stats(
        "ubndxa",
        NaiveDate::from_ymd_opt(2025, 3, 1).expect("date"),
        NaiveDate::from_ymd_opt(2025, 4, 30).expect("date"),
        at(2025, 4, 1, 9, 0),
    );
    assert_eq!(stats.repeat_supplements, 1);
}

#[test]
fn a_dossier_waiting_for_papers_is_never_overdue() {
    let (mut office, cat) = prompt_office(|c| c.back_office.processing_supplement = 1.0);
    submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 8, 0));
    office.advance(at(2025, 3, 18, 17, 0));
    // A month later the citizen still has not answered.
    let stats = office.stats(
        "ubndxa",
        NaiveDate::from_ymd_opt(2025, 3, 1).expect("date"),
        NaiveDate::from_ymd_opt(2025, 4, 20).expect("date"),
        at(2025, 4, 21, 9, 0),
    );
    assert_eq!((stats.open_in_time, stats.open_overdue), (1, 0));
}

#[test]
fn a_late_dossier_gets_an_apology_on_its_due_date_and_still_counts_late() {
    let (mut office, cat) = prompt_office(|c| c.back_office.late_probability = 1.0);
    let idx = submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 8, 0));
    office.advance(at(2025, 4, 15, 17, 0));
    let d = &office.dossiers()[idx];
    let due = d.due_at.expect("due");
    let apology = d.apology.expect("an apology letter");
    assert_eq!(apology.issued_at, due);
    let finished = d.finished_at.expect("resolved");
    assert!(apology.new_due.date() == finished.date() && finished.date() > due.date());
    let stats = office.stats(
        "ubndxa",
        NaiveDate::from_ymd_opt(2025, 3, 1).expect("date"),
        NaiveDate::from_ymd_opt(2025, 4, 30).expect("date"),
        at(2025, 4, 15, 17, 0),
    );
    assert_eq!(stats.resolved_late, 1);
}

#[test]
fn withdrawn_and_stopped_dossiers_close_without_a_verdict() {
    let (mut office, cat) = prompt_office(|c| c.back_office.stop = 1.0);
    let stopped = submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 8, 0));
    let withdrawn = submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 8, 1));
    let code = office.dossiers()[withdrawn].code.clone();
    office
        .withdraw(&code, at(2025, 3, 17, 8, 2))
        .expect("withdrawn");
    office.advance(at(2025, 3, 28, 17, 0));
    assert_eq!(office.dossiers()[stopped].state(), DossierState::Stopped);
    assert!(office.dossiers()[stopped].stop_reason.is_some());
    let d = &office.dossiers()[withdrawn];
    assert_eq!(d.state(), DossierState::WithdrawalRequested);
    assert!(d.accepted_at.is_none(), "no officer took it up");
    assert!(office.withdraw(&code, at(2025, 3, 28, 17, 0)).is_err());
    let stats = office.stats(
        "ubndxa",
        NaiveDate::from_ymd_opt(2025, 3, 1).expect("date"),
        NaiveDate::from_ymd_opt(2025, 3, 31).expect("date"),
        at(2025, 3, 28, 17, 0),
    );
    assert_eq!((stats.stopped, stats.withdrawn), (1, 1));
    assert_eq!(stats.on_time_ratio(), None, "neither is judged");
}

#[test]
fn a_failed_payment_may_be_followed_by_a_new_one_and_a_fee_is_charged_once() {
    let (mut office, cat) = office(|_| {});
    let idx = submit(&mut office, &cat, "1.900004", at(2025, 3, 17, 9, 0));
    let code = office.dossiers()[idx].code.clone();
    let first = office
        .create_payment(&code, at(2025, 3, 17, 9, 1))
        .expect("owed")
        .0
        .id
        .clone();
    office
        .pay_on_gateway(&first, (0.0, 1.0), Some(GatewayOutcome::Failed))
        .expect("decided");
    office
        .confirm_payment(&first, false, "callback", at(2025, 3, 17, 9, 2))
        .expect("failed");
    let (second, created) = office
        .create_payment(&code, at(2025, 3, 17, 9, 3))
        .expect("still owed");
    assert!(created && second.id != first);
    let second = second.id.clone();
    office
        .pay_on_gateway(&second, (1.0, 0.0), None)
        .expect("paid");
    office
        .confirm_payment(&second, true, "callback", at(2025, 3, 17, 9, 4))
        .expect("applied");
    assert!(office.create_payment(&code, at(2025, 3, 17, 9, 5)).is_err());
    let charged = office
        .payments_of(idx)
        .filter(|p| p.status == PaymentStatus::Succeeded)
        .count();
    assert_eq!(charged, 1);
}
