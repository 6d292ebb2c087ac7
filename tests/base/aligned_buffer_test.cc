#include "base/aligned_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace fab {
namespace {

TEST(AlignedBuffer, SmallAndLargeBuffersAreAlignedAndZeroed) {
  for (size_t size : {size_t{1}, size_t{100}, AlignedBuffer::kLazyBytes - 1, AlignedBuffer::kLazyBytes,
                      AlignedBuffer::kLazyBytes * 3 + 5}) {
    AlignedBuffer buffer(size);
    ASSERT_EQ(buffer.size(), size);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.data()) % AlignedBuffer::kAlignment, 0u);
    for (size_t i = 0; i < size; i += 4093) EXPECT_EQ(buffer.data()[i], 0);
    EXPECT_EQ(buffer.data()[size - 1], 0);
    buffer.data()[size - 1] = 7;  // writable to the last byte
  }
}

TEST(AlignedBuffer, MoveTransfersOwnership) {
  AlignedBuffer a(AlignedBuffer::kLazyBytes);
  a.data()[0] = 42;
  AlignedBuffer b(std::move(a));
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.data()[0], 42);
  AlignedBuffer c(16);
  c = std::move(b);
  EXPECT_EQ(c.data()[0], 42);
  EXPECT_EQ(c.size(), AlignedBuffer::kLazyBytes);
}

}  // namespace
}  // namespace fab
