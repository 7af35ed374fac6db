// scan_usb: hidapi enumeration matched against the device database's USB IDs.

#include "rtprov/proto/scan.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/device/device.hpp"
#include "rtprov/transport/transport.hpp"

namespace rtprov::proto {

std::vector<FoundDevice> scan_usb() {
    std::vector<FoundDevice> found;
    try {
        for (const auto& hid : transport::enumerate_hid()) {
            FoundDevice f;
            for (const auto& dev : device::all_devices()) {
                const char* mode = nullptr;
                if (dev.rom_usb.vid == hid.vid && dev.rom_usb.pid == hid.pid)
                    mode = "rom";
                if (dev.flashloader_usb.vid == hid.vid && dev.flashloader_usb.pid == hid.pid) {
                    mode = "flashloader";
                }
                if (!mode)
                    continue;
                f.mode = mode;
                f.parts.emplace_back(dev.name);
            }
            if (f.parts.empty())
                continue;
            f.vid = hid.vid;
            f.pid = hid.pid;
            f.serial = hid.serial;
            f.path = hid.path;
            f.uri = fmt::format("usb:path={}", hid.path);
            found.push_back(std::move(f));
        }
    } catch (...) {
        // Scanning is best effort: no USB stack or permission means "nothing found".
        found.clear();
    }
    return found;
}

}  // namespace rtprov::proto
