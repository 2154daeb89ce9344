/* SPDX-License-Identifier: ISC */
#ifndef SUMMARY_H
#define SUMMARY_H

#include "engine.h"

/* Logs how connection c ended (status: its exit status) for peer, the
 * "address:port" of the client; program describes a bridged program's
 * end ("" when there is none). */
void summary_log(const struct conn *c, int status, const char *peer,
    const char *program);

#endif
