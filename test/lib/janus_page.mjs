// SPDX-License-Identifier: GPL-3.0-or-later
// A bare page speaking the OnAir protocol through janus.js itself, without the onair.js wrapper:
// for suites that need browser media the wrapper does not (yet) ask for, such as a simulcast
// publisher (janus.js `simulcast: true` on the video track). The page is served by Playwright on the
// Janus HTTP origin (loopback, so a secure context), loads webrtc-adapter and janus.js from
// node_modules, and exposes window.onairPage (see PAGE_SCRIPT).
import { join } from 'node:path';

const ROOT = process.env.ONAIR_ROOT || '/work/main';
const ADAPTER_JS = join(ROOT, 'node_modules/webrtc-adapter/out/adapter.js');
const JANUS_JS = join(ROOT, 'node_modules/janus-gateway/npm/src/janus.js');

// Runs in the page. Every plugin event is kept in `events`; the broadcaster allows every viewer.
function pageScript() {
  const events = [];
  let handle = null;
  let janus = null;
  const waiters = [];
  let lastOffer = null;

  function record(result, jsep) {
    events.push({ result, jsep: jsep ? { type: jsep.type } : null, at: Date.now() });
    for (const waiter of [...waiters]) waiter();
  }

  function connect(server) {
    return new Promise((resolve, reject) => {
      Janus.init({
        debug: false,
        dependencies: Janus.useDefaultDependencies({ adapter: window.adapter }),
        callback: () => {
          janus = new Janus({
            server,
            success: () => {
              janus.attach({
                plugin: 'janus.plugin.onair',
                success: (attached) => {
                  handle = attached;
                  resolve();
                },
                error: reject,
                onmessage: (message, jsep) => onMessage(message, jsep),
                onremotetrack: (track, mid, on) => {
                  if (track.kind === 'video' && on) showVideo(track);
                },
              });
            },
            error: reject,
          });
        },
      });
    });
  }

  let onMessage = (message, jsep) => record(message.result ?? message, jsep);

  // Chromium decodes what is shown: a viewer's video plays in a <video>, as on a real page.
  function showVideo(track) {
    const video = document.createElement('video');
    video.autoplay = true;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    document.body.append(video);
  }

  function send(message, jsep) {
    return new Promise((resolve, reject) => handle.send({ message, jsep, success: resolve, error: reject }));
  }

  function waitFor(event, timeout = 20000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = events.find((entry) => entry.result && entry.result.event === event);
        if (!found) return false;
        waiters.splice(waiters.indexOf(check), 1);
        resolve(found.result);
        return true;
      };
      waiters.push(check);
      if (check()) return;
      setTimeout(() => reject(new Error(`no '${event}' within ${timeout} ms: ${JSON.stringify(events)}`)), timeout);
    });
  }

  async function broadcast({ server, site, user, name, simulcast, maxBitrates, width = 1280, height = 720 }) {
    await connect(server);
    onMessage = (message, jsep) => {
      record(message.result ?? message, jsep);
      if (jsep && jsep.type === 'answer') handle.handleRemoteJsep({ jsep });
      const result = message.result;
      if (result && result.event === 'watch_request') send({ request: 'answer', request_id: result.request_id, accept: true });
    };
    send({ request: 'broadcast', site, user, name });
    await waitFor('registered');
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width, height }, audio: true });
    const tracks = [
      { type: 'video', capture: stream.getVideoTracks()[0], simulcast, simulcastMaxBitrates: maxBitrates, recv: false },
      { type: 'audio', capture: stream.getAudioTracks()[0], recv: false },
    ];
    const offer = await new Promise((resolve, reject) => handle.createOffer({ tracks, success: resolve, error: reject }));
    send({ request: 'publish' }, offer);
    await waitFor('live', 30000);
    return { session: janus.getSessionId(), handle: handle.getId() };
  }

  async function watch({ server, site, target, user, name }) {
    await connect(server);
    onMessage = (message, jsep) => {
      record(message.result ?? message, jsep);
      if (jsep && jsep.type === 'offer') {
        lastOffer = jsep.sdp;
        handle.createAnswer({
          jsep,
          tracks: [{ type: 'audio', recv: true }, { type: 'video', recv: true }],
          success: (answer) => send({ request: 'start' }, answer),
          error: (error) => record({ event: 'answer_failed', error: String(error) }),
        });
      }
    };
    send({ request: 'watch', site, target, user, name });
    await waitFor('watching', 30000);
    return { session: janus.getSessionId(), handle: handle.getId() };
  }

  // The inbound video of this page's PeerConnection: frames decoded and their size.
  async function inboundVideo() {
    const pc = handle && handle.webrtcStuff ? handle.webrtcStuff.pc : null;
    if (!pc) return null;
    const report = await pc.getStats();
    let video = null;
    report.forEach((stat) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
        video = { framesDecoded: stat.framesDecoded || 0, width: stat.frameWidth || 0, height: stat.frameHeight || 0 };
      }
    });
    return video;
  }

  // What this page's PeerConnection sends: one entry per video encoding (rid, width, frame rate,
  // and why Chromium limits it: "bandwidth", "cpu" or "none").
  async function outboundVideo() {
    const pc = handle && handle.webrtcStuff ? handle.webrtcStuff.pc : null;
    if (!pc) return [];
    const report = await pc.getStats();
    const out = [];
    report.forEach((stat) => {
      if (stat.type === 'outbound-rtp' && stat.kind === 'video') {
        out.push({
          rid: stat.rid ?? null, width: stat.frameWidth || 0, framesEncoded: stat.framesEncoded || 0, bytesSent: stat.bytesSent || 0,
          fps: stat.framesPerSecond || 0, limitation: stat.qualityLimitationReason ?? null,
        });
      }
    });
    return out;
  }

  // Turns one simulcast encoding of the broadcaster's video on or off, as a browser does when its
  // uplink gets short.
  async function setEncodingActive(rid, active) {
    const sender = handle.webrtcStuff.pc.getSenders().find((candidate) => candidate.track && candidate.track.kind === 'video');
    const parameters = sender.getParameters();
    for (const encoding of parameters.encodings) {
      if (encoding.rid === rid) encoding.active = active;
    }
    await sender.setParameters(parameters);
  }

  window.onairPage = { broadcast, watch, events, inboundVideo, outboundVideo, setEncodingActive, offerSdp: () => lastOffer };
}

/** Opens a bare janus.js page for `person` on the Janus HTTP origin. */
export async function openJanusPage(person, janus) {
  const origin = new URL(janus.httpUrl).origin;
  const url = `${origin}/onair-test-page`;
  await person.page.route(url, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><html><body></body></html>' }));
  await person.page.goto(url);
  // The route only serves this blank page. While a page has a route, Playwright intercepts every
  // request it makes and continues the others itself; janus.js' requests to Janus must not pass
  // through that machinery (a fresh page's first POST once failed with "Failed to fetch" without
  // reaching Janus, in the simulcast_link suite).
  await person.page.unroute(url);
  await person.page.addScriptTag({ path: ADAPTER_JS });
  await person.page.addScriptTag({ path: JANUS_JS });
  await person.page.addScriptTag({ content: `(${pageScript.toString()})();` });
  return { origin, server: janus.httpUrl };
}
