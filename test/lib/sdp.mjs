// SPDX-License-Identifier: GPL-3.0-or-later
// Realistic SDP for signalling-level tests: an offer shaped like Chromium's for a camera and a
// microphone (Unified Plan, BUNDLE, many codecs), and a small parser for checking answers.
import { randomBytes } from 'node:crypto';

const fingerprint = () => [...randomBytes(32)].map((byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':');

const AUDIO_CODECS = [
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
];
const AUDIO_PTS = '111 63 9 0 8 13 110 126';

const VIDEO_CODECS = {
  vp8: ['a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 goog-remb', 'a=rtcp-fb:96 transport-cc', 'a=rtcp-fb:96 ccm fir',
    'a=rtcp-fb:96 nack', 'a=rtcp-fb:96 nack pli', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96'],
  h264: ['a=rtpmap:102 H264/90000', 'a=rtcp-fb:102 goog-remb', 'a=rtcp-fb:102 transport-cc', 'a=rtcp-fb:102 ccm fir',
    'a=rtcp-fb:102 nack', 'a=rtcp-fb:102 nack pli',
    'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
    'a=rtpmap:103 rtx/90000', 'a=fmtp:103 apt=102'],
  vp9: ['a=rtpmap:98 VP9/90000', 'a=rtcp-fb:98 goog-remb', 'a=rtcp-fb:98 transport-cc', 'a=rtcp-fb:98 ccm fir',
    'a=rtcp-fb:98 nack', 'a=rtcp-fb:98 nack pli', 'a=fmtp:98 profile-id=0', 'a=rtpmap:99 rtx/90000', 'a=fmtp:99 apt=98'],
  av1: ['a=rtpmap:45 AV1/90000', 'a=rtcp-fb:45 goog-remb', 'a=rtcp-fb:45 transport-cc', 'a=rtcp-fb:45 ccm fir',
    'a=rtcp-fb:45 nack', 'a=rtcp-fb:45 nack pli', 'a=rtpmap:46 rtx/90000', 'a=fmtp:46 apt=45'],
};
const VIDEO_PTS = { vp8: '96 97', h264: '102 103', vp9: '98 99', av1: '45 46' };

// The video SSRC lines of an offer: one stream with its retransmissions, three simulcast layers
// by rid (Chromium with sendEncodings, as janus.js `simulcast: true` asks: no SSRC lines at all),
// or three layers by SSRC (an `a=ssrc-group:SIM`, lowest first, as munged SDP does).
function videoStreams(simulcast) {
  const source = (ssrc) => [`a=ssrc:${ssrc} cname:onairtestcname`, `a=ssrc:${ssrc} msid:camstream camtrack`];
  if (simulcast === 'rid') return ['a=rid:h send', 'a=rid:m send', 'a=rid:l send', 'a=simulcast:send h;m;l'];
  if (simulcast === 'ssrc') {
    const layers = [[22222222, 33333333], [44444444, 55555555], [66666666, 77777777]];
    return [
      `a=ssrc-group:SIM ${layers.map(([media]) => media).join(' ')}`,
      ...layers.map(([media, rtx]) => `a=ssrc-group:FID ${media} ${rtx}`),
      ...layers.flat().flatMap(source),
    ];
  }
  return ['a=ssrc-group:FID 22222222 33333333', ...source(22222222), ...source(33333333)];
}

// A Chromium-like offer. audio/video: include that m-line (sendonly unless `direction`);
// videoCodecs: which video codecs to offer, in order; simulcast: 'rid' or 'ssrc' for three layers.
export function chromiumOffer({ audio = true, video = true, videoCodecs = ['vp8', 'vp9', 'av1', 'h264'], direction = 'sendonly', simulcast = null } = {}) {
  const ufrag = randomBytes(3).toString('hex');
  const pwd = randomBytes(12).toString('hex');
  const fp = fingerprint();
  const mids = [];
  const sections = [];
  const common = (mid) => [
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${ufrag}`,
    `a=ice-pwd:${pwd}`,
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${fp}`,
    'a=setup:actpass',
    `a=mid:${mid}`,
  ];
  if (audio) {
    const mid = String(mids.length);
    mids.push(mid);
    sections.push([
      `m=audio 9 UDP/TLS/RTP/SAVPF ${AUDIO_PTS}`,
      ...common(mid),
      'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
      'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
      `a=${direction}`,
      'a=msid:camstream mictrack',
      'a=rtcp-mux',
      ...AUDIO_CODECS,
      'a=ssrc:11111111 cname:onairtestcname',
      'a=ssrc:11111111 msid:camstream mictrack',
    ]);
  }
  if (video) {
    const mid = String(mids.length);
    mids.push(mid);
    sections.push([
      `m=video 9 UDP/TLS/RTP/SAVPF ${videoCodecs.map((codec) => VIDEO_PTS[codec]).join(' ')}`,
      ...common(mid),
      'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
      'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      'a=extmap:13 urn:3gpp:video-orientation',
      'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
      'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
      'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
      `a=${direction}`,
      'a=msid:camstream camtrack',
      'a=rtcp-mux',
      'a=rtcp-rsize',
      ...videoCodecs.flatMap((codec) => VIDEO_CODECS[codec]),
      ...videoStreams(simulcast),
    ]);
  }
  const lines = [
    'v=0',
    `o=- ${BigInt.asUintN(62, BigInt(`0x${randomBytes(8).toString('hex')}`))} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    `a=group:BUNDLE ${mids.join(' ')}`,
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS camstream',
    ...sections.flat(),
  ];
  return { type: 'offer', sdp: `${lines.join('\r\n')}\r\n` };
}

// Parses the m-sections of an SDP: kind, port, direction, codecs (rtpmap names by payload type).
export function parseSdp(sdp) {
  const sections = [];
  let current = null;
  for (const line of sdp.split(/\r?\n/)) {
    const media = /^m=(\w+) (\d+) [^ ]+ ?(.*)$/.exec(line);
    if (media) {
      current = { kind: media[1], port: Number(media[2]), payloads: media[3].split(' ').filter(Boolean), direction: 'sendrecv', codecs: {}, lines: [] };
      sections.push(current);
      continue;
    }
    if (!current) continue;
    current.lines.push(line);
    const direction = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
    if (direction) current.direction = direction[1];
    const rtpmap = /^a=rtpmap:(\d+) ([^/]+)\//.exec(line);
    if (rtpmap) current.codecs[rtpmap[1]] = rtpmap[2];
  }
  return sections;
}

// The codec names of a section other than retransmission/redundancy helpers.
export function mainCodecs(section) {
  return [...new Set(Object.values(section.codecs).filter((name) => !/^(rtx|red|ulpfec|flexfec-03)$/i.test(name)).map((name) => name.toUpperCase()))];
}
