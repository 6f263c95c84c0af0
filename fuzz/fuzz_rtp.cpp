// SPDX-License-Identifier: GPL-3.0-or-later
// A broadcaster's RTP through the relay's fan-out (media/fanout.cpp, media/viewer_leg.cpp on Janus'
// own rtp.c): any packets, with or without simulcast, to up to three viewers whose packets go to a
// stand-in for Janus' relay_rtp that checks what each would receive: the negotiated payload type
// and m-line, the packet's own length, sequence numbers that continue across a change of source,
// and the publisher's packet left as it came for the next viewer.
//
// Input: one set-up byte, then packet records until the input ends.
//   set-up byte: bits 0-1: viewers (1 + value % 3); bits 2-3: the publisher's simulcast (0 or 3:
//                none, 1: layers by SSRC 11, 22, 33, 2: layers by rid "q", "h", "f" on header
//                extension 4)
//   record: a control byte, a length byte N, then N bytes of packet (fewer when the input ends)
//     control bits 0-1: the SSRC written into the packet: layer SSRC 11, 22 or 33; 3 keeps the bytes'
//     control bit 2:    video (else audio)
//     control bit 3:    write RTP version 2 and the negotiated payload type (VP8 96, Opus 111)
//     control bits 4-5: a REMB estimate for viewer N % viewers first: none, 100 kb/s, 1 Mb/s, 10 Mb/s
//     control bit 6:    that viewer's PeerConnection goes down (or back up) first
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "media/fanout.h"
#include "media/janus_api.h"
#include "media/session.h"

namespace {

using namespace onair;

constexpr int kAudioPt = 111;
constexpr int kVideoPt = 96;
constexpr std::array<std::uint32_t, media::kMaxLayers> kLayerSsrcs{11, 22, 33};

void require(bool condition) {
    if (!condition)
        __builtin_trap();
}

// What the stand-in relay_rtp checks against: the packet being relayed and, per viewer handle and
// medium, the source SSRC and the sequence number of the last packet that viewer was sent.
struct Sent {
    std::uint32_t source_ssrc;
    std::uint16_t seq;
};
struct Relayed {
    const janus_plugin_rtp* input = nullptr;
    std::uint32_t input_ssrc = 0;
    std::map<std::pair<const janus_plugin_session*, bool>, Sent> last;
};
Relayed relayed;

void relay_rtp(janus_plugin_session* handle, janus_plugin_rtp* packet) {
    const janus_plugin_rtp* input = relayed.input;
    require(input && packet->video == input->video);
    // The viewer's copy is the publisher's packet, rewritten in place: same bytes, same length.
    require(packet->buffer == input->buffer && packet->length == input->length);
    require(packet->length >= RTP_HEADER_SIZE);
    const auto* header = reinterpret_cast<const janus_rtp_header*>(packet->buffer);
    require(header->type == (packet->video ? kVideoPt : kAudioPt));
    require(packet->mindex == (packet->video ? 1 : 0));
    // The core sends every packet of a viewer's stream with that stream's own SSRC; what the relay
    // owes it is sequence numbers that do not jump when the source changes (a new publisher
    // PeerConnection, another simulcast layer): the viewer's jitter buffer would see a gap.
    const std::uint16_t seq = ntohs(header->seq_number);
    auto [last, first] = relayed.last.try_emplace({handle, packet->video}, Sent{relayed.input_ssrc, seq});
    if (!first) {
        if (last->second.source_ssrc != relayed.input_ssrc)
            require(seq == static_cast<std::uint16_t>(last->second.seq + 1));
        last->second = Sent{relayed.input_ssrc, seq};
    }
}

// What reaches a plugin has passed libsrtp's srtp_unprotect, which refuses a packet whose CSRC list
// or header extension runs past its end (Janus' own rtp.c reads such headers without checking).
bool header_fits(const std::vector<char>& packet) {
    if (packet.size() < RTP_HEADER_SIZE)
        return true;  // too short for the fanout to look at; it must drop it
    const auto* header = reinterpret_cast<const janus_rtp_header*>(packet.data());
    std::size_t length = RTP_HEADER_SIZE + 4 * header->csrccount;
    if (header->extension) {
        if (packet.size() < length + 4)
            return false;
        const auto* extension = reinterpret_cast<const std::uint8_t*>(packet.data() + length);
        length += 4 + 4 * ((extension[2] << 8) | extension[3]);
    }
    return packet.size() >= length;
}

void send_pli_stream(janus_plugin_session*, int mindex) { require(mindex == 1); }

janus_callbacks gateway = {.relay_rtp = relay_rtp, .send_pli_stream = send_pli_stream};

void keep_handle(const janus_refcount*) {}

// A Janus handle and its session, as the plugin would have them.
struct Handle {
    janus_plugin_session janus{};
    media::SessionPtr session;

    explicit Handle(HandleId id) {
        janus_refcount_init(&janus.ref, keep_handle);
        session = std::make_shared<media::Session>(&janus, id);
        session->set_media_up(true);
    }
};

media::MediaLines publisher_lines(int simulcast) {
    media::MediaLines lines{.audio_mindex = 0, .audio_pt = kAudioPt, .video_mindex = 1, .video_pt = kVideoPt};
    if (simulcast == 1)
        lines.simulcast.ssrcs = kLayerSsrcs;
    if (simulcast == 2) {
        lines.simulcast.rids = {"q", "h", "f"};
        lines.simulcast.rid_extension = 4;
    }
    return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    const std::size_t viewer_count = 1 + data[0] % 3;
    relayed = Relayed{};

    // Handles outlive the fanout, which holds their sessions.
    std::vector<std::unique_ptr<Handle>> handles;
    for (std::size_t index = 0; index <= viewer_count; ++index)
        handles.push_back(std::make_unique<Handle>(index + 1));
    auto fanout = std::make_unique<media::Fanout>(&gateway);
    handles[0]->session->set_publisher_lines(publisher_lines((data[0] >> 2) & 3));
    fanout->set_publisher(handles[0]->session);
    for (std::size_t index = 1; index <= viewer_count; ++index) {
        handles[index]->session->set_viewer_lines(media::MediaLines{
            .audio_mindex = 0, .audio_pt = kAudioPt, .video_mindex = 1, .video_pt = kVideoPt});
        fanout->add_viewer(handles[index]->session);
    }

    std::size_t at = 1;
    while (at + 2 <= size) {
        const std::uint8_t control = data[at];
        const std::size_t length = std::min<std::size_t>(data[at + 1], size - at - 2);
        at += 2;
        Handle& viewer = *handles[1 + length % viewer_count];
        if (control & 0x40)
            viewer.session->set_media_up(!viewer.session->media_up());
        static constexpr std::array<std::uint32_t, 4> kEstimates{0, 100'000, 1'000'000, 10'000'000};
        if (const std::uint32_t estimate = kEstimates[(control >> 4) & 3])
            fanout->viewer_feedback(&viewer.janus, true, media::RtcpFeedback{.estimate_bps = estimate},
                                    janus_get_monotonic_time());

        // An exact-size copy, so ASan sees any access past the packet's end.
        std::vector<char> buffer(data + at, data + at + length);
        at += length;
        const bool video = control & 4;
        if (buffer.size() >= RTP_HEADER_SIZE) {
            auto* header = reinterpret_cast<janus_rtp_header*>(buffer.data());
            if ((control & 3) != 3)
                header->ssrc = htonl(kLayerSsrcs[control & 3]);
            if (control & 8) {
                header->version = 2;
                header->type = video ? kVideoPt : kAudioPt;
            }
        }
        if (!header_fits(buffer))
            continue;
        const std::vector<char> original = buffer;
        janus_plugin_rtp packet{.mindex = video ? 1 : 0,
                                .video = video,
                                .buffer = buffer.data(),
                                .length = static_cast<std::uint16_t>(buffer.size())};
        janus_plugin_rtp_extensions_reset(&packet.extensions);
        relayed.input = &packet;
        relayed.input_ssrc = buffer.size() >= RTP_HEADER_SIZE
                                 ? ntohl(reinterpret_cast<const janus_rtp_header*>(buffer.data())->ssrc)
                                 : 0;
        fanout->forward_rtp(&packet);
        relayed.input = nullptr;
        require(buffer == original);  // every viewer's rewrite is undone for the next one
    }
    fanout->take_all();
    return 0;
}
