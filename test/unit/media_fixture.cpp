// SPDX-License-Identifier: GPL-3.0-or-later
#include "media_fixture.h"

#include <CUnit/CUnit.h>

#include <cstdio>
#include <cstring>
#include <memory>

namespace media_test {
namespace {

Gateway* current = nullptr;

// The core frees a janus_plugin_session itself; here the Handle owns it.
void keep_handle(const janus_refcount*) {}

// The header every packet starts with: version 2, no padding, extension or CSRCs.
std::vector<char> header(int pt, std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts, bool marker) {
    std::vector<char> bytes(RTP_HEADER_SIZE);
    auto* rtp = reinterpret_cast<janus_rtp_header*>(bytes.data());
    rtp->version = 2;
    rtp->type = static_cast<std::uint16_t>(pt);
    rtp->markerbit = marker ? 1 : 0;
    rtp->seq_number = htons(seq);
    rtp->timestamp = htonl(ts);
    rtp->ssrc = htonl(ssrc);
    return bytes;
}

// VP8's payload descriptor (RFC 7741): X and S set, then I, then a 15-bit picture id (M set).
constexpr std::size_t kDescriptorSize = 4;

onair::media::MediaLines lines(int audio_pt, int video_pt) {
    onair::media::MediaLines lines;
    lines.audio_mindex = 0;
    lines.audio_pt = audio_pt;
    lines.video_mindex = 1;
    lines.video_pt = video_pt;
    return lines;
}

}  // namespace

onair::media::MediaLines publisher_lines() { return lines(kAudioPt, kVideoPt); }

onair::media::MediaLines viewer_lines() { return lines(kViewerAudioPt, kViewerVideoPt); }

Handle::Handle(onair::HandleId id, const onair::media::MediaLines& lines) {
    janus_refcount_init(&janus.ref, keep_handle);
    session = std::make_shared<onair::media::Session>(&janus, id);
    session->set_publisher_lines(lines);
    session->set_viewer_lines(lines);
    session->set_media_up(true);
}

Packet Packet::audio(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts) {
    Packet packet{header(kAudioPt, ssrc, seq, ts, false), false};
    packet.bytes.resize(RTP_HEADER_SIZE + 80, '\x5a');
    return packet;
}

Packet Packet::vp8(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts, std::uint16_t picture_id,
                   bool keyframe) {
    Packet packet{header(kVideoPt, ssrc, seq, ts, true), true};
    const std::uint8_t descriptor[kDescriptorSize] = {
        0x90, 0x80, static_cast<std::uint8_t>(0x80 | ((picture_id >> 8) & 0x7f)),
        static_cast<std::uint8_t>(picture_id & 0xff)};
    packet.bytes.insert(packet.bytes.end(), descriptor, descriptor + kDescriptorSize);
    // The VP8 frame tag: P (bit 0 of the first byte) clear on a keyframe, which then has the start
    // code 9d 01 2a and its size (640x360).
    const std::uint8_t frame[] = {static_cast<std::uint8_t>(keyframe ? 0x10 : 0x11),
                                  0x02,
                                  0x00,
                                  0x9d,
                                  0x01,
                                  0x2a,
                                  0x80,
                                  0x02,
                                  0x68,
                                  0x01};
    packet.bytes.insert(packet.bytes.end(), frame, frame + sizeof(frame));
    packet.bytes.resize(packet.bytes.size() + 100, '\x33');
    return packet;
}

janus_plugin_rtp Packet::plugin_rtp() {
    janus_plugin_rtp rtp{};
    rtp.mindex = video ? 1 : 0;
    rtp.video = video;
    rtp.buffer = bytes.data();
    rtp.length = static_cast<std::uint16_t>(bytes.size());
    janus_plugin_rtp_extensions_reset(&rtp.extensions);
    return rtp;
}

// janus_callbacks' members are const: only an initializer sets them, and the relay uses two.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
Gateway::Gateway() : callbacks_{.relay_rtp = relay_rtp, .send_pli_stream = send_pli_stream} {
    CU_ASSERT_PTR_NULL(current);
    current = this;
}
#pragma GCC diagnostic pop

Gateway::~Gateway() { current = nullptr; }

void Gateway::relay_rtp(janus_plugin_session* handle, janus_plugin_rtp* packet) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(current);
    CU_ASSERT_FATAL(packet->buffer && packet->length >= RTP_HEADER_SIZE);
    const auto* rtp = reinterpret_cast<const janus_rtp_header*>(packet->buffer);
    Sent sent{.handle = handle,
              .video = packet->video != 0,
              .mindex = packet->mindex,
              .pt = rtp->type,
              .ssrc = ntohl(rtp->ssrc),
              .seq = ntohs(rtp->seq_number),
              .ts = ntohl(rtp->timestamp)};
    int length = 0;
    const char* payload = janus_rtp_payload(packet->buffer, packet->length, &length);
    if (sent.video && payload && length > static_cast<int>(kDescriptorSize)) {
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(payload);
        sent.picture_id = ((bytes[2] & 0x7f) << 8) | bytes[3];
        sent.keyframe = janus_vp8_is_keyframe(payload, length);
    }
    current->sent_.push_back(sent);
}

void Gateway::send_pli_stream(janus_plugin_session*, int mindex) {
    CU_ASSERT_EQUAL(mindex, 1);
    ++current->plis_;
}

std::vector<Sent> Gateway::sent_to(const Handle& handle, bool video) const {
    std::vector<Sent> stream;
    for (const Sent& sent : sent_) {
        if (sent.handle == &handle.janus && sent.video == video)
            stream.push_back(sent);
    }
    return stream;
}

int discontinuities(const std::vector<Sent>& stream) {
    int problems = 0;
    for (std::size_t index = 1; index < stream.size(); ++index) {
        const Sent& previous = stream[index - 1];
        const Sent& next = stream[index];
        const bool seq_ok = next.seq == static_cast<std::uint16_t>(previous.seq + 1);
        // RTP timestamps wrap: what counts is the signed distance.
        const bool ts_ok = static_cast<std::int32_t>(next.ts - previous.ts) >= 0;
        if (!seq_ok || !ts_ok) {
            std::fprintf(stderr, "\n    packet %zu: seq %u -> %u, ts %u -> %u", index, previous.seq, next.seq,
                         previous.ts, next.ts);
            ++problems;
        }
    }
    return problems;
}

}  // namespace media_test
