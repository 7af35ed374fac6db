#include "rtprov/util/file.hpp"

#include <sys/stat.h>

#include <chrono>

#include <functional>

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov {
namespace {

using rtprov::test::TempDir;

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadInput) << e.what();
        return e.what();
    }
    return "no error";
}

TEST(ReadFileLimited, ReadsUpToTheLimitAndRefusesMore) {
    TempDir dir;
    test::write_text(dir / "ports.txt", "0123456789");
    EXPECT_EQ(read_file_limited(dir / "ports.txt", 10).size(), 10u);
    EXPECT_EQ(error_of([&] { read_file_limited(dir / "ports.txt", 9); }),
              (dir / "ports.txt").string() + ": larger than the limit of 9 bytes (1 MiB)");
    EXPECT_EQ(error_of([&] { read_file(dir / "missing"); }),
              (dir / "missing").string() + ": cannot open: No such file or directory");
    EXPECT_EQ(error_of([&] { read_file(dir.path()); }),
              dir.path().string() + ": cannot open: a folder");
}

// An endless device costs the limit and no more; it was read until memory ran out.
TEST(ReadFileLimited, DevZeroIsRefusedAtTheLimit) {
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of([] { read_file_limited("/dev/zero", kMaxListFile); }),
              "/dev/zero: larger than the limit of 1048576 bytes (1 MiB)");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

// Opening a FIFO nobody writes to does not wait for a writer: it reads as empty.
TEST(ReadFileLimited, AFifoWithoutWriterIsEmptyNotAHang) {
    TempDir dir;
    ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
    EXPECT_EQ(read_text_file(dir / "fifo"), "");
}

}  // namespace
}  // namespace rtprov
