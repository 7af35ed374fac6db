#pragma once
// Test helper: the device end of a link as raw bytes on an fd (pty master or socketpair end), so
// client tests exchange real bytes with a scripted responder thread instead of mocking classes.

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "rtprov/util/bytes.hpp"

namespace rtprov::testing {

class RawEnd {
  public:
    explicit RawEnd(int fd) : fd_(fd) {}
    ~RawEnd() { close(); }
    RawEnd(const RawEnd&) = delete;
    RawEnd& operator=(const RawEnd&) = delete;
    void close() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    int fd() const { return fd_; }

    // Reads exactly n bytes (throws std::runtime_error after 5 s or on EOF).
    Bytes read(std::size_t n) {
        Bytes out(n);
        std::size_t done = 0;
        while (done < n) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0)
                throw std::runtime_error("responder: read timeout");
            ssize_t r = ::read(fd_, out.data() + done, n - done);
            if (r <= 0)
                throw std::runtime_error("responder: peer closed");
            done += static_cast<std::size_t>(r);
        }
        return out;
    }
    void write(ByteView b) {
        std::size_t done = 0;
        while (done < b.size()) {
            ssize_t r = ::write(fd_, b.data() + done, b.size() - done);
            if (r <= 0)
                throw std::runtime_error("responder: write failed");
            done += static_cast<std::size_t>(r);
        }
    }
    // sim: socket framing: u8 id | u16 LE len | payload.
    std::pair<std::uint8_t, Bytes> read_report() {
        Bytes h = read(3);
        return {h[0], read(load_le16(h.data() + 1))};
    }
    void write_report(std::uint8_t id, ByteView payload) {
        Bytes f{id, 0, 0};
        store_le16(f.data() + 1, static_cast<std::uint16_t>(payload.size()));
        f.insert(f.end(), payload.begin(), payload.end());
        write(f);
    }

  private:
    int fd_;
};

// A connected socketpair: {client fd, device fd}.
inline std::pair<int, int> make_socketpair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        throw std::runtime_error("socketpair failed");
    }
    return {sv[0], sv[1]};
}

// A pty pair: {master fd, slave path}. The master stays raw so bytes pass unchanged.
inline std::pair<int, std::string> make_pty() {
    int m = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || ::grantpt(m) != 0 || ::unlockpt(m) != 0)
        throw std::runtime_error("no pty");
    return {m, ::ptsname(m)};
}

}  // namespace rtprov::testing
