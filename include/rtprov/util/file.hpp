#pragma once
// Whole-file reading and atomic writing. Output files are never left half-written: data goes to a
// temporary file in the same directory, is flushed to disk, then renamed over the target.

#include <filesystem>
#include <string_view>

#include "rtprov/util/bytes.hpp"

namespace rtprov {

// Whether `path` names something that exists / a regular file (symlinks followed). Never throw:
// a name the system cannot look up (too long, a part of it not a folder, no permission) counts as
// absent, and reading it reports why. Use these, not std::filesystem's throwing forms.
bool path_exists(const std::filesystem::path& path) noexcept;
bool is_file(const std::filesystem::path& path) noexcept;

// Reads a whole file. Throws Error(BadInput) naming the path when it is missing or unreadable.
Bytes read_file(const std::filesystem::path& path);

// Reads a whole file as text (same errors as read_file).
std::string read_text_file(const std::filesystem::path& path);

// Who may read a file that write_file_atomic writes.
enum class FileAccess {
    // A new file: 0644 less the umask. A file replaced keeps its permission bits (a rewrite never
    // opens up a file its owner closed).
    Default,
    // Private keys, key passwords, DEKs and other secrets: 0600 from the moment the temporary
    // file exists, whatever the umask and whatever the replaced file allowed.
    Owner,
};

// Writes `data` to `path` atomically (temp file + fsync + rename), with the permissions `access`
// gives. Throws Error(Io) on failure; the target is then untouched and no temporary file is left
// behind.
void write_file_atomic(const std::filesystem::path& path, ByteView data,
                       FileAccess access = FileAccess::Default);
void write_file_atomic(const std::filesystem::path& path, std::string_view text,
                       FileAccess access = FileAccess::Default);

}  // namespace rtprov
