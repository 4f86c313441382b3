//! `crmclean dedupe` (being written).

use super::{Global, InputArgs};
use crate::error::{Error, ExitCode, Result};

/// (being written)
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(_args: Args, _global: &Global) -> Result<ExitCode> {
    Err(Error::Usage("dedupe is not available yet".into()))
}
