#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# More than one machine, as README's "More than one machine" describes it:
# three hosts, each a network namespace with its own address on a bridge,
# each running two `wsinetd --listen` bridged to contrib's chat.sh (one
# behind HAProxy with --proxy-protocol, one behind nginx with
# --trust-forwarded), all sharing one redis-server; a real HAProxy (TCP,
# send-proxy-v2, health checks) and a real nginx (HTTP proxy) run
# contrib/haproxy.cfg and contrib/nginx.conf in front, changed only in
# their addresses and ports. Clients run in a fourth namespace, so their
# address differs from the proxies'. Without namespaces (no root, no
# ip netns) the hosts are the loopback addresses 127.0.0.2-4 and the
# output says so.

load helpers

EXAMPLES=$BATS_TEST_DIRNAME/../../contrib/examples
CONTRIB=$BATS_TEST_DIRNAME/../../contrib
# The listeners' ports inside each host: the same on every host, as on
# real machines (free ones when the hosts share loopback).
PP_PORT=8081
XFF_PORT=8082

# ---- the hosts ----

# True when this machine lets us make namespaces and a bridge.
# MULTIHOST_NETNS=no tries the fallback where they do.
namespaces_work() {
	[ "${MULTIHOST_NETNS:-}" != no ] || return 1
	[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || return 1
	ip netns add "$MH_TAG-probe" 2>/dev/null || return 1
	ip netns del "$MH_TAG-probe"
	ip link add "$MH_TAG-probe" type bridge 2>/dev/null || return 1
	ip link del "$MH_TAG-probe"
}

# A namespace NAME on the bridge with ADDRESS/24.
add_host_ns() {
	local name=$1 addr=$2 veth=$MH_TAG$3
	ip netns add "$name"
	ip link add "$veth" type veth peer name eth0 netns "$name"
	ip link set "$veth" master "$MH_TAG" up
	ip -n "$name" addr add "$addr/24" dev eth0
	ip -n "$name" link set eth0 up
	ip -n "$name" link set lo up
}

# The bridge (the "switch") with the proxies' and Redis's address, and
# the hosts and the client on it. Addresses from 198.18.0.0/15, the
# range set aside for testing networks (RFC 2544), in a /24 no other
# run (nor anything else here) holds.
make_network() {
	local net i n
	for ((n = $$ % 200; n < $$ % 200 + 200; n++)); do
		net=198.18.$((n % 200 + 20))
		ip -4 -o addr show | grep -q " $net\." || break
	done
	ip link add "$MH_TAG" type bridge
	ip addr add "$net.1/24" dev "$MH_TAG"
	ip link set "$MH_TAG" up
	LB=$net.1
	CLIENT=$net.20
	add_host_ns "$MH_TAG-c" "$CLIENT" c
	for i in 1 2 3; do
		HOSTS[i]=$net.1$i
		NS[i]=$MH_TAG-h$i
		add_host_ns "${NS[i]}" "${HOSTS[i]}" "h$i"
	done
}

remove_network() {
	local i
	for i in 1 2 3; do
		ip netns del "$MH_TAG-h$i" 2>/dev/null || true
	done
	ip netns del "$MH_TAG-c" 2>/dev/null || true
	ip link del "$MH_TAG" 2>/dev/null || true
}

# in_host I COMMAND...: COMMAND on host I (in its namespace, if any).
# ip netns exec execs COMMAND, so a PID from `in_host ... &` is
# COMMAND's own.
in_host() {
	local i=$1
	shift
	if [ "$MODE" = namespaces ]; then
		exec ip netns exec "${NS[i]}" "$@"
	fi
	exec "$@"
}

# in_client COMMAND...: COMMAND where the clients are; execs too, so
# only in the background or under run.
in_client() {
	if [ "$MODE" = namespaces ]; then
		exec ip netns exec "$MH_TAG-c" "$@"
	fi
	exec "$@"
}

# start_daemon NAME COMMAND...: COMMAND in the background, its output in
# $MH/NAME.log, its PID in PID_NAME and in $MH/pids for teardown_file
# (which runs even when setup_file stops half way).
start_daemon() {
	local name=$1
	shift
	"$@" >"$MH/$name.log" 2>&1 3>&- &
	# Out of the job table: a host killed on purpose is no news.
	disown
	echo "$!" >>"$MH/pids"
	printf -v "PID_$name" %s "$!"
}

# wait_listen PID PORT: polls (at most 5 s) until PID holds a socket
# listening on PORT in its own network namespace (its /proc/PID/net).
wait_listen() {
	local pid=$1 hex i
	hex=$(printf ':%04X' "$2")
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p \
			{ found = 1 } END { exit !found }' "/proc/$pid/net/tcp" &&
			return 0
		sleep 0.05
	done
	fail "PID $pid is not listening on $2: $(cat "$MH"/*.log)"
}

# The chat program each host runs: chat.sh, after noting the client's
# address as the bridged program sees it, and the host, in remote.log.
write_chat_wrapper() {
	cat >"$MH/chat" <<EOF
#!/bin/bash
printf '%s %s %s\n' "\$MH_HOST" "\$QUERY_STRING" "\$REMOTE_ADDR" \
	>>"$MH/remote.log"
exec "$EXAMPLES/chat.sh"
EOF
	chmod +x "$MH/chat"
}

# Host I's two listeners, the HAProxy one and the nginx one.
start_host() {
	local i=$1 env common
	env=(env REDIS_HOST="$LB" REDIS_PORT="$REDIS_PORT" MH_HOST="$i")
	# shellcheck disable=SC2054 # the commas are --passenv's
	common=(--passenv REDIS_HOST,REDIS_PORT,MH_HOST)
	start_daemon "pp$i" in_host "$i" "${env[@]}" "$WSINETD" \
		--listen "${HOSTS[i]}:$PP_PORT" --proxy-protocol "$LB" \
		"${common[@]}" -- "$MH/chat"
	start_daemon "xff$i" in_host "$i" "${env[@]}" "$WSINETD" \
		--listen "${HOSTS[i]}:$XFF_PORT" --trust-forwarded "$LB" \
		"${common[@]}" -- "$MH/chat"
	wait_listen "$(pid_of "pp$i")" "$PP_PORT"
	wait_listen "$(pid_of "xff$i")" "$XFF_PORT"
}

# pid_of NAME: the PID start_daemon or join remembered as NAME.
pid_of() {
	local v=PID_$1
	echo "${!v}"
}

# descendants PID: PID and every process below it.
descendants() {
	local kid
	echo "$1"
	for kid in $(ps -o pid= --ppid "$1"); do
		descendants "$kid"
	done
}

# sed expressions turning contrib's hosts (192.0.2.1N:8081 on a server
# line) into ours on PORT.
host_addresses() {
	local i
	for i in 1 2 3; do
		echo "-e /^[[:space:]]*server[[:space:]]/s/192\.0\.2\.1$i:8081/${HOSTS[i]}:$1/"
	done
}

# contrib/haproxy.cfg with this run's addresses and ports: the hosts
# become ours, the frontend's :80 our port.
template_haproxy() {
	# shellcheck disable=SC2046 # one word per expression
	sed $(host_addresses "$PP_PORT") \
		-e "s/bind :80\$/bind $LB:$HAPROXY_PORT/" \
		-e '/bind :::80 v6only/d' \
		"$CONTRIB/haproxy.cfg"
}

# nginx_main SNIPPET: the smallest main configuration that runs
# SNIPPET (a conf.d file) in $MH.
nginx_main() {
	cat <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $MH/nginx.pid;
error_log $MH/nginx-error.log info;
events { worker_connections 64; }
http {
	access_log $MH/nginx-access.log;
	client_body_temp_path $MH/nginx-tmp;
	proxy_temp_path $MH/nginx-tmp;
	include $1;
}
EOF
}

# contrib/nginx.conf with this run's addresses and ports.
template_nginx() {
	# shellcheck disable=SC2046 # one word per expression
	sed $(host_addresses "$XFF_PORT") \
		-e "s/listen 80;/listen $LB:$NGINX_PORT;/" \
		-e '/listen \[::\]:80;/d' \
		"$CONTRIB/nginx.conf"
}

# save_env NAME...: the variables, for the tests and teardown_file to
# source (as globals: a bare declare in a function makes locals).
save_env() {
	declare -p "$@" | sed 's/^declare -\(-\|\([a-zA-Z]*\)\) /declare -g\2 /' \
		>>"$MH/env"
}

setup_file() {
	local i
	export MH=$BATS_FILE_TMPDIR MH_TAG=wsmh$$
	HOSTS=() NS=()
	for t in redis-server redis-cli haproxy nginx; do
		command -v "$t" >/dev/null || fail "$t is not installed"
	done
	[ -x "$WSINETD" ] || fail "$WSINETD is not built (run make)"
	if namespaces_work; then
		# First, so that teardown_file removes a half-made network.
		MODE=namespaces
		save_env MODE
		make_network
		echo "# hosts: network namespaces ${HOSTS[*]}, proxies and Redis" \
			"on $LB, clients on $CLIENT" >&3
	else
		MODE=aliases
		LB=127.0.0.1 CLIENT=127.0.0.1
		HOSTS=([1]=127.0.0.2 127.0.0.3 127.0.0.4)
		PP_PORT=$(free_port 127.0.0.2)
		XFF_PORT=$(free_port 127.0.0.2)
		echo "# hosts: loopback aliases ${HOSTS[*]} (MULTIHOST_NETNS=no, or no network" \
			"namespaces here: not root, or no ip netns); clients and" \
			"proxies share 127.0.0.1, so REMOTE_ADDR cannot tell them" \
			"apart" >&3
	fi
	save_env MODE LB CLIENT HOSTS NS PP_PORT XFF_PORT
	export REDIS_PORT HAPROXY_PORT NGINX_PORT
	REDIS_PORT=$(free_port "$LB")
	start_daemon redis redis-server --port "$REDIS_PORT" --bind "$LB" \
		--protected-mode no --save '' --appendonly no --daemonize no
	write_chat_wrapper
	for i in 1 2 3; do
		start_host "$i"
	done
	HAPROXY_PORT=$(free_port "$LB")
	template_haproxy >"$MH/haproxy.cfg"
	# The stats socket is the test's, beside the shipped file.
	printf 'global\n\tstats socket %s level admin\n' "$MH/haproxy.sock" \
		>"$MH/haproxy-stats.cfg"
	start_daemon haproxy haproxy -db -f "$MH/haproxy.cfg" \
		-f "$MH/haproxy-stats.cfg"
	NGINX_PORT=$(free_port "$LB")
	mkdir -p "$MH/nginx-tmp"
	template_nginx >"$MH/nginx-chat.conf"
	nginx_main "$MH/nginx-chat.conf" >"$MH/nginx.conf"
	start_daemon nginx nginx -p "$MH" -c "$MH/nginx.conf"
	# What the tests need from here.
	save_env PID_redis PID_haproxy PID_nginx PID_pp1 PID_pp2 PID_pp3 \
		PID_xff1 PID_xff2 PID_xff3
	wait_port "$REDIS_PORT" "$(pid_of redis)"
	wait_port "$HAPROXY_PORT" "$(pid_of haproxy)"
	wait_port "$NGINX_PORT" "$(pid_of nginx)"
}

teardown_file() {
	local pid pids ns
	# shellcheck disable=SC1091
	. "$MH/env" 2>/dev/null || true
	pids=$(cat "$MH/pids" 2>/dev/null)
	for pid in $pids; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $pids; do
		timeout 5 tail --pid="$pid" -f /dev/null 2>/dev/null || true
	done
	# Whatever is left in the hosts (chat programs of clients that
	# never closed) goes with them.
	for ns in "${NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	done
	[ "${MODE:-}" != namespaces ] || remove_network
}

# helpers.bash's setup, after this file's state; its teardown closes the
# clients a test left connected, by PID.
setup() {
	# shellcheck disable=SC1091
	. "$MH/env"
	require_tools
	SERVER_PIDS=()
}

# ---- the clients ----

# join NAME URL [OPTION...]: a chat client NAME (also its nick) with
# wsclient's OPTIONs, kept connected by a FIFO on fd FD_NAME, its output
# in $BATS_TEST_TMPDIR/NAME.out; returns once the room has seen NAME
# join.
join() {
	local name=$1 url=$2 out=$BATS_TEST_TMPDIR/$1.out fd
	shift 2
	rm -f "$BATS_TEST_TMPDIR/$name.in"
	mkfifo "$BATS_TEST_TMPDIR/$name.in"
	in_client "$WSCLIENT" --stdin -n 0 --timeout 30 "$@" "$url" \
		<"$BATS_TEST_TMPDIR/$name.in" >"$out" 2>"$out.err" 3>&- &
	SERVER_PIDS+=("$!")
	printf -v "PID_client_$name" %s "$!"
	exec {fd}>"$BATS_TEST_TMPDIR/$name.in"
	printf -v "FD_$name" %s "$fd"
	wait_line "$out" "^\* $name joined "
}

# say NAME LINE: NAME sends LINE to the room.
say() {
	local fd="FD_$1"
	echo "$2" >&"${!fd}"
}

# heard NAME: what NAME has received so far.
heard() {
	cat "$BATS_TEST_TMPDIR/$1.out"
}

# host_of NAME: the host (1-3) whose chat program served NAME's last
# connection, by the lines the wrapper wrote.
host_of() {
	local found
	found=$(awk -v q="nick=$1" '$2 == q { h = $1 } END { print h }' \
		"$MH/remote.log")
	[ -n "$found" ] || fail "no host served $1: $(cat "$MH/remote.log")"
	echo "$found"
}

# remote_of NAME: the REMOTE_ADDR NAME's chat program saw, last time.
remote_of() {
	awk -v q="nick=$1" '$2 == q { a = $3 } END { print a }' \
		"$MH/remote.log"
}

via_haproxy() {
	echo "ws://$LB:$HAPROXY_PORT/$1"
}

via_nginx() {
	echo "ws://$LB:$NGINX_PORT/chat/$1"
}

# haproxy_status SERVER: host's check status in HAProxy's stats (UP, DOWN).
haproxy_status() {
	echo "show stat" | socat - "UNIX-CONNECT:$MH/haproxy.sock" |
		awk -F, -v s="$1" '$1 == "wsinetd_chat" && $2 == s { print $18 }'
}

# ---- the configurations ----

# only_addresses_differ SHIPPED RUN: the lines RUN changed are those
# naming addresses and ports.
only_addresses_differ() {
	run diff "$1" "$2"
	[[ $output == *$'\n> '* ]] || fail "$2 is $1 unchanged"
	run grep -Ev '^([<>][[:space:]]+(server|bind|listen) |---|[0-9,]+[acd][0-9,]+$)' \
		<<<"$output"
	assert_output ""
}

@test "contrib/haproxy.cfg and contrib/nginx.conf pass haproxy -c and nginx -t" {
	run -0 haproxy -c -f "$CONTRIB/haproxy.cfg"
	nginx_main "$CONTRIB/nginx.conf" >"$BATS_TEST_TMPDIR/shipped.conf"
	run -0 nginx -t -p "$MH" -c "$BATS_TEST_TMPDIR/shipped.conf"
	# What runs is the shipped files but for addresses and ports.
	run -0 haproxy -c -f "$MH/haproxy.cfg"
	run -0 nginx -t -p "$MH" -c "$MH/nginx.conf"
	only_addresses_differ "$CONTRIB/haproxy.cfg" "$MH/haproxy.cfg"
	only_addresses_differ "$CONTRIB/nginx.conf" "$MH/nginx-chat.conf"
	# The controls: a broken copy of each is refused.
	sed 's/balance leastconn/balance nosuchalgo/' "$MH/haproxy.cfg" \
		>"$BATS_TEST_TMPDIR/bad.cfg"
	run ! haproxy -c -f "$BATS_TEST_TMPDIR/bad.cfg"
	sed 's/least_conn;/least_conn/' "$MH/nginx-chat.conf" \
		>"$BATS_TEST_TMPDIR/bad-chat.conf"
	nginx_main "$BATS_TEST_TMPDIR/bad-chat.conf" >"$BATS_TEST_TMPDIR/bad.conf"
	run ! nginx -t -p "$MH" -c "$BATS_TEST_TMPDIR/bad.conf"
}

@test "HAProxy's health checks reach all three hosts through PROXY v2" {
	local i s
	for ((i = 0; i < 100; i++)); do
		s=$(for h in host1 host2 host3; do haproxy_status "$h"; done |
			tr '\n' ' ')
		[ "$s" = "UP UP UP " ] && break
		sleep 0.1
	done
	assert_equal "$s" "UP UP UP "
	# The checks arrive as LOCAL commands: no chat ever ran for them.
	[ ! -s "$MH/remote.log" ] || fail "a check ran chat: $(cat "$MH/remote.log")"
}

# ---- chat across hosts ----

@test "through HAProxy: clients on three hosts chat, each seen at its own address" {
	join ann "$(via_haproxy 'room1?nick=ann')"
	join bob "$(via_haproxy 'room1?nick=bob')"
	join cy "$(via_haproxy 'room1?nick=cy')"
	# leastconn put each on a host of its own.
	assert_equal "$(printf '%s\n' "$(host_of ann)" "$(host_of bob)" \
		"$(host_of cy)" | sort -u | wc -l)" 3
	say ann "hello from ann"
	say cy "hi, cy here"
	for n in ann bob cy; do
		wait_line "$BATS_TEST_TMPDIR/$n.out" '^cy: hi, cy here$'
		assert_equal "$(heard "$n" | grep -c '^ann: hello from ann$')" 1
	done
	# The PROXY header, not the TCP peer (HAProxy at $LB), gave
	# REMOTE_ADDR, and the host's log line names the client too.
	for n in ann bob cy; do
		assert_equal "$(remote_of "$n")" "$CLIENT"
	done
	say ann "bye"
	kill "$(pid_of client_ann)"
	wait_line "$MH/pp$(host_of ann).log" "^<[0-9]>$CLIENT:[0-9]+ "
}

@test "through nginx: X-Forwarded-For gives the client's address, a forged hop is ignored" {
	join dee "$(via_nginx 'room2?nick=dee')"
	join eve "$(via_nginx 'room2?nick=eve')" -H 'X-Forwarded-For: 203.0.113.9'
	assert_equal "$(remote_of dee)" "$CLIENT"
	if [ "$MODE" != namespaces ]; then
		echo "# no forged-header checks: clients share nginx's address," \
			"which is trusted" >&3
	else
		# What a client sends itself stays in front of nginx's hop,
		# and is not believed.
		assert_equal "$(remote_of eve)" "$CLIENT"
		# Nor is it straight to a host, not through the trusted nginx.
		run -0 in_client "$WSCLIENT" -n 2 --timeout 10 -m x \
			-H 'X-Forwarded-For: 203.0.113.9' \
			"ws://${HOSTS[1]}:$XFF_PORT/room3?nick=fay"
		assert_equal "$(remote_of fay)" "$CLIENT"
	fi
	say dee "via nginx"
	wait_line "$BATS_TEST_TMPDIR/eve.out" '^dee: via nginx$'
}

@test "a client through nginx and one through HAProxy share a room" {
	join gil "$(via_nginx 'room4?nick=gil')"
	join hal "$(via_haproxy 'room4?nick=hal')"
	say gil "from nginx"
	say hal "from haproxy"
	wait_line "$BATS_TEST_TMPDIR/gil.out" '^hal: from haproxy$'
	wait_line "$BATS_TEST_TMPDIR/hal.out" '^gil: from nginx$'
}

# ---- a host dies ----

@test "a host dies: its client sees the close and comes back on a live host, the others lose nothing" {
	local victim pid i n sent
	join ivy "$(via_haproxy 'room5?nick=ivy')"
	join jon "$(via_haproxy 'room5?nick=jon')"
	join kim "$(via_haproxy 'room5?nick=kim')"
	victim=$(host_of jon)
	for i in 1 2 3 4 5; do
		say ivy "m$i"
	done
	wait_line "$BATS_TEST_TMPDIR/kim.out" '^ivy: m5$'
	# The host goes down: every process in it, by PID.
	if [ "$MODE" = namespaces ]; then
		for pid in $(ip netns pids "${NS[victim]}"); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	else
		for pid in $(descendants "$(pid_of "pp$victim")") \
			$(descendants "$(pid_of "xff$victim")"); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	fi
	for i in 6 7 8 9 10; do
		say ivy "m$i"
	done
	# jon's connection ends: wsclient exits by itself.
	timeout 10 tail --pid="$(pid_of "client_jon")" -f /dev/null ||
		fail "jon's client still runs after its host died"
	run cat "$BATS_TEST_TMPDIR/jon.out.err"
	assert_output --partial close
	# jon comes back through the same HAProxy, which puts him on a
	# live host (a refused connection is retried on another).
	mv "$BATS_TEST_TMPDIR/jon.out" "$BATS_TEST_TMPDIR/jon1.out"
	join jon "$(via_haproxy 'room5?nick=jon')"
	n=$(host_of jon)
	[ "$n" != "$victim" ] || fail "jon is back on the dead host $victim"
	for i in 11 12 13 14 15; do
		say ivy "m$i"
	done
	# Everyone who stayed got every message, in order, once; jon, back,
	# what was said since.
	sent=$(printf 'ivy: m%s\n' $(seq 1 15))
	for n in ivy kim jon; do
		wait_line "$BATS_TEST_TMPDIR/$n.out" '^ivy: m15$'
	done
	for n in ivy kim; do
		assert_equal "$(heard "$n" | grep '^ivy: ')" "$sent"
	done
	assert_equal "$(heard jon | grep '^ivy: ')" "$(printf 'ivy: m%s\n' $(seq 11 15))"
	say jon "back"
	wait_line "$BATS_TEST_TMPDIR/kim.out" '^jon: back$'
	# And HAProxy's checks take the dead host out.
	for ((i = 0; i < 100; i++)); do
		[ "$(haproxy_status "host$victim")" = DOWN ] && break
		sleep 0.1
	done
	assert_equal "$(haproxy_status "host$victim")" DOWN
}
