#pragma once
// Whole-file reading and atomic writing. Output files are never left half-written: data goes to a
// temporary file in the same directory, is flushed to disk, then renamed over the target.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "rtprov/util/bytes.hpp"

namespace rtprov {

// Whether `path` names something that exists / a regular file (symlinks followed). Never throw:
// a name the system cannot look up (too long, a part of it not a folder, no permission) counts as
// absent, and reading it reports why. Use these, not std::filesystem's throwing forms.
bool path_exists(const std::filesystem::path& path) noexcept;
bool is_file(const std::filesystem::path& path) noexcept;

// How much rtprov reads of one input file at most (docs/package-format.md, "Limits"): nothing it
// reads is bigger, so a file that is (a mistake, /dev/zero, a FIFO that never ends) is refused
// once this much has been read, before it fills the memory.
inline constexpr std::uint64_t kMaxInputFile = std::uint64_t{256} << 20;  // images, packages
inline constexpr std::uint64_t kMaxTextFile = std::uint64_t{16} << 20;    // projects, YAML, JSON
inline constexpr std::uint64_t kMaxCsvFile = std::uint64_t{64} << 20;     // per-board values
inline constexpr std::uint64_t kMaxKeyFile = std::uint64_t{1} << 20;      // keys, certificates
inline constexpr std::uint64_t kMaxListFile = std::uint64_t{1} << 20;     // port lists

// Reads a whole file of at most `max` bytes: reads at most max + 1 bytes (a regular file's size
// is checked first), so an endless device or pipe costs no more. Opening does not wait for a
// FIFO's writer. Throws Error(BadInput) naming the path when it is missing, a folder or
// unreadable, and "PATH: larger than the limit of N bytes (M MiB)" beyond `max`.
Bytes read_file_limited(const std::filesystem::path& path, std::uint64_t max);

// Reads a whole file (read_file_limited with kMaxInputFile).
Bytes read_file(const std::filesystem::path& path);

// Reads a whole file as text (read_file_limited with `max`, same errors).
std::string read_text_file(const std::filesystem::path& path, std::uint64_t max = kMaxTextFile);

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
// gives. A missing parent folder is created first. Throws Error(Io) on failure; the target is then
// untouched and no temporary file is left behind.
void write_file_atomic(const std::filesystem::path& path, ByteView data,
                       FileAccess access = FileAccess::Default);
void write_file_atomic(const std::filesystem::path& path, std::string_view text,
                       FileAccess access = FileAccess::Default);

}  // namespace rtprov
