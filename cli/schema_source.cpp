#include "cli/schema_source.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "cli/monitor_options.h"
#include "cli/positive_number.h"
#include "qmp/live_schema.h"
#include "qmp/session.h"
#include "schema/loader.h"

namespace qsock::cli {

tl::expected<schema::Schema, std::string> load_schema_dir(const std::filesystem::path& dir) {
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
  std::vector<schema::QapiFile> files;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) return tl::unexpected(fmt::format("cannot open {}", path.string()));
    std::ostringstream text;
    text << in.rdbuf();
    files.push_back(schema::QapiFile{path.filename().string(), text.str()});
  }
  return schema::load_schema_files(files, "directory " + dir.string());
}

void SchemaSource::add_options(CLI::App& cmd) {
  auto* from_dir =
      cmd.add_option("--schema", dir,
                     "Read the QAPI schema from the *.json files in DIR instead of the embedded "
                     "copy");
  auto* from_live = cmd.add_option("--schema-from", from_socket,
                                   "Use the schema of the QEMU behind this QMP socket "
                                   "(query-qmp-schema): PATH, unix:PATH or tcp:HOST:PORT");
  from_dir->excludes(from_live);
  auto* from_domain = add_domain_options(cmd, domain, connect, nullptr);
  from_domain->description(
      "Use the schema of this libvirt domain's QEMU, through libvirt (name, UUID or id)");
  from_domain->excludes(from_dir)->excludes(from_live);
  cmd.add_option("--timeout", timeout_seconds,
                 "With --schema-from: seconds to wait for the connection, greeting and schema "
                 "(default 10)")
      ->check(positive_number());
}

namespace {

tl::expected<LoadedSchema, SchemaError> load_live(const qmp::Result<qmp::MonitorAddress>& address,
                                                  std::string_view flag, double timeout) {
  auto unwrap = [flag](const qmp::Error& e) {
    return tl::unexpected(SchemaError{exit_code_for(e), fmt::format("{}: {}", flag, e.message)});
  };
  if (!address) return unwrap(address.error());
  auto deadline = deadline_from_seconds(timeout);
  auto session = qmp::Session::connect(*address, deadline);
  if (!session) return unwrap(session.error());
  auto schema = qmp::live_schema(*session, deadline);
  if (!schema) return unwrap(schema.error());
  schema->versioned = false;
  LoadedSchema out;
  out.live_version = schema::parse_qemu_version(session->greeting().version_string());
  out.schema = std::make_shared<const schema::Schema>(std::move(*schema));
  return out;
}

}  // namespace

tl::expected<LoadedSchema, SchemaError> SchemaSource::load() const {
  if (!from_socket.empty())
    return load_live(qmp::parse_monitor_address(from_socket), "--schema-from", timeout_seconds);
  if (!domain.empty())
    return load_live(libvirt_address(domain, connect), "--domain", timeout_seconds);
  if (dir.empty()) {
    // The embedded schema lives for the whole run; share it without copying.
    return LoadedSchema{
        std::shared_ptr<const schema::Schema>(std::shared_ptr<void>{}, &schema::embedded_schema()),
        std::nullopt};
  }
  auto loaded = load_schema_dir(dir);
  if (!loaded) return tl::unexpected(SchemaError{ExitCode::usage, loaded.error()});
  return LoadedSchema{std::make_shared<const schema::Schema>(std::move(*loaded)), std::nullopt};
}

}  // namespace qsock::cli
