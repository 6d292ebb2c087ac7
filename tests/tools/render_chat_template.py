#!/usr/bin/python3
"""Reference renderer for chat templates: jinja2 configured exactly as
Hugging Face transformers' apply_chat_template configures it.

Usage: render_chat_template.py CASES.json
CASES.json is a list of {"template", "messages", "tools" (list or null),
"add_generation_prompt", "bos_token" (optional), "eos_token" (optional),
"extra" (object, optional)}. Prints a JSON list with, per case,
{"ok": true, "text": ...} or {"ok": false, "error": ...}.
strftime_now always sees 2026-03-14 09:26:53 so results are reproducible.
Run it with the system python3 (python3-jinja2)."""
import json
import sys
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime(2026, 3, 14, 9, 26, 53)


class GenerationBlock(jinja2.ext.Extension):
    """transformers' AssistantTracker, minus the index tracking: {% generation %} renders its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


def make_environment():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, case):
    compiled = env.from_string(case["template"])
    kwargs = dict(case.get("extra") or {})
    for key in ("bos_token", "eos_token"):
        if case.get(key) is not None:
            kwargs[key] = case[key]
    return compiled.render(
        messages=case["messages"],
        tools=case.get("tools") or None,
        documents=None,
        add_generation_prompt=case.get("add_generation_prompt", True),
        **kwargs,
    )


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    env = make_environment()
    results = []
    for case in cases:
        try:
            results.append({"ok": True, "text": render(env, case)})
        except Exception as e:  # any failure in Python must be a failure in C++ too
            results.append({"ok": False, "error": f"{type(e).__name__}: {e}"})
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
