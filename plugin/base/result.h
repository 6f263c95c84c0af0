// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace onair {

// Protocol error codes (docs/protocol.md, "Errors").
enum class ErrorCode : int {
    NoMessage = 540,
    InvalidJson = 541,
    UnknownRequest = 542,
    MissingElement = 543,
    InvalidElement = 544,
    UnknownSite = 545,
    Unauthorized = 546,
    WrongState = 547,
    NotLive = 548,
    NotFound = 549,
    LimitExceeded = 550,
    RateLimited = 551,
    InvalidSdp = 552,
    TooLarge = 553,
    Internal = 554,
};

struct Error {
    ErrorCode code;
    std::string message;
};

// A value or a protocol error; the plugin answers every failed request with the error as is.
template <typename T>
class Result {
public:
    Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<T>(state_); }
    const T& value() const { return std::get<T>(state_); }
    const Error& error() const { return std::get<Error>(state_); }

private:
    std::variant<T, Error> state_;
};

struct Ok {};
using Status = Result<Ok>;

inline Error fail(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace onair
