"""Django's PostgreSQL backend, told how many parameters one statement may carry.

With server-side parameter binding (settings: DATABASE_PREPARED_STATEMENTS) every value
of a statement travels as a protocol parameter, and PostgreSQL's protocol counts them
in 16 bits: a `bulk_create()` of 2,000 stories (45 columns each) would fail with
"number of parameters must be between 0 and 65535". Django's backend declares no such
limit, so its batches are unbounded; declaring the limit makes `bulk_create()`,
`bulk_update()` and `in_bulk()` split their work as they do on SQLite and Oracle.
"""

from itertools import chain

from django.db import models
from django.db.backends.postgresql import base, features, operations


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


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
