// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nice/agent.h>

#include <cstdint>
#include <string>

#include "dtls_srtp.h"
#include "reception.h"
#include "rtcp_report.h"
#include "viewer.h"

namespace loadgen {

// A receive-only viewer without GStreamer: a libnice agent, an OpenSSL DTLS client and libsrtp2
// on the caller's GLib main context, so one thread serves every viewer. It answers with a minimal
// recvonly SDP carrying its candidates (nothing to trickle), decrypts RTP for the accounting and
// RTCP for the sender reports, never decodes, and sends a receiver report and REMB every second.
class NiceViewer : public Viewer {
public:
    NiceViewer(const PayloadClock& clock, const DtlsIdentity& identity);
    ~NiceViewer() override;

    void on_candidate(CandidateSink) override {}  // the answer carries every candidate
    std::string answer(const std::string& offer) override;
    ViewerReport report() const override { return reception_.report(); }

private:
    static void on_receive(NiceAgent*, guint stream, guint component, guint size, gchar* data, gpointer self);
    static void on_state(NiceAgent*, guint stream, guint component, guint state, gpointer self);
    static gboolean on_tick(gpointer self);
    void receive(std::uint8_t* packet, int size);
    void send(const std::uint8_t* data, std::size_t size);
    void send_reports();

    const DtlsIdentity& identity_;
    Reception reception_;
    NiceAgent* agent_ = nullptr;
    guint stream_ = 0;
    guint tick_ = 0;
    DtlsSrtp dtls_;
    ReceiverReports reports_;
};

}  // namespace loadgen
