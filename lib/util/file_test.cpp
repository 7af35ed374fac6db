#include "rtprov/util/file.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace rtprov
