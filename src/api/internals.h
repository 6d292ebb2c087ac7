// What the public tokenfab::Model and tokenfab::Engine hold: the engine's own
// objects. Only src/api/ and the front ends above it (server/, cli/) include
// this; an embedder sees the opaque types of include/tokenfab/engine.h.
#pragma once

#include <memory>

#include "engine/engine.h"
#include "model/model.h"
#include "platform/model_power_source.h"
#include "platform/power_source.h"
#include "platform/thread_pool.h"
#include "tokenfab/engine.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

struct tokenfab::Model::Internals {
  ModelInfo info;
  std::unique_ptr<fab::model::Model> model;
  std::unique_ptr<fab::Tokenizer> tokenizer;
  // The model's tokenizer.chat_template, or fab::kFallbackChatTemplate when
  // it has none; null when its own does not parse (chat_template_error says
  // why: chat requests fail with it, a server refuses to start).
  std::unique_ptr<fab::ChatTemplate> chat_template;
  fab::Status chat_template_error;
};

struct tokenfab::Engine::Setup {
  // Where each step's energy is read; null: the energy model below.
  std::shared_ptr<fab::PowerSource> power_source;
  fab::EnergyModelOptions energy_model;
};

// Members are destroyed bottom-up: the engine (whose step thread uses the
// pool and the model) goes first.
struct tokenfab::Engine::Internals {
  std::shared_ptr<const Model> model;
  std::unique_ptr<fab::ThreadPool> pool;
  fab::engine::EngineConfig config;
  int64_t n_ctx = 0;
  std::unique_ptr<fab::engine::Engine> engine;
};
