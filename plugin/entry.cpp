// SPDX-License-Identifier: GPL-3.0-or-later
// The C ABI Janus loads: create() and the janus_plugin table. Every callback forwards to the one
// onair::janus::Plugin, which exists between init() and destroy().
#include <memory>

#include "janus/plugin.h"
#include "media/janus_api.h"

namespace {

constexpr int kVersion = 1;
constexpr const char* kVersionString = "0.1.0";
constexpr const char* kDescription = "OnAir: live webcam broadcasting with viewer consent, for any website";
constexpr const char* kName = "JANUS OnAir plugin";
constexpr const char* kAuthor = "OnAir contributors";
constexpr const char* kPackage = "janus.plugin.onair";

std::unique_ptr<onair::janus::Plugin> instance;

int plugin_init(janus_callbacks* callback, const char* config_path);
void plugin_destroy();

int get_api_compatibility() { return JANUS_PLUGIN_API_VERSION; }
int get_version() { return kVersion; }
const char* get_version_string() { return kVersionString; }
const char* get_description() { return kDescription; }
const char* get_name() { return kName; }
const char* get_author() { return kAuthor; }
const char* get_package() { return kPackage; }

void create_session(janus_plugin_session* handle, int* error) {
    if (!instance) {
        *error = -1;
        return;
    }
    instance->create_session(handle, error);
}

janus_plugin_result* handle_message(janus_plugin_session* handle, char* transaction, json_t* message,
                                    json_t* jsep) {
    if (!instance) {
        g_free(transaction);
        json_decref(message);
        json_decref(jsep);
        return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "Plugin not initialized", nullptr);
    }
    return instance->handle_message(handle, transaction, message, jsep);
}

json_t* handle_admin_message(json_t* message) {
    return instance ? instance->handle_admin_message(message) : nullptr;
}

void setup_media(janus_plugin_session* handle) {
    if (instance)
        instance->setup_media(handle);
}

void incoming_rtp(janus_plugin_session* handle, janus_plugin_rtp* packet) {
    if (instance)
        instance->incoming_rtp(handle, packet);
}

void incoming_rtcp(janus_plugin_session* handle, janus_plugin_rtcp* packet) {
    if (instance)
        instance->incoming_rtcp(handle, packet);
}

// OnAir negotiates no datachannels and leaves congestion to the core.
void incoming_data(janus_plugin_session*, janus_plugin_data*) {}
void data_ready(janus_plugin_session*) {}
void slow_link(janus_plugin_session*, int, gboolean, gboolean) {}

void hangup_media(janus_plugin_session* handle) {
    if (instance)
        instance->hangup_media(handle);
}

void destroy_session(janus_plugin_session* handle, int* error) {
    if (!instance) {
        *error = -1;
        return;
    }
    instance->destroy_session(handle, error);
}

json_t* query_session(janus_plugin_session* handle) {
    return instance ? instance->query_session(handle) : nullptr;
}

// Designated initializers in declaration order: the members are const, so this is the only way to
// fill the table in C++ (Janus' JANUS_PLUGIN_INIT macro repeats members, which C++ rejects).
janus_plugin descriptor = {
    .init = plugin_init,
    .destroy = plugin_destroy,
    .get_api_compatibility = get_api_compatibility,
    .get_version = get_version,
    .get_version_string = get_version_string,
    .get_description = get_description,
    .get_name = get_name,
    .get_author = get_author,
    .get_package = get_package,
    .create_session = create_session,
    .handle_message = handle_message,
    .handle_admin_message = handle_admin_message,
    .setup_media = setup_media,
    .incoming_rtp = incoming_rtp,
    .incoming_rtcp = incoming_rtcp,
    .incoming_data = incoming_data,
    .data_ready = data_ready,
    .slow_link = slow_link,
    .hangup_media = hangup_media,
    .destroy_session = destroy_session,
    .query_session = query_session,
};

int plugin_init(janus_callbacks* callback, const char* config_path) {
    if (instance || !callback || !config_path)
        return -1;
    auto plugin = std::make_unique<onair::janus::Plugin>(callback, &descriptor);
    if (!plugin->start(config_path))
        return -1;
    instance = std::move(plugin);
    JANUS_LOG(LOG_INFO, "%s initialized!\n", kName);
    return 0;
}

void plugin_destroy() {
    instance.reset();  // stops the threads and frees every session
    JANUS_LOG(LOG_INFO, "%s destroyed!\n", kName);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) janus_plugin* create(void) {
    JANUS_LOG(LOG_VERB, "%s created!\n", kName);
    return &descriptor;
}
