"""What a mail backend received, read back: Django's file backend writes every message it
is handed to files in a folder (shared by processes, unlike locmem), and each reminder
email names its rows in `X-Vendorgov-Reminders`."""

import re
from collections import Counter
from pathlib import Path

HEADER = re.compile(r"^X-Vendorgov-Reminders: ([\d,]+)\s*$", re.MULTILINE)


def received(folder) -> Counter:
    """{reminder row id: how many emails carried it}."""
    counts = Counter()
    for path in Path(folder).glob("*"):
        if path.is_file():
            for ids in HEADER.findall(path.read_text(errors="replace")):
                counts.update(int(i) for i in ids.split(","))
    return counts
