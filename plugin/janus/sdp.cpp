// SPDX-License-Identifier: GPL-3.0-or-later
#include "janus/sdp.h"

#include <memory>

#include "janus/janus_api.h"

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

void reject(janus_sdp* offer, janus_sdp* answer, janus_sdp_mline* offered) {
    janus_sdp_generate_answer_mline(offer, answer, offered, JANUS_SDP_OA_MLINE, offered->type,
                                    JANUS_SDP_OA_ENABLED, FALSE, JANUS_SDP_OA_DONE);
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
                                             unsigned version) {
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
        const bool usable = m->port > 0 && sends(m->direction);
        if (m->type == JANUS_SDP_VIDEO && !result.lines.has_video() && usable &&
            janus_sdp_get_codec_pt(offer, m->index, "vp8") >= 0) {
            janus_sdp_generate_answer_mline(
                offer, answer.get(), m, JANUS_SDP_OA_MLINE, JANUS_SDP_VIDEO, JANUS_SDP_OA_CODEC, "vp8",
                JANUS_SDP_OA_DIRECTION, JANUS_SDP_RECVONLY, JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_MID,
                JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC, JANUS_SDP_OA_DONE);
            result.lines.video_mindex = m->index;
            result.lines.video_pt = janus_sdp_get_codec_pt(answer.get(), m->index, "vp8");
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
    SdpPtr offer(janus_sdp_generate_offer(
        "OnAir", "0.0.0.0", JANUS_SDP_OA_MLINE, JANUS_SDP_AUDIO, JANUS_SDP_OA_MID, "0", JANUS_SDP_OA_MSID,
        kStreamId, "onair-audio", JANUS_SDP_OA_PT, kViewerAudioPt, JANUS_SDP_OA_CODEC, "opus",
        JANUS_SDP_OA_FMTP, "useinbandfec=1", JANUS_SDP_OA_AUDIO_DTMF, FALSE, JANUS_SDP_OA_DIRECTION,
        JANUS_SDP_SENDONLY, JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_MID,
        janus_rtp_extension_id(JANUS_RTP_EXTMAP_MID), JANUS_SDP_OA_EXTENSION,
        JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC, janus_rtp_extension_id(JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC),
        JANUS_SDP_OA_MLINE, JANUS_SDP_VIDEO, JANUS_SDP_OA_MID, "1", JANUS_SDP_OA_MSID, kStreamId,
        "onair-video", JANUS_SDP_OA_PT, kViewerVideoPt, JANUS_SDP_OA_CODEC, "vp8", JANUS_SDP_OA_DIRECTION,
        JANUS_SDP_SENDONLY, JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_MID,
        janus_rtp_extension_id(JANUS_RTP_EXTMAP_MID), JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_ABS_SEND_TIME,
        janus_rtp_extension_id(JANUS_RTP_EXTMAP_ABS_SEND_TIME), JANUS_SDP_OA_EXTENSION,
        JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC, janus_rtp_extension_id(JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC),
        JANUS_SDP_OA_DONE));
    if (!offer)
        return fail(ErrorCode::Internal, "Could not generate the viewer offer");
    Result<std::string> text = write(offer.get(), version);
    if (!text)
        return text.error();
    NegotiatedSdp result;
    result.sdp = std::move(text.value());
    result.lines = media::MediaLines{0, kViewerAudioPt, 1, kViewerVideoPt};
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
