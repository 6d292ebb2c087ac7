// The caps that keep a hostile chat template from hanging, crashing or
// allocating without bound. Every cap that is hit ends the render with
// ResourceExhausted naming the cap (syntax errors are InvalidArgument).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fab::jinja {

struct TemplateLimits {
  size_t max_source_bytes = 1 << 20;        // template text
  int max_nesting = 64;  // source nesting: about 2x this many nested blocks or brackets;
                         // operator, attribute and filter chains up to 16x this long
  int64_t max_steps = 1'000'000;            // statements + expression nodes evaluated
  size_t max_output_bytes = 8 << 20;        // rendered text; also the cap on any one string
  size_t max_created_bytes = size_t{256} << 20;  // total bytes of strings and lists built while rendering
  int max_call_depth = 64;                  // macro calls in progress at once
  int64_t max_range = 100'000;              // range() length (jinja2's sandbox allows 100000)
  size_t max_list_items = 1'000'000;        // items in one list built by the template
  // Wall-clock cap, a last guard behind the step budget (0: none).
  int64_t max_render_milliseconds = 10'000;
};

}  // namespace fab::jinja
