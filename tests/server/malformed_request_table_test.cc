// The malformed-request table (rows in server/malformed_request_rows.h):
// hostile or broken bodies for both endpoints, each with the exact status,
// OpenAI type and `param` it must be answered with. Every row is also checked
// through ErrorBody, so what the client sees is what the table says.
#include <gtest/gtest.h>

#include <iterator>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include <boost/json.hpp>

#include "server/chat_request.h"
#include "server/completion_request.h"
#include "server/errors.h"
#include "server/malformed_request_rows.h"

namespace fab::server {
namespace {

using test_rows::MalformedCase;
using test_rows::Route;
const auto& kCases = test_rows::kMalformedRequestRows;

class MalformedRequest : public testing::TestWithParam<MalformedCase> {};

ApiResult<int> Parse(const MalformedCase& c) {
  if (c.route == Route::kCompletions) {
    auto parsed = ParseCompletionRequest(c.body);
    if (parsed.ok()) return 0;
    return parsed.error();
  }
  auto parsed = ParseChatRequest(c.body);
  if (parsed.ok()) return 0;
  return parsed.error();
}

TEST_P(MalformedRequest, IsAnsweredWithTheExactStatusTypeAndParam) {
  const MalformedCase& c = GetParam();
  const ApiResult<int> result = Parse(c);
  ASSERT_FALSE(result.ok()) << "accepted: " << c.body.substr(0, 200);
  const ApiError& error = result.error();
  EXPECT_EQ(error.http_status, c.http_status) << error.message;
  EXPECT_EQ(error.type, kInvalidRequestError);
  EXPECT_EQ(error.param, c.param) << error.message;
  EXPECT_FALSE(error.message.empty());

  // The body the client receives says the same.
  const boost::json::value body = boost::json::parse(ErrorBody(error));
  const boost::json::object& inner = body.at("error").as_object();
  EXPECT_EQ(inner.at("type").as_string(), kInvalidRequestError);
  EXPECT_EQ(inner.at("message").as_string(), error.message);
  if (c.param) {
    EXPECT_EQ(inner.at("param").as_string(), *c.param);
  } else {
    EXPECT_TRUE(inner.at("param").is_null());
  }
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedRequest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<MalformedCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(MalformedRequestTable, HasAtLeastSixtyRowsWithDistinctNames) {
  EXPECT_GE(std::size(kCases), 60u);
  std::set<std::string> names;
  for (const MalformedCase& c : kCases) EXPECT_TRUE(names.insert(c.name).second) << c.name;
}

}  // namespace
}  // namespace fab::server
