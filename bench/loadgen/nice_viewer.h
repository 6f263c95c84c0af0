// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nice/agent.h>

#include <cstdint>
#include <set>
#include <string>

#include "dtls_srtp.h"
#include "reception.h"
#include "rtcp_report.h"
#include "viewer.h"

namespace loadgen {

class NiceViewer;

// What every nice viewer of the process shares: the DTLS identity, and one timer that ticks them
// all once a second (a timer per viewer would be one more GLib source that every main-loop
// iteration prepares and checks).
class NiceStack {
public:
    NiceStack();
    ~NiceStack();
    NiceStack(const NiceStack&) = delete;
    NiceStack& operator=(const NiceStack&) = delete;

    const DtlsIdentity& identity() const { return identity_; }
    void add(NiceViewer* viewer) { viewers_.insert(viewer); }
    void remove(NiceViewer* viewer) { viewers_.erase(viewer); }

private:
    static gboolean on_tick(gpointer self);
    DtlsIdentity identity_;
    std::set<NiceViewer*> viewers_;
    guint tick_ = 0;
};

// A receive-only viewer without GStreamer: a libnice agent, an OpenSSL DTLS client and libsrtp2
// on the caller's GLib main context, so one thread serves every viewer. It answers with a minimal
// recvonly SDP carrying its candidates (nothing to trickle), decrypts RTP for the accounting and
// RTCP for the sender reports, never decodes, and sends a receiver report and REMB every second.
class NiceViewer : public Viewer {
public:
    NiceViewer(const PayloadClock& clock, NiceStack& stack);
    ~NiceViewer() override;

    void on_candidate(CandidateSink) override {}  // the answer carries every candidate
    std::string answer(const std::string& offer_sdp) override;
    ViewerReport report() const override { return reception_.report(); }
    // Once a second: DTLS retransmissions during the handshake, then the receiver reports.
    void tick();

private:
    static void on_receive(NiceAgent*, guint stream, guint component, guint size, gchar* data, gpointer self);
    static void on_state(NiceAgent*, guint stream, guint component, guint state, gpointer self);
    void receive(std::uint8_t* packet, int size);
    void send(const std::uint8_t* data, std::size_t size);
    void send_reports();

    NiceStack& stack_;
    Reception reception_;
    NiceAgent* agent_ = nullptr;
    guint stream_ = 0;
    DtlsSrtp dtls_;
    ReceiverReports reports_;
};

}  // namespace loadgen
