// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <curl/curl.h>

#include <memory>

#include "delivery/callback_sink.h"

namespace onair {

// POSTs with libcurl's easy API, one request at a time, on the calling thread (the sender's):
// no signals (CURLOPT_NOSIGNAL, so timeouts work in a multi-threaded Janus), an overall timeout,
// TLS verification on, no redirects, http and https only. One easy handle is reused so
// connections to the same receiver stay alive. curl_global_init must have run (plugin init).
class CurlSink final : public CallbackSink {
public:
    CurlSink();
    CallbackResponse post(const CallbackRequest& request) override;

private:
    struct Cleanup {
        void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
    };
    std::unique_ptr<CURL, Cleanup> curl_;
};

}  // namespace onair
