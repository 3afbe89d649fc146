"""A WebSocket client made by hand for the hostile-traffic test: it can send what no library would (bad
frames) and it can leave its replies unread (a library reads them into its own buffer)."""

import base64
import os
import socket


def connect(url: str, rcvbuf: int | None = None) -> socket.socket:
    """Open ``url`` (http://host:port/...) and do the WebSocket handshake on /ws; returns the socket."""
    hostport = url.split("//", 1)[1].split("/", 1)[0]
    host, port = hostport.rsplit(":", 1)
    sock = socket.socket()
    if rcvbuf:  # a small receive buffer: a client that does not read is felt at once
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(30)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /ws HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, "the server closed the connection during the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head[:80]
    return sock


def frame(payload: bytes, opcode: int = 1, fin: bool = True, mask: bool = True, rsv: int = 0,
          length: int | None = None) -> bytes:
    """One frame; ``length`` overrides the announced payload length (to lie about it)."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    m = 0x80 if mask else 0
    if n < 126:
        header = bytes([b0, m | n])
    elif n < 65536:
        header = bytes([b0, m | 126]) + n.to_bytes(2, "big")
    else:
        header = bytes([b0, m | 127]) + n.to_bytes(8, "big")
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def text(s: str) -> bytes:
    return frame(s.encode())


# Frames no client may send: each must make the server close that connection, and nothing else.
BAD_FRAMES = {
    "reserved bits": frame(b'{"type": "play"}', rsv=0b100),
    "unmasked": frame(b'{"type": "play"}', mask=False),
    "unknown opcode": frame(b"??", opcode=0x3),
    "invalid UTF-8 text": frame(b'{"type": "\xff\xfe"}'),
    "length beyond the limit": frame(b"x" * 16, length=1 << 40),
    "control frame too long": frame(b"p" * 200, opcode=0x9),
    "fragmented control frame": frame(b"ping", opcode=0x9, fin=False),
    "continuation without a start": frame(b"more", opcode=0x0),
    "close with a bad code": frame((999).to_bytes(2, "big"), opcode=0x8),
}
