// POSIX fd helpers shared by uart_posix.cpp and socket_posix.cpp.

#include "posix_io.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::transport::detail {

bool wait_readable(int fd, std::chrono::milliseconds timeout, const std::string& who) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
        if (r > 0)
            return true;  // POLLHUP/POLLERR also end the wait; read() reports them
        if (r == 0)
            return false;
        if (errno != EINTR) {
            throw Error(ErrorCode::Device, fmt::format("{}: poll: {}", who, std::strerror(errno)));
        }
    }
}

void write_all(int fd, ByteView data, const std::string& who, bool socket) {
    std::size_t done = 0;
    while (done < data.size()) {
        const std::uint8_t* at = data.data() + done;
        const std::size_t left = data.size() - done;
        ssize_t n = socket ? ::send(fd, at, left, MSG_NOSIGNAL) : ::write(fd, at, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE || errno == ECONNRESET || errno == EIO) {  // EIO: pty hung up
                throw Error(ErrorCode::Device,
                            fmt::format("{}: connection closed by the device", who));
            }
            if (errno == EAGAIN) {
                pollfd p{fd, POLLOUT, 0};
                ::poll(&p, 1, 100);
                continue;
            }
            throw Error(ErrorCode::Device, fmt::format("{}: write: {}", who, std::strerror(errno)));
        }
        done += static_cast<std::size_t>(n);
    }
}

std::size_t read_some(int fd, std::span<std::uint8_t> buf, std::chrono::milliseconds timeout,
                      const std::string& who) {
    if (buf.empty())
        return 0;
    for (;;) {
        if (!wait_readable(fd, timeout, who))
            return 0;
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n > 0)
            return static_cast<std::size_t>(n);
        if (n == 0 || errno == EIO) {  // EIO: pty slave closed
            throw Error(ErrorCode::Device, fmt::format("{}: connection closed by the device", who));
        }
        if (errno == EINTR || errno == EAGAIN)
            continue;
        throw Error(ErrorCode::Device, fmt::format("{}: read: {}", who, std::strerror(errno)));
    }
}

void drain(int fd) {
    std::uint8_t buf[256];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
            return;
        if (::read(fd, buf, sizeof buf) <= 0)
            return;
    }
}

}  // namespace rtprov::transport::detail
