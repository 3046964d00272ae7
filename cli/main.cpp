#include "cli/app.h"

int main(int argc, char** argv) { return qsock::cli::run(argc, argv); }
