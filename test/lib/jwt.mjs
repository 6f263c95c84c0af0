// SPDX-License-Identifier: GPL-3.0-or-later
// HS256 tokens as a site's backend makes them (docs/protocol.md, "Identity"), built with
// node:crypto only, so the tests do not trust the plugin's own JWT code to check itself.
import { createHmac } from 'node:crypto';

const base64url = (data) => Buffer.from(data).toString('base64url');

export const nowSeconds = () => Math.floor(Date.now() / 1000);

// Signs `claims` with `secret`. `header` may be overridden to forge other algorithms.
export function signJwt(claims, secret, header = { alg: 'HS256', typ: 'JWT' }) {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

// A token for `user` on `site`, valid for `ttl` seconds (negative: already expired).
export function siteToken({ site, secret, user, name, ttl = 600, extra = {} }) {
  const claims = { sub: user, site, exp: nowSeconds() + ttl, ...extra };
  if (name !== undefined) claims.name = name;
  return signJwt(claims, secret);
}

// An unsigned ("alg": "none") token with the given claims: must never be accepted.
export function unsignedJwt(claims) {
  return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}.`;
}
