#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real WebRTC peer for the integration tests, driven by JSON lines on stdin/stdout.

Run with Debian's /usr/bin/python3 (python3-aiortc). One process is one person: a broadcaster
that sends a small synthetic camera (and silence), or a viewer that receives and counts frames.
ICE uses host candidates only (no STUN), so media stays on the test namespace's addresses.

Commands (one JSON object per line), each answered with {"id": <same id>, ...}:
  {"cmd": "offer", "audio": true}       -> {"offer": {"type", "sdp"}}   (broadcaster)
  {"cmd": "answer", "sdp": "..."}       -> {"ok": true}                 (broadcaster applies answer)
  {"cmd": "accept", "sdp": "..."}       -> {"answer": {"type", "sdp"}}  (viewer answers an offer)
  {"cmd": "stats"}                      -> {"video_frames", "audio_frames", "width", "height",
                                            "connection", "ice"}
  {"cmd": "close"}                      -> {"ok": true}, then exits
Unsolicited: {"event": "connection", "state": ...} and {"event": "first_frame", "kind": ...}.
"""
import asyncio
import fractions
import json
import sys
import time

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from av import VideoFrame

WIDTH, HEIGHT, FPS = 160, 120, 15


class TestPattern(VideoStreamTrack):
    """A small moving pattern: cheap to encode and never a frozen frame."""

    def __init__(self):
        super().__init__()
        self.count = 0

    async def recv(self):
        await asyncio.sleep(1 / FPS)
        self.count += 1
        frame = VideoFrame(width=WIDTH, height=HEIGHT, format="yuv420p")
        shade = (self.count * 8) % 256
        for index, plane in enumerate(frame.planes):
            plane.update(bytes([shade if index == 0 else 128]) * (plane.line_size * plane.height))
        frame.pts = self.count * (90000 // FPS)
        frame.time_base = fractions.Fraction(1, 90000)
        return frame


class Peer:
    def __init__(self):
        # iceServers=[]: aiortc would otherwise add a public STUN server.
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video_frames = 0
        self.audio_frames = 0
        self.size = (0, 0)
        self.readers = []
        self.pc.on("connectionstatechange", self.on_connection)
        self.pc.on("track", self.on_track)

    def on_connection(self):
        emit({"event": "connection", "state": self.pc.connectionState})

    def on_track(self, track):
        self.readers.append(asyncio.ensure_future(self.read(track)))

    async def read(self, track):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if track.kind == "video":
                self.video_frames += 1
                self.size = (frame.width, frame.height)
                if self.video_frames == 1:
                    emit({"event": "first_frame", "kind": "video", "at": time.time()})
            else:
                self.audio_frames += 1

    async def offer(self, audio):
        self.pc.addTransceiver(TestPattern(), direction="sendonly")
        if audio:
            self.pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return description(self.pc.localDescription)

    async def apply_answer(self, sdp):
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    async def accept(self, sdp):
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return description(self.pc.localDescription)

    def stats(self):
        return {
            "video_frames": self.video_frames,
            "audio_frames": self.audio_frames,
            "width": self.size[0],
            "height": self.size[1],
            "connection": self.pc.connectionState,
            "ice": self.pc.iceConnectionState,
        }

    async def close(self):
        await self.pc.close()
        for reader in self.readers:
            reader.cancel()


def description(desc):
    return {"type": desc.type, "sdp": desc.sdp}


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main():
    peer = Peer()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            break
        command = json.loads(line)
        reply = {"id": command.get("id")}
        try:
            name = command["cmd"]
            if name == "offer":
                reply["offer"] = await peer.offer(command.get("audio", True))
            elif name == "answer":
                await peer.apply_answer(command["sdp"])
                reply["ok"] = True
            elif name == "accept":
                reply["answer"] = await peer.accept(command["sdp"])
            elif name == "stats":
                reply.update(peer.stats())
            elif name == "close":
                await peer.close()
                reply["ok"] = True
                emit(reply)
                return
            else:
                reply["error"] = f"unknown command {name}"
        except Exception as error:  # report to the test instead of dying silently
            reply["error"] = f"{type(error).__name__}: {error}"
        emit(reply)
    await peer.close()


if __name__ == "__main__":
    asyncio.run(main())
