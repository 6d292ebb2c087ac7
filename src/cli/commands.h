// The `tokenfab` command line: parses argv and runs one subcommand.
// Returns the process exit code (0 ok, 1 runtime error, 2 usage error).
#pragma once

namespace fab::cli {

int Main(int argc, char** argv);

}  // namespace fab::cli
