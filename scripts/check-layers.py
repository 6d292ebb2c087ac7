#!/usr/bin/env python3
"""check-layers.py [ROOT]: fails when a layer includes a header of a layer it
may not use.

The layers and what each may use come from ROOT/CMakeLists.txt: every
`fab_layer(<folder> DEPS fab_<a> fab_<b> ...)` says src/<folder>/ may include
its own headers and those of <a>, <b> and, transitively, of what they use.
Public headers (ROOT/include/tokenfab/*.h) may include only standard headers
(<name> or <name.h>, no folder) and each other, so that no src/ or
third-party header is reachable from them. A layer header included with
<...> counts as one included with "...". Prints one line
per bad include (file:line: what, why) and exits 1 if there is any; 0 and a
one-line summary otherwise.
"""
import pathlib
import re
import sys

LAYER_CALL = re.compile(r"^\s*fab_layer\((\w+)([^)]*)\)", re.M)
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)


def read_layers(cmake_text):
    """{folder: set of folders it links directly}, in declaration order."""
    layers = {}
    for name, args in LAYER_CALL.findall(cmake_text):
        words = args.split()
        deps, in_deps = set(), False
        for word in words:
            if word in ("DEPS", "PUBLIC_LIBS"):
                in_deps = word == "DEPS"
            elif in_deps and word.startswith("fab_"):
                deps.add(word[len("fab_"):])
        layers[name] = deps
    return layers


def closure(layers):
    allowed = {}
    def visit(name, seen):
        for dep in layers.get(name, ()):
            if dep not in seen:
                seen.add(dep)
                visit(dep, seen)
        return seen
    for name in layers:
        allowed[name] = visit(name, {name})
    return allowed


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def check(root):
    root = pathlib.Path(root)
    layers = read_layers((root / "CMakeLists.txt").read_text())
    if not layers:
        return [f"{root / 'CMakeLists.txt'}: no fab_layer(...) calls found"], 0
    allowed = closure(layers)
    errors, n_files = [], 0
    src = root / "src"
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cc") or not path.is_file():
            continue
        layer = path.relative_to(src).parts[0]
        if layer not in layers:
            continue
        n_files += 1
        text = path.read_text(errors="replace")
        for match in INCLUDE.finditer(text):
            if "/" not in match.group(2):
                continue
            target = match.group(2).split("/")[0]
            if target in layers and target not in allowed[layer]:
                errors.append(f"{path.relative_to(root)}:{line_of(text, match.start())}: includes "
                              f"\"{match.group(2)}\", but {layer}/ may use only "
                              f"{', '.join(sorted(allowed[layer]))}")
    public = root / "include" / "tokenfab"
    for path in sorted(public.glob("*.h")) if public.is_dir() else []:
        n_files += 1
        text = path.read_text(errors="replace")
        for match in INCLUDE.finditer(text):
            name = match.group(2)
            standard = match.group(1) == "<" and "/" not in name
            if not standard and not name.startswith("tokenfab/"):
                closing = ">" if match.group(1) == "<" else '"'
                errors.append(f"{path.relative_to(root)}:{line_of(text, match.start())}: includes "
                              f"{match.group(1)}{name}{closing}, but a public header may include only "
                              "standard headers and tokenfab/ headers")
    return errors, n_files


def main(argv):
    root = argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
    errors, n_files = check(root)
    for error in errors:
        print(error)
    if errors:
        print(f"{len(errors)} include(s) break the layer order", file=sys.stderr)
        return 1
    print(f"layer order holds: {n_files} files checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
