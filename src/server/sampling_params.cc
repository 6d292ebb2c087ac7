#include "server/sampling_params.h"

namespace fab::server {

SamplingParams ToSamplingParams(const SamplingFields& fields, uint64_t seed_if_absent) {
  SamplingParams params;
  params.temperature = static_cast<float>(fields.temperature.value_or(1.0));
  params.top_p = static_cast<float>(fields.top_p.value_or(1.0));
  // OpenAI and vLLM write -1 for "off"; the sampler takes 0.
  const int64_t top_k = fields.top_k.value_or(0);
  params.top_k = top_k < 0 ? 0 : static_cast<int32_t>(top_k);
  params.min_p = static_cast<float>(fields.min_p.value_or(0.0));
  params.repetition_penalty = static_cast<float>(fields.repetition_penalty.value_or(1.0));
  params.frequency_penalty = static_cast<float>(fields.frequency_penalty.value_or(0.0));
  params.presence_penalty = static_cast<float>(fields.presence_penalty.value_or(0.0));
  params.seed = fields.seed ? static_cast<uint64_t>(*fields.seed) : seed_if_absent;
  return params;
}

}  // namespace fab::server
