// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - instantiates the "pinledger" trace events.
 *
 * The only translation unit that defines CREATE_TRACE_POINTS.  The module
 * loader registers and removes the events with the module.
 */
#define CREATE_TRACE_POINTS
#include "pinledger_trace.h"
