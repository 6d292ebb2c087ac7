#include "server/response_stream.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace fab::server {
namespace {

TEST(ResponseStream, StreamedBytesAreTakenInOrderUntilFinish) {
  ResponseStream stream(ResponseStream::Kind::kStreamed);
  stream.Append("a");
  stream.Append("b");
  ResponseStream::Taken first = stream.Take();
  EXPECT_EQ(first.bytes, "ab");
  EXPECT_FALSE(first.finished);
  stream.Append("c");
  stream.Finish();
  stream.Append("dropped after finish");
  ResponseStream::Taken last = stream.Take();
  EXPECT_EQ(last.bytes, "c");
  EXPECT_TRUE(last.finished);
}

TEST(ResponseStream, WakerRunsForEachProducerCallAndAtOnceWhenSomethingWaits) {
  ResponseStream stream(ResponseStream::Kind::kStreamed);
  stream.Append("early");
  int wakes = 0;
  stream.SetWaker([&] { ++wakes; });
  EXPECT_EQ(wakes, 1);  // "early" was already waiting
  stream.Append("x");
  stream.Finish();
  EXPECT_EQ(wakes, 3);
}

TEST(ResponseStream, WholeResponseIsDeliveredOnceCompleted) {
  ResponseStream stream(ResponseStream::Kind::kWhole);
  EXPECT_FALSE(stream.Take().whole.has_value());
  stream.Complete(ResponseHead{.status = 200, .body = "{}"});
  stream.Complete(ResponseHead{.status = 500, .body = "second"});
  ResponseStream::Taken taken = stream.Take();
  ASSERT_TRUE(taken.whole.has_value());
  EXPECT_EQ(taken.whole->status, 200);
  EXPECT_EQ(taken.whole->body, "{}");
  EXPECT_FALSE(stream.Take().whole.has_value());
}

TEST(ResponseStream, AbandonRunsTheCallbackOnceAndDropsLaterOutput) {
  ResponseStream stream(ResponseStream::Kind::kStreamed);
  int abandons = 0;
  stream.SetOnAbandon([&] { ++abandons; });
  stream.Append("held");
  stream.Abandon();
  stream.Abandon();
  stream.Append("late");
  EXPECT_EQ(abandons, 1);
  EXPECT_TRUE(stream.abandoned());
  EXPECT_EQ(stream.Take().bytes, "");
}

TEST(ResponseStream, CallbackSetAfterAbandonRunsAtOnce) {
  ResponseStream stream(ResponseStream::Kind::kWhole);
  stream.Abandon();
  bool ran = false;
  stream.SetOnAbandon([&] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST(ResponseStream, ProducerOnAnotherThreadLosesNoBytes) {
  ResponseStream stream(ResponseStream::Kind::kStreamed);
  std::thread producer([&] {
    for (int i = 0; i < 10000; ++i) stream.Append("x");
    stream.Finish();
  });
  std::string received;
  bool finished = false;
  while (!finished) {
    ResponseStream::Taken taken = stream.Take();
    received += taken.bytes;
    finished = taken.finished;
    if (!finished) std::this_thread::yield();
  }
  producer.join();
  EXPECT_EQ(received.size(), 10000u);
}

}  // namespace
}  // namespace fab::server
