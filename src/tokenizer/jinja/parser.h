// Builds the TemplateAst of a chat template from its tokens, following
// jinja2's grammar and operator precedence. Only the statements chat
// templates use are accepted (if/for/set/macro/filter/generation/break/
// continue); anything else is InvalidArgument "line L:C: …". Nesting deeper
// than limits.max_nesting is ResourceExhausted.
#pragma once

#include <string_view>

#include "base/status.h"
#include "tokenizer/jinja/ast.h"
#include "tokenizer/jinja/limits.h"

namespace fab::jinja {

StatusOr<TemplateAst> ParseTemplate(std::string_view source, const TemplateLimits& limits);

}  // namespace fab::jinja
