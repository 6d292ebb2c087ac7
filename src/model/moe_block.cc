// The mixture-of-experts feed-forward block (blocks.h MoeFeedForwardBlock):
// route every row, group the rows by expert, run every chosen expert once
// over all of its rows (one grouped product per matrix for all experts),
// and sum the weighted outputs per row.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "base/check.h"
#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "model/blocks.h"

namespace fab::model {
namespace {

// The rows routed to one expert and the router's weight for each.
struct ExpertRows {
  std::vector<int32_t> rows;
  std::vector<float> weights;
};

// Per-thread routing tables, reused across calls (no allocation per step
// once they have grown to the model's expert count).
struct Routing {
  std::vector<ExpertRows> by_expert;
  std::vector<int32_t> chosen;
  std::vector<float> chosen_weights;
  std::vector<float> shared_gate;  // [n rows]
  std::vector<int64_t> first_row;  // [n_expert]: where each expert's rows start in moe_in
  std::vector<kernels::MatMulTask> up_tasks, down_tasks;
};

Routing& ThreadRouting() {
  thread_local Routing routing;
  return routing;
}

// Expert e's gate, up or down matrix: packed (on first use) when the model
// packs its experts, else its rows in the file.
TensorView ExpertWeights(const LayerContext& ctx, ExpertPanels::Matrix matrix, int64_t e) {
  const LayerWeights& w = ctx.weights;
  if (w.expert_panels != nullptr) return w.expert_panels->Get(ctx.layer_idx, matrix, e, ctx.pool);
  switch (matrix) {
    case ExpertPanels::kGate:
      return ExpertMatrix(w.ffn_gate_exps, e, ctx.hp.n_ff_expert);
    case ExpertPanels::kUp:
      return ExpertMatrix(w.ffn_up_exps, e, ctx.hp.n_ff_expert);
    case ExpertPanels::kDown:
      break;
  }
  return ExpertMatrix(w.ffn_down_exps, e, ctx.hp.n_embd);
}

// out = expert(in) for the m rows of `in`: gate/up/down are the expert's own matrices.
void RunExpert(const ModelHparams& hp, const TensorView& gate_w, const TensorView& up_w, const TensorView& down_w,
               int64_t width, const float* in, int64_t m, BlockScratch& scratch, float* out, ThreadPool& pool) {
  kernels::MatMul(gate_w, in, m, scratch.gate, pool);
  kernels::MatMul(up_w, in, m, scratch.up, pool);
  GatedActivation(hp, scratch.gate, scratch.up, m, width, pool);
  kernels::MatMul(down_w, scratch.gate, m, out, pool);
}

}  // namespace

void TopExperts(const float* probs, int64_t n, int64_t k, bool normalize, int32_t* experts, float* weights) {
  FAB_CHECK(k >= 1 && k <= n);
  // Partial selection by (probability desc, index asc): k is small (≤ 16).
  for (int64_t slot = 0; slot < k; ++slot) {
    int32_t best = -1;
    for (int32_t e = 0; e < n; ++e) {
      bool taken = false;
      for (int64_t j = 0; j < slot; ++j) taken = taken || experts[j] == e;
      if (taken) continue;
      if (best < 0 || probs[e] > probs[best]) best = e;
    }
    experts[slot] = best;
    weights[slot] = probs[best];
  }
  if (!normalize) return;
  float sum = 0.0f;
  for (int64_t slot = 0; slot < k; ++slot) sum += weights[slot];
  // As ggml: the sum is clamped to fp16's smallest normal.
  sum = std::max(sum, 6.103515625e-5f);
  for (int64_t slot = 0; slot < k; ++slot) weights[slot] /= sum;
}

void MoeFeedForwardBlock(const LayerContext& ctx) {
  const ModelHparams& hp = ctx.hp;
  const LayerWeights& w = ctx.weights;
  const int64_t n = ctx.n_tokens;
  const int64_t n_embd = hp.n_embd;
  const int64_t k = hp.n_expert_used;
  BlockScratch& scratch = ctx.scratch;
  FAB_CHECK(hp.n_expert > 0 && scratch.router != nullptr);

  // Route: softmax over experts, the top k per row.
  kernels::MatMul(w.ffn_gate_inp, scratch.norm, n, scratch.router, ctx.pool);
  Routing& routing = ThreadRouting();
  routing.by_expert.resize(static_cast<size_t>(hp.n_expert));
  for (ExpertRows& expert : routing.by_expert) {
    expert.rows.clear();
    expert.weights.clear();
  }
  routing.chosen.resize(static_cast<size_t>(k));
  routing.chosen_weights.resize(static_cast<size_t>(k));
  for (int64_t row = 0; row < n; ++row) {
    float* probs = scratch.router + row * hp.n_expert;
    kernels::SoftmaxInplace(probs, hp.n_expert);
    TopExperts(probs, hp.n_expert, k, hp.norm_expert_weights, routing.chosen.data(), routing.chosen_weights.data());
    for (int64_t slot = 0; slot < k; ++slot) {
      ExpertRows& expert = routing.by_expert[routing.chosen[slot]];
      expert.rows.push_back(static_cast<int32_t>(row));
      expert.weights.push_back(routing.chosen_weights[slot]);
    }
  }

  // The routed rows laid out expert by expert: expert e's m rows are rows
  // [first[e], first[e] + m) of moe_in, gate, up and moe_out.
  const int64_t n_ff = hp.n_ff_expert;
  std::vector<int64_t>& first = routing.first_row;
  first.assign(static_cast<size_t>(hp.n_expert), 0);
  int64_t n_routed = 0;
  for (int64_t e = 0; e < hp.n_expert; ++e) {
    const ExpertRows& expert = routing.by_expert[static_cast<size_t>(e)];
    first[static_cast<size_t>(e)] = n_routed;
    for (size_t i = 0; i < expert.rows.size(); ++i) {
      std::memcpy(scratch.moe_in + (n_routed + static_cast<int64_t>(i)) * n_embd,
                  scratch.norm + expert.rows[i] * n_embd, static_cast<size_t>(n_embd) * sizeof(float));
    }
    n_routed += static_cast<int64_t>(expert.rows.size());
  }

  // Every chosen expert once, all of them in one grouped product per matrix:
  // gate and up, the gated activation over every routed row, then down.
  std::vector<kernels::MatMulTask>& up_tasks = routing.up_tasks;
  std::vector<kernels::MatMulTask>& down_tasks = routing.down_tasks;
  up_tasks.clear();
  down_tasks.clear();
  for (int64_t e = 0; e < hp.n_expert; ++e) {
    const int64_t m = static_cast<int64_t>(routing.by_expert[static_cast<size_t>(e)].rows.size());
    if (m == 0) continue;
    const int64_t row0 = first[static_cast<size_t>(e)];
    const float* in = scratch.moe_in + row0 * n_embd;
    up_tasks.push_back({ExpertWeights(ctx, ExpertPanels::kGate, e), in, m, scratch.gate + row0 * n_ff});
    up_tasks.push_back({ExpertWeights(ctx, ExpertPanels::kUp, e), in, m, scratch.up + row0 * n_ff});
    down_tasks.push_back({ExpertWeights(ctx, ExpertPanels::kDown, e), scratch.gate + row0 * n_ff, m,
                          scratch.moe_out + row0 * n_embd});
  }
  kernels::MatMulGrouped(up_tasks, ctx.pool);
  GatedActivation(hp, scratch.gate, scratch.up, n_routed, n_ff, ctx.pool);
  kernels::MatMulGrouped(down_tasks, ctx.pool);

  // Each row's weighted expert outputs, summed in expert order.
  float* acc = scratch.moe_acc;
  std::memset(acc, 0, static_cast<size_t>(n * n_embd) * sizeof(float));
  for (int64_t e = 0; e < hp.n_expert; ++e) {
    const ExpertRows& expert = routing.by_expert[static_cast<size_t>(e)];
    for (size_t i = 0; i < expert.rows.size(); ++i) {
      float* acc_row = acc + expert.rows[i] * n_embd;
      const float* out_row = scratch.moe_out + (first[static_cast<size_t>(e)] + static_cast<int64_t>(i)) * n_embd;
      const float weight = expert.weights[i];
      for (int64_t j = 0; j < n_embd; ++j) acc_row[j] += weight * out_row[j];
    }
  }

  // The shared expert runs for every row, gated by sigmoid(gate_inp · x) where the file has that gate.
  if (hp.n_ff_shared > 0) {
    RunExpert(hp, w.ffn_gate_shexp, w.ffn_up_shexp, w.ffn_down_shexp, hp.n_ff_shared, scratch.norm, n, scratch,
              scratch.moe_out, ctx.pool);
    std::vector<float>& gate = routing.shared_gate;
    gate.assign(static_cast<size_t>(n), 1.0f);
    if (w.ffn_gate_inp_shexp.data != nullptr) {
      kernels::MatMul(w.ffn_gate_inp_shexp, scratch.norm, n, gate.data(), ctx.pool);
      for (float& g : gate) g = 1.0f / (1.0f + std::exp(-g));
    }
    for (int64_t row = 0; row < n; ++row) {
      float* acc_row = acc + row * n_embd;
      const float* out_row = scratch.moe_out + row * n_embd;
      for (int64_t j = 0; j < n_embd; ++j) acc_row[j] += gate[static_cast<size_t>(row)] * out_row[j];
    }
  }
  AddResidualAndNorm(ctx, acc, w.ffn_post_norm, ctx.next_norm);
}

}  // namespace fab::model
