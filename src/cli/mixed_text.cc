#include "cli/mixed_text.h"

#include <cstdio>
#include <string_view>

namespace fab::cli {
namespace {

constexpr std::string_view kKoreanNouns[] = {
    "인공지능", "모델", "데이터", "서버", "사용자", "요청", "응답", "토큰", "처리", "속도",
    "메모리", "오늘", "내일", "회의", "결과", "분석", "서비스", "고객", "시장", "기술",
    "개발", "팀", "프로젝트", "일정", "문제", "해결", "방법", "성능", "개선", "학습",
    "추론", "비용", "전력", "효율", "뉴스", "정부", "발표", "경제", "성장", "기업",
    "투자", "계획", "지역", "주민", "날씨", "바람", "아침", "저녁", "사람들", "이야기",
    "질문", "답변", "문서", "코드", "함수", "변수", "오류", "테스트", "대학교", "학생",
    "선생님", "가족", "친구", "음식", "커피", "도서관", "지하철", "버스", "서울", "부산"};
constexpr std::string_view kKoreanParticles[] = {"은", "는", "이", "가", "을", "를", "에서",
                                                 "으로", "와", "의", "도", "에", "", ""};
constexpr std::string_view kKoreanEndings[] = {
    "했습니다", "합니다", "있습니다", "됩니다", "봤어요", "할까요", "좋아요", "필요합니다",
    "발표했다", "늘었다", "줄었다", "확인했어요", "바뀌었습니다", "진행 중입니다", "괜찮아요"};
constexpr std::string_view kEnglishWords[] = {
    "the", "model", "server", "request", "token", "latency", "throughput", "memory", "user",
    "cloud", "data", "report", "today", "tomorrow", "meeting", "result", "market", "team",
    "project", "schedule", "problem", "solution", "method", "performance", "training",
    "inference", "cost", "power", "efficiency", "news", "government", "economy", "growth",
    "company", "investment", "plan", "region", "weather", "morning", "evening", "people",
    "story", "question", "answer", "document", "code", "function", "variable", "error", "test",
    "is", "was", "will", "can", "should", "and", "but", "with", "for", "from", "about",
    "quickly", "carefully", "new", "large", "small", "fast", "slow", "better", "worse",
    "reported", "improved", "announced", "measured", "deployed", "released", "fixed"};
// Made-up words from these parts keep the text from being a few hundred
// distinct words that a tokenizer's word cache would hold entirely.
constexpr std::string_view kHangulSyllables[] = {
    "가", "나", "다", "라", "마", "바", "사", "아", "자", "차", "카", "타", "파", "하", "고",
    "노", "도", "로", "모", "보", "소", "오", "조", "초", "토", "포", "호", "구", "누", "두",
    "루", "무", "부", "수", "우", "주", "추", "기", "니", "디", "리", "미", "비", "시", "이",
    "지", "치", "키", "한", "국", "민", "정", "성", "상", "장", "동", "방", "생", "경", "영",
    "원", "전", "선", "진", "신", "연", "현", "문", "화", "대", "학", "관", "공", "업", "결"};
constexpr std::string_view kEnglishPrefixes[] = {"", "", "", "re", "un", "pre", "over", "co", "sub", "inter"};
constexpr std::string_view kEnglishRoots[] = {
    "build", "cache", "form", "load", "port", "scale", "serve", "train", "turn", "view", "work",
    "price", "count", "shape", "track", "print", "write", "read", "plan", "store", "ship"};
constexpr std::string_view kEnglishSuffixes[] = {"", "s", "ed", "ing", "er", "able", "ment", "ly", "ers"};
constexpr std::string_view kTechTerms[] = {"GPU", "API", "Llama", "token", "cloud", "KV cache",
                                           "batch", "Python", "C++", "JSON", "HTTP", "SK"};
constexpr std::string_view kEnds[] = {". ", ". ", ". ", "? ", "! ", ".\n", "?\n"};

// SplitMix64: a small PRNG whose output is the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  template <size_t N>
  std::string_view Pick(const std::string_view (&words)[N]) { return words[Below(N)]; }

 private:
  uint64_t state_;
};

// Hangul syllables (U+AC00..U+D7A3: lead bytes 0xEA..0xED) and ASCII letters.
void CountLetters(std::string_view text, size_t& n_hangul, size_t& n_latin) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    n_hangul += byte >= 0xEA && byte <= 0xED;
    n_latin += (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
  }
}

std::string Number(Rng& rng) {
  char buffer[32];
  switch (rng.Below(4)) {
    case 0: std::snprintf(buffer, sizeof(buffer), "%zu", rng.Below(1000)); break;
    case 1: std::snprintf(buffer, sizeof(buffer), "%zu.%zu%%", rng.Below(100), rng.Below(10)); break;
    case 2: std::snprintf(buffer, sizeof(buffer), "%zu,%03zu", 1 + rng.Below(99), rng.Below(1000)); break;
    default: std::snprintf(buffer, sizeof(buffer), "20%02zu", rng.Below(30)); break;
  }
  return buffer;
}

std::string KoreanNoun(Rng& rng) {
  if (rng.Below(10) < 6) return std::string(rng.Pick(kKoreanNouns));
  std::string word;
  for (size_t n = 2 + rng.Below(2); n > 0; --n) word += rng.Pick(kHangulSyllables);
  return word;
}

std::string EnglishWord(Rng& rng) {
  if (rng.Below(10) < 7) return std::string(rng.Pick(kEnglishWords));
  return std::string(rng.Pick(kEnglishPrefixes)) + std::string(rng.Pick(kEnglishRoots)) +
         std::string(rng.Pick(kEnglishSuffixes));
}

void AppendKoreanSentence(Rng& rng, std::string& text) {
  const size_t n_words = 3 + rng.Below(6);
  for (size_t i = 0; i < n_words; ++i) {
    const size_t roll = rng.Below(100);
    if (roll < 12) {
      text += kTechTerms[rng.Below(std::size(kTechTerms))];
    } else if (roll < 20) {
      text += Number(rng);
      text += rng.Below(2) ? "년" : "개";
    } else {
      text += KoreanNoun(rng);
    }
    text += rng.Pick(kKoreanParticles);
    text += (i + 1 < n_words && rng.Below(6) == 0) ? ", " : " ";
  }
  text += rng.Pick(kKoreanEndings);
  text += rng.Pick(kEnds);
}

void AppendEnglishSentence(Rng& rng, std::string& text) {
  const size_t n_words = 5 + rng.Below(10);
  for (size_t i = 0; i < n_words; ++i) {
    std::string word = rng.Below(100) < 8 ? Number(rng) : EnglishWord(rng);
    if (i == 0 && word[0] >= 'a' && word[0] <= 'z') word[0] = static_cast<char>(word[0] - 'a' + 'A');
    text += word;
    if (i + 1 < n_words) text += rng.Below(8) == 0 ? ", " : " ";
  }
  text += rng.Pick(kEnds);
}

}  // namespace

std::string GenerateMixedText(size_t n_bytes, uint64_t seed) {
  Rng rng(seed);
  std::string text;
  text.reserve(n_bytes + 256);
  size_t n_hangul = 0, n_latin = 0;
  while (text.size() < n_bytes) {
    const size_t before = text.size();
    // Lean towards whichever script is behind, so the halves stay even.
    const bool korean = n_hangul + rng.Below(60) < n_latin + 30;
    if (korean) AppendKoreanSentence(rng, text);
    else AppendEnglishSentence(rng, text);
    CountLetters(std::string_view(text).substr(before), n_hangul, n_latin);
    if (rng.Below(6) == 0) text += '\n';
  }
  size_t cut = n_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text.resize(n_bytes, ' ');
  return text;
}

}  // namespace fab::cli
