// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/store.h"

#include "store/schema.h"

namespace onair {

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
    Result<Database> db = Database::open(path);
    if (!db) {
        return db.error();
    }
    if (Status schema = migrate(db.value(), path); !schema) {
        return schema.error();
    }
    return std::unique_ptr<Store>(new Store(std::move(db.value())));  // NOLINT: private constructor
}

Status Store::atomically(const std::function<Status()>& body) { return db_.transact("writing", body); }

}  // namespace onair
