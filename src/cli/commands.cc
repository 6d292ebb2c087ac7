#include "cli/commands.h"

#include <cstdio>

namespace fab::cli {

int Main(int argc, char** argv) {
  std::fprintf(stderr, "tokenfab: no subcommands yet\n");
  return 2;
}

}  // namespace fab::cli
