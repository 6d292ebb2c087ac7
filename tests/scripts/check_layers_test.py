#!/usr/bin/env python3
"""Tests of scripts/check-layers.py: the real tree holds the layer order, and
small trees with a deliberately wrong include fail it, naming the file."""
import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-layers.py"

CMAKE = """
fab_layer(base)
fab_layer(kernels DEPS fab_base)
fab_layer(model DEPS fab_kernels)
fab_layer(scheduler DEPS fab_base PUBLIC_LIBS Threads::Threads)
"""


def run(root):
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True)


def make_tree(files):
    tmp = tempfile.TemporaryDirectory()
    root = pathlib.Path(tmp.name)
    (root / "CMakeLists.txt").write_text(CMAKE)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp, root


class CheckLayers(unittest.TestCase):
    def test_the_real_tree_holds_the_layer_order(self):
        result = run(ROOT)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_a_layer_may_include_what_it_links_transitively(self):
        tmp, root = make_tree({"src/model/m.h": '#include "base/b.h"\n#include "kernels/k.h"\n#include <vector>\n'})
        with tmp:
            self.assertEqual(run(root).returncode, 0)

    def test_a_layer_including_a_layer_above_it_fails(self):
        tmp, root = make_tree({"src/kernels/k.cc": '#include "kernels/k.h"\n\n#include "model/model.h"\n'})
        with tmp:
            result = run(root)
            self.assertEqual(result.returncode, 1)
            self.assertIn("src/kernels/k.cc:3", result.stdout)
            self.assertIn('"model/model.h"', result.stdout)

    def test_a_sibling_layer_it_does_not_link_fails(self):
        tmp, root = make_tree({"src/scheduler/s.h": '#include "kernels/ops.h"\n'})
        with tmp:
            self.assertEqual(run(root).returncode, 1)

    def test_an_angle_bracket_include_of_a_layer_counts_too(self):
        tmp, root = make_tree({"src/kernels/k.h": "#include <model/model.h>\n#include <vector>\n"})
        with tmp:
            result = run(root)
            self.assertEqual(result.returncode, 1)
            self.assertIn("src/kernels/k.h:1", result.stdout)

    def test_a_public_header_including_a_third_party_header_fails(self):
        tmp, root = make_tree({"include/tokenfab/engine.h": "#include <stdint.h>\n#include <boost/json.hpp>\n"})
        with tmp:
            result = run(root)
            self.assertEqual(result.returncode, 1)
            self.assertIn("include/tokenfab/engine.h:2", result.stdout)
            self.assertNotIn("engine.h:1", result.stdout)

    def test_a_public_header_including_a_src_header_fails(self):
        tmp, root = make_tree({"include/tokenfab/engine.h": '#include <string>\n#include "base/status.h"\n',
                               "include/tokenfab/ok.h": '#include "tokenfab/engine.h"\n'})
        with tmp:
            result = run(root)
            self.assertEqual(result.returncode, 1)
            self.assertIn("include/tokenfab/engine.h:2", result.stdout)
            self.assertNotIn("ok.h", result.stdout)


if __name__ == "__main__":
    unittest.main()
