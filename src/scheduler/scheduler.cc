#include "scheduler/scheduler.h"

#include <algorithm>
#include <string>
#include <utility>

#include "base/check.h"

namespace fab::scheduler {

StatusOr<Scheduler> Scheduler::Create(const SchedulerConfig& config) {
  FAB_RETURN_IF_ERROR(config.Validate());
  FAB_ASSIGN_OR_RETURN(kvcache::KvCacheManager kv_cache, kvcache::KvCacheManager::Create(config.kv_cache));
  return Scheduler(config, std::move(kv_cache));
}

Scheduler::Scheduler(const SchedulerConfig& config, kvcache::KvCacheManager kv_cache)
    : config_(config), kv_cache_(std::move(kv_cache)), hasher_(config.kv_cache.hash_seed) {}

RequestState& Scheduler::State(RequestId id) {
  auto it = requests_.find(id);
  FAB_CHECK(it != requests_.end()) << "request " << id << " is not live";
  return it->second;
}

const RequestState& Scheduler::State(RequestId id) const {
  auto it = requests_.find(id);
  FAB_CHECK(it != requests_.end()) << "request " << id << " is not live";
  return it->second;
}

Status Scheduler::Add(Request request) {
  const std::string name = "request " + std::to_string(request.id);
  if (requests_.contains(request.id)) return InvalidArgumentError(name + " is already live");
  if (request.prompt.empty()) return InvalidArgumentError(name + " has an empty prompt");
  if (request.max_new_tokens < 1) {
    return InvalidArgumentError(name + " max_new_tokens " + std::to_string(request.max_new_tokens) + " is below 1");
  }
  const int64_t n_prompt = static_cast<int64_t>(request.prompt.size());
  if (n_prompt > kv_cache_.capacity_tokens()) {
    return InvalidArgumentError(name + " prompt of " + std::to_string(n_prompt) +
                                " tokens exceeds the whole KV cache pool of " +
                                std::to_string(kv_cache_.capacity_tokens()) + " tokens");
  }
  FAB_RETURN_IF_ERROR(request.sampling.Validate().WithContext(name));
  if (request.n_top_logprobs < 0 || request.n_top_logprobs > kMaxTopLogprobs) {
    return InvalidArgumentError(name + " n_top_logprobs " + std::to_string(request.n_top_logprobs) +
                                " is outside [0, " + std::to_string(kMaxTopLogprobs) + "]");
  }

  std::vector<TokenId>& stops = request.stop_tokens;
  std::sort(stops.begin(), stops.end());
  stops.erase(std::unique(stops.begin(), stops.end()), stops.end());
  RequestState state;
  state.tokens = request.prompt;
  state.prompt_block_hashes = HashPromptBlocks(hasher_, request.prompt, kv_cache_.block_size(), request.cache_salt);
  state.arrival = next_arrival_++;
  state.counters.n_prompt_tokens = n_prompt;
  state.request = std::move(request);
  const RequestId id = state.request.id;
  const Priority priority = state.request.priority;
  requests_.emplace(id, std::move(state));
  waiting_.PushBack(priority, id);
  return OkStatus();
}

Status Scheduler::Cancel(RequestId id) {
  auto it = requests_.find(id);
  if (it == requests_.end()) return NotFoundError("request " + std::to_string(id) + " is not live");
  if (it->second.running) {
    running_.erase(std::find(running_.begin(), running_.end(), id));
    kv_cache_.Free(id);
  } else {
    FAB_CHECK(waiting_.Remove(it->second.request.priority, id)) << "request " << id << " is neither running nor waiting";
  }
  requests_.erase(it);
  ended_.push_back(id);
  return OkStatus();
}

std::vector<RequestId> Scheduler::SortedRunning() const {
  std::vector<RequestId> ids = running_;
  std::sort(ids.begin(), ids.end(), [this](RequestId a, RequestId b) {
    const RequestState& sa = State(a);
    const RequestState& sb = State(b);
    if (sa.request.priority != sb.request.priority) {
      return PriorityRank(sa.request.priority) < PriorityRank(sb.request.priority);
    }
    return sa.arrival < sb.arrival;
  });
  return ids;
}

std::vector<RequestId> Scheduler::RunningIds() const { return SortedRunning(); }

std::optional<RequestSnapshot> Scheduler::Snapshot(RequestId id) const {
  auto it = requests_.find(id);
  if (it == requests_.end()) return std::nullopt;
  const RequestState& state = it->second;
  RequestSnapshot snapshot;
  snapshot.phase = state.running ? RequestPhase::kRunning : RequestPhase::kWaiting;
  snapshot.priority = state.request.priority;
  snapshot.n_tokens = state.n_tokens();
  snapshot.n_tokens_computed = state.n_tokens_computed;
  snapshot.counters = state.counters;
  return snapshot;
}

int64_t Scheduler::ChunkFor(const RequestState& state) const {
  return std::min({state.n_tokens_pending(), config_.prefill_chunk, budget_left_});
}

void Scheduler::SetThrottle(const Throttle& throttle) {
  FAB_CHECK(throttle.interactive_every >= 1 && throttle.lowest_rank >= 0 && throttle.lowest_rank < kNumPriorities);
  throttle_ = throttle;
}

bool Scheduler::RunsThisStep(Priority priority) const {
  if (PriorityRank(priority) > throttle_.lowest_rank) return false;
  return priority != Priority::kInteractive || n_schedules_ % static_cast<uint64_t>(throttle_.interactive_every) == 0;
}

int32_t Scheduler::n_deferred() const {
  int32_t n = 0;
  for (const auto& [id, state] : requests_) n += PriorityRank(state.request.priority) > throttle_.lowest_rank ? 1 : 0;
  return n;
}

StepPlan Scheduler::Schedule() {
  FAB_CHECK(scheduled_.empty()) << "Schedule() called again before Update()";
  budget_left_ = config_.max_tokens_per_step;
  preempted_this_step_ = false;
  ++n_schedules_;
  const std::vector<RequestId> order = SortedRunning();
  // Decoding sequences first: they never wait behind a prefill.
  for (RequestId id : order) {
    const auto it = requests_.find(id);
    if (it == requests_.end() || !it->second.running || it->second.n_tokens_pending() != 1) continue;
    if (!RunsThisStep(it->second.request.priority)) continue;
    ScheduleRunning(id, 1);
  }
  // Then running prefills (and recomputes), one chunk each.
  for (RequestId id : order) {
    const auto it = requests_.find(id);
    if (it == requests_.end() || !it->second.running || it->second.n_tokens_pending() <= 1) continue;
    if (!RunsThisStep(it->second.request.priority)) continue;
    const int64_t n_tokens = ChunkFor(it->second);
    if (n_tokens == 0) break;
    ScheduleRunning(id, n_tokens);
  }
  AdmitWaiting();
  StepPlan plan = BuildPlan();
  plan.ended = std::move(ended_);
  ended_.clear();
  return plan;
}

void Scheduler::ScheduleRunning(RequestId id, int64_t n_tokens) {
  while (true) {
    if (kv_cache_.TryAllocate(id, n_tokens)) {
      const RequestState& state = State(id);
      scheduled_.push_back({id, n_tokens, state.n_tokens_computed + n_tokens == state.n_tokens()});
      budget_left_ -= n_tokens;
      return;
    }
    const std::optional<RequestId> victim = PickVictim(std::nullopt);
    FAB_CHECK(victim.has_value()) << "a running request exists, so a victim does";
    if (*victim == id && running_.size() == 1) {
      FinishForLackOfBlocks(id);  // it holds every used block and still does not fit
      return;
    }
    Preempt(*victim);
    if (*victim == id) return;
  }
}

void Scheduler::AdmitWaiting() {
  if (waiting_.empty()) return;
  BlocksInFlight in_flight = PromptBlocksInFlight();
  for (RequestId id : waiting_.ToVector()) {
    if (preempted_this_step_ || budget_left_ <= 0 || n_running() >= config_.max_sequences) return;
    if (!RunsThisStep(State(id).request.priority)) continue;  // deferred, or not this step
    if (WaitsForBlockInFlight(State(id), in_flight)) continue;
    if (!Admit(id)) return;
    const auto it = requests_.find(id);
    if (it == requests_.end() || !it->second.running) continue;  // ended: it could never fit
    const RequestState& state = it->second;
    in_flight.Add(state.prompt_block_hashes, state.n_tokens_computed / kv_cache_.block_size());
  }
}

BlocksInFlight Scheduler::PromptBlocksInFlight() const {
  BlocksInFlight in_flight;
  for (RequestId id : running_) {
    const RequestState& state = State(id);
    // A request the throttle holds back computes nothing: waiting for its blocks would wait for the throttle.
    if (PriorityRank(state.request.priority) > throttle_.lowest_rank) continue;
    in_flight.Add(state.prompt_block_hashes, state.n_tokens_computed / kv_cache_.block_size());
  }
  return in_flight;
}

bool Scheduler::WaitsForBlockInFlight(const RequestState& state, const BlocksInFlight& in_flight) const {
  if (in_flight.empty() || state.scores_prompt()) return false;
  const kvcache::PrefixMatch match = kv_cache_.MatchPrefix(state.tokens, state.request.cache_salt);
  const int64_t n_matchable_blocks = (state.n_tokens() - 1) / kv_cache_.block_size();
  const size_t next_block = static_cast<size_t>(match.n_blocks);
  return match.n_blocks < n_matchable_blocks && next_block < state.prompt_block_hashes.size() &&
         in_flight.Contains(state.prompt_block_hashes[next_block]);
}

bool Scheduler::Admit(RequestId id) {
  RequestState& state = State(id);
  const Priority priority = state.request.priority;
  // A request scoring its prompt looks up nothing (an empty prefix matches no block).
  const std::span<const TokenId> cacheable = state.scores_prompt() ? std::span<const TokenId>() : state.tokens;
  const int64_t n_cached = kv_cache_.AddSequence(id, cacheable, state.request.cache_salt);
  state.n_tokens_computed = n_cached;
  const int64_t n_tokens = ChunkFor(state);
  while (!kv_cache_.TryAllocate(id, n_tokens)) {
    const std::optional<RequestId> victim = PickVictim(state.request.priority);
    if (victim) {
      Preempt(*victim);
      continue;
    }
    kv_cache_.Free(id);
    state.n_tokens_computed = 0;
    if (!running_.empty()) return false;  // wait for running requests to free blocks
    FAB_CHECK(waiting_.Remove(priority, id));
    FinishForLackOfBlocks(id);  // alone with every block free, it still does not fit
    return true;
  }
  FAB_CHECK(waiting_.Remove(priority, id));
  if (!state.admitted_before) state.counters.n_cached_prompt_tokens = std::min(n_cached, state.counters.n_prompt_tokens);
  state.admitted_before = true;
  state.running = true;
  running_.push_back(id);
  scheduled_.push_back({id, n_tokens, state.n_tokens_computed + n_tokens == state.n_tokens()});
  budget_left_ -= n_tokens;
  return true;
}

std::optional<RequestId> Scheduler::PickVictim(std::optional<Priority> above) const {
  std::optional<RequestId> victim;
  for (RequestId id : running_) {
    const RequestState& state = State(id);
    if (above && PriorityRank(state.request.priority) <= PriorityRank(*above)) continue;
    if (!victim) {
      victim = id;
      continue;
    }
    const RequestState& best = State(*victim);
    const int rank = PriorityRank(state.request.priority), best_rank = PriorityRank(best.request.priority);
    if (rank > best_rank || (rank == best_rank && state.arrival > best.arrival)) {
      victim = id;
    }
  }
  return victim;
}

void Scheduler::Unschedule(RequestId id) {
  const auto it = std::find_if(scheduled_.begin(), scheduled_.end(), [id](const Scheduled& s) { return s.id == id; });
  if (it == scheduled_.end()) return;
  budget_left_ += it->n_tokens;
  scheduled_.erase(it);
}

void Scheduler::Preempt(RequestId id) {
  RequestState& state = State(id);
  Unschedule(id);
  kv_cache_.Free(id);
  running_.erase(std::find(running_.begin(), running_.end(), id));
  state.running = false;
  state.n_tokens_computed = 0;
  ++state.counters.n_preemptions;
  waiting_.PushFront(state.request.priority, id);
  preempted_.push_back(id);
  preempted_this_step_ = true;
}

void Scheduler::Finish(RequestId id) {
  auto it = requests_.find(id);
  FAB_CHECK(it != requests_.end()) << "request " << id << " is not live";
  if (it->second.running) {
    running_.erase(std::find(running_.begin(), running_.end(), id));
    kv_cache_.Free(id);
  }
  requests_.erase(it);
  ended_.push_back(id);
}

void Scheduler::FinishForLackOfBlocks(RequestId id) {
  Unschedule(id);
  finished_early_.push_back({id, FinishReason::kKvCacheFull, State(id).counters});
  Finish(id);
}

StepPlan Scheduler::BuildPlan() const {
  StepPlan plan;
  plan.block_size = kv_cache_.block_size();
  plan.sequences.reserve(scheduled_.size());
  for (const Scheduled& scheduled : scheduled_) {
    const RequestState& state = State(scheduled.id);
    const std::span<const TokenId> tokens(state.tokens);
    ScheduledSequence sequence;
    sequence.seq_id = scheduled.id;
    sequence.first_position = state.n_tokens_computed;
    sequence.tokens = tokens.subspan(static_cast<size_t>(state.n_tokens_computed), static_cast<size_t>(scheduled.n_tokens));
    sequence.history = tokens.first(static_cast<size_t>(state.n_tokens_computed + scheduled.n_tokens));
    sequence.block_ids = kv_cache_.block_ids(scheduled.id);
    sequence.sample = scheduled.sample;
    sequence.sampling = scheduled.sample ? &state.request.sampling : nullptr;
    sequence.constraint = scheduled.sample ? state.request.constraint.get() : nullptr;
    sequence.n_top_logprobs = state.request.n_top_logprobs;
    if (state.scores_prompt()) {
      // Row i predicts position first + i + 1; prompt positions end at n_prompt - 1.
      const int64_t n_prompt = state.counters.n_prompt_tokens;
      const int64_t n_scored = std::min(scheduled.n_tokens, n_prompt - 1 - state.n_tokens_computed);
      if (n_scored > 0) {
        sequence.score_next = tokens.subspan(static_cast<size_t>(state.n_tokens_computed + 1),
                                             static_cast<size_t>(n_scored));
      }
    }
    plan.sequences.push_back(sequence);
  }
  return plan;
}

bool Scheduler::IsStopToken(const RequestState& state, TokenId token) const {
  return std::binary_search(state.request.stop_tokens.begin(), state.request.stop_tokens.end(), token);
}

StepOutputs Scheduler::TakeScheduleOutputs() {
  StepOutputs outputs;
  outputs.preempted = std::move(preempted_);
  preempted_.clear();
  outputs.finished = std::move(finished_early_);
  finished_early_.clear();
  return outputs;
}

StepOutputs Scheduler::AbortStep() {
  StepOutputs outputs = TakeScheduleOutputs();
  scheduled_.clear();
  return outputs;
}

StepOutputs Scheduler::Update(const StepResult& result) {
  StepOutputs outputs = TakeScheduleOutputs();
  size_t sampled_idx = 0;
  for (const Scheduled& scheduled : scheduled_) {
    std::optional<SampledToken> sampled;
    if (scheduled.sample) {
      FAB_CHECK(sampled_idx < result.sampled.size() && result.sampled[sampled_idx].seq_id == scheduled.id)
          << "step result lacks the sampled token of sequence " << scheduled.id;
      sampled = result.sampled[sampled_idx++];
    }
    const auto it = requests_.find(scheduled.id);
    if (it == requests_.end()) continue;  // cancelled while the step ran
    RequestState& state = it->second;
    const std::span<const TokenId> fed = std::span<const TokenId>(state.tokens).subspan(
        static_cast<size_t>(state.n_tokens_computed), static_cast<size_t>(scheduled.n_tokens));
    kv_cache_.CommitTokens(scheduled.id, fed);
    state.n_tokens_computed += scheduled.n_tokens;
    if (!sampled) continue;
    state.tokens.push_back(sampled->token);
    ++state.counters.n_generated;
    outputs.tokens.push_back({scheduled.id, sampled->token, sampled->logprob, std::move(sampled->top)});
    std::optional<FinishReason> reason;
    if (IsStopToken(state, sampled->token)) {
      reason = FinishReason::kStopToken;
    } else if (state.counters.n_generated >= state.request.max_new_tokens) {
      reason = FinishReason::kMaxTokens;
    }
    if (!reason) continue;
    outputs.finished.push_back({scheduled.id, *reason, state.counters});
    Finish(scheduled.id);
  }
  FAB_CHECK(sampled_idx == result.sampled.size()) << "step result has tokens for sequences that did not sample";
  scheduled_.clear();
  return outputs;
}

}  // namespace fab::scheduler
