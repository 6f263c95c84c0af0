// SPDX-License-Identifier: GPL-3.0-or-later
// Carrying out what the Hub asked for, after its lock was released: events to handles first, then
// media changes, in the order given.
#include <cinttypes>
#include <type_traits>
#include <variant>

#include "janus/json_event.h"
#include "janus/plugin.h"
#include "janus/sdp.h"

namespace onair::janus {

void Plugin::push(const media::Session& session, const std::string& transaction, JsonPtr event,
                  const json_t* jsep) {
    if (session.destroyed())
        return;
    const int result = gateway_->push_event(session.handle(), descriptor_,
                                            transaction.empty() ? nullptr : transaction.c_str(), event.get(),
                                            const_cast<json_t*>(jsep));
    if (result != 0)
        JANUS_LOG(LOG_VERB, "OnAir: could not push an event to handle %" PRIu64 " (going away?): %d\n",
                  session.id(), result);
}

void Plugin::push_result(media::Session& session, const std::string& transaction, PluginEvent event,
                         const json_t* jsep) {
    JsonPtr offer;
    if (event.offer != ViewerOffer::None) {
        Result<JsonPtr> made = viewer_offer(session, event.offer == ViewerOffer::IceRestart);
        if (!made) {
            push_error(session, transaction, made.error());
            return;
        }
        offer = std::move(made.value());
        jsep = offer.get();
    }
    session.note_event(event.name);
    push(session, transaction, event_result(std::move(event.result)), jsep);
}

Result<JsonPtr> Plugin::viewer_offer(media::Session& viewer, bool ice_restart) {
    Result<NegotiatedSdp> offer = make_viewer_offer(viewer.next_sdp_version());
    if (!offer)
        return offer.error();
    viewer.set_viewer_lines(offer.value().lines);
    JsonPtr jsep = make_jsep("offer", offer.value().sdp);
    if (ice_restart)
        json_object_set_new(jsep.get(), "restart", json_true());  // Janus then offers new ICE credentials
    return jsep;
}

void Plugin::push_error(const media::Session& session, const std::string& transaction, const Error& error) {
    push(session, transaction, event_error(error));
}

void Plugin::carry_out(Effects effects) {
    for (Notice& notice : effects.notices) {
        if (media::SessionPtr session = find(notice.to))
            push_result(*session, "", std::move(notice.event));
    }
    for (const MediaAction& action : effects.media)
        carry_out(action);
}

void Plugin::carry_out(const MediaAction& action) {
    std::visit(
        [this](const auto& step) {
            using Step = std::decay_t<decltype(step)>;
            if constexpr (std::is_same_v<Step, RouterSetPublisher>) {
                router_.set_publisher(step.broadcast_id, step.publisher ? find(step.publisher) : nullptr);
            } else if constexpr (std::is_same_v<Step, RouterAddViewer>) {
                if (media::SessionPtr viewer = find(step.viewer))
                    router_.add_viewer(step.broadcast_id, std::move(viewer));
            } else if constexpr (std::is_same_v<Step, RouterRemoveViewer>) {
                router_.remove_viewer(step.broadcast_id, step.viewer);
            } else if constexpr (std::is_same_v<Step, RouterEnd>) {
                router_.end(step.broadcast_id);
            } else if constexpr (std::is_same_v<Step, ClosePeerConnection>) {
                // Only a PeerConnection that is up is closed: asking the core to close one on a handle
                // that never connected leaves that handle unfreed at detach (seen with Janus 1.1.2),
                // and a PeerConnection still connecting is hung up by the client on its `ended`.
                if (media::SessionPtr session = find(step.handle);
                    session && !session->destroyed() && session->media_up())
                    gateway_->close_pc(session->handle());
            }
        },
        action);
}

}  // namespace onair::janus
