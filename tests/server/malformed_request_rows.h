// The rows of the malformed-request table: hostile or broken JSON bodies for
// the two generation routes, each with the exact status and `param` it must
// be answered with (type invalid_request_error, code null). Shared by the
// parser-level table (tests/server/malformed_request_table_test.cc) and the
// live one against `tokenfab serve` (tests/http/malformed_requests_test.cc);
// bodies name the model "m". Header-only test data.
#pragma once

#include <optional>
#include <ostream>
#include <string>

namespace fab::server::test_rows {

enum class Route { kCompletions, kChat };

struct MalformedCase {
  const char* name;  // a gtest-safe identifier
  Route route;
  std::string body;
  std::optional<std::string> param;  // nullopt: the body itself (param null)
  int http_status = 400;
};

// Failure messages name the row instead of dumping its bytes.
inline void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.name; }

inline std::string Repeat(const std::string& item, int count, const char* separator = ",") {
  std::string out;
  for (int i = 0; i < count; ++i) out += (i ? separator : "") + item;
  return out;
}

inline std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// Completions with one valid prompt plus `extra` fields.
inline std::string C(const std::string& extra) { return R"({"model":"m","prompt":"hi",)" + extra + "}"; }
// Chat with one valid user message plus `extra` fields.
inline std::string H(const std::string& extra) {
  return R"({"model":"m","messages":[{"role":"user","content":"hi"}],)" + extra + "}";
}
// Chat with the given messages array.
inline std::string M(const std::string& messages) { return R"({"model":"m","messages":)" + messages + "}"; }

inline const MalformedCase kMalformedRequestRows[] = {
    // The body is not a JSON object.
    {"EmptyBody", Route::kCompletions, "", std::nullopt},
    {"PlainText", Route::kCompletions, "hello", std::nullopt},
    {"TruncatedObject", Route::kCompletions, R"({"prompt":"a")", std::nullopt},
    {"TrailingComma", Route::kCompletions, R"({"prompt":"a",})", std::nullopt},
    {"Comment", Route::kCompletions, R"({"prompt":"a" /* c */})", std::nullopt},
    {"TrailingGarbage", Route::kCompletions, R"({"prompt":"a"} x)", std::nullopt},
    {"BodyIsArray", Route::kCompletions, "[1,2]", std::nullopt},
    {"BodyIsString", Route::kChat, R"("hi")", std::nullopt},
    {"BodyIsNull", Route::kChat, "null", std::nullopt},
    {"NanLiteral", Route::kCompletions, C(R"("temperature":NaN)"), std::nullopt},
    {"InfinityLiteral", Route::kCompletions, C(R"("temperature":Infinity)"), std::nullopt},
    {"NestedDeeperThanTheCap", Route::kCompletions, C(R"("extra":)" + Nested(40)), std::nullopt},
    {"InvalidUtf8Byte", Route::kCompletions, "{\"prompt\":\"a\xff\"}", std::nullopt},
    {"OverlongUtf8", Route::kCompletions, "{\"prompt\":\"\xc0\xaf\"}", std::nullopt},
    {"EncodedSurrogateUtf8", Route::kChat, M("[{\"role\":\"user\",\"content\":\"\xed\xa0\x80\"}]"), std::nullopt},
    {"LoneSurrogateEscape", Route::kCompletions, R"({"prompt":"\ud800"})", std::nullopt},
    {"LoneTrailingSurrogateEscape", Route::kChat, M(R"([{"role":"user","content":"\udc00"}])"), std::nullopt},
    {"DuplicateClosingBrace", Route::kChat, H(R"("n":1})"), std::nullopt},
    // prompt
    {"MissingPrompt", Route::kCompletions, R"({"model":"m"})", "prompt"},
    {"NullPrompt", Route::kCompletions, R"({"prompt":null})", "prompt"},
    {"EmptyStringPrompt", Route::kCompletions, R"({"prompt":""})", "prompt"},
    {"EmptyArrayPrompt", Route::kCompletions, R"({"prompt":[]})", "prompt"},
    {"NumberPrompt", Route::kCompletions, R"({"prompt":5})", "prompt"},
    {"ObjectPrompt", Route::kCompletions, R"({"prompt":{"text":"a"}})", "prompt"},
    {"StringThenNumberPrompt", Route::kCompletions, R"({"prompt":["a",1]})", "prompt[1]"},
    {"NumberThenStringPrompt", Route::kCompletions, R"({"prompt":[1,"a"]})", "prompt[1]"},
    {"NegativeTokenId", Route::kCompletions, R"({"prompt":[1,-2]})", "prompt[1]"},
    {"TokenIdPastInt32", Route::kCompletions, R"({"prompt":[2147483648]})", "prompt[0]"},
    {"TokenIdPastUint64", Route::kCompletions, R"({"prompt":[1,18446744073709551616]})", "prompt[1]"},
    {"FractionalTokenId", Route::kCompletions, R"({"prompt":[1,2.5]})", "prompt[1]"},
    {"EmptyIdListInBatch", Route::kCompletions, R"({"prompt":[[1],[]]})", "prompt[1]"},
    {"StringInIdListBatch", Route::kCompletions, R"({"prompt":[[1],"a"]})", "prompt[1]"},
    {"NegativeIdInIdListBatch", Route::kCompletions, R"({"prompt":[[1],[2,-1]]})", "prompt[1][1]"},
    {"EmptyStringInBatch", Route::kCompletions, R"({"prompt":["a",""]})", "prompt[1]"},
    {"TooManyPrompts", Route::kCompletions, R"({"prompt":[)" + Repeat(R"("a")", 257) + "]}", "prompt"},
    // model
    {"ModelNumber", Route::kCompletions, R"({"model":3,"prompt":"a"})", "model"},
    {"ModelEmpty", Route::kChat, R"({"model":"","messages":[{"role":"user","content":"hi"}]})", "model"},
    {"ModelTooLong", Route::kCompletions, R"({"model":")" + std::string(300, 'm') + R"(","prompt":"a"})", "model"},
    // max_tokens / max_completion_tokens
    {"MaxTokensNegative", Route::kCompletions, C(R"("max_tokens":-1)"), "max_tokens"},
    {"MaxTokensString", Route::kCompletions, C(R"("max_tokens":"16")"), "max_tokens"},
    {"MaxTokensFraction", Route::kCompletions, C(R"("max_tokens":1.5)"), "max_tokens"},
    {"MaxTokensOverflowsToInfinity", Route::kCompletions, C(R"("max_tokens":1e309)"), "max_tokens"},
    {"MaxTokensHuge", Route::kCompletions, C(R"("max_tokens":1e20)"), "max_tokens"},
    {"MaxTokensUint64Max", Route::kCompletions, C(R"("max_tokens":18446744073709551615)"), "max_tokens"},
    {"MaxTokensPastTheCap", Route::kCompletions, C(R"("max_tokens":1048577)"), "max_tokens"},
    {"MaxTokensBoolean", Route::kCompletions, C(R"("max_tokens":true)"), "max_tokens"},
    {"MaxTokensZeroWithoutEcho", Route::kCompletions, C(R"("max_tokens":0)"), "max_tokens"},
    {"ChatMaxTokensZero", Route::kChat, H(R"("max_tokens":0)"), "max_tokens"},
    {"ChatMaxCompletionTokensZero", Route::kChat, H(R"("max_completion_tokens":0)"), "max_completion_tokens"},
    {"ChatMaxCompletionTokensArray", Route::kChat, H(R"("max_completion_tokens":[5])"), "max_completion_tokens"},
    // sampling knobs
    {"TemperatureNegative", Route::kCompletions, C(R"("temperature":-0.1)"), "temperature"},
    {"TemperatureOverflowsToInfinity", Route::kCompletions, C(R"("temperature":1e309)"), "temperature"},
    {"TemperatureOverflowsToMinusInfinity", Route::kChat, H(R"("temperature":-1e309)"), "temperature"},
    {"TemperatureString", Route::kChat, H(R"("temperature":"0.5")"), "temperature"},
    {"TemperatureAboveTwo", Route::kCompletions, C(R"("temperature":2.01)"), "temperature"},
    {"TopPZero", Route::kCompletions, C(R"("top_p":0)"), "top_p"},
    {"TopPAboveOne", Route::kChat, H(R"("top_p":1.5)"), "top_p"},
    {"TopKMinusTwo", Route::kCompletions, C(R"("top_k":-2)"), "top_k"},
    {"TopKFraction", Route::kCompletions, C(R"("top_k":2.5)"), "top_k"},
    {"MinPNegative", Route::kCompletions, C(R"("min_p":-0.5)"), "min_p"},
    {"MinPAboveOne", Route::kChat, H(R"("min_p":1.01)"), "min_p"},
    {"PresencePenaltyAboveTwo", Route::kCompletions, C(R"("presence_penalty":2.5)"), "presence_penalty"},
    {"FrequencyPenaltyBelowMinusTwo", Route::kChat, H(R"("frequency_penalty":-3)"), "frequency_penalty"},
    {"FrequencyPenaltyObject", Route::kChat, H(R"("frequency_penalty":{})"), "frequency_penalty"},
    {"RepetitionPenaltyZero", Route::kCompletions, C(R"("repetition_penalty":0)"), "repetition_penalty"},
    {"RepetitionPenaltyBelowTheSamplersFloor", Route::kChat, H(R"("repetition_penalty":0.001)"), "repetition_penalty"},
    {"RepetitionPenaltyHuge", Route::kCompletions, C(R"("repetition_penalty":1e300)"), "repetition_penalty"},
    {"SeedString", Route::kCompletions, C(R"("seed":"42")"), "seed"},
    {"SeedPastInt64", Route::kChat, H(R"("seed":1e30)"), "seed"},
    {"SeedFraction", Route::kChat, H(R"("seed":0.5)"), "seed"},
    // stop
    {"StopNumber", Route::kCompletions, C(R"("stop":5)"), "stop"},
    {"StopObject", Route::kChat, H(R"("stop":{"a":1})"), "stop"},
    {"SeventeenStops", Route::kCompletions, C(R"("stop":[)" + Repeat(R"("x")", 17) + "]"), "stop"},
    {"EmptyStopString", Route::kCompletions, C(R"("stop":"")"), "stop"},
    {"EmptyStopInArray", Route::kChat, H(R"("stop":["a",""])"), "stop[1]"},
    {"NumberInStopArray", Route::kCompletions, C(R"("stop":["a",1])"), "stop[1]"},
    {"StopStringTooLong", Route::kCompletions, C(R"("stop":[")" + std::string(1025, 's') + R"("])"), "stop[0]"},
    // n
    {"NZero", Route::kCompletions, C(R"("n":0)"), "n"},
    {"NSeventeen", Route::kChat, H(R"("n":17)"), "n"},
    {"NString", Route::kChat, H(R"("n":"2")"), "n"},
    {"PromptsTimesNOverTheCap", Route::kCompletions,
     R"({"prompt":[)" + Repeat(R"("a")", 20) + R"(],"n":16})", "n"},
    // logit_bias
    {"LogitBiasArray", Route::kCompletions, C(R"("logit_bias":[1,2])"), "logit_bias"},
    {"LogitBiasWordKey", Route::kCompletions, C(R"("logit_bias":{"abc":1})"), "logit_bias"},
    {"LogitBiasNegativeKey", Route::kChat, H(R"("logit_bias":{"-1":1})"), "logit_bias"},
    {"LogitBiasKeyPastInt32", Route::kChat, H(R"("logit_bias":{"4294967296":1})"), "logit_bias"},
    {"LogitBiasKeyWithSpace", Route::kChat, H(R"("logit_bias":{" 5":1})"), "logit_bias"},
    {"LogitBiasAboveHundred", Route::kCompletions, C(R"("logit_bias":{"5":100.5})"), "logit_bias"},
    {"LogitBiasBelowMinusHundred", Route::kCompletions, C(R"("logit_bias":{"5":-101})"), "logit_bias"},
    {"LogitBiasStringValue", Route::kChat, H(R"("logit_bias":{"5":"1"})"), "logit_bias"},
    {"LogitBiasNullValue", Route::kChat, H(R"("logit_bias":{"5":null})"), "logit_bias"},
    // logprobs, echo, stream, user, priority
    {"CompletionsLogprobsBoolean", Route::kCompletions, C(R"("logprobs":true)"), "logprobs"},
    {"CompletionsLogprobsAboveTwenty", Route::kCompletions, C(R"("logprobs":21)"), "logprobs"},
    {"CompletionsLogprobsNegative", Route::kCompletions, C(R"("logprobs":-1)"), "logprobs"},
    {"ChatLogprobsInteger", Route::kChat, H(R"("logprobs":5)"), "logprobs"},
    {"TopLogprobsWithoutLogprobs", Route::kChat, H(R"("top_logprobs":3)"), "top_logprobs"},
    {"TopLogprobsAboveTwenty", Route::kChat, H(R"("logprobs":true,"top_logprobs":21)"), "top_logprobs"},
    {"EchoString", Route::kCompletions, C(R"("echo":"yes")"), "echo"},
    {"StreamString", Route::kChat, H(R"("stream":"true")"), "stream"},
    {"StreamNumber", Route::kCompletions, C(R"("stream":1)"), "stream"},
    {"StreamOptionsWithoutStream", Route::kChat, H(R"("stream_options":{"include_usage":true})"), "stream_options"},
    {"StreamOptionsNotObject", Route::kChat, H(R"("stream":true,"stream_options":true)"), "stream_options"},
    {"IncludeUsageString", Route::kCompletions, C(R"("stream":true,"stream_options":{"include_usage":"yes"})"),
     "stream_options.include_usage"},
    {"UserNumber", Route::kChat, H(R"("user":42)"), "user"},
    {"UserTooLong", Route::kCompletions, C(R"("user":")" + std::string(257, 'u') + "\""), "user"},
    {"PriorityUnknown", Route::kChat, H(R"("priority":"urgent")"), "priority"},
    {"PriorityNumber", Route::kCompletions, C(R"("priority":1)"), "priority"},
    // messages
    {"MissingMessages", Route::kChat, R"({"model":"m"})", "messages"},
    {"NullMessages", Route::kChat, M("null"), "messages"},
    {"EmptyMessages", Route::kChat, M("[]"), "messages"},
    {"MessagesObject", Route::kChat, M(R"({"role":"user","content":"hi"})"), "messages"},
    {"MessageIsString", Route::kChat, M(R"(["hi"])"), "messages[0]"},
    {"MissingRole", Route::kChat, M(R"([{"content":"hi"}])"), "messages[0].role"},
    {"UnknownRole", Route::kChat, M(R"([{"role":"wizard","content":"hi"}])"), "messages[0].role"},
    {"RoleNumber", Route::kChat, M(R"([{"role":1,"content":"hi"}])"), "messages[0].role"},
    {"UserMessageWithoutContent", Route::kChat, M(R"([{"role":"user"}])"), "messages[0].content"},
    {"SystemMessageWithNullContent", Route::kChat, M(R"([{"role":"system","content":null}])"), "messages[0].content"},
    {"ContentNumber", Route::kChat, M(R"([{"role":"user","content":7}])"), "messages[0].content"},
    {"ContentEmptyParts", Route::kChat, M(R"([{"role":"user","content":[]}])"), "messages[0].content"},
    {"ContentPartNotObject", Route::kChat, M(R"([{"role":"user","content":["hi"]}])"), "messages[0].content[0]"},
    {"ContentPartWithoutType", Route::kChat, M(R"([{"role":"user","content":[{"text":"hi"}]}])"),
     "messages[0].content[0].type"},
    {"ImageContentPart", Route::kChat,
     M(R"([{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://x"}}]}])"),
     "messages[0].content[0].type"},
    {"TextPartWithoutText", Route::kChat, M(R"([{"role":"user","content":[{"type":"text"}]}])"),
     "messages[0].content[0].text"},
    {"TextPartWithNumberText", Route::kChat,
     M(R"([{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":2}]}])"),
     "messages[0].content[1].text"},
    {"SecondMessageHasBadRole", Route::kChat,
     M(R"([{"role":"system","content":"s"},{"role":"robot","content":"hi"}])"), "messages[1].role"},
    {"NameNumber", Route::kChat, M(R"([{"role":"user","content":"hi","name":5}])"), "messages[0].name"},
    {"ToolCallIdNumber", Route::kChat, M(R"([{"role":"tool","content":"1","tool_call_id":9}])"),
     "messages[0].tool_call_id"},
    {"ToolCallsObject", Route::kChat, M(R"([{"role":"assistant","tool_calls":{}}])"), "messages[0].tool_calls"},
    {"TooManyMessages", Route::kChat, M("[" + Repeat(R"({"role":"user","content":"a"})", 4097) + "]"),
     "messages"},
    // tools
    {"ToolsObject", Route::kChat, H(R"("tools":{})"), "tools"},
    {"ToolIsString", Route::kChat, H(R"("tools":["f"])"), "tools[0]"},
    {"ToolWithoutFunction", Route::kChat, H(R"("tools":[{"type":"function"}])"), "tools[0].function"},
    {"ToolWithoutName", Route::kChat, H(R"("tools":[{"type":"function","function":{}}])"), "tools[0].function.name"},
    {"ToolWithEmptyName", Route::kChat, H(R"("tools":[{"type":"function","function":{"name":""}}])"),
     "tools[0].function.name"},
    {"ToolChoiceNumber", Route::kChat, H(R"("tool_choice":1)"), "tool_choice"},
    {"ToolNameWithSpace", Route::kChat, H(R"("tools":[{"type":"function","function":{"name":"get weather"}}])"),
     "tools[0].function.name"},
    {"ToolParametersString", Route::kChat,
     H(R"("tools":[{"type":"function","function":{"name":"f","parameters":"x"}}])"), "tools[0].function.parameters"},
    {"ToolChoiceUnknownWord", Route::kChat, H(R"("tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"always")"),
     "tool_choice"},
    {"ToolChoiceRequiredWithoutTools", Route::kChat, H(R"("tool_choice":"required")"), "tool_choice"},
    {"ToolChoiceNamesAnotherFunction", Route::kChat,
     H(R"("tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}})"),
     "tool_choice"},
    {"ParallelToolCallsString", Route::kChat, H(R"("parallel_tool_calls":"yes")"), "parallel_tool_calls"},
};

}  // namespace fab::server::test_rows
