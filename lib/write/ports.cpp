#include "rtprov/write/ports.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "rtprov/transport/transport.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/text.hpp"

namespace rtprov::write {

namespace {

std::string trim(std::string s) {
    const auto not_space = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
    s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
    return s;
}

// The file a path-like port resolves to, when it exists.
std::optional<std::string> resolved(const std::string& path) {
    std::error_code ec;
    const auto p = std::filesystem::canonical(path, ec);
    if (ec)
        return std::nullopt;
    return p.string();
}

}  // namespace

std::vector<std::string> read_port_list(const std::filesystem::path& file, bool missing_ok) {
    if (missing_ok && !path_exists(file))
        return {};
    std::string text;
    try {
        text = read_text_file(file, kMaxListFile);
    } catch (Error& e) {
        throw e.with_context("port list");
    }
    std::vector<std::string> out;
    std::istringstream in(text);
    std::size_t number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        line = trim(line);
        if (line.empty() || line[0] == '#')
            continue;
        try {
            require_printable(line, fmt::format("{}:{}", file.string(), number));
        } catch (const Error& e) {
            throw Error(ErrorCode::BadInput, e.message());
        }
        out.push_back(line);
    }
    return out;
}

std::string with_default_baud(const std::string& uri, std::uint32_t baud) {
    if (!uri.starts_with("uart:") || uri.find(',') != std::string::npos)
        return uri;
    return fmt::format("{},{}", uri, baud);
}

std::optional<std::string> port_identity(const std::string& uri) {
    if (uri == "sim:auto")
        return uri;
    const auto colon = uri.find(':');
    if (colon == std::string::npos)
        return std::nullopt;
    const std::string scheme = uri.substr(0, colon);
    std::string rest = uri.substr(colon + 1);
    if (scheme == "uart") {
        return resolved(rest.substr(0, rest.find(',')));
    }
    if (scheme == "sim" || scheme == "sim-uart")
        return resolved(rest);
    if (scheme == "usb") {
        if (rest.starts_with("path="))
            return resolved(rest.substr(5));
        // A USB port is the board, whatever it enumerates as (ROM, flashloader): one identity
        // through its re-enumerations.
        if (rest.starts_with("port=")) {
            for (const auto& d : transport::enumerate_hid()) {
                if (d.port == rest.substr(5))
                    return uri;
            }
            return std::nullopt;
        }
        // VID:PID[,SERIAL]: present while hidapi lists such a device.
        unsigned vid = 0, pid = 0;
        if (std::sscanf(rest.c_str(), "%x:%x", &vid, &pid) != 2)
            return std::nullopt;
        const auto serial_at = rest.find(',');
        const std::string serial = serial_at == std::string::npos ? "" : rest.substr(serial_at + 1);
        for (const auto& d : transport::enumerate_hid(static_cast<std::uint16_t>(vid),
                                                      static_cast<std::uint16_t>(pid))) {
            if (serial.empty() || d.serial == serial)
                return fmt::format("{} {}", uri, d.path);
        }
        return std::nullopt;
    }
    return std::nullopt;
}

std::unique_ptr<transport::Transport> open_board(const std::string& uri,
                                                 const device::Device& device) {
    const std::string rom =
        fmt::format("usb:{:04x}:{:04x}", device.rom_usb.vid, device.rom_usb.pid);
    std::string lower = uri;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!lower.starts_with(rom))
        return transport::open_transport(uri);
    try {
        return transport::open_transport(uri);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::Device)
            throw;
        const std::string loader = fmt::format("usb:{:04x}:{:04x}{}", device.flashloader_usb.vid,
                                               device.flashloader_usb.pid, uri.substr(rom.size()));
        try {
            return transport::open_transport(loader);
        } catch (const Error&) {
            throw e;
        }
    }
}

std::function<std::unique_ptr<transport::Transport>()> board_opener(const std::string& uri,
                                                                    const device::Device& device) {
    const bool follow = uri.starts_with("usb:") && !uri.starts_with("usb:port=");
    auto port = std::make_shared<std::string>();
    return [uri, &device, follow, port]() -> std::unique_ptr<transport::Transport> {
        if (!port->empty())
            return transport::open_transport("usb:port=" + *port);
        auto t = open_board(uri, device);
        const std::string d = t->describe();
        if (follow && d.starts_with("usb:path="))
            *port = transport::usb_port_of(d.substr(9));
        return t;
    };
}

}  // namespace rtprov::write
