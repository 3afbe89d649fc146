"""The worker's scheduler: each session gets an equal share of CPU time, whatever one session's slices cost,
and an idle session comes back without a backlog. A fake clock counts the CPU time: no timing is measured."""

import json
import socket

from chainrule.playground import worker as W


class FakeSession:
    """Always has work; each slice costs ``cost`` seconds of (fake) CPU time."""

    clock = [0.0]

    def __init__(self, cost, busy=True):
        self.cost, self.busy, self.turns = cost, busy, 0

    def has_work(self, now):
        return self.busy

    def wake_time(self, now):
        return None

    def run(self, deadline):
        self.turns += 1
        FakeSession.clock[0] += self.cost

    def close(self):
        pass


def make_worker(**sessions):
    a, b = socket.socketpair()
    FakeSession.clock[0] = 0.0
    w = W.Worker(a, session_cls=object, cpu_clock=lambda: FakeSession.clock[0])
    for name, s in sessions.items():
        sid = name.encode().ljust(16, b"_")
        w.sessions[sid], w.vtime[sid] = s, w.vclock
    return w, b


def test_a_huge_network_gets_the_same_share_as_small_ones():
    huge, small1, small2 = FakeSession(0.050), FakeSession(0.001), FakeSession(0.002)
    w, _ = make_worker(huge=huge, small1=small1, small2=small2)
    for _ in range(3000):
        w._turn()
    cpu = sorted(w.vtime.values())
    assert cpu[-1] - cpu[0] <= 0.050 + 1e-9  # equal shares, to within one of the huge session's slices
    assert small1.turns > 20 * huge.turns and small2.turns > 10 * huge.turns


def test_an_idle_session_comes_back_at_most_bonus_behind():
    busy, idle = FakeSession(0.004), FakeSession(0.004, busy=False)
    w, _ = make_worker(busy=busy, idle=idle)
    for _ in range(500):  # 2 s of CPU for the busy one while the other waits for its next tick
        w._turn()
    idle.busy = True
    for _ in range(100):
        w._turn()
    # it may run alone only until it has caught up BONUS seconds, then they alternate
    assert idle.turns <= 50 + (W.BONUS / 0.004) + 1
    assert busy.turns >= 500 + 50 - (W.BONUS / 0.004) - 1


def test_worker_protocol_opens_runs_and_closes_sessions():
    """The server's side of the socket: OPEN makes a session (hello comes back), MESSAGE reaches it, CLOSE
    ends it, STATS reports; a message for a session that is gone is dropped."""
    import threading

    a, b = socket.socketpair()
    worker = W.Worker(a)
    t = threading.Thread(target=worker.serve, name="playground-test-worker")
    t.start()
    sid = b"0123456789abcdef"

    def read():
        header = _exactly(b, W.HEADER.size)
        n, op, kind, got = W.HEADER.unpack(header)
        return op, W.SERVER_MESSAGES[kind] if op == W.OUT else None, got, json.loads(_exactly(b, n))

    try:
        b.sendall(W.frame(W.OPEN, sid))
        op, kind, got, msg = read()
        assert (op, kind, got, msg["session"]) == (W.OUT, "hello", sid, sid.decode())
        b.sendall(W.frame(W.MESSAGE, sid, json.dumps({"type": "config", "config": {"networkShape": [3]}}).encode()))
        seen = set()
        while "network" not in seen:
            op, kind, _, msg = read()
            seen.add(kind)
        assert msg["sizes"] == [2, 3, 1]
        b.sendall(W.frame(W.CLOSE, sid) + W.frame(W.MESSAGE, sid, b'{"type": "play"}') + W.frame(W.STATS, sid))
        while True:
            op, kind, got, msg = read()
            if op == W.STATS_REPLY:
                break
        assert msg["sessions"] == 0 and msg["rssKiB"] > 0
    finally:
        b.close()  # the worker sees the server go and stops
        t.join(timeout=10)
    assert not t.is_alive()


def _exactly(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        assert chunk, "the worker closed its socket"
        buf += chunk
    return buf


def test_a_real_huge_epoch_does_not_hold_the_worker():
    """8 layers of 16 neurons, batch 1, 2,500 training points: one epoch is thousands of batches. The small
    session next to it keeps training, epoch after epoch, while the huge one is inside its first epoch."""
    import random

    from chainrule.playground.session import Session

    a, _ = socket.socketpair()
    w = W.Worker(a)
    sessions = {}
    rng = random.Random(0)
    csv = "\n".join(f"{rng.uniform(-5, 5):.2f},{rng.uniform(-5, 5):.2f},{rng.choice((-1, 1))}" for _ in range(5000))
    for name, msgs in {"huge": [{"type": "config", "config": {"networkShape": [16] * 8, "batchSize": 1}},
                                {"type": "load_csv", "text": csv}],
                       "small": [{"type": "config", "config": {"seed": 2}}]}.items():
        sid = name.encode().ljust(16, b"_")
        s = sessions[name] = Session(emit=lambda msg: None)
        for m in [*msgs, {"type": "config", "config": {"speed": 0}}, {"type": "play"}]:
            s.submit(m)
        w.sessions[sid], w.vtime[sid] = s, w.vclock
    for _ in range(300):
        w._turn()
    huge, small = sessions["huge"], sessions["small"]
    assert huge.epoch == 0 and huge.epoch_running and huge._batches_left < 2500  # inside its first epoch
    assert small.epoch >= 3
