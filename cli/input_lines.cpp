#include "cli/input_lines.h"

#include <iostream>

namespace qsock::cli {

std::vector<std::string> expand_stdin(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    if (a != "-") {
      out.push_back(a);
      continue;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      out.push_back(line);
    }
  }
  return out;
}

}  // namespace qsock::cli
