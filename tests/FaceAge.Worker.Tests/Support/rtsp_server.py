#!/usr/bin/env python3
"""Test RTSP server (GStreamer gst-rtsp-server): serves H.264 MP4 files on 127.0.0.1.

usage: rtsp_server.py PORT NAME=FILE[:once] ...
Each NAME is served at rtsp://127.0.0.1:PORT/NAME from the start of FILE for every client. With
':once' the mount is removed after the first client that played it for more than 2 s leaves (a probe
that only asks for the stream description does not count), so a finished clip is not replayed."""
import sys
import time
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer, GLib

Gst.init(None)
port = sys.argv[1]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
mounts = server.get_mount_points()

def add(name, path, once):
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(f'( filesrc location="{path}" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )')
    factory.set_shared(False)
    if once:
        def on_configure(_factory, media):
            started = []
            media.connect("prepared", lambda *_: started.append(time.monotonic()))
            def on_unprepared(*_):
                if started and time.monotonic() - started[0] > 2:
                    mounts.remove_factory("/" + name)
            media.connect("unprepared", on_unprepared)
        factory.connect("media-configure", on_configure)
    mounts.add_factory("/" + name, factory)

for spec in sys.argv[2:]:
    name, rest = spec.split("=", 1)
    once = rest.endswith(":once")
    add(name, rest[:-5] if once else rest, once)

if server.attach(None) == 0:
    sys.exit(f"cannot listen on 127.0.0.1:{port}")
print("ready", flush=True)
GLib.MainLoop().run()
