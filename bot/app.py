"""build_application(): the one place where the bot is wired together."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import translate
from bot.config import Settings, SiteConfig
from bot.content import Content
from bot.context import BotContext, Services
from bot.followup.sweep import Sweeper
from bot.handlers import (
    actions,
    broadcasting,
    consent,
    coordinator,
    figures,
    flow,
    overview,
    partner,
    privacy,
    promises,
    question,
    relay,
    renovation,
    requests,
    router,
    start,
    visits,
)
from bot.handlers.errors import on_error
from bot.handlers.flows import FLOWS
from bot.handlers.groups import check_groups, on_bot_added
from bot.handlers.partner import CardAction
from bot.handlers.router import ResidentPress
from bot.handlers.staff import StaffPress, on_member_change
from bot.i18n import I18n
from bot.messaging.delivery import Delivery
from bot.messaging.ratelimit import RateLimiter
from bot.render import callbacks as cb
from bot.render.callbacks import BroadcastStep, Button, CardStep
from bot.services import figures as figure_service
from bot.services import retention
from bot.services.groups import warn_exposed
from bot.store import Store
from bot.store.clock import Clock
from bot.translate import detect

log = logging.getLogger(__name__)
DEMO_TOKEN = "123456:DEMO-no-network"
RESIDENT_COMMANDS = ("start", "menu", "language", "cancel", "requests", "privacy", "help")
PURGE_EVERY = timedelta(hours=6)
SWEEP_EVERY = timedelta(seconds=30)


def command_menu(services: Services, lang: str) -> list[BotCommand]:
    tr = services.i18n.get(lang)
    return [
        BotCommand("start", tr._("Start and main menu")),
        BotCommand("requests", tr._("My requests")),
        BotCommand("language", tr._("Change language")),
        BotCommand("privacy", tr._("Privacy and my data")),
        BotCommand("cancel", tr._("Stop what I am doing")),
        BotCommand("help", tr._("How this works")),
    ]


async def post_init(app: Application) -> None:
    services: Services = app.bot_data["services"]
    store = services._store = await Store.open(services.settings.db, services.clock)
    notifier, followups = services.notifier, services.followups
    services._sweeper = Sweeper(store, notifier, followups, services.clock)
    # the Monday casusoverleg digest is a due row, planned here once and then by each digest
    await figure_service.plan_digest(store, services.site, services.clock())
    # what the translator offers, per site language, logged so a gap shows before a resident
    # meets it (bot/cli/main.py refuses a site file whose services the environment can't give)
    services.translator = translate.make_translator(services.site, services.settings)
    services.transcriber = translate.make_transcriber(services.site, services.settings)
    for line in await translate.capabilities(services.translator, services.site):
        log.info("%s", line)
    if services.translator.name != "none":  # the language model loads once, off the loop
        await asyncio.to_thread(detect.warm)
    report = await check_groups(app.bot, services.site)
    await warn_exposed(services, report.exposed)  # a group outsiders can find or join is told
    services._delivery = Delivery(app.bot, store, notifier, report.forums,
                                  translator=services.translator,
                                  transcriber=services.transcriber)
    if services.run_worker:
        services._delivery.start()
    site = services.site
    # One command menu per language; Telegram shows the one matching the user's app language.
    await app.bot.set_my_commands(command_menu(services, site.default_language))
    for lang in site.languages:
        await app.bot.set_my_commands(command_menu(services, lang), language_code=lang)
    if app.job_queue is not None:
        app.job_queue.run_repeating(purge_expired, interval=PURGE_EVERY, first=10)
        # Jobs are a cache, the due rows the truth: the sweep runs soon after start (catching
        # up on what fell due during downtime) and then every SWEEP_EVERY.
        app.job_queue.run_repeating(sweep_due, interval=SWEEP_EVERY, first=1)


async def post_shutdown(app: Application) -> None:
    services: Services = app.bot_data["services"]
    if services._delivery is not None:
        await services._delivery.stop()
    await services.translator.aclose()
    await services.transcriber.aclose()
    if services._store is not None:
        await services._store.close()
        services._store = None


async def sweep_due(context: BotContext) -> None:
    services = context.services
    if await services.sweeper.run():
        services.delivery.wake()


async def purge_expired(context: BotContext) -> None:
    """The retention pass over every table (bot/services/retention.py, bot/store/retention.py):
    quiet requests warned about and closed, expired ones erased, old rows dropped."""
    done = await retention.run(context.services)
    if done:
        log.info("retention: %s", done.summary())


def build_application(
    settings: Settings,
    site: SiteConfig,
    *,
    clock: Clock,
    request: BaseRequest | None = None,
    content: Content | None = None,
    run_worker: bool = True,
) -> Application:
    token = settings.token.get_secret_value() if settings.token else DEMO_TOKEN
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.api_url)
        .context_types(ContextTypes(context=BotContext))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if request is not None:  # tests, the demo and benches: an in-process Bot API
        builder = builder.request(request).get_updates_request(request)
    if settings.rate_limit:  # paces sends under Telegram's limits, retries 429 after retry_after
        # PTB types the builder's limiter generically; AIORateLimiter is its own documented fit.
        builder = builder.rate_limiter(RateLimiter())  # type: ignore[arg-type]
    app = builder.build()
    services = Services(
        settings=settings, site=site,
        i18n=I18n(site.languages, site.default_language, site.zone),
        content=content or Content.load(site.languages),
        clock=clock, flows=FLOWS, run_worker=run_worker,
    )
    app.bot_data["services"] = services
    add_handlers(app)
    return app


# Handler groups: PTB runs the first matching handler of each group, group by group.
VISITS = -10  # a typed answer to a home visit being recorded, before anything else sees it
ROUTES = 0  # every command, message and button below
MEMBERS = 50  # membership changes: forget who a group's admins are
AFTER = 100  # after every update: wake the outbox worker for what the handlers queued

# Every kind of button (bot/render/callbacks.py) and the flow it drives. A resident's button
# works only in their private chat, a staff button only in a partner group; anything else, and
# data we did not make, gets a polite "this button is old" (router.on_unknown_press).
RESIDENT_BUTTONS: dict[Button, ResidentPress] = {
    cb.LANGUAGE: start.on_language_press,
    cb.FLOW_STEP: flow.on_press,
    cb.FAQ: question.on_faq_press,
    cb.PRIVACY: privacy.on_privacy_press,
    cb.UNFINISHED: actions.on_unfinished_press,
    cb.FEEDBACK: router.on_feedback_press,
    cb.ADD_TO_REQUEST: requests.on_add_press,
    cb.PROMISE_ANSWER: promises.on_promise_answer,
    cb.WORK_DAY: renovation.on_work_day_answer,
    cb.TRANSFER_ANSWER: consent.on_transfer_answer,
}
# What each button on a ticket card does (v1:t:<ticket id>:<step>) ...
CARD_STEPS: dict[str, CardAction] = {
    CardStep.CLAIM: partner.claim, CardStep.RELEASE: partner.release,
    CardStep.RESOLVE: partner.resolve, CardStep.NOTE: partner.ask_note,
    CardStep.TRANSFER: partner.ask_transfer, CardStep.TRANSFER_TO: partner.choose_transfer,
    CardStep.QUICK_MENU: partner.quick_menu, CardStep.QUICK_SEND: partner.quick_send,
    CardStep.HISTORY: partner.history,
    CardStep.PROMISE_MENU: promises.menu, CardStep.PROMISE_KIND: promises.when,
    CardStep.PROMISE_DAY: promises.part, CardStep.PROMISE_PART: promises.record,
}
# ... and each step of the announcement composer (v1:bc:<step>); an unknown step stops it.
BROADCAST_STEPS: dict[str, broadcasting.ComposerStep] = {
    BroadcastStep.TARGET: broadcasting.choose_target, BroadcastStep.MODE: broadcasting.choose_mode,
    BroadcastStep.SKIP: broadcasting.skip_language, BroadcastStep.SEND: broadcasting.send,
    BroadcastStep.STOP: broadcasting.stop, BroadcastStep.AGAIN: broadcasting.retranslate,
    BroadcastStep.APPROVE: broadcasting.approve,
}
# Recording a home visit: in a partner group, or in a private chat by a member of one.
VISITOR_BUTTONS: dict[Button, router.Callback] = {cb.VISIT: visits.on_press}
STAFF_BUTTONS: dict[Button, StaffPress] = {
    cb.CARD: partner.card_buttons(CARD_STEPS),
    cb.BROADCAST: broadcasting.composer_buttons(BROADCAST_STEPS),
}


def add_handlers(app: Application) -> None:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    # residents: commands, the menu and flows in their private chat
    commands = {
        "start": router.cmd_start, "menu": router.cmd_menu, "language": router.cmd_language,
        "cancel": router.cmd_cancel, "requests": router.cmd_requests,
        "privacy": router.cmd_privacy, "help": router.cmd_help,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=private), group=ROUTES)
    # home visits (staff, in their group or privately; a resident gets "unknown command")
    app.add_handler(CommandHandler("visit", visits.cmd_visit), group=ROUTES)
    app.add_handler(CommandHandler("visits", visits.cmd_visits), group=ROUTES)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, visits.on_text),
                    group=VISITS)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private & filters.COMMAND,
                                   router.cmd_unknown), group=ROUTES)
    app.add_handler(MessageHandler(  # menu labels, flow answers, codes, replies to a request
        filters.UpdateType.MESSAGE & private & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
        router.on_private_message), group=ROUTES)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & private,
                                   router.on_edited_message), group=ROUTES)
    # buttons, each kind by its pattern
    for kind, press in RESIDENT_BUTTONS.items():
        app.add_handler(CallbackQueryHandler(router.resident_button(press), pattern=kind.pattern),
                        group=ROUTES)
    for kind, staff_press in STAFF_BUTTONS.items():
        app.add_handler(CallbackQueryHandler(router.staff_button(staff_press),
                                             pattern=kind.pattern), group=ROUTES)
    for kind, visitor_press in VISITOR_BUTTONS.items():
        app.add_handler(CallbackQueryHandler(visitor_press, pattern=kind.pattern), group=ROUTES)
    app.add_handler(CallbackQueryHandler(router.on_unknown_press), group=ROUTES)
    # partner and coordinator groups: staff commands, replies to residents, the bot being added
    app.add_handler(CommandHandler("retry", coordinator.cmd_retry, filters=groups), group=ROUTES)
    app.add_handler(CommandHandler("block", coordinator.cmd_block, filters=groups), group=ROUTES)
    app.add_handler(CommandHandler("unblock", coordinator.cmd_unblock, filters=groups),
                    group=ROUTES)
    app.add_handler(CommandHandler("overview", overview.cmd_overview, filters=groups),
                    group=ROUTES)
    app.add_handler(CommandHandler("figures", figures.cmd_figures, filters=groups),
                    group=ROUTES)
    app.add_handler(CommandHandler("broadcast", broadcasting.cmd_broadcast, filters=groups),
                    group=ROUTES)
    app.add_handler(CommandHandler(list(RESIDENT_COMMANDS), router.wrong_place, filters=groups),
                    group=ROUTES)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & groups & ~filters.COMMAND
                                   & ~filters.StatusUpdate.ALL, relay.on_group_message),
                    group=ROUTES)
    app.add_handler(ChatMemberHandler(on_bot_added, ChatMemberHandler.MY_CHAT_MEMBER),
                    group=ROUTES)
    # a group's members changed: who its admins are is asked again (partners with may_act =
    # "admins"); beside the routes, so the bot being added is still answered
    app.add_handler(ChatMemberHandler(on_member_change, ChatMemberHandler.ANY_CHAT_MEMBER),
                    group=MEMBERS)
    app.add_handler(TypeHandler(Update, wake_delivery), group=AFTER)
    app.add_error_handler(on_error)


async def wake_delivery(update: Update, context: BotContext) -> None:
    if context.services._delivery is not None:
        context.services._delivery.wake()
