// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <openssl/ssl.h>
#include <srtp2/srtp.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace loadgen {

// The process's DTLS identity: one self-signed ECDSA certificate and one client context shared by
// every viewer (what matters to Janus is that the certificate matches the answer's fingerprint).
class DtlsIdentity {
public:
    DtlsIdentity();  // also initializes libsrtp; throws on failure
    ~DtlsIdentity();
    DtlsIdentity(const DtlsIdentity&) = delete;
    DtlsIdentity& operator=(const DtlsIdentity&) = delete;

    const std::string& fingerprint() const { return fingerprint_; }  // sha-256, "AB:CD:..."
    SSL_CTX* context() const { return context_; }

private:
    SSL_CTX* context_ = nullptr;
    std::string fingerprint_;
};

// One DTLS-SRTP client over a datagram transport it does not own: DTLS records go in through
// `receive_dtls` and out through the `send` callback (memory BIOs, no sockets), and once the
// handshake is done the exported keys (RFC 5764) protect and unprotect SRTP and SRTCP.
class DtlsSrtp {
public:
    using Send = std::function<void(const std::uint8_t* data, std::size_t size)>;

    DtlsSrtp(const DtlsIdentity& identity, Send send);
    ~DtlsSrtp();
    DtlsSrtp(const DtlsSrtp&) = delete;
    DtlsSrtp& operator=(const DtlsSrtp&) = delete;

    void start();  // sends the ClientHello
    void receive_dtls(std::string_view record);
    void tick();  // retransmits a lost flight when its timer ran out
    bool ready() const { return inbound_ && outbound_; }
    bool failed() const { return failed_; }

    // In place; false when the packet does not authenticate. `size` is updated.
    bool unprotect_rtp(std::uint8_t* packet, int& size);
    bool unprotect_rtcp(std::uint8_t* packet, int& size);
    // In place; `packet` needs SRTP_MAX_TRAILER_LEN bytes of room after `size`.
    bool protect_rtcp(std::uint8_t* packet, int& size);

private:
    void advance();  // drives the handshake, then installs the SRTP keys
    void flush();    // sends what OpenSSL wrote
    bool install_keys();

    Send send_;
    SSL* ssl_ = nullptr;
    BIO* incoming_ = nullptr;  // owned by ssl_
    BIO* outgoing_ = nullptr;  // owned by ssl_
    bool started_ = false, failed_ = false;
    srtp_t inbound_ = nullptr, outbound_ = nullptr;
};

}  // namespace loadgen
