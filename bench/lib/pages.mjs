// SPDX-License-Identifier: GPL-3.0-or-later
// The benchmark pages: minimal embeds of onair.js, on their own origin (http://localhost:PORT),
// cross-site to the OnAir host like a real site. Each page is what a site owner would write
// (docs/widget.md), nothing more, so what is measured is the wrapper itself.
//
//   /broadcast?site=&user=&name=         one Go live button
//   /watch?site=&target=&user=           one Watch button for target
//   /buttons?site=&n=&user=&prefix=      n Watch buttons, targets PREFIX0 … PREFIX(n-1)
//     &script=baseline                   … embedding another build's onair.js (`baseline`), served
//                                        here and told the OnAir host's Janus (data-server)
//   /blank                               no wrapper (in-page baselines)
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(body, script) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OnAir benchmark</title></head>
<body>
${body}
${script}
</body></html>
`;
}

export class PageServer {
  /** `baseline`: the path of another build's onair.js, for comparisons (bench/embed). */
  constructor({ onairOrigin, baseline = null }) {
    this.onairOrigin = onairOrigin;
    this.baseline = baseline;
  }

  get origin() {
    return `http://localhost:${this.port}`;
  }

  /** The address of a page with these query parameters. */
  url(path, params = {}) {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    return `${this.origin}${path}${query.size ? `?${query}` : ''}`;
  }

  render(url) {
    const q = (name, fallback = '') => url.searchParams.get(name) ?? fallback;
    const site = escapeHtml(q('site', 'bench'));
    const janus = `${this.onairOrigin.replace(/^http/, 'ws')}/janus-ws ${this.onairOrigin}/janus`;
    const script = q('script') === 'baseline'
      ? `<script src="/baseline/onair.js" data-site="${site}" data-server="${escapeHtml(janus)}" async></script>`
      : `<script src="${escapeHtml(this.onairOrigin)}/onair.js" data-site="${site}" async></script>`;
    switch (url.pathname) {
      case '/broadcast':
        return page(`<button data-onair="broadcast" data-onair-user="${escapeHtml(q('user'))}" data-onair-name="${escapeHtml(q('name', q('user')))}">Go live</button>`, script);
      case '/watch':
        return page(`<button data-onair="watch" data-onair-target="${escapeHtml(q('target'))}" data-onair-user="${escapeHtml(q('user'))}" hidden>Watch</button>`, script);
      case '/buttons': {
        const n = Math.min(Number(q('n', '100')), 1000);
        const buttons = Array.from({ length: n }, (_, i) =>
          `<li><button data-onair="watch" data-onair-target="${escapeHtml(q('prefix', 't'))}${i}" data-onair-user="${escapeHtml(q('user'))}" hidden>Watch</button></li>`);
        return page(`<ul>\n${buttons.join('\n')}\n</ul>`, script);
      }
      case '/blank':
        return page('<p>baseline</p>', '');
      default:
        return null;
    }
  }

  async start() {
    this.server = createServer((request, response) => {
      if (this.baseline && request.url === '/baseline/onair.js') {
        response.writeHead(200, { 'content-type': 'application/javascript', 'cache-control': 'no-store' });
        response.end(readFileSync(this.baseline));
        return;
      }
      const html = this.render(new URL(request.url, 'http://localhost'));
      response.writeHead(html === null ? 404 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(html ?? 'not found');
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = this.server.address().port;
    return this;
  }

  async stop() {
    this.server.closeAllConnections();
    this.server.close();
  }
}
