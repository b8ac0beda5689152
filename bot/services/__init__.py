"""Use cases: one function per thing the bot does for someone, one transaction each."""
