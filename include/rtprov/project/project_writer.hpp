#pragma once
// Writing a BuildSpec back as project-file text (what `rtprov convert` produces). The text parses
// back (parse_project) into the same settings.

#include <filesystem>
#include <string>
#include <string_view>

#include "rtprov/project/build_spec.hpp"

namespace rtprov::project {

// Project-file YAML for `spec`, to be saved at `project_path`: paths become relative to its
// folder when they share the folder's top-level directory, absolute otherwise. `header` is put
// first as '#' comment lines (one per line of it). Deterministic: the same spec gives the same
// text. Keys equal to their defaults are written anyway when they matter for reproducibility
// (padding, entry).
std::string format_project(const BuildSpec& spec, const std::filesystem::path& project_path,
                           std::string_view header);

}  // namespace rtprov::project
