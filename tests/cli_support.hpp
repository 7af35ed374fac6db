#pragma once
// For the black-box tests compiled into rtprov_cli_tests (which define RTPROV_BINARY and
// RTPROV_SOURCE_DIR): the binary under test, the source tree, and a runner.

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace rtprov::test {

inline const std::string kRtprov = RTPROV_BINARY;
inline const std::filesystem::path kSource = RTPROV_SOURCE_DIR;

// The station every rtprov a test runs records to (`rtprov write` keeps its production record
// there): a folder of this test process, removed at exit, never the user's station.
inline const std::filesystem::path kTestStation = [] {
    static std::string dir =
        (std::filesystem::temp_directory_path() / "rtprov-station-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr)
        std::abort();
    ::setenv("RTPROV_STATION_DIR", dir.c_str(), 1);
    std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    });
    return std::filesystem::path(dir);
}();

// Runs `rtprov ARGS` through the shell, capturing stdout, stderr and the exit code.
inline RunResult rtprov(const std::string& args) {
    return run_command(kRtprov + " " + args);
}

}  // namespace rtprov::test
