//! PRT001: a partner's card holds only the partner's own phones (partner-cards seed).
//!
//! What: a partner (foreman, «прораб») is a contact whose `Теги` contain «прораб», «партнёр»,
//! «партнер» or «бригадир», or whose contact-type field says so (`[contact] partner_tags` /
//! `partner_types` in rules/default.toml). Every phone on such a card is classified from the
//! deals and the client base; one finding per phone classified `move` (a client's number).
//!
//! Evidence that a number P is a client's in a deal D:
//!   1. D's `Телефон клиента` holds P;
//!   2. a note of D mentions P in any format (not right after «прораб»/«партнёр», which marks
//!      the partner's own number);
//!   3. D's `Номер договора` resolves in the client base and that client's `Телефон` is P;
//!   4. D's main contact is another, non-partner contact whose card holds P (a second card of
//!      the partner himself, same name, does not count).
//!
//! Classification (the same as `crmclean migrate`, split_plan.jsonl):
//!   - move: evidence in one or more deals that are about one object (one address, or one
//!     contract). The new contact is named by the client base's `ФИО клиента` when a deal's
//!     contract resolves, else by the deal's `Адрес объекта` exactly as written
//!     («Купчинская 4-3-22»). When a non-partner contact already holds P, the deals are linked
//!     to it instead (no duplicate).
//!   - review: evidence in deals at different addresses; contracts naming different clients;
//!     evidence but no address and no client-base name; several contacts hold P; notes that call
//!     P the partner's while other evidence says client; P on another contact or in the client
//!     base but in no deal; the partner has no deals and several numbers without evidence; an
//!     item that is not a valid number.
//!   - keep: no client evidence (the partner's own number, or the card's only one); or P is only
//!     mentioned in notes of several of the partner's own deals at different addresses.
//!
//!   A number written twice on one card gets a line per occurrence, the second with the same
//!   decision and the reason «duplicate of …».
//!
//! Why: client numbers on a foreman's card mix up calls and messages: the client's calls land on
//! the foreman's card, the client gets no birthday greetings and the foreman is notified about
//! deals that are not his.
//!
//! Example: partner «Сергей Петров (прораб)» holds +7 921 765-43-21; deal 555 «Окна Купчинская»
//! has it in `Телефон клиента`, address «Купчинская 4-3-22», contract 17/23 not in the client
//! base → finding on the partner's card, related = [555], new contact «Купчинская 4-3-22».
//!
//! Fix: run `crmclean migrate` and import `import_new_contacts` (new contacts linked to their
//! deals) and `import_partner_cards` (the cards without the moved numbers); decide the rows of
//! review.xlsx by hand.

use super::{Context, Finding, Rule};
use crate::migrate::{self, Action, PlanLine};

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let ds = ctx.ds;
    if !ds.contacts.iter().any(|c| c.is_partner) {
        return;
    }
    for line in migrate::plan(ds, ctx.params) {
        if line.action == Action::Move {
            out.push(finding(ctx, rule, &line));
        }
    }
}

fn finding(ctx: &Context, rule: &Rule, line: &PlanLine) -> Finding {
    let partner = &ctx.ds.contacts[line.partner];
    let name = line.new_contact_name.as_deref().unwrap_or("");
    let deals = line.deal_ids.join(", ");
    let fix = match line.link_contact {
        Some(c) => format!(
            "Привязать сделки {deals} к существующему контакту ID {} «{name}» и удалить номер из карточки партнёра (crmclean migrate)",
            ctx.ds.contacts[c].id
        ),
        None => format!(
            "Создать контакт «{name}» с номером {}, привязать к сделкам {deals} и удалить номер из карточки партнёра (crmclean migrate)",
            line.phone
        ),
    };
    Finding {
        related: line.deal_ids.clone(),
        field: line.source_column.clone(),
        value: line.raw.clone(),
        message: format!(
            "В карточке партнёра «{}» номер клиента {} (сделки {deals}): {}",
            partner.title(ctx.ds),
            line.phone,
            line.reason
        ),
        fix,
        ..ctx.finding(rule, partner.at, &partner.id, &partner.responsible)
    }
}
