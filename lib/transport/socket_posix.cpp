// Unix stream socket transports: the simulator's HID-report stream (sim:) and raw byte stream
// (sim-uart:). Also wraps any connected stream fd (socketpair, pty master) for tests.

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "posix_io.hpp"
#include "rtprov/transport/transport.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::transport {

namespace {

bool is_socket(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

class SocketTransport : public Transport {
  public:
    SocketTransport(int fd, bool hid, std::string description)
        : fd_(fd), hid_(hid), socket_(is_socket(fd)), description_(std::move(description)) {}
    ~SocketTransport() override { ::close(fd_); }

    bool is_hid() const override { return hid_; }

    void write(ByteView data) override {
        if (hid_)
            return Transport::write(data);
        detail::write_all(fd_, data, description_, socket_);
    }
    std::size_t read(std::span<std::uint8_t> buf, std::chrono::milliseconds timeout) override {
        if (hid_)
            return Transport::read(buf, timeout);
        return detail::read_some(fd_, buf, timeout, description_);
    }

    // Frame: u8 id | u16 LE length | payload (see transport.hpp).
    void write_report(std::uint8_t id, ByteView payload) override {
        if (!hid_)
            return Transport::write_report(id, payload);
        if (payload.size() > kMaxReportPayload) {
            throw Error(ErrorCode::Internal,
                        fmt::format("{}: report {} payload of {} bytes exceeds {}", description_,
                                    id, payload.size(), kMaxReportPayload));
        }
        Bytes frame(3 + payload.size());
        frame[0] = id;
        store_le16(frame.data() + 1, static_cast<std::uint16_t>(payload.size()));
        std::copy(payload.begin(), payload.end(), frame.begin() + 3);
        detail::write_all(fd_, frame, description_, socket_);
    }

    std::optional<HidReport> read_report(std::chrono::milliseconds timeout) override {
        if (!hid_)
            return Transport::read_report(timeout);
        for (;;) {
            auto r = read_frame(timeout, timeout);
            if (!r || !keep_descriptor(*r))
                return r;
        }
    }

    std::optional<UsbIdentity> usb_identity() override {
        // The descriptor is the first frame of a connection: look for it if nothing was read.
        if (hid_ && !identity_ && !looked_) {
            looked_ = true;
            const auto wait = std::chrono::milliseconds(200);
            if (auto r = read_frame(wait, wait); r && !keep_descriptor(*r))
                pending_ = std::move(r);
        }
        return identity_;
    }

    void flush() override {
        if (!hid_)
            return detail::drain(fd_);
        // Stale reports go; the device descriptor among them stays known (it may arrive while
        // the first command is being prepared, and a client flushes before every exchange).
        pending_.reset();
        while (auto r = read_frame(std::chrono::milliseconds(0), std::chrono::milliseconds(50)))
            keep_descriptor(*r);
    }
    std::string describe() const override { return description_; }

  private:
    static constexpr std::uint8_t kDescriptorId = 0;

    // True (and the identity kept) when `r` is the device descriptor, not a report.
    bool keep_descriptor(const HidReport& r) {
        if (r.id != kDescriptorId)
            return false;
        if (r.data.size() >= 4)
            identity_ = UsbIdentity{load_le16(r.data.data()), load_le16(r.data.data() + 2)};
        return true;
    }

    // The next frame: its first byte within `first`, the rest within `rest` of each other.
    std::optional<HidReport> read_frame(std::chrono::milliseconds first,
                                        std::chrono::milliseconds rest) {
        if (pending_)
            return std::exchange(pending_, std::nullopt);
        std::uint8_t header[3];
        if (!fill(std::span(header, 1), first, true))
            return std::nullopt;
        const auto timeout = rest;
        fill(std::span(header + 1, 2), timeout, false);
        const std::size_t len = load_le16(header + 1);
        if (len > kMaxReportPayload) {
            throw Error(ErrorCode::Device,
                        fmt::format("{}: report {} announces {} bytes, more than {}", description_,
                                    header[0], len, kMaxReportPayload));
        }
        HidReport r{header[0], Bytes(len)};
        fill(r.data, timeout, false);
        return r;
    }

    // Reads exactly buf.size() bytes; returns false only when `may_time_out` and nothing came.
    bool fill(std::span<std::uint8_t> buf, std::chrono::milliseconds timeout, bool may_time_out) {
        std::size_t done = 0;
        while (done < buf.size()) {
            std::size_t n = detail::read_some(fd_, buf.subspan(done), timeout, description_);
            if (n == 0) {
                if (may_time_out && done == 0)
                    return false;
                throw Error(ErrorCode::Device,
                            fmt::format("{}: timeout after {} ms inside a report frame",
                                        description_, timeout.count()));
            }
            done += n;
        }
        return true;
    }

    int fd_;
    bool hid_;
    bool socket_;  // false for a wrapped pty master
    std::string description_;
    std::optional<UsbIdentity> identity_;
    std::optional<HidReport> pending_;  // read while looking for the descriptor
    bool looked_ = false;
};

}  // namespace

std::unique_ptr<Transport> socket_transport_from_fd(int fd, bool hid, std::string description) {
    return std::make_unique<SocketTransport>(fd, hid, std::move(description));
}

std::unique_ptr<Transport> open_socket(const std::string& path, bool hid) {
    const std::string description = fmt::format("{}:{}", hid ? "sim" : "sim-uart", path);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        throw Error(ErrorCode::Usage, fmt::format("{}: socket path too long", description));
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw Error(ErrorCode::Device,
                    fmt::format("{}: socket: {}", description, std::strerror(errno)));
    }
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        int err = errno;
        ::close(fd);
        throw Error(ErrorCode::Device,
                    fmt::format("cannot connect to simulator at {}: {}", path, std::strerror(err)));
    }
    return socket_transport_from_fd(fd, hid, description);
}

}  // namespace rtprov::transport
