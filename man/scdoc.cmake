# Runs scdoc < IN > OUT (scdoc reads only standard input); fails on any error.
# scdoc writes .nh before .TH, but the man macros' .TH turns hyphenation back
# on (register HY), so a reader's man(1) split words like "sys-tem" across
# lines: .nh again after .TH keeps every word whole. (Names with a hyphen can
# still break after it in running text; the generated option lists put each
# name on a line of its own.)
execute_process(COMMAND ${SCDOC} INPUT_FILE ${IN} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT})
  message(FATAL_ERROR "scdoc failed on ${IN}")
endif()
file(READ ${OUT} roff)
string(REGEX REPLACE "\n(\\.TH [^\n]*)\n" "\n\\1\n.nh\n" roff "${roff}")
if(NOT roff MATCHES "\n\\.TH [^\n]*\n\\.nh\n")
  file(REMOVE ${OUT})
  message(FATAL_ERROR "scdoc output of ${IN} has no .TH line to put .nh after")
endif()
file(WRITE ${OUT} "${roff}")
