// Converting parsed JSON (boost::json) into template Values: objects keep
// their key order, integers stay integers (uint64 above INT64_MAX becomes a
// float), everything else maps to the matching Python type.
// Fails with ResourceExhausted when the document nests deeper than max_depth.
#pragma once

#include <boost/json/value.hpp>

#include "base/status.h"
#include "tokenizer/jinja/value.h"

namespace fab::jinja {

StatusOr<Value> ValueFromJson(const boost::json::value& json, int max_depth = 128);

}  // namespace fab::jinja
