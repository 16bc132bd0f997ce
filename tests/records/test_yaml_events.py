"""The event-stream reader gives what PyYAML's safe loader gives, value and type, or steps aside."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.errors import RecordError
from kg.records import yaml_events
from kg.records.loading import MAX_DEPTH, read_yaml
from tests.conftest import PROJECT


def typed(value: Any) -> Any:
    """The value with every scalar's type beside it: True == 1 and 1 == 1.0 in Python, not here."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


PLAIN = """\
id: x-2020
a: 1
b: -0x1F
c: 0o17
d: 017
e: 1_000
f: 1:30
g: 3.5
h: .inf
i: -.NaN
j: 1e3
k: yes
l: No
m: off
n: ~
o:
p: null
q: 2016-05-01
r: 2016-05-01 10:20:30.5 +02:00
s: "quoted 1"
t: '2016-05-01'
u: [1, "2", three, {four: 4}]
v: {}
w: []
'<<': quoted merge key is a plain key
1: int key
~: null key
x: |
  literal
  block
y: >
  folded
  block
z: plain
  continued
dup: first
dup: second
"""


@pytest.mark.parametrize("text", [PLAIN, "", "---\n", "just a string\n", "- 1\n- [2, [3, [4]]]\n", "---\na: 1\n...\n"])
def test_plain_yaml_is_read_as_pyyaml_reads_it(text: str) -> None:
    assert typed(yaml_events.load(text, MAX_DEPTH)) == typed(yaml.safe_load(text))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchor and alias
        "a: !!str 1\n",  # explicit tag
        "base: {a: 1}\nmore:\n  <<: {b: 2}\n",  # merge key
        "? [a, b]\n: 1\n",  # a sequence as a key
        "a: 1\n---\nb: 2\n",  # two documents
        "a: =\n",  # the 'value' tag, which the safe loader refuses
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
    ],
)
def test_anything_unusual_is_left_to_pyyaml(text: str) -> None:
    assert yaml_events.load(text, MAX_DEPTH) is None


def test_syntax_errors_are_libyaml_errors() -> None:
    with pytest.raises(yaml.YAMLError):
        yaml_events.load("a: [1, 2\n", MAX_DEPTH)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: &x 1\nb: *x\n", "aliases (*x) are not allowed"),
        ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "nesting deeper than"),
        ("a: 1\n---\nb: 2\n", "YAML syntax error"),
        ("a: [1, 2\n", "YAML syntax error"),
    ],
)
def test_the_general_path_still_refuses_what_it_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordError, match=re.escape(problem)):
        read_yaml(path)


def test_every_record_of_data_is_read_as_pyyaml_reads_it() -> None:
    paths = sorted(PROJECT.data.glob("*.yaml"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        fast = yaml_events.load(text, MAX_DEPTH)
        assert fast is not None, path
        assert typed(fast) == typed(yaml.safe_load(text)), path
