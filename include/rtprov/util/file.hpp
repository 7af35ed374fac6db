#pragma once
// Whole-file reading and atomic writing. Output files are never left half-written: data goes to a
// temporary file in the same directory, is flushed to disk, then renamed over the target.

#include <filesystem>
#include <string_view>

#include "rtprov/util/bytes.hpp"

namespace rtprov {

// Reads a whole file. Throws Error(BadInput) naming the path when it is missing or unreadable.
Bytes read_file(const std::filesystem::path& path);

// Reads a whole file as text (same errors as read_file).
std::string read_text_file(const std::filesystem::path& path);

// Writes `data` to `path` atomically (temp file + fsync + rename). Throws Error(Io) on failure;
// the target is then untouched and no temporary file is left behind.
void write_file_atomic(const std::filesystem::path& path, ByteView data);
void write_file_atomic(const std::filesystem::path& path, std::string_view text);

}  // namespace rtprov
