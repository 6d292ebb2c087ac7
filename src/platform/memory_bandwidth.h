// Measures memory read bandwidth: every pool thread sums its share of a
// buffer much larger than the caches; the best of several passes counts.
// Used for the generation roofline of `tokenfab bench engine`. Allocates
// `buffer_bytes` for the duration of the call.
#pragma once

#include <cstddef>

#include "platform/thread_pool.h"

namespace fab {

// Bytes per second.
double MeasureReadBandwidth(ThreadPool& pool, size_t buffer_bytes = size_t{512} << 20, int passes = 5);

}  // namespace fab
