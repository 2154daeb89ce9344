#!/bin/sh
# SPDX-License-Identifier: ISC
# The hello exchange as a line program, for websocketd (and any bridge
# that maps lines to messages): a welcome line, then "You said: " before
# each line read. printf and the shell's read are unbuffered, so each
# answer leaves at once.
printf '%s\n' 'Welcome to the WebSocket server!'
while IFS= read -r line; do
	printf 'You said: %s\n' "$line"
done
