// SPDX-License-Identifier: GPL-3.0-or-later
#include "http_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace onair::test {

namespace {
constexpr int kPollMs = 50;
constexpr int kReadTimeoutMs = 3000;

// Reads more bytes into `buffer`; false on timeout, error or a closed connection.
bool read_more(int connection, std::string& buffer) {
    pollfd ready{connection, POLLIN, 0};
    if (poll(&ready, 1, kReadTimeoutMs) <= 0) {
        return false;
    }
    char chunk[4096];
    const ssize_t got = recv(connection, chunk, sizeof chunk, 0);
    if (got <= 0) {
        return false;
    }
    buffer.append(chunk, static_cast<std::size_t>(got));
    return true;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}
}  // namespace

std::string unused_url() {
    const int probe = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    if (probe < 0 || bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error("cannot find a free port");
    }
    close(probe);
    return "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/hook";
}

HttpReceiver::HttpReceiver() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    if (listener_ < 0) {
        throw std::runtime_error("socket failed");
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(listener_, 16) != 0) {
        close(listener_);
        throw std::runtime_error("bind/listen failed");
    }
    socklen_t length = sizeof address;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
}

HttpReceiver::~HttpReceiver() {
    stopping_.store(true);
    thread_.join();
    close(listener_);
}

std::string HttpReceiver::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<HttpReceiver::Request> HttpReceiver::received() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return received_;
}

void HttpReceiver::serve() {
    while (!stopping_.load()) {
        pollfd ready{listener_, POLLIN, 0};
        if (poll(&ready, 1, kPollMs) <= 0) {
            continue;
        }
        const int connection = accept(listener_, nullptr, nullptr);
        if (connection >= 0) {
            handle(connection);
            close(connection);
        }
    }
}

void HttpReceiver::handle(int connection) {
    std::string buffer;
    std::size_t header_end = std::string::npos;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        if (!read_more(connection, buffer)) {
            return;
        }
        if (static_cast<unsigned char>(buffer[0]) == 0x16) {
            return;  // a TLS handshake: this receiver speaks plain HTTP only, so hang up
        }
    }
    Request request;
    const std::string head = buffer.substr(0, header_end);
    std::size_t line_end = head.find("\r\n");
    const std::string first = head.substr(0, line_end);
    request.method = first.substr(0, first.find(' '));
    request.path = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
    while (line_end != std::string::npos) {
        const std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string line =
            head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
        const std::size_t colon = line.find(':');
        if (colon != std::string::npos) {
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            request.headers[lower(line.substr(0, colon))] = value;
        }
    }
    const std::size_t length =
        request.headers.count("content-length") > 0 ? std::stoul(request.headers["content-length"]) : 0;
    std::string body = buffer.substr(header_end + 4);
    while (body.size() < length) {
        if (!read_more(connection, body)) {
            return;
        }
    }
    request.body = body.substr(0, length);
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        received_.push_back(std::move(request));
    }
    if (const int delay = delay_ms_.load(); delay > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    }
    const std::string answer = "HTTP/1.1 " + std::to_string(status_.load()) +
                               " Test\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    (void)send(connection, answer.data(), answer.size(), MSG_NOSIGNAL);
}

}  // namespace onair::test
