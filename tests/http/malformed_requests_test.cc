// The malformed-request table against the live `tokenfab serve`: every
// broken or hostile request — the JSON-body rows shared with the parser
// table (tests/server/malformed_request_rows.h) plus the rows only a real
// transport can see (broken HTTP, huge headers, a 1 GB Content-Length with
// no body, content types, routes, model and vocabulary checks) — is answered
// with its exact status and the OpenAI error body
// {"error":{"message","type","param","code"}}; afterwards the server still
// answers and its resident memory is back near where it started. Besides:
// unusual but valid HTTP (HEAD, pipelining, a chunked body, 100-continue, a
// context filled exactly) is served, and a one-slot queue overflows into 503
// with Retry-After at once.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "http/raw_http.h"
#include "http/serve_fixture.h"
#include "server/malformed_request_rows.h"

namespace fab::http_test {
namespace {

using namespace std::chrono_literals;

// Expectations on the error body's param/code: kAny skips the check,
// nullptr expects JSON null.
constexpr const char* kAny = "\x01any";

struct HttpCase {
  const char* name;
  std::string request;  // sent verbatim on a fresh connection
  int status;
  const char* param = kAny;
  const char* code = kAny;
  const char* type = "invalid_request_error";
  const char* header = nullptr;  // a header the response must carry (lower case)
};

// The served name in every request: the shared rows say "m".
constexpr const char* kModel = "m";

std::string Post(const std::string& target, const std::string& body,
                 const std::string& content_type = "application/json") {
  return BuildJsonPost(target, body, content_type);
}

std::string Completion(const std::string& fields) {
  return Post("/v1/completions", R"({"model":"m",)" + fields + "}");
}

std::string Chat(const std::string& fields) {
  return Post("/v1/chat/completions",
              R"({"model":"m","messages":[{"role":"user","content":"hi"}],)" + fields + "}");
}

std::string PostHeadOnly(const std::string& target, const std::string& extra_headers) {
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         extra_headers + "\r\n";
}

std::string IdList(int count, int id) {
  const std::string item = std::to_string(id);
  std::string out = "[";
  for (int i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    out += item;
  }
  return out + "]";
}

std::vector<HttpCase> TransportAndRouteCases() {
  const std::string big_value(20 << 10, 'a');
  std::string many_headers;
  for (int i = 0; i < 1500; ++i) many_headers += "X-Filler-" + std::to_string(i) + ": 0123456789\r\n";
  const std::string valid = R"({"model":"m","prompt":"hi","max_tokens":1})";
  return {
      // Broken HTTP.
      {"GarbageRequestLine", "GARBAGE\r\n\r\n", 400},
      {"RequestLineWithoutVersion", "GET /health\r\n\r\n", 400},
      {"HeaderLineWithoutColon", "GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 400},
      {"NonNumericContentLength", PostHeadOnly("/v1/completions", "Content-Length: abc\r\n"), 400},
      {"NegativeContentLength", PostHeadOnly("/v1/completions", "Content-Length: -5\r\n"), 400},
      {"ConflictingContentLengths",
       PostHeadOnly("/v1/completions", "Content-Length: 5\r\nContent-Length: 6\r\n") + "{}   ", 400},
      {"BadChunkSize",
       PostHeadOnly("/v1/completions", "Transfer-Encoding: chunked\r\n") + "zz\r\n{}\r\n0\r\n\r\n", 400},
      // Sizes: answered from the headers, without waiting for a body that never comes.
      {"ContentLengthOfOneGigabyteWithoutBody",
       PostHeadOnly("/v1/completions", "Content-Length: 1000000000\r\n"), 413, nullptr, "body_too_large"},
      {"ContentLengthJustOverTheCapWithoutBody",
       PostHeadOnly("/v1/chat/completions", "Content-Length: " + std::to_string((16 << 20) + 1) + "\r\n"),
       413, nullptr, "body_too_large"},
      {"ChunkOverTheCapAnnouncedWithoutData",
       PostHeadOnly("/v1/completions", "Transfer-Encoding: chunked\r\n") + "1100000\r\n", 413, nullptr,
       "body_too_large"},
      {"HeaderValueOverTheCap", BuildRequest("GET", "/health", {{"X-Big", big_value}}, ""), 431, nullptr,
       "headers_too_large"},
      {"ThousandsOfHeaders", "GET /health HTTP/1.1\r\nHost: x\r\n" + many_headers + "\r\n", 431, nullptr,
       "headers_too_large"},
      {"RequestTargetOverTheHeaderCap", BuildRequest("GET", "/health?q=" + big_value, {}, ""), 431, nullptr,
       "headers_too_large"},
      // Content types.
      {"NoContentType", Post("/v1/completions", valid, ""), 415, nullptr, "unsupported_content_type"},
      {"TextPlain", Post("/v1/completions", valid, "text/plain"), 415, nullptr, "unsupported_content_type"},
      {"FormEncoded", Post("/v1/chat/completions", valid, "application/x-www-form-urlencoded"), 415, nullptr,
       "unsupported_content_type"},
      {"MultipartForm", Post("/v1/completions", valid, "multipart/form-data; boundary=x"), 415, nullptr,
       "unsupported_content_type"},
      {"JsonWithLatin1Charset", Post("/v1/completions", valid, "application/json; charset=latin1"), 415,
       nullptr, "unsupported_content_type"},
      {"JsonPrefixedMediaType", Post("/v1/completions", valid, "application/jsonp"), 415, nullptr,
       "unsupported_content_type"},
      {"EventStreamContentType", Post("/tokenize", R"({"prompt":"hi"})", "text/event-stream"), 415, nullptr,
       "unsupported_content_type"},
      // Routes.
      {"GetOnCompletions", BuildRequest("GET", "/v1/completions", {}, ""), 405, nullptr, "method_not_allowed",
       "invalid_request_error", "allow"},
      {"GetOnChatCompletions", BuildRequest("GET", "/v1/chat/completions", {}, ""), 405, nullptr,
       "method_not_allowed", "invalid_request_error", "allow"},
      {"PutOnCompletions",
       BuildRequest("PUT", "/v1/completions", {{"Content-Type", "application/json"}}, valid), 405, nullptr,
       "method_not_allowed"},
      {"DeleteOnChatCompletions", BuildRequest("DELETE", "/v1/chat/completions", {}, ""), 405, nullptr,
       "method_not_allowed"},
      {"GetOnTokenize", BuildRequest("GET", "/tokenize", {}, ""), 405, nullptr, "method_not_allowed"},
      {"PostOnHealth", Post("/health", "{}"), 405, nullptr, "method_not_allowed"},
      {"PostOnModels", Post("/v1/models", "{}"), 405, nullptr, "method_not_allowed"},
      {"UnknownPath", BuildRequest("GET", "/v1/nothing-here", {}, ""), 404, nullptr, "unknown_url"},
      {"EmbeddingsAreNotServed", Post("/v1/embeddings", R"({"input":"hi"})"), 404, nullptr, "unknown_url"},
      {"PathBelowARoute", BuildRequest("GET", "/v1/models/extra/deep", {}, ""), 404, nullptr, "unknown_url"},
      {"DotDotPath", BuildRequest("GET", "/../../etc/passwd", {}, ""), 404, nullptr, "unknown_url"},
      {"CompletionsWithTrailingSlash", Post("/v1/completions/", valid), 404, nullptr, "unknown_url"},
  };
}

std::vector<HttpCase> ModelAndLimitCases() {
  return {
      {"UnknownModelOnCompletions", Post("/v1/completions", R"({"model":"gpt-4o","prompt":"hi"})"), 404,
       "model", "model_not_found"},
      {"UnknownModelOnChat",
       Post("/v1/chat/completions", R"({"model":"nope","messages":[{"role":"user","content":"hi"}]})"), 404,
       "model", "model_not_found"},
      {"PromptPlusMaxTokensOverTheContext", Completion(R"("prompt":"hi","max_tokens":1000000)"), 400,
       "prompt", "context_length_exceeded"},
      {"ChatPlusMaxTokensOverTheContext", Chat(R"("max_tokens":1000000)"), 400, "messages",
       "context_length_exceeded"},
      {"ChatPlusMaxCompletionTokensOverTheContext", Chat(R"("max_completion_tokens":999999)"), 400,
       "messages", "context_length_exceeded"},
      {"TokenPromptLongerThanTheContext",
       Completion(R"("prompt":)" + IdList(3000, 100) + R"(,"max_tokens":1)"), 400, "prompt",
       "context_length_exceeded"},
      {"PromptPlusMaxTokensOneTokenOverTheContext",
       Completion(R"("prompt":)" + IdList(2040, 100) + R"(,"max_tokens":9)"), 400, "prompt",
       "context_length_exceeded"},
      {"LogitBiasTokenPastTheVocabulary",
       Completion(R"("prompt":"hi","max_tokens":1,"logit_bias":{"40000":1})"), 400, "logit_bias"},
      {"TokenIdJustPastTheVocabulary", Completion(R"("prompt":[1,32000],"max_tokens":1)"), 400, "prompt"},
      {"TokenIdFarPastTheVocabulary", Completion(R"("prompt":[[1,2],[3,2000000000]],"max_tokens":1)"), 400,
       "prompt"},
      {"DetokenizeIdPastTheVocabulary", Post("/detokenize", R"({"tokens":[1,50000]})"), 400},
      {"DetokenizeNegativeId", Post("/detokenize", R"({"tokens":[-1]})"), 400},
      {"TokenizeWithoutPrompt", Post("/tokenize", R"({"model":"m"})"), 400},
      {"TokenizeUnknownModel", Post("/tokenize", R"({"model":"other","prompt":"hi"})"), 404, "model",
       "model_not_found"},
      {"NestingOneHundredThousandDeep",
       Completion(R"("prompt":"hi","x":)" + std::string(100000, '[') + std::string(100000, ']')), 400},
      {"TenThousandDigitMaxTokens", Completion(R"("prompt":"hi","max_tokens":)" + std::string(10000, '9')),
       400, "max_tokens"},
      {"NulByteInsideTheBody", Post("/v1/completions", std::string("{\"prompt\":\"a\"}\0\0", 16)), 400},
      {"EmptyBodyOnChat", Post("/v1/chat/completions", ""), 400},
  };
}

// The error body must be exactly {"error":{"message","type","param","code"}}.
void ExpectOpenAiError(const std::string& row, const RawResponse& response, int status, const char* type,
                       const char* param, const char* code) {
  SCOPED_TRACE(row);
  ASSERT_EQ(response.status, status) << (response.error.empty() ? "" : "read: " + response.error + "; ")
                                     << "body: " << response.body.substr(0, 300);
  boost::system::error_code parse_error;
  const boost::json::value body = boost::json::parse(response.body, parse_error);
  ASSERT_FALSE(parse_error) << "not JSON: " << response.body.substr(0, 300);
  ASSERT_TRUE(body.is_object() && body.as_object().contains("error")) << response.body.substr(0, 300);
  ASSERT_EQ(body.as_object().size(), 1u) << response.body.substr(0, 300);
  const boost::json::value& inner_value = body.at("error");
  ASSERT_TRUE(inner_value.is_object());
  const boost::json::object& inner = inner_value.as_object();
  EXPECT_EQ(inner.size(), 4u) << response.body.substr(0, 300);
  ASSERT_TRUE(inner.contains("message") && inner.at("message").is_string());
  EXPECT_FALSE(inner.at("message").as_string().empty());
  ASSERT_TRUE(inner.contains("type") && inner.at("type").is_string());
  EXPECT_EQ(inner.at("type").as_string(), type);
  ASSERT_TRUE(inner.contains("param") && inner.contains("code")) << response.body.substr(0, 300);
  const auto expect_field = [&](const char* key, const char* expected) {
    if (expected == kAny) return;
    const boost::json::value& got = inner.at(key);
    if (expected == nullptr) {
      EXPECT_TRUE(got.is_null()) << key << " is " << boost::json::serialize(got);
    } else {
      EXPECT_TRUE(got.is_string() && got.as_string() == expected)
          << key << " is " << boost::json::serialize(got) << ", expected " << expected;
    }
  };
  expect_field("param", param);
  expect_field("code", code);
  EXPECT_EQ(response.Header("content-type").rfind("application/json", 0), 0u)
      << response.Header("content-type");
}

std::unique_ptr<ServeProcess> StartServer(const std::vector<std::string>& extra_args) {
  std::string error;
  std::unique_ptr<ServeProcess> server = ServeProcess::Start({extra_args}, &error);
  EXPECT_NE(server, nullptr) << error;
  return server;
}

// One pass over every row; the rows each run on a fresh connection.
void RunTable(uint16_t port) {
  for (const server::test_rows::MalformedCase& row : server::test_rows::kMalformedRequestRows) {
    const std::string target =
        row.route == server::test_rows::Route::kChat ? "/v1/chat/completions" : "/v1/completions";
    const RawResponse response = PostJson(port, target, row.body, 10s);
    ExpectOpenAiError(std::string("shared row ") + row.name, response, row.http_status,
                      "invalid_request_error", row.param ? row.param->c_str() : nullptr, kAny);
  }
  for (const std::vector<HttpCase>& cases : {TransportAndRouteCases(), ModelAndLimitCases()}) {
    for (const HttpCase& row : cases) {
      // Every row must be answered within 5 s: the oversized ones without their body.
      const RawResponse response = Exchange(port, row.request, 5s);
      ExpectOpenAiError(std::string("row ") + row.name, response, row.status, row.type, row.param, row.code);
      if (row.header != nullptr) {
        EXPECT_TRUE(response.HasHeader(row.header)) << row.name << " lacks " << row.header;
      }
    }
  }
}

void ExpectServesAValidCompletion(uint16_t port) {
  const RawResponse response =
      PostJson(port, "/v1/completions", R"({"model":"m","prompt":"Once upon a time","max_tokens":4})", 30s);
  ASSERT_EQ(response.status, 200) << response.error << response.body.substr(0, 300);
  const boost::json::value body = boost::json::parse(response.body);
  EXPECT_EQ(body.at("usage").at("completion_tokens").to_number<int64_t>(), 4);
}

TEST(MalformedRequests, EveryRowGetsItsExactStatusAndTheServerStaysUpWithMemoryBackAtBaseline) {
  const size_t n_rows = std::size(server::test_rows::kMalformedRequestRows) +
                        TransportAndRouteCases().size() + ModelAndLimitCases().size();
  ASSERT_GE(n_rows, 60u);
  std::unique_ptr<ServeProcess> server = StartServer({"--served-model-name", kModel});
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();

  // Warm up: a few valid requests so that allocator pools and the engine's
  // buffers exist before the baseline is taken.
  for (int i = 0; i < 3; ++i) ExpectServesAValidCompletion(port);
  const int64_t baseline_rss = server->ResidentBytes();
  ASSERT_GT(baseline_rss, 0);

  RunTable(port);
  ASSERT_FALSE(server->WaitForExit(0ms).has_value())
      << "the server died during the table: " << server->OutputTail();
  EXPECT_EQ(Get(port, "/health").status, 200);
  ExpectServesAValidCompletion(port);
  const int64_t after_one_pass = server->ResidentBytes();
  EXPECT_LE(after_one_pass, baseline_rss + (20 << 20))
      << "RSS " << baseline_rss / 1024 << " KiB before the table, " << after_one_pass / 1024 << " KiB after";

  // A second pass must not grow it further: nothing per request is kept.
  RunTable(port);
  EXPECT_EQ(Get(port, "/health").status, 200);
  const int64_t after_two_passes = server->ResidentBytes();
  EXPECT_LE(after_two_passes, after_one_pass + (8 << 20))
      << "RSS " << after_one_pass / 1024 << " KiB after one pass, " << after_two_passes / 1024
      << " KiB after two";
  RecordProperty("rss_kib_baseline", std::to_string(baseline_rss / 1024));
  RecordProperty("rss_kib_after_one_pass", std::to_string(after_one_pass / 1024));
  RecordProperty("rss_kib_after_two_passes", std::to_string(after_two_passes / 1024));
  if (HasFailure()) ADD_FAILURE() << server->OutputTail();
}

// The other side of the table: requests that are unusual but valid HTTP are
// served, and a connection stays usable after an error answered on it.
TEST(MalformedRequests, UnusualButValidHttpIsServed) {
  std::unique_ptr<ServeProcess> server = StartServer({"--served-model-name", kModel});
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  const std::string valid = R"({"model":"m","prompt":"hi","max_tokens":2})";
  const auto open = [&] {
    std::string error;
    std::optional<RawConnection> connection = RawConnection::Connect(port, &error);
    EXPECT_TRUE(connection) << error;
    return connection;
  };

  const RawResponse head = Exchange(port, BuildRequest("HEAD", "/health", {}, ""));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");

  std::string chunked_body =
      "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  chunked_body += "10\r\n" + valid.substr(0, 16) + "\r\n";
  char size_line[16];
  std::snprintf(size_line, sizeof(size_line), "%zx\r\n", valid.size() - 16);
  chunked_body += size_line + valid.substr(16) + "\r\n0\r\n\r\n";
  const RawResponse chunked = Exchange(port, chunked_body);
  EXPECT_EQ(chunked.status, 200) << "a chunked request body: " << chunked.body;

  std::optional<RawConnection> pipelined = open();
  ASSERT_TRUE(pipelined);
  ASSERT_TRUE(
      pipelined->Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + BuildJsonPost("/v1/completions", valid)));
  EXPECT_EQ(pipelined->ReadResponse().status, 200) << "first of two pipelined requests";
  const RawResponse second = pipelined->ReadResponse();
  EXPECT_EQ(second.status, 200) << "second of two pipelined requests: " << second.body;

  std::optional<RawConnection> after_error = open();
  ASSERT_TRUE(after_error);
  ASSERT_TRUE(
      after_error->Send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Content-Length: 1\r\n\r\n{"));
  EXPECT_EQ(after_error->ReadResponse().status, 400);
  ASSERT_TRUE(after_error->Send(BuildJsonPost("/v1/completions", valid)));
  EXPECT_EQ(after_error->ReadResponse().status, 200) << "the keep-alive connection after a 400";

  std::optional<RawConnection> expect_continue = open();
  ASSERT_TRUE(expect_continue);
  ASSERT_TRUE(
      expect_continue->Send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Expect: 100-continue\r\nContent-Length: " +
                            std::to_string(valid.size()) + "\r\n\r\n"));
  EXPECT_EQ(expect_continue->ReadResponse(5s, /*head_only=*/true).status, 100);
  ASSERT_TRUE(expect_continue->Send(valid));
  EXPECT_EQ(expect_continue->ReadResponse().status, 200) << "the body sent after 100 Continue";

  // 2040 prompt tokens + 8 new ones fill the 2048-token context exactly.
  const RawResponse exact_fit = PostJson(
      port, "/v1/completions", R"({"model":"m","prompt":)" + IdList(2040, 100) + R"(,"max_tokens":8})", 60s);
  EXPECT_EQ(exact_fit.status, 200) << "a request that fills the context exactly: "
                                   << exact_fit.body.substr(0, 300);

  const RawResponse query = PostJson(port, "/v1/completions?debug=1", valid);
  EXPECT_EQ(query.status, 200) << "a query string on a POST route: " << query.body;
  const RawResponse charset =
      Exchange(port, Post("/v1/completions", valid, "Application/JSON; charset=UTF-8"));
  EXPECT_EQ(charset.status, 200) << charset.body;
}

// --max-num-seqs 1 --max-waiting 1: one request runs, one waits, the rest of
// a burst are refused at once with 503, Retry-After and code queue_full.
TEST(MalformedRequests, AFullWaitingQueueIsAnswered503WithRetryAfterAtOnce) {
  std::unique_ptr<ServeProcess> server = StartServer({"--max-num-seqs", "1", "--max-waiting", "1"});
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  const std::string request = BuildJsonPost(
      "/v1/completions", std::string(R"({"model":")") + kTestModelName +
                             R"(","prompt":"Once upon a time","max_tokens":1500,"stream":true})");
  constexpr int kBurst = 8;
  std::vector<RawConnection> connections;
  for (int i = 0; i < kBurst; ++i) {
    std::string error;
    std::optional<RawConnection> connection = RawConnection::Connect(port, &error);
    ASSERT_TRUE(connection) << error;
    ASSERT_TRUE(connection->Send(request));
    connections.push_back(std::move(*connection));
  }
  int n_accepted = 0;
  int n_refused = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kBurst; ++i) {
    // A streamed response's head goes out at once, so every head is prompt.
    RawResponse head = connections[i].ReadHead(5s);
    ASSERT_NE(head.status, 0) << "request " << i << " got no answer within 5 s: " << head.error;
    if (head.status == 200) {
      ++n_accepted;
      continue;
    }
    ++n_refused;
    std::string error;
    while (std::optional<std::string> piece = connections[i].ReadBodyPiece(5s, &error)) head.body += *piece;
    ExpectOpenAiError("burst request " + std::to_string(i), head, 503, "server_error", nullptr, "queue_full");
    EXPECT_EQ(head.Header("retry-after"), "1") << "request " << i;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(n_accepted, 1);
  EXPECT_GE(n_refused, 1) << "with one slot and one waiting place, " << kBurst
                          << " long requests were all accepted";
  EXPECT_LT(seconds, 5.0) << "the refusals were not immediate";
  connections.clear();  // disconnect: the accepted streams are cancelled
  EXPECT_EQ(Get(port, "/health").status, 200);
  if (HasFailure()) ADD_FAILURE() << server->OutputTail();
}

}  // namespace
}  // namespace fab::http_test
