// A one-line progress bar on stderr ("loading [#####.....]  52%"), redrawn
// in place. Draws only when stderr is a terminal unless forced. Not thread-safe.
#pragma once

#include <string>

namespace fab::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();  // finishes the line
  void Update(double fraction);

 private:
  std::string label_;
  bool enabled_;
  int last_percent_ = -1;
};

}  // namespace fab::cli
