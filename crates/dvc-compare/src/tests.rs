use super::*;

fn province(name: &str, figures: &[(FigureId, f64, u64)]) -> Province {
    Province {
        name: name.into(),
        figures: figures
            .iter()
            .map(|&(f, v, n)| {
                (
                    f,
                    Figure {
                        value: Some(v),
                        samples: n,
                    },
                )
            })
            .collect(),
        ..Province::default()
    }
}

#[test]
fn figures_score_linearly_between_their_anchors() {
    assert_eq!(FigureId::Availability.score(0.999), 100.0);
    assert!((FigureId::Availability.score(0.9725) - 50.0).abs() < 1e-9);
    assert_eq!(FigureId::Availability.score(0.5), 0.0);
    assert_eq!(FigureId::PageP95.score(0.3), 100.0);
    assert!((FigureId::PageP95.score(2.75) - 50.0).abs() < 1e-9);
    // A page in a browser: full marks within the ministry's limit, none at twice it.
    assert_eq!(FigureId::LcpP75.score(3.9), 100.0);
    assert!((FigureId::LcpP75.score(6.0) - 50.0).abs() < 1e-9);
    assert_eq!(FigureId::TbtP75.score(1.2), 0.0);
    assert_eq!(FigureId::FcpP75.anchors(), (3.0, 6.0));
    // Ours separates 90–100%; the index's own scale gives full marks from 80%.
    assert_eq!(FigureId::OnTime.score(0.4), 0.0);
    assert!((FigureId::OnTime.score(0.95) - 90.0).abs() < 1e-9);
    assert_eq!(FigureId::OnTime.score(1.0), 100.0);
    let index = FigureId::OnTime.index().expect("the index counts it");
    assert_eq!((index.group, index.group_points), ("progress", 20));
    assert_eq!(index.marks(0.95), 1.0);
    assert_eq!(index.marks(0.4), 0.5, "in proportion below 80%");
    assert!(FigureId::PageP95.index().is_none());
}

#[test]
fn provinces_rank_by_weighted_score_and_too_few_samples_are_not_ranked() {
    use FigureId::*;
    let mut ps = vec![
        province("B", &[(Availability, 0.96, 100), (PageP95, 0.5, 100)]),
        province("A", &[(Availability, 0.999, 100), (PageP95, 2.75, 100)]),
        province("C", &[(Availability, 1.0, 5), (PageP95, 0.1, 100)]),
        province("D", &[(Availability, 1.0, 100)]),
    ];
    let weights = Weights::with(&["availability=3".into(), "page_p95=1".into()]).expect("weights");
    // D has no page figure: page_p95 is scored for nobody, and named.
    let unscored = rank(&mut ps.clone(), &weights, 20);
    assert_eq!(
        unscored.iter().find(|u| u.figure == PageP95),
        Some(&Unscored {
            figure: PageP95,
            weight: 1.0,
            missing_in: vec!["D".into()]
        })
    );
    // Without D, both figures are scored for everyone.
    ps.pop();
    let unscored = rank(&mut ps, &weights, 20);
    assert!(
        !unscored
            .iter()
            .any(|u| [Availability, PageP95].contains(&u.figure))
    );
    let order: Vec<(&str, Option<usize>)> = ps.iter().map(|p| (p.name.as_str(), p.rank)).collect();
    assert_eq!(order, [("A", Some(1)), ("B", Some(2)), ("C", None)]);
    // A: (3·100 + 1·50) / 4; B: (3·(0.01/0.045·100) + 100) / 4.
    assert!((ps[0].score.expect("A") - 87.5).abs() < 1e-9);
    assert!((ps[1].score.expect("B") - (3.0 * 100.0 / 4.5 + 100.0) / 4.0).abs() < 1e-9);
    assert_eq!(ps[2].too_few, vec![Availability]);
}

#[test]
fn a_figure_one_province_lacks_is_scored_for_none_and_its_weight_moves() {
    use FigureId::*;
    let mut ps = vec![
        province("A", &[(Availability, 0.99, 100), (OnTime, 0.9, 100)]),
        province("B", &[(Availability, 0.999, 100)]),
    ];
    let weights = Weights::with(&["availability=1".into(), "on_time=3".into()]).expect("weights");
    let unscored = rank(&mut ps, &weights, 20);
    let on_time = unscored.iter().find(|u| u.figure == OnTime).expect("named");
    assert_eq!(
        (on_time.weight, on_time.missing_in.clone()),
        (3.0, vec!["B".into()])
    );
    assert!(!unscored.iter().any(|u| u.figure == Availability));
    // Both ranked, on availability alone: B first.
    assert_eq!(ps[0].name, "B");
    assert!(ps.iter().all(|p| p.rank.is_some()));
    let c = Comparison {
        source: Source::ProbeStore(vec!["x".into()]),
        from: chrono::DateTime::UNIX_EPOCH,
        to: chrono::DateTime::UNIX_EPOCH,
        locations: vec![],
        provinces: ps,
        weights,
        unscored,
        min_samples: 20,
        availability_trend: Trend::default(),
        page_p95_trend: Trend::default(),
    };
    assert_eq!(c.used_weight(Availability), 1.0);
    assert_eq!(c.used_weight(OnTime), 0.0);
}

#[test]
fn weights_are_checked() {
    assert!(Weights::with(&["speed=1".into()]).is_err());
    assert!(Weights::with(&["on_time=-1".into()]).is_err());
    assert!(Weights::with(&["on_time".into()]).is_err());
    let zero: Vec<String> = FigureId::ALL
        .iter()
        .map(|f| format!("{}=0", f.id()))
        .collect();
    assert!(Weights::with(&zero).is_err());
    // The service levels' weights add up to 1, the index figures' to 0.3.
    let sum = |index: bool| -> f64 {
        Weights::default()
            .0
            .iter()
            .filter(|(f, _)| f.counts().is_some() == index)
            .map(|(_, w)| w)
            .sum()
    };
    assert!((sum(false) - 1.0).abs() < 1e-9);
    assert!((sum(true) - 0.3).abs() < 1e-9);
}
