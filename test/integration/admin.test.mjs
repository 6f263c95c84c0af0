// SPDX-License-Identifier: GPL-3.0-or-later
// The Admin API (docs/protocol.md, "Admin API") through Janus' message_plugin, including sites
// that survive a restart of Janus on the same store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_SECRET, PLUGIN, SITES, startJanus } from '../lib/janus.mjs';
import { admin, connect } from '../lib/janus_client.mjs';
import { siteToken } from '../lib/jwt.mjs';
import { assertAdminError, assertAdminOk, assertError, assertResult } from '../lib/onair_assert.mjs';

let janus;
let sessions = [];
let counter = 0;
const uniqueUser = () => `a${process.pid}-${++counter}`;

async function newHandle() {
  const { session, handle } = await connect(janus);
  sessions.push(session);
  return handle;
}

async function closeSessions() {
  await Promise.allSettled(sessions.map((session) => session.destroy()));
  sessions = [];
}

const register = (handle, site, user, name) => handle.request({ request: 'broadcast', site, user, name });

before(async () => {
  janus = await startJanus();
});

after(async () => {
  await closeSessions();
  await janus?.close();
});

describe('Admin API', () => {
  test('message_plugin needs the admin secret', async () => {
    const response = await fetch(janus.adminUrl, {
      method: 'POST',
      body: JSON.stringify({ janus: 'message_plugin', plugin: PLUGIN, transaction: 't', admin_secret: 'wrong', request: { request: 'list_sites' } }),
    }).then((reply) => reply.json());
    assert.equal(response.janus, 'error');
    assert.equal(response.error.code, 403);
    assert.ok(ADMIN_SECRET);
  });

  test('list_sites lists the configured sites without secrets', async () => {
    const response = assertAdminOk(await admin(janus, { request: 'list_sites' }));
    const byKey = Object.fromEntries(response.sites.map((site) => [site.key, site]));
    for (const site of Object.values(SITES)) assert.ok(byKey[site.key], `${site.key} listed`);
    assert.equal(byKey['signed-site'].identity, 'signed');
    assert.equal(byKey['open-site'].identity, 'open');
    assert.equal(byKey['other-site'].audio, false);
    assert.equal(byKey['tiny-site'].max_broadcasts, 1);
    assert.equal(byKey['tiny-site'].max_viewers, 1);
    assert.equal(byKey['open-site'].media, 'sfu');
    assert.equal(typeof byKey['open-site'].broadcasts, 'number');
    const text = JSON.stringify(response);
    for (const site of Object.values(SITES)) assert.ok(!text.includes(site.secret), `the secret of ${site.key} leaked`);
    assert.ok(!/secret/.test(text), 'no secret field at all');
  });

  test('unknown and malformed admin requests are refused', async () => {
    assertAdminError(await admin(janus, { request: 'dance' }), 542, /dance|request/i);
    assertAdminError(await admin(janus, {}), 543, /request/);
    assertAdminError(await admin(janus, undefined), 540);
  });

  test('add_site validates its fields', async () => {
    assertAdminError(await admin(janus, { request: 'add_site', secret: 'a-secret-long-enough' }), 543, /key/);
    assertAdminError(await admin(janus, { request: 'add_site', key: 'short-secret', secret: 'too-short' }), 544, /secret/);
    assertAdminError(await admin(janus, { request: 'add_site', key: 'no-secret' }), 543, /secret/);
    assertAdminError(await admin(janus, { request: 'add_site', key: 'bad key!', secret: 'a-secret-long-enough' }), 544, /key/);
    assertAdminError(await admin(janus, { request: 'add_site', key: 'bad-mode', secret: 'a-secret-long-enough', identity: 'maybe' }), 544, /identity/);
    assertAdminError(await admin(janus, { request: 'add_site', key: 'bad-limit', secret: 'a-secret-long-enough', max_viewers: 0 }), 544, /max_viewers/);
    const sites = assertAdminOk(await admin(janus, { request: 'list_sites' })).sites.map((site) => site.key);
    for (const key of ['short-secret', 'bad-mode', 'bad-limit']) assert.ok(!sites.includes(key), `${key} was not added`);
  });

  test('add_site makes a usable site, updates it, and remove_site ends its broadcasts', async () => {
    const key = `added-${process.pid}`;
    const secret = 'added-site-secret-0123456789';
    const added = assertAdminOk(await admin(janus, { request: 'add_site', key, secret, identity: 'signed', audio: false, max_broadcasts: 5, max_viewers: 7 }));
    assert.equal(added.site.key, key);
    assert.equal(added.site.max_viewers, 7);
    assert.ok(!JSON.stringify(added).includes(secret), 'add_site does not echo the secret');

    const handle = await newHandle();
    const user = uniqueUser();
    assertError(await handle.request({ request: 'broadcast', site: key, user, token: siteToken({ site: key, secret: 'wrong-secret-wrong-secret', user }) }), 546);
    const registered = assertResult(await handle.request({ request: 'broadcast', site: key, user, token: siteToken({ site: key, secret, user }) }), 'registered');
    assert.equal(registered.audio, false);

    const updated = assertAdminOk(await admin(janus, { request: 'add_site', key, secret, identity: 'open', max_viewers: 3 }));
    assert.equal(updated.site.identity, 'open');
    const listed = assertAdminOk(await admin(janus, { request: 'list_sites' })).sites.find((site) => site.key === key);
    assert.equal(listed.max_viewers, 3);
    assert.equal(listed.broadcasts, 1);

    assertAdminOk(await admin(janus, { request: 'remove_site', key }));
    const ended = await handle.notice('ended');
    assert.equal(ended.data.result.reason, 'admin');
    const after = await newHandle();
    assertError(await register(after, key, uniqueUser()), 545);
    assertAdminError(await admin(janus, { request: 'remove_site', key }), 545, /site/i);
  });

  test('list_broadcasts, list_viewers and stop_broadcast', async () => {
    const site = SITES.open.key;
    const handle = await newHandle();
    const user = uniqueUser();
    const { broadcast_id: id } = assertResult(await register(handle, site, user, 'Anna'), 'registered');

    const listed = assertAdminOk(await admin(janus, { request: 'list_broadcasts', site })).broadcasts.find((broadcast) => broadcast.user === user);
    assert.ok(listed, 'listed');
    assert.equal(listed.site, site);
    assert.equal(listed.name, 'Anna');
    assert.equal(listed.broadcast_id, id);
    assert.equal(typeof listed.state, 'string');
    assert.notEqual(listed.state, 'live', 'not live before media');
    assert.equal(typeof listed.started_at, 'number');
    assert.equal(listed.viewers, 0);
    assert.equal(listed.pending, 0);
    const everywhere = assertAdminOk(await admin(janus, { request: 'list_broadcasts' })).broadcasts;
    assert.ok(everywhere.some((broadcast) => broadcast.broadcast_id === id), 'listed without a site filter too');

    const viewers = assertAdminOk(await admin(janus, { request: 'list_viewers', site, user }));
    assert.deepEqual(viewers.viewers, []);

    assertAdminOk(await admin(janus, { request: 'stop_broadcast', site, user }));
    const ended = await handle.notice('ended');
    assert.equal(ended.data.result.reason, 'admin');
    const remaining = assertAdminOk(await admin(janus, { request: 'list_broadcasts', site })).broadcasts.find((broadcast) => broadcast.broadcast_id === id);
    assert.ok(!remaining || remaining.state === 'ended', `state after stop_broadcast: ${remaining?.state}`);
  });

  test('errors for unknown sites, users and viewers', async () => {
    const site = SITES.open.key;
    assertAdminError(await admin(janus, { request: 'list_broadcasts', site: 'no-such-site' }), 545, /site/i);
    assertAdminError(await admin(janus, { request: 'list_viewers', site: 'no-such-site', user: 'x' }), 545, /site/i);
    assertAdminError(await admin(janus, { request: 'list_viewers', site, user: 'nobody-here' }), 549);
    assertAdminError(await admin(janus, { request: 'list_viewers', site }), 543, /user/);
    assertAdminError(await admin(janus, { request: 'stop_broadcast', site, user: 'nobody-here' }), 549);
    assertAdminError(await admin(janus, { request: 'stop_broadcast', site: 'no-such-site', user: 'x' }), 545);
    assertAdminError(await admin(janus, { request: 'stop_broadcast', user: 'x' }), 543, /site/);
    assertAdminError(await admin(janus, { request: 'remove_viewer', site, user: 'nobody-here', viewer: 'v' }), 549);
    assertAdminError(await admin(janus, { request: 'remove_viewer', site, user: 'nobody-here' }), 543, /viewer/);
    assertAdminError(await admin(janus, { request: 'remove_site', key: 'no-such-site' }), 545);
    assertAdminError(await admin(janus, { request: 'list_outbox', site: 'no-such-site' }), 545, /site/i);
    assertAdminError(await admin(janus, { request: 'retry_outbox', site: 'no-such-site' }), 545, /site/i);

    const handle = await newHandle();
    const user = uniqueUser();
    assertResult(await register(handle, site, user), 'registered');
    assertAdminError(await admin(janus, { request: 'remove_viewer', site, user, viewer: 'not-watching' }), 549, /viewer/i);
    assertResult(await handle.request({ request: 'stop' }), 'ended');
  });
});

describe('persistence across restarts', () => {
  test('added sites survive a restart and override the config file', async () => {
    const key = `kept-${process.pid}`;
    const secret = 'kept-site-secret-0123456789';
    assertAdminOk(await admin(janus, { request: 'add_site', key, secret, identity: 'open', max_viewers: 9 }));
    // A stored entry for a configured key wins over the config file after a restart.
    assertAdminOk(await admin(janus, { request: 'add_site', key: SITES.tiny.key, secret: SITES.tiny.secret, identity: 'open', max_broadcasts: 4, max_viewers: 1 }));
    const removedKey = `gone-${process.pid}`;
    assertAdminOk(await admin(janus, { request: 'add_site', key: removedKey, secret, identity: 'open' }));
    assertAdminOk(await admin(janus, { request: 'remove_site', key: removedKey }));
    await closeSessions();

    await janus.restart();
    janus.assertSanitizersClean();

    const sites = assertAdminOk(await admin(janus, { request: 'list_sites' })).sites;
    const kept = sites.find((site) => site.key === key);
    assert.ok(kept, 'the added site is still there');
    assert.equal(kept.identity, 'open');
    assert.equal(kept.max_viewers, 9);
    assert.equal(sites.find((site) => site.key === SITES.tiny.key).max_broadcasts, 4);
    assert.ok(!sites.some((site) => site.key === removedKey), 'a removed site stays removed');

    const handle = await newHandle();
    assertResult(await register(handle, key, uniqueUser()), 'registered');
    assertResult(await handle.request({ request: 'stop' }), 'ended');
  });

  test('broadcasts left by a killed Janus are ended at the next start', async () => {
    const site = SITES.open.key;
    const handle = await newHandle();
    const user = uniqueUser();
    const { broadcast_id: id } = assertResult(await register(handle, site, user), 'registered');
    for (const session of sessions) session.close();
    sessions = [];

    await janus.kill9();
    await janus.start();

    const listed = assertAdminOk(await admin(janus, { request: 'list_broadcasts', site })).broadcasts.find((broadcast) => broadcast.broadcast_id === id);
    assert.ok(!listed || listed.state === 'ended', `a broadcast from before the crash is ${listed?.state}`);
    const again = assertResult(await register(await newHandle(), site, user), 'registered');
    assert.equal(again.resumed, false);
    assert.notEqual(again.broadcast_id, id, 'ids are not reused');
  });
});
