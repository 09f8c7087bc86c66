# sipscope_module(TARGET FOLDER): TARGET exposes only its own headers, as "FOLDER/x.hpp".
# The build tree gets include/FOLDER/FOLDER -> the source folder; TARGET (and whatever
# links it) sees that one folder, so an include of a module not linked fails to compile.
function(sipscope_module target folder)
  set(dir "${PROJECT_BINARY_DIR}/include/${folder}")
  file(MAKE_DIRECTORY "${dir}")
  file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${folder}" "${dir}/${folder}" SYMBOLIC)
  get_target_property(kind ${target} TYPE)
  if(kind STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE "${dir}")
  else()
    target_include_directories(${target} PUBLIC "${dir}")
  endif()
endfunction()
