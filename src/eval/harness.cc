#include "eval/harness.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <regex>

#include "base/percentile.h"
#include "server/http_client.h"
#include "server/http_url.h"

namespace fab::eval {
namespace {

namespace json = boost::json;

std::string Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

class Endpoint {
 public:
  static StatusOr<Endpoint> Open(const EndpointOptions& options) {
    FAB_ASSIGN_OR_RETURN(server::HttpUrl url, server::ParseHttpUrl(options.base_url));
    return Endpoint(url, options);
  }

  // The JSON body of a /v1/completions answer to `body`.
  StatusOr<json::object> Complete(json::object body) {
    if (!options_.model.empty()) body["model"] = options_.model;
    server::HttpHeaderList headers;
    if (!options_.api_key.empty()) headers.emplace_back("Authorization", "Bearer " + options_.api_key);
    StatusOr<server::HttpReply> reply = client_->Post(target_, json::serialize(body), headers);
    if (!reply.ok()) return UnavailableError(options_.base_url + ": " + reply.status().message());
    boost::system::error_code error;
    json::value parsed = json::parse(reply->body, error);
    if (reply->status != 200 || error || !parsed.is_object()) {
      return UnavailableError(options_.base_url + " answered " + std::to_string(reply->status) + ": " +
                              reply->body.substr(0, 300));
    }
    return std::move(parsed.as_object());
  }

 private:
  Endpoint(const server::HttpUrl& url, const EndpointOptions& options)
      : options_(options),
        target_(server::JoinTarget(url, "/v1/completions")),
        client_(std::make_unique<server::HttpClient>(url.host, url.port)) {}

  EndpointOptions options_;
  std::string target_;
  std::unique_ptr<server::HttpClient> client_;
};

// The summed logprob of the tokens of `prompt + continuation` that hold
// bytes of the continuation, from an echoed scoring request.
StatusOr<double> LogLikelihood(Endpoint& endpoint, const std::string& prompt, const std::string& continuation) {
  const std::string text = prompt + continuation;
  FAB_ASSIGN_OR_RETURN(json::object answer,
                       endpoint.Complete(json::object{{"prompt", text}, {"max_tokens", 0}, {"echo", true},
                                                      {"logprobs", 1}, {"temperature", 0}}));
  const json::value* choices = answer.if_contains("choices");
  const json::value* logprobs =
      choices != nullptr && choices->is_array() && !choices->as_array().empty() && choices->as_array()[0].is_object()
          ? choices->as_array()[0].as_object().if_contains("logprobs")
          : nullptr;
  if (logprobs == nullptr || !logprobs->is_object()) return UnavailableError("the endpoint returned no logprobs");
  const json::value* values = logprobs->as_object().if_contains("token_logprobs");
  const json::value* offsets = logprobs->as_object().if_contains("text_offset");
  if (values == nullptr || offsets == nullptr || !values->is_array() || !offsets->is_array() ||
      values->as_array().size() != offsets->as_array().size()) {
    return UnavailableError("the endpoint's logprobs lack token_logprobs / text_offset");
  }
  const json::array& lp = values->as_array();
  const json::array& off = offsets->as_array();
  double sum = 0.0;
  for (size_t i = 0; i < lp.size(); ++i) {
    const int64_t end = i + 1 < off.size() ? off[i + 1].to_number<int64_t>() : static_cast<int64_t>(text.size());
    if (end <= static_cast<int64_t>(prompt.size())) continue;  // wholly prompt
    if (lp[i].is_null()) return UnavailableError("a continuation token has no logprob");
    sum += lp[i].to_number<double>();
  }
  return sum;
}

// The prompt of `doc`: few-shot examples, then its context.
std::string Prompt(const Task& task, const Doc& doc, const HarnessOptions& options, size_t index) {
  std::string prompt = task.description;
  if (options.num_fewshot > 0 && !task.fewshot_docs.empty()) {
    std::mt19937_64 rng(options.seed + index);
    std::vector<size_t> order(task.fewshot_docs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    int64_t taken = 0;
    for (size_t i = 0; i < order.size() && taken < options.num_fewshot; ++i) {
      const Doc& example = task.fewshot_docs[order[i]];
      if (example.context == doc.context) continue;  // never the item itself
      prompt += ExampleText(task, example) + task.fewshot_delimiter;
      ++taken;
    }
  }
  return prompt + doc.context;
}

MetricScore Bootstrap(const std::string& metric, const std::vector<double>& scores, const HarnessOptions& options) {
  MetricScore score{metric, 0.0, 0.0, 0.0};
  if (scores.empty()) return score;
  double sum = 0.0;
  for (double s : scores) sum += s;
  score.value = sum / static_cast<double>(scores.size());
  if (options.bootstrap <= 0) {
    score.ci_low = score.ci_high = score.value;
    return score;
  }
  std::mt19937_64 rng(options.seed ^ 0x9E3779B97F4A7C15ull);
  std::uniform_int_distribution<size_t> pick(0, scores.size() - 1);
  std::vector<double> means;
  for (int64_t round = 0; round < options.bootstrap; ++round) {
    double total = 0.0;
    for (size_t i = 0; i < scores.size(); ++i) total += scores[pick(rng)];
    means.push_back(total / static_cast<double>(scores.size()));
  }
  std::sort(means.begin(), means.end());
  score.ci_low = Percentile(means, 2.5);
  score.ci_high = Percentile(means, 97.5);
  return score;
}

}  // namespace

StatusOr<TaskScore> RunTask(const Task& task, const EndpointOptions& endpoint_options, const HarnessOptions& options,
                            const std::function<void(size_t done)>& on_item) {
  FAB_ASSIGN_OR_RETURN(Endpoint endpoint, Endpoint::Open(endpoint_options));
  TaskScore result;
  result.task = task.name;
  result.random_baseline = task.random_baseline;
  std::optional<std::regex> answer_pattern;
  if (!task.answer_regex.empty()) answer_pattern.emplace(task.answer_regex);
  for (size_t index = 0; index < task.docs.size(); ++index) {
    const Doc& doc = task.docs[index];
    Sample sample;
    sample.doc = index;
    sample.prompt = Prompt(task, doc, options, index);
    if (task.type == OutputType::kMultipleChoice) {
      sample.continuations = doc.choices;
      sample.gold = doc.gold;
      double best = -std::numeric_limits<double>::infinity(), best_norm = best;
      size_t pick = 0, pick_norm = 0;
      for (size_t c = 0; c < doc.choices.size(); ++c) {
        FAB_ASSIGN_OR_RETURN(double ll, LogLikelihood(endpoint, sample.prompt, doc.choices[c]));
        sample.loglikelihoods.push_back(ll);
        const double norm = ll / static_cast<double>(std::max<size_t>(1, doc.choices[c].size()));
        if (ll > best) best = ll, pick = c;
        if (norm > best_norm) best_norm = norm, pick_norm = c;
      }
      sample.acc = pick == doc.gold ? 1.0 : 0.0;
      sample.acc_norm = pick_norm == doc.gold ? 1.0 : 0.0;
    } else {
      json::array stop;
      for (const std::string& s : task.until) stop.push_back(json::string(s));
      FAB_ASSIGN_OR_RETURN(json::object answer,
                           endpoint.Complete(json::object{{"prompt", sample.prompt},
                                                          {"max_tokens", task.max_gen_toks},
                                                          {"temperature", 0},
                                                          {"stop", std::move(stop)}}));
      const json::value* choices = answer.if_contains("choices");
      if (choices == nullptr || !choices->is_array() || choices->as_array().empty()) {
        return UnavailableError("the endpoint returned no choices");
      }
      const json::value* text = choices->as_array()[0].as_object().if_contains("text");
      sample.generated = text != nullptr && text->is_string() ? std::string(text->as_string()) : "";
      sample.answer = Trim(sample.generated);
      if (answer_pattern) {
        std::smatch match;
        sample.answer = std::regex_search(sample.generated, match, *answer_pattern) ? match.str(0) : "";
      }
      sample.target = doc.target;
      sample.acc = sample.answer == doc.target ? 1.0 : 0.0;
    }
    result.samples.push_back(std::move(sample));
    if (on_item) on_item(index + 1);
  }
  result.n = static_cast<int64_t>(result.samples.size());
  std::vector<double> acc, acc_norm;
  for (const Sample& s : result.samples) acc.push_back(s.acc), acc_norm.push_back(s.acc_norm);
  if (task.type == OutputType::kMultipleChoice) {
    result.metrics.push_back(Bootstrap("acc", acc, options));
    result.metrics.push_back(Bootstrap("acc_norm", acc_norm, options));
  } else {
    result.metrics.push_back(Bootstrap("exact_match", acc, options));
  }
  return result;
}

double PercentOfReference(double score, double reference, double random_baseline) {
  if (!(reference > random_baseline)) return std::numeric_limits<double>::quiet_NaN();
  return 100.0 * (score - random_baseline) / (reference - random_baseline);
}

}  // namespace fab::eval
