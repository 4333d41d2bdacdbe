"""docs/compatibility.md as the conformance report reads it: a kept difference counts as
explained only if the phrase a scenario names appears in that protocol's section (or in
"All protocols")."""

from __future__ import annotations

from pathlib import Path

COMPAT_PATH = Path(__file__).resolve().parent.parent / "docs" / "compatibility.md"
SECTION_WORDS = {"dynamodb": "dynamodb", "d1": "d1", "libsql": "libsql"}


def sections(text: str) -> dict[str, str]:
    """Heading (lower-case) → text of the section below it."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip().lower()
            out.setdefault(current, [])
        elif current:
            out[current].append(line)
    return {heading: "\n".join(lines) for heading, lines in out.items()}


class Compatibility:
    def __init__(self, path: Path = COMPAT_PATH) -> None:
        self.path = path
        self.sections = sections(path.read_text()) if path.exists() else {}

    def section(self, protocol: str) -> str:
        word = SECTION_WORDS[protocol]
        parts = [text for heading, text in self.sections.items() if word in heading.replace("/", " ").split()
                 or word in heading]
        parts += [text for heading, text in self.sections.items() if heading.startswith("all protocols")]
        return "\n".join(parts)

    def names(self, protocol: str, phrase: str) -> bool:
        """Whether the protocol's section of docs/compatibility.md contains the phrase."""
        return bool(phrase.strip()) and phrase.lower() in self.section(protocol).lower()
