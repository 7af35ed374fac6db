#pragma once
// For the black-box tests compiled into rtprov_cli_tests (which define RTPROV_BINARY and
// RTPROV_SOURCE_DIR): the binary under test, the source tree, and a runner.

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

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

// Bytes as lowercase hex.
inline std::string hex_of(ByteView b) {
    std::string s;
    for (const auto c : b)
        s += fmt::format("{:02x}", c);
    return s;
}

// Every entry of a zip as a line "name hex-of-its-bytes", read with Python's zipfile (not
// rtprov's reader): what an unzip of the package holds, for tests that look for key bytes.
inline std::string zip_entries_hex(const std::filesystem::path& zip) {
    const auto r = run_command(
        "python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
        "print('\\n'.join(n + ' ' + z.read(n).hex() for n in z.namelist()))\" " +
        zip.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

// The inputs of the write projects of the end-to-end tests, written into `dir`: app.bin, a
// 40 KiB RT1020 XIP app for 0x60002000 (vector table, then a pattern), and fl.bin, a
// flashloader stand-in built by `rtprov build` for the serial downloader at 0x20208400.
inline void write_rt1020_app_and_flashloader(const std::filesystem::path& dir) {
    Bytes app(40 * 1024);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>((i * 7919) >> 3);
    store_le32(app.data(), 0x20020000);
    store_le32(app.data() + 4, 0x60002101);
    write_bytes(dir / "app.bin", app);
    Bytes fl(4096, 0);
    store_le32(fl.data(), 0x20020000);
    store_le32(fl.data() + 4, 0x20208501);
    write_bytes(dir / "flapp.bin", fl);
    const auto r =
        rtprov(fmt::format("build --device mimxrt1020 --boot-device serial-downloader --app {} "
                           "--app-address 0x20208400 -o {}",
                           (dir / "flapp.bin").string(), (dir / "fl.bin").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace rtprov::test
