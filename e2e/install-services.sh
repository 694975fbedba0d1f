#!/usr/bin/env bash
# Install Redis and PostgreSQL from Debian for the queue-mode tests (test/e2e/queue.e2e.ts),
# `npm run dev -- --queue` and bench/queue-throughput.ts. A quick no-op when both are installed.
# Nothing is started here and no system service is used: test/e2e/lib/services.ts starts its own
# redis-server and postgres on free ports in folders it owns, and stops them.
#
#   e2e/install-services.sh        # needs root (apt-get) the first time
set -euo pipefail

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/postgres' > /dev/null; }
if command -v redis-server > /dev/null && command -v redis-cli > /dev/null && have_postgres && id postgres > /dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-services.sh: redis-server and postgresql are missing; run as root (apt-get install -y redis-server postgresql)" >&2
	exit 1
fi
started=$SECONDS
export DEBIAN_FRONTEND=noninteractive
# Other installs may hold the dpkg lock for a while: wait for it rather than fail.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 "$@"; }
apt_get update -q
apt_get install -y -q --no-install-recommends redis-server redis-tools postgresql > /tmp/install-services-apt.log 2>&1 ||
	{ tail -40 /tmp/install-services-apt.log >&2; exit 1; }
have_postgres || { echo "install-services.sh: postgres binary not found after apt-get install" >&2; exit 1; }
echo "install-services.sh: redis-server and postgresql installed in $((SECONDS - started)) s"
