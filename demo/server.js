// SPDX-License-Identifier: GPL-3.0-or-later
// The demo site: a small community website on its own origin that embeds OnAir. Like any real
// site's backend it knows who the visitor is and signs that visitor's OnAir token server-side
// (token.js); the page only ever sees the token.
//
//   ONAIR_URL=http://localhost:8080 ONAIR_SITE_SECRET=... node demo/server.js
//
// Environment: DEMO_HOST (127.0.0.1), DEMO_PORT (3000), ONAIR_URL (the OnAir host serving
// /onair.js), ONAIR_SERVER (optional data-server override), ONAIR_SITE (demo),
// ONAIR_SITE_SECRET (required: the secret of ONAIR_SITE), ONAIR_OPEN_SITE (demo-open).
// The visitor is chosen with ?as=anna|boris|vera|gleb so each window can be someone else.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

import { BillingBook } from './billing.js';
import { billingRoutes } from './billing-receiver.js';
import { homePage, languages, myPage, notFoundPage, openPage, profilePage } from './pages.js';
import { signOnAirToken } from './token.js';
import { findUser, users } from './users.js';

const stylesheet = readFileSync(new URL('./public/style.css', import.meta.url));

function pickLanguage(url, request) {
    const asked = url.searchParams.get('lang');
    if (languages.includes(asked)) return asked;
    const accept = request.headers['accept-language'] ?? '';
    return /^\s*ru\b/i.test(accept) ? 'ru' : 'en';
}

// The visitor "logged in" on this window: ?as=… or, by default, Anna on her own page and Boris
// everywhere else, so the two first windows need no choosing.
function pickViewer(url) {
    const asked = findUser(url.searchParams.get('as') ?? '');
    if (asked) return asked;
    return findUser(url.pathname === '/me' ? 'anna' : 'boris');
}

function route(ctx) {
    const { pathname } = ctx.url;
    if (pathname === '/') return [200, homePage(ctx)];
    if (pathname === '/me') return [200, myPage(ctx)];
    if (pathname === '/open') return [200, openPage(ctx)];
    const profile = /^\/u\/([a-z0-9]+)$/.exec(pathname);
    const owner = profile && findUser(profile[1]);
    if (owner && owner === ctx.viewer) return [302, null, `/me${ctx.url.search}`];
    if (owner) return [200, profilePage(ctx, owner)];
    return [404, notFoundPage(ctx)];
}

export function createDemoServer(config) {
    if (!config.secret) throw new Error('demo: the site secret is missing (ONAIR_SITE_SECRET)');
    // OnAir's billing callbacks (the site's callback_url) and the airtime page: docs/billing.md.
    const billing = billingRoutes(new BillingBook({ secret: config.secret, site: config.site }));
    return createServer((request, response) => {
        const url = new URL(request.url, 'http://demo.invalid');
        if (billing(request, response, url.pathname)) return;
        if (request.method !== 'GET' && request.method !== 'HEAD') {
            response.writeHead(405, { Allow: 'GET, HEAD' }).end();
            return;
        }
        if (url.pathname === '/style.css') {
            response.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' });
            response.end(stylesheet);
            return;
        }
        if (url.pathname === '/healthz') {
            response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
            return;
        }
        const ctx = {
            url,
            path: url.pathname,
            config,
            lang: pickLanguage(url, request),
            viewer: pickViewer(url),
            tokenFor: (user, site) =>
                signOnAirToken({ secret: config.secret, site, user: user.id, name: user.name[ctx.lang] }),
        };
        const [status, html, location] = route(ctx);
        if (location) {
            response.writeHead(status, { Location: location }).end();
            return;
        }
        response.writeHead(status, {
            'Content-Type': 'text/html; charset=utf-8',
            'Cache-Control': 'no-store', // pages carry per-visitor tokens
            'Content-Language': ctx.lang,
        });
        response.end(request.method === 'HEAD' ? undefined : html);
    });
}

export function configFromEnvironment(env = process.env) {
    return {
        host: env.DEMO_HOST ?? '127.0.0.1',
        port: Number(env.DEMO_PORT ?? 3000),
        onairUrl: (env.ONAIR_URL ?? 'http://localhost:8080').replace(/\/$/, ''),
        serverUrl: env.ONAIR_SERVER || undefined,
        site: env.ONAIR_SITE ?? 'demo',
        openSite: env.ONAIR_OPEN_SITE ?? 'demo-open',
        secret: env.ONAIR_SITE_SECRET,
    };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const config = configFromEnvironment();
    let server;
    try {
        server = createDemoServer(config);
    } catch (error) {
        console.error(error.message);
        process.exit(1);
    }
    server.on('error', (error) => {
        console.error(`demo: cannot listen on ${config.host}:${config.port}: ${error.message}`);
        process.exit(1);
    });
    server.listen(config.port, config.host, () => {
        const base = `http://${config.host === '127.0.0.1' ? 'localhost' : config.host}:${config.port}`;
        console.log(`demo site on ${base} (OnAir host ${config.onairUrl}, users: ${users.map((u) => u.slug).join(', ')})`);
    });
    for (const signal of ['SIGINT', 'SIGTERM']) {
        process.on(signal, () => {
            server.close(() => process.exit(0));
            server.closeAllConnections();
        });
    }
}
