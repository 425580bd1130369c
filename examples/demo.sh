#!/usr/bin/env bash
# `make demo`: a guided tour of Ambit on a local 2-node mesh (`ambit local`), following
# Istio ambient's getting-started labs: mTLS between pods on different nodes, the peer
# identity in the access log and the metrics, load balancing, an AuthorizationPolicy,
# STRICT mTLS. Every command is printed before it runs. The script stops with a non-zero
# exit status as soon as something does not behave as described, so it doubles as a
# smoke test. The cluster is left running at the end, for you to continue by hand.
#
# Needs root (network namespaces, eBPF) and a build (`make build`). Honours AMBIT_CLUSTER
# and AMBIT_STATE_ROOT, like `ambit local` itself. DEMO_YES=1 answers "yes" to removing
# an existing cluster first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

AMBIT=bin/ambit
if [ -t 1 ]; then
  BOLD=$'\e[1m' CMD=$'\e[36m' OK=$'\e[32m' BAD=$'\e[31m' DIM=$'\e[2m' OFF=$'\e[0m'
else
  BOLD='' CMD='' OK='' BAD='' DIM='' OFF=''
fi

step() { printf '\n%s== %s ==%s\n' "$BOLD" "$*" "$OFF"; }
say() { printf '%s\n' "$*" | fold -s -w 100; }
show() { printf '%s$ %s%s\n' "$CMD" "$*" "$OFF"; }
ok() { printf '%s✔ %s%s\n' "$OK" "$*" "$OFF"; }
die() {
  printf '%s✘ %s%s\n' "$BAD" "$*" "$OFF" >&2
  [ -n "${CLUSTER_UP:-}" ] || exit 1
  printf '%sThe demo stopped here. The cluster is still running: look around with `%s local get pods -A` and `%s local logs …`, remove it with `%s local down`.%s\n' "$DIM" "$AMBIT" "$AMBIT" "$AMBIT" "$OFF" >&2
  exit 1
}
# run CMD: prints CMD (one string, may be a pipeline) and runs it; its output goes to the terminal.
run() {
  show "$1"
  eval "$1"
}
# capture VAR CMD: like run, but also keeps the output in VAR (and the exit status in RC).
capture() {
  local __var=$1 __out
  show "$2"
  set +e
  __out=$(eval "$2" 2>&1)
  RC=$?
  set -e
  [ -n "$__out" ] && printf '%s\n' "$__out"
  printf -v "$__var" '%s' "$__out"
}
# expect_fail WHAT CMD: runs CMD, which must fail (the mesh refuses the connection).
expect_fail() {
  local out
  capture out "$2"
  [ "$RC" -ne 0 ] || die "$1: expected the connection to be refused, but it succeeded"
  ok "$1: refused (exit code $RC)"
}
# expect_200 WHAT CMD: runs CMD (a curl printing the HTTP status last), which must print 200.
expect_200() {
  local out
  capture out "$2"
  [ "$RC" -eq 0 ] && [[ "$out" == *200 ]] || die "$1: expected HTTP 200 (exit code $RC)"
  ok "$1: HTTP 200"
}
# Queries the JSON on stdin with a JavaScript expression over `v` (node is here anyway).
jq_js() {
  node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); const r = (0, eval)(`(v) => (${process.argv[1]})`)(v); process.stdout.write(Array.isArray(r) ? r.join("\n") : String(r ?? ""));' "$1"
}
# access_line NODE SRC_ADDR: the node's access-log line for connection SRC_ADDR (ip:port), waiting up to 10 s.
access_line() {
  local i line
  for i in $(seq 1 25); do
    line=$("$AMBIT" local logs "node/$1" 2>/dev/null | grep -F "\"src.addr\":\"$2\"" | grep -F '"connection complete"' | tail -n 1 || true)
    if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
    sleep 0.4
  done
  return 1
}

# show_refusal NAMESPACE TEXT: prints the newest refused connection from a pod of NAMESPACE whose error mentions TEXT.
show_refusal() {
  local i line
  show "$AMBIT local logs node/NODE | grep '\"src.namespace\":\"$1\"' | grep '\"error\"' | tail -n 1"
  for i in $(seq 1 25); do
    line=$(for n in $("$AMBIT" local get nodes -o json | jq_js 'v.map((n) => n.name)'); do
      "$AMBIT" local logs "node/$n" 2>/dev/null | grep -F '"connection complete"' | grep -F "\"src.namespace\":\"$1\"" | grep -F '"error"' | grep -F "$2" | tail -n 1 || true
    done | sort -t: -k3,3n | tail -n 1)
    if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
    sleep 0.4
  done
  die "no refused connection from namespace $1 mentioning $2 in the daemons' access logs"
}

# ---------------------------------------------------------------- 0. before we start

[ "$(id -u)" = 0 ] || die "the demo needs root (network namespaces and eBPF): sudo make demo"
[ -f dist/cli/main.js ] || die "not built yet: run make build"
command -v curl >/dev/null || die "curl is needed (apt-get install curl)"

step "A local mesh: 2 nodes, a controller, a node daemon per node, the example pods"
say "Nodes and pods are Linux network namespaces on this machine; pod containers are ordinary processes inside them (httpbin is python3-httpbin under gunicorn, sleep is curl). Each node runs an Ambit daemon that captures its enrolled pods' traffic with eBPF (tcx programs, no iptables) and carries it between nodes in HBONE tunnels: mutual TLS + HTTP/2 CONNECT, as Istio's ztunnel does."

if "$AMBIT" local get nodes >/dev/null 2>&1; then
  say "A local cluster already exists:"
  "$AMBIT" local get nodes || true
  answer=${DEMO_YES:-}
  if [ -z "$answer" ] && [ -t 0 ]; then
    read -r -p "Remove it with \`$AMBIT local down\` and start again? [y/N] " answer
  fi
  case "$answer" in
    y|Y|yes|1) run "$AMBIT local down" ;;
    *) die "a cluster is already running: remove it with \`$AMBIT local down\` (or run the demo with DEMO_YES=1)" ;;
  esac
fi

capture OUT "$AMBIT local up -f examples/"
CLUSTER_UP=1
[ "$RC" -eq 0 ] || die "ambit local up failed (exit code $RC)"
if grep -qE '^(authorizationpolicy|peerauthentication)' <<<"$OUT"; then
  die "ambit local up -f examples/ applied the policies of examples/policies/ too (-f DIR must not recurse, as with kubectl)"
fi
run "$AMBIT local get nodes"
run "$AMBIT local get pods -A"
run "$AMBIT local get svc"
say "Namespace default carries the label istio.io/dataplane-mode=ambient: its pods are in the mesh. Namespace legacy has no label: its sleep pod is a plain client outside the mesh."

PODS=$("$AMBIT" local get pods -A -o json) || die "ambit local get pods -A -o json failed"
pod_field() { # NAMESPACE DEPLOYMENT FIELD [INDEX]: name | node | ip of the INDEX-th pod of the Deployment
  jq_js "(v.filter((p) => p.namespace === '$1' && p.deployment === '$2')[${4:-0}] ?? {})['$3']" <<<"$PODS"
}
SLEEP_IP=$(pod_field default sleep ip)
SLEEP_NODE=$(pod_field default sleep node)
[ -n "$SLEEP_IP" ] && [ -n "$SLEEP_NODE" ] || die "no sleep pod in namespace default"
FAR_IP='' FAR_NODE='' FAR_NAME=''
for i in 0 1; do
  if [ -n "$(pod_field default httpbin node "$i")" ] && [ "$(pod_field default httpbin node "$i")" != "$SLEEP_NODE" ]; then
    FAR_IP=$(pod_field default httpbin ip "$i") FAR_NODE=$(pod_field default httpbin node "$i") FAR_NAME=$(pod_field default httpbin name "$i")
  fi
done
[ -n "$FAR_IP" ] || die "expected an httpbin replica on another node than sleep ($SLEEP_NODE)"
HTTPBIN_NAMES=$(pod_field default httpbin name 0; echo; pod_field default httpbin name 1)

# ---------------------------------------------------------------- 1. mTLS across nodes

step "1. mTLS between pods on different nodes"
say "sleep ($SLEEP_IP) runs on $SLEEP_NODE, the httpbin replica $FAR_NAME ($FAR_IP) on $FAR_NODE. sleep speaks plain HTTP; the eBPF program on sleep's veth hands the connection to $SLEEP_NODE's daemon, which opens an mTLS tunnel to $FAR_NODE's daemon with sleep's certificate (spiffe://cluster.local/ns/default/sa/sleep)."
capture OUT "$AMBIT local exec deploy/sleep -- curl -sS -w '\nHTTP %{http_code} from local port %{local_port}\n' http://$FAR_IP:8080/headers"
[ "$RC" -eq 0 ] && [[ "$OUT" == *"HTTP 200 from local port "* ]] || die "sleep could not reach httpbin on $FAR_NODE (exit code $RC)"
PORT=${OUT##* }
ok "sleep → httpbin on $FAR_NODE: HTTP 200"

say "The server side's daemon logged the connection, with the client's identity as it verified it from the client certificate (src.identity) — one JSON line per connection, with ztunnel's field names:"
show "$AMBIT local logs node/$FAR_NODE | grep '\"src.addr\":\"$SLEEP_IP:$PORT\"'"
LINE=$(access_line "$FAR_NODE" "$SLEEP_IP:$PORT") || die "no access-log line for $SLEEP_IP:$PORT on $FAR_NODE"
printf '%s\n' "$LINE"
[[ "$LINE" == *'"src.identity":"spiffe://cluster.local/ns/default/sa/sleep"'* ]] || die "the server side did not see sleep's identity"
[[ "$LINE" == *'"direction":"inbound"'* ]] || die "expected an inbound line on $FAR_NODE"
ok "$FAR_NODE saw src.identity spiffe://cluster.local/ns/default/sa/sleep"

say "And Istio's standard TCP metrics, labelled with both principals and connection_security_policy=\"mutual_tls\":"
capture OUT "$AMBIT local metrics $FAR_NODE | grep '^istio_tcp_connections_opened_total' | grep 'source_principal=\"spiffe://cluster.local/ns/default/sa/sleep\"'"
[[ "$OUT" == *'connection_security_policy="mutual_tls"'* ]] || die "no istio_tcp_connections_opened_total from sleep with mutual_tls on $FAR_NODE"
ok "istio_tcp_connections_opened_total counts sleep's mTLS connections"

# ---------------------------------------------------------------- 2. load balancing

step "2. Load balancing across the two httpbin replicas"
say "Now by name: httpbin:8000 is the Service's virtual IP (from the pod's /etc/hosts). The daemon on $SLEEP_NODE resolves it to an endpoint itself, round robin, and tunnels to that pod (or hands it over on the same node)."
capture OUT "$AMBIT local exec deploy/sleep -- sh -c 'for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w \"%{local_port}:%{http_code} \" http://httpbin:8000/get; done; echo'"
[ "$RC" -eq 0 ] || die "the curls to httpbin:8000 failed (exit code $RC)"
read -r -a CALLS <<<"$OUT"
[ "${#CALLS[@]}" -eq 6 ] || die "expected 6 results, got: $OUT"
for c in "${CALLS[@]}"; do [ "${c#*:}" = 200 ] || die "a call to httpbin:8000 did not get 200: $c"; done
ok "6 × HTTP 200"
say "Which pod served each of those connections? The client side's access log (dst.workload) says:"
show "$AMBIT local logs node/$SLEEP_NODE | grep '\"dst.service\":\"httpbin.default.svc.cluster.local\"' | grep -o '\"dst.workload\":\"[^\"]*\"' | sort | uniq -c"
sleep 0.5
SERVED=''
for c in "${CALLS[@]}"; do
  line=$(access_line "$SLEEP_NODE" "$SLEEP_IP:${c%%:*}") || die "no access-log line for $SLEEP_IP:${c%%:*} on $SLEEP_NODE"
  SERVED+="$(grep -o '"dst.workload":"[^"]*"' <<<"$line")"$'\n'
done
printf '%s' "$SERVED" | sort | uniq -c
for name in $HTTPBIN_NAMES; do
  grep -qF "\"dst.workload\":\"$name\"" <<<"$SERVED" || die "replica $name served none of the 6 connections"
done
ok "both replicas served connections"

# ---------------------------------------------------------------- 3. authorization

step "3. L4 authorization: only sleep may call httpbin"
say "Before any policy, the sleep pod of namespace legacy (outside the mesh, no identity) reaches httpbin too, in plaintext:"
expect_200 "legacy/sleep → httpbin" "$AMBIT local exec -n legacy deploy/sleep -- curl -sS -m 5 -o /dev/null -w '%{http_code}' http://httpbin.default:8000/get"
say "examples/policies/allow-sleep-to-httpbin.yaml allows only sleep's principal (cluster.local/ns/default/sa/sleep) to reach the httpbin pods. Every daemon enforces it where the connection arrives, with the identity it verified:"
run "cat examples/policies/allow-sleep-to-httpbin.yaml"
run "$AMBIT local apply -f examples/policies/allow-sleep-to-httpbin.yaml" || die "apply failed"
expect_200 "sleep → httpbin (allowed principal)" "$AMBIT local exec deploy/sleep -- curl -sS -m 5 -o /dev/null -w '%{http_code}' http://httpbin:8000/get"
expect_fail "legacy/sleep → httpbin (no identity)" "$AMBIT local exec -n legacy deploy/sleep -- curl -sS -m 5 -o /dev/null -w '%{http_code}' http://httpbin.default:8000/get"
say "The refusal is a TCP reset (curl exits with code 7 or 56), as with ztunnel. The daemon that refused it logged why (legacy/sleep is not in the mesh, so the daemon on its node serves its Service traffic in plaintext and applies httpbin's policy there):"
show_refusal legacy "default/httpbin"
run "$AMBIT local delete -f examples/policies/allow-sleep-to-httpbin.yaml" || die "delete failed"
expect_200 "policy deleted: legacy/sleep → httpbin" "$AMBIT local exec -n legacy deploy/sleep -- curl -sS -m 5 -o /dev/null -w '%{http_code}' http://httpbin.default:8000/get"

# ---------------------------------------------------------------- 4. STRICT mTLS

step "4. STRICT mTLS: no plaintext into the mesh"
say "A namespace-wide PeerAuthentication in STRICT mode makes the daemons refuse every connection into namespace default that does not come through the mesh's mTLS — here, legacy/sleep's plaintext — whatever the authorization policies say."
run "cat examples/policies/strict-mtls.yaml"
run "$AMBIT local apply -f examples/policies/strict-mtls.yaml" || die "apply failed"
expect_fail "STRICT: legacy/sleep → httpbin pod $FAR_IP" "$AMBIT local exec -n legacy deploy/sleep -- curl -sS -m 5 -o /dev/null -w '%{http_code}' http://$FAR_IP:8080/get"
say "PeerAuthentication STRICT becomes a DENY policy for connections without a peer identity (as istiod converts it for ztunnel):"
show_refusal legacy "istio_converted_static_strict"
expect_200 "STRICT: sleep (mTLS) → httpbin" "$AMBIT local exec deploy/sleep -- curl -sS -m 5 -o /dev/null -w '%{http_code}' http://httpbin:8000/get"
run "$AMBIT local delete -f examples/policies/strict-mtls.yaml" || die "delete failed"
expect_200 "PERMISSIVE again: legacy/sleep → httpbin pod $FAR_IP" "$AMBIT local exec -n legacy deploy/sleep -- curl -sS -m 5 -o /dev/null -w '%{http_code}' http://$FAR_IP:8080/get"

# ---------------------------------------------------------------- 5. waypoint (L7)

step "5. A waypoint: HTTP routing by path, header and weight"
say "A waypoint is an L7 proxy a service opts in to. It is a Gateway of class istio-waypoint (what istioctl waypoint apply writes); the local runtime deploys it as a pod outside the mesh that speaks HBONE itself. Labelling a Service istio.io/use-waypoint=waypoint makes the node daemons send its traffic to the waypoint, which routes each request by Istio's VirtualService and DestinationRule."
run "cat examples/waypoint/00-waypoint.yaml"
run "$AMBIT local apply -f examples/waypoint/" || die "apply failed"
run "$AMBIT local label svc httpbin istio.io/use-waypoint=waypoint" || die "label failed"
say "examples/waypoint/20-routing.yaml: /one is rewritten to httpbin's /ip, /two to /user-agent, a Chrome user agent goes to v2, everything else is split 80/20 between v1 and v2:"
expect_200 "sleep → httpbin /one (rewritten to /ip)" "$AMBIT local exec deploy/sleep -- curl -sS -m 5 -o /dev/null -w '%{http_code}' http://httpbin:8000/one"
run "$AMBIT local exec deploy/sleep -- curl -sS -m 5 http://httpbin:8000/two"
run "$AMBIT local exec deploy/sleep -- sh -c 'for i in \$(seq 1 20); do curl -s -o /dev/null http://httpbin:8000/status/200; done'"
say "The waypoint's access log says which route and which upstream served each request (20 requests, about 4 to v2):"
WAYPOINT_LOG=$($AMBIT local logs deploy/waypoint)
V2_IP=$($AMBIT local get pods -o json | python3 -c 'import json,sys; print(" ".join(p["ip"] for p in json.load(sys.stdin) if p.get("deployment") == "httpbin-v2"))')
printf '%s\n' "$WAYPOINT_LOG" | grep '"path":"/status/200"' | tail -20 | python3 -c '
import json, sys
v2 = set(sys.argv[1].split())
counts = {}
for line in sys.stdin:
    l = json.loads(line)
    version = "v2" if l["upstream_host"].split(":")[0] in v2 else "v1"
    counts[version] = counts.get(version, 0) + 1
    print("  %s %s -> %s route=%s upstream=%s (%s)" % (l["method"], l["path"], l["response_code"], l["route_name"], l["upstream_host"], version))
print("  " + ", ".join("%s: %d" % kv for kv in sorted(counts.items())))
' "$V2_IP"
run "$AMBIT local label svc httpbin istio.io/use-waypoint-" || die "label failed"
say "Without the label the waypoint is out of the path again (nothing restarted): /one is httpbin's own 404."
run "$AMBIT local exec deploy/sleep -- curl -sS -m 5 -o /dev/null -w '%{http_code}\\n' http://httpbin:8000/one"

# ---------------------------------------------------------------- the end

step "Done: the mesh keeps running"
cat <<EOF
Continue by hand, for example:

  $AMBIT local get workloads -A                  # who is in the mesh (protocol HBONE) and who is not
  $AMBIT local exec deploy/sleep -- curl -sS httpbin:8000/ip
  $AMBIT local logs node/$FAR_NODE                # the daemon's log and access log (JSON lines)
  $AMBIT local metrics $SLEEP_NODE | grep istio_tcp
  $AMBIT local proxy-config $SLEEP_NODE workloads -o json
  $AMBIT local label ns legacy istio.io/dataplane-mode=ambient   # enroll legacy/sleep, no restart
  $AMBIT local label ns legacy istio.io/dataplane-mode-          # and take it out again
  $AMBIT local apply -f examples/policies/         # both policies at once
  $AMBIT local label svc httpbin istio.io/use-waypoint=waypoint   # HTTP routing through the waypoint again
  $AMBIT waypoint list -A                          # waypoints, their address, who uses them

When you are done, remove everything (namespaces, links, eBPF programs, processes, files):

  $AMBIT local down
EOF
