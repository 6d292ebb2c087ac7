// Built-in tasks: the same seed gives the same items and another seed
// others; multiple-choice items hold their gold answer among distinct
// choices; generation items carry their target; the Korean number words
// read as Korean writes them; an unknown task is refused listing the known.
#include "eval/tasks.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace fab::eval {
namespace {

TEST(BuiltinTasks, TheSameSeedGivesTheSameItems) {
  for (const std::string& name : BuiltinTaskNames()) {
    const Task a = BuiltinTask(name, 7, 20).value();
    const Task b = BuiltinTask(name, 7, 20).value();
    const Task c = BuiltinTask(name, 8, 20).value();
    ASSERT_EQ(a.docs.size(), 20u) << name;
    ASSERT_EQ(a.fewshot_docs.size(), 20u) << name;
    bool differs = false;
    for (size_t i = 0; i < a.docs.size(); ++i) {
      EXPECT_EQ(a.docs[i].context, b.docs[i].context) << name;
      differs = differs || a.docs[i].context != c.docs[i].context;
    }
    EXPECT_TRUE(differs) << name << ": another seed gives other items";
  }
}

TEST(BuiltinTasks, ItemsHoldTheirAnswers) {
  for (const std::string& name : BuiltinTaskNames()) {
    const Task task = BuiltinTask(name, 3, 50).value();
    for (const Doc& doc : task.docs) {
      if (task.type == OutputType::kMultipleChoice) {
        ASSERT_LT(doc.gold, doc.choices.size()) << name;
        EXPECT_EQ(std::set<std::string>(doc.choices.begin(), doc.choices.end()).size(), doc.choices.size()) << name;
        EXPECT_NEAR(task.random_baseline, 1.0 / static_cast<double>(doc.choices.size()), 1e-12) << name;
      } else {
        EXPECT_FALSE(doc.target.empty()) << name;
      }
    }
  }
  const Task weekdays = BuiltinTask("weekdays", 5, 30).value();
  for (const Doc& doc : weekdays.docs) {
    const std::string days[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    int start = 0;
    for (int d = 0; d < 7; ++d) start = doc.context.find("is " + days[d] + ".") != std::string::npos ? d : start;
    const int later = std::stoi(doc.context.substr(doc.context.find("it ") + 3));
    EXPECT_EQ(doc.choices[doc.gold], " " + days[(start + later) % 7]) << doc.context;
  }
}

TEST(BuiltinTasks, KoreanNumberWordsReadAsKoreanWritesThem) {
  const Task task = BuiltinTask("ko_number_words", 11, 200).value();
  int checked = 0;
  for (const Doc& doc : task.docs) {
    const std::string gold = doc.choices[doc.gold].substr(1);
    if (gold == "321") EXPECT_NE(doc.context.find("'삼백이십일'"), std::string::npos);
    if (gold == "1000") EXPECT_NE(doc.context.find("'천'"), std::string::npos);
    // Every word starts with a digit word or 십/백/천 (a leading 1 is not written).
    EXPECT_EQ(doc.context.find("'일십"), std::string::npos) << doc.context;
    EXPECT_EQ(doc.context.find("'일백"), std::string::npos) << doc.context;
    EXPECT_EQ(doc.context.find("'일천"), std::string::npos) << doc.context;
    ++checked;
  }
  EXPECT_EQ(checked, 200);
}

TEST(BuiltinTasks, AnUnknownTaskIsRefusedListingTheKnownOnes) {
  const StatusOr<Task> task = BuiltinTask("mmlu", 1, 5);
  ASSERT_FALSE(task.ok());
  EXPECT_NE(task.status().message().find("capitals"), std::string::npos) << task.status().message();
}

}  // namespace
}  // namespace fab::eval
