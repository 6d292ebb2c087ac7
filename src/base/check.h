// FAB_CHECK(cond) << "context": aborts with file, line and message when a
// programmer-side invariant is broken. Never use it on outside input: that
// gets a Status (STYLE.md rule 6).
#pragma once

#include <sstream>

namespace fab::internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  template <typename T>
  const CheckFailure& operator<<(const T& value) const {
    stream_ << value;
    return *this;
  }

 private:
  mutable std::ostringstream stream_;
};

// Lets `FAB_CHECK(x) << ...` be an expression of type void.
struct Voidify {
  void operator&(const CheckFailure&) {}
};

}  // namespace fab::internal

#define FAB_CHECK(condition)                  \
  (condition) ? (void)0                       \
              : ::fab::internal::Voidify() &  \
                    ::fab::internal::CheckFailure(__FILE__, __LINE__, #condition)
