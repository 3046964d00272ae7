#include "cli/progress_line.h"

#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

namespace qsock::cli {

std::string format_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

namespace {
std::optional<double> percent(const migration::MigrationInfo& i) {
  if (!i.ram || i.ram->total.count == 0) return std::nullopt;
  double done =
      1.0 - static_cast<double>(i.ram->remaining.count) / static_cast<double>(i.ram->total.count);
  return std::clamp(done * 100.0, 0.0, 100.0);
}
}  // namespace

std::string progress_text(const migration::ProgressUpdate& u) {
  const migration::MigrationInfo& i = u.info;
  std::string s = fmt::format("{:.1f} s  {}", u.elapsed.count() / 1000.0, i.status);
  if (auto p = percent(i)) s += fmt::format("  {:.0f}%", *p);
  if (i.ram) {
    s += fmt::format("  {} sent, {} left  {:.1f} Mbit/s  dirty {} pages/s",
                     format_bytes(i.ram->transferred.count), format_bytes(i.ram->remaining.count),
                     i.ram->mbps, i.ram->dirty_pages_rate);
  }
  if (u.pass) s += fmt::format("  pass {}", u.pass);
  if (i.expected_downtime)
    s += fmt::format("  expected downtime {} ms", i.expected_downtime->count());
  if (!u.event.empty()) s += fmt::format("  [{}]", u.event);
  return s;
}

Json progress_json(const migration::ProgressUpdate& u) {
  const migration::MigrationInfo& i = u.info;
  Json j = Json::object();
  j["event"] = u.event.empty() ? "progress" : u.event;
  j["status"] = i.status;
  j["elapsed_ms"] = u.elapsed.count();
  auto p = percent(i);
  j["percent"] = p ? Json(*p) : Json(nullptr);
  j["transferred"] = i.ram ? Json(i.ram->transferred.count) : Json(nullptr);
  j["remaining"] = i.ram ? Json(i.ram->remaining.count) : Json(nullptr);
  j["total"] = i.ram ? Json(i.ram->total.count) : Json(nullptr);
  j["mbps"] = i.ram ? Json(i.ram->mbps) : Json(nullptr);
  j["dirty_pages_rate"] = i.ram ? Json(i.ram->dirty_pages_rate) : Json(nullptr);
  j["pass"] = u.pass;
  j["expected_downtime_ms"] =
      i.expected_downtime ? Json(i.expected_downtime->count()) : Json(nullptr);
  return j;
}

ProgressLine::ProgressLine(const Context& ctx) : ctx_(ctx) {
  tty_ = ::isatty(::fileno(ctx.err)) == 1;
  const char* no_color = std::getenv("NO_COLOR");
  color_ = tty_ && !(no_color != nullptr && *no_color != '\0');
}

void ProgressLine::update(const migration::ProgressUpdate& u) {
  if (ctx_.json) {
    fmt::print(ctx_.out, "{}\n", dump_json(progress_json(u)));
    std::fflush(ctx_.out);
    return;
  }
  std::string text = progress_text(u);
  if (tty_) {
    std::string status = color_ ? fmt::format("\x1b[1m{}\x1b[0m", u.info.status) : u.info.status;
    if (color_) {
      auto at = text.find(u.info.status);
      if (at != std::string::npos) text.replace(at, u.info.status.size(), status);
    }
    fmt::print(ctx_.err, "\r\x1b[K{}", text);
    std::fflush(ctx_.err);
    open_ = true;
    return;
  }
  auto now = std::chrono::steady_clock::now();
  if (u.info.status != last_status_ || now - last_plain_ >= std::chrono::seconds(1)) {
    fmt::print(ctx_.err, "{}\n", text);
    last_plain_ = now;
    last_status_ = u.info.status;
  }
}

void ProgressLine::note(const std::string& text) {
  done();
  fmt::print(ctx_.err, "qsock: note: {}\n", text);
}

void ProgressLine::done() {
  if (open_) fmt::print(ctx_.err, "\n");
  open_ = false;
}

}  // namespace qsock::cli
