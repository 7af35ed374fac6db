#pragma once
// Reading a YAML file whose top level is a mapping (project files, BEE key files, SB command files,
// SPSDK configurations), with every yaml-cpp exception turned into rtprov's own error.

#include <filesystem>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "rtprov/util/error.hpp"

namespace rtprov::project {

// Parses `text` (the contents of `path`) and returns read(root mapping). A syntax error, a top
// level that is not a mapping, and any yaml-cpp exception that escapes `read` (a conversion or
// subscript the reader did not guard: the file's fault, as fuzzing showed) become
// Error(BadInput) "PATH:LINE:COLUMN: message".
template <class Read>
auto read_yaml_mapping(std::string_view text, const std::filesystem::path& path, Read&& read) {
    try {
        const YAML::Node root = YAML::Load(std::string(text));
        if (!root.IsMap())
            throw Error(ErrorCode::BadInput, fmt::format("{}: not a YAML mapping", path.string()));
        return read(root);
    } catch (const YAML::Exception& e) {
        if (e.mark.is_null())
            throw Error(ErrorCode::BadInput, fmt::format("{}: {}", path.string(), e.msg));
        throw Error(ErrorCode::BadInput, fmt::format("{}:{}:{}: {}", path.string(), e.mark.line + 1,
                                                     e.mark.column + 1, e.msg));
    }
}

}  // namespace rtprov::project
