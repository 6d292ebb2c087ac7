// ConstraintMasks: each constraint's mask is filled on the mask thread (not
// the caller's) between Start and Wait, restricting constraints get their
// own bits, free ones an empty mask, and the thread serves step after step.
#include "runtime/constraint_masks.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace fab::runtime {
namespace {

// Allows token `allowed` only (or everything when `free`); records its thread.
class OneToken final : public TokenConstraint {
 public:
  OneToken(TokenId allowed, bool free) : allowed_(allowed), free_(free) {}
  bool Restricts() const override { return !free_; }
  void FillAllowed(std::span<uint32_t> allowed) override {
    filled_on = std::this_thread::get_id();
    std::fill(allowed.begin(), allowed.end(), 0u);
    allowed[static_cast<size_t>(allowed_) / 32] |= 1u << (allowed_ % 32);
  }
  void Accept(TokenId) override {}
  std::thread::id filled_on;

 private:
  TokenId allowed_;
  bool free_;
};

TEST(ConstraintMasks, FillsEachRestrictingConstraintsMaskOnItsOwnThread) {
  ConstraintMasks masks;
  for (int step = 0; step < 50; ++step) {
    OneToken a(static_cast<TokenId>(step), false), b(99, true), c(200 - step, false);
    masks.Start({&a, &b, &c}, 256);
    masks.Wait();
    ASSERT_EQ(masks.mask(0).size(), 8u);
    EXPECT_EQ(masks.mask(0)[static_cast<size_t>(step) / 32], 1u << (step % 32));
    EXPECT_TRUE(masks.mask(1).empty()) << "a constraint that restricts nothing has no mask";
    EXPECT_EQ(masks.mask(2)[static_cast<size_t>(200 - step) / 32], 1u << ((200 - step) % 32));
    EXPECT_NE(a.filled_on, std::this_thread::get_id());
    EXPECT_EQ(a.filled_on, c.filled_on);
  }
}

}  // namespace
}  // namespace fab::runtime
