#!/usr/bin/env -S mawk -W interactive -f
# SPDX-License-Identifier: ISC
#
# Answers each line with the same line in capitals.
#
#   wsinetd -- upper.awk
#
# A bridged program must not sit on its input or output: mawk reads a pipe
# in large blocks unless given -W interactive (hence the env -S line
# above), and awk's output is block-buffered on a pipe, hence fflush().
# With gawk, `#!/usr/bin/gawk -f` is enough.

{
	print toupper($0)
	fflush()
}
