#pragma once
// For the black-box tests compiled into rtprov_cli_tests (which define RTPROV_BINARY and
// RTPROV_SOURCE_DIR): the binary under test, the source tree, and a runner.

#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace rtprov::test {

inline const std::string kRtprov = RTPROV_BINARY;
inline const std::filesystem::path kSource = RTPROV_SOURCE_DIR;

// Runs `rtprov ARGS` through the shell, capturing stdout, stderr and the exit code.
inline RunResult rtprov(const std::string& args) {
    return run_command(kRtprov + " " + args);
}

}  // namespace rtprov::test
