//! crmclean: audit and clean amoCRM and Flow CRM exports.
//!
//! The pipeline: [`read`] turns files into raw tables, [`profile`] maps their headers onto
//! canonical fields, [`model`] builds typed records with normalised values ([`normalize`]),
//! [`rules`] produce findings, and [`output`] writes them safely. Each CLI command lives in
//! [`commands`].

pub mod apply;
pub mod cli;
pub mod commands;
pub mod decisions;
pub mod dedupe;
pub mod error;
pub mod migrate;
pub mod model;
pub mod normalize;
pub mod output;
pub mod params;
pub mod profile;
pub mod progress;
pub mod read;
pub mod rules;

#[cfg(test)]
pub(crate) mod testutil;
