#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many WebRTC publishers in one process for the control-plane benchmark (Debian's python3-aiortc).

Each publisher is a real RTCPeerConnection that offers to send VP8 (and Opus when asked) and
completes ICE and DTLS with Janus, so the plugin sees a broadcast go live, but it has no track
and sends no RTP: what is measured is the control plane (presence, airtime, heartbeats,
callbacks), not media. ICE uses host candidates only, so traffic stays on the namespace's
addresses.

Commands, one JSON object per line on stdin, each answered on stdout with the same "id":
  {"cmd": "offer", "peer": "k", "audio": false}   -> {"offer": {"type", "sdp"}}
  {"cmd": "answer", "peer": "k", "sdp": "..."}    -> {"ok": true}
  {"cmd": "states"}                               -> {"states": {"connected": n, ...}}
  {"cmd": "drop"}                                 -> {"ok": true} once every publisher is closed
  {"cmd": "close"}                                -> {"ok": true}, then exits
"""
import asyncio
import collections
import json
import resource
import sys

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription


class Publishers:
    def __init__(self):
        self.peers = {}

    async def offer(self, peer, audio):
        # iceServers=[]: aiortc would otherwise add a public STUN server.
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.peers[peer] = pc
        pc.addTransceiver("video", direction="sendonly")
        if audio:
            pc.addTransceiver("audio", direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        return {"offer": {"type": "offer", "sdp": pc.localDescription.sdp}}

    async def answer(self, peer, sdp):
        await self.peers[peer].setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        return {"ok": True}

    def states(self):
        return {"states": dict(collections.Counter(pc.connectionState for pc in self.peers.values()))}

    async def close(self):
        peers = list(self.peers.values())
        self.peers.clear()
        await asyncio.gather(*(pc.close() for pc in peers), return_exceptions=True)
        return {"ok": True}


async def handle(publishers, message, write):
    reply = {"id": message.get("id")}
    try:
        cmd = message["cmd"]
        if cmd == "offer":
            reply.update(await publishers.offer(message["peer"], message.get("audio", False)))
        elif cmd == "answer":
            reply.update(await publishers.answer(message["peer"], message["sdp"]))
        elif cmd == "states":
            reply.update(publishers.states())
        elif cmd in ("drop", "close"):
            reply.update(await publishers.close())
        else:
            reply["error"] = f"unknown command {cmd}"
    except Exception as error:  # reported to the driver, which fails the benchmark
        reply["error"] = f"{type(error).__name__}: {error}"
    write(reply)


async def main():
    # Two or three sockets per publisher: lift the open-files limit as far as we may.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def write(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    publishers = Publishers()
    tasks = set()
    while True:
        line = await reader.readline()
        if not line:
            break
        message = json.loads(line)
        if message.get("cmd") == "close":
            await handle(publishers, message, write)
            break
        task = asyncio.create_task(handle(publishers, message, write))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


if __name__ == "__main__":
    asyncio.run(main())
