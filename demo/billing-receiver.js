// SPDX-License-Identifier: GPL-3.0-or-later
// The demo's billing receiver on its own port, for running it apart from the demo site:
//
//   ONAIR_SITE_SECRET=... node demo/billing-receiver.js
//
// Point the site's callback_url (janus.plugin.onair.jcfg, site-demo) at
// http://127.0.0.1:3001/onair/billing and open http://localhost:3001/billing.
// Environment: BILLING_HOST (127.0.0.1), BILLING_PORT (3001), ONAIR_SITE (demo), ONAIR_SITE_SECRET.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

import { BillingBook } from './billing.js';

export const CALLBACK_PATH = '/onair/billing';
export const PAGE_PATH = '/billing';

// Serves the two billing routes; returns false for any other request (so a site server can mount it).
export function billingRoutes(book) {
    return (request, response, pathname) => {
        if (pathname === CALLBACK_PATH && request.method === 'POST') {
            book.receive(request, response);
            return true;
        }
        if (pathname === PAGE_PATH && request.method === 'GET') {
            response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
            response.end(book.page());
            return true;
        }
        return false;
    };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const secret = process.env.ONAIR_SITE_SECRET;
    if (!secret) {
        console.error('billing receiver: the site secret is missing (ONAIR_SITE_SECRET)');
        process.exit(1);
    }
    const host = process.env.BILLING_HOST ?? '127.0.0.1';
    const port = Number(process.env.BILLING_PORT ?? 3001);
    const routes = billingRoutes(new BillingBook({ secret, site: process.env.ONAIR_SITE ?? 'demo' }));
    const server = createServer((request, response) => {
        const { pathname } = new URL(request.url, 'http://receiver.invalid');
        if (!routes(request, response, pathname)) response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    });
    server.on('error', (error) => {
        console.error(`billing receiver: cannot listen on ${host}:${port}: ${error.message}`);
        process.exit(1);
    });
    server.listen(port, host, () => console.log(`billing receiver: POST ${CALLBACK_PATH}, page ${PAGE_PATH} on http://${host}:${port}`));
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
}
