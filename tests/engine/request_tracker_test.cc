// RequestTracker: prompt scores are gathered position by position, once each
// (the rescoring of a recompute after preemption is dropped), and delivered
// in one OnPromptLogprobs call before the first OnToken; top alternatives
// are delivered just before their token; scores of untracked requests are
// ignored.
#include "engine/request_tracker.h"

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace fab::engine {
namespace {

Submission MakeSubmission(RequestId id, std::shared_ptr<RecordingObserver> observer, bool prompt_logprobs,
                          int32_t n_top) {
  Submission submission;
  submission.id = id;
  submission.request.prompt_logprobs = prompt_logprobs;
  submission.request.n_top_logprobs = n_top;
  submission.observer = std::move(observer);
  submission.submitted = Clock::now();
  return submission;
}

PromptScore Score(RequestId id, int64_t position, float logprob) {
  PromptScore score;
  score.seq_id = id;
  score.position = position;
  score.token = static_cast<TokenId>(100 + position);
  score.logprob = logprob;
  score.top = {{7, -0.5f}};
  return score;
}

SampledToken Generated(RequestId id, TokenId token) {
  SampledToken generated;
  generated.seq_id = id;
  generated.token = token;
  generated.logprob = -0.25f;
  generated.top = {{token, -0.25f}, {3, -2.0f}};
  return generated;
}

TEST(RequestTracker, DeliversEachPromptPositionOnceBeforeTheFirstToken) {
  RequestTracker tracker;
  auto observer = std::make_shared<RecordingObserver>();
  tracker.Track(MakeSubmission(1, observer, /*prompt_logprobs=*/true, /*n_top=*/1), /*n_prompt_tokens=*/4);
  tracker.AddPromptScores({Score(1, 1, -1.0f), Score(1, 2, -2.0f)});
  // Preempted, then recomputed from the start: positions 1 and 2 again.
  tracker.AddPromptScores({Score(1, 1, -9.0f), Score(1, 2, -9.0f), Score(1, 3, -3.0f), Score(99, 1, -9.0f)});
  tracker.FlushEvents();
  EXPECT_EQ(observer->calls(), "");
  tracker.AddTokens({Generated(1, 55)}, Clock::now());
  tracker.AddTokens({Generated(1, 56)}, Clock::now());
  tracker.FlushEvents();
  EXPECT_EQ(observer->calls(), "ptktk");
  const std::vector<PromptTokenLogprob> prompt = observer->prompt();
  ASSERT_EQ(prompt.size(), 3u);
  for (size_t i = 0; i < prompt.size(); ++i) {
    EXPECT_EQ(prompt[i].token, static_cast<TokenId>(101 + i));
    EXPECT_EQ(prompt[i].logprob, -1.0f - static_cast<float>(i));
    ASSERT_EQ(prompt[i].top.size(), 1u);
    EXPECT_EQ(prompt[i].top[0].token, 7);
  }
  const std::vector<std::vector<TokenLogprob>> top = observer->top();
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[1][0].token, 56);
  EXPECT_EQ(top[1][1].token, 3);
}

TEST(RequestTracker, IgnoresPromptScoresOfRequestsThatDidNotAskForThem) {
  RequestTracker tracker;
  auto observer = std::make_shared<RecordingObserver>();
  tracker.Track(MakeSubmission(1, observer, /*prompt_logprobs=*/false, /*n_top=*/0), 3);
  tracker.AddPromptScores({Score(1, 1, -1.0f)});
  tracker.AddTokens({Generated(1, 55)}, Clock::now());
  tracker.FlushEvents();
  EXPECT_EQ(observer->calls(), "k");
}

}  // namespace
}  // namespace fab::engine
