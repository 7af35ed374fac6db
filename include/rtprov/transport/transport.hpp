#pragma once
// The link to a chip, behind one small interface: a UART is a byte stream, USB-HID is a stream of
// reports (report id + payload). Protocols (rtprov::proto) talk only to this interface; the
// simulator (rtprov::sim) serves the same wire over a Unix socket, so protocol code runs unchanged
// against a pty, a socket or real hardware. Transports never include protocol code.
//
// URIs accepted by open_transport():
//   uart:/dev/ttyACM0[,115200]     serial port, 8N1 raw; default 115200 baud
//   usb:1fc9:0130[,SERIAL]         first USB-HID device with this VID:PID (hex) [and serial number]
//   usb:path=/dev/hidraw3          USB-HID device by hidapi path
//   usb:port=1-1.2                 the USB-HID device plugged into USB port 1-1.2 (bus 1, hub
//                                  port 1, its port 2; sysfs names): whatever it enumerates as,
//                                  boot ROM or flashloader. Stable on a fixture, unlike hidraw
//                                  numbers and serial numbers: the way to address parallel rigs.
//   sim:/run/rtprov-sim.sock       HID-report stream over a Unix stream socket (framing below)
//   sim-uart:/run/rtprov-sim.sock  raw byte stream over a Unix stream socket (emulates a UART)
//
// sim: socket framing (both directions, the simulator is the listening server):
//   one frame per HID report:  u8 report id | u16 LE payload length | payload (length bytes)
//   Host -> device frames carry OUT reports (SDP ids 1, 2; MCUBoot ids 1, 2), device -> host
//   frames carry IN reports (SDP ids 3, 4; MCUBoot ids 3, 4). The payload is exactly what follows
//   the report id on USB (hidapi buffer without its first byte), padding included if the sender
//   pads; max payload kMaxReportPayload. A peer that closes the socket = device unplugged.
//   Report id 0 (device -> host only) is the device descriptor, not a HID report: payload
//   u16 LE VID | u16 LE PID, sent first on every connection, as enumeration tells a USB host
//   what it found. Hosts keep it for usb_identity() and never see it as a report.
// sim-uart: socket: plain bytes both ways, exactly as on a serial line.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::transport {

// Largest HID report payload any transport carries (SDP data reports are 1024 bytes).
inline constexpr std::size_t kMaxReportPayload = 1024 + 64;

// One HID report: the report id and the bytes after it.
struct HidReport {
    std::uint8_t id = 0;
    Bytes data;
};

// The USB identity of the device at the other end of a link (what it enumerated as).
struct UsbIdentity {
    std::uint16_t vid = 0;
    std::uint16_t pid = 0;
};

// A link to one device. Not thread-safe; one owner at a time. Every failure of the link itself
// (closed port, unplugged device, I/O error) throws rtprov::Error(ErrorCode::Device).
class Transport {
  public:
    virtual ~Transport() = default;

    // True for report-oriented links (USB-HID, sim:); false for byte streams (UART, sim-uart:).
    virtual bool is_hid() const = 0;

    // Byte streams: writes all of `data` (blocking). HID transports throw Error(Internal).
    virtual void write(ByteView data);
    // Byte streams: reads up to buf.size() bytes, waiting at most `timeout` for the first byte;
    // returns the count read (0 on timeout). HID transports throw Error(Internal).
    virtual std::size_t read(std::span<std::uint8_t> buf, std::chrono::milliseconds timeout);

    // HID: sends one OUT report `id` with `payload` (sent as given: the protocol pads).
    // Byte streams throw Error(Internal).
    virtual void write_report(std::uint8_t id, ByteView payload);
    // HID: the next IN report, or nullopt when none arrives within `timeout`.
    // Byte streams throw Error(Internal).
    virtual std::optional<HidReport> read_report(std::chrono::milliseconds timeout);

    // Drops everything received but not yet read (stale input before a new exchange).
    virtual void flush() = 0;
    // Changes the line speed (UART only; other transports ignore it).
    virtual void set_baud_rate(std::uint32_t /*baud*/) {}
    // Human-readable identity for messages ("uart:/dev/ttyACM0,115200").
    virtual std::string describe() const = 0;
    // What the device enumerated as on USB (USB-HID; sim: once its descriptor frame arrived,
    // which the simulator sends first on every connection); nullopt for byte streams.
    virtual std::optional<UsbIdentity> usb_identity() { return std::nullopt; }
};

// Reads exactly buf.size() bytes from a byte stream, `timeout` per read; throws
// Error(Device) "<describe>: timeout after N ms waiting for M more bytes" when it runs dry.
void read_exact(Transport& t, std::span<std::uint8_t> buf, std::chrono::milliseconds timeout);

// Opens a transport from a URI (see the top of this file). Throws Error(Usage) for a malformed
// URI, Error(Device) when the device cannot be found or opened.
std::unique_ptr<Transport> open_transport(std::string_view uri);

// Individual openers (also used by tests).
std::unique_ptr<Transport> open_uart(const std::string& path, std::uint32_t baud);
// Opens the first HID device matching vid:pid (and serial, when non-empty).
std::unique_ptr<Transport> open_usb_hid(std::uint16_t vid, std::uint16_t pid,
                                        const std::string& serial);
std::unique_ptr<Transport> open_usb_hid_path(const std::string& path);
// Opens the HID device at USB port `port` ("1-1.2"). Throws Error(Device) when none is there.
std::unique_ptr<Transport> open_usb_hid_port(const std::string& port);
// Connects to a Unix stream socket; hid selects the report framing (sim:) or raw bytes (sim-uart:).
std::unique_ptr<Transport> open_socket(const std::string& path, bool hid);
// Wraps an already connected stream fd (socketpair, pty master); takes ownership of fd.
std::unique_ptr<Transport> socket_transport_from_fd(int fd, bool hid, std::string description);

// One USB-HID device as hidapi enumerates it.
struct HidDeviceInfo {
    std::uint16_t vid = 0;
    std::uint16_t pid = 0;
    std::string serial;  // may be empty
    std::string path;    // hidapi path (usable as usb:path=...)
    std::string product;
    std::string port;  // USB port path ("1-1.2", usable as usb:port=...), "" when unknown
};

// The USB port path of a hidraw device node ("/dev/hidraw3" -> "1-1.2"), read from sysfs
// (`sysfs` for tests); "" when it cannot be told.
std::string usb_port_of(const std::string& hid_path, const std::filesystem::path& sysfs = "/sys");

// Lists USB-HID devices (all, or only vid:pid when vid != 0). Returns an empty list (never
// throws) when there is no USB, no permission or no device. Matching against the device database
// lives in rtprov::proto::scan_usb() (transports do not know parts).
std::vector<HidDeviceInfo> enumerate_hid(std::uint16_t vid = 0, std::uint16_t pid = 0);

}  // namespace rtprov::transport
