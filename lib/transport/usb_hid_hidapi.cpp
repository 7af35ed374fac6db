// USB-HID transport over hidapi (hidraw backend): report I/O with timeouts, enumeration.

#include <fcntl.h>
#include <hidapi.h>
#include <unistd.h>

#include <cwchar>
#include <mutex>

#include <fmt/format.h>

#include "rtprov/transport/transport.hpp"
#include "port_lock.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::transport {

namespace {

// hid_init() once per process; hid_exit() is left to process teardown (hidapi allows that).
bool hid_ready() {
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] { ok = ::hid_init() == 0; });
    return ok;
}

std::string narrow(const wchar_t* w) {
    std::string s;
    if (!w)
        return s;
    for (; *w; ++w)
        s += (*w < 0x80) ? static_cast<char>(*w) : '?';
    return s;
}

std::string hid_error_text(hid_device* d) {
    std::string s = narrow(::hid_error(d));
    return s.empty() ? "unknown hidapi error" : s;
}

class UsbHidTransport : public Transport {
  public:
    UsbHidTransport(hid_device* dev, std::string description, std::optional<UsbIdentity> id,
                    int lock_fd)
        : dev_(dev), description_(std::move(description)), id_(id), lock_fd_(lock_fd) {}
    ~UsbHidTransport() override {
        ::hid_close(dev_);
        if (lock_fd_ >= 0)
            ::close(lock_fd_);
    }
    UsbHidTransport(const UsbHidTransport&) = delete;
    UsbHidTransport& operator=(const UsbHidTransport&) = delete;

    bool is_hid() const override { return true; }

    void write_report(std::uint8_t id, ByteView payload) override {
        Bytes buf(1 + payload.size());
        buf[0] = id;
        std::copy(payload.begin(), payload.end(), buf.begin() + 1);
        if (::hid_write(dev_, buf.data(), buf.size()) < 0) {
            throw Error(ErrorCode::Device, fmt::format("{}: writing report {}: {}", description_,
                                                       id, hid_error_text(dev_)));
        }
    }

    std::optional<HidReport> read_report(std::chrono::milliseconds timeout) override {
        std::uint8_t buf[1 + kMaxReportPayload];
        int n = ::hid_read_timeout(dev_, buf, sizeof buf, static_cast<int>(timeout.count()));
        if (n < 0) {
            throw Error(ErrorCode::Device, fmt::format("{}: reading a report: {}", description_,
                                                       hid_error_text(dev_)));
        }
        if (n == 0)
            return std::nullopt;
        return HidReport{buf[0], Bytes(buf + 1, buf + n)};
    }

    void flush() override {
        std::uint8_t buf[1 + kMaxReportPayload];
        while (::hid_read_timeout(dev_, buf, sizeof buf, 0) > 0) {
        }
    }
    std::string describe() const override { return description_; }
    std::optional<UsbIdentity> usb_identity() override { return id_; }

  private:
    hid_device* dev_;
    std::string description_;
    std::optional<UsbIdentity> id_;
    int lock_fd_;  // holds the port's flock (or -1)
};

// One process per board, as for a UART (port_lock.hpp): an exclusive flock on the hidraw node
// through a descriptor of our own, held while the transport is open. hidapi's path is the
// device node (/dev/hidrawN) with the hidraw backend; another path is not locked. Returns -1
// when the node cannot be opened for locking (hidapi reports its own error).
int lock_hidraw(const std::string& path) {
    if (path.rfind("/dev/", 0) != 0)
        return -1;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    try {
        detail::lock_port(fd, path);
    } catch (...) {
        ::close(fd);
        throw;
    }
    return fd;
}

[[noreturn]] void no_hidapi() {
    throw Error(ErrorCode::Device, "cannot initialise hidapi (USB-HID access)");
}

std::unique_ptr<Transport> open_hid(const std::string& path, std::optional<UsbIdentity> id) {
    const int lock_fd = lock_hidraw(path);
    hid_device* dev = ::hid_open_path(path.c_str());
    if (!dev) {
        if (lock_fd >= 0)
            ::close(lock_fd);
        throw Error(ErrorCode::Device,
                    fmt::format("cannot open USB-HID device {} (missing device or permission; "
                                "see udev rules)",
                                path));
    }
    return std::make_unique<UsbHidTransport>(dev, fmt::format("usb:path={}", path), id, lock_fd);
}

// A device the caller found by enumerating: its identity is known already.
std::unique_ptr<Transport> open_found(const HidDeviceInfo& d) {
    return open_hid(d.path, UsbIdentity{d.vid, d.pid});
}

}  // namespace

std::unique_ptr<Transport> open_usb_hid(std::uint16_t vid, std::uint16_t pid,
                                        const std::string& serial) {
    if (!hid_ready())
        no_hidapi();
    for (const auto& d : enumerate_hid(vid, pid)) {
        if (!serial.empty() && d.serial != serial)
            continue;
        return open_found(d);
    }
    throw Error(ErrorCode::Device,
                fmt::format("no USB-HID device {:04x}:{:04x}{} found", vid, pid,
                            serial.empty() ? "" : fmt::format(" with serial '{}'", serial)));
}

std::unique_ptr<Transport> open_usb_hid_path(const std::string& path) {
    if (!hid_ready())
        no_hidapi();
    // Only a path: its identity comes from the enumeration.
    std::optional<UsbIdentity> id;
    for (const auto& d : enumerate_hid()) {
        if (d.path == path)
            id = UsbIdentity{d.vid, d.pid};
    }
    return open_hid(path, id);
}

std::unique_ptr<Transport> open_usb_hid_port(const std::string& port) {
    if (!hid_ready())
        no_hidapi();
    for (const auto& d : enumerate_hid()) {
        if (d.port == port)
            return open_found(d);
    }
    throw Error(ErrorCode::Device, fmt::format("no USB-HID device at USB port {}", port));
}

std::vector<HidDeviceInfo> enumerate_hid(std::uint16_t vid, std::uint16_t pid) {
    std::vector<HidDeviceInfo> found;
    if (!hid_ready())
        return found;
    hid_device_info* list = ::hid_enumerate(vid, pid);
    for (hid_device_info* d = list; d; d = d->next) {
        if (vid != 0 && (d->vendor_id != vid || d->product_id != pid))
            continue;
        const std::string path = d->path ? d->path : "";
        found.push_back({d->vendor_id, d->product_id, narrow(d->serial_number), path,
                         narrow(d->product_string), usb_port_of(path)});
    }
    ::hid_free_enumeration(list);
    return found;
}

}  // namespace rtprov::transport
