/* SPDX-License-Identifier: ISC */
/* Monotonic milliseconds: deadlines and durations, immune to clock steps. */
#ifndef CLOCK_H
#define CLOCK_H

long long clock_ms(void);

#endif
