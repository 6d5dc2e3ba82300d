#!/usr/bin/env python3
"""send-recording.py ADDR:PORT FILE - send a daemon recording (a header
line before each document line, as demo/demo.jsonl) as UDP datagrams, one
per document, the way the X-Ray SDKs send them to the daemon."""
import socket
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
lines = open(sys.argv[2], encoding="utf-8").read().split("\n")
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = 0
for i in range(0, len(lines) - 1, 2):
    if not lines[i]:
        continue
    sock.sendto((lines[i] + "\n" + lines[i + 1]).encode(), (host, int(port)))
    sent += 1
    if sent % 50 == 0:
        time.sleep(0.01)   # a burst at a time, as a busy service would
print(sent)
