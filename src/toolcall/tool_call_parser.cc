#include "toolcall/tool_call_parser.h"

#include <algorithm>
#include <utility>

namespace fab::toolcall {
namespace {

constexpr std::string_view kThinkOpen = "<think>";
constexpr std::string_view kThinkClose = "</think>";
constexpr size_t kMaxNameBytes = 256;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// The longest k < marker.size() such that `text` ends with marker's first k bytes.
size_t PartialSuffix(std::string_view text, std::string_view marker) {
  for (size_t k = std::min(text.size(), marker.size() - 1); k > 0; --k) {
    if (text.substr(text.size() - k) == marker.substr(0, k)) return k;
  }
  return 0;
}

bool IsNameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

}  // namespace

ToolCallParser::ToolCallParser(ToolCallSyntax syntax, bool in_think)
    : syntax_(std::move(syntax)), state_(in_think ? State::kThink : State::kFree) {}

void ToolCallParser::Push(std::string_view text, std::vector<ToolCallEvent>* events) {
  pending_.append(text);
  while (Step(events, /*at_end=*/false)) {
  }
}

void ToolCallParser::Finish(std::vector<ToolCallEvent>* events) {
  while (Step(events, /*at_end=*/true)) {
  }
  if (state_ == State::kThink || state_ == State::kFree || state_ == State::kAfter) {
    EmitContent(pending_.size(), events);
  } else {
    TakeRegion(pending_.size());  // an unfinished region: what was announced stands
  }
}

bool ToolCallParser::Step(std::vector<ToolCallEvent>* events, bool at_end) {
  switch (state_) {
    case State::kThink:
      return StepThink(events, at_end);
    case State::kFree:
      return StepFree(events, at_end);
    case State::kLiteral:
      return StepLiteral(events, at_end);
    case State::kName:
      return StepName(events, at_end);
    case State::kArguments:
      return StepArguments(events);
    case State::kBetween:
      return StepBetween(events, at_end);
    case State::kAfter:
      EmitContent(pending_.size(), events);
      return false;
  }
  return false;
}

bool ToolCallParser::StepThink(std::vector<ToolCallEvent>* events, bool at_end) {
  if (const size_t at = pending_.find(kThinkClose); at != std::string::npos) {
    EmitContent(at + kThinkClose.size(), events);
    think_end_ = n_consumed_;
    seen_text_ = false;  // what follows the block is the answer's start
    state_ = State::kFree;
    return true;
  }
  const size_t keep = at_end ? 0 : PartialSuffix(pending_, kThinkClose);
  EmitContent(pending_.size() - keep, events);
  return false;
}

bool ToolCallParser::StepFree(std::vector<ToolCallEvent>* events, bool at_end) {
  if (pending_.empty()) return false;
  const size_t n_space = std::find_if_not(pending_.begin(), pending_.end(), IsSpace) - pending_.begin();
  const std::string_view rest = std::string_view(pending_).substr(n_space);
  if (!seen_text_ && !think_end_) {
    // A think block may open the output.
    if (StartsWith(rest, kThinkOpen)) {
      EmitContent(n_space + kThinkOpen.size(), events);
      state_ = State::kThink;
      return true;
    }
    if (!at_end && StartsWith(kThinkOpen, rest)) return false;
  }
  std::optional<size_t> found;
  const std::string& trigger = syntax_.trigger;
  if (syntax_.trigger_only_first) {
    if (!seen_text_) {
      if (StartsWith(rest, trigger)) {
        found = n_space;
      } else if (!at_end && StartsWith(trigger, rest)) {
        return false;
      }
    }
  } else if (const size_t at = pending_.find(trigger); at != std::string::npos) {
    found = at;
  } else {
    const size_t keep = at_end ? 0 : PartialSuffix(pending_, trigger);
    EmitContent(pending_.size() - keep, events);
    return false;
  }
  if (!found) {
    EmitContent(pending_.size(), events);
    return false;
  }
  EmitContent(*found, events);
  region_start_ = n_consumed_;
  TakeRegion(trigger.size());
  literal_ = syntax_.lead().substr(trigger.size());
  after_literal_ = State::kName;
  state_ = State::kLiteral;
  return true;
}

bool ToolCallParser::StepLiteral(std::vector<ToolCallEvent>* events, bool at_end) {
  const size_t n = std::min(pending_.size(), literal_.size());
  const size_t matched = std::mismatch(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(n),
                                       literal_.begin()).first -
                         pending_.begin();
  if (matched == literal_.size()) {
    TakeRegion(matched);
    literal_.clear();
    state_ = after_literal_;
    if (state_ == State::kArguments) {
      events->push_back(ToolCallEvent{ToolCallEvent::Kind::kCallBegin, n_calls_++, std::move(name_)});
      name_.clear();
      value_started_ = in_string_ = escaped_ = scalar_ = false;
      depth_ = 0;
    }
    return true;
  }
  if (matched == pending_.size()) {  // all of it fits; more must come
    if (at_end) return false;
    TakeRegion(matched);
    literal_.erase(0, matched);
    return false;
  }
  Abandon(events);
  return true;
}

bool ToolCallParser::StepName(std::vector<ToolCallEvent>* events, bool /*at_end*/) {
  const char stop = syntax_.name_close.empty() ? '\0' : syntax_.name_close[0];
  const size_t at = pending_.find(stop);
  const size_t n = at == std::string::npos ? pending_.size() : at;
  if (!std::all_of(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(n), IsNameByte) ||
      name_.size() + n > kMaxNameBytes) {
    Abandon(events);
    return true;
  }
  name_.append(pending_, 0, n);
  TakeRegion(n);
  if (at == std::string::npos) return false;
  if (name_.empty()) {
    Abandon(events);
    return true;
  }
  literal_ = syntax_.name_close;  // the call is announced once this matches too
  after_literal_ = State::kArguments;
  state_ = State::kLiteral;
  return true;
}

bool ToolCallParser::StepArguments(std::vector<ToolCallEvent>* events) {
  size_t i = 0;
  bool done = false;
  for (; i < pending_.size() && !done; ++i) {
    const char c = pending_[i];
    if (!value_started_) {
      value_started_ = true;
      if (c == '{' || c == '[') {
        depth_ = 1;
      } else if (c == '"') {
        in_string_ = true;
      } else {
        scalar_ = true;
      }
    } else if (scalar_) {
      if (!(IsNameByte(c) || c == '+')) {  // the first byte past a number, true, false or null
        done = true;
        break;
      }
    } else if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
        done = depth_ == 0;
      }
    } else if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if (c == '}' || c == ']') {
      done = --depth_ == 0;
    }
  }
  if (i > 0) {
    const size_t call = n_calls_ - 1;
    if (!events->empty() && events->back().kind == ToolCallEvent::Kind::kArguments && events->back().call == call) {
      events->back().text.append(pending_, 0, i);
    } else {
      events->push_back(ToolCallEvent{ToolCallEvent::Kind::kArguments, call, pending_.substr(0, i)});
    }
    TakeRegion(i);
  }
  if (!done) return false;
  literal_ = syntax_.call_close;
  after_literal_ = State::kBetween;
  state_ = State::kLiteral;
  return true;
}

bool ToolCallParser::StepBetween(std::vector<ToolCallEvent>* /*events*/, bool at_end) {
  const std::string next = syntax_.separator + syntax_.call_open;
  const std::string& close = syntax_.close;
  if (StartsWith(pending_, next)) {
    TakeRegion(next.size());
    state_ = State::kName;
    return true;
  }
  if (!close.empty() && StartsWith(pending_, close)) {
    TakeRegion(close.size());
    state_ = State::kAfter;
    return true;
  }
  const bool may_continue = StartsWith(next, pending_) || (!close.empty() && StartsWith(close, pending_));
  if (may_continue && !at_end) return false;
  // At the end, the start of another call (cut short) or white space belongs to the region.
  if (at_end && (may_continue || std::all_of(pending_.begin(), pending_.end(), IsSpace))) TakeRegion(pending_.size());
  state_ = State::kAfter;  // the region ended (unclosed, if it has a close); the rest is content
  return !pending_.empty();
}

void ToolCallParser::EmitContent(size_t n, std::vector<ToolCallEvent>* events) {
  if (n == 0) return;
  const std::string_view text = std::string_view(pending_).substr(0, n);
  if (!std::all_of(text.begin(), text.end(), IsSpace)) seen_text_ = true;
  if (!events->empty() && events->back().kind == ToolCallEvent::Kind::kContent) {
    events->back().text.append(text);
  } else {
    events->push_back(ToolCallEvent{ToolCallEvent::Kind::kContent, 0, std::string(text)});
  }
  pending_.erase(0, n);
  n_consumed_ += n;
}

void ToolCallParser::TakeRegion(size_t n) {
  region_text_.append(pending_, 0, n);
  pending_.erase(0, n);
  n_consumed_ += n;
}

void ToolCallParser::Abandon(std::vector<ToolCallEvent>* events) {
  std::string text = std::move(region_text_) + pending_;
  region_text_.clear();
  n_consumed_ += pending_.size();
  pending_.clear();
  if (!text.empty()) {
    if (!events->empty() && events->back().kind == ToolCallEvent::Kind::kContent) {
      events->back().text += text;
    } else {
      events->push_back(ToolCallEvent{ToolCallEvent::Kind::kContent, 0, std::move(text)});
    }
  }
  seen_text_ = true;
  state_ = State::kAfter;
}

}  // namespace fab::toolcall
