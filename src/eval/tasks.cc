#include "eval/tasks.h"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <random>

namespace fab::eval {
namespace {

using Rng = std::mt19937_64;

int Uniform(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

// Picks `n` distinct indices below `size` that include `must`, shuffled; returns where `must` went.
std::vector<size_t> ChoicesWith(Rng& rng, size_t size, size_t must, size_t n, size_t* gold) {
  std::vector<size_t> others;
  for (size_t i = 0; i < size; ++i) {
    if (i != must) others.push_back(i);
  }
  std::shuffle(others.begin(), others.end(), rng);
  others.resize(n - 1);
  others.push_back(must);
  std::shuffle(others.begin(), others.end(), rng);
  *gold = static_cast<size_t>(std::find(others.begin(), others.end(), must) - others.begin());
  return others;
}

Doc ArithmeticEnglish(Rng& rng) {
  static const std::array<const char*, 6> names = {"Mina", "Jisoo", "Tom", "Ana", "Leo", "Hana"};
  static const std::array<const char*, 5> things = {"apples", "books", "pencils", "coins", "stickers"};
  const std::string name = names[static_cast<size_t>(Uniform(rng, 0, 5))];
  const std::string thing = things[static_cast<size_t>(Uniform(rng, 0, 4))];
  const int a = Uniform(rng, 2, 60), b = Uniform(rng, 1, 40);
  const bool more = Uniform(rng, 0, 1) == 1 || b > a;
  const int answer = more ? a + b : a - b;
  Doc doc;
  doc.context = "Question: " + name + " has " + std::to_string(a) + " " + thing + " and " +
                (more ? "gets " : "gives away ") + std::to_string(b) + " " + (more ? "more" : "of them") +
                ". How many " + thing + " does " + name + " have now?\nAnswer:";
  doc.target = std::to_string(answer);
  return doc;
}

Doc ArithmeticKorean(Rng& rng) {
  static const std::array<const char*, 5> names = {"민수", "지아", "서준", "하은", "도윤"};
  static const std::array<const char*, 4> things = {"사과", "책", "연필", "동전"};
  const std::string name = names[static_cast<size_t>(Uniform(rng, 0, 4))];
  const std::string thing = things[static_cast<size_t>(Uniform(rng, 0, 3))];
  const int a = Uniform(rng, 2, 60), b = Uniform(rng, 1, 40);
  const bool more = Uniform(rng, 0, 1) == 1 || b > a;
  Doc doc;
  doc.context = "질문: " + name + "는 " + thing + " " + std::to_string(a) + "개를 가지고 있고 " + std::to_string(b) +
                "개를 " + (more ? "더 받았습니다" : "나누어 주었습니다") + ". 이제 " + thing + "는 몇 개입니까?\n답:";
  doc.target = std::to_string(more ? a + b : a - b);
  return doc;
}

// Sino-Korean number words for 1..9999.
std::string KoreanNumber(int n) {
  static const std::array<const char*, 10> digits = {"", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"};
  static const std::array<const char*, 4> units = {"", "십", "백", "천"};
  std::string out;
  const std::string text = std::to_string(n);
  for (size_t i = 0; i < text.size(); ++i) {
    const int d = text[i] - '0';
    const size_t unit = text.size() - 1 - i;
    if (d == 0) continue;
    if (d != 1 || unit == 0) out += digits[static_cast<size_t>(d)];
    out += units[unit];
  }
  return out;
}

Doc KoreanNumberWords(Rng& rng) {
  const int n = Uniform(rng, 11, 9999);
  std::vector<int> options = {n};
  while (options.size() < 4) {
    const int near = std::max(1, n + Uniform(rng, -3, 3) * (Uniform(rng, 0, 1) ? 1 : 10));
    if (std::find(options.begin(), options.end(), near) == options.end()) options.push_back(near);
  }
  std::shuffle(options.begin(), options.end(), rng);
  Doc doc;
  doc.context = "'" + KoreanNumber(n) + "'을(를) 숫자로 쓰면?\n답:";
  for (int option : options) doc.choices.push_back(" " + std::to_string(option));
  doc.gold = static_cast<size_t>(std::find(options.begin(), options.end(), n) - options.begin());
  return doc;
}

const std::array<const char*, 24>& Words() {
  static const std::array<const char*, 24> words = {"river", "stone", "cloud", "maple", "honey", "lamp",   "tiger", "plum",
                                                    "salt",  "wind",  "paper", "glass", "ocean", "bread",  "pine",  "silk",
                                                    "rain",  "moon",  "wheat", "fox",   "amber", "cedar",  "dune",  "frost"};
  return words;
}

std::vector<std::string> WordList(Rng& rng) {
  std::vector<std::string> list;
  const int n = Uniform(rng, 2, 5);
  for (int i = 0; i < n; ++i) list.push_back(Words()[static_cast<size_t>(Uniform(rng, 0, 23))]);
  return list;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

Doc Copy(Rng& rng) {
  const std::vector<std::string> words = WordList(rng);
  return Doc{"Copy the words: " + Join(words) + "\nCopy:", {}, 0, Join(words)};
}

Doc Reverse(Rng& rng) {
  std::vector<std::string> words = WordList(rng);
  const std::string given = Join(words);
  std::reverse(words.begin(), words.end());
  return Doc{"Reverse the order of the words: " + given + "\nReversed:", {}, 0, Join(words)};
}

// Country → capital (public facts).
const std::vector<std::pair<const char*, const char*>>& Capitals() {
  static const std::vector<std::pair<const char*, const char*>> table = {
      {"South Korea", "Seoul"}, {"Japan", "Tokyo"},        {"France", "Paris"},     {"Germany", "Berlin"},
      {"Italy", "Rome"},        {"Spain", "Madrid"},       {"Canada", "Ottawa"},    {"Australia", "Canberra"},
      {"Brazil", "Brasília"},   {"Egypt", "Cairo"},        {"Kenya", "Nairobi"},    {"India", "New Delhi"},
      {"Mexico", "Mexico City"}, {"Norway", "Oslo"},       {"Poland", "Warsaw"},    {"Turkey", "Ankara"},
      {"Vietnam", "Hanoi"},     {"Argentina", "Buenos Aires"}, {"Peru", "Lima"},  {"Finland", "Helsinki"}};
  return table;
}

Doc Capital(Rng& rng) {
  const auto& table = Capitals();
  const size_t country = static_cast<size_t>(Uniform(rng, 0, static_cast<int>(table.size()) - 1));
  Doc doc;
  doc.context = std::string("Question: What is the capital of ") + table[country].first + "?\nAnswer:";
  for (size_t option : ChoicesWith(rng, table.size(), country, 4, &doc.gold)) {
    doc.choices.push_back(std::string(" ") + table[option].second);
  }
  return doc;
}

Doc Weekday(Rng& rng) {
  static const std::array<const char*, 7> days = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                  "Friday", "Saturday", "Sunday"};
  const int start = Uniform(rng, 0, 6), later = Uniform(rng, 1, 20);
  Doc doc;
  doc.context = std::string("Question: Today is ") + days[static_cast<size_t>(start)] + ". What day of the week is it " +
                std::to_string(later) + " days from today?\nAnswer:";
  for (const char* day : days) doc.choices.push_back(std::string(" ") + day);
  doc.gold = static_cast<size_t>((start + later) % 7);
  return doc;
}

struct Recipe {
  OutputType type;
  std::function<Doc(Rng&)> make;
  std::string answer_regex;
  double random_baseline;
};

const std::map<std::string, Recipe, std::less<>>& Recipes() {
  static const auto* recipes = new std::map<std::string, Recipe, std::less<>>{
      {"arith_en", {OutputType::kGenerateUntil, ArithmeticEnglish, "-?[0-9]+", 0.0}},
      {"arith_ko", {OutputType::kGenerateUntil, ArithmeticKorean, "-?[0-9]+", 0.0}},
      {"ko_number_words", {OutputType::kMultipleChoice, KoreanNumberWords, "", 0.25}},
      {"copy", {OutputType::kGenerateUntil, Copy, "", 0.0}},
      {"reverse", {OutputType::kGenerateUntil, Reverse, "", 0.0}},
      {"capitals", {OutputType::kMultipleChoice, Capital, "", 0.25}},
      {"weekdays", {OutputType::kMultipleChoice, Weekday, "", 1.0 / 7.0}},
  };
  return *recipes;
}

}  // namespace

std::vector<std::string> BuiltinTaskNames() {
  std::vector<std::string> names;
  for (const auto& [name, recipe] : Recipes()) names.push_back(name);
  return names;
}

StatusOr<Task> BuiltinTask(std::string_view name, uint64_t seed, int64_t n_docs) {
  const auto found = Recipes().find(name);
  if (found == Recipes().end()) {
    std::string known;
    for (const std::string& task : BuiltinTaskNames()) known += (known.empty() ? "" : ", ") + task;
    return NotFoundError("no built-in task '" + std::string(name) + "' (there are " + known + ")");
  }
  const Recipe& recipe = found->second;
  Task task;
  task.name = std::string(name);
  task.type = recipe.type;
  task.answer_regex = recipe.answer_regex;
  task.random_baseline = recipe.random_baseline;
  uint64_t name_hash = 1469598103934665603ull;  // FNV-1a: the same on every platform
  for (char c : name) name_hash = (name_hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  Rng rng(seed ^ name_hash);
  for (int64_t i = 0; i < n_docs; ++i) task.docs.push_back(recipe.make(rng));
  for (int64_t i = 0; i < n_docs; ++i) task.fewshot_docs.push_back(recipe.make(rng));
  return task;
}

std::string ExampleText(const Task& task, const Doc& doc) {
  return doc.context +
         (task.type == OutputType::kMultipleChoice ? doc.choices[doc.gold] : task.target_delimiter + doc.target);
}

}  // namespace fab::eval
