// SPDX-License-Identifier: GPL-3.0-or-later
// A real HTTP/1.1 receiver on 127.0.0.1 for the callback sender's tests: it answers every POST
// with the status it is told and remembers what came (headers lowercased, body).
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace onair::test {

// An http://127.0.0.1 URL on a port nobody listens on (bound for a moment, then closed).
std::string unused_url();

class HttpReceiver {
public:
    HttpReceiver();  // listening on a free port, serving on its own thread
    ~HttpReceiver();
    HttpReceiver(const HttpReceiver&) = delete;
    HttpReceiver& operator=(const HttpReceiver&) = delete;

    [[nodiscard]] std::string url(const std::string& path = "/hook") const;
    [[nodiscard]] int port() const { return port_; }
    void set_status(int status) { status_.store(status); }
    void set_delay_ms(int delay) { delay_ms_.store(delay); }

    struct Request {
        std::string method;
        std::string path;
        std::map<std::string, std::string> headers;
        std::string body;
    };
    [[nodiscard]] std::vector<Request> received() const;

private:
    void serve();
    void handle(int connection);

    int listener_ = -1;
    int port_ = 0;
    std::atomic<int> status_{200};
    std::atomic<int> delay_ms_{0};
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<Request> received_;
    std::thread thread_;
};

}  // namespace onair::test
