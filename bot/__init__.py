"""buurtbot: a multilingual Telegram bot for sociaal renoveren in Utrecht Overvecht."""

import os

# python-telegram-bot 22.2+ warns that durations (RetryAfter.retry_after, Voice.duration) become
# timedelta in its next major version; opt in now so the code is ready and logs stay quiet.
os.environ.setdefault("PTB_TIMEDELTA", "1")
