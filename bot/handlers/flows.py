"""Every resident flow, listed in one place (bot/app.py hands them to the flow engine).

A flow is a table of named steps (bot/handlers/flow.py); a resident's place in one is a draft in
SQLite, so a restart resumes where they were.
"""

from __future__ import annotations

from bot.handlers.flow import Flow
from bot.handlers.helpreq import HELP
from bot.handlers.question import QUESTION
from bot.handlers.report import REPORT
from bot.handlers.requests import ADD

FLOWS: dict[str, Flow] = {flow.name: flow for flow in (REPORT, HELP, QUESTION, ADD)}
