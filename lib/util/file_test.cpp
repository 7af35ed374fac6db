#include "rtprov/util/file.hpp"

#include <sys/stat.h>

#include <chrono>

#include <functional>

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov {
namespace {

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

// Sets a permissive umask for one test and restores the caller's.
class Umask {
  public:
    explicit Umask(mode_t mask) : old_(::umask(mask)) {}
    ~Umask() { ::umask(old_); }
    Umask(const Umask&) = delete;
    Umask& operator=(const Umask&) = delete;

  private:
    mode_t old_;
};

TEST(WriteFileAtomic, SecretsAre0600OnCreateAndOnRewrite) {
    const Umask permissive(022);
    test::TempDir t;
    const auto key = t / "key.pem";
    write_file_atomic(key, std::string_view("secret"), FileAccess::Owner);
    EXPECT_EQ(mode_of(key), 0600u);
    // Over a file anyone may read, as `keys --force` rewrites an old PKI.
    ::chmod(key.c_str(), 0644);
    write_file_atomic(key, std::string_view("new secret"), FileAccess::Owner);
    EXPECT_EQ(mode_of(key), 0600u);
    EXPECT_EQ(read_text_file(key), "new secret");
    // Even a umask that removes the owner's own bits gives exactly 0600.
    const Umask strict(0277);
    write_file_atomic(key, std::string_view("again"), FileAccess::Owner);
    EXPECT_EQ(mode_of(key), 0600u);
}

TEST(WriteFileAtomic, ARewriteKeepsThePermissionsOfTheFileItReplaces) {
    const Umask permissive(022);
    test::TempDir t;
    const auto file = t / "out.bin";
    write_file_atomic(file, std::string_view("one"));
    EXPECT_EQ(mode_of(file), 0644u);
    ::chmod(file.c_str(), 0600);
    write_file_atomic(file, std::string_view("two"));
    EXPECT_EQ(mode_of(file), 0600u);
    ::chmod(file.c_str(), 0755);
    write_file_atomic(file, std::string_view("three"));
    EXPECT_EQ(mode_of(file), 0755u);
    EXPECT_EQ(read_text_file(file), "three");
}

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
