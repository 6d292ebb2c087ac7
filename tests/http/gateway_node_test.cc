// A node an inference gateway can drive: /metrics carries the series the
// Gateway API Inference Extension's endpoint picker reads (under our names,
// and under vLLM's with --metrics-vllm-aliases, equal), and
// /v1/prefix_blocks lists the chained hashes of the prefix blocks the node
// holds: the blocks of a prompt it served are there, as a router computes
// them from the prompt's token ids with the node's hash seed.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "http/raw_http.h"
#include "http/serve_fixture.h"
#include "kvcache/block_hash.h"

namespace fab::http_test {
namespace {

namespace json = boost::json;


TEST(GatewayNode, MetricsCarryThePickersSeriesUnderOurNamesAndOptionallyVllms) {
  std::string error;
  {
    auto server = ServeProcess::Start(ServeOptions{}, &error);
    ASSERT_NE(server, nullptr) << error;
    const RawResponse metrics = Get(server->port(), "/metrics");
    EXPECT_NE(metrics.body.find("tokenfab:cache_config_info{model_name=\"demo-q4_0\",block_size=\"16\""), std::string::npos)
        << metrics.body.substr(0, 400);
    EXPECT_NE(metrics.body.find("tokenfab:lora_requests_info{"), std::string::npos);
    EXPECT_EQ(metrics.body.find("vllm:"), std::string::npos) << "no aliases unless asked";
  }
  ServeOptions options;
  options.extra_args = {"--metrics-vllm-aliases"};
  auto server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  ASSERT_EQ(PostJson(server->port(), "/v1/completions", R"({"prompt":"Hello","max_tokens":4})").status, 200);
  const std::string text = Get(server->port(), "/metrics").body;
  for (const auto& [ours, theirs] : std::vector<std::pair<const char*, const char*>>{
           {"tokenfab:num_requests_waiting", "vllm:num_requests_waiting"},
           {"tokenfab:num_requests_running", "vllm:num_requests_running"},
           {"tokenfab:kv_cache_usage_perc", "vllm:kv_cache_usage_perc"},
           {"tokenfab:cache_config_info", "vllm:cache_config_info"}}) {
    const std::optional<double> a = MetricValue(text, ours), b = MetricValue(text, theirs);
    ASSERT_TRUE(a.has_value() && b.has_value()) << ours;
    EXPECT_EQ(*a, *b) << ours;
  }
  EXPECT_NE(text.find("vllm:lora_requests_info{model_name=\"demo-q4_0\",max_lora=\"0\""), std::string::npos);
}

TEST(GatewayNode, PrefixBlocksListTheHashesOfAServedPromptAsARouterComputesThem) {
  std::string error;
  auto server = ServeProcess::Start(ServeOptions{}, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();
  std::string prompt;
  for (int i = 0; i < 40; ++i) prompt += "The quick brown fox jumps over the lazy dog. ";
  const std::string body = json::serialize(json::object{{"prompt", prompt}, {"max_tokens", 2}});
  ASSERT_EQ(PostJson(port, "/v1/completions", body).status, 200);
  const RawResponse tokenized = PostJson(port, "/tokenize", json::serialize(json::object{{"prompt", prompt}}));
  ASSERT_EQ(tokenized.status, 200) << tokenized.body;
  std::vector<TokenId> ids;
  for (const json::value& id : json::parse(tokenized.body).at("tokens").as_array()) ids.push_back(static_cast<TokenId>(id.as_int64()));

  json::object node;
  ASSERT_TRUE(WaitUntil(std::chrono::seconds(5), [&] {
    const RawResponse r = Get(port, "/v1/prefix_blocks");
    if (r.status != 200) return false;
    node = json::parse(r.body).at("models").at(0).as_object();
    return node.at("n_cached_blocks").as_int64() >= static_cast<int64_t>(ids.size()) / 16;
  })) << json::serialize(node);
  EXPECT_EQ(node.at("hash"), "xxh3-128-chain");
  const int64_t block_size = node.at("block_size").as_int64();
  ASSERT_EQ(block_size, 16);
  const uint64_t seed = std::stoull(std::string(node.at("hash_seed").as_string()), nullptr, 16);
  kvcache::BlockHasher hasher(seed);
  kvcache::BlockHash parent = hasher.RootHash(0);
  std::vector<std::string> listed;
  for (const json::value& block : node.at("blocks").as_array()) listed.emplace_back(block.as_string());
  const size_t n_full = ids.size() / static_cast<size_t>(block_size);
  ASSERT_GE(n_full, 10u);
  for (size_t b = 0; b < n_full - 1; ++b) {  // the last full block may be the one still computing the last token
    parent = hasher.ChainHash(parent, std::span<const TokenId>(ids.data() + b * block_size, static_cast<size_t>(block_size)));
    EXPECT_NE(std::find(listed.begin(), listed.end(), kvcache::HexString(parent)), listed.end()) << "block " << b;
  }
  EXPECT_EQ(Get(port, "/v1/prefix_blocks?x=1").status, 200);
  EXPECT_EQ(PostJson(port, "/v1/prefix_blocks", "{}").status, 405);
}

}  // namespace
}  // namespace fab::http_test
