#pragma once
// `rtprov mboot batch FILE`: a file of blhost command lines, as blhost's own `batch` reads it
// (one command per line, shell-style words and quotes, '#' starts a comment).

#include <filesystem>
#include <string>
#include <vector>

#include "device_ops.hpp"

namespace rtprov::cli {

struct BatchLine {
    std::size_t line = 0;  // 1-based
    const DeviceOp* op = nullptr;
    std::vector<std::string> args;
};

// The words of one line: split at blanks, '...' and "..." quote, backslash escapes outside
// single quotes, '#' outside quotes ends the line. Throws Error(BadInput) for an open quote.
std::vector<std::string> split_command_line(std::string_view line);

// Reads and checks every line of `path` before anything runs: each command must be one of
// `options`' ops (not batch itself) with a valid argument count. Throws Error(BadInput)
// "FILE:LINE: unknown command 'X' (did you mean 'Y'?)" and the like; Error(Io) when unreadable.
std::vector<BatchLine> read_batch(const std::filesystem::path& path,
                                  const DeviceOpOptions& options);

}  // namespace rtprov::cli
