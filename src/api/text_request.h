// TextRequest: the engine observer behind one public-API request. It turns
// the engine's token stream into text (whole UTF-8 characters, end-of-
// generation tokens silent), ends the request at the first stop string
// (cancelling it in the engine; the string is never part of the text), and
// reports through the caller's Callbacks. Called on the engine's step thread;
// Bind must run before the first call can be served (see engine.cc).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/request_observer.h"
#include "tokenfab/engine.h"
#include "tokenizer/stop_string_matcher.h"
#include "tokenizer/tokenizer.h"

namespace fab::api {

class TextRequest : public engine::RequestObserver {
 public:
  // `tokenizer` and `engine` outlive the request.
  TextRequest(const Tokenizer& tokenizer, engine::Engine& engine, std::vector<std::string> stop,
              tokenfab::Callbacks callbacks);

  // The step thread's calls wait on this lock until Bind has run, so the
  // caller holds it across Engine::Submit.
  std::mutex& bind_mutex() { return mutex_; }
  // Under bind_mutex(): the id the engine gave the request.
  void Bind(RequestId id) { id_ = id; }

  void OnToken(TokenId token, float logprob) override;
  void OnFinish(const engine::RequestSummary& summary) override;

 private:
  void Emit(TokenId token, float logprob, std::string text);

  const Tokenizer& tokenizer_;
  engine::Engine& engine_;
  tokenfab::Callbacks callbacks_;
  std::mutex mutex_;
  RequestId id_ = -1;
  StreamingDetokenizer detokenizer_;
  StopStringMatcher stops_;
  tokenfab::GenerateResult result_;
};

}  // namespace fab::api
