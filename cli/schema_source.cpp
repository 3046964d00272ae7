#include "cli/schema_source.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "uri/schema_loader.h"

namespace qsock::cli {

tl::expected<uri::Schema, std::string> load_schema_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec)
    return tl::unexpected(
        fmt::format("cannot read schema directory {}: {}", dir.string(), ec.message()));
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : it)
    if (entry.path().extension() == ".json" && entry.is_regular_file(ec))
      paths.push_back(entry.path());
  if (paths.empty()) return tl::unexpected(fmt::format("no *.json files in {}", dir.string()));
  std::sort(paths.begin(), paths.end());
  std::vector<uri::QapiFile> files;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) return tl::unexpected(fmt::format("cannot open {}", path.string()));
    std::ostringstream text;
    text << in.rdbuf();
    files.push_back(uri::QapiFile{path.filename().string(), text.str()});
  }
  return uri::load_schema_files(files, "directory " + dir.string());
}

void SchemaSource::add_options(CLI::App& cmd) {
  cmd.add_option("--schema", dir,
                 "Read the QAPI schema from the *.json files in DIR instead of the embedded copy");
}

tl::expected<std::shared_ptr<const uri::Schema>, std::string> SchemaSource::load() const {
  if (dir.empty()) {
    // The embedded schema lives for the whole run; share it without copying.
    return std::shared_ptr<const uri::Schema>(std::shared_ptr<void>{}, &uri::embedded_schema());
  }
  auto loaded = load_schema_dir(dir);
  if (!loaded) return tl::unexpected(loaded.error());
  return std::make_shared<const uri::Schema>(std::move(*loaded));
}

}  // namespace qsock::cli
