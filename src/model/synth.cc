#include "model/synth.h"

#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "kernels/quantize.h"
#include "model/synth_vocab.h"

namespace fab::model {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Fills `row` with uniform noise of standard deviation `stddev`.
void FillRandom(uint64_t seed, float stddev, float* row, int64_t n) {
  const float half_width = stddev * std::numbers::sqrt3_v<float>;
  uint64_t state = SplitMix64(seed);
  for (int64_t i = 0; i < n; ++i) {
    state = SplitMix64(state);
    const float unit = static_cast<float>(state >> 40) * (1.0f / 16777216.0f);  // [0, 1)
    row[i] = (2.0f * unit - 1.0f) * half_width;
  }
}

DType PickDType(DType wanted, int64_t row_length) {
  if (row_length % GetDTypeInfo(wanted).block_size == 0) return wanted;
  if (row_length % 32 == 0) return DType::kQ8_0;
  return DType::kF16;
}

struct TensorPlan {
  std::string name;
  int64_t row_length;
  int64_t n_rows;
  float stddev;         // 0 → all ones (norm weights)
  int64_t n_stack = 1;  // > 1: a 3-D tensor of n_stack matrices (stacked experts)
  bool keep_f32 = false;  // never quantized (llama.cpp keeps routers in float)
};

int64_t SynthHeadDim(const SynthShape& s) { return s.head_dim > 0 ? s.head_dim : s.n_embd / s.n_head; }

// What each architecture's layers carry beyond llama's, by general.architecture.
struct ArchTraits {
  bool qkv_bias = false;     // qwen2
  bool qk_norm = false;      // qwen3, qwen3moe, gemma3, exaone4
  bool post_norms = false;   // gemma2, gemma3, exaone4
  bool input_norms = true;   // false: exaone4 (post-norm only)
  bool fused = false;        // phi3: attn_qkv and ffn_up of 2 · n_ff rows
  bool experts = false;      // qwen3moe, qwen2moe (with a shared expert where the shape has one)
};

ArchTraits TraitsOf(std::string_view arch) {
  ArchTraits t;
  t.qkv_bias = arch == "qwen2" || arch == "qwen2moe";
  t.qk_norm = arch == "qwen3" || arch == "qwen3moe" || arch == "gemma3" || arch == "exaone4";
  t.post_norms = arch == "gemma2" || arch == "gemma3" || arch == "exaone4";
  t.input_norms = arch != "exaone4";
  t.fused = arch == "phi3";
  t.experts = arch == "qwen3moe" || arch == "qwen2moe";
  return t;
}

void PlanFeedForward(const SynthShape& s, const ArchTraits& t, const std::string& p, std::vector<TensorPlan>& plans) {
  const float in_embd = 1.0f / std::sqrt(static_cast<float>(s.n_embd));
  if (t.experts) {
    const float out_scale = 0.5f / std::sqrt(static_cast<float>(s.n_ff_expert));
    plans.push_back({p + "ffn_gate_inp.weight", s.n_embd, s.n_expert, in_embd, 1, true});
    plans.push_back({p + "ffn_gate_exps.weight", s.n_embd, s.n_ff_expert, in_embd, s.n_expert});
    plans.push_back({p + "ffn_down_exps.weight", s.n_ff_expert, s.n_embd, out_scale, s.n_expert});
    plans.push_back({p + "ffn_up_exps.weight", s.n_embd, s.n_ff_expert, in_embd, s.n_expert});
    if (s.n_ff_shared > 0) {
      plans.push_back({p + "ffn_gate_inp_shexp.weight", s.n_embd, 1, in_embd, 1, true});
      plans.push_back({p + "ffn_gate_shexp.weight", s.n_embd, s.n_ff_shared, in_embd});
      plans.push_back({p + "ffn_down_shexp.weight", s.n_ff_shared, s.n_embd,
                       0.5f / std::sqrt(static_cast<float>(s.n_ff_shared))});
      plans.push_back({p + "ffn_up_shexp.weight", s.n_embd, s.n_ff_shared, in_embd});
    }
    return;
  }
  if (t.fused) {
    plans.push_back({p + "ffn_up.weight", s.n_embd, 2 * s.n_ff, in_embd});
  } else {
    plans.push_back({p + "ffn_gate.weight", s.n_embd, s.n_ff, in_embd});
    plans.push_back({p + "ffn_up.weight", s.n_embd, s.n_ff, in_embd});
  }
  plans.push_back({p + "ffn_down.weight", s.n_ff, s.n_embd, 0.5f / std::sqrt(static_cast<float>(s.n_ff))});
}

// Tensors in the order llama.cpp's converters write them for the architecture.
std::vector<TensorPlan> PlanTensors(const SynthShape& s) {
  const ArchTraits t = TraitsOf(s.arch);
  const int64_t head_dim = SynthHeadDim(s);
  const int64_t q_dim = s.n_head * head_dim, kv_dim = s.n_head_kv * head_dim;
  const float in_embd = 1.0f / std::sqrt(static_cast<float>(s.n_embd));
  std::vector<TensorPlan> plans = {{"token_embd.weight", s.n_embd, s.n_vocab, 1.0f}};
  for (int64_t layer = 0; layer < s.n_layer; ++layer) {
    const std::string p = "blk." + std::to_string(layer) + ".";
    if (t.input_norms) plans.push_back({p + "attn_norm.weight", s.n_embd, 1, 0.0f});
    if (t.fused) {
      plans.push_back({p + "attn_qkv.weight", s.n_embd, q_dim + 2 * kv_dim, in_embd});
    } else {
      plans.push_back({p + "attn_q.weight", s.n_embd, q_dim, in_embd});
      plans.push_back({p + "attn_k.weight", s.n_embd, kv_dim, in_embd});
      plans.push_back({p + "attn_v.weight", s.n_embd, kv_dim, in_embd});
    }
    if (t.qkv_bias) {
      plans.push_back({p + "attn_q.bias", q_dim, 1, 0.02f});
      plans.push_back({p + "attn_k.bias", kv_dim, 1, 0.02f});
      plans.push_back({p + "attn_v.bias", kv_dim, 1, 0.02f});
    }
    if (t.qk_norm) {
      plans.push_back({p + "attn_q_norm.weight", head_dim, 1, 0.0f});
      plans.push_back({p + "attn_k_norm.weight", head_dim, 1, 0.0f});
    }
    plans.push_back({p + "attn_output.weight", q_dim, s.n_embd, 0.5f / std::sqrt(static_cast<float>(q_dim))});
    if (t.post_norms) plans.push_back({p + "post_attention_norm.weight", s.n_embd, 1, 0.0f});
    if (t.input_norms) plans.push_back({p + "ffn_norm.weight", s.n_embd, 1, 0.0f});
    PlanFeedForward(s, t, p, plans);
    if (t.post_norms) plans.push_back({p + "post_ffw_norm.weight", s.n_embd, 1, 0.0f});
  }
  plans.push_back({"output_norm.weight", s.n_embd, 1, 0.0f});
  if (!s.tied_embeddings) plans.push_back({"output.weight", s.n_embd, s.n_vocab, 4.0f * in_embd});
  return plans;
}

// Llama-3.1 frequency factors (factor 8, low 1, high 4, original context 8192).
std::vector<float> Llama3RopeFactors(int64_t n_rot, float freq_base) {
  constexpr float kFactor = 8.0f, kLowFreqFactor = 1.0f, kHighFreqFactor = 4.0f, kOriginalCtx = 8192.0f;
  std::vector<float> factors(static_cast<size_t>(n_rot / 2));
  for (size_t i = 0; i < factors.size(); ++i) {
    const float freq = std::pow(freq_base, -2.0f * static_cast<float>(i) / static_cast<float>(n_rot));
    const float wavelen = 2.0f * std::numbers::pi_v<float> / freq;
    const float low_wavelen = kOriginalCtx / kLowFreqFactor, high_wavelen = kOriginalCtx / kHighFreqFactor;
    if (wavelen < high_wavelen) {
      factors[i] = 1.0f;
    } else if (wavelen > low_wavelen) {
      factors[i] = kFactor;
    } else {
      const float smooth = (kOriginalCtx / wavelen - kLowFreqFactor) / (kHighFreqFactor - kLowFreqFactor);
      factors[i] = 1.0f / ((1.0f - smooth) / kFactor + smooth);
    }
  }
  return factors;
}

// llama.cpp's `general.file_type` (llama_ftype) of a file whose matrices are
// all `quant` ("pure"); not the same numbering as the tensor types.
uint32_t LlamaFileType(DType quant) {
  switch (quant) {
    case DType::kF32: return 0;
    case DType::kF16: return 1;
    case DType::kQ4_0: return 2;
    case DType::kQ4_1: return 3;
    case DType::kQ8_0: return 7;
    case DType::kQ5_0: return 8;
    case DType::kQ4_K: return 15;
    case DType::kQ5_K: return 17;
    case DType::kQ6_K: return 18;
    case DType::kBF16: return 32;
    default: return 0;
  }
}

void AddHparams(GgufWriter& writer, const SynthShape& s, uint32_t file_type) {
  const std::string a = std::string(s.arch) + ".";
  writer.Add("general.architecture", GgufValue::String(s.arch));
  writer.Add("general.name", GgufValue::String(std::string("synthetic ") + s.name + " (random weights)"));
  writer.Add("general.description",
             GgufValue::String("Random weights with real shapes, written by tokenfab model synth; its output is noise."));
  writer.Add("general.file_type", GgufValue::Uint32(file_type));
  writer.Add(a + "context_length", GgufValue::Uint32(static_cast<uint32_t>(s.n_ctx)));
  writer.Add(a + "embedding_length", GgufValue::Uint32(static_cast<uint32_t>(s.n_embd)));
  writer.Add(a + "block_count", GgufValue::Uint32(static_cast<uint32_t>(s.n_layer)));
  writer.Add(a + "feed_forward_length", GgufValue::Uint32(static_cast<uint32_t>(s.n_ff)));
  writer.Add(a + "attention.head_count", GgufValue::Uint32(static_cast<uint32_t>(s.n_head)));
  writer.Add(a + "attention.head_count_kv", GgufValue::Uint32(static_cast<uint32_t>(s.n_head_kv)));
  writer.Add(a + "attention.layer_norm_rms_epsilon", GgufValue::Float32(1e-5f));
  writer.Add(a + "rope.freq_base", GgufValue::Float32(s.rope_freq_base));
  writer.Add(a + "rope.dimension_count", GgufValue::Uint32(static_cast<uint32_t>(SynthHeadDim(s))));
  if (SynthHeadDim(s) != s.n_embd / s.n_head) {
    writer.Add(a + "attention.key_length", GgufValue::Uint32(static_cast<uint32_t>(SynthHeadDim(s))));
    writer.Add(a + "attention.value_length", GgufValue::Uint32(static_cast<uint32_t>(SynthHeadDim(s))));
  }
  writer.Add(a + "vocab_size", GgufValue::Uint32(static_cast<uint32_t>(s.n_vocab)));
  if (s.sliding_window > 0) {
    writer.Add(a + "attention.sliding_window", GgufValue::Uint32(static_cast<uint32_t>(s.sliding_window)));
    writer.Add(a + "attention.sliding_window_pattern",
               GgufValue::Uint32(static_cast<uint32_t>(s.sliding_window_pattern)));
  }
  if (s.rope_freq_base_swa > 0.0f) writer.Add(a + "rope.freq_base_swa", GgufValue::Float32(s.rope_freq_base_swa));
  if (s.n_expert > 0) {
    writer.Add(a + "expert_count", GgufValue::Uint32(static_cast<uint32_t>(s.n_expert)));
    writer.Add(a + "expert_used_count", GgufValue::Uint32(static_cast<uint32_t>(s.n_expert_used)));
    writer.Add(a + "expert_feed_forward_length", GgufValue::Uint32(static_cast<uint32_t>(s.n_ff_expert)));
  }
  if (s.n_ff_shared > 0) {
    writer.Add(a + "expert_shared_feed_forward_length", GgufValue::Uint32(static_cast<uint32_t>(s.n_ff_shared)));
  }
}

// Copies tokenizer.* metadata; returns the vocabulary size it carries.
StatusOr<int64_t> CopyVocab(GgufWriter& writer, const std::string& path) {
  FAB_ASSIGN_OR_RETURN(GgufFile vocab, GgufFile::Open(path));
  const GgufValue* tokens = vocab.Find("tokenizer.ggml.tokens");
  if (tokens == nullptr || tokens->AsArray() == nullptr || tokens->AsArray()->empty()) {
    return InvalidArgumentError(path + " has no tokenizer.ggml.tokens array");
  }
  for (const auto& [key, value] : vocab.metadata()) {
    if (key.rfind("tokenizer.", 0) == 0) writer.Add(key, value);
  }
  return static_cast<int64_t>(tokens->AsArray()->size());
}

void AddTensorPlan(GgufWriter& writer, const TensorPlan& plan, DType dtype, uint64_t seed, ThreadPool& pool) {
  const bool is_vector = plan.n_rows == 1 && plan.n_stack == 1;
  const int64_t row_bytes = RowBytes(dtype, plan.row_length).value();
  std::vector<int64_t> shape = {plan.row_length};
  if (!is_vector) shape.push_back(plan.n_rows);
  if (plan.n_stack > 1) shape.push_back(plan.n_stack);
  const int64_t total_rows = plan.n_rows * plan.n_stack;
  writer.AddTensor(plan.name, dtype, shape, [plan, dtype, row_bytes, total_rows, seed, &pool](uint8_t* dst, size_t) {
    pool.ParallelFor(total_rows, 16, [&](int64_t begin, int64_t end) {
      std::vector<float> row(static_cast<size_t>(plan.row_length), 1.0f);
      for (int64_t r = begin; r < end; ++r) {
        if (plan.stddev > 0.0f) FillRandom(seed ^ SplitMix64(static_cast<uint64_t>(r)), plan.stddev, row.data(), plan.row_length);
        kernels::QuantizeRow(dtype, row.data(), dst + r * row_bytes, plan.row_length);
      }
    });
  });
}

// The N of "blk.N.…", or -1.
int64_t LayerOf(const std::string& name) {
  if (name.rfind("blk.", 0) != 0) return -1;
  return std::stoll(name.substr(4, name.find('.', 4) - 4));
}

}  // namespace

Status SynthesizeModel(const SynthOptions& options, ThreadPool& pool) {
  if (options.shape == nullptr) return InvalidArgumentError("no shape given");
  if (!GetDTypeInfo(options.quant).computable) {
    return InvalidArgumentError(std::string("cannot synthesize weights of type ") + DTypeName(options.quant));
  }
  SynthShape shape = *options.shape;
  GgufWriter writer;
  if (!options.vocab_from.empty()) {
    FAB_ASSIGN_OR_RETURN(shape.n_vocab, CopyVocab(writer, options.vocab_from));
  } else {
    AddGeneratedVocab(writer, shape.n_vocab);
  }
  const bool pure = options.mix == QuantMix::kPure;
  AddHparams(writer, shape, pure ? LlamaFileType(options.quant) : QuantMixFileType(options.mix));
  const MixModel mix_model{shape.n_layer, shape.n_expert, shape.tied_embeddings};
  uint64_t tensor_seed = SplitMix64(options.seed);
  for (const TensorPlan& plan : PlanTensors(shape)) {
    tensor_seed = SplitMix64(tensor_seed);
    const bool is_vector = plan.n_rows == 1 && plan.n_stack == 1;
    DType dtype = DType::kF32;
    if (!pure) {
      const MixedTensor tensor{plan.name, plan.row_length, !is_vector, LayerOf(plan.name)};
      dtype = MixedTensorType(options.mix, mix_model, tensor);
    } else if (!is_vector && !plan.keep_f32) {
      dtype = PickDType(options.quant, plan.row_length);
    }
    AddTensorPlan(writer, plan, dtype, tensor_seed, pool);
  }
  if (shape.llama3_rope_factors) {
    const int64_t n_rot = SynthHeadDim(shape);
    std::vector<float> factors = Llama3RopeFactors(n_rot, shape.rope_freq_base);
    std::vector<uint8_t> bytes(factors.size() * sizeof(float));
    std::memcpy(bytes.data(), factors.data(), bytes.size());
    writer.AddTensor("rope_freqs.weight", DType::kF32, {n_rot / 2}, std::move(bytes));
  }
  GgufWriter::ProgressFunction progress = nullptr;
  if (options.on_progress) {
    progress = [&options](size_t n_written, size_t n_total) {
      options.on_progress(n_total ? static_cast<double>(n_written) / static_cast<double>(n_total) : 1.0);
    };
  }
  return writer.WriteFile(options.out_path, progress);
}

}  // namespace fab::model
