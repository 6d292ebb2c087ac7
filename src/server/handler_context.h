// HandlerContext: what every endpoint of the OpenAI handler shares — the
// served model, the engine, the metrics, the chat template in force and a
// source of random ids and seeds. Built once by OpenAiHandler; the endpoint
// functions only read it (RandomSource is internally locked), so they may run
// on any number of transport threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "engine/engine.h"
#include "server/access_control.h"
#include "server/errors.h"
#include "server/grammar_library.h"
#include "server/job_metering.h"
#include "server/served_model.h"
#include "server/server_metrics.h"
#include "tokenizer/chat_template.h"
#include "toolcall/tool_call_syntax.h"

namespace fab::server {

// Random 64-bit values for response ids and unseeded requests' seeds.
// Thread-safe.
class RandomSource {
 public:
  RandomSource();
  uint64_t Next();
  // `prefix` followed by 24 random lowercase hex digits ("cmpl-3f9a…").
  std::string NewId(const std::string& prefix);

 private:
  std::mutex mutex_;
  std::mt19937_64 generator_;  // guarded by mutex_
};

struct HandlerContext {
  HandlerContext(ServedModel served, engine::Engine& engine_ref, ServerMetrics& metrics_ref, Metering metering_in);

  const Tokenizer& tokenizer() const { return *model.tokenizer; }

  const ServedModel model;
  const ChatTemplate chat_template;  // the model's, or kFallbackChatTemplate
  engine::Engine& engine;
  ServerMetrics& metrics;
  const Metering metering;
  mutable RandomSource random;
  // The structured-output grammars requests ask for, compiled once each.
  const std::shared_ptr<GrammarLibrary> grammars;
  // How the chat template writes tool calls; nullopt: it has no format of its own.
  const std::optional<toolcall::ToolCallSyntax> tool_syntax;
  // The ids of the control tokens tool_syntax writes by their text
  // ("[TOOL_CALLS]"), where this vocabulary has each as one control token.
  const std::vector<TokenId> tool_control_tokens;
};

// nullopt when `requested` names the served model (or is empty, meaning
// it) and the caller may use it; else 404 model_not_found or 403
// model_not_allowed.
std::optional<ApiError> CheckModelName(const HandlerContext& context, const Caller& caller,
                                       const std::string& requested);

}  // namespace fab::server
