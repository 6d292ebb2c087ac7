#include "scheduler/request.h"

namespace fab::scheduler {

const char* FinishReasonName(FinishReason reason) {
  switch (reason) {
    case FinishReason::kMaxTokens: return "max_tokens";
    case FinishReason::kStopToken: return "stop_token";
    case FinishReason::kKvCacheFull: return "kv_cache_full";
  }
  return "unknown";
}

}  // namespace fab::scheduler
