// SPDX-License-Identifier: GPL-3.0-or-later
// Janus stops cleanly with the plugin loaded and busy, and AddressSanitizer/LeakSanitizer find
// nothing in our code. Also checks the log filter the other suites rely on.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SITES, involvesOurCode, splitReports, startJanus } from '../lib/janus.mjs';
import { Session, connect } from '../lib/janus_client.mjs';
import { siteToken } from '../lib/jwt.mjs';
import { assertError, assertResult } from '../lib/onair_assert.mjs';

test('leak-free shutdown with open sessions, broadcasts and subscriptions', async (t) => {
  const janus = await startJanus();
  if (!janus.sanitized) t.diagnostic(`plugin ${janus.plugin} is not an ASan build: leak check is vacuous`);
  try {
    const signed = SITES.signed;
    // Leave all of this open: Janus' shutdown must tear it down through the plugin.
    for (let i = 0; i < 5; i += 1) {
      const { handle } = await connect(janus);
      const user = `shutdown-${i}`;
      const token = siteToken({ site: signed.key, secret: signed.secret, user, name: `Name ${i}` });
      assertResult(await handle.request({ request: 'broadcast', site: signed.key, user, token }), 'registered');
      assertResult(await handle.request({ request: 'presence', site: signed.key, users: ['a', 'b', user] }), 'presence');
    }
    const { session, handle } = await connect(janus);
    assertError(await handle.request({ request: 'watch', site: SITES.open.key, target: 'nobody', user: 'v' }), 548);
    assertError(await handle.request({ request: 'broadcast', site: SITES.signed.key, user: 'x', token: 'bad' }), 546);
    assertError(await handle.request({ request: 'presence', site: SITES.open.key, users: 'x', padding: 'p'.repeat(20000) }), 553);
    const extra = await Session.create(janus.httpUrl);
    await extra.attach();
    await extra.attach();
    session.close();
    extra.close();
  } catch (error) {
    await janus.kill9();
    throw error;
  }
  const exit = await janus.stop();
  assert.deepEqual(exit, { code: 0, signal: null }, `Janus exit: ${JSON.stringify(exit)}\n${janus.logTail()}`);
  const reports = janus.sanitizerReports();
  assert.deepEqual(reports, [], reports.join('\n\n'));
  assert.match(janus.log(), /OnAir|onair/i, 'the plugin logged something');
  await janus.close();
});

test('the sanitizer log filter keeps only reports that involve the plugin', () => {
  const log = [
    '=================================================================',
    '==123==ERROR: LeakSanitizer: detected memory leaks',
    '',
    'Direct leak of 64 byte(s) in 1 object(s) allocated from:',
    '    #0 0x7f in malloc (/usr/lib/x86_64-linux-gnu/libasan.so.8+0xd9)',
    '    #1 0x55 in g_malloc (/lib/x86_64-linux-gnu/libglib-2.0.so.0+0x5a)',
    '    #2 0x56 in janus_main (/usr/bin/janus+0x1234)',
    '',
    'Direct leak of 32 byte(s) in 1 object(s) allocated from:',
    '    #0 0x7f in operator new(unsigned long) (/usr/lib/x86_64-linux-gnu/libasan.so.8+0xdb)',
    '    #1 0x7e in onair::Hub::handle_request(...) plugin/core/hub.cpp:42',
    '    #2 0x7d in handle_message (/tmp/itb/.libs/libjanus_onair.so+0x99)',
    '',
    'Indirect leak of 16 byte(s) in 1 object(s) allocated from:',
    '    #0 0x7f in calloc (/usr/lib/x86_64-linux-gnu/libasan.so.8+0xd9)',
    '    #1 0x44 in json_object (/lib/x86_64-linux-gnu/libjansson.so.4+0x44)',
    '',
    'SUMMARY: AddressSanitizer: 112 byte(s) leaked in 3 allocation(s).',
  ].join('\n');
  const reports = splitReports(log);
  assert.equal(reports.length, 3);
  const ours = reports.filter(involvesOurCode);
  assert.equal(ours.length, 1);
  assert.match(ours[0], /32 byte/);
});
