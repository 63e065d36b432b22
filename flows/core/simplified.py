"""Traditional -> simplified Chinese, character by character, for the readers of free text (the
risk engine and the check-in's answer reader): zh-Hant users are served the zh_CN catalog."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def simplified_table() -> dict[int, str]:
    """The first candidate of OpenCC's TSCharacters dictionary (殺->杀, 離->离, 樓->楼), as a
    ``str.translate`` table."""
    table: dict[int, str] = {}
    text = resources.files("opencc_purepy").joinpath("dicts/TSCharacters.txt").read_text("utf-8")
    for line in text.splitlines():
        source, _tab, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = target
    return table
