// Errors as values: every fallible function below cli/ returns a
// tl::expected (Debian's libexpected-dev), and passes a failure up with one
// line, so that the happy path reads straight down:
//
//   QSOCK_TRY(session.command("stop"));              // failure returned as is
//   QSOCK_TRY_ASSIGN(Json reply, session.command(...)); // value bound on success
//
// The enclosing function must return a tl::expected whose error type the
// failed call's error converts to.
#pragma once

#include <utility>

#include <tl/expected.hpp>

#define QSOCK_TRY_CONCAT_(a, b) a##b
#define QSOCK_TRY_NAME_(line) QSOCK_TRY_CONCAT_(qsock_try_result_, line)

#define QSOCK_TRY(expr)                                                                  \
  do {                                                                                   \
    auto&& qsock_try_result_ = (expr);                                                   \
    if (!qsock_try_result_) return tl::unexpected(std::move(qsock_try_result_).error()); \
  } while (false)

#define QSOCK_TRY_ASSIGN(declaration, expr)                              \
  auto&& QSOCK_TRY_NAME_(__LINE__) = (expr);                             \
  if (!QSOCK_TRY_NAME_(__LINE__))                                        \
    return tl::unexpected(std::move(QSOCK_TRY_NAME_(__LINE__)).error()); \
  declaration = std::move(*QSOCK_TRY_NAME_(__LINE__))
