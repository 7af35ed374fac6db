#include "listen_socket_posix.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::sim::detail {

ListenSocket::ListenSocket(std::string path) : path_(std::move(path)) {
    sockaddr_un addr{};
    if (path_.size() >= sizeof(addr.sun_path))
        throw Error(ErrorCode::Usage, fmt::format("--hid {}: path too long for a Unix socket "
                                                  "({} bytes at most)",
                                                  path_, sizeof(addr.sun_path) - 1));
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
        throw Error(ErrorCode::Device, fmt::format("socket: {}", std::strerror(errno)));
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    ::unlink(path_.c_str());
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 1) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        throw Error(ErrorCode::Device, fmt::format("{}: cannot listen: {}", path_, why));
    }
}

ListenSocket::~ListenSocket() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
}

int ListenSocket::accept(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
        return -1;
    return ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
}

}  // namespace rtprov::sim::detail
