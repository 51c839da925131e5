//! The report's languages, and the one way their words are declared: each label with its
//! Vietnamese and its English text side by side, so no language can miss a word.

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

/// A language dvcbench does not write reports in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}; use vi or en")]
pub struct UnknownLang(pub String);

impl std::str::FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        match s {
            "vi" => Ok(Lang::Vi),
            "en" => Ok(Lang::En),
            other => Err(UnknownLang(other.to_owned())),
        }
    }
}

/// Declares a struct of labels, each written as `name: "tiếng Việt", "English";`, and
/// `Labels::of(lang)` choosing one language's table.
macro_rules! labels {
    ($(#[$meta:meta])* pub struct $name:ident { $($field:ident: $vi:expr, $en:expr;)* }) => {
        $(#[$meta])*
        pub struct $name {
            $(pub $field: &'static str,)*
        }

        impl $name {
            /// The labels in `lang`.
            pub fn of(lang: $crate::Lang) -> &'static $name {
                const VI: $name = $name { $($field: $vi,)* };
                const EN: $name = $name { $($field: $en,)* };
                match lang {
                    $crate::Lang::Vi => &VI,
                    $crate::Lang::En => &EN,
                }
            }
        }
    };
}

pub(crate) use labels;

#[cfg(test)]
mod tests {
    use super::*;

    labels! {
        pub struct Words {
            yes: "có", "yes";
        }
    }

    #[test]
    fn each_language_reads_its_own_words() {
        assert_eq!(Words::of(Lang::Vi).yes, "có");
        assert_eq!(Words::of(Lang::En).yes, "yes");
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert_eq!(
            "fr".parse::<Lang>().expect_err("unknown").to_string(),
            "unknown language \"fr\"; use vi or en"
        );
    }
}
