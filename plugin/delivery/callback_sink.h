// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace onair {

// One webhook POST.
struct CallbackRequest {
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    int timeout_seconds = 10;
};

// Its outcome: delivered on a 2xx; otherwise `error` says why (HTTP status, timeout, TLS, DNS...).
struct CallbackResponse {
    bool delivered = false;
    long status = 0;  // HTTP status, 0 when none came back
    std::string error;
};

// Where the sender's POSTs go: the libcurl implementation in production (CurlSink). An interface
// so the sender's state machine does not depend on how bytes reach the network.
class CallbackSink {
public:
    virtual ~CallbackSink() = default;
    virtual CallbackResponse post(const CallbackRequest& request) = 0;
};

}  // namespace onair
