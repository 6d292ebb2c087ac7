#include "tokenizer/jinja/template.h"

#include "tokenizer/jinja/parser.h"

namespace fab::jinja {

StatusOr<Template> Template::Parse(std::string_view source, const TemplateLimits& limits) {
  FAB_ASSIGN_OR_RETURN(TemplateAst ast, ParseTemplate(source, limits));
  return Template(std::make_shared<const TemplateAst>(std::move(ast)), std::make_shared<const TemplateLimits>(limits));
}

StatusOr<std::string> Template::Render(const DictData& variables, const RenderOptions& options) const {
  Interpreter interpreter(*limits_, options);
  return interpreter.Render(*ast_, variables);
}

}  // namespace fab::jinja
