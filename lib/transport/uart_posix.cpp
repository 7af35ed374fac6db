// UART transport on POSIX termios: raw 8N1, no flow control, poll()-based timeouts, and an
// exclusive flock on the tty for as long as it is open (port_lock.hpp). TIOCEXCL is not used:
// root ignores it, and on a pty the simulator keeps open it outlives a killed rtprov.

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "port_lock.hpp"
#include "posix_io.hpp"
#include "rtprov/transport/transport.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::transport {

namespace {

speed_t baud_constant(std::uint32_t baud) {
    switch (baud) {
        case 9600:
            return B9600;
        case 19200:
            return B19200;
        case 38400:
            return B38400;
        case 57600:
            return B57600;
        case 115200:
            return B115200;
        case 230400:
            return B230400;
        case 460800:
            return B460800;
        case 500000:
            return B500000;
        case 921600:
            return B921600;
        case 1000000:
            return B1000000;
        case 1500000:
            return B1500000;
        case 2000000:
            return B2000000;
        default:
            throw Error(ErrorCode::Usage,
                        fmt::format("unsupported baud rate {} (use 9600..2000000, e.g. 115200 or "
                                    "921600)",
                                    baud));
    }
}

class UartTransport : public Transport {
  public:
    UartTransport(int fd, std::string path, std::uint32_t baud)
        : fd_(fd), path_(std::move(path)), baud_(baud) {}
    ~UartTransport() override { ::close(fd_); }

    bool is_hid() const override { return false; }
    void write(ByteView data) override {
        detail::write_all(fd_, data, describe());
        ::tcdrain(fd_);
    }
    std::size_t read(std::span<std::uint8_t> buf, std::chrono::milliseconds timeout) override {
        return detail::read_some(fd_, buf, timeout, describe());
    }
    void flush() override {
        ::tcflush(fd_, TCIFLUSH);
        detail::drain(fd_);
    }
    void set_baud_rate(std::uint32_t baud) override {
        configure(fd_, baud, path_);
        baud_ = baud;
    }
    std::string describe() const override { return fmt::format("uart:{},{}", path_, baud_); }

    static void configure(int fd, std::uint32_t baud, const std::string& path) {
        const speed_t speed = baud_constant(baud);
        termios tio{};
        if (::tcgetattr(fd, &tio) != 0) {
            // Not a tty (e.g. a socket used in tests): nothing to configure.
            if (errno == ENOTTY || errno == EINVAL)
                return;
            throw Error(ErrorCode::Device,
                        fmt::format("uart:{}: tcgetattr: {}", path, std::strerror(errno)));
        }
        ::cfmakeraw(&tio);
        tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS | CSIZE);
        tio.c_cflag |= CS8 | CLOCAL | CREAD;
        tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
        tio.c_cc[VMIN] = 0;  // timeouts come from poll()
        tio.c_cc[VTIME] = 0;
        ::cfsetispeed(&tio, speed);
        ::cfsetospeed(&tio, speed);
        if (::tcsetattr(fd, TCSANOW, &tio) != 0) {
            throw Error(ErrorCode::Device, fmt::format("uart:{}: cannot set {} baud: {}", path,
                                                       baud, std::strerror(errno)));
        }
    }

  private:
    int fd_;
    std::string path_;
    std::uint32_t baud_;
};

}  // namespace

std::unique_ptr<Transport> open_uart(const std::string& path, std::uint32_t baud) {
    baud_constant(baud);  // reject bad speeds before touching the port
    int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        throw Error(ErrorCode::Device,
                    fmt::format("cannot open serial port {}: {}", path, std::strerror(errno)));
    }
    try {
        // Before anything is sent or its settings changed: another rtprov on the same port
        // would interleave its bytes with this one's (two writes to one board).
        detail::lock_port(fd, path);
        UartTransport::configure(fd, baud, path);
    } catch (...) {
        ::close(fd);
        throw;
    }
    auto t = std::make_unique<UartTransport>(fd, path, baud);
    t->flush();
    return t;
}

}  // namespace rtprov::transport
