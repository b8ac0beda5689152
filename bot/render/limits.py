"""What residents and coordinators read about the limits and blocks (bot/domain/limits.py).

Residents are told kindly, in their language, and never accused: a limit says the team has
their requests, a block only that the bot cannot pass on their messages now. Both end with
the emergency numbers: danger is never limited.
"""

from __future__ import annotations

from bot.domain.limits import Refusal
from bot.i18n import Translator


def danger_lines(tr: Translator, emergency: str, police: str) -> list[str]:
    """The same two lines as the danger notice (bot/handlers/emergency.py)."""
    return [
        "🚨 " + tr._("Are you or someone else in danger right now? Call {number} now.",
                     number=emergency),
        "👮 " + tr._("Police, not urgent: {number}.", number=police),
    ]


def refusal_text(tr: Translator, refusal: Refusal, *, requests_button: str, emergency: str,
                 police: str) -> str:
    """Why a new request or message of the resident is not passed on now."""
    if refusal == Refusal.BLOCKED:
        lines = ["🙏 " + tr._("The bot cannot pass on new requests or messages from you at the "
                             "moment."),
                 tr._("Your earlier requests are kept.")]
    else:
        lines = ["🙏 " + tr._("You have sent many new requests today. The team has them all "
                             "and will answer you."),
                 tr._("To add something to a request that is still open, press {button}.",
                      button=requests_button),
                 tr._("Within a day you can send new requests again.")]
    return "\n".join([*lines, "", *danger_lines(tr, emergency, police)])


def later_text(tr: Translator) -> str:
    """Said once, when the resident's messages start to wait for the limit."""
    return "⏳ " + tr._("You are sending many messages in a short time. They all arrive, in the "
                       "right order, but a little later.")


def kept_text(tr: Translator, partner: str) -> str:
    """A further message of the same run: kept, it goes a little later."""
    return "✅ " + tr._("Kept for {partner}. It is sent a little later.", partner=partner)


# -- a voice message added to an anonymous request --------------------------------------------
def voice_warning(tr: Translator) -> str:
    """The report flow's warning (bot/handlers/report.py ask_check), for one voice message."""
    return "\n".join([
        "⚠️ " + tr._("You chose anonymous. But this can tell the organisation who you are:"),
        "",
        "• 🎤 " + tr._("your voice in the voice message: people can recognise a voice"),
        "",
        tr._("Send the voice message anyway? You can also type your message instead."),
    ])


def voice_buttons(tr: Translator) -> tuple[str, str]:
    return "✅ " + tr._("Send anyway"), "🗑️ " + tr._("Don't send")


def voice_dropped(tr: Translator) -> str:
    return "👍 " + tr._("OK. The voice message was not sent.")


# -- the coordinator group, in its language ----------------------------------------------------
def blocked(tr: Translator, ref: str) -> str:
    return "\n".join([
        "🚫 " + tr._("Blocked the resident of {ref}.", ref=ref),
        tr._("Their new requests and messages are not passed on until /unblock {ref}.",
             ref=ref),
    ])


def already_blocked(tr: Translator, ref: str) -> str:
    return tr._("The resident of {ref} is already blocked.", ref=ref)


def unblocked(tr: Translator, ref: str) -> str:
    return "✅ " + tr._("Unblocked the resident of {ref}.", ref=ref)


def not_blocked(tr: Translator, ref: str) -> str:
    return tr._("The resident of {ref} is not blocked.", ref=ref)


def usage(tr: Translator, command: str, unknown: str | None = None) -> str:
    """How /block and /unblock are used; `unknown`: the reference that was not found."""
    if command == "block":
        how = tr._("Send /block with the number of one of their requests, for example: "
                   "/block M-0024. Nobody sees who the resident is.")
    else:
        how = tr._("Send /unblock with the number of the request, for example: "
                   "/unblock M-0024.")
    if unknown is None:
        return how
    return "\n".join([tr._("There is no request {ref}.", ref=unknown), how])
