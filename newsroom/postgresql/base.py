"""Django's PostgreSQL backend, for statements bound and prepared on the server.

With server-side parameter binding (settings: DATABASE_PREPARED_STATEMENTS):

- every value of a statement travels as a protocol parameter, and PostgreSQL's protocol
  counts them in 16 bits: a `bulk_create()` of 2,000 stories (45 columns each) would fail
  with "number of parameters must be between 0 and 65535". Django's backend declares no
  such limit; declaring it makes `bulk_create()`, `bulk_update()` and `in_bulk()` split
  their work, as they do on SQLite and Oracle;
- psycopg prepares the statements a connection runs again and again. A migration that
  changes a column's type (a longer `CharField`, say) breaks every statement prepared
  before it that returns the column: PostgreSQL answers "cached plan must not change
  result type" on each run, until the connection is closed. Outside a transaction the
  cursor below then drops the connection's prepared statements and runs the query once
  more; inside one, the rollback that follows the error drops them (psycopg does).
"""

import select
from datetime import UTC
from itertools import chain

from django.db import models
from django.db.backends.postgresql import base, features, operations
from psycopg import adapters, errors
from psycopg.adapt import Loader
from psycopg.postgres import types
from psycopg.pq import Format, TransactionStatus
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ_OID = types["timestamptz"].oid


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = 2**16 - 1


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        columns = list(
            chain.from_iterable(
                field.fields if isinstance(field, models.CompositePrimaryKey) else [field]
                for field in fields
            )
        )
        if columns:
            return max(self.connection.features.max_query_params // len(columns), 1)
        return len(objs)


class ServerBindingCursor(base.ServerBindingCursor):
    def execute(self, query, params=None, **kwargs):
        outside_transaction = self.connection.info.transaction_status == TransactionStatus.IDLE
        try:
            return super().execute(query, params, **kwargs)
        except errors.FeatureNotSupported:
            # The message ("cached plan must not change result type") is in the
            # server's language, so any 0A000 outside a transaction is retried once:
            # a feature that is really missing fails the same way the second time.
            if not outside_transaction:
                raise
        # psycopg forgets its own record of them when it sees DEALLOCATE ALL.
        self.connection.execute("DEALLOCATE ALL")
        return super().execute(query, params, **kwargs)


class UtcTimestamptzLoader(Loader):
    """psycopg's own loader of `timestamptz` values, for a session in UTC.

    Django registers a loader of its own (psycopg_any.BaseTzLoader) to give every
    datetime its connection's time zone; it is a subclass of psycopg's pure-Python
    loader, so each timestamp was parsed in Python (5 µs against 0.6 µs). In a UTC
    session psycopg's C loader already answers datetimes in `datetime.timezone.utc`,
    which is Django's zone then: this hands the work to it. `timezone` is what Django's
    backend checks before it registers its own loader on a cursor.
    """

    timezone = UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._load = _PSYCOPG_TIMESTAMPTZ_LOADER(oid, context).load

    def load(self, data):
        return self._load(data)


_PSYCOPG_TIMESTAMPTZ_LOADER = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations

    def init_connection_state(self):
        super().init_connection_state()
        if (
            self.timezone is UTC
            and self.connection.info.parameter_status("TimeZone") == "UTC"
            and _PSYCOPG_TIMESTAMPTZ_LOADER.__module__ != TimestamptzLoader.__module__
        ):
            self.connection.adapters.register_loader(TIMESTAMPTZ_OID, UtcTimestamptzLoader)

    def is_usable(self):
        """Whether the connection still works, asked without a round trip when the
        answer is plain.

        With CONN_HEALTH_CHECKS Django asks before each request's first query, and its
        answer is a `SELECT 1`: a round trip on every page, which cost as much as one of
        the page's own queries. A server that went away (restarted, or this backend
        terminated) has closed the connection, and its socket then reads the end of the
        stream: only a connection whose socket has something to read (that, or a notice)
        is asked with Django's query. A socket with nothing to read is a connection as
        usable as the `SELECT 1` would find it; a server that hangs would hang that too.
        """
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        try:
            readable, _writable, _failed = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable or super().is_usable()

    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = ServerBindingCursor
        return params
