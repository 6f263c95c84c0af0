// SPDX-License-Identifier: GPL-3.0-or-later
// The demo site's billing receiver (docs/billing.md, "The demo receiver"): OnAir POSTs signed
// events to the site's callback_url; the backend checks the signature, keeps each event once
// (webhook-id) and shows airtime per user. Kept in memory: a real site writes to its database.
import { createHmac, timingSafeEqual } from 'node:crypto';

import { users } from './users.js';

// Standard Webhooks, as OnAir signs: HMAC-SHA256 over "id.timestamp.body" keyed with the site
// secret's bytes, base64, sent as "v1,<signature>". This is all a backend needs to check.
export function verifyWebhook(secret, headers, body) {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    if (!id || !timestamp || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
    const expected = createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest();
    return String(headers['webhook-signature'] ?? '').split(' ').some((entry) => {
        const given = Buffer.from(entry.replace(/^v1,/, ''), 'base64');
        return entry.startsWith('v1,') && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

const MAX_BODY = 64 * 1024;
const RECENT = 30;

const escapeHtml = (value) =>
    String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function duration(seconds) {
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h ? `${h} h ${String(m).padStart(2, '0')} min` : m ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

// Airtime from the cumulative figures in events: each broadcast and watch session counts its
// largest value, so a repeated or replayed report never adds twice.
export class BillingBook {
    constructor({ secret, site }) {
        this.secret = secret;
        this.site = site;
        this.seen = new Set(); // webhook-ids already taken
        this.broadcasts = new Map(); // broadcast_id -> { user, seconds, live }
        this.watches = new Map(); // watch_id -> { user, seconds }
        this.recent = [];
    }

    // Handles one POST from OnAir. Answers 2xx only once the event is safely recorded.
    receive(request, response) {
        const chunks = [];
        let size = 0;
        request.on('data', (chunk) => {
            size += chunk.length;
            if (size > MAX_BODY) request.destroy();
            else chunks.push(chunk);
        });
        request.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (!verifyWebhook(this.secret, request.headers, body)) {
                response.writeHead(401, { 'Content-Type': 'text/plain' }).end('bad signature\n');
                return;
            }
            let event;
            try {
                event = JSON.parse(body);
            } catch {
                response.writeHead(400, { 'Content-Type': 'text/plain' }).end('not JSON\n');
                return;
            }
            if (event.site === this.site && !this.seen.has(event.id)) {
                this.seen.add(event.id);
                this.record(event);
            }
            response.writeHead(204).end(); // a duplicate is fine too: it was recorded before
        });
    }

    record(event) {
        const data = event.data ?? {};
        const keepMax = (map, key, user, seconds, extra = {}) => {
            const known = map.get(key) ?? { user, seconds: 0 };
            map.set(key, { ...known, ...extra, user, seconds: Math.max(known.seconds, seconds ?? 0) });
        };
        switch (event.type) {
            case 'broadcast.started':
                keepMax(this.broadcasts, event.broadcast_id, data.user, 0, { live: true });
                break;
            case 'airtime.report':
                keepMax(this.broadcasts, event.broadcast_id, data.user, data.broadcast_seconds);
                for (const v of data.viewers ?? []) keepMax(this.watches, v.watch_id, v.viewer, v.watch_seconds);
                break;
            case 'broadcast.ended':
                keepMax(this.broadcasts, event.broadcast_id, data.user, data.broadcast_seconds, { live: false });
                break;
            case 'viewer.left':
                keepMax(this.watches, data.watch_id, data.viewer, data.watch_seconds);
                break;
            default:
                break;
        }
        this.recent.unshift(event);
        this.recent.length = Math.min(this.recent.length, RECENT);
    }

    // { userId: { broadcast_seconds, watch_seconds, live } }
    totals() {
        const out = {};
        const row = (user) => (out[user] ??= { broadcast_seconds: 0, watch_seconds: 0, live: false });
        for (const b of this.broadcasts.values()) {
            row(b.user).broadcast_seconds += b.seconds;
            if (b.live) row(b.user).live = true;
        }
        for (const w of this.watches.values()) row(w.user).watch_seconds += w.seconds;
        return out;
    }

    page() {
        const nameOf = (id) => users.find((u) => u.id === id)?.name.en ?? id;
        const rows = Object.entries(this.totals())
            .sort(([, a], [, b]) => b.broadcast_seconds + b.watch_seconds - (a.broadcast_seconds + a.watch_seconds))
            .map(([user, t]) => `<tr><td>${escapeHtml(nameOf(user))}${t.live ? ' <b>live</b>' : ''}</td>` +
                `<td>${duration(t.broadcast_seconds)}</td><td>${duration(t.watch_seconds)}</td></tr>`)
            .join('');
        const events = this.recent
            .map((e) => `<li><code>${escapeHtml(e.type)}</code> ${escapeHtml(nameOf(e.data?.user ?? ''))}` +
                `${e.data?.viewer ? ` ← ${escapeHtml(nameOf(e.data.viewer))}` : ''} <small>#${e.seq} ${escapeHtml(e.broadcast_id)}</small></li>`)
            .join('');
        return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Airtime</title>
<meta http-equiv="refresh" content="5"><link rel="stylesheet" href="/style.css"></head><body><main>
<h1>Airtime on ${escapeHtml(this.site)}</h1>
<p>From OnAir's signed billing callbacks (each event verified in <code>demo/billing.js</code>, counted once).
Reports arrive every report_interval; the page refreshes every 5 s.</p>
<table><thead><tr><th>Member</th><th>Broadcast</th><th>Watched</th></tr></thead>
<tbody>${rows || '<tr><td colspan="3">No airtime yet.</td></tr>'}</tbody></table>
<h2>Latest events</h2><ul>${events || '<li>None yet.</li>'}</ul>
</main></body></html>`;
    }
}
