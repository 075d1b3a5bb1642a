# Writes OUT with the git commit of SRC (and a hash of uncommitted changes); rewrites only when it
# changed (no needless rebuilds).
execute_process(COMMAND git -C "${SRC}" rev-parse --short=12 HEAD
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
endif()
execute_process(COMMAND git -C "${SRC}" status --porcelain --untracked-files=no
  OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT dirty STREQUAL "")
  # Two builds of the same commit with different uncommitted changes must not pass for one another
  # (records made by one are not reused by the other): name the diff too.
  execute_process(COMMAND git -C "${SRC}" diff HEAD OUTPUT_VARIABLE diff ERROR_QUIET)
  string(SHA256 diff_hash "${diff}")
  string(SUBSTRING "${diff_hash}" 0 8 diff_hash)
  set(commit "${commit}-dirty.${diff_hash}")
endif()
set(content "#pragma once\nnamespace nrc::build {\ninline constexpr const char* git_commit = \"${commit}\";\ninline constexpr const char* version = \"${VERSION}\";\n}\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL content)
  file(WRITE "${OUT}" "${content}")
endif()
