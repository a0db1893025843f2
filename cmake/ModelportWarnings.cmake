# Warnings on for our own targets only (system headers such as libtorch stay quiet).
function(modelport_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
endfunction()
