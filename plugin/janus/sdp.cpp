// SPDX-License-Identifier: GPL-3.0-or-later
#include "janus/sdp.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "media/janus_api.h"

namespace onair::janus {
namespace {

struct SdpDestroy {
    void operator()(janus_sdp* sdp) const { janus_sdp_destroy(sdp); }
};
using SdpPtr = std::unique_ptr<janus_sdp, SdpDestroy>;

struct GFree {
    void operator()(char* text) const { g_free(text); }
};
using GString = std::unique_ptr<char, GFree>;

// What the viewer offer uses; browsers answer with the payload types they are offered.
constexpr int kViewerAudioPt = 111;
constexpr int kViewerVideoPt = 96;
constexpr const char* kStreamId = "onair";

Error invalid(std::string message) { return fail(ErrorCode::InvalidSdp, std::move(message)); }

Result<SdpPtr> parse(const std::string& text, const char* what) {
    char error[256] = "";
    SdpPtr sdp(janus_sdp_parse(text.c_str(), error, sizeof(error)));
    if (!sdp)
        return invalid(std::string("Invalid SDP ") + what + ": " + (error[0] ? error : "unparsable"));
    return sdp;
}

bool sends(janus_sdp_mdirection direction) {
    return direction == JANUS_SDP_DEFAULT || direction == JANUS_SDP_SENDRECV ||
           direction == JANUS_SDP_SENDONLY;
}

bool receives(janus_sdp_mdirection direction) {
    return direction == JANUS_SDP_DEFAULT || direction == JANUS_SDP_SENDRECV ||
           direction == JANUS_SDP_RECVONLY;
}

// Janus writes an m-line's payload types only for an RTP profile (UDP/TLS/RTP/SAVPF and the like):
// an audio or video m-line on any other transport would be answered with no formats at all, an
// answer that neither Janus nor the browser can parse.
bool rtp_profile(const janus_sdp_mline* m) { return m->proto && std::strstr(m->proto, "RTP/"); }

void reject(janus_sdp* offer, janus_sdp* answer, janus_sdp_mline* offered) {
    janus_sdp_generate_answer_mline(offer, answer, offered, JANUS_SDP_OA_MLINE, offered->type,
                                    JANUS_SDP_OA_ENABLED, FALSE, JANUS_SDP_OA_DONE);
}

// Janus' "simulcast" jsep member: [{mindex, rids: [highest first], "rid-ext"} | {mindex, ssrcs: [lowest
// first]}].
media::Simulcast read_simulcast(const json_t* simulcast, int mindex) {
    media::Simulcast layers;
    std::size_t index = 0;
    const json_t* entry = nullptr;
    json_array_foreach(simulcast, index, entry) {
        if (json_integer_value(json_object_get(entry, "mindex")) != mindex)
            continue;
        const json_t* rids = json_object_get(entry, "rids");
        const std::size_t count = std::min<std::size_t>(json_array_size(rids), media::kMaxLayers);
        for (std::size_t layer = 0; layer < count; ++layer) {
            const char* rid = json_string_value(json_array_get(rids, count - 1 - layer));
            layers.rids[layer] = rid ? rid : "";
        }
        layers.rid_extension = static_cast<int>(json_integer_value(json_object_get(entry, "rid-ext")));
        const json_t* ssrcs = json_object_get(entry, "ssrcs");
        for (std::size_t layer = 0; layer < media::kMaxLayers && layer < json_array_size(ssrcs); ++layer)
            layers.ssrcs[layer] =
                static_cast<std::uint32_t>(json_integer_value(json_array_get(ssrcs, layer)));
    }
    return layers;
}

// Drops one rtcp-fb kind from every payload type of an m-line.
void drop_feedback(janus_sdp_mline* m, const char* kind) {
    for (GList* node = m->attributes; node;) {
        auto* attribute = static_cast<janus_sdp_attribute*>(node->data);
        GList* next = node->next;
        if (attribute->name && attribute->value && std::strcmp(attribute->name, "rtcp-fb") == 0 &&
            std::strstr(attribute->value, kind)) {
            m->attributes = g_list_delete_link(m->attributes, node);
            janus_sdp_attribute_destroy(attribute);
        }
        node = next;
    }
}

Result<std::string> write(janus_sdp* sdp, unsigned version) {
    sdp->o_version = version;
    GString text(janus_sdp_write(sdp));
    if (!text)
        return fail(ErrorCode::Internal, "Could not write SDP");
    return std::string(text.get());
}

}  // namespace

Result<NegotiatedSdp> answer_publisher_offer(const std::string& offer_text, bool accept_audio,
                                             unsigned version, const json_t* simulcast) {
    Result<SdpPtr> parsed = parse(offer_text, "offer");
    if (!parsed)
        return parsed.error();
    janus_sdp* offer = parsed.value().get();
    SdpPtr answer(janus_sdp_generate_answer(offer));
    if (!answer)
        return fail(ErrorCode::Internal, "Could not prepare an SDP answer");

    NegotiatedSdp result;
    bool video_offered_elsewise = false;  // a video m-line that cannot be used, for a precise error
    for (GList* node = offer->m_lines; node; node = node->next) {
        auto* m = static_cast<janus_sdp_mline*>(node->data);
        const bool usable = m->port > 0 && sends(m->direction) && rtp_profile(m);
        if (m->type == JANUS_SDP_VIDEO && !result.lines.has_video() && usable &&
            janus_sdp_get_codec_pt(offer, m->index, "vp8") >= 0) {
            janus_sdp_generate_answer_mline(
                offer, answer.get(), m, JANUS_SDP_OA_MLINE, JANUS_SDP_VIDEO, JANUS_SDP_OA_CODEC, "vp8",
                JANUS_SDP_OA_DIRECTION, JANUS_SDP_RECVONLY, JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_MID,
                // Without the rid extensions the core ignores the offer's rids (and their layers).
                JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_RID, JANUS_SDP_OA_ACCEPT_EXTMAP,
                JANUS_RTP_EXTMAP_REPAIRED_RID,
                // The core's transport-wide feedback lets the browser's estimate grow to all layers.
                JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC, JANUS_SDP_OA_DONE);
            result.lines.video_mindex = m->index;
            result.lines.video_pt = janus_sdp_get_codec_pt(answer.get(), m->index, "vp8");
            result.lines.simulcast = read_simulcast(simulcast, m->index);
        } else if (m->type == JANUS_SDP_AUDIO && accept_audio && !result.lines.has_audio() && usable &&
                   janus_sdp_get_codec_pt(offer, m->index, "opus") >= 0) {
            janus_sdp_generate_answer_mline(
                offer, answer.get(), m, JANUS_SDP_OA_MLINE, JANUS_SDP_AUDIO, JANUS_SDP_OA_CODEC, "opus",
                JANUS_SDP_OA_DIRECTION, JANUS_SDP_RECVONLY, JANUS_SDP_OA_AUDIO_DTMF, FALSE,
                JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_MID, JANUS_SDP_OA_ACCEPT_EXTMAP,
                JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC, JANUS_SDP_OA_DONE);
            result.lines.audio_mindex = m->index;
            result.lines.audio_pt = janus_sdp_get_codec_pt(answer.get(), m->index, "opus");
        } else {
            if (m->type == JANUS_SDP_VIDEO && !result.lines.has_video())
                video_offered_elsewise = true;
            reject(offer, answer.get(), m);
        }
    }
    if (!result.lines.has_video())
        return invalid(video_offered_elsewise ? "The offer must send VP8 video (no usable video m-line)"
                                              : "The offer must send video");
    Result<std::string> text = write(answer.get(), version);
    if (!text)
        return text.error();
    result.sdp = std::move(text.value());
    return result;
}

Result<NegotiatedSdp> make_viewer_offer(unsigned version) {
    // The relay picks each viewer's simulcast layer from the REMB estimate its browser sends back. A
    // browser estimates on its receiving side (and sends REMB) only without transport-wide
    // congestion control, and needs the abs-send-time extension (which the core writes) to do so.
    SdpPtr offer(janus_sdp_generate_offer(
        "OnAir", "0.0.0.0", JANUS_SDP_OA_MLINE, JANUS_SDP_AUDIO, JANUS_SDP_OA_MID, "0", JANUS_SDP_OA_MSID,
        kStreamId, "onair-audio", JANUS_SDP_OA_PT, kViewerAudioPt, JANUS_SDP_OA_CODEC, "opus",
        JANUS_SDP_OA_FMTP, "useinbandfec=1", JANUS_SDP_OA_AUDIO_DTMF, FALSE, JANUS_SDP_OA_DIRECTION,
        JANUS_SDP_SENDONLY, JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_MID,
        janus_rtp_extension_id(JANUS_RTP_EXTMAP_MID), JANUS_SDP_OA_MLINE, JANUS_SDP_VIDEO, JANUS_SDP_OA_MID,
        "1", JANUS_SDP_OA_MSID, kStreamId, "onair-video", JANUS_SDP_OA_PT, kViewerVideoPt, JANUS_SDP_OA_CODEC,
        "vp8", JANUS_SDP_OA_DIRECTION, JANUS_SDP_SENDONLY, JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_MID,
        janus_rtp_extension_id(JANUS_RTP_EXTMAP_MID), JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_ABS_SEND_TIME,
        janus_rtp_extension_id(JANUS_RTP_EXTMAP_ABS_SEND_TIME), JANUS_SDP_OA_DONE));
    if (!offer)
        return fail(ErrorCode::Internal, "Could not generate the viewer offer");
    // Janus lists transport-cc feedback on every m-line it offers; unused without the extension, but
    // a browser should not be told it may use it.
    for (GList* node = offer->m_lines; node; node = node->next)
        drop_feedback(static_cast<janus_sdp_mline*>(node->data), "transport-cc");
    Result<std::string> text = write(offer.get(), version);
    if (!text)
        return text.error();
    NegotiatedSdp result;
    result.sdp = std::move(text.value());
    result.lines.audio_mindex = 0;
    result.lines.audio_pt = kViewerAudioPt;
    result.lines.video_mindex = 1;
    result.lines.video_pt = kViewerVideoPt;
    return result;
}

Status check_viewer_answer(const std::string& answer_text, const media::MediaLines& offered) {
    Result<SdpPtr> parsed = parse(answer_text, "answer");
    if (!parsed)
        return parsed.error();
    janus_sdp* answer = parsed.value().get();
    janus_sdp_mline* video = janus_sdp_mline_find_by_index(answer, offered.video_mindex);
    if (!video || video->type != JANUS_SDP_VIDEO || video->port == 0 || !receives(video->direction))
        return invalid("The answer must receive the video");
    if (janus_sdp_get_codec_pt(answer, offered.video_mindex, "vp8") != offered.video_pt)
        return invalid("The answer must accept VP8 video as offered");
    return Ok{};
}

}  // namespace onair::janus
