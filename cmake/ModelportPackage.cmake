# `cpack -G DEB` (in the build directory): modelport_<version>_amd64.deb with the runtime component
# of cmake/ModelportInstall.cmake under /usr: bin/modelport, libexec/modelport-torch, share/modelport (the runners and their
# npm packages), the man page. Depends: the Debian packages of the libraries the binary links
# (dpkg-shlibdeps, from dpkg-dev: cmake/ModelportDebDepends.cmake.in), and nodejs, which runs the
# verify runners.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME modelport)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "convert TorchScript, TensorFlow and Keras models to ONNX")
set(CPACK_PACKAGE_DESCRIPTION "modelport converts TorchScript archives, TensorFlow SavedModels and frozen
GraphDefs, Keras HDF5/.keras files and TensorFlow.js models to ONNX, and verifies each export in
ONNX Runtime against an independent reference (libtorch or TensorFlow.js).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "modelport maintainers <modelport@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# libtorch runs on whichever libblas.so.3 is installed; OpenBLAS makes verify's reference runs fast.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS libopenblas0-pthread)
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/ModelportDebDepends.cmake INPUT ${CMAKE_CURRENT_LIST_DIR}/ModelportDebDepends.cmake.in)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/ModelportDebDepends.cmake)  # sets the Depends
include(CPack)
