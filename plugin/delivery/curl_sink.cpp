// SPDX-License-Identifier: GPL-3.0-or-later
#include "delivery/curl_sink.h"

#include <algorithm>
#include <array>
#include <string>

#include "base/callback_address.h"

namespace onair {

namespace {

constexpr long kConnectTimeoutSeconds = 5;

struct SlistFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The receiver's answer body is not needed: read and dropped.
size_t discard(char* /*data*/, size_t size, size_t count, void* /*user*/) { return size * count; }

}  // namespace

CurlSink::CurlSink(bool allow_private_callbacks)
    : curl_(curl_easy_init()), allow_private_callbacks_(allow_private_callbacks) {}

curl_socket_t CurlSink::open_socket(void* self, curlsocktype /*purpose*/, curl_sockaddr* address) {
    auto* sink = static_cast<CurlSink*>(self);
    if (!sink->allow_private_callbacks_ && is_internal_address(&address->addr)) {
        sink->refused_address_ = address_text(&address->addr);
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

CallbackResponse CurlSink::post(const CallbackRequest& request) {
    CallbackResponse response;
    if (!curl_) {
        response.error = "libcurl could not be initialized";
        return response;
    }
    CURL* curl = curl_.get();
    curl_easy_reset(curl);
    refused_address_.clear();
    std::unique_ptr<curl_slist, SlistFree> headers;
    for (const auto& [name, value] : request.headers) {
        std::string line = name;
        line.append(": ").append(value);
        headers.reset(curl_slist_append(headers.release(), line.c_str()));
    }
    headers.reset(curl_slist_append(headers.release(), "Expect:"));  // no 100-continue round trip
    std::array<char, CURL_ERROR_SIZE> error{};
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(request.timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                     std::min<long>(kConnectTimeoutSeconds, request.timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "OnAir-Webhooks/1");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error.data());
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, &CurlSink::open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, this);

    const CURLcode result = curl_easy_perform(curl);
    if (result != CURLE_OK && !refused_address_.empty()) {
        response.error = "refused to connect to " + refused_address_ +
                         ": a loopback, private, link-local or reserved address (allow_private_callbacks = "
                         "true allows it)";
        return response;
    }
    if (result != CURLE_OK) {
        response.error = std::string(curl_easy_strerror(result));
        if (error[0] != '\0') {
            response.error += ": " + std::string(error.data());
        }
        // libcurl calls a TLS handshake that never finishes a connection timeout; an operator
        // needs to know the TCP side worked (wrong port or protocol, or a TLS-terminating proxy).
        curl_off_t connected = 0;
        curl_off_t secured = 0;
        curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected);
        curl_easy_getinfo(curl, CURLINFO_APPCONNECT_TIME_T, &secured);
        if (result == CURLE_OPERATION_TIMEDOUT && connected > 0 && secured == 0 &&
            request.url.rfind("https://", 0) == 0) {
            response.error = "TLS handshake timed out (TCP connected, no TLS answer): " + response.error;
        }
        return response;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    response.delivered = response.status >= 200 && response.status < 300;
    if (!response.delivered) {
        response.error = "HTTP " + std::to_string(response.status);
    }
    return response;
}

}  // namespace onair
