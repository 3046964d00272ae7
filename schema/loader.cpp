#include "schema/loader.h"

#include <stdexcept>

#include "schema/binary.h"
#include "schema/embedded.h"

namespace qsock::schema {

tl::expected<Schema, std::string> load_schema_files(const std::vector<QapiFile>& files,
                                                    std::string origin) {
  auto schema = read_qapi_files(files, std::move(origin));
  if (!schema) return tl::unexpected(schema.error().str());
  return std::move(*schema);
}

tl::expected<Schema, std::string> load_embedded_schema() {
  std::vector<QapiFile> files;
  for (const EmbeddedFile& f : embedded_schema_files())
    files.push_back(QapiFile{std::string(f.name), std::string(f.text)});
  return load_schema_files(files, "embedded");
}

tl::expected<Schema, std::string> load_preparsed_schema() {
  return decode_schema_in_place(embedded_schema_preparsed());
}

const Schema& embedded_schema() {
  static const Schema schema = [] {
    auto loaded = load_preparsed_schema();
    if (!loaded)
      throw std::logic_error("the embedded QAPI schema does not load: " + loaded.error());
    return std::move(*loaded);
  }();
  return schema;
}

}  // namespace qsock::schema
