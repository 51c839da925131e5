use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match dvcbench::cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version land here too, with exit code 0.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    dvcbench::init_tracing(cli.verbose, cli.log_format);
    let stdout = std::io::stdout();
    match dvcbench::run(cli, &mut stdout.lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("dvcbench: {:#}", failure.error);
            ExitCode::from(failure.code as u8)
        }
    }
}
