// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The one place that pulls the Janus C headers into C++. Janus' headers expect GLib and Jansson to
// be included first and have no C++ guards of their own, hence the extern "C" block.
#include <glib.h>
#include <jansson.h>

extern "C" {
#include <config.h>
#include <debug.h>
#include <mutex.h>
#include <plugins/plugin.h>
#include <refcount.h>
#include <rtcp.h>
#include <rtp.h>
#include <sdp-utils.h>
#include <utils.h>
}
