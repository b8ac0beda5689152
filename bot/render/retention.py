"""The words of retention: a partner group is told, in its own language, before a request
nobody acted on is closed and its content erased, and when that has happened."""

from __future__ import annotations

from datetime import datetime

from bot.domain.tickets import Ticket
from bot.render.words import Readers


def quiet_warning(n: Readers, t: Ticket, since: datetime, closes_at: datetime) -> str:
    tr = n.group_tr(n.partner_chat(t))
    local = n.site.zone
    return "⏳ " + tr._(
        "#{ref} has had no news since {since}. On {date} it will be closed and its content "
        "erased, unless someone acts on it before then. A reply, a note or a claim keeps it "
        "open.", ref=t.ref, since=tr.date(since.astimezone(local).date(), "long"),
        date=tr.date(closes_at.astimezone(local).date(), "full"))


def quiet_closed(n: Readers, t: Ticket, since: datetime) -> str:
    tr = n.group_tr(n.partner_chat(t))
    return "🗑️ " + tr._("#{ref} is closed and its content is erased: there was no news since "
                       "{since}.", ref=t.ref,
                       since=tr.date(since.astimezone(n.site.zone).date(), "long"))
