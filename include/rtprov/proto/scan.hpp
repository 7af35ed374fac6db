#pragma once
// Finding RT10xx parts on USB: hidapi enumeration (transport) matched against the device
// database's boot ROM and flashloader IDs. Lives in proto because transports know no parts.

#include <cstdint>
#include <string>
#include <vector>

namespace rtprov::proto {

// One USB device found by scan_usb().
struct FoundDevice {
    std::vector<std::string> parts;  // database parts with this VID:PID ("mimxrt1020", ...)
    std::string mode;                // "rom" (boot ROM, SDP) or "flashloader" (MCUBoot)
    std::uint16_t vid = 0;
    std::uint16_t pid = 0;
    std::string serial;  // may be empty
    std::string path;    // hidapi path
    std::string uri;     // ready-made --port value ("usb:path=/dev/hidraw3")
};

// USB-HID devices whose VID:PID is a boot ROM or flashloader ID in the device database, in
// enumeration order. Returns an empty list (never throws) without USB, permission or devices.
std::vector<FoundDevice> scan_usb();

}  // namespace rtprov::proto
