// SPDX-License-Identifier: GPL-3.0-or-later
// Every request and error path of docs/protocol.md that needs no media, against a real Janus with
// the ASan-built plugin. Flows that need a live broadcaster are in media.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SITES, startJanus } from '../lib/janus.mjs';
import { JanusError, Session, admin, connect } from '../lib/janus_client.mjs';
import { nowSeconds, signJwt, siteToken, unsignedJwt } from '../lib/jwt.mjs';
import { assertAdminOk, assertError, assertResult } from '../lib/onair_assert.mjs';
import { chromiumOffer } from '../lib/sdp.mjs';

// A request id of the right form ("r-" and 32 hex digits) that the plugin never issued.
const forgedRequestId = () => `r-${randomBytes(16).toString('hex')}`;

let janus;
const sessions = [];
let counter = 0;
const uniqueUser = (prefix = 'u') => `${prefix}${process.pid}-${++counter}`;

async function newHandle() {
  const { session, handle } = await connect(janus);
  sessions.push(session);
  return handle;
}

const signed = SITES.signed;
const tokenFor = (user, options = {}) => siteToken({ site: signed.key, secret: signed.secret, user, ...options });

async function register(handle, user, site = SITES.open, extra = {}) {
  const body = { request: 'broadcast', site: site.key, user, ...extra };
  if (site.identity === 'signed' && !('token' in extra)) {
    body.token = siteToken({ site: site.key, secret: site.secret, user });
  }
  return handle.request(body);
}

async function activeBroadcasts(site) {
  const response = assertAdminOk(await admin(janus, { request: 'list_broadcasts', site }));
  return response.broadcasts.filter((broadcast) => broadcast.state !== 'ended');
}

before(async () => {
  janus = await startJanus();
});

after(async () => {
  await Promise.allSettled(sessions.map((session) => session.destroy()));
  await janus?.close();
});

describe('identity in signed mode', () => {
  test('a valid token registers the broadcast', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    const registered = assertResult(await register(handle, user, signed), 'registered');
    assert.match(registered.broadcast_id, /^b-/);
    assert.equal(registered.resumed, false);
    assert.equal(registered.audio, true);
    assert.deepEqual(registered.viewers, []);
    assert.equal(typeof registered.started_at, 'number');
  });

  test('the token name claim wins over the name field', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    const token = tokenFor(user, { name: 'Name From Token' });
    assertResult(await register(handle, user, signed, { token, name: 'Name From Body' }), 'registered');
    const listed = (await activeBroadcasts(signed.key)).find((broadcast) => broadcast.user === user);
    assert.ok(listed, 'the registered broadcast is listed');
    assert.equal(listed.name, 'Name From Token');
  });

  test('a missing token is refused with 546', async () => {
    const handle = await newHandle();
    const data = await handle.request({ request: 'broadcast', site: signed.key, user: uniqueUser() });
    assertError(data, 546, /token/i);
  });

  test('an expired token is refused with 546', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    assertError(await register(handle, user, signed, { token: tokenFor(user, { ttl: -120 }) }), 546, /expir/i);
  });

  test('a token expired within the 30 s leeway is accepted', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    assertResult(await register(handle, user, signed, { token: tokenFor(user, { ttl: -10 }) }), 'registered');
  });

  test('a token signed with another secret is refused with 546', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    const forged = siteToken({ site: signed.key, secret: 'not-the-site-secret-at-all', user });
    assertError(await register(handle, user, signed, { token: forged }), 546, /signature|invalid/i);
  });

  test('a token of another site is refused with 546', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    const otherSite = siteToken({ site: SITES.other.key, secret: SITES.other.secret, user });
    assertError(await register(handle, user, signed, { token: otherSite }), 546);
    // Right secret, wrong `site` claim: still another site's token.
    const wrongClaim = siteToken({ site: SITES.other.key, secret: signed.secret, user });
    assertError(await register(handle, user, signed, { token: wrongClaim }), 546, /site/i);
  });

  test('a token of another user is refused with 546', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    assertError(await register(handle, user, signed, { token: tokenFor(`${user}-other`) }), 546, /sub|user/i);
  });

  test('malformed and unsigned tokens are refused with 546', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    assertError(await register(handle, user, signed, { token: 'not-a-jwt' }), 546);
    const none = unsignedJwt({ sub: user, site: signed.key, exp: nowSeconds() + 600 });
    assertError(await register(handle, user, signed, { token: none }), 546);
    const hs512 = signJwt({ sub: user, site: signed.key, exp: nowSeconds() + 600 }, signed.secret, { alg: 'HS512', typ: 'JWT' });
    assertError(await register(handle, user, signed, { token: hs512 }), 546);
    const noExp = signJwt({ sub: user, site: signed.key }, signed.secret);
    assertError(await register(handle, user, signed, { token: noExp }), 546, /exp/i);
  });

  test('watch in signed mode needs the viewer token too', async () => {
    const handle = await newHandle();
    const data = await handle.request({ request: 'watch', site: signed.key, target: uniqueUser(), user: uniqueUser() });
    assertError(data, 546, /token/i);
  });
});

describe('open mode and sites', () => {
  test('open mode trusts ids without a token', async () => {
    const handle = await newHandle();
    const registered = assertResult(await register(handle, uniqueUser(), SITES.open, { name: 'Anna' }), 'registered');
    assert.equal(registered.resumed, false);
  });

  test('open mode ignores a garbage token', async () => {
    const handle = await newHandle();
    assertResult(await register(handle, uniqueUser(), SITES.open, { token: 'garbage' }), 'registered');
  });

  test('an unknown site is refused with 545', async () => {
    const handle = await newHandle();
    const data = await handle.request({ request: 'broadcast', site: 'no-such-site', user: uniqueUser() });
    assertError(data, 545, /site/i);
    const watch = await handle.request({ request: 'watch', site: 'no-such-site', target: 'a', user: 'b' });
    assertError(watch, 545, /site/i);
  });

  test('the site audio setting is reported', async () => {
    const handle = await newHandle();
    const registered = assertResult(await register(handle, uniqueUser(), SITES.other), 'registered');
    assert.equal(registered.audio, false);
  });

  test('ids are scoped by site', async () => {
    const user = uniqueUser();
    const a = await newHandle();
    const b = await newHandle();
    const first = assertResult(await register(a, user, SITES.open), 'registered');
    const second = assertResult(await register(b, user, signed), 'registered');
    assert.equal(second.resumed, false, 'the same id on another site is another user');
    assert.notEqual(first.broadcast_id, second.broadcast_id);
  });
});

describe('malformed requests', () => {
  test('a non-object body never reaches the plugin (Janus refuses it with 467)', async () => {
    const handle = await newHandle();
    for (const body of ['broadcast', 42, ['broadcast'], null]) {
      await assert.rejects(handle.sendRaw({ body }), (error) => {
        assert.ok(error instanceof JanusError, String(error));
        assert.ok([456, 467].includes(error.code), `code ${error.code}`);
        return true;
      });
    }
    // The handle still works afterwards.
    assertResult(await register(handle, uniqueUser()), 'registered');
  });

  test('a body over 16 KiB is refused with 553', async () => {
    const handle = await newHandle();
    const data = await handle.request({ request: 'broadcast', site: SITES.open.key, user: uniqueUser(), padding: 'x'.repeat(17 * 1024) });
    assertError(data, 553, /large|16/i);
  });

  test('an unknown request is refused with 542', async () => {
    const handle = await newHandle();
    assertError(await handle.request({ request: 'dance' }), 542, /dance|request/i);
  });

  test('a body without request is refused with 543 naming it', async () => {
    const handle = await newHandle();
    assertError(await handle.request({}), 543, /request/);
    assertError(await handle.request({ site: SITES.open.key }), 543, /request/);
  });

  test('a non-string request is refused with 544', async () => {
    const handle = await newHandle();
    assertError(await handle.request({ request: 42 }), 544, /request/);
  });

  test('missing fields are refused with 543 naming the field', async () => {
    const handle = await newHandle();
    assertError(await handle.request({ request: 'broadcast', user: 'a' }), 543, /site/);
    assertError(await handle.request({ request: 'broadcast', site: SITES.open.key }), 543, /user/);
    assertError(await handle.request({ request: 'watch', site: SITES.open.key, user: 'a' }), 543, /target/);
    assertError(await handle.request({ request: 'watch', site: SITES.open.key, target: 'a' }), 543, /user/);
    assertError(await handle.request({ request: 'answer', accept: true }), 543, /request_id/);
    assertError(await handle.request({ request: 'answer', request_id: forgedRequestId() }), 543, /accept/);
    assertError(await handle.request({ request: 'kick' }), 543, /viewer/);
    assertError(await handle.request({ request: 'presence', users: ['a'] }), 543, /site/);
    assertError(await handle.request({ request: 'presence', site: SITES.open.key }), 543, /users/);
  });

  test('invalid fields are refused with 544 naming the field', async () => {
    const handle = await newHandle();
    const open = SITES.open.key;
    assertError(await handle.request({ request: 'broadcast', site: 'bad site!', user: 'a' }), 544, /site/);
    assertError(await handle.request({ request: 'broadcast', site: 'x'.repeat(65), user: 'a' }), 544, /site/);
    assertError(await handle.request({ request: 'broadcast', site: 7, user: 'a' }), 544, /site/);
    assertError(await handle.request({ request: 'broadcast', site: open, user: '' }), 544, /user/);
    assertError(await handle.request({ request: 'broadcast', site: open, user: 'x'.repeat(65) }), 544, /user/);
    assertError(await handle.request({ request: 'broadcast', site: open, user: 'a\u0001b' }), 544, /user/);
    assertError(await handle.request({ request: 'broadcast', site: open, user: 42 }), 544, /user/);
    // Ids that could pose as others (bidi overrides, zero-width, C1 controls) are refused.
    for (const user of ['a\u202Eb', 'a\u200Bb', 'a\u0085b', '\uFEFFa', 'a\u2066b']) {
      assertError(await handle.request({ request: 'broadcast', site: open, user }), 544, /user/);
      assertError(await handle.request({ request: 'watch', site: open, user: 'a', target: user }), 544, /target/);
    }
    assertError(await handle.request({ request: 'broadcast', site: open, user: 'a', token: 5 }), 544, /token/);
    assertError(await handle.request({ request: 'watch', site: open, user: 'a', target: ['b'] }), 544, /target/);
    assertError(await handle.request({ request: 'answer', request_id: forgedRequestId(), accept: 'yes' }), 544, /accept/);
    assertError(await handle.request({ request: 'answer', request_id: 5, accept: true }), 544, /request_id/);
    assertError(await handle.request({ request: 'answer', request_id: 'r-1', accept: true }), 544, /request_id/);
    assertError(await handle.request({ request: 'presence', site: open, users: 'a' }), 544, /users/);
    assertError(await handle.request({ request: 'presence', site: open, users: ['a', 7] }), 544, /users/);
    // A name of exactly 128 characters and ids of exactly 64 are fine.
    assertResult(await handle.request({ request: 'broadcast', site: open, user: `${uniqueUser()}`.padEnd(64, 'z'), name: 'n'.repeat(128) }), 'registered');
  });

  test('names lose their bidi, zero-width and control characters and are cut to 128 characters', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    const name = `Anna\u202E\u200B\u0085 ${'я'.repeat(200)}`;
    assertResult(await handle.request({ request: 'broadcast', site: SITES.open.key, user, name }), 'registered');
    const answer = await admin(janus, { request: 'list_broadcasts', site: SITES.open.key });
    assertAdminOk(answer);
    const listed = answer.broadcasts.find((b) => b.user === user);
    assert.equal(listed?.name, `Anna ${'я'.repeat(123)}`);
  });

  test('more than 200 presence ids are refused with 553', async () => {
    const handle = await newHandle();
    const users = Array.from({ length: 201 }, (_, i) => `p${i}`);
    assertError(await handle.request({ request: 'presence', site: SITES.open.key, users }), 553, /200|many|large/i);
    const ok = assertResult(await handle.request({ request: 'presence', site: SITES.open.key, users: users.slice(0, 200) }), 'presence');
    assert.equal(Object.keys(ok.users).length, 200);
  });

  test('the plugin keeps serving other handles after bad input', async () => {
    const bad = await newHandle();
    await bad.request({ request: 'broadcast', site: SITES.open.key, user: 'x', padding: 'y'.repeat(20000) });
    await bad.request({ request: 'dance' });
    await bad.request({ request: 'watch', site: 'no-such', target: 'a', user: 'b' });
    await bad.sendRaw({ body: 'nope' }).catch(() => {});
    const good = await newHandle();
    assertResult(await register(good, uniqueUser()), 'registered');
    assertResult(await bad.request({ request: 'presence', site: SITES.open.key, users: ['a'] }), 'presence');
  });
});

describe('broadcaster requests without media', () => {
  test('a second broadcast by the same user resumes and takes over', async () => {
    const user = uniqueUser();
    const first = await newHandle();
    const registered = assertResult(await register(first, user, signed), 'registered');
    const second = await newHandle();
    const resumed = assertResult(await register(second, user, signed), 'registered');
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.broadcast_id, registered.broadcast_id);
    assert.deepEqual(resumed.viewers, []);
    const ended = await first.notice('ended');
    assert.equal(ended.data.result.reason, 'taken_over');
    const listed = (await activeBroadcasts(signed.key)).filter((broadcast) => broadcast.user === user);
    assert.equal(listed.length, 1, 'one broadcast per (site, user)');
  });

  test('registering twice on the same handle resumes the same broadcast', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    const first = assertResult(await register(handle, user), 'registered');
    const again = assertResult(await register(handle, user), 'registered');
    assert.equal(again.broadcast_id, first.broadcast_id);
  });

  test('a handle keeps its first identity (547 for another user or site)', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    assertResult(await register(handle, user), 'registered');
    assertError(await register(handle, `${user}-other`), 547);
    assertError(await register(handle, user, signed), 547);
    assertError(await handle.request({ request: 'watch', site: SITES.open.key, target: uniqueUser(), user: `${user}-x` }), 547);
  });

  test('stop and kick on a fresh handle are refused with 547', async () => {
    const handle = await newHandle();
    assertError(await handle.request({ request: 'stop' }), 547);
    assertError(await handle.request({ request: 'kick', viewer: 'v' }), 547);
  });

  test('answer from a handle that has no prompts gives 549', async () => {
    const handle = await newHandle();
    assertError(await handle.request({ request: 'answer', request_id: forgedRequestId(), accept: true }), 549, /request/);
  });

  test('a forged request_id in answer is refused with 549', async () => {
    const handle = await newHandle();
    assertResult(await register(handle, uniqueUser()), 'registered');
    assertError(await handle.request({ request: 'answer', request_id: forgedRequestId(), accept: true }), 549, /request/i);
    assertError(await handle.request({ request: 'answer', request_id: forgedRequestId(), accept: false }), 549);
  });

  test('kicking a viewer who is not watching gives 549', async () => {
    const handle = await newHandle();
    assertResult(await register(handle, uniqueUser()), 'registered');
    assertError(await handle.request({ request: 'kick', viewer: 'nobody' }), 549, /viewer/i);
  });

  test('stop ends a registered broadcast', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    const { broadcast_id: id } = assertResult(await register(handle, user), 'registered');
    const stopped = assertResult(await handle.request({ request: 'stop' }), 'ended');
    assert.equal(stopped.reason, 'stopped');
    assert.ok(!(await activeBroadcasts(SITES.open.key)).some((broadcast) => broadcast.broadcast_id === id));
    // A new broadcast afterwards is a new one.
    const next = assertResult(await register(await newHandle(), user), 'registered');
    assert.equal(next.resumed, false);
    assert.notEqual(next.broadcast_id, id);
  });

  test('publish_timeout ends a registration that never publishes', async () => {
    const handle = await newHandle();
    const user = uniqueUser();
    const { broadcast_id: id } = assertResult(await register(handle, user), 'registered');
    const started = Date.now();
    const ended = await handle.notice('ended', 8000);
    assert.equal(ended.data.result.reason, 'publish_timeout');
    const elapsed = (Date.now() - started) / 1000;
    assert.ok(elapsed >= 2 && elapsed < 6, `ended after ${elapsed} s, publish_timeout is 3 s`);
    const all = assertAdminOk(await admin(janus, { request: 'list_broadcasts', site: SITES.open.key })).broadcasts;
    const entry = all.find((broadcast) => broadcast.broadcast_id === id);
    assert.ok(!entry || entry.state === 'ended', `still listed as ${entry?.state}`);
    // Requests of the ended registration are refused now.
    assertError(await handle.request({ request: 'stop' }), 547);
  });

  test('a broadcaster detaching before publish leaves nothing half-started', async () => {
    const { session, handle } = await connect(janus);
    const user = uniqueUser();
    const { broadcast_id: id } = assertResult(await register(handle, user), 'registered');
    await handle.detach();
    await session.destroy();
    await sleep(4500); // past publish_timeout and resume_grace
    assert.ok(!(await activeBroadcasts(SITES.open.key)).some((broadcast) => broadcast.broadcast_id === id));
    const watcher = await newHandle();
    const presence = assertResult(await watcher.request({ request: 'presence', site: SITES.open.key, users: [user] }), 'presence');
    assert.deepEqual(presence.users, { [user]: false });
    const next = assertResult(await register(await newHandle(), user), 'registered');
    assert.equal(next.resumed, false);
    assert.notEqual(next.broadcast_id, id);
  });
});

describe('site limits', () => {
  test('max_broadcasts=1 refuses a second broadcaster with 550', async () => {
    const first = await newHandle();
    const user = uniqueUser();
    assertResult(await register(first, user, SITES.tiny), 'registered');
    const second = await newHandle();
    assertError(await register(second, uniqueUser(), SITES.tiny), 550, /max_broadcasts|limit/i);
    // The same user resuming is not a second broadcast.
    const resumed = assertResult(await register(await newHandle(), user, SITES.tiny), 'registered');
    assert.equal(resumed.resumed, true);
    // Once it ends, another user may broadcast.
    const stopper = await newHandle();
    assertResult(await register(stopper, user, SITES.tiny), 'registered');
    assertResult(await stopper.request({ request: 'stop' }), 'ended');
    const third = await newHandle();
    assertResult(await register(third, uniqueUser(), SITES.tiny), 'registered');
    assertResult(await third.request({ request: 'stop' }), 'ended');
  });
});

describe('viewer requests without a live broadcaster', () => {
  test('watching a user who is not live gives 548', async () => {
    const handle = await newHandle();
    assertError(await handle.request({ request: 'watch', site: SITES.open.key, target: uniqueUser(), user: uniqueUser() }), 548, /live/i);
  });

  test('a registered but never-published broadcast is not live (548, presence false)', async () => {
    const broadcaster = await newHandle();
    const target = uniqueUser();
    assertResult(await register(broadcaster, target), 'registered');
    const viewer = await newHandle();
    assertError(await viewer.request({ request: 'watch', site: SITES.open.key, target, user: uniqueUser() }), 548);
    const presence = assertResult(await viewer.request({ request: 'presence', site: SITES.open.key, users: [target] }), 'presence');
    assert.deepEqual(presence.users, { [target]: false });
    assert.deepEqual(await broadcaster.quietFor(200), [], 'no watch_request reaches a broadcaster that is not live');
  });

  test('start before acceptance is refused with 547, with or without a jsep', async () => {
    const handle = await newHandle();
    assertError(await handle.request({ request: 'start' }), 547, /accepted/);
    assertError(await handle.request({ request: 'start' }, chromiumOffer()), 547, /accepted/);
  });

  test('a jsep answer before acceptance never reaches the plugin (Janus: 469)', async () => {
    const handle = await newHandle();
    const offer = chromiumOffer();
    const answer = { type: 'answer', sdp: offer.sdp.replaceAll('a=setup:actpass', 'a=setup:active').replaceAll('a=sendonly', 'a=recvonly') };
    await assert.rejects(handle.send({ request: 'start' }, answer), (error) => {
      assert.ok(error instanceof JanusError);
      assert.equal(error.code, 469);
      return true;
    });
    assertResult(await handle.request({ request: 'presence', site: SITES.open.key, users: ['x'] }), 'presence');
  });
});

describe('presence', () => {
  test('subscribe answers the current state and a new request replaces it', async () => {
    const handle = await newHandle();
    const [a, b, c] = [uniqueUser(), uniqueUser(), uniqueUser()];
    const first = assertResult(await handle.request({ request: 'presence', site: SITES.open.key, users: [a, b] }), 'presence');
    assert.deepEqual(first.users, { [a]: false, [b]: false });
    const second = assertResult(await handle.request({ request: 'presence', site: SITES.open.key, users: [c] }), 'presence');
    assert.deepEqual(second.users, { [c]: false });
    const empty = assertResult(await handle.request({ request: 'presence', site: SITES.open.key, users: [] }), 'presence');
    assert.deepEqual(empty.users, {});
  });

  test('presence for an unknown site gives 545', async () => {
    const handle = await newHandle();
    assertError(await handle.request({ request: 'presence', site: 'no-such-site', users: ['a'] }), 545, /site/i);
  });

  test('presence needs no token on a signed site', async () => {
    const handle = await newHandle();
    const presence = assertResult(await handle.request({ request: 'presence', site: signed.key, users: ['a'] }), 'presence');
    assert.deepEqual(presence.users, { a: false });
  });
});

describe('sessions', () => {
  test('a session destroyed with a registered broadcast is cleaned up', async () => {
    const session = await Session.create(janus.httpUrl);
    const handles = await Promise.all([session.attach(), session.attach()]);
    assertResult(await register(handles[0], uniqueUser()), 'registered');
    assertResult(await handles[1].request({ request: 'presence', site: SITES.open.key, users: ['x'] }), 'presence');
    const destroyed = await session.destroy();
    assert.equal(destroyed.janus, 'success');
  });
});
