"""Check (and with --compile, build) the Chinese translation catalogue.

Every msgid must have a translation and none may be fuzzy; the compiled .mo must match the .po. Uses polib, so no
gettext tools are needed to compile.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
CATALOGUES = [LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"]


def problems(po_path: Path) -> list[str]:
    po = polib.pofile(str(po_path))
    found = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    found += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        found.append(f"missing {mo_path.name}: run `make messages`")
    else:
        compiled = {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(str(mo_path))
        }
        for entry in po.translated_entries():
            key = (entry.msgctxt, entry.msgid)
            if compiled.get(key) != (entry.msgstr, tuple(sorted(entry.msgstr_plural.items()))):
                found.append(f"{mo_path.name} is out of date: run `make messages`")
                break
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--compile", action="store_true", help="write the .mo files first")
    args = parser.parse_args()
    failed = False
    for po_path in CATALOGUES:
        if args.compile:
            polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        for problem in problems(po_path):
            failed = True
            print(f"{po_path.relative_to(LOCALE.parent)}: {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
