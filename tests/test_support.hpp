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

#ifdef RTPROV_SOURCE_DIR
// The RT1020-EVK example project copied into `dir` (project.yaml and app/blinky.srec, the file it
// names); returns the copied project file.
inline std::filesystem::path copy_example(const std::filesystem::path& dir) {
    const std::filesystem::path example =
        std::filesystem::path(RTPROV_SOURCE_DIR) / "examples/rt1020-evk";
    std::filesystem::create_directories(dir / "app");
    std::filesystem::copy_file(example / "project.yaml", dir / "project.yaml");
    std::filesystem::copy_file(example / "app/blinky.srec", dir / "app/blinky.srec");
    return dir / "project.yaml";
}
#endif

}  // namespace rtprov::test
