// SPDX-License-Identifier: GPL-3.0-or-later
// The test TURN server (test/lib/turn.mjs, Debian's coturn) as browsers use it: a Chromium on its
// own network (a NetPeer) gets a relayed connection with TURN REST API credentials, and is refused
// with a wrong secret or expired credentials. The plugin-minted credentials are checked by the
// e2e suite; this one pins the server side down on its own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { NetPeer, netPeerUnavailable } from '../lib/netpeer.mjs';
import { startTurn, turnCredentials, turnUnavailable } from '../lib/turn.mjs';

// Runs in the page: two relay-only PeerConnections connect to each other through TURN and open a
// data channel. Returns whether it opened, the selected pair's candidate types and the ICE
// candidate errors Chromium reported.
async function relayLoop(iceServer) {
  const config = { iceServers: [iceServer], iceTransportPolicy: 'relay' };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const errors = [];
  a.onicecandidateerror = (event) => errors.push({ code: event.errorCode, text: event.errorText });
  a.onicecandidate = (event) => event.candidate && b.addIceCandidate(event.candidate);
  b.onicecandidate = (event) => event.candidate && a.addIceCandidate(event.candidate);
  const channel = a.createDataChannel('probe');
  const opened = new Promise((resolve) => { channel.onopen = () => resolve(true); });
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  const ok = await Promise.race([opened, new Promise((resolve) => setTimeout(() => resolve(false), 8000))]);
  let pair = null;
  const stats = await a.getStats();
  stats.forEach((stat) => {
    if (stat.type !== 'transport' || !stat.selectedCandidatePairId) return;
    const selected = stats.get(stat.selectedCandidatePairId);
    const local = stats.get(selected.localCandidateId);
    const remote = stats.get(selected.remoteCandidateId);
    pair = { local: local.candidateType, localAddress: local.address, remote: remote.candidateType };
  });
  a.close();
  b.close();
  return { ok, pair, errors };
}

const unavailable = netPeerUnavailable() ?? turnUnavailable();

describe('coturn with the TURN REST API secret', { skip: unavailable ?? false }, () => {
  let turn;
  let peer;
  let page;

  before(async () => {
    turn = await startTurn();
    peer = await NetPeer.create({ label: 'turn-client' });
    const browser = await peer.launchBrowser();
    page = await (await browser.newContext()).newPage();
  });

  after(async () => {
    await peer?.close();
    await turn?.stop();
  });

  test('valid credentials: the connection goes through a relay on our TURN server', async () => {
    const result = await page.evaluate(relayLoop, turn.iceServer(turn.credentials('site:alice')));
    assert.equal(result.ok, true, `relayed data channel opens: ${JSON.stringify(result)}\n${turn.logTail()}`);
    assert.deepEqual(result.pair, { local: 'relay', localAddress: turn.ip, remote: 'relay' });
    assert.ok(turn.allocations().length >= 2, 'coturn logged the allocations');
  });

  test('a wrong secret: no relay, Chromium reports 401 and coturn logs it', async () => {
    const result = await page.evaluate(relayLoop, turn.iceServer(turnCredentials('not-the-secret', 'site:mallory')));
    assert.equal(result.ok, false, 'no connection without a valid credential');
    assert.equal(result.pair, null);
    assert.ok(result.errors.some((error) => error.code === 401), `Chromium saw 401: ${JSON.stringify(result.errors)}`);
    assert.ok(turn.unauthorized('site:mallory').length > 0, `coturn logged 401 for her:\n${turn.logTail()}`);
    assert.equal(turn.unauthorized('site:alice').length, 0, 'valid credentials were never refused');
  });

  test('expired credentials are refused the same way', async () => {
    const result = await page.evaluate(relayLoop, turn.iceServer(turn.credentials('site:late', -60)));
    assert.equal(result.ok, false);
    assert.ok(result.errors.some((error) => error.code === 401), `Chromium saw 401: ${JSON.stringify(result.errors)}`);
    assert.ok(turn.unauthorized('site:late').length > 0, 'coturn logged 401 for the expired username');
  });
});
