#include "cli/schema_source.h"

#include "uri/schema_loader.h"

namespace qsock::cli {

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
