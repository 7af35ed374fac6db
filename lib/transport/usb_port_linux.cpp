// The USB port a hidraw device is plugged into, from sysfs: /sys/class/hidraw/hidrawN/device
// links into the USB tree, .../usb1/1-1/1-1.2/1-1.2:1.0/0003:1FC9:0130.0005, whose interface
// component ("1-1.2:1.0") names the port ("1-1.2"). The port stays when the device re-enumerates
// (boot ROM, then flashloader) and differs between the fixtures of a rig.

#include <algorithm>
#include <string_view>

#include "rtprov/transport/transport.hpp"

namespace rtprov::transport {

namespace {

// "1-1.2:1.0": bus-port[.port...]:config.interface.
bool usb_interface(std::string_view name) {
    const auto colon = name.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return false;
    const std::string_view port = name.substr(0, colon);
    const std::string_view rest = name.substr(colon + 1);
    const auto digits_dots = [](std::string_view s) {
        return !s.empty() && s.find_first_not_of("0123456789.") == std::string_view::npos;
    };
    const auto dash = port.find('-');
    return dash != std::string_view::npos && dash > 0 &&
           port.substr(0, dash).find_first_not_of("0123456789") == std::string_view::npos &&
           digits_dots(port.substr(dash + 1)) && digits_dots(rest) &&
           rest.find('.') != std::string_view::npos;
}

}  // namespace

std::string usb_port_of(const std::string& hid_path, const std::filesystem::path& sysfs) {
    const std::string node = std::filesystem::path(hid_path).filename().string();
    if (!node.starts_with("hidraw"))
        return "";
    std::error_code ec;
    const auto device =
        std::filesystem::canonical(sysfs / "class" / "hidraw" / node / "device", ec);
    if (ec)
        return "";
    std::string port;
    for (const auto& part : device) {
        const std::string name = part.string();
        if (usb_interface(name))
            port = name.substr(0, name.find(':'));
    }
    return port;
}

}  // namespace rtprov::transport
