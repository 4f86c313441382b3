//! DEAL004: no duplicate open deals of one client in one product group (rule 2).
//!
//! (explanation being written)

use super::{Context, Finding, Rule};

pub fn check(_ctx: &Context, _rule: &Rule, _out: &mut Vec<Finding>) {}
