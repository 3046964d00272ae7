# qsock guard's systemd unit and default policy, installed by
# `cmake --install` and by CPack (CMakeLists.txt includes this file at
# configure time and again, through install(CODE), at install time).
#
# Both files name paths that depend on the prefix they are installed under,
# and that prefix is known only at install time: CPack installs a build
# configured for /usr/local with its own prefix (CPACK_PACKAGING_INSTALL_PREFIX,
# /usr), and `cmake --install --prefix` may choose any other. So the unit is
# written then, for the prefix of that install.

# The policy file for installs under `prefix`. `sysconfdir` is
# CMAKE_INSTALL_SYSCONFDIR as configured: a relative one (etc, the default)
# follows GNUInstallDirs' rule for CMAKE_INSTALL_FULL_SYSCONFDIR, applied to
# `prefix`: /etc for / and /usr, /etc/opt/NAME for /opt/NAME, else
# PREFIX/etc. An absolute one is taken as it is.
function(qsock_guard_policy_path out prefix sysconfdir)
  string(REGEX REPLACE "/+$" "" prefix "${prefix}")
  if(IS_ABSOLUTE "${sysconfdir}")
    set(dir "${sysconfdir}")
  elseif(prefix STREQUAL "" OR prefix STREQUAL "/usr")
    set(dir "/${sysconfdir}")
  elseif(prefix MATCHES "^/opt/")
    set(dir "/${sysconfdir}${prefix}")
  else()
    set(dir "${prefix}/${sysconfdir}")
  endif()
  set(${out} "${dir}/qsock/guard.toml" PARENT_SCOPE)
endfunction()

# At install time: `dist` is dist/ in the sources, `scratch` a directory of
# the build tree for the unit as written for this install.
function(qsock_guard_install dist scratch sysconfdir)
  string(REGEX REPLACE "/+$" "" prefix "${CMAKE_INSTALL_PREFIX}")
  qsock_guard_policy_path(QSOCK_GUARD_POLICY "${CMAKE_INSTALL_PREFIX}" "${sysconfdir}")
  # Where install(TARGETS qsock RUNTIME DESTINATION bin) puts the binary.
  set(QSOCK_BINDIR "${prefix}/bin")
  configure_file("${dist}/qsock-guard.service.in" "${scratch}/qsock-guard.service" @ONLY)
  file(INSTALL DESTINATION "${prefix}/lib/systemd/system" TYPE FILE
       FILES "${scratch}/qsock-guard.service")

  # The policy is the administrator's once it is in place: as dpkg keeps a
  # changed conffile, an install over a changed one keeps it (the default
  # stays in share/doc/qsock/examples/guard.toml).
  get_filename_component(policy_dir "${QSOCK_GUARD_POLICY}" DIRECTORY)
  set(installed "$ENV{DESTDIR}${QSOCK_GUARD_POLICY}")
  if(EXISTS "${installed}")
    file(READ "${installed}" now)
    file(READ "${dist}/guard.toml" default)
    if(NOT now STREQUAL default)
      message(STATUS "Keeping: ${installed} (changed; the default is in "
                     "${prefix}/share/doc/qsock/examples/guard.toml)")
      set(CMAKE_INSTALL_MANIFEST_FILES "${CMAKE_INSTALL_MANIFEST_FILES}" PARENT_SCOPE)
      return()
    endif()
  endif()
  file(INSTALL DESTINATION "${policy_dir}" TYPE FILE FILES "${dist}/guard.toml")
  # file(INSTALL) lists what it installed here, in this function's scope:
  # hand it on to install_manifest.txt.
  set(CMAKE_INSTALL_MANIFEST_FILES "${CMAKE_INSTALL_MANIFEST_FILES}" PARENT_SCOPE)
endfunction()
