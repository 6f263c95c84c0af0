// SPDX-License-Identifier: GPL-3.0-or-later
// Shared helpers for the unit tests: real tokens, a temporary directory, a Hub on a real store.
#pragma once

#include <jwt.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/hub.h"

namespace onair::test {

constexpr std::int64_t kNow = 1'764'100'000;
extern const char* const kSecret;  // the "demo" site's secret

struct Claims {
    explicit Claims(std::string subject, std::string site_key = "demo")
        : sub(std::move(subject)), site(std::move(site_key)) {}
    std::string sub;
    std::string site;
    std::string name;
    std::int64_t exp = kNow + 3600;
    bool with_exp = true;
};

// A real JWT made with libjwt, as a site's backend would make it.
std::string make_token(const std::string& secret, const Claims& claims, jwt_alg_t alg = JWT_ALG_HS256);

// Runs `sql` on the SQLite file at `path` over a connection of its own, as another process
// (an older plugin, or one breaking the store) would; asserts it succeeded.
void run_sql(const std::string& path, const char* sql);

// A fresh directory, removed with its files at the end of the scope.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

Site demo_site();  // signed, the test secret, default limits

// A Hub started on a real SQLite file in a temporary directory.
class World {
public:
    // `wall_clock`: what the Hub stamps as the time of day (by default the steady `now` of each call).
    explicit World(Settings settings = {}, const std::vector<Site>& sites = {demo_site()},
                   WallClock wall_clock = wall_same_as_steady);
    Hub& hub() { return *hub_; }
    [[nodiscard]] std::string store_path() const { return dir_.file("onair.sqlite"); }
    // Janus restarted (or crashed: the Hub is gone without any goodbye): a new Hub on the same store,
    // started at `now`.
    void restart(std::int64_t now);

    // Requests on behalf of users of the "demo" site, with valid tokens.
    Result<Reply> broadcast(HandleId handle, const std::string& user, const std::string& name = "",
                            std::int64_t now = kNow);
    Result<Reply> watch(HandleId handle, const std::string& user, const std::string& target,
                        const std::string& name = "", std::int64_t now = kNow);
    Result<Reply> request(HandleId handle, const Request& request, std::int64_t now = kNow);

    // Whole steps of the usual flow; each asserts its own success.
    std::string go_live(HandleId handle, const std::string& user,
                        std::int64_t now = kNow);  // -> broadcast id
    std::string ask(HandleId viewer, const std::string& user, const std::string& target,
                    std::int64_t now = kNow);  // -> request id
    Effects accept(HandleId broadcaster, const std::string& request_id, std::int64_t now = kNow);
    void join(HandleId viewer, const std::string& user, HandleId broadcaster, const std::string& target,
              std::int64_t now = kNow);

private:
    TempDir dir_;
    Settings settings_;
    std::vector<Site> sites_;
    WallClock wall_clock_;
    std::unique_ptr<Hub> hub_;
};

// ---- looking at answers and effects ----

std::string event_of(const json_t* data);
std::string text_of(const json_t* data, const char* key);
std::int64_t number_of(const json_t* data, const char* key);
bool flag_of(const json_t* data, const char* key);

// The reply of a request that must succeed (the test stops otherwise, printing the error).
Reply expect_ok(Result<Reply> result);
// A request that must fail with `code` and say why.
void expect_code(const Result<Reply>& result, ErrorCode code);

// The notice with that event sent to `to`, or nullptr.
const Notice* find_notice(const Effects& effects, HandleId to, const char* event);
// The data of the notice with that event sent to `to`, or nullptr.
const json_t* notice(const Effects& effects, HandleId to, const char* event);
// How many notices carry a subscriber offer.
std::size_t offers(const Effects& effects);
// How many notices went to `to`.
std::size_t notices_to(const Effects& effects, HandleId to);

template <typename Action>
std::size_t count_media(const Effects& effects) {
    std::size_t count = 0;
    for (const MediaAction& action : effects.media) {
        count += std::holds_alternative<Action>(action) ? 1 : 0;
    }
    return count;
}
template <typename Action>
const Action* media(const Effects& effects, std::size_t nth = 0) {
    for (const MediaAction& action : effects.media) {
        if (const auto* found = std::get_if<Action>(&action); found != nullptr && nth-- == 0) {
            return found;
        }
    }
    return nullptr;
}
bool closes(const Effects& effects, HandleId handle);  // a ClosePeerConnection for this handle

ErrorCode code_of(const Result<Reply>& result);

// Parses JSON text (asserting it is valid) for request-parsing tests.
JsonPtr parse_json(const std::string& text);

// Opens (creating) the store at `path`; a failure stops the test with the store's message.
std::unique_ptr<Store> open_store(const std::string& path);

}  // namespace onair::test
