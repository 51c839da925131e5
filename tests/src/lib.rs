//! Helpers for the end-to-end tests in `e2e/`: drive the `dvcbench` library in-process.

use std::path::PathBuf;

/// What a command printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    /// The exit code the binary would leave with.
    pub code: u8,
    /// The error chain the binary would print, if it failed.
    pub error: Option<String>,
}

/// Runs `dvcbench ARGS…` in-process, as the binary would.
pub fn dvcbench(args: &[&str]) -> Outcome {
    let cli = match dvcbench::cli::parse(std::iter::once("dvcbench").chain(args.iter().copied())) {
        Ok(cli) => cli,
        Err(err) => {
            return Outcome {
                stdout: String::new(),
                code: u8::try_from(err.exit_code()).unwrap_or(2),
                error: Some(err.to_string()),
            };
        }
    };
    let mut out = Vec::new();
    let result = dvcbench::run(cli, &mut out);
    Outcome {
        stdout: String::from_utf8_lossy(&out).into_owned(),
        code: result.as_ref().map_or_else(|f| f.code as u8, |()| 0),
        error: result.err().map(|f| format!("{:#}", f.error)),
    }
}

/// A fresh scratch directory under the system temporary directory, removed on drop.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    /// Creates a directory unique to this process and `name`.
    pub fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("dvcbench-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("scratch directory can be created");
        Scratch { path }
    }

    /// Writes `contents` to `file` in the directory and returns its path.
    pub fn write(&self, file: &str, contents: &str) -> PathBuf {
        let path = self.path.join(file);
        std::fs::write(&path, contents).expect("scratch file can be written");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
