#!/usr/bin/env python3
"""Keeps the library core's folders layered: which folder's types each folder of
Sources/QdrantBackupKit uses, checked against the one allowed order.

    python3 Tests/Architecture/check_layers.py            # check; exit 1 on a violation
    python3 Tests/Architecture/check_layers.py --table    # print the folder-to-folder table (Markdown)

A folder may use the types of the folders below it in LAYERS and its own, never those above it
(so there are no cycles). Also checked: C symbols (libcurl's, libzstd's) and `import CCurl`/`import
CZstd` only in Transport/ and Compression/, and no front-end module (the CLI, the REST server)
imported by the core. The check reads declarations and identifiers textually: comments and string
literals are ignored, which is all a naming check needs.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
KIT = os.path.join(ROOT, "Sources", "QdrantBackupKit")

# Lowest first. A folder may use its own types and those of folders listed before it.
LAYERS = [
    "Support", "Compression", "Transport", "Encryption", "Archive", "ObjectStore", "Qdrant",
    "Export", "Import", "Validate", "Resync", "Repair", "Retention", "Requests",
]
C_FOLDERS = {"Transport", "Compression"}
# Uses of a higher layer that are known and still to be removed: reported, not failed. Each names
# what removes it. Add nothing here without that.
KNOWN_SEAMS = {}
# Top-level declarations only (no indentation): nested names such as `Configuration` repeat.
DECLARATION = re.compile(r"^(?:[a-z@()]+\s+)*(?:class|struct|enum|protocol|actor|typealias)\s+([A-Z][A-Za-z0-9_]*)", re.M)
IDENTIFIER = re.compile(r"\b[A-Z][A-Za-z0-9_]*\b")
C_SYMBOL = re.compile(r"\b(?:ZSTD_\w+|curl_\w+|CURL\w*)\b")


def strip(source):
    """The source without comments and string literals."""
    source = re.sub(r'"""[\s\S]*?"""', '""', source)
    source = re.sub(r'#"(?:[^"\\]|\\.)*"#', '""', source)
    source = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', source)
    source = re.sub(r"/\*[\s\S]*?\*/", "", source)
    return re.sub(r"//[^\n]*", "", source)


def swift_files():
    for folder in sorted(os.listdir(KIT)):
        directory = os.path.join(KIT, folder)
        if not os.path.isdir(directory):
            continue
        for dirpath, _, names in os.walk(directory):
            for name in sorted(names):
                if name.endswith(".swift"):
                    path = os.path.join(dirpath, name)
                    with open(path, encoding="utf-8") as f:
                        yield folder, os.path.relpath(path, ROOT), strip(f.read())


def analyse():
    files = list(swift_files())
    owner = {}
    for folder, _, source in files:
        for name in DECLARATION.findall(source):
            owner.setdefault(name, folder)
    uses = {}  # (from, to) -> {file: sorted type names}
    problems = []
    for folder, path, source in files:
        if folder not in LAYERS:
            problems.append(f"{path}: folder {folder} is not in LAYERS")
            continue
        for name in set(IDENTIFIER.findall(source)):
            target = owner.get(name)
            if target and target != folder:
                uses.setdefault((folder, target), {}).setdefault(path, set()).add(name)
        if folder not in C_FOLDERS:
            found = sorted(set(C_SYMBOL.findall(source)))
            if found:
                problems.append(f"{path}: C symbols outside Transport/ and Compression/: {', '.join(found[:5])}")
            if re.search(r"^\s*import\s+(CCurl|CZstd)\b", source, re.M):
                problems.append(f"{path}: imports a C module outside Transport/ and Compression/")
        if re.search(r"^\s*import\s+(QdrantBackupServer|Hummingbird|ArgumentParser)\b", source, re.M):
            problems.append(f"{path}: the core imports a front end")
    seams = []
    for (source_folder, target), where in sorted(uses.items()):
        if LAYERS.index(target) > LAYERS.index(source_folder):
            found = seams if (source_folder, target) in KNOWN_SEAMS else problems
            for path, names in sorted(where.items()):
                found.append(f"{path}: {source_folder}/ uses {target}/'s {', '.join(sorted(names))} (a higher layer)")
    return uses, problems, seams


def table(uses):
    lines = ["| folder | uses types of |", "|---|---|"]
    for folder in LAYERS:
        used = sorted({t for (f, t) in uses if f == folder}, key=LAYERS.index)
        lines.append(f"| {folder} | {', '.join(used) if used else '—'} |")
    return "\n".join(lines)


def main():
    uses, problems, seams = analyse()
    if "--table" in sys.argv:
        print(table(uses))
        return 0
    for seam in seams:
        print(f"known seam: {seam}")
    for (source_folder, target), why in KNOWN_SEAMS.items():
        print(f"known seam {source_folder}/ -> {target}/: {why}")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} layering problem{'s' if len(problems) != 1 else ''} in Sources/QdrantBackupKit")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
