//! FLOW003: one person has at most one active application, the latest.
//!
//! (explanation being written)

use super::{Context, Finding, Rule};

pub fn check(_ctx: &Context, _rule: &Rule, _out: &mut Vec<Finding>) {}
