#pragma once
// Helpers for the input unit tests: deterministic data, image comparison, catching rtprov errors
// and finding the GNU binutils used as an independent implementation.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "rtprov/input/memory_image.hpp"
#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::input::test {

// Deterministic pseudo-random bytes (xorshift32), different for each seed.
inline Bytes pattern(std::size_t size, std::uint32_t seed = 1) {
    Bytes out(size);
    std::uint32_t x = 0x9E3779B9u ^ seed;
    for (auto& b : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::uint8_t>(x);
    }
    return out;
}

inline ByteView bytes_of(std::string_view text) {
    return ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// Same segments (address and bytes) and the same entry point; otherwise says the first difference.
inline ::testing::AssertionResult same_image(const MemoryImage& a, const MemoryImage& b) {
    const auto& sa = a.segments();
    const auto& sb = b.segments();
    if (sa.size() != sb.size()) {
        return ::testing::AssertionFailure()
               << "segment counts differ: " << sa.size() << " vs " << sb.size();
    }
    for (std::size_t i = 0; i < sa.size(); ++i) {
        if (sa[i].address != sb[i].address || sa[i].data.size() != sb[i].data.size()) {
            return ::testing::AssertionFailure() << fmt::format(
                       "segment {}: 0x{:08X} + {} bytes vs 0x{:08X} + {} bytes", i, sa[i].address,
                       sa[i].data.size(), sb[i].address, sb[i].data.size());
        }
        const auto diff = std::mismatch(sa[i].data.begin(), sa[i].data.end(), sb[i].data.begin());
        if (diff.first != sa[i].data.end()) {
            return ::testing::AssertionFailure()
                   << fmt::format("segment {}: first different byte at 0x{:08X}", i,
                                  sa[i].address + (diff.first - sa[i].data.begin()));
        }
    }
    if (a.entry_point != b.entry_point) {
        return ::testing::AssertionFailure()
               << fmt::format("entry points differ: {} vs {}",
                              a.entry_point ? fmt::format("0x{:08X}", *a.entry_point) : "none",
                              b.entry_point ? fmt::format("0x{:08X}", *b.entry_point) : "none");
    }
    return ::testing::AssertionSuccess();
}

// The full message of the rtprov::Error that fn() throws, or "<no error>".
template <typename Fn>
std::string error_of(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "<no error>";
}

// The code of the rtprov::Error that fn() throws; fails the test when nothing is thrown.
template <typename Fn>
ErrorCode error_code_of(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.code();
    }
    ADD_FAILURE() << "expected an rtprov::Error";
    return ErrorCode::Internal;
}

// True when `tool` (objcopy, ld, readelf) can be run.
inline bool have_tool(const std::string& tool) {
    return rtprov::test::run_command("command -v " + tool).exit_code == 0;
}

// Runs a command line and fails the test (returning false) when it does not exit 0.
inline ::testing::AssertionResult run_ok(const std::string& command_line) {
    const auto r = rtprov::test::run_command(command_line);
    if (r.exit_code == 0)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << command_line << " exited " << r.exit_code << ": " << r.err;
}

}  // namespace rtprov::input::test
