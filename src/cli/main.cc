// tokenfab: the command-line entry point. Subcommands live in src/cli/.
#include "cli/commands.h"

int main(int argc, char** argv) { return fab::cli::Main(argc, argv); }
