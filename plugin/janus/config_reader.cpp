// SPDX-License-Identifier: GPL-3.0-or-later
#include "janus/config_reader.h"

#include <charconv>
#include <memory>
#include <optional>

#include "core/ice_servers.h"
#include "media/janus_api.h"

namespace onair::janus {
namespace {

struct ConfigDestroy {
    void operator()(janus_config* config) const { janus_config_destroy(config); }
};
using ConfigPtr = std::unique_ptr<janus_config, ConfigDestroy>;

struct ListFree {
    void operator()(GList* list) const { g_list_free(list); }
};
using ListPtr = std::unique_ptr<GList, ListFree>;

// One category of the file, with typed getters that report where a bad value is.
class Category {
public:
    Category(janus_config* config, janus_config_category* category)
        : config_(config),
          category_(category),
          name_(category && category->name ? category->name : "general") {}

    const char* text(const char* key) const {
        if (!category_)
            return nullptr;
        janus_config_item* item = janus_config_get(config_, category_, janus_config_type_item, key);
        return item ? item->value : nullptr;
    }

    Status read_string(const char* key, std::string& out) const {
        if (const char* value = text(key))
            out = value;
        return Ok{};
    }

    Status read_positive(const char* key, int& out) const {
        const char* value = text(key);
        if (!value)
            return Ok{};
        const std::string_view view(value);
        int parsed = 0;
        auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), parsed);
        if (error != std::errc() || end != view.data() + view.size() || parsed < 1)
            return bad(key, "a positive integer");
        out = parsed;
        return Ok{};
    }

    Status read_bool(const char* key, bool& out) const {
        const char* value = text(key);
        if (!value)
            return Ok{};
        const std::string_view view(value);
        if (view == "true" || view == "yes" || view == "1")
            out = true;
        else if (view == "false" || view == "no" || view == "0")
            out = false;
        else
            return bad(key, "true or false");
        return Ok{};
    }

    Error bad(const char* key, const char* expected) const {
        return fail(ErrorCode::InvalidElement,
                    "configuration: " + name_ + "." + key + " must be " + expected);
    }

    const std::string& name() const { return name_; }

private:
    janus_config* config_;
    janus_config_category* category_;
    std::string name_;
};

// Applies the first failing status, so the reading code reads as a list of keys.
class FirstError {
public:
    FirstError& operator<<(const Status& status) {
        if (!error_ && !status.ok())
            error_ = status.error();
        return *this;
    }
    const std::optional<Error>& error() const { return error_; }

private:
    std::optional<Error> error_;
};

Result<Settings> read_general(janus_config* config) {
    Settings settings;
    Category general(config, janus_config_get(config, nullptr, janus_config_type_category, "general"));
    FirstError errors;
    errors << general.read_string("store", settings.store_path)
           << general.read_positive("request_timeout", settings.request_timeout)
           << general.read_positive("publish_timeout", settings.publish_timeout)
           << general.read_positive("resume_grace", settings.resume_grace)
           << general.read_positive("watch_rate", settings.watch_rate)
           << general.read_positive("report_interval", settings.report_interval)
           << general.read_positive("heartbeat_interval", settings.heartbeat_interval)
           << general.read_positive("evidence_timeout", settings.evidence_timeout)
           << general.read_positive("delivery_max_attempts", settings.delivery_max_attempts)
           << general.read_positive("delivery_backoff_base", settings.delivery_backoff_base)
           << general.read_positive("delivery_backoff_max", settings.delivery_backoff_max)
           << general.read_positive("delivery_timeout", settings.delivery_timeout)
           << general.read_positive("outbox_retention_days", settings.outbox_retention_days)
           << general.read_positive("restart_grace", settings.restart_grace)
           << general.read_positive("turn_ttl", settings.turn_ttl)
           << general.read_string("turn_secret", settings.turn_secret)
           << general.read_bool("allow_private_callbacks", settings.allow_private_callbacks);
    std::string turn_uris;
    std::string stun_uris;
    errors << general.read_string("turn_uris", turn_uris) << general.read_string("stun_uris", stun_uris);
    if (errors.error())
        return *errors.error();
    settings.turn_uris = split_uris(turn_uris);
    settings.stun_uris = split_uris(stun_uris);
    if (!settings.turn_uris.empty() && settings.turn_secret.empty())
        return general.bad("turn_secret", "set when turn_uris is (coturn's static-auth-secret)");
    if (settings.store_path.empty())
        return general.bad("store", "a file path");
    if (settings.delivery_backoff_max < settings.delivery_backoff_base)
        return general.bad("delivery_backoff_max", "at least delivery_backoff_base");
    return settings;
}

Result<Site> read_site(const Category& category) {
    Site site;
    site.key = category.name().substr(std::string_view("site-").size());  // when `key` is absent
    std::string identity = to_string(site.identity);
    std::string media = to_string(site.media);
    FirstError errors;
    errors << category.read_string("key", site.key) << category.read_string("secret", site.secret)
           << category.read_string("identity", identity) << category.read_string("media", media)
           << category.read_bool("audio", site.audio)
           << category.read_positive("max_broadcasts", site.max_broadcasts)
           << category.read_positive("max_viewers", site.max_viewers)
           << category.read_string("callback_url", site.callback_url)
           << category.read_bool("simulcast", site.simulcast)
           << category.read_bool("p2p_relay_only", site.p2p_relay_only);
    if (errors.error())
        return *errors.error();
    if (auto mode = identity_mode_from(identity))
        site.identity = *mode;
    else
        return category.bad("identity", "\"signed\" or \"open\"");
    if (auto mode = media_mode_from(media))
        site.media = *mode;
    else
        return category.bad("media", "\"sfu\", \"p2p\" or \"auto\"");
    if (Status valid = validate_site(site); !valid.ok())
        return fail(valid.error().code, "configuration: " + category.name() + ": " + valid.error().message);
    return site;
}

}  // namespace

Result<PluginConfig> read_plugin_config(const std::string& config_folder, const std::string& package) {
    PluginConfig result;
    std::string filename = config_folder + "/" + package + ".jcfg";
    JANUS_LOG(LOG_VERB, "OnAir configuration file: %s\n", filename.c_str());
    ConfigPtr config(janus_config_parse(filename.c_str()));
    if (!config) {
        filename = config_folder + "/" + package + ".cfg";
        config.reset(janus_config_parse(filename.c_str()));
    }
    if (!config) {
        JANUS_LOG(LOG_WARN, "No OnAir configuration file in %s: using defaults and no configured sites\n",
                  config_folder.c_str());
        return result;
    }
    janus_config_print(config.get());

    Result<Settings> settings = read_general(config.get());
    if (!settings)
        return settings.error();
    result.settings = settings.value();

    ListPtr categories(janus_config_get_categories(config.get(), nullptr));
    for (GList* node = categories.get(); node; node = node->next) {
        auto* category = static_cast<janus_config_category*>(node->data);
        if (!category->name || !g_str_has_prefix(category->name, "site-"))
            continue;
        const Category reader(config.get(), category);
        Result<Site> site = read_site(reader);
        if (!site)
            return site.error();
        if (Status host = check_callback_host(site.value(), result.settings.allow_private_callbacks); !host)
            return fail(host.error().code, "configuration: " + reader.name() + ": " + host.error().message);
        if (site.value().p2p_relay_only && result.settings.turn_uris.empty())
            return reader.bad("p2p_relay_only", "false while general.turn_uris is empty (it needs TURN)");
        result.sites.push_back(std::move(site.value()));
    }
    return result;
}

}  // namespace onair::janus
