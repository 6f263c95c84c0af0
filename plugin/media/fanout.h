// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <vector>

#include "janus/janus_api.h"
#include "janus/session.h"
#include "media/keyframe_requester.h"
#include "media/media_lines.h"

namespace onair::media {

// One broadcast's media: the publishing handle (none while the broadcaster is away) and the
// viewers it is relayed to. Each viewer has its own RTP switching contexts, so its sequence numbers
// and timestamps stay continuous when the publisher changes (a reloaded broadcaster page brings a
// new PeerConnection with new SSRCs, sequence numbers and timestamps), and gets packets with the
// payload types it negotiated.
//
// Threading (enforced by Relay): mutators run under the relay's exclusive lock; relay_rtp and
// request_keyframe under its shared lock. relay_rtp runs only on the current publisher's media
// thread (Janus delivers one handle's media on one thread, and a fanout only accepts packets from
// its current publisher), so the per-viewer contexts need no further locking.
class Fanout {
public:
    explicit Fanout(janus_callbacks* gateway) : gateway_(gateway) {}

    // Returns the previous publisher (to be released outside the relay's lock).
    janus::SessionPtr set_publisher(janus::SessionPtr publisher);
    void update_publisher_lines(const MediaLines& lines);
    const janus::SessionPtr& publisher() const { return publisher_; }

    void add_viewer(janus::SessionPtr viewer);
    janus::SessionPtr remove_viewer(HandleId viewer);  // the removed one, or null
    janus::SessionPtr remove_viewer(const janus_plugin_session* viewer);
    std::vector<janus::SessionPtr> take_all();  // publisher and viewers, leaving it empty

    bool empty() const { return !publisher_ && viewers_.empty(); }
    std::size_t viewer_count() const { return viewers_.size(); }

    void request_keyframe() { keyframes_.request(); }
    void viewer_connected() { keyframes_.request_now(); }

    // A packet from the publisher: sent to every viewer whose media is up.
    void relay_rtp(janus_plugin_rtp* packet);

private:
    struct Viewer {
        janus::SessionPtr session;
        MediaLines lines;
        janus_rtp_switching_context audio_context;
        janus_rtp_switching_context video_context;
    };

    void send_to(Viewer& viewer, janus_plugin_rtp* packet);

    janus_callbacks* const gateway_;
    janus::SessionPtr publisher_;
    MediaLines publisher_lines_;
    std::vector<std::unique_ptr<Viewer>> viewers_;
    KeyframeRequester keyframes_;
};

}  // namespace onair::media
