#include "rtprov/util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

// Closes a descriptor and unlinks the temp file unless released.
class TempFile {
  public:
    explicit TempFile(std::filesystem::path path) : path_(std::move(path)) {}
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (fd_ >= 0)
            ::close(fd_);
        if (!released_)
            ::unlink(path_.c_str());
    }
    int fd_ = -1;
    bool released_ = false;
    std::filesystem::path path_;
};

struct OpenFd {
    explicit OpenFd(int f) : fd(f) {}
    OpenFd(const OpenFd&) = delete;
    OpenFd& operator=(const OpenFd&) = delete;
    ~OpenFd() { ::close(fd); }
    int fd;
};

}  // namespace

bool path_exists(const std::filesystem::path& path) noexcept {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

bool is_file(const std::filesystem::path& path) noexcept {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

Bytes read_file_limited(const std::filesystem::path& path, std::uint64_t max) {
    // O_NONBLOCK: opening a FIFO does not wait for a writer; reads block again below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: cannot open: {}", path.string(), errno_text()));
    }
    const OpenFd closer(fd);
    const auto too_big = [&] {
        return Error(ErrorCode::BadInput,
                     fmt::format("{}: larger than the limit of {} bytes ({} MiB)", path.string(),
                                 max, (max + (1 << 20) - 1) >> 20));
    };
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw Error(ErrorCode::Io, fmt::format("{}: cannot stat: {}", path.string(), errno_text()));
    if (S_ISDIR(st.st_mode))
        throw Error(ErrorCode::BadInput, fmt::format("{}: cannot open: a folder", path.string()));
    if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max)
        throw too_big();
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    Bytes data;
    if (S_ISREG(st.st_mode))
        data.reserve(static_cast<std::size_t>(st.st_size));
    constexpr std::size_t kChunk = 64 * 1024;
    for (;;) {
        const std::size_t at = data.size();
        // At most max + 1 bytes: one more than allowed tells a file that is too big.
        const std::uint64_t room = max + 1 - at;
        data.resize(at + static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, room)));
        const ssize_t n = ::read(fd, data.data() + at, data.size() - at);
        if (n < 0) {
            data.resize(at);
            if (errno == EINTR)
                continue;
            throw Error(ErrorCode::Io,
                        fmt::format("{}: read failed: {}", path.string(), errno_text()));
        }
        data.resize(at + static_cast<std::size_t>(n));
        if (data.size() > max)
            throw too_big();
        if (n == 0)
            return data;
    }
}

Bytes read_file(const std::filesystem::path& path) {
    return read_file_limited(path, kMaxInputFile);
}

std::string read_text_file(const std::filesystem::path& path, std::uint64_t max) {
    Bytes data = read_file_limited(path, max);
    return std::string(data.begin(), data.end());
}

void write_file_atomic(const std::filesystem::path& path, ByteView data, FileAccess access) {
    std::filesystem::path dir = path.parent_path();
    if (dir.empty())
        dir = ".";
    // An output's folder is made when missing (`-o out/signed.bin` in a fresh checkout).
    std::error_code made;
    if (!std::filesystem::exists(dir, made) &&
        !std::filesystem::create_directories(dir, made) && made) {
        throw Error(ErrorCode::Io, fmt::format("{}: cannot create its folder {}: {}",
                                               path.string(), dir.string(), made.message()));
    }
    std::random_device rd;
    TempFile tmp(dir / fmt::format(".{}.tmp{:08x}", path.filename().string(), rd()));
    const bool owner_only = access == FileAccess::Owner;
    tmp.fd_ = ::open(tmp.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                     owner_only ? 0600 : 0644);
    if (tmp.fd_ < 0) {
        tmp.released_ = true;  // nothing was created
        throw Error(ErrorCode::Io,
                    fmt::format("{}: cannot create: {}", path.string(), errno_text()));
    }
    // The rename replaces the target with the temporary file, permissions included: a secret is
    // 0600 exactly (the umask could have taken the owner's bits too), and a replaced ordinary
    // file keeps what its owner set.
    struct stat old {};
    if (owner_only || (::stat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode))) {
        const mode_t mode = owner_only ? 0600 : (old.st_mode & 07777);
        if (::fchmod(tmp.fd_, mode) != 0) {
            throw Error(ErrorCode::Io, fmt::format("{}: cannot set its permissions: {}",
                                                   path.string(), errno_text()));
        }
    }
    const std::uint8_t* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        ssize_t n = ::write(tmp.fd_, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(ErrorCode::Io,
                        fmt::format("{}: write failed: {}", path.string(), errno_text()));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(tmp.fd_) != 0) {
        throw Error(ErrorCode::Io,
                    fmt::format("{}: fsync failed: {}", path.string(), errno_text()));
    }
    int fd = tmp.fd_;
    tmp.fd_ = -1;
    if (::close(fd) != 0) {
        throw Error(ErrorCode::Io,
                    fmt::format("{}: close failed: {}", path.string(), errno_text()));
    }
    if (::rename(tmp.path_.c_str(), path.c_str()) != 0) {
        throw Error(ErrorCode::Io,
                    fmt::format("{}: cannot rename into place: {}", path.string(), errno_text()));
    }
    tmp.released_ = true;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view text,
                       FileAccess access) {
    write_file_atomic(
        path, ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), access);
}

}  // namespace rtprov
