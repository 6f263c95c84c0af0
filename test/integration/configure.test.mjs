// SPDX-License-Identifier: GPL-3.0-or-later
// configure decides which janus_rtp_simulcasting_context_process_rtp the Janus headers declare (the
// dependency descriptor arguments came in Janus 1.2.0) by compiling a call, and says so in its
// summary. Runs configure against Debian's headers and against a copy of them that declares the
// newer call (both everywhere, CI included), then against real releases' headers where this
// machine has them: /opt/janus-headers-VERSION/include/janus (`make install` of a release's
// headers) and those of the Janus the suites run against (ONAIR_JANUS_INCLUDEDIR, when it is not
// Debian's). All share one cache file, so each run after the first only redoes the Janus checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const ROOT = process.env.ONAIR_ROOT || '/work/main';
const DEBIAN_HEADERS = '/usr/include/janus';
const work = mkdtempSync(join(tmpdir(), 'onair-configure-'));
after(() => rmSync(work, { recursive: true, force: true }));

// Runs configure in a fresh build folder against HEADERS; returns its output and the DEFS it wrote.
function configure(name, headers) {
  const dir = join(work, name);
  mkdirSync(dir);
  const output = execFileSync(join(ROOT, 'configure'), [`--with-janus-includedir=${headers}`, `--cache-file=${join(work, 'config.cache')}`], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const defs = readFileSync(join(dir, 'Makefile'), 'utf8').match(/^DEFS = (.*)$/m)[1];
  return { output, defs };
}

const summaryLine = (output, label) => output.split('\n').find((line) => line.trimStart().startsWith(`${label}:`))?.split(':').slice(1).join(':').trim();

test("Debian's headers: the call without a dependency descriptor", { timeout: 600_000 }, () => {
  const { output, defs } = configure('debian', DEBIAN_HEADERS);
  assert.equal(summaryLine(output, 'Janus headers'), DEBIAN_HEADERS);
  assert.equal(summaryLine(output, 'simulcasting dependency descriptor'), 'no');
  assert.equal(summaryLine(output, 'Janus plugin API version'), '102');
  assert.doesNotMatch(defs, /ONAIR_JANUS_SIMULCAST_DD/);
});

test('headers declaring dd_content and dd_len (Janus >= 1.2.0): the newer call', { timeout: 600_000 }, () => {
  const headers = join(work, 'janus-dd');
  cpSync(DEBIAN_HEADERS, headers, { recursive: true });
  const rtp = join(headers, 'rtp.h');
  const original = readFileSync(rtp, 'utf8');
  const declaration = /(janus_rtp_simulcasting_context_process_rtp\(janus_rtp_simulcasting_context \*context,\s*char \*buf, int len,)/;
  assert.match(original, declaration, "Debian's rtp.h no longer declares the call this test rewrites");
  writeFileSync(rtp, original.replace(declaration, '$1 uint8_t *dd_content, int dd_len,'));
  const { output, defs } = configure('dd', headers);
  assert.equal(summaryLine(output, 'Janus headers'), headers);
  assert.equal(summaryLine(output, 'simulcasting dependency descriptor'), 'yes');
  assert.match(defs, /-DONAIR_JANUS_SIMULCAST_DD=1/);
});

// Releases since 1.2.0 all declare the newer call; the plugin API version is what each ships.
const RELEASE_HEADERS = [
  ['1.2.0', '102'],
  ['1.2.4', '105'],
  ['1.3.3', '106'],
];
for (const [release, api] of RELEASE_HEADERS) {
  const headers = `/opt/janus-headers-${release}/include/janus`;
  test(`Janus ${release}'s headers: the newer call, plugin API ${api}`, { timeout: 600_000, skip: !existsSync(headers) && `no ${headers} here` }, () => {
    const { output, defs } = configure(`janus-${release}`, headers);
    assert.equal(summaryLine(output, 'Janus headers'), headers);
    assert.equal(summaryLine(output, 'simulcasting dependency descriptor'), 'yes');
    assert.equal(summaryLine(output, 'Janus plugin API version'), api);
    assert.match(defs, /-DONAIR_JANUS_SIMULCAST_DD=1/);
  });
}

const suiteHeaders = process.env.ONAIR_JANUS_INCLUDEDIR;
const otherJanus = suiteHeaders && suiteHeaders !== DEBIAN_HEADERS;
test("the suites' Janus: the probe answers what its rtp.h declares", { timeout: 600_000, skip: !otherJanus && "the suites run Debian's Janus" }, () => {
  const declaresDd = /janus_rtp_simulcasting_context_process_rtp\([^;]*dd_content/.test(readFileSync(join(suiteHeaders, 'rtp.h'), 'utf8'));
  const { output, defs } = configure('suite-janus', suiteHeaders);
  assert.equal(summaryLine(output, 'Janus headers'), suiteHeaders);
  assert.equal(summaryLine(output, 'simulcasting dependency descriptor'), declaresDd ? 'yes' : 'no');
  assert.equal(defs.includes('-DONAIR_JANUS_SIMULCAST_DD=1'), declaresDd);
});
