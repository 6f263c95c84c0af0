// SPDX-License-Identifier: GPL-3.0-or-later
//
// What the Janus sources linked into fuzz_sdp and fuzz_rtp (rtp.c, rtcp.c, sdp-utils.c, utils.c,
// from Debian's source package), and into the media unit tests (test/unit, configure
// --with-janus-source), expect the janus executable to define: its logger and its debug switches.
// They log nothing; lock and refcount debugging stay off (no counters table).
#include <glib.h>
#include <stdarg.h>

#include "debug.h"
#include "log.h"
#include "mutex.h"
#include "refcount.h"

int janus_log_level = LOG_NONE;
gboolean janus_log_timestamps = FALSE;
gboolean janus_log_colors = FALSE;
char* janus_log_global_prefix = NULL;
int lock_debug = 0;
int refcount_debug = 0;

void janus_vprintf(const char* format, ...) { (void)format; }
