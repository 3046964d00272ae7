// fmt's compiled part, built once into qsock_base. Debian ships fmt as a
// shared library only; loading it also loads libstdc++.so and libgcc_s.so,
// whose relocations cost a start of qsock more than the check it makes (see
// bench/run). Header-only fmt instead compiles all of this into every file,
// a third of each file's compile time. So: headers everywhere, the
// implementation here, and the explicit instantiations fmt/format.h declares
// extern.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;
}  // namespace detail
FMT_END_NAMESPACE
