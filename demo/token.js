// SPDX-License-Identifier: GPL-3.0-or-later
// What a site's backend does so OnAir knows who its visitors are: sign a short-lived HS256 JWT with
// the site secret (the one in the site's `site-…` block of janus.plugin.onair.jcfg). Never send
// the secret to the browser; only the token goes into the page.
import { createHmac } from 'node:crypto';

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signOnAirToken({ secret, site, user, name, ttlSeconds = 3600 }) {
    const header = base64url({ alg: 'HS256', typ: 'JWT' });
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const claims = base64url({ sub: String(user), site, exp, ...(name ? { name } : {}) });
    const signature = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
    return `${header}.${claims}.${signature}`;
}
