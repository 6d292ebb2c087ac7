// A compiled chat template: parse once (Template::Parse), render many times
// with different variables. Rendering follows jinja2 as Hugging Face
// configures it (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
// loopcontrols, HF's tojson/raise_exception/strftime_now).
// Thread-safety: a Template is immutable after Parse; Render may run from
// many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/limits.h"
#include "tokenizer/jinja/value.h"

namespace fab::jinja {

class Template {
 public:
  // InvalidArgument "template line L:C: …" for syntax errors; ResourceExhausted
  // when the source is over limits.max_source_bytes or nests too deeply.
  static StatusOr<Template> Parse(std::string_view source, const TemplateLimits& limits = {});

  // Renders with `variables` as the template's top-level names.
  StatusOr<std::string> Render(const DictData& variables, const RenderOptions& options = {}) const;

  const TemplateLimits& limits() const { return *limits_; }

 private:
  Template(std::shared_ptr<const TemplateAst> ast, std::shared_ptr<const TemplateLimits> limits)
      : ast_(std::move(ast)), limits_(std::move(limits)) {}
  std::shared_ptr<const TemplateAst> ast_;
  std::shared_ptr<const TemplateLimits> limits_;
};

}  // namespace fab::jinja
