// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "base/json.h"
#include "base/result.h"
#include "media/media_lines.h"

namespace onair::janus {

// SDP written by the plugin, with what it negotiated for the relay.
struct NegotiatedSdp {
    std::string sdp;
    media::MediaLines lines;
};

// Answers a broadcaster's offer: the first video m-line is accepted as VP8 recvonly, the first
// audio m-line as Opus recvonly when `accept_audio` (the site wants the microphone), everything
// else (more m-lines, datachannels, other codecs) is rejected. An offer that does not send VP8
// video is refused with InvalidSdp (552), naming the reason. `simulcast` is the "simulcast" member
// Janus adds to the jsep of an offer whose video sends several layers (null when none): the layers
// of the accepted video m-line end up in the negotiated lines.
Result<NegotiatedSdp> answer_publisher_offer(const std::string& offer, bool accept_audio, unsigned version,
                                             const json_t* simulcast);

// The offer a viewer gets once accepted: Opus audio and VP8 video, sendonly, in one stream, set up
// for REMB feedback (abs-send-time, no transport-wide congestion control).
Result<NegotiatedSdp> make_viewer_offer(unsigned version);

// Checks a viewer's answer to make_viewer_offer: it must receive VP8 video on the offered payload
// type (audio may be declined). InvalidSdp (552) otherwise.
Status check_viewer_answer(const std::string& answer, const media::MediaLines& offered);

}  // namespace onair::janus
