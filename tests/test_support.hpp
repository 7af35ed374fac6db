#pragma once
// Helpers shared by the test suites: temporary directories, the vectors folder, running the
// rtprov binary.

#include <filesystem>
#include <optional>
#include <string>

#include "rtprov/util/bytes.hpp"

namespace rtprov::test {

// A fresh directory removed at the end of the test.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

// $RTPROV_VECTORS, or nullopt when unset (the compatibility tests then GTEST_SKIP).
std::optional<std::filesystem::path> vectors_dir();

// Writes bytes or text to a file (test set-up only).
void write_bytes(const std::filesystem::path& path, ByteView data);
void write_text(const std::filesystem::path& path, const std::string& text);

struct RunResult {
    int exit_code;
    std::string out;
    std::string err;
};

// Runs a shell command line, capturing stdout and stderr.
RunResult run_command(const std::string& command_line);

}  // namespace rtprov::test
