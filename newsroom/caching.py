"""How the site talks to its cache: Redis is an accelerator, never a dependency."""

from django.core.exceptions import ImproperlyConfigured
from django_redis.pool import SentinelConnectionFactory as DjangoRedisSentinelConnectionFactory
from redis import exceptions as redis_errors
from redis.sentinel import MasterNotFoundError, Sentinel
from redis.utils import str_if_bytes

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


def sentinel_cache(config: dict, *, sentinels: list[str], password: str = "") -> dict:
    """`config` (from CACHE_URL) finding its Redis primary through Redis Sentinel.

    With `sentinels` ("host:port" each) the host of CACHE_URL is the name of the
    service the sentinels watch, e.g. `rediscache://mymaster/1`; its database number
    and password still apply. Every new connection asks a sentinel where the primary
    is, so after a failover the next call reaches the promoted replica (FailoverSentinel);
    until the sentinels have promoted one, calls fail and count as misses (resilient_cache).

    Reads go to the primary too: a purge stamp (newsroom.pagecache) or a comment
    counter must be read back the moment it is written, which a replica may lag.
    `password` is the sentinels' own (requirepass in sentinel.conf), if they have one.
    """
    if not sentinels:
        return config
    if not config["BACKEND"].startswith("django_redis."):
        raise ImproperlyConfigured(
            "CACHE_SENTINELS needs a Redis CACHE_URL naming the service, "
            "e.g. rediscache://mymaster/1"
        )
    addresses = []
    for sentinel in sentinels:
        host, colon, port = sentinel.strip().rpartition(":")
        if not colon or not host or not port.isdigit():
            raise ImproperlyConfigured(
                f"CACHE_SENTINELS: {sentinel!r} is not host:port (e.g. 10.0.0.5:26379)"
            )
        addresses.append((host, int(port)))
    # A dead sentinel costs what a dead Redis costs: the next one is asked at once.
    sentinel_options = {
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": SOCKET_TIMEOUT,
    }
    if password:
        sentinel_options["password"] = password
    options = dict(config.get("OPTIONS", {}))
    options |= {
        "CONNECTION_FACTORY": "newsroom.caching.SentinelConnectionFactory",
        "SENTINELS": addresses,
        "SENTINEL_KWARGS": sentinel_options,
    }
    return config | {"OPTIONS": options}


class FailoverSentinel(Sentinel):
    """redis-py's Sentinel, which also finds a replica the sentinels have just promoted.

    redis-py asks SENTINEL MASTERS and takes the address only while that primary is up.
    During a failover that address stays the dead primary's until the sentinel has
    moved every other replica over to the promoted one (+switch-master): a moment with
    one replica, longer with several. Meanwhile every call failed as "no master found"
    and a write to the cache was lost, though the promoted replica already took writes.
    SENTINEL GET-MASTER-ADDR-BY-NAME, which the Sentinel client spec tells clients to
    use, names the promoted replica as soon as it answers as a primary; it is asked
    when SENTINEL MASTERS has no primary that is up. Before a replica is promoted it
    names the dead primary, which is still refused at once, without connecting to it.
    """

    def discover_master(self, service_name):
        try:
            return super().discover_master(service_name)
        except MasterNotFoundError:
            for sentinel in self.sentinels:
                try:
                    address = self._promoted_replica(sentinel, service_name)
                except (redis_errors.ConnectionError, redis_errors.TimeoutError):
                    continue
                if address is not None:
                    return address
            raise

    def _promoted_replica(self, sentinel, service_name):
        state = sentinel.sentinel_masters().get(service_name)
        if not state or state["num-other-sentinels"] < self.min_other_sentinels:
            return None
        named = sentinel.execute_command("SENTINEL GET-MASTER-ADDR-BY-NAME", service_name)
        if not named:
            return None
        address = (str_if_bytes(named[0]), int(named[1]))
        if address == (state["ip"], state["port"]) and not self.check_master_state(
            state, service_name
        ):
            return None  # still the primary that is down: no replica promoted yet
        return address


class SentinelConnectionFactory(DjangoRedisSentinelConnectionFactory):
    """django-redis's factory for Sentinel, finding the primary with FailoverSentinel."""

    def __init__(self, options: dict) -> None:
        super().__init__(options)
        self._sentinel = FailoverSentinel(
            options["SENTINELS"],
            sentinel_kwargs=options.get("SENTINEL_KWARGS"),
            **self._sentinel.connection_kwargs,
        )
