// SPDX-License-Identifier: GPL-3.0-or-later
// What the browser benchmarks inject into their pages (Playwright init scripts, before any page
// script runs), so that onair.js itself is measured unchanged:
//
// - a timeline, window.__bench.marks: { name, at } with `at` in epoch milliseconds
//   (performance.timeOrigin + performance.now(), so pages of one browser share a clock);
// - every RTCPeerConnection is a subclass that marks its signaling (local-/remote-offer/answer),
//   ICE and connection states, and its DTLS transport's states;
// - every WebSocket marks the Janus messages it carries: out-<request> for a plugin request
//   sent, in-<event> for a plugin event received (janus.js handles it right after);
// - every <video> given a srcObject marks its first rendered frame (requestVideoFrameCallback);
// - optionally (`canvasCamera`) getUserMedia returns a canvas whose pixels encode the time each
//   frame was drawn (a 40-block binary stripe: 32 bits of epoch ms, 8 bits of checksum), and
//   __bench.decode(video, ms) reads that time back from each rendered frame of a <video>;
// - __bench.baseline(...): two RTCPeerConnections connected directly in this page.
//
// All of it is one function because Playwright serializes init scripts one function at a time.

export function benchInit({ canvasCamera = false } = {}) {
  if (window.__bench) return;
  const now = () => performance.timeOrigin + performance.now();
  const bench = { marks: [], frames: [], pcs: 0, peers: [] };
  Object.defineProperty(window, '__bench', { value: bench });
  bench.now = now;
  bench.mark = (name, at = now(), extra = {}) => {
    bench.marks.push({ name, at, ...extra });
  };
  bench.first = (name) => {
    const found = bench.marks.find((m) => m.name === name);
    return found ? found.at : null;
  };

  // ---- RTCPeerConnection ---------------------------------------------------------------------
  const NativePc = window.RTCPeerConnection;
  if (NativePc) {
    class TimedPeerConnection extends NativePc {
      constructor(...args) {
        super(...args);
        const pc = ++bench.pcs;
        this.__benchId = pc;
        bench.peers.push(this);
        const mark = (name) => bench.mark(name, now(), { pc });
        mark('pc-created');
        const watched = new WeakSet();
        // A receiver's DTLS transport exists once the remote description is applied; by the time
        // ICE starts checking it is there and its handshake has not begun.
        const watchDtls = () => {
          for (const receiver of this.getReceivers()) {
            const dtls = receiver.transport;
            if (!dtls || watched.has(dtls)) continue;
            watched.add(dtls);
            dtls.addEventListener('statechange', () => mark(`dtls-${dtls.state}`));
          }
        };
        this.addEventListener('iceconnectionstatechange', () => {
          watchDtls();
          mark(`ice-${this.iceConnectionState}`);
        });
        this.addEventListener('connectionstatechange', () => mark(`pc-${this.connectionState}`));
        this.addEventListener('track', (event) => mark(`track-${event.track.kind}`));
      }

      async setRemoteDescription(description, ...rest) {
        bench.mark(`remote-${description && description.type}`, now(), { pc: this.__benchId });
        return super.setRemoteDescription(description, ...rest);
      }

      async setLocalDescription(description, ...rest) {
        const result = await super.setLocalDescription(description, ...rest);
        bench.mark(`local-${this.localDescription && this.localDescription.type}`, now(), { pc: this.__benchId });
        return result;
      }
    }
    window.RTCPeerConnection = TimedPeerConnection;
    window.webkitRTCPeerConnection = TimedPeerConnection;
  }

  // ---- WebSocket (the Janus API) ---------------------------------------------------------------
  const NativeWs = window.WebSocket;
  class TimedWebSocket extends NativeWs {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const at = now();
        try {
          const message = JSON.parse(event.data);
          const name = message.plugindata && message.plugindata.data && message.plugindata.data.result && message.plugindata.data.result.event;
          if (name) bench.mark(`in-${name}`, at, { jsep: message.jsep ? message.jsep.type : undefined, session: message.session_id, handle: message.sender });
        } catch {
          // not JSON: not ours to time
        }
      });
    }

    send(data) {
      try {
        const message = JSON.parse(data);
        if (message.body && message.body.request) bench.mark(`out-${message.body.request}`, now(), { jsep: message.jsep ? message.jsep.type : undefined });
      } catch {
        // not JSON
      }
      return super.send(data);
    }
  }
  window.WebSocket = TimedWebSocket;

  // ---- first rendered frame of every <video> -----------------------------------------------------
  const absolute = (t) => (typeof t === 'number' ? performance.timeOrigin + t : null);
  const timedVideos = new WeakSet();
  const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    enumerable: srcObject.enumerable,
    get() {
      return srcObject.get.call(this);
    },
    set(value) {
      srcObject.set.call(this, value);
      if (!value || !(this instanceof HTMLVideoElement) || !this.requestVideoFrameCallback) return;
      const element = this;
      if (timedVideos.has(element)) return;
      timedVideos.add(element);
      element.requestVideoFrameCallback((callbackTime, meta) => {
        bench.frames.push({
          part: element.getAttribute('data-part') || element.id || 'video',
          presented: absolute(meta.presentationTime),
          displayed: absolute(meta.expectedDisplayTime),
          received: absolute(meta.receiveTime),
          width: meta.width,
          height: meta.height,
        });
        bench.mark('first-frame', absolute(meta.expectedDisplayTime));
      });
    },
  });

  // ---- the clock camera --------------------------------------------------------------------------
  const WIDTH = 640;
  const HEIGHT = 480;
  const COLUMNS = 8;
  const ROWS = 5;
  const BLOCK_W = WIDTH / COLUMNS;
  const BLOCK_H = HEIGHT / ROWS;
  const WRAP = 2 ** 32;
  const checksum = (code) => ((code & 0xff) + ((code >>> 8) & 0xff) + ((code >>> 16) & 0xff) + ((code >>> 24) & 0xff) + 0x5a) & 0xff;

  function paintClock(ctx, time) {
    const code = Math.floor(time) % WRAP;
    const check = checksum(code);
    for (let bit = 0; bit < COLUMNS * ROWS; bit += 1) {
      const on = bit < 32 ? Math.floor(code / 2 ** bit) % 2 === 1 : ((check >> (bit - 32)) & 1) === 1;
      ctx.fillStyle = on ? '#fff' : '#000';
      ctx.fillRect((bit % COLUMNS) * BLOCK_W, Math.floor(bit / COLUMNS) * BLOCK_H, BLOCK_W, BLOCK_H);
    }
  }

  /** A MediaStream from a canvas showing the clock, redrawn `fps` times a second. */
  function clockStream(fps = 30) {
    const canvas = document.createElement('canvas');
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    const ctx = canvas.getContext('2d');
    const draw = () => paintClock(ctx, now());
    draw();
    setInterval(draw, 1000 / fps);
    return canvas.captureStream();
  }
  bench.clockStream = clockStream;

  if (canvasCamera && navigator.mediaDevices) {
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints = {}) => {
      const stream = clockStream();
      if (constraints.audio) {
        const audio = await original({ audio: constraints.audio });
        for (const track of audio.getAudioTracks()) stream.addTrack(track);
      }
      return stream;
    };
  }

  /** Reads the clock from every frame `video` renders for `ms`: { samples, rejected }. */
  bench.decode = (video, ms) => new Promise((resolve) => {
    const canvas = document.createElement('canvas');
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const samples = [];
    let rejected = 0;
    const until = now() + ms;
    const read = () => {
      ctx.drawImage(video, 0, 0, WIDTH, HEIGHT);
      const pixels = ctx.getImageData(0, 0, WIDTH, HEIGHT).data;
      let code = 0;
      let check = 0;
      for (let bit = 0; bit < COLUMNS * ROWS; bit += 1) {
        const cx = Math.floor((bit % COLUMNS) * BLOCK_W + BLOCK_W / 2);
        const cy = Math.floor(Math.floor(bit / COLUMNS) * BLOCK_H + BLOCK_H / 2);
        let sum = 0;
        for (let dy = -8; dy < 8; dy += 4) {
          for (let dx = -8; dx < 8; dx += 4) sum += pixels[((cy + dy) * WIDTH + (cx + dx)) * 4];
        }
        const on = sum / 16 > 127;
        if (bit < 32) code += on ? 2 ** bit : 0;
        else check |= on ? 1 << (bit - 32) : 0;
      }
      return check === checksum(code) ? code : null;
    };
    const onFrame = (callbackTime, meta) => {
      const displayed = performance.timeOrigin + meta.expectedDisplayTime;
      const code = read();
      if (code === null) {
        rejected += 1;
      } else {
        // The stripe holds epoch ms modulo 2^32; the viewer's clock is a few ms later.
        const since = (t) => (((Math.floor(t) - code) % WRAP) + WRAP) % WRAP;
        const latency = since(displayed);
        if (latency < 10_000) {
          const received = typeof meta.receiveTime === 'number' ? performance.timeOrigin + meta.receiveTime : null;
          samples.push({ latency, toReceive: received === null ? null : since(received), width: meta.width, height: meta.height });
        } else {
          rejected += 1;
        }
      }
      if (now() < until) video.requestVideoFrameCallback(onFrame);
      else resolve({ samples, rejected });
    };
    video.requestVideoFrameCallback(onFrame);
  });

  /**
   * What WebRTC itself says about the video and audio of this page's open PeerConnections: per
   * inbound stream the average jitter-buffer delay, frames dropped and decode time; per outbound
   * video stream the frame rate and why quality is limited.
   */
  bench.mediaStats = async () => {
    const out = [];
    for (const pc of bench.peers) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s) => {
        const perFrame = (total, count) => (count ? (1000 * total) / count : null);
        if (s.type === 'inbound-rtp') {
          out.push({
            pc: pc.__benchId, direction: 'in', kind: s.kind,
            jitterBufferMs: perFrame(s.jitterBufferDelay, s.jitterBufferEmittedCount),
            jitterBufferTargetMs: perFrame(s.jitterBufferTargetDelay, s.jitterBufferEmittedCount),
            jitterMs: typeof s.jitter === 'number' ? 1000 * s.jitter : null,
            framesReceived: s.framesReceived, framesDecoded: s.framesDecoded, framesDropped: s.framesDropped,
            decodeMs: perFrame(s.totalDecodeTime, s.framesDecoded), freezes: s.freezeCount, packetsLost: s.packetsLost,
            nacks: s.nackCount, plis: s.pliCount,
          });
        } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
          out.push({
            pc: pc.__benchId, direction: 'out', kind: s.kind, framesPerSecond: s.framesPerSecond, framesEncoded: s.framesEncoded,
            framesSent: s.framesSent, qualityLimitation: s.qualityLimitationReason, targetBitrate: s.targetBitrate,
            encodeMs: perFrame(s.totalEncodeTime, s.framesEncoded), keyFrames: s.keyFramesEncoded, plis: s.pliCount, nacks: s.nackCount,
          });
        }
      });
    }
    return out;
  };

  /**
   * The in-page baseline: a camera (the fake one, or the clock) sent from one RTCPeerConnection
   * to another in this page, candidates handed over directly. Marks the same phases as a viewer
   * ('accept' when negotiation starts) and resolves with the receiving <video>.
   */
  bench.baseline = async ({ clock = false, audio = true } = {}) => {
    const stream = clock ? clockStream() : await navigator.mediaDevices.getUserMedia({ video: true, audio });
    if (clock && audio) {
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const track of mic.getAudioTracks()) stream.addTrack(track);
    }
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    document.body.append(video);
    bench.mark('accept');
    const sender = new RTCPeerConnection();
    const receiver = new RTCPeerConnection();
    sender.addEventListener('icecandidate', (e) => e.candidate && receiver.addIceCandidate(e.candidate));
    receiver.addEventListener('icecandidate', (e) => e.candidate && sender.addIceCandidate(e.candidate));
    receiver.addEventListener('track', (e) => {
      if (!video.srcObject) video.srcObject = e.streams[0] || new MediaStream([e.track]);
    });
    for (const track of stream.getTracks()) sender.addTrack(track, stream);
    await sender.setLocalDescription(await sender.createOffer());
    await receiver.setRemoteDescription(sender.localDescription);
    await receiver.setLocalDescription(await receiver.createAnswer());
    bench.mark('out-start');
    await sender.setRemoteDescription(receiver.localDescription);
    bench.baselinePeers = { sender, receiver, stream };
    return video;
  };

  bench.closeBaseline = () => {
    if (!bench.baselinePeers) return;
    bench.baselinePeers.sender.close();
    bench.baselinePeers.receiver.close();
    for (const track of bench.baselinePeers.stream.getTracks()) track.stop();
    bench.baselinePeers = null;
  };
}
