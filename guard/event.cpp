#include "guard/event.h"

namespace qsock::guard {

std::string_view event_name(EventType t) {
  switch (t) {
    case EventType::qemu_found:
      return "qemu-found";
    case EventType::qemu_gone:
      return "qemu-gone";
    case EventType::bounded:
      return "bounded";
    case EventType::already_bounded:
      return "already-bounded";
    case EventType::ignored:
      return "ignored";
    case EventType::failed:
      return "failed";
    case EventType::changed:
      return "changed";
    case EventType::reapplied:
      return "re-applied";
  }
  return "?";
}

}  // namespace qsock::guard
