"""Issue 22, from defect 10: grid and region names were given to Leaflet's ``bindTooltip``
as strings, which Leaflet renders as HTML: a region or grid named
``<img src=x onerror=alert(1)>`` in the admin ran script in every map viewer's page.

Every tooltip on every map page and script must be given a DOM node whose text is set with
``textContent`` (through the ``h``, ``text``, ``caseTip`` or ``plainTip`` helpers), never a string, a
template literal or a function returning one."""

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "gongzhi"
CALL = re.compile(r"\.bindTooltip\(\s*")
SAFE = re.compile(r"\(\)\s*=>\s*(h|text|plainTip|caseTip)\(")
# The helpers that build a node from text: each must set textContent, not innerHTML.
HELPER = re.compile(
    r"(?:const|let)\s+plainTip\s*=\s*\(\w+\)\s*=>\s*\n?\s*Object\.assign\("
    r"document\.createElement\(\"span\"\),\s*\{\s*textContent:"
)


def _sources():
    for path in sorted(SRC.rglob("*")):
        if path.suffix in (".js", ".html") and "vendor" not in path.parts and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if ".bindTooltip(" in text:
                yield path, text


def _calls():
    for path, text in _sources():
        for match in CALL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield f"{path.relative_to(SRC)}:{line}", text, text[match.end() : match.end() + 120]


def test_there_are_tooltips_to_check():
    assert len(list(_calls())) >= 4


CALLS = list(_calls())


@pytest.mark.parametrize(("where", "text", "argument"), CALLS, ids=[c[0] for c in CALLS])
def test_every_tooltip_is_given_a_text_node(where, text, argument):
    assert SAFE.match(argument), f"{where}: bindTooltip({argument[:60]}…)"
    if argument.lstrip("() =>").startswith("plainTip("):
        assert HELPER.search(text), f"{where}: plainTip must set textContent"
