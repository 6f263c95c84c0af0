// SPDX-License-Identifier: GPL-3.0-or-later
// Broadcasters and viewers with real media (aiortc peers) for suites that need a live broadcast
// but do not test the consent flow itself (billing). Only usable inside the test namespace
// (aiortc_peer.mjs: mediaAvailable()). Everything opened is tracked so afterEach can close it.
import assert from 'node:assert/strict';

import { AiortcPeer } from './aiortc_peer.mjs';
import { connect } from './janus_client.mjs';
import { siteToken } from './jwt.mjs';
import { assertResult } from './onair_assert.mjs';

export const MEDIA_TIMEOUT = 20000;

export class LiveWorld {
  constructor(janus) {
    this.janus = janus;
    this.sessions = new Set();
    this.peers = new Set();
    this.counter = 0;
  }

  uniqueUser(prefix) {
    return `${prefix}${process.pid}-${++this.counter}`;
  }

  async person() {
    const { session, handle } = await connect(this.janus);
    this.sessions.add(session);
    return { session, handle };
  }

  newPeer(label) {
    const peer = new AiortcPeer(label);
    this.peers.add(peer);
    return peer;
  }

  credentials(site, user, name) {
    const fields = { site: site.key, user };
    if (name) fields.name = name;
    if (site.identity === 'signed') fields.token = siteToken({ site: site.key, secret: site.secret, user, name });
    return fields;
  }

  // Registers and publishes a real camera; resolves once `live`, with the time it went live.
  async goLive(site, { user = this.uniqueUser('b'), name = 'Broadcaster' } = {}) {
    const { session, handle } = await this.person();
    const registered = assertResult(await handle.request({ request: 'broadcast', ...this.credentials(site, user, name) }), 'registered');
    const peer = this.newPeer(`broadcaster ${user}`);
    const answer = await handle.send({ request: 'publish' }, await peer.offer({ audio: site.audio !== false }));
    assertResult(answer.data, 'publishing');
    await peer.applyAnswer(answer.jsep);
    await handle.notice('live', MEDIA_TIMEOUT);
    return { site, user, name, session, handle, peer, registered, broadcastId: registered.broadcast_id, liveAt: Date.now() };
  }

  // A viewer asks, the broadcaster accepts, the viewer answers and decodes frames. startAt: just
  // before `start`; mediaAt: once frames were decoded (its media flowed by then).
  async watch(broadcaster, { user = this.uniqueUser('v'), name = 'Viewer' } = {}) {
    const { session, handle } = await this.person();
    const waiting = assertResult((await handle.send({ request: 'watch', target: broadcaster.user, ...this.credentials(broadcaster.site, user, name) })).data, 'waiting');
    const prompt = (await broadcaster.handle.notice('watch_request')).data.result;
    assert.equal(prompt.request_id, waiting.request_id);
    assertResult(await broadcaster.handle.request({ request: 'answer', request_id: waiting.request_id, accept: true }), 'answered');
    const accepted = await handle.notice('accepted');
    const peer = this.newPeer(`viewer ${user}`);
    const answer = await peer.accept(accepted.jsep);
    const startAt = Date.now();
    const watching = assertResult(await handle.request({ request: 'start' }, answer), 'watching');
    await peer.waitFrames(3, { timeoutMs: MEDIA_TIMEOUT });
    const mediaAt = Date.now();
    return { user, name, session, handle, peer, requestId: waiting.request_id, watching, startAt, mediaAt };
  }

  // A viewer asks and the broadcaster declines.
  async declined(broadcaster, { user = this.uniqueUser('v'), name = 'Declined' } = {}) {
    const { session, handle } = await this.person();
    const waiting = assertResult((await handle.send({ request: 'watch', target: broadcaster.user, ...this.credentials(broadcaster.site, user, name) })).data, 'waiting');
    await broadcaster.handle.notice('watch_request');
    assertResult(await broadcaster.handle.request({ request: 'answer', request_id: waiting.request_id, accept: false }), 'answered');
    await handle.notice('declined');
    return { user, name, session, handle, requestId: waiting.request_id };
  }

  async closeAll() {
    const peers = [...this.peers];
    this.peers.clear();
    await Promise.allSettled(peers.map((peer) => peer.close()));
    const sessions = [...this.sessions];
    this.sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.destroy()));
  }
}
