#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Counts from 1 to N, one message per line, pausing DELAY seconds between
# them: `counter.sh [N [DELAY]]`, default 10 and 1. A client may ask for
# other values in the query string: ws://host/?n=5&delay=0.5.
#
#   wsinetd -- counter.sh 3

n=${1:-10}
delay=${2:-1}

# Plain numbers only: anything else in the query is ignored.
number() {
	case $1 in
	'' | *[!0-9.]* | *.*.*) return 1 ;;
	esac
}

# Split on &, without globbing what the client sent.
set -f
old_ifs=$IFS
IFS='&'
for pair in ${QUERY_STRING:-}; do
	case $pair in
	n=*) number "${pair#n=}" && n=${pair#n=} ;;
	delay=*) number "${pair#delay=}" && delay=${pair#delay=} ;;
	esac
done
IFS=$old_ifs

# Keep it bounded whatever was asked: at most 10000 messages.
case $n in *.*) n=${n%%.*} ;; esac
[ "${n:-0}" -le 10000 ] 2>/dev/null || n=10000

i=1
while [ "$i" -le "$n" ]; do
	# echo is a shell builtin writing each line at once: nothing waits
	# in a buffer (unlike many programs whose stdout is a pipe).
	echo "$i"
	[ "$i" -lt "$n" ] && sleep "$delay"
	i=$((i + 1))
done
