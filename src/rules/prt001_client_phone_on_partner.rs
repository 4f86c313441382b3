//! PRT001: a partner's card holds only the partner's own phones (partner-cards seed).
//!
//! (explanation being written)

use super::{Context, Finding, Rule};

pub fn check(_ctx: &Context, _rule: &Rule, _out: &mut Vec<Finding>) {}
