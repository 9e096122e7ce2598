#!/bin/sh
# bench/proxy.sh: wrk against `veil run` and against nginx as a reverse
# proxy, both in front of the same upstream (nginx answering a static JSON
# document), in one run. Run by hand, not in CI:
#
#   bench/proxy.sh [VEIL_BINARY] [SECONDS] [CONNECTIONS]
#   PII=sparse bench/proxy.sh ...   one record per body carries PII (an
#                                   e-mail and a phone); the rest ids,
#                                   SKUs, prices, timestamps, prose
#   HOST=api.example.com bench/proxy.sh ...
#                                   requests carry that Host header, a
#                                   name as in production, instead of
#                                   the address wrk writes (127.0.0.1:
#                                   PORT, an IPv4 address veil's head
#                                   pass finds and redacts for the log)
#   LOGDIR=/dev/shm bench/proxy.sh ...
#                                   every proxy's access log in a new
#                                   directory there (a tmpfs: no disk
#                                   behind the page cache) instead of
#                                   the run's directory under /tmp
#   TRUNCATE=1 bench/proxy.sh ...   every access log emptied after each
#                                   run (rotated files removed), so that
#                                   the next run writes into the page
#                                   cache's pages again
#
# The logged bodies come to hundreds of MB a second, GBs a scenario: on
# a disk that cannot take them for as long as a run lasts the kernel
# throttles the writers (dirty-page limits), and on a VM that hands the
# memory its guest frees back to the host (virtio-balloon free page
# reporting) every page the page cache has not had before costs a fault
# on the host: on this machine about 2.7 s of system time a GB once a few
# GB have been written (a 21 KB record 57 us). The file-logging rows then
# measure the machine as much as the proxies. LOGDIR on a tmpfs and
# TRUNCATE reduce that (freed pages still go back to the host within
# seconds); the veil-pipe row, whose log grows no page cache, is the
# steady one. The "log" column is the access log's bytes a request.
#
# Scenarios: JSON POST of 1 KiB and 16 KiB (bodies carrying PII, so the
# engine has work), JSON GET of a 1 KiB response (with PII). veil runs in
# its default observe mode: every body inspected, redacted bodies and
# headers written to its access log. nginx writes its default access log
# (no bodies). Both get the same number of workers and keep-alive
# connections to the upstream.
#
# "nginx-rb" is nginx with the request body in its access log
# (log_format with $request_body, unredacted: the nearest thing a user
# would build instead of veil; nginx keeps the body in memory for it,
# client_body_buffer_size 64k).
#
# "veil-0" is veil with --inspect off (no engine, metadata-only records):
# the cost of the proxy itself, for comparison. "veil-rw" is veil with a
# config whose policy rewrites both bodies in transit (mode redact): each
# body is held, inspected, redacted for the log and rewritten for the
# other side. "veil-pipe" is veil with its access log on stdout, read
# through a pipe by cat into /dev/null: a sidecar whose log goes to a
# collector or the container runtime rather than to a file (the reader's
# CPU time is counted with veil's; what a real collector then does with
# the lines is not).
#
# Reported per scenario and proxy: requests/s, p50 and p99 latency (wrk),
# and CPU time per request of the proxy's processes (utime + stime from
# /proc/<pid>/stat, before and after), in microseconds. For veil also the
# time it adds per exchange by its own histogram (veil_added_latency_seconds
# on its metrics listener, the scenario's difference): the mean, and the
# bucket bounds that hold the median and the 99th percentile.
set -eu

VEIL=${1:-build/veil}
SECS=${2:-10}
CONNS=${3:-32}
WORKERS=${WORKERS:-1}
THREADS=${THREADS:-1}

command -v wrk >/dev/null || { echo "bench: wrk is not installed" >&2; exit 2; }
command -v nginx >/dev/null || NGINX=/usr/sbin/nginx
NGINX=${NGINX:-nginx}
[ -x "$VEIL" ] || { echo "bench: no veil binary at $VEIL" >&2; exit 2; }

T=$(mktemp -d /tmp/veil-bench.XXXXXX)
L=$T
[ -z "${LOGDIR:-}" ] || L=$(mktemp -d "$LOGDIR/veil-bench-logs.XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do pkill -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
    sleep 0.3
    rm -rf "$T"
    [ "$L" = "$T" ] || rm -rf "$L"
}
trap cleanup EXIT INT TERM

port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
UP=$(port); NP=$(port); VP=$(port); NRB=$(port); VM=$(port)

# Payloads: JSON documents with PII in them, of the exact sizes.
python3 - "$T" "${PII:-dense}" <<'EOF'
import json, sys
t = sys.argv[1]
sparse = sys.argv[2] == "sparse"
def doc(size):
    items, i = [], 0
    while True:
        if sparse and i > 0:
            # Real API traffic: ids, SKUs, prices, timestamps and prose;
            # one record per body carries an e-mail and a phone.
            items.append({"id": 100000 + i, "sku": "SKU-%06d" % (i * 7919 % 1000000),
                          "price": "%d.%02d" % (i % 90 + 9, i % 100),
                          "created_at": "2026-12-05T10:%02d:%02dZ" % (i % 60, i * 7 % 60),
                          "status": "shipped", "note": "order shipped to the usual address"})
        elif sparse:
            items.append({"id": 100000, "email": "jane.doe@example.com",
                          "phone": "+1 415 555 0100", "note": "call before delivery"})
        else:
            items.append({"id": i, "name": "Jane Doe", "email": "jane.doe%d@example.com" % i,
                          "card": "4111111111111111", "phone": "+1 415 555 0%03d" % (i % 1000),
                          "note": "order shipped to the usual address"})
        s = json.dumps({"items": items})
        if len(s) >= size:
            items.pop()
            s = json.dumps({"items": items, "pad": ""})
            return json.dumps({"items": items, "pad": "x" * (size - len(s))})
        i += 1
for n, size in (("1k", 1024), ("16k", 16384)):
    body = doc(size)
    assert len(body) == size, (len(body), size)
    open("%s/body%s.json" % (t, n), "w").write(body)
open(t + "/resp.json", "w").write(doc(1024))
for n in ("1k", "16k"):
    with open("%s/post%s.lua" % (t, n), "w") as f:
        f.write('local f = io.open("%s/body%s.json", "rb")\n' % (t, n))
        f.write('wrk.method = "POST"\nwrk.body = f:read("*a")\nf:close()\n')
        f.write('wrk.headers["Content-Type"] = "application/json"\n')
EOF

RESP=$(cat "$T/resp.json" | sed 's/\\/\\\\/g; s/"/\\"/g')
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
    client_max_body_size 1m;
    client_body_buffer_size 64k;
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
    access_log $L/nginx.log;
    client_body_temp_path $T/px;
    proxy_temp_path $T/px; fastcgi_temp_path $T/px;
    uwsgi_temp_path $T/px; scgi_temp_path $T/px;
    client_max_body_size 1m;
    client_body_buffer_size 64k;
    keepalive_requests 1000000;
    upstream backend {
        server 127.0.0.1:$UP;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NP;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
EOF

mkdir -p "$T/pxrb"
sed -e "s|$T/px|$T/pxrb|g" -e "s|127.0.0.1:$NP|127.0.0.1:$NRB|" \
    -e "s|access_log $L/nginx.log;|log_format body '\$remote_addr [\$time_local] \"\$request\" \$status \$body_bytes_sent \"\$request_body\"';\n    access_log $L/nginx-rb.log body;|" \
    "$T/px/nginx.conf" > "$T/pxrb/nginx.conf"
grep -q 'request_body' "$T/pxrb/nginx.conf" || { echo "bench: nginx-rb config" >&2; exit 1; }

"$NGINX" -p "$T/up" -c "$T/up/nginx.conf" 2>/dev/null &
PIDS="$PIDS $!"
"$NGINX" -p "$T/px" -c "$T/px/nginx.conf" 2>/dev/null &
NGINX_MASTER=$!
PIDS="$PIDS $NGINX_MASTER"
"$NGINX" -p "$T/pxrb" -c "$T/pxrb/nginx.conf" 2>/dev/null &
NGINXRB_MASTER=$!
PIDS="$PIDS $NGINXRB_MASTER"
"$VEIL" run --listen 127.0.0.1:$VP --upstream http://127.0.0.1:$UP \
    --workers "$WORKERS" --access-log "$L/veil.log" --metrics-listen 127.0.0.1:$VM \
    2>"$T/veil.err" &
VEIL_PID=$!
PIDS="$PIDS $VEIL_PID"
VP0=$(port)
"$VEIL" run --listen 127.0.0.1:$VP0 --upstream http://127.0.0.1:$UP \
    --workers "$WORKERS" --access-log "$L/veil0.log" --inspect off \
    2>"$T/veil0.err" &
VEIL0_PID=$!
PIDS="$PIDS $VEIL0_PID"
cat > "$T/redact.yaml" <<EOF
version: 1
policies:
  default:
    request: {mode: redact}
    response: {mode: redact}
EOF
VPR=$(port)
"$VEIL" run -c "$T/redact.yaml" --listen 127.0.0.1:$VPR \
    --upstream http://127.0.0.1:$UP --workers "$WORKERS" \
    --access-log "$L/veilrw.log" 2>"$T/veilrw.err" &
VEILRW_PID=$!
PIDS="$PIDS $VEILRW_PID"
VPP=$(port)
# (sh and its two children: ticks() counts veil and cat)
sh -c '"$1" run --listen "127.0.0.1:$2" --upstream "http://127.0.0.1:$3" --workers "$4" \
    --access-log - 2>"$5" | cat >/dev/null' sh "$VEIL" "$VPP" "$UP" "$WORKERS" "$T/veilp.err" &
VEILP_PID=$!
PIDS="$PIDS $VEILP_PID"
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
# The bytes of every access log in the log directory (rotated ones too).
logbytes() {
    stat -c %s "$L"/*.log* 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
# veil's added-latency histogram, as "le count" lines plus "sum S".
added() {
    curl -s "http://127.0.0.1:$1/metrics" | awk '
        /^veil_added_latency_seconds_bucket/ {
            match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
            c[le] += $NF }
        /^veil_added_latency_seconds_sum/ { s += $NF }
        END { for (k in c) print k, c[k]; print "sum", s }'
}

# wrk, with the Host header HOST names, if any.
wrk_() {
    if [ -n "${HOST:-}" ]; then
        wrk -H "Host: $HOST" "$@"
    else
        wrk "$@"
    fi
}

run() { # name port pid script path [metrics port]
    name=$1; p=$2; pid=$3; script=$4; path=$5; mport=${6:-}
    # warm up the pools and caches
    if [ -n "$script" ]; then
        wrk_ -t1 -c"$CONNS" -d1s -s "$script" "http://127.0.0.1:$p$path" >/dev/null
    else
        wrk_ -t1 -c"$CONNS" -d1s "http://127.0.0.1:$p$path" >/dev/null
    fi
    b0=$(logbytes)
    t0=$(ticks "$pid")
    [ -z "$mport" ] || added "$mport" > "$T/added0"
    if [ -n "$script" ]; then
        wrk_ -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency -s "$script" \
            "http://127.0.0.1:$p$path" > "$T/wrk.out"
    else
        wrk_ -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency \
            "http://127.0.0.1:$p$path" > "$T/wrk.out"
    fi
    t1=$(ticks "$pid")
    if [ -n "$mport" ]; then added "$mport" > "$T/added1"; else : > "$T/added1"; fi
    [ -n "$mport" ] || : > "$T/added0"
    sleep 0.2 # (a batch of records still to write)
    b1=$(logbytes)
    case $name in "veil "*) tail -n 1 "$L/veil.log" > "$T/veil.sample" ;; esac
    if [ "${TRUNCATE:-0}" = 1 ]; then
        for f in "$L"/*.log*; do
            case $f in *.log) : > "$f" ;; *) rm -f "$f" ;; esac
        done
    fi
    python3 - "$T/wrk.out" "$name" "$((t1 - t0))" "$HZ" "$T/added0" "$T/added1" "$((b1 - b0))" <<'EOF'
import re, sys
out = open(sys.argv[1]).read()
name, ticks, hz = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def hist(path):
    h = {}
    for line in open(path):
        k, v = line.split()
        h[k] = float(v)
    return h
h0, h1 = hist(sys.argv[5]), hist(sys.argv[6])
added = ""
if h1:
    d = {k: h1[k] - h0.get(k, 0) for k in h1}
    n = d.pop("+Inf", 0)
    total = d.pop("sum", 0)
    if n > 0:
        les = sorted((float(k), v) for k, v in d.items())
        def bound(q):
            for le, c in les:
                if c >= q * n:
                    return "<=%g ms" % (le * 1e3)
            return ">%g ms" % (les[-1][0] * 1e3)
        added = "  added: mean %.1f us, p50 %s, p99 %s (%d)" % (
            total / n * 1e6, bound(0.5), bound(0.99), n)
reqs = int(re.search(r"(\d+) requests in", out).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
def lat(p):
    m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out)
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 0.001, "ms": 1.0, "s": 1000.0}[u]
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
sock = re.search(r"Socket errors: (.*)", out)
cpu = ticks / hz / reqs * 1e6 if reqs else 0
logb = int(sys.argv[7]) / reqs if reqs else 0
print("%-22s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  cpu %6.1f us/req  log %6.0f B/req%s%s%s" % (
    name, rps, lat(50), lat(99), cpu, logb,
    "  NON-2XX %s" % errs.group(1) if errs else "",
    "  SOCKET ERRORS %s" % sock.group(1) if sock else "", added))
EOF
}

echo "wrk -t$THREADS -c$CONNS -d${SECS}s; $WORKERS worker(s) per proxy; upstream: nginx return 200 (1 KiB JSON)"
echo "access logs in $L ($(stat -f -c %T "$L"))"
for sc in "GET 1k::/get" "POST 1k:$T/post1k.lua:/post" "POST 16k:$T/post16k.lua:/post"; do
    label=${sc%%:*}; rest=${sc#*:}; script=${rest%%:*}; path=${rest#*:}
    run "nginx  $label" "$NP" "$NGINX_MASTER" "$script" "$path"
    run "nginx-rb $label" "$NRB" "$NGINXRB_MASTER" "$script" "$path"
    run "veil   $label" "$VP" "$VEIL_PID" "$script" "$path" "$VM"
    run "veil-0 $label" "$VP0" "$VEIL0_PID" "$script" "$path"
    run "veil-rw $label" "$VPR" "$VEILRW_PID" "$script" "$path"
    run "veil-pipe $label" "$VPP" "$VEILP_PID" "$script" "$path"
done
echo "veil's last access log record:"
cut -c1-600 "$T/veil.sample"
