"""Fill msgstr entries of a .po catalogue from a JSON mapping (msgid -> msgstr).

Usage: python scripts/po_fill.py CATALOGUE.po TRANSLATIONS.json
Entries already translated are kept unless the mapping gives a new value;
fuzzy flags are cleared for entries the mapping translates. Prints what is
still untranslated.
"""

from __future__ import annotations

import json
import sys

import polib


def main() -> int:
    po_path, mapping_path = sys.argv[1], sys.argv[2]
    with open(mapping_path, encoding="utf-8") as handle:
        mapping: dict[str, str | list[str]] = json.load(handle)
    catalogue = polib.pofile(po_path)
    catalogue.header = "Traditional Chinese (zh-Hant) translation of Agora."
    catalogue.metadata_is_fuzzy = False
    catalogue.metadata.update(
        {
            "Project-Id-Version": "Agora",
            "Last-Translator": "Agora translators",
            "Language-Team": "Traditional Chinese",
            "Language": "zh_Hant",
            "PO-Revision-Date": catalogue.metadata.get("POT-Creation-Date", ""),
        }
    )
    for entry in catalogue:
        value = mapping.get(entry.msgid)
        if value is None:
            continue
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
    catalogue.save(po_path)
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    missing += [e.msgid for e in catalogue.fuzzy_entries()]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
