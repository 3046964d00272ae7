// Captured QMP replies in tests/data/, loaded once per test binary.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "base/json.h"
#include "qmp/introspect.h"
#include "schema/loader.h"

namespace qsock::test {

inline Json load_fixture(const std::string& name) {
  std::ifstream in(std::string(QSOCK_TEST_DATA_DIR) + "/" + name);
  if (!in) throw std::runtime_error("cannot open fixture " + name);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

// Debian 12's QEMU 7.2.22, captured by tests/data/capture_qmp_schema.py.
inline const schema::Schema& qemu72_schema() {
  static const schema::Schema schema =
      qmp::schema_from_introspection(load_fixture("qemu-7.2-qmp-schema.json"), "QEMU 7.2.22")
          .value();
  return schema;
}

// A QEMU with the proposed features, made by tests/data/make_proposed_schema.py.
inline const schema::Schema& proposed_schema() {
  static const schema::Schema schema =
      qmp::schema_from_introspection(load_fixture("proposed-qmp-schema.json"), "proposed").value();
  return schema;
}

// Those two as live_schema() loads them: with the embedded schema's sizes
// adopted (adopt_embedded_sizes), so max-bandwidth takes 8M.
inline const schema::Schema& qemu72_live_schema() {
  static const schema::Schema schema = [] {
    schema::Schema s = qemu72_schema();
    qmp::adopt_embedded_sizes(s, schema::embedded_schema());
    return s;
  }();
  return schema;
}

inline const schema::Schema& proposed_live_schema() {
  static const schema::Schema schema = [] {
    schema::Schema s = proposed_schema();
    qmp::adopt_embedded_sizes(s, schema::embedded_schema());
    return s;
  }();
  return schema;
}

}  // namespace qsock::test
