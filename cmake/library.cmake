# libtokenfab: the embedding library (include/tokenfab/), shared with a
# versioned SONAME and static, and what `cmake --install` puts in a prefix:
# the library, the public headers, a CMake package (find_package(tokenfab))
# and a pkg-config file (pkg-config --cflags --libs tokenfab). The tokenfab
# binary is installed beside them.
include(GNUInstallDirs)
# Before 1.0 the ABI may change with the minor version, so the SONAME
# carries it (libtokenfab.so.0.1) and the CMake package matches on it.
set(FAB_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})

# The layers libtokenfab holds, top first (fab_api and what it links).
set(FAB_LIBRARY_LAYERS fab_api fab_engine fab_scheduler fab_runtime fab_kvcache fab_model fab_tokenizer
    fab_gguf fab_kernels fab_tensor fab_platform fab_base)
# System libraries they need, for static linking.
set(FAB_STATIC_DEPS boost_json pcre2-8 utf8proc xxhash)
list(TRANSFORM FAB_STATIC_DEPS PREPEND "-l" OUTPUT_VARIABLE FAB_STATIC_DEPS_FLAGS)
string(JOIN " " FAB_STATIC_DEPS_FLAGS ${FAB_STATIC_DEPS_FLAGS})

# Shared: every object of fab_api (the whole public surface), and whatever
# of the layers below it uses.
file(WRITE ${CMAKE_BINARY_DIR}/tokenfab_library.cc "// libtokenfab: see include/tokenfab/.\n")
add_library(tokenfab_shared SHARED ${CMAKE_BINARY_DIR}/tokenfab_library.cc)
target_link_libraries(tokenfab_shared PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,fab_api>")
# Exports only the public API (tf_* and tokenfab::); the engine's own symbols
# and the template instances it uses (Boost.JSON's among them) stay local.
target_link_options(tokenfab_shared PRIVATE -Wl,--no-undefined
                    -Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/libtokenfab.map)
set_target_properties(tokenfab_shared PROPERTIES LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/libtokenfab.map)
set_target_properties(tokenfab_shared PROPERTIES
  OUTPUT_NAME tokenfab
  VERSION ${PROJECT_VERSION}
  SOVERSION ${FAB_SOVERSION}
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)

# Static: one archive merging every layer's.
# "|"-separated: a CMake list would split into several arguments.
set(layer_archives "")
foreach(layer IN LISTS FAB_LIBRARY_LAYERS)
  list(APPEND layer_archives $<TARGET_FILE:${layer}>)
endforeach()
string(JOIN "|" layer_archives ${layer_archives})
set(FAB_STATIC_LIBRARY ${CMAKE_BINARY_DIR}/lib/libtokenfab.a)
add_custom_command(
  OUTPUT ${FAB_STATIC_LIBRARY}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/lib
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${FAB_STATIC_LIBRARY} -DAR=${CMAKE_AR} "-DINPUTS=${layer_archives}"
          -P ${PROJECT_SOURCE_DIR}/cmake/merge_archives.cmake
  DEPENDS ${FAB_LIBRARY_LAYERS} ${PROJECT_SOURCE_DIR}/cmake/merge_archives.cmake
  COMMENT "Merging the layers into libtokenfab.a"
  VERBATIM)
add_custom_target(tokenfab_static ALL DEPENDS ${FAB_STATIC_LIBRARY})

file(RELATIVE_PATH FAB_CONFIG_TO_PREFIX
     ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/cmake/tokenfab ${CMAKE_INSTALL_PREFIX})
configure_file(cmake/tokenfabConfig.cmake.in ${CMAKE_BINARY_DIR}/tokenfabConfig.cmake @ONLY)
include(CMakePackageConfigHelpers)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/tokenfabConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)

install(TARGETS tokenfab_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${FAB_STATIC_LIBRARY} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/tokenfab DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/tokenfabConfig.cmake ${CMAKE_BINARY_DIR}/tokenfabConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tokenfab)
# The .pc names its prefix relative to where it is installed, so the tree
# may move.
file(RELATIVE_PATH FAB_PC_TO_PREFIX
     ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
configure_file(cmake/tokenfab.pc.in ${CMAKE_BINARY_DIR}/tokenfab.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/tokenfab.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(TARGET tokenfab)
  install(TARGETS tokenfab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
