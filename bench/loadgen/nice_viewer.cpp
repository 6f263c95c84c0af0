// SPDX-License-Identifier: GPL-3.0-or-later
#include "nice_viewer.h"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "sdp_answer.h"

namespace loadgen {

namespace {

constexpr guint component = 1;                 // rtcp-mux and BUNDLE: one component carries everything
constexpr std::uint32_t remb_bps = 5'000'000;  // well above the broadcast: never a limit
constexpr std::size_t max_packet = 1500;

// The local address the kernel sends from to reach `remote`: the name of a connected UDP socket.
bool route_to(const NiceAddress& remote, NiceAddress& local) {
    sockaddr_storage to{}, from{};
    nice_address_copy_to_sockaddr(&remote, reinterpret_cast<sockaddr*>(&to));
    const int fd = socket(to.ss_family, SOCK_DGRAM, 0);
    if (fd < 0)
        return false;
    socklen_t size = sizeof from;
    const socklen_t to_size = to.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    const bool routed = connect(fd, reinterpret_cast<sockaddr*>(&to), to_size) == 0 &&
                        getsockname(fd, reinterpret_cast<sockaddr*>(&from), &size) == 0;
    close(fd);
    if (!routed)
        return false;
    nice_address_init(&local);
    nice_address_set_from_sockaddr(&local, reinterpret_cast<sockaddr*>(&from));
    nice_address_set_port(&local, 0);
    return true;
}

bool is_dtls(std::uint8_t first) { return first >= 20 && first <= 63; }  // RFC 7983
bool is_rtp_or_rtcp(std::uint8_t first) { return first >= 128 && first <= 191; }
bool is_rtcp(std::uint8_t second) { return second >= 192 && second <= 223; }  // RFC 5761 4

}  // namespace

NiceStack::NiceStack() : tick_(g_timeout_add_seconds(1, on_tick, this)) {}

NiceStack::~NiceStack() { g_source_remove(tick_); }

gboolean NiceStack::on_tick(gpointer self) {
    for (NiceViewer* viewer : static_cast<NiceStack*>(self)->viewers_)
        viewer->tick();
    return G_SOURCE_CONTINUE;
}

NiceViewer::NiceViewer(const PayloadClock& clock, NiceStack& stack)
    : stack_(stack),
      reception_(clock),
      agent_(
          nice_agent_new_full(g_main_context_default(), NICE_COMPATIBILITY_RFC5245, NICE_AGENT_OPTION_NONE)),
      dtls_(stack.identity(), [this](const std::uint8_t* data, std::size_t size) { send(data, size); }),
      reports_(g_random_int(), remb_bps) {
    // UDP host candidates only: no UPnP (a context per interface), no ICE-TCP listening sockets;
    // answer() picks the one local address.
    g_object_set(agent_, "upnp", FALSE, "ice-tcp", FALSE, nullptr);
    stream_ = nice_agent_add_stream(agent_, 1);
    if (!stream_)
        throw std::runtime_error("nice_agent_add_stream failed");
    g_signal_connect(agent_, "component-state-changed", G_CALLBACK(on_state), this);
    nice_agent_attach_recv(agent_, stream_, component, g_main_context_default(), on_receive, this);
    stack_.add(this);
}

NiceViewer::~NiceViewer() {
    stack_.remove(this);
    nice_agent_attach_recv(agent_, stream_, component, g_main_context_default(), nullptr, nullptr);
    g_signal_handlers_disconnect_by_data(agent_, this);
    nice_agent_remove_stream(agent_, stream_);
    g_object_unref(agent_);
}

std::string NiceViewer::answer(const std::string& offer_sdp) {
    reception_.learn_codecs(offer_sdp);
    const SdpOffer offer = parse_offer(offer_sdp);
    if (offer.ice_ufrag.empty() || offer.ice_pwd.empty())
        throw std::runtime_error("offer without ICE credentials");
    // The offerer controls, unless it is ICE lite (RFC 8445 6.1.1).
    g_object_set(agent_, "controlling-mode", offer.ice_lite ? TRUE : FALSE, nullptr);
    GSList* remote = nullptr;  // in reverse offer order
    for (const auto& line : offer.candidates) {
        NiceCandidate* candidate = nice_agent_parse_remote_candidate_sdp(agent_, stream_, line.c_str());
        if (candidate && candidate->component_id == component &&
            candidate->transport == NICE_CANDIDATE_TRANSPORT_UDP)
            remote = g_slist_prepend(remote, candidate);
        else if (candidate)
            nice_candidate_free(candidate);
    }
    if (!remote)
        throw std::runtime_error("the offer has no usable UDP candidate");
    // One host candidate, on the address that routes to Janus' first candidate: every further
    // interface would be one more socket that every main-loop iteration polls.
    NiceAddress local_address;
    if (route_to(static_cast<NiceCandidate*>(g_slist_last(remote)->data)->addr, local_address))
        nice_agent_add_local_address(agent_, &local_address);
    const bool gathering = nice_agent_gather_candidates(agent_, stream_);
    nice_agent_set_remote_credentials(agent_, stream_, offer.ice_ufrag.c_str(), offer.ice_pwd.c_str());
    const int added = gathering ? nice_agent_set_remote_candidates(agent_, stream_, component, remote) : 0;
    g_slist_free_full(remote, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
    if (added <= 0)
        throw std::runtime_error("ICE gathering failed");

    SdpTransport local;
    gchar *ufrag = nullptr, *pwd = nullptr;
    nice_agent_get_local_credentials(agent_, stream_, &ufrag, &pwd);
    local.ice_ufrag = ufrag;
    local.ice_pwd = pwd;
    g_free(ufrag);
    g_free(pwd);
    local.fingerprint = stack_.identity().fingerprint();
    // Host candidates exist as soon as gathering starts (no STUN or TURN servers are set).
    GSList* candidates = nice_agent_get_local_candidates(agent_, stream_, component);
    for (GSList* item = candidates; item; item = item->next) {
        gchar* line =
            nice_agent_generate_local_candidate_sdp(agent_, static_cast<NiceCandidate*>(item->data));
        local.candidates.emplace_back(line);
        g_free(line);
    }
    g_slist_free_full(candidates, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
    if (local.candidates.empty())
        throw std::runtime_error("no local ICE candidate");
    return make_answer(offer, local, g_random_int(),
                       [this](int pt) { return reception_.codec(pt) != nullptr; });
}

void NiceViewer::on_state(NiceAgent*, guint, guint, guint state, gpointer self) {
    // setup:active: this side is the DTLS client and starts once ICE has a working pair.
    if (state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY)
        static_cast<NiceViewer*>(self)->dtls_.start();
}

void NiceViewer::on_receive(NiceAgent*, guint, guint, guint size, gchar* data, gpointer self) {
    if (size == 0 || size > max_packet)
        return;
    // libsrtp decrypts in place, and the buffer is libnice's: work on a copy.
    std::array<std::uint8_t, max_packet + SRTP_MAX_TRAILER_LEN> packet{};
    std::memcpy(packet.data(), data, size);
    static_cast<NiceViewer*>(self)->receive(packet.data(), static_cast<int>(size));
}

void NiceViewer::receive(std::uint8_t* packet, int size) {
    const std::int64_t arrival = now_us();
    if (is_dtls(packet[0])) {
        dtls_.receive_dtls({reinterpret_cast<const char*>(packet), static_cast<std::size_t>(size)});
        return;
    }
    if (!is_rtp_or_rtcp(packet[0]) || size < 12)
        return;
    if (is_rtcp(packet[1])) {
        if (dtls_.unprotect_rtcp(packet, size))
            reports_.rtcp({reinterpret_cast<const char*>(packet), static_cast<std::size_t>(size)}, arrival);
        return;
    }
    if (!dtls_.unprotect_rtp(packet, size))
        return;
    RtpPacket rtp;
    if (!parse_rtp({reinterpret_cast<const char*>(packet), static_cast<std::size_t>(size)}, rtp))
        return;
    const Reception::Codec* codec = reception_.codec(rtp.payload_type);
    if (!codec)
        return;
    reports_.rtp(rtp.ssrc, codec->clock_rate, rtp.seq, rtp.timestamp, arrival);
    reception_.packet(rtp, *codec, arrival);
}

void NiceViewer::send(const std::uint8_t* data, std::size_t size) {
    nice_agent_send(agent_, stream_, component, static_cast<guint>(size),
                    reinterpret_cast<const gchar*>(data));
}

void NiceViewer::tick() {
    dtls_.tick();
    if (dtls_.ready())
        send_reports();
}

void NiceViewer::send_reports() {
    const std::int64_t now = now_us();
    for (std::size_t stream = 0; stream < reports_.streams(); ++stream) {
        std::array<std::uint8_t, 128> packet{};
        int size = static_cast<int>(
            reports_.write(stream, packet.data(), packet.size() - SRTP_MAX_TRAILER_LEN, now));
        if (size > 0 && dtls_.protect_rtcp(packet.data(), size))
            send(packet.data(), static_cast<std::size_t>(size));
    }
}

}  // namespace loadgen
