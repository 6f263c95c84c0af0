// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <curl/curl.h>

#include <memory>

#include "delivery/callback_sink.h"

namespace onair {

// POSTs with libcurl's easy API, one request at a time, on the calling thread (the sender's):
// no signals (CURLOPT_NOSIGNAL, so timeouts work in a multi-threaded Janus), an overall timeout,
// TLS verification on, no redirects, http and https only. One easy handle is reused so
// connections to the same receiver stay alive (and TLS sessions resume). Unless
// `allow_private_callbacks`, every new connection's resolved address is checked just before the
// connect, so a DNS name that resolves (or is rebound) to an internal address is refused
// (base/callback_address.h). curl_global_init must have run (plugin init).
class CurlSink final : public CallbackSink {
public:
    explicit CurlSink(bool allow_private_callbacks);
    CallbackResponse post(const CallbackRequest& request) override;

private:
    static curl_socket_t open_socket(void* self, curlsocktype purpose, curl_sockaddr* address);
    struct Cleanup {
        void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
    };
    std::unique_ptr<CURL, Cleanup> curl_;
    bool allow_private_callbacks_;
    std::string refused_address_;  // the internal address the current post() would have reached
};

}  // namespace onair
