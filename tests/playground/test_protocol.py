"""The wire protocol's validator: good messages pass cleaned, every malformed or hostile one is refused
with a ProtocolError naming the problem (the server turns it into an error reply)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.playground.protocol import (
    CONFIG_SPEC,
    MAX_MESSAGE_CHARS,
    MESSAGES,
    ProtocolError,
    default_config,
    parse_csv,
    parse_message,
    schema,
    validate_config,
)


def msg(**kw):
    return json.dumps(kw)


def test_good_messages():
    assert parse_message(msg(type="play")) == {"type": "play"}
    m = parse_message(msg(type="config", config={"networkShape": [4, 2], "learningRate": 0.03, "x": True}))
    assert m["config"] == {"networkShape": [4, 2], "learningRate": 0.03, "x": True}
    m = parse_message(msg(type="set_param", kind="bias", layer=1, row=0, value=-0.25))
    assert m["value"] == -0.25 and "col" not in m
    assert parse_message(msg(type="add_point", x=1, y=-2.5, label=1, split="train"))["x"] == 1.0
    assert parse_message(msg(type="config", config={"noise": 10.0}))["config"]["noise"] == 10  # JSON 10.0


def test_defaults_are_tf_playground():
    d = default_config()
    assert d["networkShape"] == [4, 2] and d["activation"] == "tanh" and d["learningRate"] == 0.03
    assert d["batchSize"] == 10 and d["percTrainData"] == 50 and d["dataset"] == "circle"
    assert d["x"] and d["y"] and not d["xSquared"] and d["regularization"] == "none"
    assert validate_config(d) == d


@pytest.mark.parametrize("raw, words", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ('"play"', "JSON object"),
    (msg(kind="play"), "unknown message type"),
    (msg(type="__class__"), "unknown message type"),
    (msg(type="play", extra=1), "unknown fields"),
    (msg(type="config"), "needs the field 'config'"),
    (msg(type="config", config=[1]), "config must be an object"),
    (msg(type="config", config={"__import__": "os"}), "unknown config key"),
    (msg(type="config", config={"networkShape": [4] * 9}), "0 to 8 entries"),
    (msg(type="config", config={"networkShape": [17]}), "networkShape[0] must be in [1, 16]"),
    (msg(type="config", config={"networkShape": [0]}), "must be in [1, 16]"),
    (msg(type="config", config={"networkShape": ["4"]}), "must be an integer"),
    (msg(type="config", config={"networkShape": [True]}), "must be an integer"),
    (msg(type="config", config={"networkShape": "4,2"}), "must be a list"),
    (msg(type="config", config={"learningRate": 0}), "learningRate must be in (0.0, 10.0]"),
    (msg(type="config", config={"learningRate": 1e9}), "learningRate must be in"),
    (msg(type="config", config={"learningRate": "0.1"}), "finite number"),
    (msg(type="config", config={"activation": "eval"}), "activation must be one of"),
    (msg(type="config", config={"x": 1}), "x must be true or false"),
    (msg(type="config", config={"noise": 51}), "noise must be in [0, 50]"),
    (msg(type="config", config={"batchSize": 0}), "batchSize must be in"),
    (msg(type="config", config={"dropout": [0.95]}), "dropout[0] must be in"),
    ('{"type": "config", "config": {"learningRate": NaN}}', "not a number JSON allows"),
    ('{"type": "config", "config": {"learningRate": Infinity}}', "not a number JSON allows"),
    (msg(type="set_param", kind="weight", layer=0, row=0, col=0, value=1e300), "value must be in"),
    (msg(type="set_param", kind="code", layer=0, row=0, value=1), "kind must be one of"),
    (msg(type="add_point", x=7, y=0, label=1, split="train"), "x must be in [-6.0, 6.0]"),
    (msg(type="add_point", x=0, y=0, label=1, split="all"), "split must be one of"),
    (msg(type="export", what="/etc/passwd"), "what must be one of"),
    (msg(type="load_csv", text=5), "text must be a string"),
    ("[" * 250_000 + "]" * 250_000, "characters is over"),
    ("[" * 50_000 + "]" * 50_000, "not valid JSON"),
    (b'{"type": "play"}', "JSON text frames"),
])
def test_bad_messages_are_refused(raw, words):
    with pytest.raises(ProtocolError, match=None) as info:
        parse_message(raw)
    assert words in str(info.value)


def test_size_limits():
    with pytest.raises(ProtocolError, match="over the"):
        parse_message(msg(type="load_csv", text="1,2,1\n" * (MAX_MESSAGE_CHARS // 6)))
    with pytest.raises(ProtocolError, match="at most 300000"):
        parse_message(msg(type="load_csv", text="x" * 300_001))


def test_parse_csv():
    xs, t, splits = parse_csv("x1,x2,label\n1,2,1\n-1.5,0.5,0\n# comment\n3;4;-1\n", "classification", 2)
    assert xs == [(1.0, 2.0), (-1.5, 0.5), (3.0, 4.0)] and t == [1.0, -1.0, -1.0] and splits == [None] * 3
    assert parse_csv("x1,x2,label,split\n1,2,1,train\n0,0,-1,test", "classification", 2)[2] == ["train", "test"]
    assert parse_csv("0,0,2\n1,1,0", "multiclass", 3)[1] == [2.0, 0.0]
    assert parse_csv("0,0,0.25", "regression", 1)[1] == [0.25]
    with pytest.raises(ProtocolError, match="row 2: a regression target must lie in"):  # B6: refused, not clipped
        parse_csv("0,0,0.25\n1,1,2.5", "regression", 1)


@pytest.mark.parametrize("text, problem, words", [
    ("", "classification", "no data rows"),
    ("1,2\n", "classification", "expected x1, x2, label"),
    ("1,2,1,maybe\n", "classification", "expected x1, x2, label"),
    ("1,2,x\n", "classification", "not three numbers"),
    ("1,2,nan\n", "classification", "NaN"),
    ("9,2,1\n", "classification", "must lie in [-6, 6]"),
    ("1,2,0.5\n", "classification", "-1/0 or 1"),
    ("1,2,3\n", "multiclass", "integer 0..2"),
    ("1,1,1\n" * 5001, "classification", "at most 5000"),
])
def test_parse_csv_errors(text, problem, words):
    with pytest.raises(ProtocolError) as info:
        parse_csv(text, problem, 3)
    assert words in str(info.value)


@pytest.mark.parametrize("raw", ['{"type": []}', "{}", '{"type": {}}', '{"type": null}', '{"type": 5}',
                                 '{"type": "config", "config": {"learningRate": 1' + "0" * 400 + "}}",
                                 '{"type": "ack", "frame": 1' + "0" * 5000 + "}"])
def test_hostile_shapes_get_a_protocol_error(raw):
    """B4: these raised TypeError/OverflowError (a dropped connection and a traceback in the log)."""
    with pytest.raises(ProtocolError):
        parse_message(raw)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)
KEYS = st.sampled_from(sorted(CONFIG_SPEC)) | st.text(max_size=6)


@given(kind=st.sampled_from(sorted(MESSAGES)) | JSON, fields=st.dictionaries(st.text(max_size=8), JSON, max_size=4),
       config=st.dictionaries(KEYS, JSON, max_size=4))
@settings(max_examples=400, deadline=None)
def test_any_json_is_accepted_or_refused_with_a_protocol_error(kind, fields, config):
    for msg_ in ({"type": kind, **fields}, {"type": "config", "config": config}, {"type": kind, "config": config}):
        try:
            raw = json.dumps(msg_)
        except ValueError:  # NaN in the data: JSON text cannot hold it
            continue
        try:
            out = parse_message(raw)
        except ProtocolError:
            continue
        assert out["type"] in MESSAGES


def test_schema_describes_every_setting():
    s = schema()
    assert set(s) == set(CONFIG_SPEC)
    assert s["networkShape"] == {"type": "list", "item": {"type": "int", "min": 1, "max": 16}, "minLen": 0,
                                 "maxLen": 8}
    assert s["learningRate"] == {"type": "num", "min": 0.0, "max": 10.0, "openMin": True}
    assert s["activation"]["options"][0] == "tanh" and s["x"] == {"type": "bool"}
    err = pytest.raises(ProtocolError, validate_config, {"networkShape": [4, 99]}).value
    assert err.field == "networkShape" and "networkShape[1]" in str(err)  # the setting a link names
