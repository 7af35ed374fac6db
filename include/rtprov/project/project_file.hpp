#pragma once
// The project file (YAML): the same settings as the command line, kept beside the sources.
// Paths inside it are relative to the project file's folder. See examples/*/project.yaml.

#include <filesystem>
#include <string_view>

#include "rtprov/project/build_spec.hpp"

namespace rtprov::project {

// Parses project-file text. `path` names the file in errors and anchors relative paths.
// Unknown keys are errors (a typo must not silently drop a setting).
BuildSpec parse_project(std::string_view yaml_text, const std::filesystem::path& path);

// Reads and parses a project file.
BuildSpec load_project(const std::filesystem::path& path);

}  // namespace rtprov::project
