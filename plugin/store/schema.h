// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "base/result.h"
#include "store/database.h"

namespace onair {

// The schema version this build writes (PRAGMA user_version).
constexpr int kSchemaVersion = 5;

// Creates the schema in a new file, or migrates an older one to kSchemaVersion in one transaction;
// fails on a file written by a newer build.
Status migrate(Database& db, const std::string& path);

}  // namespace onair
