"""How the site talks to its cache: Redis is an accelerator, never a dependency."""

# Redis answers in well under a millisecond on the same network; these are generous
# for a live server and make a dead one cost milliseconds, not seconds, per call.
CONNECT_TIMEOUT = 0.25
SOCKET_TIMEOUT = 0.5


def resilient_cache(config: dict) -> dict:
    """`config` (from CACHE_URL) with a failing Redis answering every call like a miss.

    django-redis then returns the default on reads and None on writes and `incr`
    (IGNORE_EXCEPTIONS) and logs the failure through "newsroom.cache" (see the
    DJANGO_REDIS_* settings). Options given in CACHE_URL's query string win, e.g.
    `rediscache://host:6379/1?socket_timeout=1`; other backends are left alone.
    """
    if not config["BACKEND"].startswith("django_redis."):
        return config
    options = dict(config.get("OPTIONS", {}))
    # The query string gives text: "false" must not count as true.
    options["IGNORE_EXCEPTIONS"] = str(options.get("IGNORE_EXCEPTIONS", True)).lower() in (
        "1",
        "true",
        "yes",
        "on",
    )
    options.setdefault("SOCKET_CONNECT_TIMEOUT", CONNECT_TIMEOUT)
    options.setdefault("SOCKET_TIMEOUT", SOCKET_TIMEOUT)
    return config | {"OPTIONS": options}
