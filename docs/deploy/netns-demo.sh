#!/usr/bin/env bash
# Fankui on three "machines" of this one: Linux network namespaces joined by a bridge (run as root).
#
#   fk-db      10.77.0.30  PostgreSQL (a cluster of its own in a temporary folder) behind PgBouncer, transaction mode
#   fk-web     10.77.0.10  nginx on port 80 in front of `fankui serve` on the namespace's own 127.0.0.1:8000
#   fk-worker  10.77.0.20  `fankui worker`
#   (host)     10.77.0.1   the load: `fankui bench soak --url http://10.77.0.10` through nginx
#
# Each namespace has its own addresses, ports and routes, so the web, the worker and the database reach each other
# only over the bridge, as separate machines would; they still share this machine's cores, memory and disk.
# Everything (namespaces, bridge, cluster, processes) is removed at the end, also on Ctrl-C.
#
#   sudo docs/deploy/netns-demo.sh [MINUTES] [RATE] [BURST]      (defaults: 1 minute, 120/s, bursts of 300/s)
#
# Prints the soak's JSON line last (bench/README.md, "fankui bench soak").
set -euo pipefail

MINUTES=${1:-1}
RATE=${2:-120}
BURST=${3:-300}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=$REPO/.venv/bin/python
P=${NETNS_PREFIX:-fk}
BRIDGE=${P}br0
NET=10.77.0

[ "$(id -u)" = 0 ] || { echo "netns-demo.sh: run as root (ip netns)"; exit 1; }
for program in ip nginx pgbouncer runuser; do
  command -v "$program" >/dev/null || { echo "netns-demo.sh: $program is missing (apt-get install iproute2 nginx pgbouncer)"; exit 1; }
done
[ -x "$PYTHON" ] || { echo "netns-demo.sh: run make install first"; exit 1; }
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")

WORK=$(mktemp -d /tmp/fankui-netns-XXXXXX)
chmod 755 "$WORK"
PIDS=()

cleanup() {
  set +e
  for pidfile in "$WORK/nginx/nginx.pid" "$WORK/db/pgbouncer.pid"; do [ -s "$pidfile" ] && PIDS+=("$(cat "$pidfile")"); done
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for _ in $(seq 1 30); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  ip netns exec "$P-db" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/db/data" -m immediate -w stop >/dev/null 2>&1
  for name in db web worker; do ip link del "$P-$name-h" 2>/dev/null; ip netns del "$P-$name" 2>/dev/null; done
  ip link del "$BRIDGE" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- The network: a bridge on the host, one veth pair per machine -------------------------------------------------
ip link add "$BRIDGE" type bridge
ip addr add "$NET.1/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
machine() {  # machine NAME ADDRESS
  ip netns add "$P-$1"
  ip link add "$P-$1-h" type veth peer name "$P-$1-n"
  ip link set "$P-$1-n" netns "$P-$1"
  ip link set "$P-$1-h" master "$BRIDGE" up
  ip netns exec "$P-$1" ip link set lo up
  ip netns exec "$P-$1" ip addr add "$2/24" dev "$P-$1-n"
  ip netns exec "$P-$1" ip link set "$P-$1-n" up
}
on() { local name=$1; shift; ip netns exec "$P-$name" "$@"; }
machine db "$NET.30"
machine web "$NET.10"
machine worker "$NET.20"

# --- The database machine: PostgreSQL and PgBouncer -----------------------------------------------------------------
mkdir -p "$WORK/db"
chown postgres:postgres "$WORK/db"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/db/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
echo "host all all $NET.0/24 trust" >>"$WORK/db/data/pg_hba.conf"
on db runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/db/data" -l "$WORK/db/postgres.log" -w start \
  -o "-c listen_addresses=127.0.0.1,$NET.30 -k $WORK/db -c max_connections=100 -c fsync=off" >/dev/null
on db runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 fankui
echo '"postgres" ""' >"$WORK/db/userlist.txt"
cat >"$WORK/db/pgbouncer.ini" <<EOF
[databases]
fankui = host=127.0.0.1 port=5432 dbname=fankui
[pgbouncer]
listen_addr = $NET.30
listen_port = 6432
unix_socket_dir = $WORK/db
auth_type = trust
auth_file = $WORK/db/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
logfile = $WORK/db/pgbouncer.log
pidfile = $WORK/db/pgbouncer.pid
EOF
chown -R postgres:postgres "$WORK/db"
on db runuser -u postgres -- pgbouncer -d "$WORK/db/pgbouncer.ini"

# --- What every machine of the site shares: the database and the keys --------------------------------------------
keys=$("$PYTHON" -c 'import base64, os, secrets; print(secrets.token_urlsafe(50), base64.urlsafe_b64encode(os.urandom(32)).decode(), secrets.token_urlsafe(32))')
read -r SECRET ENCRYPTION LOOKUP <<<"$keys"
site=(
  FANKUI_DATABASE_URL="postgres://postgres@$NET.30:6432/fankui" FANKUI_DATABASE_POOLED=1
  FANKUI_SECRET_KEY="$SECRET" FANKUI_ENCRYPTION_KEYS="$ENCRYPTION" FANKUI_LOOKUP_KEY="$LOOKUP"
  FANKUI_ALLOWED_HOSTS="$NET.10" FANKUI_TRUSTED_PROXIES=1 FANKUI_PUBLIC_URL="http://$NET.10"
  # One client sends all of the load: the public rate limits would measure themselves (as in fankui bench intake).
  FANKUI_RATE_SUBMIT=off FANKUI_RATE_SUBMIT_CONTACT=off FANKUI_RATE_TRACK=off FANKUI_RATE_RATING=off
)
for _ in $(seq 1 30); do on web "$PYTHON" -c "import socket; socket.create_connection(('$NET.30', 6432), 1)" 2>/dev/null && break; sleep 0.5; done
on web env "${site[@]}" FANKUI_DATA_DIR="$WORK/web" "$PYTHON" -m fankui migrate --no-input -v0

# --- The web machine: fankui serve and nginx in front ---------------------------------------------------------------
# Started with ip netns exec itself (which becomes the program), so that $! is the server's own process.
ip netns exec "$P-web" env "${site[@]}" FANKUI_DATA_DIR="$WORK/web" "$PYTHON" -m fankui serve --bind 127.0.0.1:8000 \
  >"$WORK/web.log" 2>&1 &
WEB_PID=$!
PIDS+=("$WEB_PID")
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  upstream fankui_web { server 127.0.0.1:8000; keepalive 64; }
  server {
    listen $NET.10:80;
    client_max_body_size 64m;
    location / { proxy_pass http://fankui_web; include $REPO/docs/deploy/fankui-proxy.conf; }
  }
}
EOF
on web nginx -c "$WORK/nginx/nginx.conf"

# --- The worker machine ---------------------------------------------------------------------------------------------
ip netns exec "$P-worker" env "${site[@]}" FANKUI_DATA_DIR="$WORK/worker" "$PYTHON" -m fankui worker \
  >"$WORK/worker.log" 2>&1 &
PIDS+=($!)

for _ in $(seq 1 120); do
  "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://$NET.10/api/v1/openapi.json', timeout=2)" 2>/dev/null && break
  sleep 0.5
done

# --- The load, from the host, through nginx ----------------------------------------------------------------------
# The soak reads the database directly (not through PgBouncer) to count what was stored and analysed; the memory
# sampled is the web machine's fankui serve and its processes.
env "${site[@]}" FANKUI_DATABASE_URL="postgres://postgres@$NET.30:5432/fankui" FANKUI_DATA_DIR="$WORK/client" \
  "$PYTHON" -m fankui bench soak --url "http://$NET.10" --server-pid "$WEB_PID" \
  --minutes "$MINUTES" --rate "$RATE" --burst "$BURST" 2>"$WORK/soak.err" | tail -n 1
