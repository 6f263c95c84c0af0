// SPDX-License-Identifier: GPL-3.0-or-later
// SDP from clients through the plugin's handling (janus/sdp.cpp on Janus' own sdp-utils.c): a
// broadcaster's offer answered by answer_publisher_offer, or a viewer's answer checked against the
// offer make_viewer_offer wrote.
//
// Input: one flags byte, then the SDP text.
//   bit 0: 0 = a broadcaster's offer, 1 = a viewer's answer
//   bit 1: the broadcaster's site wants audio (accept_audio)
//   bits 2-3: the jsep's "simulcast" member Janus would add: 0 none, 1 rids of m-line 0, 2 rids of
//             m-line 1, 3 SSRCs of m-line 0
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "janus/sdp.h"
#include "media/janus_api.h"

namespace {

using onair::ErrorCode;
using namespace onair::janus;

// The checks below are what the plugin relies on; a broken one is a finding, like a sanitizer's.
void require(bool condition) {
    if (!condition)
        __builtin_trap();
}

onair::JsonPtr simulcast_member(int variant) {
    const char* text = nullptr;
    switch (variant) {
        case 1:
            text = R"([{"mindex": 0, "rids": ["h", "m", "l"], "rid-ext": 4}])";
            break;
        case 2:
            text = R"([{"mindex": 1, "rids": ["f", "q"], "rid-ext": 10}])";
            break;
        case 3:
            text = R"([{"mindex": 0, "ssrcs": [11, 22, 33]}])";
            break;
        default:
            return nullptr;
    }
    return onair::JsonPtr(json_loads(text, 0, nullptr));
}

struct SdpFree {
    void operator()(janus_sdp* sdp) const { janus_sdp_destroy(sdp); }
};

// An accepted publisher answer: Janus (and the browser) can read it, it has one m-line per offered
// one, and the lines the relay was told about are what the answer says.
void check_answer(const std::string& offer_text, const NegotiatedSdp& answer, bool accept_audio) {
    char error[256];
    std::unique_ptr<janus_sdp, SdpFree> offer(janus_sdp_parse(offer_text.c_str(), error, sizeof(error)));
    std::unique_ptr<janus_sdp, SdpFree> parsed(janus_sdp_parse(answer.sdp.c_str(), error, sizeof(error)));
    require(offer && parsed);
    require(g_list_length(parsed->m_lines) == g_list_length(offer->m_lines));
    require(answer.lines.has_video());
    const janus_sdp_mline* video = janus_sdp_mline_find_by_index(parsed.get(), answer.lines.video_mindex);
    require(video && video->type == JANUS_SDP_VIDEO && video->port > 0 &&
            video->direction == JANUS_SDP_RECVONLY);
    require(janus_sdp_get_codec_pt(parsed.get(), answer.lines.video_mindex, "vp8") == answer.lines.video_pt);
    if (answer.lines.has_audio()) {
        require(accept_audio);
        const janus_sdp_mline* audio = janus_sdp_mline_find_by_index(parsed.get(), answer.lines.audio_mindex);
        require(audio && audio->type == JANUS_SDP_AUDIO && audio->direction == JANUS_SDP_RECVONLY);
        require(janus_sdp_get_codec_pt(parsed.get(), answer.lines.audio_mindex, "opus") ==
                answer.lines.audio_pt);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    const std::uint8_t flags = data[0];
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    if (flags & 1) {
        onair::Result<NegotiatedSdp> offer = make_viewer_offer(1);
        require(offer.ok());
        onair::Status checked = check_viewer_answer(text, offer.value().lines);
        require(checked.ok() || checked.error().code == ErrorCode::InvalidSdp);
        return 0;
    }
    const bool accept_audio = flags & 2;
    onair::JsonPtr simulcast = simulcast_member((flags >> 2) & 3);
    onair::Result<NegotiatedSdp> answer = answer_publisher_offer(text, accept_audio, 1, simulcast.get());
    if (!answer) {
        require(answer.error().code == ErrorCode::InvalidSdp);
        return 0;
    }
    check_answer(text, answer.value(), accept_audio);
    return 0;
}
