// SPDX-License-Identifier: GPL-3.0-or-later
#include "fixtures.h"

#include <CUnit/CUnit.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace onair::test {

const char* const kSecret = "demo-secret-0123456789";

namespace {
struct JwtFree {
    void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
struct FreeString {                                         // jwt_encode_str hands out malloc'ed text
    void operator()(char* text) const { std::free(text); }  // NOLINT(cppcoreguidelines-no-malloc)
};
}  // namespace

std::string make_token(const std::string& secret, const Claims& claims, jwt_alg_t alg) {
    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0) {
        throw std::runtime_error("jwt_new failed");
    }
    std::unique_ptr<jwt_t, JwtFree> jwt(raw);
    if (!claims.sub.empty()) {
        jwt_add_grant(jwt.get(), "sub", claims.sub.c_str());
    }
    if (!claims.site.empty()) {
        jwt_add_grant(jwt.get(), "site", claims.site.c_str());
    }
    if (!claims.name.empty()) {
        jwt_add_grant(jwt.get(), "name", claims.name.c_str());
    }
    if (claims.with_exp) {
        jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(claims.exp));
    }
    const auto* key = alg == JWT_ALG_NONE ? nullptr : reinterpret_cast<const unsigned char*>(secret.data());
    if (jwt_set_alg(jwt.get(), alg, key, alg == JWT_ALG_NONE ? 0 : static_cast<int>(secret.size())) != 0) {
        throw std::runtime_error("jwt_set_alg failed");
    }
    std::unique_ptr<char, FreeString> encoded(jwt_encode_str(jwt.get()));
    if (!encoded) {
        throw std::runtime_error("jwt_encode_str failed");
    }
    std::string token(encoded.get());
    return token;
}

TempDir::TempDir() {
    GError* error = nullptr;
    char* made = g_dir_make_tmp("onair-unit-XXXXXX", &error);
    if (made == nullptr) {
        std::string message = error->message;
        g_error_free(error);
        throw std::runtime_error("cannot make a temporary directory: " + message);
    }
    path_ = made;
    g_free(made);
}

TempDir::~TempDir() {
    if (GDir* dir = g_dir_open(path_.c_str(), 0, nullptr); dir != nullptr) {
        while (const char* name = g_dir_read_name(dir)) {
            g_remove(file(name).c_str());
        }
        g_dir_close(dir);
    }
    g_rmdir(path_.c_str());
}

Site demo_site() {
    Site site;
    site.key = "demo";
    site.secret = kSecret;
    return site;
}

World::World(Settings settings, const std::vector<Site>& sites, WallClock wall_clock)
    : settings_(std::move(settings)), sites_(sites), wall_clock_(std::move(wall_clock)) {
    settings_.store_path = store_path();
    restart(kNow - 100);
}

void World::restart(std::int64_t now) {
    hub_.reset();
    Result<std::unique_ptr<Store>> store = Store::open(settings_.store_path);
    if (!store.ok()) {
        std::fprintf(stderr, "\n  %s\n", store.error().message.c_str());
    }
    CU_ASSERT_FATAL(store.ok());
    hub_ = std::make_unique<Hub>(settings_, std::move(store.value()), wall_clock_);
    Status started = hub_->start(sites_, now);
    if (!started.ok()) {
        std::fprintf(stderr, "\n  %s\n", started.error().message.c_str());
    }
    CU_ASSERT_FATAL(started.ok());
}

Result<Reply> World::broadcast(HandleId handle, const std::string& user, const std::string& name,
                               std::int64_t now) {
    Credentials who{"demo", user, name, make_token(kSecret, Claims{user})};
    return hub_->handle_request(handle, BroadcastRequest{who}, now);
}

Result<Reply> World::watch(HandleId handle, const std::string& user, const std::string& target,
                           const std::string& name, std::int64_t now) {
    Credentials who{"demo", user, name, make_token(kSecret, Claims{user})};
    return hub_->handle_request(handle, WatchRequest{who, target}, now);
}

Result<Reply> World::request(HandleId handle, const Request& request, std::int64_t now) {
    return hub_->handle_request(handle, request, now);
}

std::string World::go_live(HandleId handle, const std::string& user, std::int64_t now) {
    hub_->handle_created(handle);
    Result<Reply> registered = broadcast(handle, user, "", now);
    CU_ASSERT_FATAL(registered.ok());
    CU_ASSERT_FATAL(request(handle, PublishRequest{}, now).ok());
    hub_->media_up(handle, now);
    return text_of(registered.value().event.result.get(), "broadcast_id");
}

std::string World::ask(HandleId viewer, const std::string& user, const std::string& target,
                       std::int64_t now) {
    hub_->handle_created(viewer);
    Result<Reply> waiting = watch(viewer, user, target, "", now);
    CU_ASSERT_FATAL(waiting.ok());
    CU_ASSERT_EQUAL(event_of(waiting.value().event.result.get()), "waiting");
    return text_of(waiting.value().event.result.get(), "request_id");
}

Effects World::accept(HandleId broadcaster, const std::string& request_id, std::int64_t now) {
    Result<Reply> answered = request(broadcaster, AnswerRequest{request_id, true}, now);
    CU_ASSERT_FATAL(answered.ok());
    return std::move(answered.value().effects);
}

void World::join(HandleId viewer, const std::string& user, HandleId broadcaster, const std::string& target,
                 std::int64_t now) {
    accept(broadcaster, ask(viewer, user, target, now), now);
    CU_ASSERT_FATAL(request(viewer, StartRequest{}, now).ok());
}

std::string event_of(const json_t* data) { return text_of(data, "event"); }

std::string text_of(const json_t* data, const char* key) {
    const char* value = json_string_value(json_object_get(data, key));
    return value == nullptr ? std::string() : std::string(value);
}

std::int64_t number_of(const json_t* data, const char* key) {
    return json_integer_value(json_object_get(data, key));
}

bool flag_of(const json_t* data, const char* key) { return json_is_true(json_object_get(data, key)); }

Reply expect_ok(Result<Reply> result) {
    if (!result.ok()) {
        std::fprintf(stderr, "\n  unexpected error %d: %s\n", static_cast<int>(result.error().code),
                     result.error().message.c_str());
    }
    CU_ASSERT_FATAL(result.ok());
    return std::move(result.value());
}

void expect_code(const Result<Reply>& result, ErrorCode code) {
    CU_ASSERT_FATAL(!result.ok());
    if (result.error().code != code) {
        std::fprintf(stderr, "\n  expected %d, got %d: %s\n", static_cast<int>(code),
                     static_cast<int>(result.error().code), result.error().message.c_str());
    }
    CU_ASSERT_EQUAL(static_cast<int>(result.error().code), static_cast<int>(code));
    CU_ASSERT_FALSE(result.error().message.empty());
}

const Notice* find_notice(const Effects& effects, HandleId to, const char* event) {
    for (const Notice& sent : effects.notices) {
        if (sent.to == to && event_of(sent.event.result.get()) == event) {
            return &sent;
        }
    }
    return nullptr;
}

const json_t* notice(const Effects& effects, HandleId to, const char* event) {
    const Notice* sent = find_notice(effects, to, event);
    return sent == nullptr ? nullptr : sent->event.result.get();
}

std::size_t offers(const Effects& effects) {
    return static_cast<std::size_t>(
        std::count_if(effects.notices.begin(), effects.notices.end(),
                      [](const Notice& sent) { return sent.event.offer != ViewerOffer::None; }));
}

std::size_t notices_to(const Effects& effects, HandleId to) {
    std::size_t count = 0;
    for (const Notice& sent : effects.notices) {
        count += sent.to == to ? 1 : 0;
    }
    return count;
}

bool closes(const Effects& effects, HandleId handle) {
    for (const MediaAction& action : effects.media) {
        if (const auto* close = std::get_if<ClosePeerConnection>(&action);
            close != nullptr && close->handle == handle) {
            return true;
        }
    }
    return false;
}

ErrorCode code_of(const Result<Reply>& result) {
    CU_ASSERT_FATAL(!result.ok());
    return result.error().code;
}

JsonPtr parse_json(const std::string& text) {
    json_error_t error;
    JsonPtr value(json_loads(text.c_str(), JSON_DECODE_ANY, &error));
    CU_ASSERT_FATAL(value != nullptr);
    return value;
}

std::unique_ptr<Store> open_store(const std::string& path) {
    Result<std::unique_ptr<Store>> store = Store::open(path);
    if (!store.ok()) {
        std::fprintf(stderr, "\n  %s\n", store.error().message.c_str());
    }
    CU_ASSERT_FATAL(store.ok());
    return std::move(store.value());
}

void run_sql(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    CU_ASSERT_FATAL(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    CU_ASSERT_FATAL(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
}

}  // namespace onair::test
