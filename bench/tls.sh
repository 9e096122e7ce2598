#!/bin/sh
# bench/tls.sh: TLS termination, veil beside nginx with the same
# certificate (ECDSA P-256, made here by the openssl command), both in
# front of the same upstream (nginx answering a static 1 KiB JSON
# document), in one run. Run by hand on a quiet machine, not in CI:
#
#   bench/tls.sh [VEIL_BINARY] [SECONDS] [CONNECTIONS]
#
# Scenarios:
#   keep-alive GET 1k, POST 1k   wrk over HTTPS, CONNECTIONS connections
#                                kept open: requests/s, TLS record cost
#   new conn GET 1k              every request on a new connection
#                                (Connection: close): handshakes/s, each
#                                a full TLS 1.3 handshake
# veil runs in its default observe mode (bodies inspected, redacted
# records written); nginx writes its default access log. Both get the
# same number of workers (WORKERS, default 1), TLS 1.2+ and session
# tickets on.
#
# Reported per scenario and proxy: requests/s, p50 and p99 latency (wrk)
# and CPU time per request of the proxy's processes (utime + stime from
# /proc/<pid>/stat, before and after), in microseconds; then veil's
# figures as a ratio of nginx's measured in the same run.
set -eu

VEIL=${1:-build/veil}
SECS=${2:-10}
CONNS=${3:-32}
WORKERS=${WORKERS:-1}
THREADS=${THREADS:-1}

command -v wrk >/dev/null || { echo "bench: wrk is not installed" >&2; exit 2; }
command -v openssl >/dev/null || { echo "bench: openssl is not installed" >&2; exit 2; }
command -v nginx >/dev/null || NGINX=/usr/sbin/nginx
NGINX=${NGINX:-nginx}
[ -x "$VEIL" ] || { echo "bench: no veil binary at $VEIL" >&2; exit 2; }

T=$(mktemp -d /tmp/veil-bench-tls.XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    sleep 0.3
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
UP=$(port); NP=$(port); VP=$(port)

# One certificate for both proxies.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null

python3 - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
items, i = [], 0
while len(json.dumps({"items": items})) < 1000:
    items.append({"id": i, "email": "jane.doe%d@example.com" % i,
                  "card": "4111111111111111"})
    i += 1
doc = json.dumps({"items": items})
open(t + "/resp.json", "w").write(doc)
open(t + "/body1k.json", "w").write(doc)
with open(t + "/post1k.lua", "w") as f:
    f.write('local f = io.open("%s/body1k.json", "rb")\n' % t)
    f.write('wrk.method = "POST"\nwrk.body = f:read("*a")\nf:close()\n')
    f.write('wrk.headers["Content-Type"] = "application/json"\n')
with open(t + "/close.lua", "w") as f:
    f.write('wrk.headers["Connection"] = "close"\n')
EOF

RESP=$(sed 's/\\/\\\\/g; s/"/\\"/g' "$T/resp.json")
mkdir -p "$T/up" "$T/px"
cat > "$T/up/nginx.conf" <<EOF
worker_processes 1;
pid $T/up/nginx.pid;
error_log $T/up/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $T/up;
    proxy_temp_path $T/up; fastcgi_temp_path $T/up;
    uwsgi_temp_path $T/up; scgi_temp_path $T/up;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$UP;
        location / {
            default_type application/json;
            return 200 "$RESP";
        }
    }
}
EOF
cat > "$T/px/nginx.conf" <<EOF
worker_processes $WORKERS;
pid $T/px/nginx.pid;
error_log $T/px/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    access_log $T/px/access.log;
    client_body_temp_path $T/px;
    proxy_temp_path $T/px; fastcgi_temp_path $T/px;
    uwsgi_temp_path $T/px; scgi_temp_path $T/px;
    client_body_buffer_size 64k;
    keepalive_requests 1000000;
    upstream backend {
        server 127.0.0.1:$UP;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NP ssl;
        ssl_certificate $T/cert.pem;
        ssl_certificate_key $T/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_tickets on;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
EOF

"$NGINX" -p "$T/up" -c "$T/up/nginx.conf" 2>/dev/null &
PIDS="$PIDS $!"
"$NGINX" -p "$T/px" -c "$T/px/nginx.conf" 2>/dev/null &
NGINX_MASTER=$!
PIDS="$PIDS $NGINX_MASTER"
"$VEIL" run --listen 127.0.0.1:$VP --upstream http://127.0.0.1:$UP \
    --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --admin off \
    --workers "$WORKERS" --access-log "$T/veil.log" 2>"$T/veil.err" &
VEIL_PID=$!
PIDS="$PIDS $VEIL_PID"
sleep 1

# CPU ticks of a process and its children (nginx workers).
ticks() {
    total=0
    for p in "$@" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
        [ -r /proc/"$p"/stat ] || continue
        t=$(sed 's/^.*) //' /proc/"$p"/stat | awk '{print $12 + $13}')
        total=$((total + t))
    done
    echo "$total"
}

HZ=$(getconf CLK_TCK)
run() { # name port pid script path
    name=$1; p=$2; pid=$3; script=$4; path=$5
    wrk -t1 -c"$CONNS" -d1s -s "$script" "https://127.0.0.1:$p$path" >/dev/null
    t0=$(ticks "$pid")
    wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency -s "$script" \
        "https://127.0.0.1:$p$path" > "$T/wrk.out"
    t1=$(ticks "$pid")
    python3 - "$T/wrk.out" "$name" "$((t1 - t0))" "$HZ" "$T/results" <<'EOF'
import re, sys
out = open(sys.argv[1]).read()
name, ticks, hz = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
reqs = int(re.search(r"(\d+) requests in", out).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
def lat(p):
    m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out)
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 0.001, "ms": 1.0, "s": 1000.0}[u]
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
sock = re.search(r"Socket errors: (.*)", out)
cpu = ticks / hz / reqs * 1e6 if reqs else 0
print("%-26s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  cpu %6.1f us/req%s%s" % (
    name, rps, lat(50), lat(99), cpu,
    "  NON-2XX %s" % errs.group(1) if errs else "",
    "  SOCKET ERRORS %s" % sock.group(1) if sock else ""))
with open(sys.argv[5], "a") as f:
    f.write("%s\t%f\t%f\n" % (name, rps, cpu))
EOF
}

echo "wrk -t$THREADS -c$CONNS -d${SECS}s over TLS; $WORKERS worker(s) per proxy;" \
     "upstream: nginx return 200 (1 KiB JSON)"
echo 'wrk.method = "GET"' > "$T/get.lua"
for sc in "keep-alive GET 1k:$T/get.lua:/get" "keep-alive POST 1k:$T/post1k.lua:/post" \
          "new conn GET 1k:$T/close.lua:/get"; do
    label=${sc%%:*}; rest=${sc#*:}; script=${rest%%:*}; path=${rest#*:}
    run "nginx $label" "$NP" "$NGINX_MASTER" "$script" "$path"
    run "veil  $label" "$VP" "$VEIL_PID" "$script" "$path"
done
python3 - "$T/results" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
by = {r[0]: (float(r[1]), float(r[2])) for r in rows}
print("\nveil / nginx, same run:")
for name in by:
    if name.startswith("veil  "):
        label = name[6:]
        n = by.get("nginx " + label)
        if n and n[0] and n[1]:
            v = by[name]
            print("  %-20s req/s x%.2f   cpu/req x%.2f" % (label, v[0] / n[0], v[1] / n[1]))
EOF
echo "veil access log: $(wc -l < "$T/veil.log") lines; sample record:"
tail -n 1 "$T/veil.log" | cut -c1-600
