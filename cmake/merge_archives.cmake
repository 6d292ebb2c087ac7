# cmake -DOUTPUT=libx.a -DAR=ar -DINPUTS="a.a|b.a" -P merge_archives.cmake:
# one static library holding every object of INPUTS (GNU ar's MRI script).
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(script "CREATE ${OUTPUT}\n")
foreach(input IN LISTS INPUTS)
  string(APPEND script "ADDLIB ${input}\n")
endforeach()
string(APPEND script "SAVE\nEND\n")
file(WRITE "${OUTPUT}.mri" "${script}")
file(REMOVE "${OUTPUT}")
execute_process(COMMAND "${AR}" -M INPUT_FILE "${OUTPUT}.mri" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "merging ${INPUTS} into ${OUTPUT} failed: ${result}")
endif()
