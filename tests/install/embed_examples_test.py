#!/usr/bin/env python3
"""embed_examples_test.py BUILD_DIR SOURCE_DIR: installs tokenfab from BUILD_DIR
into a temporary prefix, builds examples/embed against that prefix only (its
CMake package, then pkg-config alone, shared and static), and checks that
embed (C++), embed_c (C) and embed.py (Python ctypes) print exactly the
greedy continuation that `tokenfab run --temp 0` prints, on a synthesized
demo model."""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

BUILD = pathlib.Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else None
SOURCE = pathlib.Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else None
PROMPT = "Once upon a time"
CASES = [(PROMPT, 12), ("The capital of France is", 5), ("hi", 1), ("hi", 0)]


def run(args, env=None, cwd=None):
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result.stdout


class EmbedExamples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tokenfab-install-")
        tmp = pathlib.Path(cls.tmp.name)
        cls.prefix = tmp / "prefix"
        run(["cmake", "--install", str(BUILD), "--prefix", str(cls.prefix)])
        pcs = list(cls.prefix.rglob("tokenfab.pc"))
        assert len(pcs) == 1, pcs
        cls.libdir = pcs[0].parent.parent
        cls.env = dict(os.environ, PKG_CONFIG_PATH=str(pcs[0].parent), LD_LIBRARY_PATH=str(cls.libdir))
        # The examples, copied away from the source tree so nothing but the
        # installed prefix can be found.
        cls.examples = tmp / "embed"
        shutil.copytree(SOURCE / "examples" / "embed", cls.examples)
        cls.model = tmp / "demo-q4_0.gguf"
        run([BUILD / "bin" / "tokenfab", "model", "synth", "--shape", "demo-tiny", "--quant", "q4_0", "-t", "2",
             "-o", cls.model])
        cls.expected = {}
        for prompt, n in CASES:
            out = run([BUILD / "bin" / "tokenfab", "run", "-m", cls.model, "-p", prompt, "-n", str(n), "--temp", "0",
                       "--no-progress"])
            assert out.startswith(prompt), out
            cls.expected[(prompt, n)] = out[len(prompt):]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check_program(self, command):
        for prompt, n in CASES:
            out = run(command + [str(self.model), prompt, str(n)], env=self.env)
            self.assertEqual(out, self.expected[(prompt, n)], f"{command} {prompt!r} {n}")

    def test_the_prefix_holds_the_library_headers_and_package_files(self):
        for name in ["libtokenfab.so.0.1", "libtokenfab.a", "cmake/tokenfab/tokenfabConfig.cmake", "pkgconfig/tokenfab.pc"]:
            self.assertTrue((self.libdir / name).exists(), name)
        headers = sorted(p.name for p in (self.prefix / "include" / "tokenfab").glob("*.h"))
        self.assertIn("engine.h", headers)
        self.assertIn("tokenfab.h", headers)
        self.assertLess(len(headers), 10)
        soname = run(["objdump", "-p", self.libdir / "libtokenfab.so.0.1"])
        self.assertIn("SONAME               libtokenfab.so.0.1", soname)
        exported = run(["nm", "-D", "--defined-only", "-C", self.libdir / "libtokenfab.so.0.1"]).splitlines()
        names = [line.split(" ", 2)[2] for line in exported if line.count(" ") >= 2]
        self.assertTrue(any(name.startswith("tf_generate") for name in names))
        self.assertTrue(any(name.startswith("tokenfab::Engine::Create") for name in names))
        private = [name for name in names if not (name.startswith("tf_") or "tokenfab::" in name or name == "TOKENFAB_0.1")]
        self.assertEqual(private, [], "only the public API is exported")

    def test_the_cmake_package_builds_the_examples(self):
        build = self.examples / "build-cmake"
        run(["cmake", "-S", self.examples, "-B", build, f"-DCMAKE_PREFIX_PATH={self.prefix}"], env=self.env)
        run(["cmake", "--build", build], env=self.env)
        self.check_program([str(build / "embed")])
        self.check_program([str(build / "embed_c")])

    def test_pkg_config_alone_builds_the_examples(self):
        flags = run(["pkg-config", "--cflags", "--libs", "tokenfab"], env=self.env).split()
        out = self.examples / "pc"
        out.mkdir(exist_ok=True)
        run(["c++", "-std=c++17", self.examples / "embed.cc", "-o", out / "embed"] + flags, env=self.env)
        run(["cc", self.examples / "embed.c", "-o", out / "embed_c"] + flags, env=self.env)
        self.check_program([str(out / "embed")])
        self.check_program([str(out / "embed_c")])

    def test_the_static_library_links_without_the_shared_one(self):
        cflags = run(["pkg-config", "--cflags", "tokenfab"], env=self.env).split()
        libs = [f for f in run(["pkg-config", "--static", "--libs", "tokenfab"], env=self.env).split()
                if f != "-ltokenfab"]
        out = self.examples / "static"
        out.mkdir(exist_ok=True)
        run(["c++", "-std=c++17", self.examples / "embed.cc", "-o", out / "embed"] + cflags +
            [self.libdir / "libtokenfab.a"] + libs, env=self.env)
        self.assertNotIn("libtokenfab", run(["ldd", out / "embed"]))
        self.check_program([str(out / "embed")])

    def test_the_python_ctypes_example_generates_the_same_text(self):
        env = dict(self.env, TOKENFAB_LIB=str(self.libdir / "libtokenfab.so.0.1"))
        for prompt, n in CASES:
            out = run([sys.executable, self.examples / "embed.py", self.model, prompt, str(n)], env=env)
            self.assertEqual(out, self.expected[(prompt, n)], f"embed.py {prompt!r} {n}")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
