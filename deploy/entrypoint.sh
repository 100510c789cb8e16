#!/bin/sh
# Container entrypoint: check the settings (one clear line if one is missing; any
# `check --deploy` warning stops it too), bring the
# database schema up to date, collect the static files, then run the command
# (by default `scp-monitor serve`). SCP_SKIP_MIGRATE=1 skips the migration step, for
# deployments that migrate separately before starting new containers.
set -eu
if [ "${SCP_LOCAL_HTTP:-0}" = "1" ]; then
  scp-monitor check >/dev/null  # the local trial over HTTP: deployment checks would warn
else
  scp-monitor check --deploy --fail-level WARNING >/dev/null
fi
if [ "${SCP_SKIP_MIGRATE:-0}" != "1" ]; then
  scp-monitor migrate --noinput
fi
scp-monitor collectstatic --noinput -v0
exec "$@"
