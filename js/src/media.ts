// SPDX-License-Identifier: GPL-3.0-or-later
// onair-media.js entry point: janus.js, webrtc-adapter and the flows, handed to onair.js, which
// loads this script on the page's first broadcast or watch (loader.ts) and lends it its texts and
// error type (lent/).
import { Broadcast } from './broadcast';
import { Connection } from './connection';
import type { SessionFlow } from './flow';
import { mediaHook } from './lent/hook';
import type { MediaModule } from './media_api';
import { Watch } from './watch';

declare const __ONAIR_VERSION__: string;

function started<F extends SessionFlow>(flow: F): F {
  void flow.start();
  return flow;
}

const media: MediaModule = {
  version: __ONAIR_VERSION__,
  start(config) {
    const connection = new Connection(config);
    return {
      connection,
      broadcast: (host, options, resumed, view) => started(new Broadcast(host, options, resumed, view)),
      watch: (host, options, view) => started(new Watch(host, options, view)),
    };
  },
};

const hook = mediaHook();
if (typeof hook?.register === 'function') hook.register(media);
else console.error('onair-media.js: load onair.js, which loads this script when it needs it');
