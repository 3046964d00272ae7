#include "cli/migration_target.h"

#include <fmt/format.h>

#include "cli/diagnostics_text.h"
#include "schema/loader.h"
#include "schema/validator.h"
#include "uri/check.h"

namespace qsock::cli {

tl::expected<Json, ExitCode> parse_target(const Context& ctx, const std::string& text) {
  const schema::Schema& schema = schema::embedded_schema();
  auto kind = uri::detect_kind(text);
  if (kind == uri::InputKind::uri) kind = uri::InputKind::migrate_uri;
  uri::CheckResult r = uri::check_input(text, kind, schema::Target::newest(), schema);
  if (!r.valid()) {
    fmt::print(ctx.err, "qsock: error: --to '{}' is not a valid migration address:\n", text);
    print_diagnostics(ctx.err, r.diags);
    return tl::unexpected(ExitCode::invalid);
  }
  Json v = r.value;
  if (r.qapi_type == "MigrationChannel" && v.contains("addr")) v = v["addr"];
  if (r.qapi_type == "SocketAddress" || (v.is_object() && !v.contains("transport"))) {
    Json wrapped = {{"transport", "socket"}};
    for (auto& [k, val] : v.items()) wrapped[k] = val;
    v = wrapped;
  }
  if (!v.is_object() || !v.contains("transport")) {
    fail(ctx, ExitCode::invalid,
         fmt::format("--to '{}' is a {}, not a migration address", text, r.qapi_type));
    return tl::unexpected(ExitCode::invalid);
  }
  return v;
}

tl::expected<BytesPerSecond, ExitCode> parse_max_bandwidth(const Context& ctx,
                                                           const std::string& text) {
  auto v = schema::keyval_size(text);
  if (!v) {
    fail(ctx, ExitCode::usage,
         fmt::format("--max-bandwidth '{}': give bytes per second, with an optional "
                     "suffix (K, M, G: powers of 1024), e.g. 100M",
                     text));
    return tl::unexpected(ExitCode::usage);
  }
  return BytesPerSecond{*v};
}

}  // namespace qsock::cli
