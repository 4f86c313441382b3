//! DUP001: no duplicate contacts: two or more of ФИО / phone / birthday match (rule 5).
//!
//! (explanation being written)

use super::{Context, Finding, Rule};

pub fn check(_ctx: &Context, _rule: &Rule, _out: &mut Vec<Finding>) {}
