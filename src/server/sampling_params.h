// From the parsed OpenAI fields to what the runtime's sampler takes, with
// OpenAI's defaults for absent fields (temperature 1, top_p 1, no top-k, no
// min-p, no penalties) rather than the sampler's own. Pure, thread-safe.
#pragma once

#include <cstdint>

#include "runtime/sampler.h"
#include "server/sampling_fields.h"

namespace fab::server {

// `seed_if_absent` is used when the request has no seed (the caller draws
// it, so unseeded requests differ). A negative seed keeps its bit pattern.
SamplingParams ToSamplingParams(const SamplingFields& fields, uint64_t seed_if_absent);

}  // namespace fab::server
