//! PRT001: a partner's card holds only the partner's own phones (partner-cards seed).
//!
//! What: a partner (foreman, «прораб») is a contact whose `Теги` contain «прораб», «партнёр»,
//! «партнер» or «бригадир», or whose contact-type field says so (`[contact] partner_tags` /
//! `partner_types` in rules/default.toml). Every phone on such a card is classified from the
//! deals and the client base; one finding per phone classified `move` (a client's number).
//!
//! Not evidence: the deals export's «… (контакт)» columns are a snapshot of the main
//! contact's card (the same on every deal of the partner, only some phone types), and on the
//! partner's own deals `Телефон клиента` (whoever called) and a note that gives a number
//! without saying whose («звонить на 8 921 …») say nothing about whose a number is.
//!
//! Evidence that a number P is a client's in a deal D:
//!   1. D is not the partner's deal and its `Телефон клиента` holds P;
//!   2. a note of D gives P, in any format, as a client's: the owner word that governs the
//!      number decides, not the nearest word — «Прораб дал номер хозяйки квартиры: 8 905 …»,
//!      «от прораба: клиентка Алина 8-921-…», «прораб Петров просил перезвонить клиенту по
//!      8 (911) …» are a client's; «тел. прораба 8 921 …», «прораб Иванов 8 921 …», «номер
//!      партнёра: …» are the partner's own (`[notes]` in rules/default.toml);
//!   3. the client base lists P under a client tied to D: D's `Номер договора` resolves to the
//!      row, or the row's address is the object address of the partner's deal D;
//!   4. D's main contact is another, non-partner contact whose card holds P (a second card of
//!      the partner himself, same name, does not count).
//!
//! Classification (the same as `crmclean migrate`, split_plan.jsonl):
//!   - move: evidence in one or more deals that are about one object (one address, or one
//!     contract). The new contact is named by the client base's `ФИО клиента` when the client
//!     base ties the number to the client, else by the deal's `Адрес объекта` exactly as written
//!     («Купчинская 4-3-22»). When a non-partner contact already holds P, the deals are linked
//!     to it instead (no duplicate).
//!   - review: evidence in deals at different addresses; the client base naming different
//!     clients; evidence but no address and no client-base name (unless another partner card
//!     moves P to a named contact: P then moves there too); several contacts hold P;
//!     notes that call P the partner's while other evidence says client; P on another contact or
//!     in the client base but in no deal; the partner has no deals and several numbers without
//!     evidence; an item that is not a valid number.
//!   - keep: no client evidence (notes call it the partner's, or the card's only one, or nothing
//!     says otherwise: a client's number that nothing proves stays with the partner).
//!
//!   A number written twice on one card gets a line per occurrence, the second with the same
//!   decision and the reason «duplicate of …».
//!
//! Key
//!   `PRT001/contact/PARTNER_ID/PHONE`, PHONE the number in E.164
//!   (`PRT001/contact/45102462/+79213456701`); a number written twice gives `#2`.
//!
//! Why: client numbers on a foreman's card mix up calls and messages: the client's calls land on
//! the foreman's card, the client gets no birthday greetings and the foreman is notified about
//! deals that are not his.
//!
//! Example: partner «Сергей Петров (прораб)» holds +7 921 765-43-21 in his mobile cell, next to
//! his own number; a note of his deal 555 «Окна Купчинская» says «Прораб дал номер хозяйки
//! квартиры: 8 921 765-43-21», address «Купчинская 4-3-22», contract 17/23 not in the client
//! base → finding on the partner's card, related = [555], new contact «Купчинская 4-3-22».
//!
//! Fix: run `crmclean migrate` and import `import_new_contacts` (new contacts linked to their
//! deals) and `import_partner_cards` (the cards without the moved numbers); decide the rows of
//! review.xlsx by hand.

use super::{Context, Finding, Rule};
use crate::migrate::{Action, PlanLine};

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let ds = ctx.ds;
    if !ds.contacts.iter().any(|c| c.is_partner) {
        return;
    }
    for line in ctx.partner_plan() {
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
        field: line.source_column.as_str().into(),
        value: line.raw.clone(),
        message: format!(
            "В карточке партнёра «{}» номер клиента {} (сделки {deals}): {}",
            partner.title(ctx.ds),
            line.phone,
            line.reason
        )
        .into(),
        fix: fix.into(),
        ..ctx.finding(rule, partner.at, &partner.id, &partner.responsible)
    }
    .with_item(&line.phone)
}
