// Transport defaults, read_exact and the URI dispatcher (open_transport).

#include "rtprov/transport/transport.hpp"

#include <charconv>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::transport {

namespace {

[[noreturn]] void wrong_kind(const Transport& t, std::string_view op) {
    throw Error(ErrorCode::Internal,
                fmt::format("{}: {} is not available on a {} transport", t.describe(), op,
                            t.is_hid() ? "report (HID)" : "byte-stream"));
}

std::optional<std::uint32_t> parse_number(std::string_view s, int base) {
    std::uint32_t v = 0;
    if (s.empty())
        return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

[[noreturn]] void bad_uri(std::string_view uri, std::string_view why) {
    throw Error(ErrorCode::Usage,
                fmt::format("bad port '{}': {} (expected uart:DEV[,BAUD], usb:VID:PID[,SERIAL], "
                            "usb:path=PATH, usb:port=PORT, sim:SOCKET or sim-uart:SOCKET)",
                            uri, why));
}

std::unique_ptr<Transport> open_usb_uri(std::string_view uri, std::string_view rest) {
    if (rest.starts_with("path="))
        return open_usb_hid_path(std::string(rest.substr(5)));
    if (rest.starts_with("port=")) {
        const std::string_view port = rest.substr(5);
        if (port.empty() || port.find_first_not_of("0123456789-.") != std::string_view::npos)
            bad_uri(uri, "a USB port path is like 1-1.2");
        return open_usb_hid_port(std::string(port));
    }
    std::string serial;
    if (auto comma = rest.find(','); comma != std::string_view::npos) {
        serial = std::string(rest.substr(comma + 1));
        rest = rest.substr(0, comma);
    }
    auto colon = rest.find(':');
    if (colon == std::string_view::npos)
        bad_uri(uri, "missing ':' between VID and PID");
    auto vid = parse_number(rest.substr(0, colon), 16);
    auto pid = parse_number(rest.substr(colon + 1), 16);
    if (!vid || !pid || *vid > 0xFFFF || *pid > 0xFFFF)
        bad_uri(uri, "VID and PID must be hex");
    return open_usb_hid(static_cast<std::uint16_t>(*vid), static_cast<std::uint16_t>(*pid), serial);
}

}  // namespace

void Transport::write(ByteView) {
    wrong_kind(*this, "write");
}
std::size_t Transport::read(std::span<std::uint8_t>, std::chrono::milliseconds) {
    wrong_kind(*this, "read");
}
void Transport::write_report(std::uint8_t, ByteView) {
    wrong_kind(*this, "write_report");
}
std::optional<HidReport> Transport::read_report(std::chrono::milliseconds) {
    wrong_kind(*this, "read_report");
}

void read_exact(Transport& t, std::span<std::uint8_t> buf, std::chrono::milliseconds timeout) {
    std::size_t done = 0;
    while (done < buf.size()) {
        std::size_t n = t.read(buf.subspan(done), timeout);
        if (n == 0) {
            throw Error(ErrorCode::Device,
                        fmt::format("{}: timeout after {} ms waiting for {} more bytes",
                                    t.describe(), timeout.count(), buf.size() - done));
        }
        done += n;
    }
}

std::unique_ptr<Transport> open_transport(std::string_view uri) {
    auto colon = uri.find(':');
    if (colon == std::string_view::npos)
        bad_uri(uri, "no scheme");
    const std::string_view scheme = uri.substr(0, colon);
    std::string_view rest = uri.substr(colon + 1);
    if (rest.empty())
        bad_uri(uri, "nothing after the scheme");
    if (scheme == "uart") {
        std::uint32_t baud = 115200;
        if (auto comma = rest.find(','); comma != std::string_view::npos) {
            auto b = parse_number(rest.substr(comma + 1), 10);
            if (!b || *b == 0)
                bad_uri(uri, "baud rate must be a decimal number");
            baud = *b;
            rest = rest.substr(0, comma);
        }
        return open_uart(std::string(rest), baud);
    }
    if (scheme == "usb")
        return open_usb_uri(uri, rest);
    if (scheme == "sim")
        return open_socket(std::string(rest), true);
    if (scheme == "sim-uart")
        return open_socket(std::string(rest), false);
    bad_uri(uri, fmt::format("unknown scheme '{}'", scheme));
}

}  // namespace rtprov::transport
