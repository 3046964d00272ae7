// The check pipeline: one input string in any syntax qsock knows, for one
// QEMU release -> valid or not, its meaning as QMP JSON, every problem.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "base/diagnostics.h"
#include "base/json.h"
#include "schema/model.h"
#include "schema/versions.h"
#include "uri/endpoint.h"

namespace qsock::uri {

enum class InputKind {
  uri,          // legacy socket address: tcp:h:p,opts  unix:P  vsock:C:P  fd:N  h:p
  migrate_uri,  // migrate / -incoming URI: the socket forms, exec:, file:, rdma:, defer
  netdev,       // -netdev stream|dgram (keyval or JSON)
  incoming,     // -incoming: a migration URI, or (QEMU 10.0+) a MigrationChannel
  chardev,      // -chardev socket (QemuOpts flat form)
  json,         // QMP JSON: SocketAddress, SocketAddressLegacy, MigrationChannel, ...
};

std::string_view kind_name(InputKind kind);
std::optional<InputKind> parse_kind(std::string_view name);
// "uri|migrate-uri|netdev|incoming|chardev|json", for help texts.
std::string_view kind_names();

// Guesses the kind of an input (after a leading "-netdev " etc. is removed).
InputKind detect_kind(std::string_view input);

// The QEMU option word an operator copies with an address ("-netdev ",
// "--chardev ", ...) at the start of an input: the kind it names, and the
// rest of the input (a view into it, spaces around it trimmed).
struct OptionWord {
  InputKind kind;
  std::string_view rest;
};
std::optional<OptionWord> split_option_word(std::string_view input);

// The QAPI type a keyval input kind is read as, and its implied first key:
// netdev -> Netdev/"type", incoming (a channel) -> MigrationChannel/"channel-type".
struct KeyvalRoot {
  std::string_view type;
  std::string_view implied_key;
};
std::optional<KeyvalRoot> keyval_root(InputKind kind);

// The first release whose -incoming takes a MigrationChannel (keyval or JSON).
inline constexpr schema::QemuVersion incoming_channels_since{10, 0};

struct CheckResult {
  std::string input;
  InputKind kind = InputKind::uri;
  schema::Target target;
  Json value;             // typed QMP JSON; null when invalid
  std::string qapi_type;  // what `value` is: "SocketAddress", "Netdev", ...
  Diagnostics diags;
  // Why qsock did not check the input (a -netdev or -chardev back end that
  // takes no socket address); "" when it did. Not checked is not invalid.
  std::string unchecked;

  bool valid() const { return diags.ok(); }
  bool checked() const { return unchecked.empty(); }
  Json to_json() const;  // the --json record of `qsock check`
};

// Checks one input. `kind` nullopt: detect it. A leading "-netdev ",
// "-incoming " or "-chardev " word is accepted and decides the kind.
CheckResult check_input(std::string_view input, std::optional<InputKind> kind,
                        const schema::Target& target, const schema::Schema& schema);

// The endpoint a valid input describes, for converters.
tl::expected<Endpoint, Diagnostic> endpoint_of(const CheckResult& checked);

}  // namespace qsock::uri
