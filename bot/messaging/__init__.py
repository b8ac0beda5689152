"""Getting messages in and out: the outbox writer and its delivery worker, the rate limiter,
the durable inbox poller, and `buurtbot run`."""
