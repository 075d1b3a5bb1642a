# One bounded fuzz run for ctest (label `fuzz`):
#   cmake -DFUZZER=<exe> -DCORPUS=<seed dir> -DWORK=<scratch dir> -DSECONDS=<n> [-DDICT=<file>] -P run_fuzz.cmake
# Fails on a non-zero exit (crash, sanitizer report, leak, timeout > 10 s per input, RSS > 2 GB,
# a single malloc > 256 MB) or any artifact libFuzzer left; prints how to replay it.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(COPY "${CORPUS}/" DESTINATION "${WORK}/corpus")
set(args -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256
         -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/)
if(DICT)
  list(APPEND args -dict=${DICT})
endif()
execute_process(COMMAND "${FUZZER}" ${args} "${WORK}/corpus" RESULT_VARIABLE rc)
file(GLOB artifacts "${WORK}/artifacts/*")
if(NOT rc EQUAL 0 OR artifacts)
  message(FATAL_ERROR "${FUZZER} exited with ${rc}; reproducers: ${artifacts}\n"
                      "replay one with: ${FUZZER} <reproducer>")
endif()
