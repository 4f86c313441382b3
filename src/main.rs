fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(crmclean::cli::run() as u8)
}
