// SPDX-License-Identifier: GPL-3.0-or-later
#include "dtls_srtp.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace loadgen {

namespace {

constexpr int key_length = 16, salt_length = 14;  // SRTP_AES128_CM_SHA1_80
constexpr int mtu = 1200;

std::string openssl_error(const char* what) {
    std::array<char, 256> text{};
    ERR_error_string_n(ERR_get_error(), text.data(), text.size());
    return std::string(what) + ": " + text.data();
}

// Self-signed and short-lived: it only has to last one benchmark.
X509* make_certificate(EVP_PKEY* key) {
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 7 * 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("onair-loadgen"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    if (!X509_sign(cert, key, EVP_sha256())) {
        X509_free(cert);
        throw std::runtime_error(openssl_error("X509_sign"));
    }
    return cert;
}

srtp_t make_session(const std::uint8_t* key, const std::uint8_t* salt, srtp_ssrc_type_t direction) {
    std::array<std::uint8_t, key_length + salt_length> material{};
    std::memcpy(material.data(), key, key_length);
    std::memcpy(material.data() + key_length, salt, salt_length);
    srtp_policy_t policy{};
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    policy.ssrc.type = direction;
    policy.key = material.data();
    policy.window_size = 1024;  // the replay window; reordering within it is still counted
    srtp_t session = nullptr;
    if (srtp_create(&session, &policy) != srtp_err_status_ok)
        return nullptr;
    return session;
}

}  // namespace

DtlsIdentity::DtlsIdentity() {
    // The broadcaster's webrtcbin shares this libsrtp and may have initialized it already, in which
    // case a second srtp_init fails harmlessly; a library that is truly unusable fails srtp_create.
    srtp_init();
    EVP_PKEY* key = EVP_EC_gen("prime256v1");
    if (!key)
        throw std::runtime_error(openssl_error("EVP_EC_gen"));
    X509* cert = make_certificate(key);
    context_ = SSL_CTX_new(DTLS_client_method());
    const bool configured = context_ && SSL_CTX_use_certificate(context_, cert) == 1 &&
                            SSL_CTX_use_PrivateKey(context_, key) == 1 &&
                            SSL_CTX_set_tlsext_use_srtp(context_, "SRTP_AES128_CM_SHA1_80") == 0;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    X509_digest(cert, EVP_sha256(), digest.data(), &size);
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!configured)
        throw std::runtime_error(openssl_error("DTLS context"));
    // Janus' certificate is not checked against its fingerprint: the load generator talks only to the
    // Janus it was pointed at, inside a private namespace.
    SSL_CTX_set_verify(context_, SSL_VERIFY_NONE, nullptr);
    for (unsigned int i = 0; i < size; ++i) {
        std::array<char, 4> hex{};
        std::snprintf(hex.data(), hex.size(), i ? ":%02X" : "%02X", digest[i]);
        fingerprint_ += hex.data();
    }
}

DtlsIdentity::~DtlsIdentity() { SSL_CTX_free(context_); }

DtlsSrtp::DtlsSrtp(const DtlsIdentity& identity, Send send) : send_(std::move(send)) {
    ssl_ = SSL_new(identity.context());
    incoming_ = BIO_new(BIO_s_mem());
    outgoing_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(incoming_, -1);
    BIO_set_mem_eof_return(outgoing_, -1);
    SSL_set_bio(ssl_, incoming_, outgoing_);
    SSL_set_connect_state(ssl_);
    // A memory BIO cannot find the path MTU: keep every flight under one the namespace carries.
    SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
    SSL_set_mtu(ssl_, mtu);
}

DtlsSrtp::~DtlsSrtp() {
    if (inbound_)
        srtp_dealloc(inbound_);
    if (outbound_)
        srtp_dealloc(outbound_);
    SSL_free(ssl_);  // frees both BIOs
}

void DtlsSrtp::start() {
    if (started_)
        return;
    started_ = true;
    advance();
}

void DtlsSrtp::receive_dtls(std::string_view record) {
    BIO_write(incoming_, record.data(), static_cast<int>(record.size()));
    if (!started_)
        return;  // a record before ICE said connected: the handshake reads it once started
    advance();
}

void DtlsSrtp::tick() {
    if (started_ && !ready() && !failed_ && DTLSv1_handle_timeout(ssl_) > 0)
        flush();
}

void DtlsSrtp::advance() {
    if (failed_)
        return;
    if (!SSL_is_init_finished(ssl_)) {
        const int result = SSL_do_handshake(ssl_);
        const bool done = result == 1;
        const bool waiting = result <= 0 && SSL_get_error(ssl_, result) == SSL_ERROR_WANT_READ;
        failed_ = done ? !install_keys() : !waiting;
    } else {
        // After the handshake only alerts and retransmitted flights arrive: read and drop them.
        std::array<char, 1500> discard{};
        while (SSL_read(ssl_, discard.data(), discard.size()) > 0) {
        }
    }
    flush();
}

void DtlsSrtp::flush() {
    std::array<std::uint8_t, 4096> buffer{};
    while (BIO_ctrl_pending(outgoing_) > 0) {
        const int size = BIO_read(outgoing_, buffer.data(), buffer.size());
        if (size <= 0)
            break;
        send_(buffer.data(), static_cast<std::size_t>(size));
    }
}

bool DtlsSrtp::install_keys() {
    const SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(ssl_);
    if (!profile || profile->id != SRTP_AES128_CM_SHA1_80)
        return false;
    // RFC 5764 4.2: client key, server key, client salt, server salt.
    std::array<std::uint8_t, 2 * (key_length + salt_length)> material{};
    static const char label[] = "EXTRACTOR-dtls_srtp";
    if (SSL_export_keying_material(ssl_, material.data(), material.size(), label, sizeof label - 1, nullptr,
                                   0, 0) != 1)
        return false;
    const std::uint8_t* client_key = material.data();
    const std::uint8_t* server_key = client_key + key_length;
    const std::uint8_t* client_salt = server_key + key_length;
    const std::uint8_t* server_salt = client_salt + salt_length;
    outbound_ = make_session(client_key, client_salt, ssrc_any_outbound);
    inbound_ = make_session(server_key, server_salt, ssrc_any_inbound);
    return inbound_ && outbound_;
}

bool DtlsSrtp::unprotect_rtp(std::uint8_t* packet, int& size) {
    return inbound_ && srtp_unprotect(inbound_, packet, &size) == srtp_err_status_ok;
}

bool DtlsSrtp::unprotect_rtcp(std::uint8_t* packet, int& size) {
    return inbound_ && srtp_unprotect_rtcp(inbound_, packet, &size) == srtp_err_status_ok;
}

bool DtlsSrtp::protect_rtcp(std::uint8_t* packet, int& size) {
    return outbound_ && srtp_protect_rtcp(outbound_, packet, &size) == srtp_err_status_ok;
}

}  // namespace loadgen
