# `cmake --install build --prefix P`: a relocatable install (docs in README "Install").
#   P/bin/modelport
#   P/libexec/modelport-torch                                                  the same, with libtorch
#   P/share/modelport/{ort_run.js, tfjs_run.js, real_models/tfjs_model_io.js}   the verify runners
#   P/share/modelport/runtime/{package.json, package-lock.json, node_modules}  their npm packages
#   P/share/man/man1/modelport.1.gz                                            from --help (help2man)
#   P/include/modelport/*.h, P/lib/libmodelport_*.a                            the library
#   P/lib/cmake/modelport/modelportConfig.cmake                                find_package(modelport)
# The binary finds share/modelport from its own location (src/verify/runtime_dir.h).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The library as one target for consumers: modelport::modelport (the static libraries below).
add_library(modelport_library INTERFACE)
set_target_properties(modelport_library PROPERTIES EXPORT_NAME modelport)
target_link_libraries(modelport_library INTERFACE modelport_pipeline)

install(TARGETS modelport RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
# modelport re-executes it for TorchScript models (src/cli/torch_front.h); from libexec,
# ../share/modelport is the same directory as from bin.
install(TARGETS modelport-torch RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR} COMPONENT runtime)
install(TARGETS modelport_library modelport_pipeline modelport_loaders modelport_loader_torchscript
                modelport_loader_savedmodel modelport_loader_keras modelport_loader_tfjs modelport_tf_proto
                modelport_core
        EXPORT modelportTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
install(DIRECTORY include/modelport DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)
set(MODELPORT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/modelport)
install(EXPORT modelportTargets NAMESPACE modelport:: DESTINATION ${MODELPORT_CMAKE_DIR} COMPONENT development)
configure_package_config_file(cmake/modelportConfig.cmake.in ${CMAKE_BINARY_DIR}/modelportConfig.cmake
                              INSTALL_DESTINATION ${MODELPORT_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/modelportConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/modelportConfig.cmake ${CMAKE_BINARY_DIR}/modelportConfigVersion.cmake
        DESTINATION ${MODELPORT_CMAKE_DIR} COMPONENT development)

# The verify runtime: the runners and the npm packages tools/setup.sh installed with `npm ci` from
# the committed lockfile (tools/runtime/node_modules), without source maps and without the ONNX
# Runtime binaries of other systems (onnxruntime-node ships darwin, win32 and linux arm64/x64).
set(MODELPORT_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/modelport)
# (Its real path: a node_modules that is a symlink is installed as the files, not as the link.)
file(REAL_PATH ${PROJECT_SOURCE_DIR}/tools/runtime/node_modules MODELPORT_NODE_MODULES)
install(FILES tools/ort_run.js tools/tfjs_run.js DESTINATION ${MODELPORT_SHARE_DIR} COMPONENT runtime)
install(FILES tools/real_models/tfjs_model_io.js DESTINATION ${MODELPORT_SHARE_DIR}/real_models COMPONENT runtime)
install(FILES tools/runtime/package.json tools/runtime/package-lock.json DESTINATION ${MODELPORT_SHARE_DIR}/runtime COMPONENT runtime)
install(CODE "
  if(NOT EXISTS \"${MODELPORT_NODE_MODULES}/onnxruntime-node/package.json\")
    message(FATAL_ERROR \"${MODELPORT_NODE_MODULES}: no npm runtime to install (run tools/setup.sh)\")
  endif()" COMPONENT runtime)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(MODELPORT_ORT_OTHER_ARCH x64)
else()
  set(MODELPORT_ORT_OTHER_ARCH arm64)
endif()
install(DIRECTORY ${MODELPORT_NODE_MODULES}/ DESTINATION ${MODELPORT_SHARE_DIR}/runtime/node_modules COMPONENT runtime
        USE_SOURCE_PERMISSIONS
        PATTERN "*.map" EXCLUDE
        REGEX "/onnxruntime-node/bin/napi-v[0-9]+/(darwin|win32)$" EXCLUDE
        REGEX "/onnxruntime-node/bin/napi-v[0-9]+/linux/${MODELPORT_ORT_OTHER_ARCH}$" EXCLUDE)

# The man page, generated from --help, --version and each command's --help (help2man, which
# tools/setup.sh installs; cmake/man_commands.sh), gzipped as Debian installs man pages.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/modelport.1.gz
    COMMAND sh ${PROJECT_SOURCE_DIR}/cmake/man_commands.sh $<TARGET_FILE:modelport> ${CMAKE_BINARY_DIR}/modelport.h2m
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --name "convert TorchScript, TensorFlow and Keras models to ONNX"
            --include ${CMAKE_BINARY_DIR}/modelport.h2m --output ${CMAKE_BINARY_DIR}/modelport.1 $<TARGET_FILE:modelport>
    COMMAND gzip -9nf ${CMAKE_BINARY_DIR}/modelport.1
    DEPENDS modelport cmake/man_commands.sh VERBATIM COMMENT "help2man modelport.1")
  add_custom_target(modelport_man ALL DEPENDS ${CMAKE_BINARY_DIR}/modelport.1.gz)
  install(FILES ${CMAKE_BINARY_DIR}/modelport.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
else()
  message(STATUS "help2man not found: no man page (tools/setup.sh installs it)")
endif()
