// SPDX-License-Identifier: GPL-3.0-or-later
// The part of janus.js 1.4 (npm `janus-gateway`) that onair.js uses, typed strictly. tsconfig maps
// the module here instead of the package's own loose typings, so plugin messages arrive as
// `unknown` and must be validated (see protocol.ts).

export interface Jsep {
  type: 'offer' | 'answer' | string;
  sdp: string;
  [extra: string]: unknown;
}

/** One entry of janus.js' `tracks` array for createOffer/createAnswer. */
export interface TrackSpec {
  type: 'audio' | 'video';
  /** true: janus.js captures; a MediaStreamTrack: use this one; false: do not send. */
  capture: boolean | MediaStreamTrack;
  recv?: boolean;
  /** Keep the track running when janus.js tears the PeerConnection down. */
  dontStop?: boolean;
  /** Send up to three rid-based simulcast layers (video). */
  simulcast?: boolean;
}

export interface SendOptions {
  message: Record<string, unknown>;
  jsep?: Jsep;
  success?: (data?: unknown) => void;
  error?: (error: string) => void;
}

export interface SdpOptions {
  tracks: TrackSpec[];
  iceRestart?: boolean;
  success: (jsep: Jsep) => void;
  error: (error: unknown) => void;
}

export interface PluginHandle {
  getId(): number;
  send(options: SendOptions): void;
  createOffer(options: SdpOptions): void;
  createAnswer(options: SdpOptions & { jsep: Jsep }): void;
  handleRemoteJsep(options: { jsep: Jsep; success?: () => void; error?: (error: unknown) => void }): void;
  hangup(sendRequest?: boolean): void;
  detach(options?: { success?: () => void; error?: (error: string) => void; noRequest?: boolean }): void;
}

export interface AttachOptions {
  plugin: string;
  opaqueId?: string;
  success: (handle: PluginHandle) => void;
  error: (error: string) => void;
  onmessage?: (message: unknown, jsep?: Jsep) => void;
  webrtcState?: (up: boolean, reason?: string) => void;
  iceState?: (state: RTCIceConnectionState) => void;
  mediaState?: (kind: 'audio' | 'video', receiving: boolean, mid?: string) => void;
  onlocaltrack?: (track: MediaStreamTrack, on: boolean) => void;
  onremotetrack?: (track: MediaStreamTrack, mid: string, on: boolean, metadata?: { reason: string }) => void;
  oncleanup?: () => void;
  ondetached?: () => void;
}

export interface SessionOptions {
  server: string | string[];
  iceServers?: RTCIceServer[];
  withCredentials?: boolean;
  destroyOnUnload?: boolean;
  success: () => void;
  error: (error: string) => void;
  destroyed?: () => void;
}

export interface InitOptions {
  debug?: boolean | 'all' | Array<'trace' | 'debug' | 'vdebug' | 'log' | 'warn' | 'error'>;
  dependencies: Dependencies;
  callback: () => void;
}

/** One call of janus.js to the REST API: `body` is the request, `success` gets the parsed reply
 * (the long poll's: one event, or an array of them). */
export interface HttpCall {
  verb: string;
  body?: unknown;
  success?: (json: unknown) => void;
  [other: string]: unknown;
}

/** What janus.js sends and receives with (Janus.init), besides the parts onair.js passes through. */
export interface Dependencies {
  newWebSocket(server: string, protocol: string): WebSocket;
  httpAPICall(url: string, call: HttpCall): unknown;
  [other: string]: unknown;
}

declare class Janus {
  constructor(options: SessionOptions);
  static init(options: InitOptions): void;
  static useDefaultDependencies(deps: { adapter: unknown }): Dependencies;
  static isWebrtcSupported(): boolean;
  attach(options: AttachOptions): void;
  isConnected(): boolean;
  getSessionId(): number;
  destroy(options?: { success?: () => void; error?: (error: string) => void; notifyDestroyed?: boolean; cleanupHandles?: boolean; unload?: boolean }): void;
}

export default Janus;
