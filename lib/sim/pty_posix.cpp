#include "pty_posix.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::sim::detail {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw Error(ErrorCode::Device, fmt::format("pty: {}: {}", what, std::strerror(errno)));
}

}  // namespace

Pty::Pty() {
    master_ = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (master_ < 0)
        fail("posix_openpt");
    if (grantpt(master_) != 0 || unlockpt(master_) != 0)
        fail("unlockpt");
    const char* name = ptsname(master_);
    if (name == nullptr)
        fail("ptsname");
    slave_path_ = name;
    slave_ = ::open(name, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (slave_ < 0)
        fail(fmt::format("open {}", slave_path_));
    termios tio{};
    if (tcgetattr(slave_, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(slave_, TCSANOW, &tio);
    }
}

Pty::~Pty() {
    if (slave_ >= 0)
        ::close(slave_);
    if (master_ >= 0)
        ::close(master_);
}

std::size_t Pty::read(std::span<std::uint8_t> buf, std::chrono::milliseconds timeout) {
    pollfd p{master_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r < 0 && errno != EINTR)
        fail("poll");
    if (r <= 0 || (p.revents & POLLIN) == 0)
        return 0;
    const ssize_t n = ::read(master_, buf.data(), buf.size());
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR || errno == EIO)
            return 0;
        fail("read");
    }
    return static_cast<std::size_t>(n);
}

void Pty::write(ByteView data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(master_, data.data() + done, data.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            fail("write");
        pollfd p{master_, POLLOUT, 0};
        if (::poll(&p, 1, 2000) == 0)
            return;  // nobody reads the slave: the bytes are lost, as on an unplugged cable
    }
}

void make_symlink(const std::string& target, const std::string& link) {
    std::error_code ec;
    const std::filesystem::path tmp = link + ".tmp";
    std::filesystem::remove(tmp, ec);
    std::filesystem::create_symlink(target, tmp, ec);
    if (!ec)
        std::filesystem::rename(tmp, link, ec);
    if (ec)
        throw Error(ErrorCode::Io,
                    fmt::format("{}: cannot link to {}: {}", link, target, ec.message()));
}

}  // namespace rtprov::sim::detail
