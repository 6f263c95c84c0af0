// SPDX-License-Identifier: GPL-3.0-or-later
// The nested-namespace peer (test/lib/netpeer.mjs) that the fault and simulcast suites rely on:
// its own address, Chromium inside it loading loopback pages as secure contexts (HTTP, CORS,
// WebSocket), and a throttle, loss and link drop that measurably act on its traffic.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { NetPeer, netPeerUnavailable } from '../lib/netpeer.mjs';

const MEDIA_IP = process.env.ONAIR_MEDIA_IP || '10.99.0.1';

async function listen(server, host) {
  server.listen(0, host);
  await once(server, 'listening');
  return server.address().port;
}

// Runs a small Node program inside the peer's namespace and returns its JSON output.
async function nodeInside(peer, program) {
  return JSON.parse(await peer.exec(process.execPath, ['--input-type=module', '-e', program]));
}

// Downloads `bytes` from host:port inside the peer; returns kbit/s.
async function downloadRate(peer, host, port, bytes) {
  const result = await nodeInside(peer, `
    import { connect } from 'node:net';
    const started = Date.now();
    let got = 0;
    const socket = connect(${port}, '${host}');
    socket.on('data', (chunk) => { got += chunk.length; });
    socket.on('end', () => console.log(JSON.stringify({ got, ms: Date.now() - started })));
  `);
  assert.equal(result.got, bytes, 'the whole payload arrived');
  return (result.got * 8) / result.ms;
}

describe('a peer in its own nested network namespace', { skip: netPeerUnavailable() ?? false }, () => {
  let peer;
  let bulk; // TCP server on the Janus address that sends a fixed payload to each client
  let bulkPort;
  let bulkClients = [];
  let pages; // the "site": a page on localhost
  let api; // another origin (127.0.0.1): CORS JSON and a WebSocket echo
  let pagePort;
  let apiPort;
  let browser;
  let page;
  const PAYLOAD = 150_000;

  before(async () => {
    peer = await NetPeer.create({ label: 'netpeer-test' });
    bulk = createTcpServer((socket) => {
      bulkClients.push(socket.remoteAddress);
      socket.end(Buffer.alloc(PAYLOAD, 7));
    });
    bulkPort = await listen(bulk, MEDIA_IP);
    pages = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>nested</title><p>hello from loopback</p>');
    });
    pagePort = await listen(pages, '127.0.0.1');
    api = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': `http://localhost:${pagePort}` });
      res.end(JSON.stringify({ ok: true, path: req.url }));
    });
    api.on('upgrade', (req, socket) => {
      // Just enough of RFC 6455 for a handshake: the browser's open event is the check.
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    });
    apiPort = await listen(api, '127.0.0.1');
  });

  after(async () => {
    await peer?.close();
    for (const server of [bulk, pages, api]) {
      server?.closeAllConnections?.();
      server?.close();
    }
  });

  test('it has its own address and reaches the Janus side through its link', async () => {
    bulkClients = [];
    const kbit = await downloadRate(peer, MEDIA_IP, bulkPort, PAYLOAD);
    assert.deepEqual(bulkClients, [peer.address], 'the server saw the nested address');
    assert.ok(kbit > 20_000, `an unthrottled link is fast (${Math.round(kbit)} kbit/s)`);
    const routes = await peer.exec('ip', ['-4', 'route']);
    assert.match(routes, new RegExp(`default via ${peer.gateway.replace(/\./g, '\\.')} dev eth0`));
  });

  test('a sender tied to the media interface, as Janus is, reaches it', async () => {
    const iface = process.env.ONAIR_MEDIA_IFACE || 'va';
    const listener = peer.spawn(process.execPath, ['-e', `
      const socket = require('node:dgram').createSocket('udp4');
      socket.on('message', (message, from) => { console.log(JSON.stringify({ from: from.address })); process.exit(0); });
      socket.bind(40000, '${peer.address}', () => console.log('ready'));
      setTimeout(() => process.exit(1), 5000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    listener.stdout.on('data', (chunk) => { output += chunk; });
    while (!output.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 20));
    execFileSync('/usr/bin/python3', ['-c', `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'${iface}')
s.bind(('${MEDIA_IP}', 0))
s.sendto(b'x', ('${peer.address}', 40000))
`]);
    const [code] = await once(listener, 'exit');
    assert.equal(code, 0, `the datagram arrived: ${output}`);
    assert.match(output, new RegExp(`"from":"${MEDIA_IP.replace(/\./g, '\\.')}"`));
  });

  test('Chromium inside it loads loopback pages as secure contexts, with CORS and WebSocket', async () => {
    browser = await peer.launchBrowser();
    page = await (await browser.newContext()).newPage();
    await page.goto(`http://localhost:${pagePort}/`);
    assert.equal(await page.textContent('p'), 'hello from loopback');
    const seen = await page.evaluate(async (apiOrigin) => {
      const json = await (await fetch(`${apiOrigin}/data`)).json();
      const ws = await new Promise((resolve) => {
        const socket = new WebSocket(`${apiOrigin.replace('http', 'ws')}/ws`);
        socket.onopen = () => resolve('open');
        socket.onerror = () => resolve('error');
      });
      return { secure: window.isSecureContext, camera: Boolean(navigator.mediaDevices), json, ws };
    }, `http://127.0.0.1:${apiPort}`);
    assert.deepEqual(seen, { secure: true, camera: true, json: { ok: true, path: '/data' }, ws: 'open' });
    // The browser's connections came from the nested address, so they crossed its link.
    assert.deepEqual(peer.proxyClients, [peer.address]);
  });

  test('the proxy reaches loopback only', async () => {
    const viaProxy = (target) => new Promise((resolve, reject) => {
      const proxy = new URL(peer.proxy.url);
      request({ host: proxy.hostname, port: proxy.port, path: target }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject).end();
    });
    assert.equal(await viaProxy(`http://${MEDIA_IP}:${bulkPort}/`), 403);
    assert.equal(await viaProxy(`http://127.0.0.1:${apiPort}/data`), 200);
  });

  test('throttle() limits the rate both ways', async () => {
    await peer.throttle(800);
    try {
      const kbit = await downloadRate(peer, MEDIA_IP, bulkPort, PAYLOAD);
      assert.ok(kbit > 500 && kbit < 1000, `about 800 kbit/s down, measured ${Math.round(kbit)}`);
    } finally {
      await peer.unthrottle();
    }
    const kbit = await downloadRate(peer, MEDIA_IP, bulkPort, PAYLOAD);
    assert.ok(kbit > 20_000, `unthrottled again (${Math.round(kbit)} kbit/s)`);
  });

  test('throttle() with lossPct drops about that share of packets', async () => {
    const sink = createSocket('udp4');
    let read = 0;
    sink.on('message', () => { read += 1; });
    sink.bind(0, peer.gateway);
    await once(sink, 'listening');
    // What crossed the link: datagrams read, plus those the kernel dropped because the sink's
    // receive buffer was full (a busy test process reads late: CI once read 972 of 1000 with no
    // loss configured). The drops are the socket's own counter, the last column of /proc/net/udp.
    const socketDrops = () => {
      const port = sink.address().port.toString(16).toUpperCase().padStart(4, '0');
      const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((row) => row.trim().split(/\s+/)[1]?.endsWith(`:${port}`));
      return Number(line.trim().split(/\s+/).at(-1));
    };
    const delivered = () => read + socketDrops();
    const send = async () => nodeInside(peer, `
      import { createSocket } from 'node:dgram';
      const socket = createSocket('udp4');
      for (let i = 0; i < 1000; i++) await new Promise((resolve) => socket.send('x', ${sink.address().port}, '${peer.gateway}', resolve));
      socket.close();
      console.log(JSON.stringify({ sent: 1000 }));
    `);
    try {
      await peer.throttle(null, { lossPct: 30 });
      await send();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const lossy = delivered();
      assert.ok(lossy > 600 && lossy < 800, `about 700 of 1000 datagrams arrive with 30 % loss, got ${lossy}`);
      await peer.unthrottle();
      await send();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(delivered() - lossy, 1000, 'no loss once unthrottled');
    } finally {
      sink.close();
      await peer.unthrottle();
    }
  });

  test('delayMs fails clearly where the kernel has no netem, or delays where it has', async () => {
    try {
      await peer.throttle(null, { delayMs: 50 });
    } catch (error) {
      assert.match(error.message, /sch_netem/);
      return;
    }
    try {
      const { ms } = await nodeInside(peer, `
        import { connect } from 'node:net';
        const started = Date.now();
        const socket = connect(${bulkPort}, '${MEDIA_IP}', () => { console.log(JSON.stringify({ ms: Date.now() - started })); socket.destroy(); });
      `);
      assert.ok(ms >= 95, `a TCP handshake takes a 2 x 50 ms round trip, took ${ms} ms`);
    } finally {
      await peer.unthrottle();
    }
  });

  test('linkDown() cuts the page off, linkUp() brings it back', async () => {
    const probe = () => page.evaluate(async (url) => {
      try {
        return (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok ? 'ok' : 'http error';
      } catch {
        return 'failed';
      }
    }, `http://127.0.0.1:${apiPort}/probe`);
    for (const upstream of [false, true]) {
      await peer.linkDown({ upstream });
      assert.equal(await probe(), 'failed', `no way out while the link is down (upstream ${upstream})`);
      await peer.linkUp();
      let answer;
      for (let attempt = 0; attempt < 20 && answer !== 'ok'; attempt++) answer = await probe();
      assert.equal(answer, 'ok', `back once the link is up (upstream ${upstream})`);
    }
  });

  test('close() removes the link and the namespace', async () => {
    const { outer, holder } = peer;
    await peer.close();
    peer = null;
    assert.doesNotMatch(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }), new RegExp(`: ${outer}[@:]`), 'the veth pair is gone');
    assert.ok(holder.exitCode !== null || holder.signalCode !== null, 'the holder process ended');
  });
});
