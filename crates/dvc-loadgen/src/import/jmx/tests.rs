//! The importer on garbage and on what is not a test plan.
use super::*;
use proptest::prelude::*;

proptest! {
    #[test]
    fn garbage_never_panics_the_importer(text in "[ -~\n]{0,300}") {
        let _ = import(&text, "x.jmx");
        let _ = import(&format!("<jmeterTestPlan><hashTree>{text}</hashTree></jmeterTestPlan>"), "x.jmx");
    }
}

#[test]
fn a_file_that_is_not_a_plan_is_refused() {
    assert!(
        import("<html/>", "x.jmx").is_err_and(|e| e.to_string().contains("not <jmeterTestPlan>"))
    );
    assert!(import("<jmeterTestPlan", "x.jmx").is_err());
    assert!(matches!(
        import("<jmeterTestPlan><hashTree/></jmeterTestPlan>", "x.jmx"),
        Err(ImportError::Empty)
    ));
}
