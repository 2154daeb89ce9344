#!/bin/bash
# SPDX-License-Identifier: ISC
#
# A chat room over Redis publish/subscribe. Every connection runs its own
# copy of this script: it subscribes to the room's channel and publishes
# each line the client sends, so messages cross processes, and machines
# too when several hosts share one Redis.
#
#   wsinetd --passenv REDIS_HOST,REDIS_PORT -- chat.sh
#   wsinetd --passenv REDIS_SOCKET -- chat.sh   (Redis on a Unix socket)
#   ws://host/lobby?nick=ann      (room from the path or ?room=, nick
#                                  from ?nick= or an X-Nick header)
#
# Room and nick are letters, digits, '_' and '-' (up to 32); anything
# else falls back to "lobby" and "anon". Needs bash and redis-cli.

if [ -n "${REDIS_SOCKET:-}" ]; then
	redis=(redis-cli -s "$REDIS_SOCKET")
else
	redis=(redis-cli -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}")
fi

# The value of KEY in the query string, if any.
query() {
	local pair
	local IFS='&'
	set -f
	for pair in ${QUERY_STRING:-}; do
		if [ "${pair%%=*}" = "$1" ]; then
			printf '%s' "${pair#*=}"
			return
		fi
	done
}

# NAME if it is a plain name, else DEFAULT.
plain() {
	if [[ $1 =~ ^[A-Za-z0-9_-]{1,32}$ ]]; then
		printf '%s' "$1"
	else
		printf '%s' "$2"
	fi
}

path=${PATH_INFO#/}
room=$(plain "$(query room)" "")
room=${room:-$(plain "${path%%/*}" lobby)}
nick=$(plain "$(query nick)" "")
nick=${nick:-$(plain "${HTTP_X_NICK:-}" anon)}
channel=chat:$room

publish() {
	"${redis[@]}" PUBLISH "$channel" "$1" >/dev/null
}

# redis-cli prints each reply one element per line: "subscribe",
# channel, count once, then "message", channel, text for each message.
exec 3< <(exec "${redis[@]}" SUBSCRIBE "$channel")
subscriber=$!
read -r kind <&3 && read -r _ <&3 && read -r _ <&3
if [ "$kind" != subscribe ]; then
	echo "chat: cannot subscribe to $channel (${redis[*]:1})" >&2
	exit 1
fi

# bash's read takes a pipe byte by byte and its printf writes at once:
# no line waits in a buffer.
while IFS= read -r kind <&3 && IFS= read -r _ <&3 &&
	IFS= read -r text <&3; do
	[ "$kind" = message ] && printf '%s\n' "$text"
done &
reader=$!
exec 3<&-

publish "* $nick joined $room"
while IFS= read -r line; do
	publish "$nick: $line"
done
publish "* $nick left"
kill "$subscriber" 2>/dev/null
wait "$reader"
