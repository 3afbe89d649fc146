"""A session in time slices: training resumes batch by batch, commands that change training wait for the end of
the epoch, Reset abandons it, pause and step, Regenerate's losses (B7), regression targets (B6), presets' fresh
start. ``run`` is given deadlines already past, so each call does one unit of work: no timing is measured."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.playground.protocol import ProtocolError

PAST = 0.0  # a deadline already past: run() does one command, one frame or one batch, then returns


def one_slice(r):
    r.s.run(PAST)


def play(r):
    r.s.submit({"type": "play"})
    one_slice(r)  # the play command itself
    assert r.s.playing


def test_training_resumes_batch_by_batch_and_commands_wait_for_the_epochs_end(session):
    r = session(batchSize=10, seed=2)
    r.s._acked = False  # no page drawing frames: only training
    play(r)
    one_slice(r)
    assert r.s.epoch_running and r.s.epoch == 0 and r.s._batches_left == 24
    r.s.submit({"type": "config", "config": {"learningRate": 0.3}})
    for _ in range(10):
        one_slice(r)
    assert r.s.cfg["learningRate"] == 0.03 and r.s.epoch_running  # waiting for the epoch's end
    while r.s.epoch == 0:
        one_slice(r)
    one_slice(r)
    assert r.s.cfg["learningRate"] == 0.3 and r.s.epoch == 1  # applied between epochs 1 and 2
    assert r.s.replay.events == [(1, ("learningRate", 0.3))]


def test_reset_abandons_the_epoch_in_progress(session):
    r = session(batchSize=1, seed=2)
    r.s._acked = False
    play(r)
    for _ in range(5):
        one_slice(r)
    assert r.s.epoch_running
    r.s.submit({"type": "reset"})
    one_slice(r)
    assert not r.s.epoch_running and r.s.epoch == 0 and not r.s.playing and r.s.resets == 1


def test_pause_finishes_a_cheap_epoch_and_stops_an_expensive_one(session):
    r = session(batchSize=1, seed=2)
    r.s._acked = False
    play(r)
    one_slice(r)
    r.s._batch_cost = 1e-4  # what a batch of this tiny network costs (pinned: the test measures no time)
    r.s.submit({"type": "pause"})
    one_slice(r)
    assert r.s._pause_at_end and r.s.playing  # the rest of the epoch is a moment: pause at its end
    while r.s.epoch_running:
        one_slice(r)
    assert r.s.epoch == 1 and not r.s.playing
    play(r)
    one_slice(r)
    r.s._batch_cost = 1.0  # as if each batch took a second: pausing cannot wait for the end
    r.s.submit({"type": "pause"})
    one_slice(r)
    assert not r.s.playing and r.s.epoch_running and r.s.epoch == 1
    r.s.submit({"type": "set_param", "kind": "bias", "layer": 0, "row": 0, "value": 0.5})
    while r.s.inbox:  # an edit waits for the epoch's end, so that the script can replay it there
        one_slice(r)
    assert r.s.epoch == 2 and r.s.replay.events[-1] == (2, ("bias", 0, 0, 0, 0.5))


def test_step_trains_exactly_one_epoch_in_slices(session):
    r = session(seed=2)
    r.s._acked = False
    for _ in range(2):
        r.s.submit({"type": "step"})
    while r.s.has_work(0.0):
        one_slice(r)
    assert r.s.epoch == 2 and not r.s.playing and r.s.pending_steps == 0


def test_regenerate_shows_the_new_datas_loss_at_once(session):
    """B7: after Regenerate the training loss is the new data's, before any epoch."""
    r = session(seed=2)
    for _ in range(3):
        r.s.train_epoch()
    old = r.s.train_loss
    r.send({"type": "regenerate"})
    frame = r.frame()
    with cr.no_grad():
        r.s.net.model.eval()
        expected = r.s.loss_fn(r.s.net.model(cr.from_numpy(r.s.train_x)), cr.from_numpy(r.s.train_y)).item()
    assert frame["epoch"] == 3 and frame["trainLoss"] == pytest.approx(expected) and expected != old


@pytest.mark.parametrize("label", [1.5, -3.0])
def test_regression_targets_outside_the_colour_scale_are_refused(session, label):
    """B6: the protocol says [-1, 1]; a click outside it is refused, as a CSV row is."""
    r = session(problem="regression")
    with pytest.raises(ProtocolError, match=r"must lie in \[-1, 1\]"):
        r.send({"type": "add_point", "x": 0.0, "y": 0.0, "label": label, "split": "train"})
    with pytest.raises(ProtocolError, match=r"must lie in \[-1, 1\]"):
        r.send({"type": "load_csv", "text": f"0,0,{label}\n1,1,0.5\n"})
    r.send({"type": "add_point", "x": 0.0, "y": 0.0, "label": -1.0, "split": "train"})
    assert r.s.train_pts[-1] == (0.0, 0.0, -1.0)


def test_a_fresh_config_starts_as_a_new_page_would(session):
    new = session(seed=5, networkShape=[3])
    r = session(seed=9)
    r.send({"type": "reset"}).send({"type": "reset"})
    r.send({"type": "config", "config": dict(r.s.cfg, seed=5, networkShape=[3]), "fresh": True})
    assert r.s.resets == 0
    for a, b in zip(r.s.net.linears, new.s.net.linears):
        assert np.array_equal(a.weight.numpy(), b.weight.numpy())


def test_at_default_speed_the_session_sleeps_until_its_next_tick(session):
    r = session(seed=2, speed=1)
    r.s._acked = False
    play(r)
    while r.s.epoch == 0:
        one_slice(r)
    now = r.s._credit_t
    assert not r.s._wants_training(now) and r.s.wake_time(now) > now  # one epoch per 1/60 s tick


def test_step_as_the_very_first_command_builds_the_session(session):
    from chainrule.playground.session import Session

    out = []
    s = Session(emit=out.append)
    s.submit({"type": "step"})
    while s.has_work(0.0):
        s.run(PAST)
    assert s.epoch == 1 and [m["type"] for m in out].count("frame") >= 1


def test_a_session_behind_its_pace_spends_only_its_frame_budget_on_frames(session):
    r = session(seed=2, speed=0)
    play(r)
    r.s._last_frame, r.s._dirty, r.s._acked = 0.0, True, True
    now = r.s._last_frame + 0.1
    r.s._frame_budget = -0.01  # frames used more than their share: training first
    assert not r.s._frame_due(now) and r.s._wants_training(now)
    assert r.s._frame_due(r.s._last_frame + 0.6)  # but never more than MAX_FRAME_GAP without a picture
    r.s._frame_budget = 0.001
    assert r.s._frame_due(now)
    r.s.submit({"type": "pause"})
    one_slice(r)
    r.s._frame_budget = -0.01
    assert r.s._frame_due(now)  # not playing: nothing to keep pace with
