#!/bin/sh
# Start the production server: what `make serve` and the systemd unit run
# (docs/deployment.md). Every setting comes from the environment.
#
# It never changes the schema itself: with several application servers the migrations
# run once, by `make migrate`, before the new code serves; this refuses to start on a
# database that is behind the code (or unreachable). Static files are collected on
# every start, so the manifest always matches the code being served.
set -eu
cd "$(dirname "$0")/.."
python=.venv/bin/python

$python manage.py check --fail-level ERROR
if ! out=$($python manage.py migrate --check 2>&1); then
    echo "newsroom: the database is not ready (unapplied migrations, or unreachable):" \
        "$(printf '%s\n' "$out" | tail -n 1); run 'make migrate' first." >&2
    exit 1
fi
$python manage.py collectstatic --noinput --verbosity 0
exec .venv/bin/gunicorn -c deploy/gunicorn.conf.py newsroom.wsgi:application
